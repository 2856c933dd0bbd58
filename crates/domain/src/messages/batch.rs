//! The one write path for new messages: a batch of posts from any rooms
//! and transports, checked together and stored in one transaction.

use protocol::{
    Attachment, AttachmentId, ErrorCode, MessageId, NotificationKind, NotificationLevel, RoomId,
    RoomKind, ServerEvent, UserId,
};

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Draft, Posted, load};
use crate::attachments;
use crate::blocks;
use crate::error::{DomainError, DomainResult, Missing, Race};
use crate::events::Outbound;
use crate::notifications::{About, notify};
use crate::{Presence, distinct_ids};
use storage::models::{
    AttachmentRow, MentionRow, MessageRow, RoomRow, SenderRow, Stored, new_id, now,
};
use storage::queries::messages::ClientKey;
use storage::queries::{attachments as files, members, messages, rooms, users};
use storage::{DbConn, DbError, UniqueKey};

/// One message to store: who sends what where.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub sender: UserId,
    pub room_id: RoomId,
    pub draft: Draft,
}

impl NewPost {
    /// What makes a repeat of this post a repeat, when it has a `client_id`.
    fn client_key(&self) -> Option<ClientKey<'_>> {
        Some(ClientKey {
            room_id: self.room_id,
            sender_id: self.sender,
            client_id: self.draft.client_id.as_deref()?,
        })
    }
}

/// What became of one post of a batch before anything was written.
enum Plan {
    /// Settled without a new row: refused, or a repeat of a stored message.
    Settled(DomainResult<Posted>),
    /// A new row (its `seq` is assigned once the whole batch is checked).
    New(MessageRow),
    /// A repeat, within the batch, of the post at this index.
    SameAs(usize),
}

