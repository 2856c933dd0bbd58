//! Files stored ahead of the row that makes them count.

use super::{Blob, FileStore};

/// Files just put in the store, removed again when this is dropped unless
/// [`keep`](Self::keep) was called: an upload whose row never committed
/// (an error, a lost right, a client gone) leaves no bytes behind.
#[must_use = "dropping it removes the files; call keep() once they count"]
pub struct Pending {
    store: FileStore,
    blobs: Vec<Blob>,
}

impl Pending {
    pub(super) fn new(store: FileStore) -> Self {
        Self {
            store,
            blobs: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, blob: Blob) {
        self.blobs.push(blob);
    }

    /// The files count now: they stay.
    pub fn keep(mut self) {
        self.blobs.clear();
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.blobs.is_empty() {
            return;
        }
        let store = self.store.clone();
        let blobs = std::mem::take(&mut self.blobs);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(?blobs, "no runtime to remove unused files: they stay");
            return;
        };
        runtime.spawn(async move {
            for blob in blobs {
                if let Err(e) = store.delete(blob).await {
                    tracing::warn!(?blob, error = %e, "removing an unused file failed");
                }
            }
        });
    }
}
