//! Files in rooms: `POST /rooms/{id}/attachments` uploads one (sent later
//! with a message), `GET /attachments/{id}` and `…/thumbnail` fetch them,
//! for members only.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use protocol::{ApiError, Attachment, AttachmentId, RoomId};

use super::caller::{Caller, Reply};
use super::served::{self, Cache};
use super::upload;
use crate::files::Blob;
use domain::error::DomainError;
use domain::pictures;
use domain::{attachments, quota};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/rooms/{id}/attachments").route(web::post().to(upload)));
    cfg.service(web::resource("/attachments/{id}").route(web::get().to(download)));
    cfg.service(web::resource("/attachments/{id}/thumbnail").route(web::get().to(thumbnail)));
}

/// The form of an upload, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file; its name is kept, its type read from its bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment, description = "stored, to be sent with a message within a day"),
        (status = 400, body = ApiError, description = "not multipart/form-data, or cut short"),
        (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 413, body = ApiError, description = "larger than the upload limit (10 MiB unless configured), \
            or more than the uploader's storage quota holds (`quota_exceeded`; 1 GiB unless configured)"),
        (status = 422, body = ApiError, description = "no part named file, or an empty file; \
            a picture of more than 16 megapixels or 8192 pixels a side (`picture_too_large`)"),
        (status = 429, body = ApiError, description = "upload rate limit (30 a minute unless configured, shared with photos and avatars); see Retry-After"),
        (status = 503, body = ApiError, description = "every picture decoder busy and the line full, or the database unreachable; see Retry-After")))]
pub async fn upload(caller: Caller, room: web::Path<RoomId>, form: Multipart) -> Reply {
    let room = room.into_inner();
    caller.state.upload_limiter.check(&caller.user.id)?;
    let quota = caller.state.settings.upload_quota_bytes;
    // Before reading megabytes: may this person upload here at all, and
    // do they have room left?
    caller
        .read(move |conn, me| {
            attachments::may_upload(conn, me.id, room)?;
            quota::has_room(conn, me.id, quota)
        })
        .await?;
    let limit = caller.state.settings.upload_max_bytes;
    let received = upload::one_file(form, limit).await?;
    let file = attachments::prepare(&caller.state.pictures, &received.name, received.bytes).await?;
    // The row first: bytes the store holds are always named by a row, and
    // an upload cut off after this is swept like any unsent one.
    let (attachment, file) = caller
        .write(move |conn, me| {
            let attachment = attachments::record(conn, me.id, room, &file, quota)?;
            Ok((attachment, file))
        })
        .await?;
    let id = attachment.id;
    let mut stored = caller
        .state
        .files
        .put(Blob::Attachment(id), file.bytes)
        .await;
    if let (Ok(()), Some(picture)) = (&stored, file.picture) {
        stored = caller
            .state
            .files
            .put(Blob::Thumbnail(id), picture.thumbnail)
            .await;
    }
    if let Err(e) = stored {
        let _ = caller
            .write(move |conn, _| attachments::forget(conn, &[id]))
            .await;
        return Err(e.into());
    }
    Ok(HttpResponse::Created().json(attachment))
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content((Vec<u8> = "*/*")),
            description = "the bytes, typed as read at upload; pictures inline, other files as a download under their name"),
        (status = 404, body = ApiError, description = "no such file, its message deleted, or not a member of its room")))]
pub async fn download(caller: Caller, id: web::Path<AttachmentId>) -> Reply {
    let id = id.into_inner();
    let attachment = caller
        .read(move |conn, me| attachments::readable(conn, me.id, id))
        .await?;
    let file = caller.state.files.get(Blob::Attachment(id)).await?;
    Ok(served::stream(
        file,
        &attachment.content_type,
        &attachment.name,
        attachment.is_image(),
        Cache::Private,
    ))
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}/thumbnail", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png")),
            description = "a preview at most 320 pixels a side (JPEG, or PNG where the picture is transparent)"),
        (status = 404, body = ApiError, description = "not a picture, or not readable by you")))]
pub async fn thumbnail(caller: Caller, id: web::Path<AttachmentId>) -> Reply {
    let id = id.into_inner();
    let attachment = caller
        .read(move |conn, me| attachments::readable(conn, me.id, id))
        .await?;
    if !attachment.thumbnail {
        return Err(DomainError::NotFound(domain::error::Missing::Attachment).into());
    }
    let bytes = caller.state.files.read(Blob::Thumbnail(id)).await?;
    let content_type = pictures::made_type(&bytes);
    Ok(served::picture(bytes, content_type, Cache::Private))
}
