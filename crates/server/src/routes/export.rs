//! Exports, streamed: `GET /users/me/export` (everything of mine) and
//! `GET /rooms/{id}/export` (a room's history, for its owner). The head is
//! read before the answer starts, so a refusal is an ordinary error; the
//! messages follow a page at a time.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use bytes::Bytes;
use futures_util::Stream;
use futures_util::stream;
use protocol::{ApiError, Message, MessageId, RoomId};

use super::caller::{Caller, Reply};
use super::served;
use crate::state::AppState;
use domain::DbConn;
use domain::error::{DomainError, DomainResult};
use domain::export;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/users/me/export").route(web::get().to(account)));
    cfg.service(web::resource("/rooms/{id}/export").route(web::get().to(room)));
}

#[utoipa::path(get, path = "/api/v1/users/me/export", tag = "users", security(("bearer" = [])),
    responses((status = 200, content_type = "application/json", body = Object,
        description = "{format, exported_at, profile, friends, rooms, messages}: every message I wrote, oldest first, streamed")))]
pub async fn account(caller: Caller) -> Reply {
    let head = caller
        .read(move |conn, me| export::account(conn, me.id, &me.hub))
        .await?;
    let name = format!("themechat-{}.json", head.profile.user.username);
    let user = caller.user.id;
    let pages = move |conn: &mut DbConn, after| export::account_messages(conn, user, after);
    Ok(download(
        &name,
        export::opening(&head)?,
        caller.state,
        pages,
    ))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}/export", tag = "rooms", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/json", body = Object,
            description = "{format, exported_at, room, messages}: the whole history, oldest first, streamed"),
        (status = 403, body = ApiError, description = "not the owner (of a group), or not a member"),
        (status = 404, body = ApiError)))]
pub async fn room(caller: Caller, room: web::Path<RoomId>) -> Reply {
    let room = room.into_inner();
    let head = caller
        .read(move |conn, me| export::room(conn, me.id, room))
        .await?;
    let name = format!("themechat-room-{room}.json");
    let pages = move |conn: &mut DbConn, after| export::room_messages(conn, room, after);
    Ok(download(
        &name,
        export::opening(&head)?,
        caller.state,
        pages,
    ))
}

/// A JSON download: `opening`, then every page of messages `next` gives
/// (each after the last one of the page before), then the closing.
fn download<F>(name: &str, opening: Vec<u8>, state: web::Data<AppState>, next: F) -> HttpResponse
where
    F: Fn(&mut DbConn, Option<MessageId>) -> DomainResult<Vec<Message>> + Clone + Send + 'static,
{
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header(served::disposition(name, false))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(pages(opening, state, next))
}

enum Step {
    Open(Vec<u8>),
    Page {
        after: Option<MessageId>,
        first: bool,
    },
    Done,
}

fn pages<F>(
    opening: Vec<u8>,
    state: web::Data<AppState>,
    next: F,
) -> impl Stream<Item = Result<Bytes, DomainError>>
where
    F: Fn(&mut DbConn, Option<MessageId>) -> DomainResult<Vec<Message>> + Clone + Send + 'static,
{
    stream::unfold(Step::Open(opening), move |step| {
        let (state, next) = (state.clone(), next.clone());
        async move {
            match step {
                Step::Open(opening) => Some((
                    Ok(Bytes::from(opening)),
                    Step::Page {
                        after: None,
                        first: true,
                    },
                )),
                Step::Page { after, first } => {
                    match state.db.run(move |conn| next(conn, after)).await {
                        Err(e) => {
                            // The answer has begun: all that is left is to
                            // end it short (the JSON stays unfinished).
                            tracing::warn!(error = %e, "an export failed midway");
                            Some((Err(e), Step::Done))
                        }
                        Ok(page) if page.is_empty() => {
                            Some((Ok(Bytes::from_static(export::CLOSING)), Step::Done))
                        }
                        Ok(page) => {
                            let last = page.last().map(|m| m.id);
                            Some((
                                write_page(&page, first),
                                Step::Page {
                                    after: last,
                                    first: false,
                                },
                            ))
                        }
                    }
                }
                Step::Done => None,
            }
        }
    })
}

/// Messages as the next items of the JSON array.
fn write_page(page: &[Message], first: bool) -> Result<Bytes, DomainError> {
    let mut out = Vec::with_capacity(page.len() * 256);
    for (i, message) in page.iter().enumerate() {
        if !(first && i == 0) {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, message)
            .map_err(|e| DomainError::internal(format!("writing an export: {e}")))?;
    }
    Ok(out.into())
}
