//! Messages, threads and read markers.

use crate::ids::{AttachmentId, MessageId, RoomId, UserId, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::UserRef;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: MessageId,
    pub room_id: RoomId,
    /// Position in the room: 1, 2, 3… without gaps.
    pub seq: i64,
    /// Null once the sender deleted their account.
    pub sender: Option<UserRef>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub reply_to: Option<MessageId>,
    pub reply_count: i64,
    pub client_id: Option<String>,
    /// One entry per emoji, in the order they were first used.
    pub reactions: Vec<Reaction>,
    /// Files sent with the message, in the order they were given; none
    /// once it is deleted.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A file uploaded to a room. Its bytes are at
/// `GET /api/v1/attachments/{id}` (and a small preview of an image at
/// `…/{id}/thumbnail`), for members of the room only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: AttachmentId,
    pub room_id: RoomId,
    /// The uploaded file's name, cleaned of paths and control characters.
    pub name: String,
    /// Read from the bytes, never taken from the uploader:
    /// `application/octet-stream` when nothing is recognised.
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    /// An image's size in pixels (null for other files).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// True when `…/{id}/thumbnail` has a preview (images only).
    pub thumbnail: bool,
}

impl Attachment {
    /// Shown inline (as a picture) rather than offered as a download.
    pub fn is_image(&self) -> bool {
        self.width.is_some()
    }
}

/// A pinned message of a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pin {
    pub message: Message,
    /// Null once the person who pinned it deleted their account.
    pub pinned_by: Option<UserId>,
    pub pinned_at: DateTime<Utc>,
}

/// An earlier version of an edited message: its body from when it was
/// written until the edit that replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageVersion {
    /// The cursor of the next page (`after`).
    pub id: VersionId,
    pub body: String,
    pub written_at: DateTime<Utc>,
    pub replaced_at: DateTime<Utc>,
}

/// Everyone who reacted to a message with one emoji.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reaction {
    pub emoji: String,
    pub count: i64,
    /// Who reacted, earliest first.
    pub user_ids: Vec<UserId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostMessageRequest {
    /// May be empty when the message carries attachments.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub reply_to: Option<MessageId>,
    /// Files uploaded to this room by the sender (`POST
    /// /rooms/{id}/attachments`) and not yet sent, at most 10.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub attachments: Vec<AttachmentId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EditMessageRequest {
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadRequest {
    pub message_id: MessageId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadMarker {
    pub user_id: UserId,
    pub message_id: MessageId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thread {
    pub root: Message,
    pub replies: Vec<Message>,
}
