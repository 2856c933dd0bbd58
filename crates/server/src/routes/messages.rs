//! Messages over REST: history, posting, editing, deleting, threads and
//! read markers. Every change is also pushed live, exactly as over the socket.

use actix_web::{HttpResponse, web};
use protocol::{
    ApiError, EditMessageRequest, Message, MessageVersion, PostMessageRequest, Reaction,
    ReadMarker, ReadRequest, Thread,
};

use serde::Deserialize;

use super::Json;
use super::caller::{Caller, Reply};
use super::{Page, no_content};
use domain::messages::{self, Draft};
use domain::reactions;
use protocol::{MessageId, RoomId, VersionId};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/rooms/{id}/messages")
            .route(web::get().to(history))
            .route(web::post().to(post)),
    );
    cfg.service(
        web::resource("/rooms/{id}/messages/first-unread").route(web::get().to(first_unread)),
    );
    cfg.service(web::resource("/rooms/{id}/messages/preview").route(web::get().to(preview)));
    cfg.service(web::resource("/rooms/{id}/read").route(web::post().to(mark_read)));
    cfg.service(web::resource("/rooms/{id}/read-markers").route(web::get().to(read_markers)));
    cfg.service(
        web::resource("/messages/{id}")
            .route(web::patch().to(edit))
            .route(web::delete().to(delete)),
    );
    cfg.service(web::resource("/messages/{id}/thread").route(web::get().to(thread)));
    cfg.service(web::resource("/messages/{id}/context").route(web::get().to(context)));
    cfg.service(web::resource("/messages/{id}/edits").route(web::get().to(edits)));
    cfg.service(
        web::resource("/messages/{id}/reactions/{emoji}")
            .route(web::put().to(react))
            .route(web::delete().to(unreact)),
    );
}

/// `?limit=&after=<version id>` for a message's earlier versions.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VersionsPage {
    /// At most this many versions (default 50, most 200).
    pub limit: Option<i64>,
    /// Only versions replaced after this one (the `id` of the last version
    /// of the previous page).
    pub after: Option<uuid::Uuid>,
}

#[utoipa::path(get, path = "/api/v1/messages/{id}/edits", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), VersionsPage),
    responses((status = 200, body = [MessageVersion], description = "a page of earlier versions, oldest first"),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError, description = "no such message, a deleted one, or `after` is no version of it")))]
pub async fn edits(
    caller: Caller,
    message_id: web::Path<MessageId>,
    page: web::Query<VersionsPage>,
) -> Reply {
    let (after, limit) = (
        page.after.map(VersionId::from_uuid),
        protocol::limits::page_size(page.limit),
    );
    let versions = caller
        .read(move |conn, me| messages::versions(conn, me.id, *message_id, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(versions))
}

#[utoipa::path(put, path = "/api/v1/messages/{id}/reactions/{emoji}", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("emoji" = String, Path, description = "one emoji, percent-encoded")),
    responses((status = 200, body = [Reaction], description = "the message's reactions after the change"),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError),
        (status = 429, body = ApiError, description = "flood limit (shared with sending); see Retry-After")))]
pub async fn react(caller: Caller, path: web::Path<(MessageId, String)>) -> Reply {
    change_reaction(caller, path.into_inner(), true).await
}

#[utoipa::path(delete, path = "/api/v1/messages/{id}/reactions/{emoji}", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("emoji" = String, Path, description = "one emoji, percent-encoded")),
    responses((status = 200, body = [Reaction], description = "the message's reactions after the change"),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError),
        (status = 429, body = ApiError, description = "flood limit (shared with sending); see Retry-After")))]
pub async fn unreact(caller: Caller, path: web::Path<(MessageId, String)>) -> Reply {
    change_reaction(caller, path.into_inner(), false).await
}

async fn change_reaction(
    caller: Caller,
    (message, emoji): (MessageId, String),
    add: bool,
) -> Reply {
    caller.state.limiter.check(&caller.user.id)?;
    let list = caller
        .commit(move |conn, me| reactions::react(conn, me.id, message, &emoji, add))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), Page),
    responses((status = 200, body = [Message]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn history(caller: Caller, room_id: web::Path<RoomId>, page: web::Query<Page>) -> Reply {
    let (before, after, limit) = (
        page.before.map(Into::into),
        page.after.map(Into::into),
        page.limit(),
    );
    let list = caller
        .read(move |conn, me| messages::history(conn, me.id, *room_id, before, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = PostMessageRequest,
    responses((status = 201, body = Message), (status = 200, body = Message, description = "client_id seen before: the original"),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError),
        (status = 429, body = ApiError, description = "flood limit, or the message writers are full; see Retry-After")))]
pub async fn post(
    caller: Caller,
    path: web::Path<RoomId>,
    body: Json<PostMessageRequest>,
) -> Reply {
    caller.state.limiter.check(&caller.user.id)?;
    let req = body.into_inner();
    let draft = Draft::parse(
        &req.body,
        req.client_id.as_deref(),
        req.reply_to,
        req.attachments,
        &caller.state.profanity,
    )?;
    let posted = caller
        .state
        .poster
        .submit(caller.user.id, path.into_inner(), draft, None)
        .await?;
    let mut response = if posted.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(posted.message))
}

#[utoipa::path(patch, path = "/api/v1/messages/{id}", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = EditMessageRequest,
    responses((status = 200, body = Message), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 429, body = ApiError, description = "edit flood limit (10 a minute unless configured); see Retry-After")))]
