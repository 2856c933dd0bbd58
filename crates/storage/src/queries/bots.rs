//! The `bots`, `bot_tokens` and `incoming_webhooks` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use protocol::{EventQueueId, OutgoingTrigger, UserId, WebhookId};

use crate::models::{BotRow, BotTokenRow, IncomingWebhookRow, SessionRow, UserRow, now};
use crate::queries::{keys, parsed};
use crate::schema::{bot_tokens, bots, incoming_webhooks, sessions, users};
use crate::{DbConn, DbResult};

pub fn insert(conn: &mut DbConn, row: &BotRow) -> DbResult<()> {
    diesel::insert_into(bots::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// A bot that is not deleted, with its user.
pub fn find(conn: &mut DbConn, bot: UserId) -> DbResult<Option<(BotRow, UserRow)>> {
    Ok(bots::table
        .inner_join(users::table)
        .filter(bots::user_id.eq(bot.to_string()))
        .filter(users::deleted_at.is_null())
        .select((BotRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The bots `owner` keeps, oldest first.
pub fn of_owner(conn: &mut DbConn, owner: UserId) -> DbResult<Vec<(BotRow, UserRow)>> {
    Ok(bots::table
        .inner_join(users::table)
        .filter(bots::owner_id.eq(owner.to_string()))
        .filter(users::deleted_at.is_null())
        .order(bots::created_at.asc())
        .select((BotRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

/// `(bot, owner)` for those of `users` that are bots (deleted ones too:
/// their messages still speak for their owner).
pub fn owners_of(conn: &mut DbConn, users: &[UserId]) -> DbResult<Vec<(UserId, UserId)>> {
    let mut found = Vec::new();
    for chunk in users.chunks(1000) {
        let rows: Vec<(String, String)> = bots::table
            .filter(bots::user_id.eq_any(keys(chunk)))
            .select((bots::user_id, bots::owner_id))
            .load(conn)?;
        let (bots, owners): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
        found.extend(parsed(bots)?.into_iter().zip(parsed(owners)?));
    }
    Ok(found)
}

/// Bots with an outgoing webhook, and its queue.
pub fn with_outgoing(conn: &mut DbConn) -> DbResult<Vec<(BotRow, UserRow)>> {
    Ok(bots::table
        .inner_join(users::table)
        .filter(bots::outgoing_queue.is_not_null())
        .filter(users::deleted_at.is_null())
        .select((BotRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

pub struct Outgoing<'a> {
    pub url: &'a str,
    pub trigger: OutgoingTrigger,
    pub secret: &'a str,
    pub queue: EventQueueId,
}

pub fn set_outgoing(conn: &mut DbConn, bot: UserId, to: Option<Outgoing<'_>>) -> DbResult<()> {
    let target = bots::table.find(bot.to_string());
    diesel::update(target)
        .set((
            bots::outgoing_url.eq(to.as_ref().map(|o| o.url)),
            bots::outgoing_trigger.eq(to.as_ref().map(|o| o.trigger.as_str())),
            bots::outgoing_secret.eq(to.as_ref().map(|o| o.secret)),
            bots::outgoing_queue.eq(to.as_ref().map(|o| o.queue.to_string())),
            bots::outgoing_seen.eq(None::<String>),
            bots::delivered_at.eq(None::<NaiveDateTime>),
            bots::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Points the bot's outgoing webhook at a new queue, unless it was set
/// anew meanwhile.
pub fn replace_queue(
    conn: &mut DbConn,
    bot: UserId,
    old: EventQueueId,
    new: EventQueueId,
) -> DbResult<()> {
    diesel::update(
        bots::table
            .find(bot.to_string())
            .filter(bots::outgoing_queue.eq(old.to_string())),
    )
    .set((
        bots::outgoing_queue.eq(Some(new.to_string())),
        bots::outgoing_seen.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}

/// The newest message handled in each room (JSON) by the outgoing webhook
/// reading `queue`, once it has started.
pub fn seen(conn: &mut DbConn, bot: UserId, queue: EventQueueId) -> DbResult<Option<String>> {
    Ok(bots::table
        .find(bot.to_string())
        .filter(bots::outgoing_queue.eq(queue.to_string()))
        .select(bots::outgoing_seen)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

pub fn set_seen(conn: &mut DbConn, bot: UserId, queue: EventQueueId, seen: &str) -> DbResult<()> {
    diesel::update(
        bots::table
            .find(bot.to_string())
            .filter(bots::outgoing_queue.eq(queue.to_string())),
    )
    .set(bots::outgoing_seen.eq(Some(seen)))
    .execute(conn)?;
    Ok(())
}

/// How the last call of the outgoing webhook reading `queue` went (a
/// webhook set anew since has another queue, and is left alone).
pub fn record_call(
    conn: &mut DbConn,
    bot: UserId,
    queue: EventQueueId,
    error: Option<&str>,
) -> DbResult<()> {
    let target = bots::table
        .find(bot.to_string())
        .filter(bots::outgoing_queue.eq(queue.to_string()));
    match error {
        None => diesel::update(target)
            .set((
                bots::delivered_at.eq(Some(now())),
                bots::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Some(error) => diesel::update(target)
            .set(bots::last_error.eq(Some(error)))
            .execute(conn)?,
    };
    Ok(())
}

pub fn insert_token(conn: &mut DbConn, session: &SessionRow, token: &BotTokenRow) -> DbResult<()> {
    diesel::insert_into(sessions::table)
        .values(session.clone())
        .execute(conn)?;
    diesel::insert_into(bot_tokens::table)
        .values(token.clone())
        .execute(conn)?;
    Ok(())
}

/// The live tokens of a bot, with their sessions, oldest first.
pub fn tokens_of(conn: &mut DbConn, bot: UserId) -> DbResult<Vec<(BotTokenRow, SessionRow)>> {
    Ok(bot_tokens::table
        .inner_join(sessions::table)
        .filter(bot_tokens::bot_id.eq(bot.to_string()))
        .filter(sessions::revoked_at.is_null())
        .order(sessions::created_at.asc())
        .select((BotTokenRow::as_select(), SessionRow::as_select()))
        .load(conn)?)
}

/// The token whose hash this is, if its session is live and its bot not
/// deleted.
pub fn live_token(conn: &mut DbConn, hash: &str) -> DbResult<Option<(BotTokenRow, SessionRow)>> {
    Ok(bot_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(bot_tokens::token_hash.eq(hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .filter(users::deleted_at.is_null())
        .select((BotTokenRow::as_select(), SessionRow::as_select()))
        .first(conn)
        .optional()?)
}

pub fn insert_webhook(conn: &mut DbConn, row: &IncomingWebhookRow) -> DbResult<()> {
    diesel::insert_into(incoming_webhooks::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn webhooks_of(conn: &mut DbConn, bot: UserId) -> DbResult<Vec<IncomingWebhookRow>> {
    Ok(incoming_webhooks::table
        .filter(incoming_webhooks::bot_id.eq(bot.to_string()))
        .order(incoming_webhooks::created_at.asc())
        .select(IncomingWebhookRow::as_select())
        .load(conn)?)
}

pub fn find_webhook(conn: &mut DbConn, id: WebhookId) -> DbResult<Option<IncomingWebhookRow>> {
    Ok(incoming_webhooks::table
        .find(id.to_string())
        .select(IncomingWebhookRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn delete_webhook(conn: &mut DbConn, id: WebhookId) -> DbResult<bool> {
    Ok(diesel::delete(incoming_webhooks::table.find(id.to_string())).execute(conn)? > 0)
}

/// A deleted bot keeps its user row (its messages keep their sender) and
/// loses its webhooks.
pub fn forget_webhooks(conn: &mut DbConn, bot: UserId) -> DbResult<()> {
    diesel::delete(incoming_webhooks::table.filter(incoming_webhooks::bot_id.eq(bot.to_string())))
        .execute(conn)?;
    Ok(())
}

/// The bots `owner` keeps (for deleting them with the owner's account).
pub fn ids_of_owner(conn: &mut DbConn, owner: UserId) -> DbResult<Vec<UserId>> {
    let texts: Vec<String> = bots::table
        .filter(bots::owner_id.eq(owner.to_string()))
        .select(bots::user_id)
        .load(conn)?;
    super::parsed(texts)
}