/// Stores a batch of posts in the caller's write transaction, answering
/// each on its own: one refused post fails nothing else.
///
/// Every check reads the whole batch at once (rooms, memberships, senders,
/// earlier `client_id`s, reply roots), so a batch costs a handful of
/// statements whatever its size. Numbers are taken only for posts that
/// passed, room by room in id order (the fixed order keeps two writers from
/// deadlocking), and the rows go in with one multi-row INSERT. The outer
/// `Err` is a storage failure that rolls back the whole batch.
pub fn post_batch(
    conn: &mut DbConn,
    posts: &[NewPost],
    presence: &dyn Presence,
) -> DomainResult<Vec<DomainResult<Posted>>> {
    let room_ids = distinct_ids(posts.iter().map(|p| p.room_id));
    let sender_ids = distinct_ids(posts.iter().map(|p| p.sender));
    let rooms: HashMap<RoomId, RoomRow> = rooms::find_many(conn, &room_ids)?
        .into_iter()
        .map(|r| (*r.id, r))
        .collect();
    let asked = distinct_ids(posts.iter().map(|p| (p.room_id, p.sender)));
    let memberships: HashSet<(RoomId, UserId)> = members::find_pairs(conn, &asked)?
        .into_iter()
        .map(|m| (*m.room_id, *m.user_id))
        .collect();
    let senders: HashMap<UserId, SenderRow> = users::senders(conn, &sender_ids)?
        .into_iter()
        .map(|s| (*s.id, s))
        .collect();
    let keys: Vec<ClientKey<'_>> = posts
        .iter()
        .filter_map(|p| p.client_key())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stored: HashMap<(RoomId, UserId, String), MessageRow> =
        messages::find_by_client_ids(conn, &keys)?
            .into_iter()
            .filter_map(|m| {
                let key = (*m.room_id, (*m.sender_id)?, m.client_id.clone()?);
                Some((key, m))
            })
            .collect();
    // Bots act under their owners' blocks and bans: the owners of the bots
    // among the senders and the people of direct rooms, read once.
    let mut people = sender_ids.clone();
    people.extend(
        rooms
            .values()
            .filter_map(RoomRow::direct_pair)
            .flat_map(|(a, b)| [a, b]),
    );
    let owners = blocks::Owners::of(conn, &people)?;
    // A direct room stays, but nobody talks in it while one blocked the other.
    let mut blocked_rooms: HashSet<RoomId> = HashSet::new();
    for room in rooms.values() {
        if let Some((a, b)) = room.direct_pair()
            && owners.either_way(conn, a, b)?
        {
            blocked_rooms.insert(*room.id);
        }
    }
    // Nor does a bot post where its owner is banned.
    let bot_rooms = distinct_ids(
        posts
            .iter()
            .filter_map(|p| Some((p.room_id, owners.owner(p.sender)?))),
    );
    let banned_owners: HashSet<(RoomId, UserId)> = if bot_rooms.is_empty() {
        HashSet::new()
    } else {
        members::banned_pairs(conn, &bot_rooms)?
            .into_iter()
            .collect()
    };
    let root_ids = distinct_ids(posts.iter().filter_map(|p| p.draft.reply_to));
    let roots: HashMap<MessageId, MessageRow> = if root_ids.is_empty() {
        HashMap::new()
    } else {
        messages::find_many(conn, &root_ids)?
            .into_iter()
            .map(|m| (*m.id, m))
            .collect()
    };
    let file_ids = distinct_ids(
        posts
            .iter()
            .flat_map(|p| p.draft.attachments.iter().copied()),
    );
    let files: HashMap<AttachmentId, AttachmentRow> = if file_ids.is_empty() {
        HashMap::new()
    } else {
        files::find_many(conn, &file_ids)?
            .into_iter()
            .map(|f| (*f.id, f))
            .collect()
    };

    let created_at = now();
    let mut claimed: HashMap<ClientKey<'_>, usize> = HashMap::new();
    // Files given to an earlier post of this batch.
    let mut sent_files: HashSet<AttachmentId> = HashSet::new();
    let mut plans: Vec<Plan> = Vec::with_capacity(posts.len());
    for (i, post) in posts.iter().enumerate() {
        let sender = post.sender;
        let plan = match rooms.get(&post.room_id) {
            None => Plan::Settled(Err(DomainError::NotFound(Missing::Room))),
            Some(room)
                if owners
                    .owner(sender)
                    .is_some_and(|owner| banned_owners.contains(&(*room.id, owner))) =>
            {
                Plan::Settled(Err(DomainError::refused(
                    ErrorCode::Banned,
                    "this bot's owner is banned from this room",
                )))
            }
            Some(room) if !memberships.contains(&(*room.id, post.sender)) => {
                Plan::Settled(Err(if room.is_public() {
                    DomainError::not_a_member()
                } else {
                    DomainError::NotFound(Missing::Room)
                }))
            }
            Some(room) if blocked_rooms.contains(&*room.id) => {
                Plan::Settled(Err(DomainError::blocked()))
            }
            Some(_) => {
                let key = post.client_key();
                let repeat =
                    key.and_then(|k| stored.get(&(k.room_id, k.sender_id, k.client_id.to_owned())));
                let earlier = key.and_then(|k| claimed.get(&k).copied());
                if let Some(row) = repeat {
                    Plan::Settled(Ok(Posted {
                        message: row.clone().into_message(senders.get(&sender).cloned()),
                        created: false,
                        events: Vec::new(),
                    }))
                } else if let Some(first) = earlier {
                    Plan::SameAs(first)
                } else {
                    match post.draft.reply_to {
                        Some(root)
                            if roots.get(&root).is_none_or(|r| *r.room_id != post.room_id) =>
                        {
                            Plan::Settled(Err(DomainError::NotFound(Missing::Message)))
                        }
                        _ if post
                            .draft
                            .attachments
                            .iter()
                            .any(|f| sent_files.contains(f)) =>
                        {
                            Plan::Settled(Err(DomainError::validation(
                                "an attachment was sent with another message",
                            )))
                        }
                        reply_to => match attachments::check_unsent(
                            &files,
                            sender,
                            post.room_id,
                            &post.draft.attachments,
                        ) {
                            Err(e) => Plan::Settled(Err(e)),
                            Ok(()) => {
                                if let Some(k) = key {
                                    claimed.insert(k, i);
                                }
                                sent_files.extend(post.draft.attachments.iter().copied());
                                Plan::New(MessageRow {
                                    id: Stored(new_id()),
                                    room_id: Stored(post.room_id),
                                    seq: 0,
                                    sender_id: Stored(Some(post.sender)),
                                    body: post.draft.body.clone(),
                                    client_id: post.draft.client_id.clone(),
                                    reply_to: Stored(reply_to),
                                    reply_count: 0,
                                    deleted: false,
                                    created_at,
                                    edited_at: None,
                                })
                            }
                        },
                    }
                }
            }
        };
        plans.push(plan);
    }

    // Numbers, room by room in a fixed order, in arrival order within a room.
    let mut by_room: BTreeMap<RoomId, Vec<usize>> = BTreeMap::new();
    for (i, plan) in plans.iter().enumerate() {
        if let Plan::New(row) = plan {
            by_room.entry(*row.room_id).or_default().push(i);
        }
    }
    for (&room_id, indices) in &by_room {
        let count = indices.len() as i64;
        let last = rooms::take_seqs(conn, room_id, count)?;
        for (offset, &i) in indices.iter().enumerate() {
            if let Plan::New(row) = &mut plans[i] {
                row.seq = last - count + 1 + offset as i64;
            }
        }
    }
    let rows: Vec<MessageRow> = plans
        .iter()
        .filter_map(|p| match p {
            Plan::New(row) => Some(row.clone()),
            _ => None,
        })
        .collect();
    messages::insert_many(conn, &rows).map_err(|e| match e {
        DbError::Duplicate(UniqueKey::MessageClientId) => DomainError::Race(Race::ClientId),
        other => other.into(),
    })?;

    let mut replies: BTreeMap<MessageId, i64> = BTreeMap::new();
    for row in &rows {
        if let Some(root) = *row.reply_to {
            *replies.entry(root).or_default() += 1;
        }
    }
    for (&root, &count) in &replies {
        messages::add_replies(conn, root, count)?;
    }

    let mut answers: Vec<DomainResult<Posted>> = Vec::with_capacity(plans.len());
    for (plan, post) in plans.into_iter().zip(posts) {
        answers.push(match plan {
            // A repeat shows the message as it is now, files and all.
            Plan::Settled(Ok(mut repeat)) => {
                super::shown::complete(conn, [&mut repeat.message])?;
                Ok(repeat)
            }
            Plan::Settled(result) => result,
            Plan::New(row) => {
                let asked = &post.draft.attachments;
                attachments::attach(conn, *row.id, asked)?;
                let carried = asked
                    .iter()
                    .filter_map(|f| files.get(f).cloned())
                    .map(AttachmentRow::into_attachment)
                    .collect();
                let sender = row.sender_id.and_then(|s| senders.get(&s));
                announce(conn, &rooms[&*row.room_id], row, carried, sender, presence)
            }
            // Earlier in the batch, so already answered.
            Plan::SameAs(first) => match &answers[first] {
                Ok(original) => Ok(Posted {
                    message: original.message.clone(),
                    created: false,
                    events: Vec::new(),
                }),
                Err(_) => Err(DomainError::internal(
                    "repeat of a post that was not stored",
                )),
            },
        });
    }
    Ok(answers)
}

