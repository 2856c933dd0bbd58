//! Blocks as every rule reads them. A bot acts under its owner's blocks:
//! a block of (or by) the owner holds for each of their bots too, so a
//! blocked person cannot reach the blocker through a bot of theirs, nor
//! the blocker's bots. Rules ask here, never the block table directly.

use std::collections::HashMap;

use protocol::UserId;

use crate::distinct_ids;
use crate::error::DomainResult;
use storage::DbConn;
use storage::queries::{bots, social};

/// The owners of the bots among some people, read once for a rule that
/// asks about several of them (a batch of messages).
#[derive(Debug, Default)]
pub struct Owners(HashMap<UserId, UserId>);

impl Owners {
    pub fn of(conn: &mut DbConn, people: &[UserId]) -> DomainResult<Self> {
        let people = distinct_ids(people.iter().copied());
        Ok(Self(bots::owners_of(conn, &people)?.into_iter().collect()))
    }

    /// The owner of `user`, when it is a bot.
    pub fn owner(&self, user: UserId) -> Option<UserId> {
        self.0.get(&user).copied()
    }

    /// Who `user` stands for in a block: themselves, and a bot its owner.
    fn acting(&self, user: UserId) -> Vec<UserId> {
        std::iter::once(user).chain(self.owner(user)).collect()
    }

    /// Whether either of `a` and `b` blocked the other (each asked about
    /// must have been among the people read).
    pub fn either_way(&self, conn: &mut DbConn, a: UserId, b: UserId) -> DomainResult<bool> {
        Ok(social::blocked_between(
            conn,
            &self.acting(a),
            &self.acting(b),
        )?)
    }
}

/// Whether either of `a` and `b` blocked the other.
pub fn either_way(conn: &mut DbConn, a: UserId, b: UserId) -> DomainResult<bool> {
    Owners::of(conn, &[a, b])?.either_way(conn, a, b)
}

/// Whether `blocker` blocked `blocked`.
pub fn has_blocked(conn: &mut DbConn, blocker: UserId, blocked: UserId) -> DomainResult<bool> {
    let owners = Owners::of(conn, &[blocker, blocked])?;
    Ok(!social::blockers_among(conn, &owners.acting(blocked), &owners.acting(blocker))?.is_empty())
}

/// Those of `candidates` who blocked `sender`.
pub fn blockers_of(
    conn: &mut DbConn,
    sender: UserId,
    candidates: &[UserId],
) -> DomainResult<Vec<UserId>> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut asked = candidates.to_vec();
    asked.push(sender);
    let owners = Owners::of(conn, &asked)?;
    let acting: Vec<UserId> = candidates.iter().flat_map(|&c| owners.acting(c)).collect();
    let blockers = social::blockers_among(conn, &owners.acting(sender), &acting)?;
    Ok(candidates
        .iter()
        .copied()
        .filter(|&c| owners.acting(c).iter().any(|a| blockers.contains(a)))
        .collect())
}

/// `user` and the bots they own: everyone a block between `user` and
/// someone else stands between (a bot's own block is its alone), so that
/// the block can end what was between them (friendships, requests).
pub fn circle_of(conn: &mut DbConn, user: UserId) -> DomainResult<Vec<UserId>> {
    let mut circle = vec![user];
    circle.extend(crate::owners::ids_of_owner(conn, user)?);
    Ok(distinct_ids(circle))
}
