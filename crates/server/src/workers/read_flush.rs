//! Writes the read markers live connections reported, a few times a second
//! (see [`crate::domain::read_markers`]), and announces those that moved.

use std::sync::Arc;
use std::time::Duration;

use protocol::ServerEvent;

use super::hub::frame_of;
use crate::domain::read_markers::{self, PendingRead};
use crate::state::AppState;

/// How long a reported marker may wait in memory. Also the longest a `read`
/// event lags behind the report that caused it.
pub const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// Runs for the life of the server.
pub async fn run(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        flush_once(&state).await;
    }
}

/// One flush: everything reported so far, in one transaction.
pub async fn flush_once(state: &AppState) {
    let reads = state.reads.take();
    if reads.is_empty() {
        return;
    }
    let batch = reads.clone();
    let result = state
        .db
        .write(move |conn| read_markers::flush(conn, &batch))
        .await;
    match result {
        Ok(flushed) => {
            for (event, origin) in flushed.events {
                state.publish(vec![event], origin);
            }
            for read in flushed.unknown {
                refuse(state, &read);
            }
        }
        Err(e) => {
            // Kept for the next flush: a report is never dropped for a
            // passing storage error.
            tracing::warn!(error = %e, reads = reads.len(), "cannot store read markers; retrying");
            for read in reads {
                state
                    .reads
                    .report(read.room_id, read.user_id, read.message_id, read.origin);
            }
        }
    }
}

fn refuse(state: &AppState, read: &PendingRead) {
    let Some(origin) = read.origin.filter(|o| o.node == state.hub.node()) else {
        return;
    };
    let error = ServerEvent::error(protocol::ErrorCode::NotFound, "message not found", None);
    if let Some(frame) = frame_of(&error) {
        state.hub.send_to(origin.conn, frame);
    }
}
