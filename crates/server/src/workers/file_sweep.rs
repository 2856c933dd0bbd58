//! Removes the bytes of files nobody can reach any more (those of deleted
//! messages, uploads never sent, photos removed or of deleted accounts),
//! then their rows, every `file_sweep_secs` on each node.
//!
//! Bytes go before rows: a sweep cut short leaves a row whose bytes may be
//! gone, which the next sweep (on any node) finishes, never bytes that no
//! row names.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::files::Blob;
use crate::state::AppState;
use domain::error::DomainError;
use domain::{attachments, photos};

/// Files handled per round; a longer backlog takes several rounds in a row.
const ROUND: i64 = 100;

/// Sweeps every `file_sweep_secs` until `stop`.
pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    let every = Duration::from_secs(state.settings.file_sweep_secs);
    super::every(stop.clone(), every, || async {
        // A full round means more may be waiting: go on at once (unless
        // the node is stopping: the next node's sweep finishes it).
        while !stop.is_cancelled()
            && let Ok(true) = sweep_once(&state).await.inspect_err(|e| {
                tracing::warn!(error = %e, "the file sweep failed; trying again later");
            })
        {}
    })
    .await;
}

/// One round over attachments and photos; true when a round was full.
pub async fn sweep_once(state: &AppState) -> Result<bool, DomainError> {
    let attachments = sweep_attachments(state).await?;
    let photos = sweep_photos(state).await?;
    Ok(attachments == ROUND as usize || photos == ROUND as usize)
}

async fn sweep_attachments(state: &AppState) -> Result<usize, DomainError> {
    let unsent_for = chrono::Duration::seconds(state.settings.unsent_upload_ttl_secs as i64);
    let ids = state
        .db
        .run(move |conn| attachments::unreachable(conn, unsent_for, ROUND))
        .await?;
    let gone = remove_bytes(state, ids, |id| [Blob::Thumbnail(id), Blob::Attachment(id)]).await;
    let count = gone.len();
    if !gone.is_empty() {
        state
            .db
            .write(move |conn| attachments::forget(conn, &gone))
            .await?;
    }
    Ok(count)
}

async fn sweep_photos(state: &AppState) -> Result<usize, DomainError> {
    let ids = state
        .db
        .run(move |conn| photos::unreachable(conn, ROUND))
        .await?;
    let gone = remove_bytes(state, ids, |id| [Blob::PhotoThumbnail(id), Blob::Photo(id)]).await;
    let count = gone.len();
    if !gone.is_empty() {
        state
            .db
            .write(move |conn| photos::forget(conn, &gone))
            .await?;
    }
    Ok(count)
}

/// Removes each item's files; answers the items whose files are all gone.
async fn remove_bytes<T: Copy + std::fmt::Display>(
    state: &AppState,
    items: Vec<T>,
    blobs: impl Fn(T) -> [Blob; 2],
) -> Vec<T> {
    let mut gone = Vec::with_capacity(items.len());
    for item in items {
        let mut all = true;
        for blob in blobs(item) {
            if let Err(e) = state.files.delete(blob).await {
                tracing::warn!(%item, error = %e, "cannot remove a file; kept for later");
                all = false;
                break;
            }
        }
        if all {
            gone.push(item);
        }
    }
    gone
}
