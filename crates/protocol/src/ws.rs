//! WebSocket frames: one JSON object per text frame, tagged by `type`.

use crate::ids::{AttachmentId, MessageId, RoomId, UserId};
use serde::{Deserialize, Serialize};

use crate::{
    FriendRequest, Me, Message, Notification, Pin, Reaction, Room, RoomSummary, User, UserRef,
};

/// What a client may send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Auth {
        token: String,
    },
    Send {
        room_id: RoomId,
        body: String,
        client_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<MessageId>,
        /// Uploaded files to send with it (see `POST /rooms/{id}/attachments`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<AttachmentId>,
    },
    Typing {
        room_id: RoomId,
    },
    Read {
        room_id: RoomId,
        message_id: MessageId,
    },
    /// Adds the sender's reaction (see `PUT /messages/{id}/reactions/{emoji}`).
    React {
        message_id: MessageId,
        emoji: String,
    },
    /// Takes the sender's reaction back.
    Unreact {
        message_id: MessageId,
        emoji: String,
    },
    Ping,
}

/// What the server pushes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    Ready {
        user: Me,
        rooms: Vec<RoomSummary>,
    },
    Ack {
        client_id: String,
        message: Message,
    },
    Message {
        message: Message,
    },
    MessageUpdated {
        message: Message,
    },
    MessageDeleted {
        room_id: RoomId,
        message_id: MessageId,
    },
    Typing {
        room_id: RoomId,
        user: UserRef,
    },
    Read {
        room_id: RoomId,
        user_id: UserId,
        message_id: MessageId,
    },
    MemberJoined {
        room_id: RoomId,
        user: User,
    },
    /// A moderator pinned a message (`pin` as `GET /rooms/{id}/pins` lists it).
    MessagePinned {
        room_id: RoomId,
        pin: Pin,
    },
    /// A message is no longer pinned.
    MessageUnpinned {
        room_id: RoomId,
        message_id: MessageId,
    },
    /// Someone added (`added`) or took back a reaction; `reactions` is the
    /// message's whole list after the change.
    Reaction {
        room_id: RoomId,
        message_id: MessageId,
        user_id: UserId,
        emoji: String,
        added: bool,
        reactions: Vec<Reaction>,
    },
    MemberLeft {
        room_id: RoomId,
        user_id: UserId,
    },
    RoomUpdated {
        room: Room,
    },
    RoomDeleted {
        room_id: RoomId,
    },
    Presence {
        user_id: UserId,
        online: bool,
    },
    FriendRequest {
        request: FriendRequest,
    },
    FriendAccepted {
        user: User,
    },
    Notification {
        notification: Notification,
    },
    Error {
        code: crate::ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    Pong,
}

impl ServerEvent {
    pub fn error(
        code: crate::ErrorCode,
        message: impl Into<String>,
        client_id: Option<String>,
    ) -> Self {
        Self::Error {
            code,
            message: message.into(),
            client_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn frames_use_the_documented_tags() {
        let f: ClientFrame = serde_json::from_str(r#"{"type":"ping"}"#).expect("ping");
        assert_eq!(f, ClientFrame::Ping);
        let f: ClientFrame = serde_json::from_str(
            r#"{"type":"send","room_id":"00000000-0000-0000-0000-000000000001","body":"hi","client_id":"c1"}"#,
        )
        .expect("send");
        assert!(matches!(f, ClientFrame::Send { reply_to: None, .. }));
        let json = serde_json::to_value(ServerEvent::MemberLeft {
            room_id: RoomId::from_uuid(Uuid::nil()),
            user_id: UserId::from_uuid(Uuid::nil()),
        })
        .expect("serialize");
        assert_eq!(json["type"], "member_left");
        assert_eq!(
            serde_json::to_value(ServerEvent::Pong).expect("pong")["type"],
            "pong"
        );
    }
}
