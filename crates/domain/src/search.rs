//! Full-text search over the messages of the caller's rooms.

use protocol::Message;

use super::access::visible_room;
use crate::error::{DomainError, DomainResult, Missing};
use protocol::MessageId;
use protocol::{RoomId, UserId};
use storage::DbConn;
use storage::queries::{members, messages};

/// Words of a query: letters and digits only, so operators and SQL
/// metacharacters in the input are just separators.
pub fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(16)
        .collect()
}

pub fn search(
    conn: &mut DbConn,
    user: UserId,
    q: &str,
    room: Option<RoomId>,
    before: Option<MessageId>,
    limit: i64,
) -> DomainResult<Vec<Message>> {
    let q = protocol::validate::search_query(q)?;
    let words = words(&q);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(before) = before {
        // A cursor must be a message the caller can read.
        let cursor =
            messages::find(conn, before)?.ok_or(DomainError::NotFound(Missing::Message))?;
        visible_room(conn, *cursor.room_id, user)
            .and_then(|access| access.member())
            .map_err(|_| DomainError::NotFound(Missing::Message))?;
    }
    let rooms = match room {
        Some(room) => {
            visible_room(conn, room, user)?.member()?;
            vec![room]
        }
        None => members::room_ids_of(conn, user)?,
    };
    let found = messages::search(conn, &rooms, &words, before, limit)?;
    super::messages::shown::completed(conn, found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn operators_and_quotes_are_separators() {
        assert_eq!(
            super::words("Rust* OR \"x\"; DROP TABLE--"),
            vec!["rust", "or", "x", "drop", "table"]
        );
        assert!(super::words("%_'\"").is_empty());
    }
}
