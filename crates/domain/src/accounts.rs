//! Accounts, sessions and profiles.

use chrono::Duration;
use protocol::ErrorCode;
use protocol::validate::{self, DisplayName, Username};
use protocol::{
    Activity, ActivityId, ActivityKind, Device, Me, RoomId, ServerEvent, SessionId,
    UpdateMeRequest, User, UserId,
};

use super::Presence;
use super::events::Outbound;
use super::people::{find_user, visible_profile, visible_rows};
use super::refresh_tokens::{hash_refresh_token, new_refresh_token};
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{ActivityRow, SessionRow, Stored, UserRow, new_id, now, utc};
use storage::queries::{activity, members, messages, sessions, users};
use storage::{DbError, UniqueKey};

/// Who is signing in: the browser or app as it names itself, and its address.
pub struct Client {
    pub agent: String,
    pub address: String,
}

/// A session just opened or refreshed: the refresh token to hand out once.
pub struct IssuedSession {
    pub user: UserRow,
    pub session_id: SessionId,
    pub refresh_token: String,
    /// Whether the account signs in with a second factor.
    pub two_factor: bool,
}

/// A session that just ended: whose, and which.
#[derive(Debug, Clone, Copy)]
pub struct EndedSession {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// The account a sign-in names (any case), if there is one.
pub fn find_for_login(conn: &mut DbConn, username_key: &str) -> DomainResult<Option<UserRow>> {
    Ok(users::find_by_username(conn, username_key)?)
}

fn open_session(
    conn: &mut DbConn,
    user: UserRow,
    client: &Client,
    policy: SessionPolicy,
) -> DomainResult<IssuedSession> {
    let (refresh_token, token_hash) = new_refresh_token();
    let created = now();
    let row = SessionRow {
        id: Stored(new_id()),
        user_id: user.id,
        token_hash,
        client: client.agent.chars().take(200).collect(),
        created_at: created,
        last_used_at: created,
        expires_at: created + policy.first_lifetime(),
        revoked_at: None,
        previous_hash: None,
        rotated_at: None,
        address: Some(client.address.clone()),
    };
    sessions::insert(conn, &row)?;
    activity::insert(
        conn,
        &ActivityRow::new(*user.id, ActivityKind::Login, None, None),
    )?;
    let two_factor = super::two_factor::is_enabled(conn, *user.id)?;
    Ok(IssuedSession {
        user,
        session_id: *row.id,
        refresh_token,
        two_factor,
    })
}

pub struct Registration {
    pub username: Username,
    pub display_name: DisplayName,
    pub password_hash: String,
}

pub fn register(
    conn: &mut DbConn,
    new: Registration,
    client: &Client,
    policy: SessionPolicy,
) -> DomainResult<IssuedSession> {
    let row = UserRow {
        id: Stored(new_id()),
        username_key: new.username.key(),
        username: new.username.into_inner(),
        password_hash: new.password_hash,
        display_name: new.display_name.into_inner(),
        bio: String::new(),
        interests: "[]".into(),
        avatar_url: None,
        email: None,
        profile_visibility: Stored(protocol::ProfileVisibility::Public),
        created_at: now(),
        deleted_at: None,
    };
    match users::insert(conn, &row) {
        Err(DbError::Duplicate(UniqueKey::Username)) => {
            return Err(DomainError::conflict(
                ErrorCode::UsernameTaken,
                "that username is already taken",
            ));
        }
        other => other?,
    }
    open_session(conn, row, client, policy)
}

/// Signs in after the password was verified.
/// Signs in, once the password matched: with two-factor sign-in on, only
/// with a fresh code (see [`super::two_factor::check_at_sign_in`]).
pub fn login(
    conn: &mut DbConn,
    user: UserRow,
    code: Option<&str>,
    client: &Client,
    policy: SessionPolicy,
) -> DomainResult<IssuedSession> {
    super::two_factor::check_at_sign_in(conn, *user.id, code)?;
    open_session(conn, user, client, policy)
}

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Each refresh extends the session this far...
    pub idle: std::time::Duration,
    /// ...but never past this age: a stolen session cannot be kept alive
    /// forever by refreshing it.
    pub max_age: std::time::Duration,
    /// Two tabs of one browser may refresh with the same token at the same
    /// moment; the loser's attempt this soon after a rotation is a race,
    /// not theft.
    pub reuse_grace: std::time::Duration,
}

impl SessionPolicy {
    fn idle(&self) -> Duration {
        Duration::from_std(self.idle).unwrap_or(Duration::days(30))
    }
    fn max_age(&self) -> Duration {
        Duration::from_std(self.max_age).unwrap_or(Duration::days(90))
    }
    /// How long a new session lasts before its first refresh.
    fn first_lifetime(&self) -> Duration {
        self.idle().min(self.max_age())
    }
}

