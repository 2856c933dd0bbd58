//! Writes the read markers live connections reported, a few times a second
//! (see [`domain::read_markers`]), and announces those that moved;
//! once more when the node stops, so what was reported is never lost.

use std::sync::Arc;
use std::time::Duration;

use protocol::ServerEvent;

use tokio_util::sync::CancellationToken;

use crate::delivery::hub::frame_of;
use crate::state::AppState;
use domain::read_markers::{self, PendingRead};

/// Flushes every `read_flush_ms` (how long a reported marker may wait in
/// memory, and the longest a `read` event lags behind its report) until
/// `stop`, then writes what is left.
pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    let every = Duration::from_millis(state.settings.read_flush_ms.max(1));
    super::every(stop, every, || flush_once(&state)).await;
    flush_once(&state).await;
}

/// One flush: everything reported so far, in one transaction.
pub async fn flush_once(state: &AppState) {
    let reads = state.reads.take();
    if reads.is_empty() {
        return;
    }
    let batch = reads.clone();
    let crowd = state.settings.crowd();
    let result = state
        .db
        .write(move |conn| read_markers::flush(conn, &batch, crowd))
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
