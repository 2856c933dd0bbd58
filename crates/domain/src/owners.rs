//! Who stands behind a bot: its owner, whose blocks and bans it acts under,
//! and the bots a person keeps. Below the rules that ask (blocks, room
//! membership, moderation), so none of them needs the bots module for it.

use protocol::UserId;

use crate::error::DomainResult;
use storage::DbConn;
use storage::queries::bots as stored;

/// The owner of `user`, when it is a bot: whose blocks and bans it acts
/// under.
pub fn owner_of(conn: &mut DbConn, user: UserId) -> DomainResult<Option<UserId>> {
    Ok(stored::owners_of(conn, &[user])?
        .into_iter()
        .next()
        .map(|(_, owner)| owner))
}

/// The bots `owner` keeps.
pub fn ids_of_owner(conn: &mut DbConn, owner: UserId) -> DomainResult<Vec<UserId>> {
    Ok(stored::of_owner(conn, owner)?
        .iter()
        .map(|(bot, _)| *bot.user_id)
        .collect())
}