pub enum Refreshed {
    Issued(Box<IssuedSession>),
    /// A refresh token that was already rotated away came back: someone
    /// holds a copy. The session was revoked; its sockets must close too.
    Revoked(EndedSession),
}

/// Exchanges a refresh token for a new one; the old one stops working.
pub fn refresh(
    conn: &mut DbConn,
    refresh_token: &str,
    address: &str,
    policy: SessionPolicy,
) -> DomainResult<Refreshed> {
    let old_hash = hash_refresh_token(refresh_token);
    let Some(session) = sessions::find_live_by_hash(conn, &old_hash)? else {
        return replayed(conn, &old_hash, policy);
    };
    let user = users::find(conn, *session.user_id)?.ok_or(DomainError::InvalidToken)?;
    let (new_token, new_hash) = new_refresh_token();
    let expires = (now() + policy.idle()).min(session.created_at + policy.max_age());
    if !sessions::rotate(conn, *session.id, &old_hash, &new_hash, expires, address)? {
        return Err(DomainError::InvalidToken);
    }
    let two_factor = super::two_factor::is_enabled(conn, *user.id)?;
    Ok(Refreshed::Issued(Box::new(IssuedSession {
        user,
        session_id: *session.id,
        refresh_token: new_token,
        two_factor,
    })))
}

/// A refresh token that is not current: unknown (401), or the one before
/// the last rotation (theft, unless it is a racing tab's).
fn replayed(conn: &mut DbConn, hash: &str, policy: SessionPolicy) -> DomainResult<Refreshed> {
    let Some(session) = sessions::find_by_previous_hash(conn, hash)? else {
        return Err(DomainError::InvalidToken);
    };
    let grace = Duration::from_std(policy.reuse_grace).unwrap_or(Duration::zero());
    let racing = session.rotated_at.is_some_and(|at| now() - at <= grace);
    if session.revoked_at.is_some() || racing {
        return Err(DomainError::InvalidToken);
    }
    tracing::warn!(session = %*session.id, "a rotated refresh token was reused; revoking the session");
    sessions::revoke(conn, *session.id)?;
    Ok(Refreshed::Revoked(EndedSession {
        user_id: *session.user_id,
        session_id: *session.id,
    }))
}

/// My live sessions, the one asking marked `current`, most recently seen
/// first.
pub fn devices(conn: &mut DbConn, user: UserId, current: SessionId) -> DomainResult<Vec<Device>> {
    Ok(sessions::live_of(conn, user)?
        .into_iter()
        .map(|s| Device {
            id: *s.id,
            current: *s.id == current,
            client: s.client,
            address: s.address,
            created_at: utc(s.created_at),
            last_seen_at: utc(s.last_used_at),
        })
        .collect())
}

/// Signs one of my devices out; someone else's, or one signed out
/// already, is no device of mine (404).
pub fn end_device(
    conn: &mut DbConn,
    user: UserId,
    session: SessionId,
) -> DomainResult<EndedSession> {
    let mine = sessions::live_of(conn, user)?
        .iter()
        .any(|s| *s.id == session);
    if !mine {
        return Err(DomainError::NotFound(Missing::Session));
    }
    sessions::revoke(conn, session)?;
    Ok(EndedSession {
        user_id: user,
        session_id: session,
    })
}

/// Signs out every device of mine but `keep`.
pub fn end_other_devices(conn: &mut DbConn, user: UserId, keep: SessionId) -> DomainResult<()> {
    Ok(sessions::revoke_all(conn, user, Some(keep))?)
}

/// Ends the session of a refresh token.
pub fn logout(conn: &mut DbConn, refresh_token: &str) -> DomainResult<EndedSession> {
    let hash = hash_refresh_token(refresh_token);
    let session = sessions::find_live_by_hash(conn, &hash)?.ok_or(DomainError::InvalidToken)?;
    sessions::revoke(conn, *session.id)?;
    Ok(EndedSession {
        user_id: *session.user_id,
        session_id: *session.id,
    })
}

pub fn me(conn: &mut DbConn, user_id: UserId, presence: &dyn Presence) -> DomainResult<Me> {
    let user = users::find(conn, user_id)?.ok_or(DomainError::InvalidToken)?;
    let two_factor = super::two_factor::is_enabled(conn, user_id)?;
    Ok(user.to_me(presence.is_online(*user.id), two_factor))
}

/// Where an uploaded avatar is served (`GET /api/v1/avatars/{id}`).
pub fn avatar_path(id: uuid::Uuid) -> String {
    format!("{AVATARS}{id}")
}

const AVATARS: &str = "/api/v1/avatars/";

/// The uploaded avatar an `avatar_url` names, if it names one of ours.
fn uploaded_avatar(url: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::try_parse(url.strip_prefix(AVATARS)?).ok()
}

