//! Avatars: `PUT /users/me/avatar` takes a picture (cropped square and
//! resized), `DELETE` clears it, and `GET /avatars/{id}` serves it to
//! anyone, since avatars show wherever their person appears.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use protocol::{ApiError, Me};
use uuid::Uuid;

use super::attachments::UploadForm;
use super::caller::{Caller, Reply};
use super::served::{self, Cache};
use super::upload;
use crate::files::Blob;
use crate::state::AppState;
use domain::{accounts, pictures};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users/me/avatar")
            .route(web::put().to(set))
            .route(web::delete().to(clear)),
    );
    cfg.service(web::resource("/avatars/{id}").route(web::get().to(serve)));
}

#[utoipa::path(put, path = "/api/v1/users/me/avatar", tag = "users", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = Me, description = "avatar_url now names the new picture"),
        (status = 400, body = ApiError, description = "not multipart/form-data, or cut short"),
        (status = 413, body = ApiError, description = "larger than the upload limit"),
        (status = 422, body = ApiError, description = "not a PNG, JPEG, GIF or WebP picture; \
            one of more than 16 megapixels or 8192 pixels a side (`picture_too_large`)"),
        (status = 429, body = ApiError, description = "upload rate limit (shared with attachments and photos); see Retry-After"),
        (status = 503, body = ApiError, description = "every picture decoder busy and the line full, or the database unreachable; see Retry-After")))]
pub async fn set(caller: Caller, form: Multipart) -> Reply {
    caller.state.upload_limiter.check(&caller.user.id)?;
    let limit = caller.state.settings.upload_max_bytes;
    let received = upload::one_file(form, limit).await?;
    pictures::inspect(&received.bytes)?;
    let picture = caller
        .state
        .pictures
        .run(move || pictures::avatar(&received.bytes))
        .await??;
    let id = Uuid::now_v7();
    let pending = caller
        .state
        .files
        .put_pending(vec![(Blob::Avatar(id), picture)])
        .await?;
    let (me, replaced) = caller
        .write(move |conn, me| accounts::set_avatar(conn, me.id, Some(id), &me.hub))
        .await?;
    pending.keep();
    forget(&caller.state, replaced).await;
    Ok(HttpResponse::Ok().json(me))
}

#[utoipa::path(delete, path = "/api/v1/users/me/avatar", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Me, description = "no avatar any more")))]
pub async fn clear(caller: Caller) -> Reply {
    let (me, replaced) = caller
        .write(move |conn, me| accounts::set_avatar(conn, me.id, None, &me.hub))
        .await?;
    forget(&caller.state, replaced).await;
    Ok(HttpResponse::Ok().json(me))
}

/// The picture an avatar change replaced is nobody's any more.
pub(super) async fn forget(state: &AppState, replaced: Option<Uuid>) {
    if let Some(old) = replaced
        && let Err(e) = state.files.delete(Blob::Avatar(old)).await
    {
        tracing::warn!(%old, error = %e, "cannot remove a replaced avatar");
    }
}

#[utoipa::path(get, path = "/api/v1/avatars/{id}", tag = "users",
    params(("id" = Uuid, Path)),
    responses((status = 200, content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png")),
            description = "a square picture, 256 pixels a side (JPEG, or PNG where it is transparent)"),
        (status = 404, body = ApiError)))]
pub async fn serve(state: web::Data<AppState>, id: web::Path<Uuid>) -> Reply {
    let bytes = state.files.read(Blob::Avatar(id.into_inner())).await?;
    let content_type = pictures::made_type(&bytes);
    Ok(served::picture(bytes, content_type, Cache::Public))
}
