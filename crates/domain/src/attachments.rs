//! Files sent to rooms: who may upload and fetch them, what an upload is
//! (read from its bytes, never from what the client claims), and which
//! stored files nobody can reach any more.
//!
//! The bytes themselves live in the file store (`files` in the server); the
//! transports move them, and the rules here decide.

use std::collections::HashMap;

use chrono::Duration;
use protocol::limits::{ATTACHMENTS_MAX, FILE_NAME_MAX};
use protocol::validate;
use protocol::{Attachment, AttachmentId, ErrorCode, Message, MessageId, RoomId, RoomKind, UserId};

use super::access::visible_room;
use super::pictures::{self, Decoders, NotAPicture, Picture};
use crate::blocks;
use crate::error::{DomainError, DomainResult, Missing, Race};
use storage::DbConn;
use storage::models::{AttachmentRow, Stored, now};
use storage::queries::{attachments, messages};

/// What the client calls a file we cannot name otherwise.
const UNNAMED: &str = "file";

/// An upload read and understood, ready to be stored: the file, and a
/// preview when it is a picture.
pub struct Prepared {
    pub id: AttachmentId,
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub picture: Option<Picture>,
}

/// Reads an upload: its type from its bytes, its size in pixels and a
/// thumbnail when it is a picture we can decode (decoded by `decoders`, a
/// few at a time: 503 when they are all busy). A picture beyond the budget
/// of one decode is refused (`picture_too_large`), unread; one whose
/// header reads but whose pixels do not is kept as a plain file.
pub async fn prepare(
    decoders: &Decoders,
    claimed_name: &str,
    bytes: Vec<u8>,
) -> DomainResult<Prepared> {
    let (picture, bytes) = match pictures::inspect(&bytes) {
        Ok(_) => {
            let (decoded, bytes) = decoders
                .run(move || (pictures::read(&bytes), bytes))
                .await?;
            match decoded {
                Ok(picture) => (Some(picture), bytes),
                Err(NotAPicture::TooLarge) => return Err(pictures::too_large()),
                Err(_) => (None, bytes),
            }
        }
        Err(NotAPicture::TooLarge) => return Err(pictures::too_large()),
        Err(NotAPicture::Format | NotAPicture::Unreadable(_)) => (None, bytes),
    };
    let content_type = match &picture {
        Some(p) => p.content_type.to_owned(),
        None => sniff(&bytes),
    };
    Ok(Prepared {
        id: AttachmentId::from_uuid(uuid::Uuid::now_v7()),
        name: clean_name(claimed_name),
        content_type,
        bytes,
        picture,
    })
}

/// The media type of a file that is not a picture we show: what its bytes
/// say, plain text for readable UTF-8, or opaque bytes.
fn sniff(bytes: &[u8]) -> String {
    if let Some(kind) = infer::get(bytes) {
        return kind.mime_type().to_owned();
    }
    let sample = &bytes[..bytes.len().min(8192)];
    // A cut in the middle of a character is still text.
    let text = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > sample.len(),
    };
    if !bytes.is_empty() && text && !sample.contains(&0) {
        "text/plain; charset=utf-8".to_owned()
    } else {
        "application/octet-stream".to_owned()
    }
}

