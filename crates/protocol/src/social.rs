//! Friends and notifications.

use crate::ids::{FriendRequestId, MessageId, NotificationId, RoomId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::User;
use crate::rooms::string_enum;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FriendRequest {
    pub id: FriendRequestId,
    pub from: User,
    pub to: User,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FriendRequests {
    pub incoming: Vec<FriendRequest>,
    pub outgoing: Vec<FriendRequest>,
}

string_enum!(NotificationKind {
    FriendRequest => "friend_request",
    FriendAccepted => "friend_accepted",
    Mention => "mention",
    RoomInvite => "room_invite",
    DirectMessage => "direct_message",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub actor: Option<User>,
    pub room_id: Option<RoomId>,
    pub message_id: Option<MessageId>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}