/// Sets the avatar to an uploaded picture, or clears it. Answers the
/// profile, and the uploaded avatar it replaced, whose file may go.
pub fn set_avatar(
    conn: &mut DbConn,
    user_id: UserId,
    avatar: Option<uuid::Uuid>,
    presence: &dyn Presence,
) -> DomainResult<(Me, Option<uuid::Uuid>)> {
    let before = find_user(conn, user_id)?.avatar_url;
    let changes = users::ProfileChanges {
        avatar_url: Some(avatar.map(avatar_path)),
        ..Default::default()
    };
    users::update_profile(conn, user_id, &changes)?;
    let replaced = before.as_deref().and_then(uploaded_avatar);
    Ok((me(conn, user_id, presence)?, replaced))
}

/// Checks every field before changing any, so a bad field changes nothing.
pub fn update_me(
    conn: &mut DbConn,
    user_id: UserId,
    req: UpdateMeRequest,
    presence: &dyn Presence,
) -> DomainResult<Me> {
    // A blank value clears; the rules read the value as sent (their length
    // limits count it whole).
    let unless_blank = |v: String, rule: fn(&str) -> Result<String, validate::Invalid>| {
        (!v.trim().is_empty()).then(|| rule(&v)).transpose()
    };
    let changes = users::ProfileChanges {
        display_name: req
            .display_name
            .map(|d| DisplayName::parse(&d).map(DisplayName::into_inner))
            .transpose()?,
        bio: req.bio.map(|b| validate::bio(&b)).transpose()?,
        interests: req
            .interests
            .map(|i| validate::interests(&i))
            .transpose()?
            .map(|list| serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())),
        avatar_url: req
            .avatar_url
            .map(|a| unless_blank(a, validate::avatar_url))
            .transpose()?,
        email: req
            .email
            .map(|e| unless_blank(e, validate::email))
            .transpose()?,
        profile_visibility: req.profile_visibility.map(|v| v.as_str().to_owned()),
    };
    users::update_profile(conn, user_id, &changes)?;
    me(conn, user_id, presence)
}

/// After the current password was verified: store the new hash and sign out
/// every other device.
pub fn change_password(
    conn: &mut DbConn,
    user_id: UserId,
    keep_session: SessionId,
    new_hash: &str,
) -> DomainResult<()> {
    users::set_password(conn, user_id, new_hash)?;
    sessions::revoke_all(conn, user_id, Some(keep_session))?;
    Ok(())
}

/// After the password was verified: the person is gone, their messages stay
/// with no sender, their username stays reserved (their photos go with the
/// next file sweep). Returns their uploaded avatar, whose file may go, and
/// the rooms they left, for the live `member_left` events.
pub fn delete_account(
    conn: &mut DbConn,
    user_id: UserId,
) -> DomainResult<(Option<uuid::Uuid>, Vec<Outbound>)> {
    let avatar = find_user(conn, user_id)?
        .avatar_url
        .as_deref()
        .and_then(uploaded_avatar);
    let room_ids = members::room_ids_of(conn, user_id)?;
    let rooms_left: Vec<(RoomId, Option<UserId>)> = room_ids
        .into_iter()
        .map(|room| {
            let heir = super::rooms::hand_over_if_owner(conn, room, user_id)?;
            Ok((room, heir))
        })
        .collect::<DomainResult<_>>()?;
    messages::forget_sender(conn, user_id)?;
    storage::queries::reactions::remove_all_of(conn, user_id)?;
    members::remove_all_of(conn, user_id)?;
    sessions::revoke_all(conn, user_id, None)?;
    users::tombstone(conn, user_id)?;
    let events = rooms_left
        .into_iter()
        .map(|(room, _)| {
            Outbound::room(
                room,
                ServerEvent::MemberLeft {
                    room_id: room,
                    user_id,
                },
            )
        })
        .collect();
    Ok((avatar, events))
}

/// A profile as `viewer` may see it.
pub fn profile(
    conn: &mut DbConn,
    viewer: UserId,
    user_id: UserId,
    presence: &dyn Presence,
) -> DomainResult<User> {
    let user = find_user(conn, user_id)?;
    visible_profile(conn, viewer, user, presence)
}

pub fn search(
    conn: &mut DbConn,
    viewer: UserId,
    q: &str,
    limit: i64,
    presence: &dyn Presence,
) -> DomainResult<Vec<User>> {
    let q = protocol::validate::search_query(q)?;
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let rows = users::search(conn, &q, limit)?;
    visible_rows(conn, viewer, &rows, presence)
}

pub fn activity(
    conn: &mut DbConn,
    user_id: UserId,
    before: Option<ActivityId>,
    limit: i64,
) -> DomainResult<Vec<Activity>> {
    Ok(activity::list(conn, user_id, before, limit)?
        .into_iter()
        .map(ActivityRow::into_activity)
        .collect())
}