/// A file name safe to show and to send back in `Content-Disposition`: no
/// directories, no control characters, none of the invisible or
/// direction-changing characters that names of people and rooms refuse
/// (`invoice\u{202E}fdp.exe` would show as `invoiceexe.pdf`; it becomes
/// `invoicefdp.exe`, what it is), not too long (the extension kept).
pub fn clean_name(claimed: &str) -> String {
    let base = claimed.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !validate::is_invisible_format(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return UNNAMED.to_owned();
    }
    if cleaned.chars().count() <= FILE_NAME_MAX {
        return cleaned.to_owned();
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 16 => (stem, ext),
        _ => (cleaned, ""),
    };
    let keep = FILE_NAME_MAX - ext.chars().count() - usize::from(!ext.is_empty());
    let stem: String = stem.chars().take(keep).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

/// Whether `user` may upload to the room: a member, and in a direct
/// conversation only while neither blocked the other.
pub fn may_upload(conn: &mut DbConn, user: UserId, room_id: RoomId) -> DomainResult<()> {
    let (room, _) = visible_room(conn, room_id, user)?.member()?;
    if room.kind() == RoomKind::Direct
        && let Some((a, b)) = room.direct_pair()
        && blocks::either_way(conn, a, b)?
    {
        return Err(DomainError::blocked());
    }
    Ok(())
}

/// Records an upload, within the uploader's storage `quota` (its bytes
/// go to the store once this committed). Checks the right to upload
/// again: it may have been lost while the bytes travelled.
pub fn record(
    conn: &mut DbConn,
    user: UserId,
    room_id: RoomId,
    file: &Prepared,
    quota: u64,
) -> DomainResult<Attachment> {
    may_upload(conn, user, room_id)?;
    super::quota::reserve(conn, user, file.bytes.len() as u64, quota)?;
    let row = AttachmentRow {
        id: Stored(file.id),
        room_id: Stored(room_id),
        uploader_id: Stored(Some(user)),
        message_id: Stored(None),
        position: 0,
        name: file.name.clone(),
        content_type: file.content_type.clone(),
        size: file.bytes.len() as i64,
        width: file.picture.as_ref().map(|p| p.width as i32),
        height: file.picture.as_ref().map(|p| p.height as i32),
        thumbnail: file.picture.is_some(),
        created_at: now(),
    };
    attachments::insert(conn, &row)?;
    Ok(row.into_attachment())
}

/// An attachment `user` may fetch: one of a message they can read, or
/// their own upload not sent yet. Anything else is not found, so ids of
/// other rooms' files reveal nothing.
pub fn readable(conn: &mut DbConn, user: UserId, id: AttachmentId) -> DomainResult<Attachment> {
    let missing = || DomainError::NotFound(Missing::Attachment);
    let row = attachments::find(conn, id)?.ok_or_else(missing)?;
    match *row.message_id {
        None if *row.uploader_id != Some(user) => return Err(missing()),
        None => {}
        Some(message) => match messages::find(conn, message)? {
            Some(m) if !m.deleted => {}
            _ => return Err(missing()),
        },
    }
    visible_room(conn, *row.room_id, user)
        .and_then(|access| access.member())
        .map_err(|_| missing())?;
    Ok(row.into_attachment())
}

/// The attachments asked for with a new message, checked: at most
/// [`ATTACHMENTS_MAX`], each an unsent upload of this sender to this room.
pub(super) fn check_unsent(
    found: &HashMap<AttachmentId, AttachmentRow>,
    sender: UserId,
    room_id: RoomId,
    asked: &[AttachmentId],
) -> DomainResult<()> {
    if asked.len() > ATTACHMENTS_MAX {
        return Err(DomainError::validation(format!(
            "a message carries at most {ATTACHMENTS_MAX} attachments"
        )));
    }
    for (i, id) in asked.iter().enumerate() {
        if asked[..i].contains(id) {
            return Err(DomainError::validation(format!(
                "attachment {id} is listed twice"
            )));
        }
        // Someone else's upload is as unknown to the sender as one that
        // never was (or was swept); one of theirs that cannot go with this
        // message contradicts what is stored.
        let row = found
            .get(id)
            .filter(|row| *row.uploader_id == Some(sender))
            .ok_or(DomainError::NotFound(Missing::Attachment))?;
        if row.message_id.is_some() {
            return Err(DomainError::conflict(
                ErrorCode::Conflict,
                format!("attachment {id} was sent already"),
            ));
        }
        if *row.room_id != room_id {
            return Err(DomainError::conflict(
                ErrorCode::Conflict,
                format!("attachment {id} was uploaded to another room"),
            ));
        }
    }
    Ok(())
}

/// Gives checked uploads to a stored message, in the order asked.
pub(super) fn attach(
    conn: &mut DbConn,
    message: MessageId,
    ids: &[AttachmentId],
) -> DomainResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if attachments::attach(conn, message, ids)? < ids.len() {
        // Another node sent one of them with another message meanwhile:
        // the whole batch is retried and this post refused then.
        return Err(DomainError::Race(Race::Attachment));
    }
    Ok(())
}

/// Fills in the attachments of these messages (none for deleted ones).
pub fn fill<'a>(
    conn: &mut DbConn,
    messages: impl IntoIterator<Item = &'a mut Message>,
) -> DomainResult<()> {
    let mut shown: Vec<&mut Message> = messages.into_iter().filter(|m| !m.deleted).collect();
    if shown.is_empty() {
        return Ok(());
    }
    let ids: Vec<MessageId> = shown.iter().map(|m| m.id).collect();
    let mut by_message: HashMap<MessageId, Vec<Attachment>> = HashMap::new();
    for row in attachments::of_messages(conn, &ids)? {
        if let Some(message) = *row.message_id {
            by_message
                .entry(message)
                .or_default()
                .push(row.into_attachment());
        }
    }
    for message in shown.iter_mut() {
        message.attachments = by_message.remove(&message.id).unwrap_or_default();
    }
    Ok(())
}

/// Up to `limit` files whose bytes may go from the store: those of deleted
/// messages, and uploads not sent within `unsent_for`.
pub fn unreachable(
    conn: &mut DbConn,
    unsent_for: Duration,
    limit: i64,
) -> DomainResult<Vec<AttachmentId>> {
    let rows = attachments::unreachable(conn, now() - unsent_for, limit)?;
    Ok(rows.into_iter().map(|row| *row.id).collect())
}

/// Forgets files whose bytes are gone from the store.
pub fn forget(conn: &mut DbConn, ids: &[AttachmentId]) -> DomainResult<()> {
    attachments::remove(conn, ids)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_directories_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\cv.pdf"), "cv.pdf");
        assert_eq!(
            clean_name("evil\r\nX-Header: 1.txt"),
            "evil  X-Header: 1.txt"
        );
        assert_eq!(clean_name("  .hidden "), "hidden");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name("///"), "file");
    }

    #[test]
    fn names_lose_invisible_and_direction_changing_characters() {
        assert_eq!(clean_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(
            clean_name("\u{2067}re\u{200B}port\u{2069}\u{FEFF}.txt"),
            "report.txt"
        );
        // What is left of a name made only of them is no name.
        assert_eq!(clean_name("\u{202E}\u{202D}"), "file");
        // Letters of every script stay.
        assert_eq!(clean_name("отчёт עברית.pdf"), "отчёт עברית.pdf");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.jpeg", "a".repeat(500));
        let cleaned = clean_name(&long);
        assert_eq!(cleaned.chars().count(), FILE_NAME_MAX);
        assert!(cleaned.ends_with(".jpeg"));
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(
            sniff("plain words, é".as_bytes()),
            "text/plain; charset=utf-8"
        );
        assert_eq!(sniff(&[0, 159, 146, 150]), "application/octet-stream");
        assert_eq!(sniff(b""), "application/octet-stream");
    }
}
