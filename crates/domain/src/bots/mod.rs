//! Bots: accounts a person runs programs under.
//!
//! A bot is a user (a member of rooms, the sender of its messages) with an
//! owner and no password. Its programs sign in with tokens, each a session
//! of the bot with scopes: revoking one is signing that session out, which
//! closes its sockets as any revocation does. Only the owner, signed in as
//! a person, manages a bot; a bot token never can.

pub mod incoming;
pub mod outgoing;

use chrono::Duration;
use protocol::validate::{self, DisplayName, Username};
use protocol::{
    Bot, BotScope, BotToken, CreateBotRequest, CreateBotTokenRequest, ErrorCode, IssuedBotToken,
    SessionId, UserId,
};

use super::accounts::EndedSession;
use super::events::Outbound;
use super::refresh_tokens::{hash_refresh_token, new_refresh_token};
use crate::error::{DomainError, DomainResult, Missing};
use storage::models::{BotRow, BotTokenRow, SessionRow, Stored, UserRow, new_id, now, utc};
use storage::queries::{bots as stored, event_queues, sessions, users};
use storage::{DbConn, DbError, UniqueKey};

/// Bots one person keeps.
pub const BOTS_PER_OWNER: usize = 20;
/// Live tokens one bot has.
pub const TOKENS_PER_BOT: usize = 20;
/// What every bot token starts with, so that it is told from an access
/// token at a glance (and by secret scanners).
pub const TOKEN_PREFIX: &str = "tcb_";
/// A bot's password hash: not a hash at all, so no password ever matches.
const NO_PASSWORD: &str = "!bot";

/// What a request may do, by how it signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A person's session: anything their account may.
    Person,
    /// A bot token: what its scopes allow, never the account's management.
    Bot { read: bool, write: bool },
}

impl Access {
    pub fn may(self, scope: BotScope) -> bool {
        match (self, scope) {
            (Self::Person, _) => true,
            (Self::Bot { read, .. }, BotScope::Read) => read,
            (Self::Bot { write, .. }, BotScope::Write) => write,
        }
    }

    /// Refuses a bot token where `scope` is needed and not granted.
    pub fn require(self, scope: BotScope) -> DomainResult<()> {
        if self.may(scope) {
            return Ok(());
        }
        Err(DomainError::refused(
            ErrorCode::InsufficientScope,
            format!("this bot token lacks the `{}` scope", scope.as_str()),
        ))
    }

    /// Refuses a bot token outright: managing bots, sessions, the password
    /// and two-factor sign-in takes a person.
    pub fn require_person(self) -> DomainResult<()> {
        match self {
            Self::Person => Ok(()),
            Self::Bot { .. } => Err(DomainError::refused(
                ErrorCode::InsufficientScope,
                "a bot token cannot do this: sign in as the bot's owner",
            )),
        }
    }

    fn of_scopes(stored: &str) -> Self {
        let granted = scopes(stored);
        Self::Bot {
            read: granted.contains(&BotScope::Read),
            write: granted.contains(&BotScope::Write),
        }
    }
}

/// The scopes of a token as stored (space-separated names).
fn scopes(stored: &str) -> Vec<BotScope> {
    stored.split(' ').filter_map(BotScope::parse).collect()
}

/// Who a bot token speaks for.
pub struct TokenHolder {
    pub bot: UserId,
    pub session: SessionId,
    pub access: Access,
}

/// The bot and session of a token, if it is one of a live bot session.
pub fn authenticate(conn: &mut DbConn, token: &str) -> DomainResult<TokenHolder> {
    let (token, session) =
        stored::live_token(conn, &hash_refresh_token(token))?.ok_or(DomainError::InvalidToken)?;
    // "Last used" to the minute is enough for the owner's list, and spares
    // a write on every request.
    if session.last_used_at < now() - Duration::minutes(1) {
        sessions::touch(conn, *session.id)?;
    }
    Ok(TokenHolder {
        bot: *token.bot_id,
        session: *session.id,
        access: Access::of_scopes(&token.scopes),
    })
}

