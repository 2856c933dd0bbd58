//! Storage's own error type: what the layers above may need to tell apart
//! (a missing row, a duplicate of a known key, a lost database), classified
//! once here from Diesel's and r2d2's errors.

use diesel::result::{DatabaseErrorKind as Kind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no such row")]
    NotFound,
    /// A unique key already holds this value (a lost race or a duplicate).
    #[error("duplicate {0:?}")]
    Duplicate(UniqueKey),
    /// The database or the connection to it went away: a moment's outage.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database: {0}")]
    Query(#[source] DieselError),
    /// A stored value this build does not know (an enum column written by
    /// a newer version, or by hand): an error, never a guessed default.
    #[error("unreadable {column}: {value:?}")]
    Unreadable { column: &'static str, value: String },
}

/// The unique keys the rules act on when they are violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKey {
    /// `users.username_key`.
    Username,
    /// `rooms.direct_key`: one direct room per pair.
    DirectRoom,
    /// `messages (room_id, sender_id, client_id)`.
    MessageClientId,
    /// `friend_requests (from_id, to_id)`.
    FriendRequest,
    /// Any other key (a primary key, say).
    Other,
}

pub type DbResult<T> = Result<T, DbError>;

impl UniqueKey {
    /// PostgreSQL names the constraint (`rooms_direct_key_key`); SQLite names
    /// the columns in its message (`UNIQUE constraint failed: rooms.direct_key`).
    /// Both contain the table and column names this looks for.
    fn of(info: &dyn diesel::result::DatabaseErrorInformation) -> Self {
        let named = |needle: &str| {
            info.constraint_name().is_some_and(|c| c.contains(needle))
                || info.message().contains(needle)
        };
        if named("username_key") {
            Self::Username
        } else if named("direct_key") {
            Self::DirectRoom
        } else if named("client_id") {
            Self::MessageClientId
        } else if named("friend_requests") {
            Self::FriendRequest
        } else {
            Self::Other
        }
    }
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(Kind::UniqueViolation, ref info) => {
                Self::Duplicate(UniqueKey::of(info.as_ref()))
            }
            DieselError::DatabaseError(
                Kind::ClosedConnection | Kind::UnableToSendCommand,
                info,
            ) => Self::Unavailable(format!("connection lost: {}", info.message())),
            DieselError::BrokenTransactionManager => {
                Self::Unavailable("connection lost mid-transaction".into())
            }
            other => Self::Query(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("pool: {e}"))
    }
}

impl DbError {
    /// True when this is a duplicate of `key`.
    pub fn is_duplicate(&self, key: UniqueKey) -> bool {
        matches!(self, Self::Duplicate(k) if *k == key)
    }
}
