//! Photo libraries: `POST /users/me/photos` adds a picture, `GET
//! /users/{id}/photos` lists someone's, `DELETE /users/me/photos/{id}`
//! removes one, and `GET /photos/{id}` (and `…/thumbnail`) serve them to
//! whoever may see the owner's profile in full.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use protocol::{ApiError, Photo, PhotoId, UserId};

use super::attachments::UploadForm;
use super::caller::{Caller, Reply};
use super::no_content;
use super::served::{self, Cache};
use super::upload;
use crate::files::Blob;
use domain::{photos, pictures, quota};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Before `/users/{id}/photos`, which would take "me" for an id.
    cfg.service(
        web::resource("/users/me/photos")
            .route(web::get().to(list_mine))
            .route(web::post().to(add)),
    );
    cfg.service(web::resource("/users/me/photos/{id}").route(web::delete().to(remove)));
    cfg.service(web::resource("/users/{id}/photos").route(web::get().to(list)));
    cfg.service(web::resource("/photos/{id}").route(web::get().to(download)));
    cfg.service(web::resource("/photos/{id}/thumbnail").route(web::get().to(thumbnail)));
}

#[utoipa::path(post, path = "/api/v1/users/me/photos", tag = "users", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Photo),
        (status = 400, body = ApiError, description = "not multipart/form-data, or cut short"),
        (status = 413, body = ApiError, description = "larger than the upload limit, \
            or more than the owner's storage quota holds (`quota_exceeded`)"),
        (status = 422, body = ApiError, description = "not a PNG, JPEG, GIF or WebP picture, or the library is full (200); \
            a picture of more than 16 megapixels or 8192 pixels a side (`picture_too_large`)"),
        (status = 429, body = ApiError, description = "upload rate limit (shared with attachments and avatars); see Retry-After"),
        (status = 503, body = ApiError, description = "every picture decoder busy and the line full, or the database unreachable; see Retry-After")))]
pub async fn add(caller: Caller, form: Multipart) -> Reply {
    caller.state.upload_limiter.check(&caller.user.id)?;
    let quota = caller.state.settings.upload_quota_bytes;
    caller
        .read(move |conn, me| quota::has_room(conn, me.id, quota))
        .await?;
    let limit = caller.state.settings.upload_max_bytes;
    let received = upload::one_file(form, limit).await?;
    pictures::inspect(&received.bytes)?;
    let (picture, bytes) = caller
        .state
        .pictures
        .run(move || (pictures::read(&received.bytes), received.bytes))
        .await?;
    let picture = picture?;
    let id = PhotoId::from_uuid(uuid::Uuid::now_v7());
    let size = bytes.len();
    let thumbnail = picture.thumbnail.clone();
    // Bytes first, kept only once the row committed; a refusal (a full
    // library) removes them again.
    let pending = caller
        .state
        .files
        .put_pending(vec![
            (Blob::Photo(id), bytes),
            (Blob::PhotoThumbnail(id), thumbnail),
        ])
        .await?;
    let photo = caller
        .write(move |conn, me| photos::record(conn, me.id, id, &picture, size, quota))
        .await?;
    pending.keep();
    Ok(HttpResponse::Created().json(photo))
}

#[utoipa::path(get, path = "/api/v1/users/{id}/photos", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [Photo], description = "newest first"),
        (status = 403, body = ApiError, description = "a friends-only profile of someone who is not a friend"),
        (status = 404, body = ApiError)))]
pub async fn list(caller: Caller, owner: web::Path<UserId>) -> Reply {
    let owner = owner.into_inner();
    let list = caller
        .read(move |conn, me| photos::list(conn, me.id, owner))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/users/me/photos", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [Photo], description = "my photos, newest first")))]
pub async fn list_mine(caller: Caller) -> Reply {
    let list = caller
        .read(move |conn, me| photos::list(conn, me.id, me.id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(delete, path = "/api/v1/users/me/photos/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "removed"), (status = 404, body = ApiError)))]
pub async fn remove(caller: Caller, id: web::Path<PhotoId>) -> Reply {
    let id = id.into_inner();
    caller
        .write(move |conn, me| photos::remove(conn, me.id, id))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/gif"), (Vec<u8> = "image/webp")), description = "the picture as uploaded"),
        (status = 404, body = ApiError, description = "no such photo, or not for you to see")))]
pub async fn download(caller: Caller, id: web::Path<PhotoId>) -> Reply {
    let id = id.into_inner();
    let photo = caller
        .read(move |conn, me| photos::readable(conn, me.id, id))
        .await?;
    let file = caller.state.files.get(Blob::Photo(id)).await?;
    Ok(served::stream(
        file,
        &photo.content_type,
        &format!("photo-{id}"),
        true,
        Cache::Private,
    ))
}

#[utoipa::path(get, path = "/api/v1/photos/{id}/thumbnail", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png")),
            description = "a preview at most 320 pixels a side"),
        (status = 404, body = ApiError)))]
pub async fn thumbnail(caller: Caller, id: web::Path<PhotoId>) -> Reply {
    let id = id.into_inner();
    caller
        .read(move |conn, me| photos::readable(conn, me.id, id))
        .await?;
    let bytes = caller.state.files.read(Blob::PhotoThumbnail(id)).await?;
    let content_type = pictures::made_type(&bytes);
    Ok(served::picture(bytes, content_type, Cache::Private))
}
