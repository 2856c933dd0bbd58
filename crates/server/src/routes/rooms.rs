//! `/rooms/*`: groups, membership and settings.

use actix_web::{HttpResponse, web};
use protocol::{
    ApiError, AuditEntry, CreateRoomRequest, Member, NotificationLevelRequest, RemoveMemberRequest,
    RoleRequest, Room, RoomSummary, UpdateRoomRequest, UserIdRequest,
};
use serde::Deserialize;
use uuid::Uuid;

use super::Json;
use super::caller::{Caller, Reply};
use super::{Page, no_content};
use domain::{moderation, rooms};
use protocol::{RoomId, UserId};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/rooms")
            .route(web::post().to(create))
            .route(web::get().to(explore)),
    );
    cfg.service(
        web::resource("/rooms/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
    cfg.service(web::resource("/rooms/{id}/join").route(web::post().to(join)));
    cfg.service(web::resource("/rooms/{id}/leave").route(web::post().to(leave)));
    cfg.service(web::resource("/rooms/{id}/members").route(web::get().to(members)));
    cfg.service(web::resource("/rooms/{id}/invites").route(web::post().to(invite)));
    cfg.service(
        web::resource("/rooms/{id}/notification-level").route(web::put().to(notification_level)),
    );
    cfg.service(
        web::resource("/rooms/{id}/members/{user_id}").route(web::delete().to(remove_member)),
    );
    cfg.service(web::resource("/rooms/{id}/members/{user_id}/role").route(web::put().to(set_role)));
    cfg.service(web::resource("/rooms/{id}/bans/{user_id}").route(web::delete().to(unban)));
    cfg.service(web::resource("/rooms/{id}/audit-log").route(web::get().to(audit_log)));
}

#[utoipa::path(post, path = "/api/v1/rooms", tag = "rooms", security(("bearer" = [])),
    request_body = CreateRoomRequest,
    responses((status = 201, body = Room), (status = 422, body = ApiError)))]
pub async fn create(caller: Caller, body: Json<CreateRoomRequest>) -> Reply {
    let req = body.into_inner();
    let room = caller
        .commit(move |conn, me| rooms::create(conn, me.id, req, &me.hub))
        .await?;
    Ok(HttpResponse::Created().json(room))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExploreQuery {
    /// Part of a room's name or topic.
    pub q: Option<String>,
    pub limit: Option<i64>,
    /// A room id from the previous page: the rooms listed after it.
    pub before: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/rooms", tag = "rooms", security(("bearer" = [])),
    params(ExploreQuery), responses((status = 200, body = [Room])))]
pub async fn explore(caller: Caller, query: web::Query<ExploreQuery>) -> Reply {
    let ExploreQuery { q, limit, before } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let before = before.map(Into::into);
    let list = caller
        .read(move |conn, me| rooms::explore(conn, me.id, q.as_deref(), before, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Room), (status = 404, body = ApiError)))]
pub async fn get(caller: Caller, room_id: web::Path<RoomId>) -> Reply {
    let room = caller
        .read(move |conn, me| rooms::get(conn, me.id, *room_id))
        .await?;
    Ok(HttpResponse::Ok().json(room))
}

#[utoipa::path(patch, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateRoomRequest,
    responses((status = 200, body = Room), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn update(
    caller: Caller,
    room_id: web::Path<RoomId>,
    body: Json<UpdateRoomRequest>,
) -> Reply {
    let req = body.into_inner();
    let room = caller
        .commit(move |conn, me| rooms::update(conn, me.id, *room_id, req))
        .await?;
    Ok(HttpResponse::Ok().json(room))
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn delete(caller: Caller, room_id: web::Path<RoomId>) -> Reply {
    caller
        .commit(move |conn, me| rooms::delete(conn, me.id, *room_id))
        .await?;
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/join", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Room), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn join(caller: Caller, room_id: web::Path<RoomId>) -> Reply {
    let room = caller
        .commit(move |conn, me| rooms::join(conn, me.id, *room_id, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(room))
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/leave", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ApiError)))]
pub async fn leave(caller: Caller, room_id: web::Path<RoomId>) -> Reply {
    caller
        .commit(move |conn, me| rooms::leave(conn, me.id, *room_id))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/members", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path), super::PeoplePage),
    responses((status = 200, body = [Member]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn members(
    caller: Caller,
    room_id: web::Path<RoomId>,
    page: web::Query<super::PeoplePage>,
) -> Reply {
    let (after, limit) = (page.after(), page.limit());
    let list = caller
        .read(move |conn, me| rooms::members_of(conn, me.id, *room_id, after, limit, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/invites", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UserIdRequest,
    responses((status = 201), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn invite(
    caller: Caller,
    room_id: web::Path<RoomId>,
    body: Json<UserIdRequest>,
) -> Reply {
    let invitee = body.user_id;
    caller
        .commit(move |conn, me| rooms::invite(conn, me.id, *room_id, invitee, &me.hub))
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "invited": true })))
}

#[utoipa::path(put, path = "/api/v1/rooms/{id}/notification-level", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = NotificationLevelRequest,
    responses((status = 200, body = RoomSummary),
        (status = 403, body = ApiError, description = "not a member of the room"),
        (status = 422, body = ApiError)))]
pub async fn notification_level(
    caller: Caller,
    room_id: web::Path<RoomId>,
    body: Json<NotificationLevelRequest>,
) -> Reply {
    let level = body.level;
    let summary = caller
        .write(move |conn, me| rooms::set_notification_level(conn, me.id, *room_id, level))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

#[utoipa::path(put, path = "/api/v1/rooms/{id}/members/{user_id}/role", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = RoleRequest,
    responses((status = 200, body = Member), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn set_role(
    caller: Caller,
    path: web::Path<(RoomId, UserId)>,
    body: Json<RoleRequest>,
) -> Reply {
    let (room_id, target) = path.into_inner();
    let role = body.into_inner().role;
    let member = caller
        .write(move |c, me| moderation::set_role(c, me.id, room_id, target, role, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}/members/{user_id}", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body(content = Option<RemoveMemberRequest>, description = "optional"),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn remove_member(
    caller: Caller,
    path: web::Path<(RoomId, UserId)>,
    body: web::Bytes,
) -> Reply {
    let req: RemoveMemberRequest = super::optional_json(&body)?;
    let (room_id, target) = path.into_inner();
    caller
        .commit(move |c, me| moderation::remove_member(c, me.id, room_id, target, req))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}/bans/{user_id}", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn unban(caller: Caller, path: web::Path<(RoomId, UserId)>) -> Reply {
    let (room_id, target) = path.into_inner();
    caller
        .write(move |c, me| moderation::unban(c, me.id, room_id, target))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/audit-log", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), Page),
    responses((status = 200, body = [AuditEntry]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn audit_log(
    caller: Caller,
    room_id: web::Path<RoomId>,
    page: web::Query<Page>,
) -> Reply {
    let (before, limit) = (page.before.map(Into::into), page.limit());
    let list = caller
        .read(move |c, me| moderation::audit_entries(c, me.id, *room_id, before, limit, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
