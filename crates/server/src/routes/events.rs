//! `/events`: the live events for clients without a WebSocket. A client
//! registers a queue, then polls it; each poll names the last event it has
//! and is held until there is something newer (or the wait is over).

use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use protocol::{ApiError, BotScope, EventQueueId};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use uuid::Uuid;

use super::caller::{Caller, Reply};
use super::no_content;
use crate::polling;
use crate::request::Needs;
use domain::error::DomainError;
use domain::event_queues;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Following events is reading, whatever the method.
    let read = || Needs::Scope(BotScope::Read);
    cfg.service(
        web::resource("/events/register")
            .app_data(read())
            .route(web::post().to(register)),
    );
    cfg.service(web::resource("/events").route(web::get().to(poll)));
    cfg.service(
        web::resource("/events/{queue_id}")
            .app_data(read())
            .route(web::delete().to(remove)),
    );
}

/// A new queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventQueue {
    pub queue_id: EventQueueId,
    /// Name this in the first poll: nothing has been read yet.
    pub last_event_id: i64,
}

/// What one poll answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Events {
    pub queue_id: EventQueueId,
    /// Oldest first, ids counting up by one: a jump means a lost answer
    /// (poll again naming the last id you have).
    pub events: Vec<QueuedEvent>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuedEvent {
    pub id: i64,
    /// A frame exactly as the socket sends it (`ready`, `message`,
    /// `typing`…, see API.md).
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PollQuery {
    pub queue_id: Uuid,
    /// The id of the newest event you have (0 before the first); it and
    /// every one before it are acknowledged and deleted.
    #[param(minimum = 0)]
    pub last_event_id: i64,
    /// How long to wait for an event, in seconds (default and most 50; the
    /// server may answer sooner with none).
    #[param(minimum = 0, maximum = 50)]
    pub timeout: Option<u64>,
}

#[utoipa::path(post, path = "/api/v1/events/register", tag = "events", security(("bearer" = [])),
    responses((status = 201, body = EventQueue,
        description = "a queue for this session; its first event is `ready`. A person keeps 10: an 11th drops the oldest")))]
pub async fn register(caller: Caller) -> Reply {
    let queue = caller
        .write(move |conn, me| event_queues::register(conn, me.id, me.session_id))
        .await?;
    let state = caller.state.clone().into_inner();
    polling::ensure_fed(&state, &queue).await?;
    Ok(HttpResponse::Created().json(EventQueue {
        queue_id: queue.id,
        last_event_id: 0,
    }))
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events", security(("bearer" = [])),
    params(PollQuery),
    responses((status = 200, body = Events, description = "the events after `last_event_id`, or none once the wait is over"),
        (status = 404, body = ApiError, description = "no such queue of yours (it expired after 10 minutes unpolled: register again)"),
        (status = 409, body = ApiError, description = "events after `last_event_id` are gone: register again"),
        (status = 422, body = ApiError, description = "`last_event_id` is ahead of the queue")))]
pub async fn poll(caller: Caller, query: Result<web::Query<PollQuery>, actix_web::Error>) -> Reply {
    // A bad query is told only to a signed-in caller: without a live token
    // the answer is 401 whatever else is wrong.
    let PollQuery {
        queue_id,
        last_event_id,
        timeout,
    } = query
        .map_err(|e| DomainError::BadRequest(e.to_string()))?
        .into_inner();
    let id = EventQueueId::from(queue_id);
    let most = caller.state.settings.long_poll_max_secs;
    let deadline = Instant::now() + Duration::from_secs(timeout.unwrap_or(most).min(most));
    let state: Arc<_> = caller.state.clone().into_inner();
    let queue = caller
        .read(move |conn, me| event_queues::owned(conn, me.id, id))
        .await?;
    loop {
        let wake = polling::ensure_fed(&state, &queue).await?;
        // Listening before reading: an event stored in between still wakes
        // this poll.
        let woken = wake.as_ref().map(|wake| wake.notified());
        tokio::pin!(woken);
        if let Some(woken) = woken.as_mut().as_pin_mut() {
            woken.enable();
        }
        let batch = caller
            .write(move |conn, me| event_queues::poll(conn, me.id, id, last_event_id))
            .await?;
        if !batch.events.is_empty() || Instant::now() >= deadline {
            return answer(id, batch);
        }
        match woken.as_pin_mut() {
            Some(woken) => {
                let _ = tokio::time::timeout_at(deadline, woken).await;
            }
            // Fed by another node: read the table again in a moment.
            None => {
                tokio::time::sleep_until(deadline.min(Instant::now() + Duration::from_secs(1)))
                    .await;
            }
        }
    }
}

fn answer(queue_id: EventQueueId, batch: event_queues::Batch) -> Reply {
    let events = batch
        .events
        .into_iter()
        .map(|(id, frame)| {
            serde_json::from_str(&frame)
                .map(|event| QueuedEvent { id, event })
                .map_err(|e| DomainError::internal(format!("a queued frame: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Events { queue_id, events }))
}

#[utoipa::path(delete, path = "/api/v1/events/{queue_id}", tag = "events", security(("bearer" = [])),
    params(("queue_id" = Uuid, Path)),
    responses((status = 204, description = "the queue and its events are gone")))]
pub async fn remove(caller: Caller, queue_id: web::Path<EventQueueId>) -> Reply {
    let id = queue_id.into_inner();
    caller
        .write(move |conn, me| event_queues::remove(conn, me.id, id))
        .await?;
    Ok(no_content())
}
