//! Forgets the rate-limit and sign-in throttle entries of addresses and
//! users gone quiet, so the limiters hold only the active ones.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(60);

pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    super::every(stop, EVERY, || async {
        state.limiter.forget_idle();
        state.edit_limiter.forget_idle();
        state.upload_limiter.forget_idle();
        state.auth_throttle.forget_idle();
    })
    .await;
}
