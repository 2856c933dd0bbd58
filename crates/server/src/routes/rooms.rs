//! `/rooms/*`: groups, membership and settings.

use actix_web::{HttpResponse, web};
use protocol::{
    ApiError, AuditEntry, CreateRoomRequest, Member, NotificationLevelRequest, RemoveMemberRequest,
    RoleRequest, Room, RoomSummary, UpdateRoomRequest, UserIdRequest,
};
use serde::Deserialize;
use uuid::Uuid;

use super::Json;
use super::{Page, no_content};
use crate::auth::AuthUser;
use crate::domain::error::DomainError;
use crate::domain::{moderation, rooms};
use crate::state::AppState;
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
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateRoomRequest>,
) -> Result<HttpResponse, DomainError> {
    let req = body.into_inner();
    let hub = state.hub.clone();
    let room = state
        .commit(move |conn| rooms::create(conn, user.id, req, &hub))
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
pub async fn explore(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ExploreQuery>,
) -> Result<HttpResponse, DomainError> {
    let ExploreQuery { q, limit, before } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let before = before.map(Into::into);
    let list = state
        .db
        .run(move |conn| rooms::explore(conn, user.id, q.as_deref(), before, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Room), (status = 404, body = ApiError)))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    let room = state
        .db
        .run(move |conn| rooms::get(conn, user.id, room_id))
        .await?;
    Ok(HttpResponse::Ok().json(room))
}

#[utoipa::path(patch, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateRoomRequest,
    responses((status = 200, body = Room), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
    body: Json<UpdateRoomRequest>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    let req = body.into_inner();
    let room = state
        .commit(move |conn| rooms::update(conn, user.id, room_id, req))
        .await?;
    Ok(HttpResponse::Ok().json(room))
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    state
        .commit(move |conn| rooms::delete(conn, user.id, room_id))
        .await?;
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/join", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Room), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn join(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    let hub = state.hub.clone();
    let room = state
        .commit(move |conn| rooms::join(conn, user.id, room_id, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(room))
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/leave", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ApiError)))]
pub async fn leave(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    state
        .commit(move |conn| rooms::leave(conn, user.id, room_id))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/members", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path), super::PeoplePage),
    responses((status = 200, body = [Member]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn members(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
    page: web::Query<super::PeoplePage>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    let hub = state.hub.clone();
    let (after, limit) = (page.after(), page.limit());
    let list = state
        .db
        .run(move |conn| rooms::members_of(conn, user.id, room_id, after, limit, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/invites", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UserIdRequest,
    responses((status = 201), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn invite(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
    body: Json<UserIdRequest>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    let invitee = body.user_id;
    let hub = state.hub.clone();
    state
        .commit(move |conn| rooms::invite(conn, user.id, room_id, invitee, &hub))
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "invited": true })))
}

#[utoipa::path(put, path = "/api/v1/rooms/{id}/notification-level", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = NotificationLevelRequest,
    responses((status = 200, body = RoomSummary), (status = 422, body = ApiError)))]
pub async fn notification_level(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
    body: Json<NotificationLevelRequest>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    let level = body.level;
    let summary = state
        .db
        .write(move |conn| rooms::set_notification_level(conn, user.id, room_id, level))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

#[utoipa::path(put, path = "/api/v1/rooms/{id}/members/{user_id}/role", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = RoleRequest,
    responses((status = 200, body = Member), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn set_role(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(RoomId, UserId)>,
    body: Json<RoleRequest>,
) -> Result<HttpResponse, DomainError> {
    let (room_id, target) = path.into_inner();
    let role = body.into_inner().role;
    let hub = state.hub.clone();
    let member = state
        .db
        .write(move |c| moderation::set_role(c, user.id, room_id, target, role, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}/members/{user_id}", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body(content = Option<RemoveMemberRequest>, description = "optional"),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn remove_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(RoomId, UserId)>,
    body: web::Bytes,
) -> Result<HttpResponse, DomainError> {
    let req: RemoveMemberRequest = super::optional_json(&body)?;
    let (room_id, target) = path.into_inner();
    state
        .commit(move |c| moderation::remove_member(c, user.id, room_id, target, req))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}/bans/{user_id}", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn unban(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(RoomId, UserId)>,
) -> Result<HttpResponse, DomainError> {
    let (room_id, target) = path.into_inner();
    state
        .db
        .write(move |c| moderation::unban(c, user.id, room_id, target))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/audit-log", tag = "moderation", security(("bearer" = [])),
    params(("id" = Uuid, Path), Page),
    responses((status = 200, body = [AuditEntry]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn audit_log(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RoomId>,
    page: web::Query<Page>,
) -> Result<HttpResponse, DomainError> {
    let room_id = path.into_inner();
    let (before, limit) = (page.before.map(Into::into), page.limit());
    let hub = state.hub.clone();
    let list = state
        .db
        .run(move |c| moderation::audit_entries(c, user.id, room_id, before, limit, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
