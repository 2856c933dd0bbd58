//! Friends, blocks, direct conversations, notifications and search.

use actix_web::{HttpResponse, web};
use protocol::{
    ApiError, FriendRequest, FriendRequests, Message, Notification, Room, User, UserIdRequest,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{Json, no_content};
use crate::auth::AuthUser;
use crate::domain::error::{DomainError, Race};
use crate::domain::social::{self, RequestOutcome};
use crate::domain::{notifications, search as search_rules};
use crate::state::AppState;
use protocol::{FriendRequestId, NotificationId, UserId};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/friends").route(web::get().to(friends)));
    cfg.service(
        web::resource("/friends/requests")
            .route(web::get().to(requests))
            .route(web::post().to(send_request)),
    );
    cfg.service(web::resource("/friends/requests/{id}").route(web::delete().to(cancel)));
    cfg.service(web::resource("/friends/requests/{id}/accept").route(web::post().to(accept)));
    cfg.service(web::resource("/friends/requests/{id}/decline").route(web::post().to(decline)));
    cfg.service(web::resource("/friends/{user_id}").route(web::delete().to(unfriend)));
    cfg.service(
        web::resource("/blocks")
            .route(web::get().to(blocked))
            .route(web::post().to(block)),
    );
    cfg.service(web::resource("/blocks/{user_id}").route(web::delete().to(unblock)));
    cfg.service(web::resource("/dms").route(web::post().to(open_direct)));
    cfg.service(web::resource("/notifications").route(web::get().to(list_notifications)));
    cfg.service(web::resource("/notifications/read-all").route(web::post().to(read_all)));
    cfg.service(web::resource("/notifications/{id}/read").route(web::post().to(read_one)));
    cfg.service(web::resource("/search/messages").route(web::get().to(search)));
}

#[utoipa::path(get, path = "/api/v1/friends", tag = "friends", security(("bearer" = [])),
    params(super::PeoplePage),
    responses((status = 200, body = [User]), (status = 404, body = ApiError)))]