fn to_bot(bot: &BotRow, user: &UserRow) -> Bot {
    Bot {
        id: *user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        description: bot.description.clone(),
        owner_id: *bot.owner_id,
        created_at: utc(bot.created_at),
        outgoing: outgoing::view(bot),
    }
}

/// The bot, if `owner` keeps it (anyone else's is as unknown as none).
pub(super) fn owned(
    conn: &mut DbConn,
    owner: UserId,
    bot: UserId,
) -> DomainResult<(BotRow, UserRow)> {
    stored::find(conn, bot)?
        .filter(|(row, _)| *row.owner_id == owner)
        .ok_or(DomainError::NotFound(Missing::Bot))
}

pub fn create(conn: &mut DbConn, owner: UserId, req: CreateBotRequest) -> DomainResult<Bot> {
    let username = Username::parse(&req.username)?;
    let display_name = match req.display_name.as_deref() {
        Some(name) => DisplayName::parse(name)?,
        None => DisplayName::parse(username.as_str())?,
    };
    let description = validate::description(req.description.as_deref().unwrap_or(""))?;
    if stored::find(conn, owner)?.is_some() {
        return Err(DomainError::forbidden("a bot cannot own bots"));
    }
    if stored::of_owner(conn, owner)?.len() >= BOTS_PER_OWNER {
        return Err(DomainError::conflict(
            ErrorCode::Conflict,
            format!("you keep {BOTS_PER_OWNER} bots already: delete one first"),
        ));
    }
    let at = now();
    let user = UserRow {
        id: Stored(new_id()),
        username_key: username.key(),
        username: username.into_inner(),
        password_hash: NO_PASSWORD.into(),
        display_name: display_name.into_inner(),
        bio: String::new(),
        interests: "[]".into(),
        avatar_url: None,
        email: None,
        profile_visibility: Stored(protocol::ProfileVisibility::Public),
        created_at: at,
        deleted_at: None,
    };
    match users::insert(conn, &user) {
        Err(DbError::Duplicate(UniqueKey::Username)) => {
            return Err(DomainError::conflict(
                ErrorCode::UsernameTaken,
                "that username is already taken",
            ));
        }
        other => other?,
    }
    let bot = BotRow {
        user_id: user.id,
        owner_id: Stored(owner),
        description,
        created_at: at,
        outgoing_url: None,
        outgoing_trigger: Stored(None),
        outgoing_secret: None,
        outgoing_queue: Stored(None),
        outgoing_seen: None,
        delivered_at: None,
        last_error: None,
    };
    stored::insert(conn, &bot)?;
    Ok(to_bot(&bot, &user))
}

pub fn list(conn: &mut DbConn, owner: UserId) -> DomainResult<Vec<Bot>> {
    Ok(stored::of_owner(conn, owner)?
        .iter()
        .map(|(bot, user)| to_bot(bot, user))
        .collect())
}

pub fn get(conn: &mut DbConn, owner: UserId, bot: UserId) -> DomainResult<Bot> {
    let (bot, user) = owned(conn, owner, bot)?;
    Ok(to_bot(&bot, &user))
}

/// Deletes a bot as an account is deleted (its messages stay, without a
/// sender; its username stays reserved), with its webhooks. Returns the
/// live events of the rooms it left; its sessions are to be closed.
pub fn delete(conn: &mut DbConn, owner: UserId, bot: UserId) -> DomainResult<Vec<Outbound>> {
    let (row, _) = owned(conn, owner, bot)?;
    remove(conn, &row)
}

fn remove(conn: &mut DbConn, row: &BotRow) -> DomainResult<Vec<Outbound>> {
    let bot = *row.user_id;
    if let Some(queue) = *row.outgoing_queue {
        event_queues::delete(conn, queue)?;
    }
    stored::set_outgoing(conn, bot, None)?;
    stored::forget_webhooks(conn, bot)?;
    let (_, events) = super::accounts::delete_account(conn, bot)?;
    Ok(events)
}

