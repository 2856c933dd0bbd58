//! On a Redis-connected node: keeps this node's presence lease alive and
//! announces the users of nodes that died without saying goodbye as
//! offline (see `delivery::bus`).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::delivery::presence::announce;
use crate::state::AppState;

pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    let lease = Duration::from_secs(state.settings.presence_lease_secs.max(1));
    super::every(stop, lease / 3, || async {
        if let Err(e) = state.bus.renew_lease(lease).await {
            tracing::warn!(error = %e, "cannot renew this node's presence lease");
            return;
        }
        match state.bus.reap_dead_nodes().await {
            Ok(gone) => {
                for user in gone {
                    announce(&state.db, &state.bus, state.settings.crowd(), user, false).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot check for dead nodes"),
        }
    })
    .await;
}
