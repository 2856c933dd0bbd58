//! Removes the event queues of long-poll clients that stopped asking
//! (`event_queue_idle_secs`).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::state::AppState;
use domain::event_queues;

const EVERY: Duration = Duration::from_secs(60);

pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    let idle = chrono::Duration::seconds(state.settings.event_queue_idle_secs.max(1) as i64);
    super::every(stop, EVERY, || async {
        match state
            .db
            .write(move |c| event_queues::sweep_idle(c, idle))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::debug!(queues = n, "idle event queues removed"),
            Err(e) => tracing::warn!(error = %e, "cannot sweep event queues"),
        }
    })
    .await;
}
