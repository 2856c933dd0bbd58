//! Groups and direct conversations.

use crate::ids::{AuditEntryId, MessageId, RoomId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Message, User};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(RoomKind { Group => "group", Direct => "direct" });
string_enum!(Visibility { Public => "public", Private => "private" });
string_enum!(
    /// Ordered from most to least powerful.
    Role { Owner => "owner", Moderator => "moderator", Member => "member" }
);
string_enum!(NotificationLevel { All => "all", Mentions => "mentions", None => "none" });
string_enum!(AuditAction {
    Kick => "kick",
    Ban => "ban",
    Unban => "unban",
    RoleChange => "role_change",
    MessageDelete => "message_delete",
    RoomUpdate => "room_update",
    Pin => "pin",
    Unpin => "unpin",
});

impl Role {
    /// Owners and moderators run the room.
    pub fn can_moderate(self) -> bool {
        matches!(self, Self::Owner | Self::Moderator)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Room {
    pub id: RoomId,
    pub kind: RoomKind,
    /// For a direct room: the other member's display name, as the caller sees it.
    pub name: String,
    pub topic: String,
    pub visibility: Visibility,
    pub created_at: DateTime<Utc>,
    pub member_count: i64,
    /// The caller's role, null when the caller is not a member.
    pub my_role: Option<Role>,
    /// Whether the caller is a member.
    pub joined: bool,
}

/// A room in the caller's own list, with what the sidebar needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSummary {
    #[serde(flatten)]
    pub room: Room,
    pub unread_count: i64,
    pub mention_count: i64,
    pub last_message: Option<Message>,
    pub last_read_message_id: Option<MessageId>,
    pub notification_level: NotificationLevel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub user: User,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
    pub online: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateRoomRequest {
    pub name: String,
    #[serde(default)]
    pub topic: Option<String>,
    /// Defaults to `public`.
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateRoomRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserIdRequest {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleRequest {
    pub role: Role,
}

/// Body of `DELETE /rooms/{id}/members/{user_id}`; may be omitted entirely.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoveMemberRequest {
    #[serde(default)]
    pub ban: Option<bool>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationLevelRequest {
    pub level: NotificationLevel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub room_id: RoomId,
    pub actor: Option<User>,
    pub action: AuditAction,
    pub target_user_id: Option<UserId>,
    pub message_id: Option<MessageId>,
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
}
