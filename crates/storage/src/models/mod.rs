//! Row types: what the tables hold. Wire types live in `protocol`; the
//! `From`/`into_*` conversions at the bottom are the only bridge, so the table
//! layout can change without changing the API.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;
use protocol::{
    Activity, ActivityId, ActivityKind, Attachment, AttachmentId, AuditAction, AuditEntryId,
    EventQueueId, FriendRequestId, Member, Message, MessageId, NotificationId, NotificationKind,
    NotificationLevel, Photo, PhotoId, ProfileVisibility, Role, Room, RoomId, RoomKind, SessionId,
    User, UserId, UserRef, VersionId, Visibility,
};
use uuid::Uuid;

use super::schema::*;

mod bots;
mod stored;

pub use bots::{BotRow, BotTokenRow, IncomingWebhookRow};

pub use stored::{Stored, StoredText};

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The current time at the precision both backends store (microseconds), so
/// a value handed out before it is read back equals the one read back.
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

/// A fresh id whose text sorts by creation time, so `id` doubles as a cursor.
pub fn new_id<T: From<Uuid>>() -> T {
    Uuid::now_v7().into()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<UserId>,
    pub username: String,
    pub username_key: String,
    pub password_hash: String,
    pub display_name: String,
    pub bio: String,
    pub interests: String,
    pub avatar_url: Option<String>,
    pub email: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub profile_visibility: Stored<ProfileVisibility>,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl UserRow {
    pub fn visibility(&self) -> ProfileVisibility {
        self.profile_visibility.0
    }

    pub fn interests_list(&self) -> Vec<String> {
        serde_json::from_str(&self.interests).unwrap_or_default()
    }

    /// The full public profile.
    pub fn to_user(&self, online: bool) -> User {
        User {
            id: *self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            bio: Some(self.bio.clone()),
            interests: Some(self.interests_list()),
            avatar_url: self.avatar_url.clone(),
            created_at: Some(utc(self.created_at)),
            online,
        }
    }

    /// What a stranger sees of a `friends`-only profile.
    pub fn to_limited_user(&self, online: bool) -> User {
        User {
            bio: None,
            interests: None,
            created_at: None,
            ..self.to_user(online)
        }
    }

    /// What anyone at all may see: the whole of a public profile, the
    /// basics of a friends-only one. For what goes to many people at once
    /// (a room's `member_joined`).
    pub fn to_user_for_anyone(&self, online: bool) -> User {
        if self.visibility() == protocol::ProfileVisibility::Public {
            self.to_user(online)
        } else {
            self.to_limited_user(online)
        }
    }

    pub fn to_me(&self, online: bool, two_factor: bool) -> protocol::Me {
        protocol::Me {
            user: self.to_user(online),
            profile_visibility: self.visibility(),
            email: self.email.clone(),
            two_factor,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<SessionId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    pub token_hash: String,
    pub client: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// The refresh token's hash before the last rotation, and when that was.
    pub previous_hash: Option<String>,
    pub rotated_at: Option<NaiveDateTime>,
    /// Where it was last used from (signing in, or refreshing).
    pub address: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rooms)]
pub struct RoomRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<RoomId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: Stored<RoomKind>,
    pub name: String,
    pub topic: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub visibility: Stored<Visibility>,
    pub direct_key: Option<String>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub created_by: Stored<Option<UserId>>,
    pub created_at: NaiveDateTime,
    pub last_seq: i64,
    pub last_activity_at: NaiveDateTime,
}

impl RoomRow {
    pub fn kind(&self) -> RoomKind {
        self.kind.0
    }
    pub fn visibility(&self) -> Visibility {
        self.visibility.0
    }
    /// The two members of a direct room (its key names them).
    pub fn direct_pair(&self) -> Option<(UserId, UserId)> {
        let (a, b) = self.direct_key.as_deref()?.split_once(':')?;
        match (UserId::parse(a), UserId::parse(b)) {
            (Ok(a), Ok(b)) => Some((a, b)),
            _ => {
                tracing::error!(room = %*self.id, "malformed direct_key");
                None
            }
        }
    }
    pub fn is_public(&self) -> bool {
        self.kind() == RoomKind::Group && self.visibility() == Visibility::Public
    }

    /// `name` is what the caller sees; direct rooms pass the other member's
    /// display name.
    pub fn to_room(&self, name: String, member_count: i64, my_role: Option<Role>) -> Room {
        Room {
            id: *self.id,
            kind: self.kind(),
            name,
            topic: self.topic.clone(),
            visibility: self.visibility(),
            created_at: utc(self.created_at),
            member_count,
            my_role,
            joined: my_role.is_some(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub role: Stored<Role>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub notification_level: Stored<NotificationLevel>,
    pub joined_at: NaiveDateTime,
}

impl MembershipRow {
    pub fn role(&self) -> Role {
        self.role.0
    }
    pub fn level(&self) -> NotificationLevel {
        self.notification_level.0
    }
    /// `full`: the viewer may see the whole profile (see `visible_profile`).
    pub fn to_member(&self, user: &UserRow, online: bool, full: bool) -> Member {
        Member {
            user: if full {
                user.to_user(online)
            } else {
                user.to_user_for_anyone(online)
            },
            role: self.role(),
            joined_at: utc(self.joined_at),
            online,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = membership_events)]
pub struct MembershipEventRow {
    pub id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub actor_id: Stored<Option<UserId>>,
    pub kind: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<MessageId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    pub seq: i64,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub sender_id: Stored<Option<UserId>>,
    pub body: String,
    pub client_id: Option<String>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub reply_to: Stored<Option<MessageId>>,
    pub reply_count: i64,
    pub deleted: bool,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
}

/// The sender columns joined onto a message.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct SenderRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<UserId>,
    pub username: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
}

impl MessageRow {
    pub fn into_message(self, sender: Option<SenderRow>) -> Message {
        Message {
            id: *self.id,
            room_id: *self.room_id,
            seq: self.seq,
            sender: sender.map(|s| UserRef {
                id: *s.id,
                username: s.username,
                display_name: s.display_name,
                avatar_url: s.avatar_url,
            }),
            // A deleted message keeps its place but nothing of its content.
            body: if self.deleted {
                String::new()
            } else {
                self.body
            },
            created_at: utc(self.created_at),
            edited_at: self.edited_at.map(utc),
            deleted: self.deleted,
            reply_to: *self.reply_to,
            reply_count: self.reply_count,
            client_id: self.client_id,
            // Read apart, for a whole page at once (`domain::messages::shown`).
            reactions: Vec::new(),
            attachments: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = read_markers)]
pub struct ReadMarkerRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub message_id: Stored<MessageId>,
    pub seq: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mentions)]
pub struct MentionRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub message_id: Stored<MessageId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    pub seq: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pins)]
pub struct PinRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub message_id: Stored<MessageId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub pinned_by: Stored<Option<UserId>>,
    pub pinned_at: NaiveDateTime,
}

