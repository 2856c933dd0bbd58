//! The rules of ThemeChat, apart from HTTP and from SQL.
//!
//! Functions here take a `&mut DbConn` (they run on the blocking pool, inside
//! a transaction where they write), call the query modules, enforce who may
//! do what, and return the result plus the live events it causes. They never
//! see a request or write a query.

pub mod access;
pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod blocks;
pub mod bots;
pub mod crowd;
pub mod error;
pub mod event_queues;
pub mod events;
pub mod export;
pub mod live;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod owners;
pub mod people;
pub mod photos;
pub mod pictures;
pub mod pins;
pub mod posting;
pub mod profanity;
pub mod quota;
pub mod reactions;
pub mod read_markers;
pub mod refresh_tokens;
pub mod rooms;
pub mod search;
pub mod social;
pub mod throttle;
pub mod two_factor;

use protocol::UserId;

/// What the server needs of storage: opening it, and the connection it hands
/// to the rules. The queries stay behind the rules: the server crate does not
/// depend on storage, so no handler can reach a table.
pub use storage::{Backend, Database, DbConn, StorageError};

/// Liveness of storage (`/healthz`).
pub fn ping(conn: &mut DbConn) -> error::DomainResult<()> {
    Ok(storage::ping(conn)?)
}

/// Answers "is this user online?" for the `online` fields.
pub trait Presence: Send + Sync {
    fn is_online(&self, user_id: UserId) -> bool;
}

/// Distinct ids, sorted.
pub(crate) fn distinct_ids<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let set: std::collections::BTreeSet<T> = items.into_iter().collect();
    set.into_iter().collect()
}