/// The events of one stored message: the message itself, its thread root's
/// new reply count, mentions and notifications.
fn announce(
    conn: &mut DbConn,
    room: &RoomRow,
    row: MessageRow,
    attachments: Vec<Attachment>,
    sender: Option<&SenderRow>,
    presence: &dyn Presence,
) -> DomainResult<Posted> {
    let mentioned = record_mentions(conn, &row)?;
    let room_id = *row.room_id;
    let mut message = row.clone().into_message(sender.cloned());
    message.attachments = attachments;
    let mut events = vec![Outbound::room(
        room_id,
        ServerEvent::Message {
            message: message.clone(),
        },
    )];
    if let Some(root) = *row.reply_to {
        events.push(Outbound::room(
            room_id,
            ServerEvent::MessageUpdated {
                message: load(conn, root)?,
            },
        ));
    }
    events.extend(notify_recipients(conn, room, &row, &mentioned, presence)?);
    Ok(Posted {
        message,
        created: true,
        events,
    })
}

/// Mentions notify (unless the room is muted for them); a direct message
/// notifies a recipient who has no live connection to see it arrive.
fn notify_recipients(
    conn: &mut DbConn,
    room: &RoomRow,
    row: &MessageRow,
    mentioned: &[UserId],
    presence: &dyn Presence,
) -> DomainResult<Vec<Outbound>> {
    // Every new message has a sender; only old ones of deleted accounts lack one.
    let Some(sender) = *row.sender_id else {
        return Ok(Vec::new());
    };
    let mut events = Vec::new();
    let about = |kind| About {
        kind,
        actor: Some(sender),
        room: Some(*row.room_id),
        message: Some(*row.id),
    };
    for &user in mentioned {
        let muted = members::find(conn, *row.room_id, user)?
            .is_none_or(|m| m.level() == NotificationLevel::None);
        if !muted {
            events.push(notify(
                conn,
                user,
                about(NotificationKind::Mention),
                presence,
            )?);
        }
    }
    if room.kind() == RoomKind::Direct {
        for (membership, user) in members::list(conn, *row.room_id)? {
            let user = *user.id;
            let offline = !presence.is_online(user);
            let wants = membership.level() != NotificationLevel::None;
            if user != sender
                && offline
                && wants
                && !mentioned.contains(&user)
                && !blocks::has_blocked(conn, user, sender)?
            {
                events.push(notify(
                    conn,
                    user,
                    about(NotificationKind::DirectMessage),
                    presence,
                )?);
            }
        }
    }
    Ok(events)
}

/// Mentions count only for members of the room, never the sender, and never
/// someone who blocked the sender.
fn record_mentions(conn: &mut DbConn, row: &MessageRow) -> DomainResult<Vec<UserId>> {
    let names = protocol::markup::mentions(&row.body);
    let Some(sender) = *row.sender_id else {
        return Ok(Vec::new());
    };
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut mentioned: Vec<UserId> = Vec::new();
    for user in users::find_by_usernames(conn, &names)? {
        let user = *user.id;
        if user != sender && members::find(conn, *row.room_id, user)?.is_some() {
            mentioned.push(user);
        }
    }
    let blockers = blocks::blockers_of(conn, sender, &mentioned)?;
    mentioned.retain(|u| !blockers.contains(u));
    for &user_id in &mentioned {
        messages::insert_mention(
            conn,
            &MentionRow {
                message_id: row.id,
                user_id: Stored(user_id),
                room_id: row.room_id,
                seq: row.seq,
            },
        )?;
    }
    Ok(mentioned)
}