/// An uploaded file: where it belongs and what it is. Its bytes are in the
/// file store, named by its id (`files::Blob::Attachment`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<AttachmentId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub uploader_id: Stored<Option<UserId>>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub message_id: Stored<Option<MessageId>>,
    pub position: i32,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub thumbnail: bool,
    pub created_at: NaiveDateTime,
}

impl AttachmentRow {
    pub fn into_attachment(self) -> Attachment {
        Attachment {
            id: *self.id,
            room_id: *self.room_id,
            name: self.name,
            content_type: self.content_type,
            size: self.size,
            width: self.width.map(|w| w.max(0) as u32),
            height: self.height.map(|h| h.max(0) as u32),
            thumbnail: self.thumbnail,
        }
    }
}

/// A picture of someone's photo library; its bytes are in the file store.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = photos)]
pub struct PhotoRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<PhotoId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub owner_id: Stored<UserId>,
    pub content_type: String,
    pub size: i64,
    pub width: i32,
    pub height: i32,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

impl PhotoRow {
    pub fn into_photo(self) -> Photo {
        Photo {
            id: *self.id,
            owner_id: *self.owner_id,
            content_type: self.content_type,
            size: self.size,
            width: self.width.max(0) as u32,
            height: self.height.max(0) as u32,
            created_at: utc(self.created_at),
        }
    }
}

/// A message's body as it was before an edit.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = message_edits)]
pub struct MessageEditRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<VersionId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub message_id: Stored<MessageId>,
    pub body: String,
    pub written_at: NaiveDateTime,
    pub replaced_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reactions)]
pub struct ReactionRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub message_id: Stored<MessageId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    pub emoji: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub inviter_id: Stored<Option<UserId>>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = room_bans)]
pub struct BanRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub actor_id: Stored<Option<UserId>>,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<AuditEntryId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub actor_id: Stored<Option<UserId>>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub action: Stored<AuditAction>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub target_user_id: Stored<Option<UserId>>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub message_id: Stored<Option<MessageId>>,
    pub detail: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activities)]
pub struct ActivityRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<ActivityId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: Stored<ActivityKind>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub room_id: Stored<Option<RoomId>>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub other_user_id: Stored<Option<UserId>>,
    pub created_at: NaiveDateTime,
}

impl ActivityRow {
    pub fn new(
        user_id: UserId,
        kind: ActivityKind,
        room_id: Option<RoomId>,
        other_user_id: Option<UserId>,
    ) -> Self {
        Self {
            id: Stored(new_id()),
            user_id: Stored(user_id),
            kind: Stored(kind),
            room_id: Stored(room_id),
            other_user_id: Stored(other_user_id),
            created_at: now(),
        }
    }

    pub fn into_activity(self) -> Activity {
        Activity {
            id: *self.id,
            kind: self.kind.0,
            room_id: *self.room_id,
            other_user_id: *self.other_user_id,
            created_at: utc(self.created_at),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = friend_requests)]
pub struct FriendRequestRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<FriendRequestId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub from_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub to_id: Stored<UserId>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<NotificationId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: Stored<NotificationKind>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub actor_id: Stored<Option<UserId>>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub room_id: Stored<Option<RoomId>>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub message_id: Stored<Option<MessageId>>,
    pub created_at: NaiveDateTime,
    pub read: bool,
}

/// A user's TOTP secret: pending until `enabled_at`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = two_factor)]
pub struct TwoFactorRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    /// Base32.
    pub secret: String,
    pub enabled_at: Option<NaiveDateTime>,
    /// The last 30-second step whose code signed in.
    pub last_step: i64,
}

/// A long-polling client's queue (see `queued_events` for its events).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_queues)]
pub struct EventQueueRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<EventQueueId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub session_id: Stored<SessionId>,
    /// The id of the newest event queued (ids count up from 1).
    pub last_event_id: i64,
    /// The node whose hub feeds it, while one does.
    pub node: Option<String>,
    pub pumped_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub polled_at: NaiveDateTime,
}
