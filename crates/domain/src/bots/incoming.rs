//! Incoming webhooks: a secret URL that posts into one room as a bot, for
//! programs that can make an HTTP request and nothing more.
//!
//! The secret is in the URL (as the products people compare us with do);
//! only its SHA-256 is kept, so the URL is shown once, when made.

use protocol::validate;
use protocol::{CreateWebhookRequest, IncomingWebhook, IssuedWebhook, RoomId, UserId, WebhookId};

use super::owned;
use crate::Presence;
use crate::error::{DomainError, DomainResult, Missing};
use crate::events::Outbound;
use crate::refresh_tokens::{hash_refresh_token, new_refresh_token};
use crate::rooms as groups;
use storage::DbConn;
use storage::models::{IncomingWebhookRow, Stored, new_id, now, utc};
use storage::queries::{bots as stored, members, rooms};

/// Webhooks one bot has.
pub const WEBHOOKS_PER_BOT: usize = 20;

fn view(row: &IncomingWebhookRow) -> IncomingWebhook {
    IncomingWebhook {
        id: *row.id,
        bot_id: *row.bot_id,
        room_id: *row.room_id,
        name: row.name.clone(),
        created_at: utc(row.created_at),
    }
}

/// Where a webhook posts: the path of this server's route.
fn url_of(id: WebhookId, secret: &str) -> String {
    format!("/api/v1/hooks/{id}/{secret}")
}

/// A webhook of the bot into a room the owner is in. The bot joins the
/// room first if it must: a public group as anyone may, a private one on
/// the owner's invitation (which takes a moderator).
pub fn create(
    conn: &mut DbConn,
    owner: UserId,
    bot: UserId,
    req: CreateWebhookRequest,
    presence: &dyn Presence,
) -> DomainResult<(IssuedWebhook, Vec<Outbound>)> {
    let name = validate::label(&req.name)?;
    owned(conn, owner, bot)?;
    let room_id = req.room_id;
    let mut events = Vec::new();
    if members::find(conn, room_id, owner)?.is_none() {
        return Err(DomainError::NotFound(Missing::Room));
    }
    if stored::webhooks_of(conn, bot)?.len() >= WEBHOOKS_PER_BOT {
        return Err(DomainError::conflict(
            protocol::ErrorCode::Conflict,
            format!("this bot has {WEBHOOKS_PER_BOT} webhooks already: delete one first"),
        ));
    }
    if members::find(conn, room_id, bot)?.is_none() {
        let room = rooms::find(conn, room_id)?.ok_or(DomainError::NotFound(Missing::Room))?;
        if room.kind() == protocol::RoomKind::Direct {
            return Err(DomainError::forbidden(
                "bots post into groups, not into direct conversations",
            ));
        }
        if !room.is_public() {
            events.extend(groups::invite(conn, owner, room_id, bot, presence)?);
        }
        let (_, joined) = groups::join(conn, bot, room_id, presence)?;
        events.extend(joined);
    }
    let (secret, secret_hash) = new_refresh_token();
    let row = IncomingWebhookRow {
        id: Stored(new_id()),
        bot_id: Stored(bot),
        room_id: Stored(room_id),
        name,
        secret_hash,
        created_at: now(),
    };
    stored::insert_webhook(conn, &row)?;
    let issued = IssuedWebhook {
        url: url_of(*row.id, &secret),
        info: view(&row),
    };
    Ok((issued, events))
}

pub fn list(conn: &mut DbConn, owner: UserId, bot: UserId) -> DomainResult<Vec<IncomingWebhook>> {
    owned(conn, owner, bot)?;
    Ok(stored::webhooks_of(conn, bot)?.iter().map(view).collect())
}

pub fn delete(conn: &mut DbConn, owner: UserId, bot: UserId, id: WebhookId) -> DomainResult<()> {
    owned(conn, owner, bot)?;
    let found = stored::find_webhook(conn, id)?.filter(|row| *row.bot_id == bot);
    if found.is_none() || !stored::delete_webhook(conn, id)? {
        return Err(DomainError::NotFound(Missing::Webhook));
    }
    Ok(())
}

/// The bot and room a webhook's URL posts as and into. A wrong secret is
/// as unknown as a webhook that never was.
pub fn resolve(conn: &mut DbConn, id: WebhookId, secret: &str) -> DomainResult<(UserId, RoomId)> {
    let row = stored::find_webhook(conn, id)?
        .filter(|row| row.secret_hash == hash_refresh_token(secret))
        .ok_or(DomainError::NotFound(Missing::Webhook))?;
    stored::find(conn, *row.bot_id)?.ok_or(DomainError::NotFound(Missing::Webhook))?;
    Ok((*row.bot_id, *row.room_id))
}
