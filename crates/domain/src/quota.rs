//! What one person may keep in the file store: the bytes of their
//! attachments (uploads not sent yet, and those of messages not deleted)
//! and of their photos (not removed). Counted from the rows in the
//! database, so every node sees the same sum, and a file deleted stops
//! counting at once, before the sweep removes its bytes.
//!
//! An avatar is not counted: each person has one, re-encoded to a small
//! square (`AVATAR_SIDE`), and a new one replaces the old.

use protocol::UserId;

use crate::error::{DomainError, DomainResult};
use storage::queries::{attachments, photos};
use storage::{DbConn, lock_key};

/// Bytes `user` keeps now.
pub fn used(conn: &mut DbConn, user: UserId) -> DomainResult<u64> {
    let kept = attachments::bytes_kept_by(conn, user)? + photos::bytes_kept_by(conn, user)?;
    Ok(u64::try_from(kept).unwrap_or(0))
}

/// Before reading an upload: refused at once when `user` has no room
/// left at all, so a full account costs no transfer.
pub fn has_room(conn: &mut DbConn, user: UserId, quota: u64) -> DomainResult<()> {
    if used(conn, user)? >= quota {
        return Err(DomainError::QuotaExceeded { quota });
    }
    Ok(())
}

/// In the transaction that records an upload of `adding` bytes: refused
/// when it would take `user` past `quota`. Uploads of one user are
/// serialised here (PostgreSQL: an advisory lock until the transaction
/// ends; SQLite writes one transaction at a time), so two nodes cannot
/// both take the last of the room.
pub fn reserve(conn: &mut DbConn, user: UserId, adding: u64, quota: u64) -> DomainResult<()> {
    lock_key(conn, &format!("uploads:{user}"))?;
    if used(conn, user)?.saturating_add(adding) > quota {
        return Err(DomainError::QuotaExceeded { quota });
    }
    Ok(())
}