pub async fn friends(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<super::PeoplePage>,
) -> Result<HttpResponse, DomainError> {
    let hub = state.hub.clone();
    let (after, limit) = (page.after(), page.limit());
    let list = state
        .db
        .run(move |c| social::friends(c, user.id, after, limit, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/friends/requests", tag = "friends", security(("bearer" = [])),
    responses((status = 200, body = FriendRequests)))]
pub async fn requests(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, DomainError> {
    let hub = state.hub.clone();
    let list = state
        .db
        .run(move |c| social::requests(c, user.id, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/friends/requests", tag = "friends", security(("bearer" = [])),
    request_body = UserIdRequest,
    responses((status = 201, body = FriendRequest), (status = 200, body = FriendRequest, description = "they had asked already: now friends"),
        (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn send_request(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<UserIdRequest>,
) -> Result<HttpResponse, DomainError> {
    let target = body.user_id;
    let hub = state.hub.clone();
    let outcome = state
        .commit(move |c| social::send_request(c, user.id, target, &hub))
        .await?;
    Ok(match outcome {
        RequestOutcome::Sent(request) => HttpResponse::Created().json(request),
        RequestOutcome::Befriended(request) => HttpResponse::Ok().json(request),
    })
}

#[utoipa::path(post, path = "/api/v1/friends/requests/{id}/accept", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = User, description = "the new friend"), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn accept(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<FriendRequestId>,
) -> Result<HttpResponse, DomainError> {
    let request = path.into_inner();
    let hub = state.hub.clone();
    let friend = state
        .commit(move |c| social::accept(c, user.id, request, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(friend))
}

#[utoipa::path(post, path = "/api/v1/friends/requests/{id}/decline", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn decline(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<FriendRequestId>,
) -> Result<HttpResponse, DomainError> {
    let request = path.into_inner();
    state
        .db
        .write(move |c| social::decline(c, user.id, request))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/friends/requests/{id}", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn cancel(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<FriendRequestId>,
) -> Result<HttpResponse, DomainError> {
    let request = path.into_inner();
    state
        .db
        .write(move |c| social::cancel(c, user.id, request))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/friends/{user_id}", tag = "friends", security(("bearer" = [])),
    params(("user_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ApiError)))]
pub async fn unfriend(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<UserId>,
) -> Result<HttpResponse, DomainError> {
    let friend = path.into_inner();
    state
        .db
        .write(move |c| social::unfriend(c, user.id, friend))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/blocks", tag = "friends", security(("bearer" = [])),
    responses((status = 200, body = [User])))]
pub async fn blocked(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, DomainError> {
    let list = state
        .db
        .run(move |c| social::blocked_users(c, user.id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/blocks", tag = "friends", security(("bearer" = [])),
    request_body = UserIdRequest,
    responses((status = 204), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn block(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<UserIdRequest>,
) -> Result<HttpResponse, DomainError> {
    let target = body.user_id;
    state
        .db
        .write(move |c| social::block(c, user.id, target))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/blocks/{user_id}", tag = "friends", security(("bearer" = [])),
    params(("user_id" = Uuid, Path)), responses((status = 204)))]
pub async fn unblock(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<UserId>,
) -> Result<HttpResponse, DomainError> {
    let target = path.into_inner();
    state
        .db
        .write(move |c| social::unblock(c, user.id, target))
        .await?;
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/dms", tag = "rooms", security(("bearer" = [])),
    request_body = UserIdRequest,
    responses((status = 201, body = Room), (status = 200, body = Room, description = "the existing conversation"),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn open_direct(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<UserIdRequest>,
) -> Result<HttpResponse, DomainError> {
    let other = body.user_id;
    let attempt = |other: UserId| {
        let hub = state.hub.clone();
        state.commit(move |c| social::open_direct(c, user.id, other, &hub))
    };
    let (room, created) = match attempt(other).await {
        // Two first calls at once: the loser finds the winner's room.
        Err(DomainError::Race(Race::DirectRoom)) => attempt(other).await?,
        result => result?,
    };
    Ok(if created {
        HttpResponse::Created().json(room)
    } else {
        HttpResponse::Ok().json(room)
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct NotificationQuery {
    #[serde(default)]
    pub unread_only: bool,
    pub before: Option<Uuid>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationQuery),
    responses((status = 200, body = [Notification], headers(("X-Unread-Count" = i64, description = "all unread notifications")))))]
pub async fn list_notifications(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<NotificationQuery>,
) -> Result<HttpResponse, DomainError> {
    let NotificationQuery {
        unread_only,
        before,
        limit,
    } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let before = before.map(Into::into);
    let hub = state.hub.clone();
    let (list, unread) = state
        .db
        .run(move |c| notifications::list(c, user.id, unread_only, before, limit, &hub))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("X-Unread-Count", unread.to_string()))
        .json(list))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = ApiError)))]
pub async fn read_one(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<NotificationId>,
) -> Result<HttpResponse, DomainError> {
    let id = path.into_inner();
    state
        .db
        .write(move |c| notifications::mark_read(c, user.id, id))
        .await?;
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn read_all(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, DomainError> {
    state
        .db
        .write(move |c| notifications::mark_all_read(c, user.id))
        .await?;
    Ok(no_content())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words to find (all of them); operators are not interpreted.
    pub q: Option<String>,
    pub room_id: Option<Uuid>,
    pub before: Option<Uuid>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/search/messages", tag = "messages", security(("bearer" = [])),
    params(SearchQuery), responses((status = 200, body = [Message]), (status = 422, body = ApiError)))]
pub async fn search(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, DomainError> {
    let SearchQuery {
        q,
        room_id,
        before,
        limit,
    } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let (room, before) = (room_id.map(Into::into), before.map(Into::into));
    let list = state
        .db
        .run(move |c| {
            search_rules::search(c, user.id, q.as_deref().unwrap_or(""), room, before, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