/// The bots of an account being deleted go with it; which, for closing
/// their sessions.
pub fn delete_all_of(
    conn: &mut DbConn,
    owner: UserId,
) -> DomainResult<(Vec<UserId>, Vec<Outbound>)> {
    let mut events = Vec::new();
    let mut gone = Vec::new();
    for (row, _) in stored::of_owner(conn, owner)? {
        events.extend(remove(conn, &row)?);
        gone.push(*row.user_id);
    }
    Ok((gone, events))
}

fn to_token(token: &BotTokenRow, session: &SessionRow) -> BotToken {
    BotToken {
        id: *session.id,
        name: token.name.clone(),
        scopes: scopes(&token.scopes),
        created_at: utc(session.created_at),
        last_used_at: utc(session.last_used_at),
    }
}

/// A new token for the bot; its secret is in the answer only.
pub fn issue_token(
    conn: &mut DbConn,
    owner: UserId,
    bot: UserId,
    req: CreateBotTokenRequest,
) -> DomainResult<IssuedBotToken> {
    let name = validate::label(&req.name)?;
    if req.scopes.is_empty() {
        return Err(DomainError::validation(
            "scopes must name at least one scope",
        ));
    }
    let mut scopes = req.scopes.clone();
    scopes.sort_by_key(|s| s.as_str());
    scopes.dedup();
    if scopes.len() != req.scopes.len() {
        return Err(DomainError::validation("scopes must name each scope once"));
    }
    owned(conn, owner, bot)?;
    if stored::tokens_of(conn, bot)?.len() >= TOKENS_PER_BOT {
        return Err(DomainError::conflict(
            ErrorCode::Conflict,
            format!("this bot has {TOKENS_PER_BOT} tokens already: revoke one first"),
        ));
    }
    let (secret, _) = new_refresh_token();
    let token = format!("{TOKEN_PREFIX}{secret}");
    let session = bot_session(bot, &format!("bot token: {name}"));
    let row = BotTokenRow {
        session_id: session.id,
        bot_id: Stored(bot),
        name,
        token_hash: hash_refresh_token(&token),
        scopes: scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    };
    stored::insert_token(conn, &session, &row)?;
    Ok(IssuedBotToken {
        token,
        info: to_token(&row, &session),
    })
}

/// A session of the bot that no refresh token opens (its `token_hash` is
/// of a secret nobody keeps) and that does not expire: it ends when it is
/// revoked.
pub(super) fn bot_session(bot: UserId, client: &str) -> SessionRow {
    let (_, unused_hash) = new_refresh_token();
    let at = now();
    SessionRow {
        id: Stored(new_id()),
        user_id: Stored(bot),
        token_hash: unused_hash,
        client: client.chars().take(200).collect(),
        created_at: at,
        last_used_at: at,
        expires_at: at + Duration::days(365 * 100),
        revoked_at: None,
        previous_hash: None,
        rotated_at: None,
        address: None,
    }
}

pub fn tokens(conn: &mut DbConn, owner: UserId, bot: UserId) -> DomainResult<Vec<BotToken>> {
    owned(conn, owner, bot)?;
    Ok(stored::tokens_of(conn, bot)?
        .iter()
        .map(|(token, session)| to_token(token, session))
        .collect())
}

pub fn revoke_token(
    conn: &mut DbConn,
    owner: UserId,
    bot: UserId,
    token: SessionId,
) -> DomainResult<EndedSession> {
    owned(conn, owner, bot)?;
    let known = stored::tokens_of(conn, bot)?
        .iter()
        .any(|(_, session)| *session.id == token);
    if !known {
        return Err(DomainError::NotFound(Missing::Session));
    }
    sessions::revoke(conn, token)?;
    Ok(EndedSession {
        user_id: bot,
        session_id: token,
    })
}
