//! The backstop of live state against storage, run every few seconds on
//! each node.
//!
//! - Sockets never outlive their session. A revocation closes them at once
//!   (see [`AppState::end_sessions`]); the sweep catches what no event
//!   announces (a session that simply expired) and revocations lost with a
//!   Redis outage.
//! - A socket follows exactly its user's rooms. Joins and departures are
//!   applied from their events; the sweep repairs what a lost event (or a
//!   race with one) left wrong.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::state::AppState;
use domain::live;
use protocol::{SessionId, UserId};

/// Sweeps every `session_check_secs` until `stop`.
pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    let every = Duration::from_secs(state.settings.session_check_secs.max(1));
    super::every(stop, every, || async {
        sweep_once(&state).await;
        reconcile_rooms(&state).await;
    })
    .await;
}

/// Makes every local socket follow exactly its user's rooms.
pub async fn reconcile_rooms(state: &AppState) {
    // Taken before storage is read: see `Hub::reconcile`.
    let before = state.hub.follows_snapshot();
    if before.is_empty() {
        return;
    }
    let users: HashSet<UserId> = before.values().map(|(user, _)| *user).collect();
    let memberships = state
        .db
        .run(move |conn| live::memberships(conn, &users))
        .await;
    let memberships = match memberships {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read memberships to reconcile sockets");
            return;
        }
    };
    let none = HashMap::new();
    for (conn, (user, rooms)) in &before {
        let members_of = memberships.get(user).unwrap_or(&none);
        state.hub.reconcile(*conn, rooms, members_of);
    }
}

/// Closes this node's sockets whose session is no longer live.
pub async fn sweep_once(state: &AppState) {
    let open = state.hub.local_sessions();
    if open.is_empty() {
        return;
    }
    let asked: HashSet<SessionId> = open.iter().copied().collect();
    let live = state
        .db
        .run(move |conn| live::live_sessions(conn, &asked))
        .await;
    let live: HashSet<SessionId> = match live {
        Ok(live) => live,
        Err(e) => {
            // Storage away: nobody is cut off for that.
            tracing::warn!(error = %e, "cannot check the sessions of open sockets");
            return;
        }
    };
    let ended: HashSet<SessionId> = open.into_iter().filter(|s| !live.contains(s)).collect();
    if !ended.is_empty() {
        let closed = state.hub.close_sessions(&ended);
        tracing::info!(closed, "closed sockets whose session ended");
    }
}
