//! Row types: what the tables hold. Wire types live in `protocol`; the
//! `From`/`into_*` conversions at the bottom are the only bridge, so the table
//! layout can change without changing the API.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;
use protocol::{
    Activity, ActivityKind, AuditAction, Member, Message, NotificationKind, NotificationLevel,
    ProfileVisibility, Role, Room, RoomKind, User, UserRef, Visibility,
};
use uuid::Uuid;

use super::schema::*;

mod stored_enum;

pub use stored_enum::{Stored, TextEnum};

/// Ids are stored as text (the portable type); we only ever write valid ones.
pub fn id(text: &str) -> Uuid {
    Uuid::try_parse(text).unwrap_or_else(|_| {
        tracing::error!(id = text, "malformed id in the database");
        Uuid::nil()
    })
}

pub fn opt_id(text: Option<&str>) -> Option<Uuid> {
    text.map(id)
}

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
pub fn new_id() -> String {
    Uuid::now_v7().to_string()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
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
    pub fn uuid(&self) -> Uuid {
        id(&self.id)
    }

    pub fn visibility(&self) -> ProfileVisibility {
        self.profile_visibility.0
    }

    pub fn interests_list(&self) -> Vec<String> {
        serde_json::from_str(&self.interests).unwrap_or_default()
    }

    /// The full public profile.
    pub fn to_user(&self, online: bool) -> User {
        User {
            id: self.uuid(),
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

    pub fn to_me(&self, online: bool) -> protocol::Me {
        protocol::Me {
            user: self.to_user(online),
            profile_visibility: self.visibility(),
            email: self.email.clone(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub client: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// The refresh token's hash before the last rotation, and when that was.
    pub previous_hash: Option<String>,
    pub rotated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rooms)]
pub struct RoomRow {
    pub id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: Stored<RoomKind>,
    pub name: String,
    pub topic: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub visibility: Stored<Visibility>,
    pub direct_key: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_seq: i64,
    pub last_activity_at: NaiveDateTime,
}

impl RoomRow {
    pub fn uuid(&self) -> Uuid {
        id(&self.id)
    }
    pub fn kind(&self) -> RoomKind {
        self.kind.0
    }
    pub fn visibility(&self) -> Visibility {
        self.visibility.0
    }
    /// The two members of a direct room (its key names them).
    pub fn direct_pair(&self) -> Option<(&str, &str)> {
        self.direct_key.as_deref()?.split_once(':')
    }
    pub fn is_public(&self) -> bool {
        self.kind() == RoomKind::Group && self.visibility() == Visibility::Public
    }

    /// `name` is what the caller sees; direct rooms pass the other member's
    /// display name.
    pub fn to_room(&self, name: String, member_count: i64, my_role: Option<Role>) -> Room {
        Room {
            id: self.uuid(),
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
    pub room_id: String,
    pub user_id: String,
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
    pub room_id: String,
    pub user_id: String,
    pub actor_id: Option<String>,
    pub kind: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: String,
    pub room_id: String,
    pub seq: i64,
    pub sender_id: Option<String>,
    pub body: String,
    pub client_id: Option<String>,
    pub reply_to: Option<String>,
    pub reply_count: i64,
    pub deleted: bool,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
}

/// The sender columns joined onto a message.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct SenderRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
}

impl MessageRow {
    pub fn into_message(self, sender: Option<SenderRow>) -> Message {
        Message {
            id: id(&self.id),
            room_id: id(&self.room_id),
            seq: self.seq,
            sender: sender.map(|s| UserRef {
                id: id(&s.id),
                username: s.username,
                display_name: s.display_name,
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
            reply_to: opt_id(self.reply_to.as_deref()),
            reply_count: self.reply_count,
            client_id: self.client_id,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = read_markers)]
pub struct ReadMarkerRow {
    pub room_id: String,
    pub user_id: String,
    pub message_id: String,
    pub seq: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mentions)]
pub struct MentionRow {
    pub message_id: String,
    pub user_id: String,
    pub room_id: String,
    pub seq: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    pub room_id: String,
    pub user_id: String,
    pub inviter_id: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = room_bans)]
pub struct BanRow {
    pub room_id: String,
    pub user_id: String,
    pub actor_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub room_id: String,
    pub actor_id: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub action: Stored<AuditAction>,
    pub target_user_id: Option<String>,
    pub message_id: Option<String>,
    pub detail: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activities)]
pub struct ActivityRow {
    pub id: String,
    pub user_id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: Stored<ActivityKind>,
    pub room_id: Option<String>,
    pub other_user_id: Option<String>,
    pub created_at: NaiveDateTime,
}

impl ActivityRow {
    pub fn new(
        user_id: &str,
        kind: ActivityKind,
        room_id: Option<&str>,
        other_user_id: Option<&str>,
    ) -> Self {
        Self {
            id: new_id(),
            user_id: user_id.to_owned(),
            kind: Stored(kind),
            room_id: room_id.map(str::to_owned),
            other_user_id: other_user_id.map(str::to_owned),
            created_at: now(),
        }
    }

    pub fn into_activity(self) -> Activity {
        Activity {
            id: id(&self.id),
            kind: self.kind.0,
            room_id: opt_id(self.room_id.as_deref()),
            other_user_id: opt_id(self.other_user_id.as_deref()),
            created_at: utc(self.created_at),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = friend_requests)]
pub struct FriendRequestRow {
    pub id: String,
    pub from_id: String,
    pub to_id: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: Stored<NotificationKind>,
    pub actor_id: Option<String>,
    pub room_id: Option<String>,
    pub message_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub read: bool,
}