pub async fn edit(
    caller: Caller,
    message_id: web::Path<MessageId>,
    body: Json<EditMessageRequest>,
) -> Reply {
    caller.state.edit_limiter.check(&caller.user.id)?;
    let body = body.into_inner().body;
    let filter = caller.state.profanity.clone();
    let message = caller
        .commit(move |conn, me| messages::edit(conn, me.id, *message_id, &body, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(message))
}

#[utoipa::path(delete, path = "/api/v1/messages/{id}", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn delete(caller: Caller, message_id: web::Path<MessageId>) -> Reply {
    caller
        .commit(move |conn, me| messages::delete(conn, me.id, *message_id))
        .await?;
    Ok(no_content())
}

/// `?limit=` for the page around a message.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ContextQuery {
    /// At most this many messages, the one asked for included (default 50,
    /// most 200).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/messages/{id}/context", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), ContextQuery),
    responses((status = 200, body = [Message], description = "the page around the message, oldest first: \
        (limit - 1) / 2 older ones, the message, the rest newer (more of one side where the other runs out)"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn context(
    caller: Caller,
    id: web::Path<MessageId>,
    query: web::Query<ContextQuery>,
) -> Reply {
    let limit = protocol::limits::page_size(query.limit);
    let page = caller
        .read(move |conn, me| messages::context(conn, me.id, *id, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/messages/first-unread", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), ContextQuery),
    responses((status = 200, body = [Message], description = "where the caller's unread messages start, oldest first: \
        the page around the first message after their read marker (the room's first message when they have none), \
        (limit - 1) / 2 older ones for context; the newest page when nothing is unread"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn first_unread(
    caller: Caller,
    room_id: web::Path<RoomId>,
    query: web::Query<ContextQuery>,
) -> Reply {
    let limit = protocol::limits::page_size(query.limit);
    let page = caller
        .read(move |conn, me| messages::first_unread_page(conn, me.id, *room_id, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/messages/preview", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), ContextQuery),
    responses((status = 200, body = [Message], description = "the room's newest messages, oldest first: \
        a look at a public room before joining it (members get the same); older history stays members' only"),
        (status = 403, body = ApiError, description = "`banned` from the room, or `insufficient_scope`"),
        (status = 404, body = ApiError, description = "no such room, or a private one the caller is not in")))]
pub async fn preview(
    caller: Caller,
    room_id: web::Path<RoomId>,
    query: web::Query<ContextQuery>,
) -> Reply {
    let limit = protocol::limits::page_size(query.limit);
    let page = caller
        .read(move |conn, me| messages::preview(conn, me.id, *room_id, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/messages/{id}/thread", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Thread), (status = 404, body = ApiError)))]
pub async fn thread(caller: Caller, message_id: web::Path<MessageId>) -> Reply {
    let thread = caller
        .read(move |conn, me| messages::thread(conn, me.id, *message_id))
        .await?;
    Ok(HttpResponse::Ok().json(thread))
}

#[utoipa::path(post, path = "/api/v1/rooms/{id}/read", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ReadRequest,
    responses((status = 204), (status = 403, body = ApiError, description = "not a member of the room"), (status = 404, body = ApiError)))]
pub async fn mark_read(
    caller: Caller,
    room_id: web::Path<RoomId>,
    body: Json<ReadRequest>,
) -> Reply {
    let message_id = body.message_id;
    let crowd = caller.state.settings.crowd();
    caller
        .commit(move |conn, me| messages::mark_read(conn, me.id, *room_id, message_id, crowd))
        .await?;
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/read-markers", tag = "messages", security(("bearer" = [])),
    params(("id" = Uuid, Path), super::PeoplePage),
    responses((status = 200, body = [ReadMarker]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn read_markers(
    caller: Caller,
    room_id: web::Path<RoomId>,
    page: web::Query<super::PeoplePage>,
) -> Reply {
    let (after, limit) = (page.after(), page.limit());
    let list = caller
        .read(move |conn, me| messages::read_markers(conn, me.id, *room_id, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
