//! `/rooms/{id}/pins`: a room's pinned messages.

use actix_web::{HttpResponse, web};
use protocol::{ApiError, MessageId, Pin, RoomId};

use super::caller::{Caller, Reply};
use super::no_content;
use domain::pins;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/rooms/{id}/pins").route(web::get().to(list)));
    cfg.service(
        web::resource("/rooms/{id}/pins/{message_id}")
            .route(web::put().to(pin))
            .route(web::delete().to(unpin)),
    );
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/pins", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [Pin], description = "newest first"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn list(caller: Caller, room_id: web::Path<RoomId>) -> Reply {
    let list = caller
        .read(move |conn, me| pins::list(conn, me.id, *room_id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(put, path = "/api/v1/rooms/{id}/pins/{message_id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("message_id" = Uuid, Path)),
    responses((status = 200, body = Pin, description = "pinned (or pinned already)"),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn pin(caller: Caller, path: web::Path<(RoomId, MessageId)>) -> Reply {
    let (room, message) = path.into_inner();
    let pin = caller
        .commit(move |conn, me| pins::pin(conn, me.id, room, message))
        .await?;
    Ok(HttpResponse::Ok().json(pin))
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}/pins/{message_id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("message_id" = Uuid, Path)),
    responses((status = 204, description = "not pinned (any more)"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn unpin(caller: Caller, path: web::Path<(RoomId, MessageId)>) -> Reply {
    let (room, message) = path.into_inner();
    caller
        .commit(move |conn, me| pins::unpin(conn, me.id, room, message))
        .await?;
    Ok(no_content())
}
