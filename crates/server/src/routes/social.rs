//! Friends, blocks, direct conversations, notifications and search.

use actix_web::{HttpResponse, web};
use protocol::{
    ApiError, FriendRequest, FriendRequests, Message, Notification, Room, User, UserIdRequest,
};
use serde::Deserialize;
use uuid::Uuid;

use super::caller::{Caller, Reply};
use super::{Json, no_content};
use domain::error::{DomainError, Race};
use domain::social::{self, RequestOutcome};
use domain::{notifications, search as search_rules};
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
pub async fn friends(caller: Caller, page: web::Query<super::PeoplePage>) -> Reply {
    let (after, limit) = (page.after(), page.limit());
    let list = caller
        .read(move |c, me| social::friends(c, me.id, after, limit, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/friends/requests", tag = "friends", security(("bearer" = [])),
    responses((status = 200, body = FriendRequests)))]
pub async fn requests(caller: Caller) -> Reply {
    let list = caller
        .read(move |c, me| social::requests(c, me.id, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/friends/requests", tag = "friends", security(("bearer" = [])),
    request_body = UserIdRequest,
    responses((status = 201, body = FriendRequest), (status = 200, body = FriendRequest, description = "they had asked already: now friends"),
        (status = 403, body = ApiError), (status = 404, body = ApiError, description = "no such user"),
        (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn send_request(caller: Caller, body: Json<UserIdRequest>) -> Reply {
    let target = body.user_id;
    let outcome = caller
        .commit(move |c, me| social::send_request(c, me.id, target, &me.hub))
        .await?;
    Ok(match outcome {
        RequestOutcome::Sent(request) => HttpResponse::Created().json(request),
        RequestOutcome::Befriended(request) => HttpResponse::Ok().json(request),
    })
}

#[utoipa::path(post, path = "/api/v1/friends/requests/{id}/accept", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = User, description = "the new friend"), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn accept(caller: Caller, request: web::Path<FriendRequestId>) -> Reply {
    let friend = caller
        .commit(move |c, me| social::accept(c, me.id, *request, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(friend))
}

#[utoipa::path(post, path = "/api/v1/friends/requests/{id}/decline", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn decline(caller: Caller, request: web::Path<FriendRequestId>) -> Reply {
    caller
        .write(move |c, me| social::decline(c, me.id, *request))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/friends/requests/{id}", tag = "friends", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn cancel(caller: Caller, request: web::Path<FriendRequestId>) -> Reply {
    caller
        .write(move |c, me| social::cancel(c, me.id, *request))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/friends/{user_id}", tag = "friends", security(("bearer" = [])),
    params(("user_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ApiError)))]
pub async fn unfriend(caller: Caller, friend: web::Path<UserId>) -> Reply {
    caller
        .write(move |c, me| social::unfriend(c, me.id, *friend))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/blocks", tag = "friends", security(("bearer" = [])),
    responses((status = 200, body = [User])))]
pub async fn blocked(caller: Caller) -> Reply {
    let list = caller
        .read(move |c, me| social::blocked_users(c, me.id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/blocks", tag = "friends", security(("bearer" = [])),
    request_body = UserIdRequest,
    responses((status = 204), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn block(caller: Caller, body: Json<UserIdRequest>) -> Reply {
    let target = body.user_id;
    caller
        .write(move |c, me| social::block(c, me.id, target))
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/blocks/{user_id}", tag = "friends", security(("bearer" = [])),
    params(("user_id" = Uuid, Path)), responses((status = 204)))]
pub async fn unblock(caller: Caller, target: web::Path<UserId>) -> Reply {
    caller
        .write(move |c, me| social::unblock(c, me.id, *target))
        .await?;
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/dms", tag = "rooms", security(("bearer" = [])),
    request_body = UserIdRequest,
    responses((status = 201, body = Room), (status = 200, body = Room, description = "the existing conversation"),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn open_direct(caller: Caller, body: Json<UserIdRequest>) -> Reply {
    let other = body.user_id;
    let attempt =
        |other: UserId| caller.commit(move |c, me| social::open_direct(c, me.id, other, &me.hub));
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
pub async fn list_notifications(caller: Caller, query: web::Query<NotificationQuery>) -> Reply {
    let NotificationQuery {
        unread_only,
        before,
        limit,
    } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let before = before.map(Into::into);
    let (list, unread) = caller
        .read(move |c, me| notifications::list(c, me.id, unread_only, before, limit, &me.hub))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("X-Unread-Count", unread.to_string()))
        .json(list))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = ApiError)))]
pub async fn read_one(caller: Caller, id: web::Path<NotificationId>) -> Reply {
    caller
        .write(move |c, me| notifications::mark_read(c, me.id, *id))
        .await?;
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn read_all(caller: Caller) -> Reply {
    caller
        .write(move |c, me| notifications::mark_all_read(c, me.id))
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
    params(SearchQuery), responses((status = 200, body = [Message]),
        (status = 403, body = ApiError, description = "`room_id` names a public room you are not in (`not_a_member`)"),
        (status = 404, body = ApiError, description = "`room_id` names no room you may see"),
        (status = 422, body = ApiError)))]
pub async fn search(caller: Caller, query: web::Query<SearchQuery>) -> Reply {
    let SearchQuery {
        q,
        room_id,
        before,
        limit,
    } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let (room, before) = (room_id.map(Into::into), before.map(Into::into));
    let list = caller
        .read(move |c, me| {
            search_rules::search(c, me.id, q.as_deref().unwrap_or(""), room, before, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
