//! A socket's registration on its node, released by `Drop`.

use std::sync::Arc;

use crate::delivery::ConnId;
use crate::delivery::hub::ConnHandle;
use crate::request::AuthUser;
use crate::state::AppState;
use protocol::UserId;

/// A socket's place on this node: its entry in the hub, its count in the
/// connections gauge and its share of its user's presence. Dropping it
/// gives all three back, however the connection ends (an error, a closed
/// socket, a panic in its task): a leaked entry would keep the user
/// "online" across the cluster.
pub(super) struct Registration {
    state: Arc<AppState>,
    pub(super) id: ConnId,
    user: UserId,
}

impl Registration {
    pub(super) async fn open(state: &Arc<AppState>, user: &AuthUser, handle: ConnHandle) -> Self {
        let (id, first_here) = state.hub.register(user.id, user.session_id, &[], handle);
        state.metrics.ws_connections.inc();
        let registration = Self {
            state: state.clone(),
            id,
            user: user.id,
        };
        if state.bus.connection_opened(user.id, first_here).await {
            crate::delivery::presence::announce(
                &state.db,
                &state.bus,
                state.settings.crowd(),
                user.id,
                true,
            )
            .await;
        }
        registration
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let last_here = self.state.hub.unregister(self.id);
        self.state.metrics.ws_connections.dec();
        // Counting out and announcing talk to Redis and storage, which a
        // destructor cannot await: a task of their own does it. Without a
        // runtime (the node is shutting down) there is nobody to tell.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (state, user) = (self.state.clone(), self.user);
        runtime.spawn(async move {
            if state.bus.connection_closed(user, last_here).await {
                crate::delivery::presence::announce(
                    &state.db,
                    &state.bus,
                    state.settings.crowd(),
                    user,
                    false,
                )
                .await;
            }
        });
    }
}
