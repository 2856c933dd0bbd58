//! A timeline as the list shows it: rows with day separators, sender groups
//! and reply previews, and the times shown on them.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use protocol::{Message, UserRef};
use protocol::{MessageId, UserId};

use super::timeline::{MessageStatus, Pending, StatusKey, Timeline};
use super::window::Window;

/// Consecutive messages of one sender closer than this share one header.
pub const GROUP_GAP_MINUTES: i64 = 5;
/// One row of the rendered message list.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Day {
        label: String,
    },
    /// "New messages": the first unread message when the room was opened
    /// follows.
    Unread,
    Message {
        message: Message,
        /// First of a run of one sender: shows the name.
        starts_group: bool,
        mine: bool,
        status: Option<MessageStatus>,
        parent: Option<Box<ParentPreview>>,
        /// Members whose read marker stops here (see `Timeline::receipts`).
        readers: Vec<UserRef>,
    },
    Pending {
        pending: Pending,
        starts_group: bool,
        status: Option<MessageStatus>,
    },
}

#[derive(Debug, Clone, PartialEq, Hash)]
pub struct ParentPreview {
    pub id: MessageId,
    pub sender: Option<String>,
    pub body: Option<String>,
    pub deleted: bool,
}

impl ParentPreview {
    /// A digest of what the quote shows, so a reply's row redraws when its
    /// parent is edited or deleted.
    fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }
}

/// A body this long (in characters, or lines) is folded behind "Show more".
pub const LONG_CHARS: usize = 900;
pub const LONG_LINES: usize = 14;

/// Whether `body` is folded until the reader asks for the rest.
pub fn is_long(body: &str) -> bool {
    body.lines().count() > LONG_LINES || body.chars().count() > LONG_CHARS
}

/// `text` cut into pieces, each marked when it is a word that starts with
/// one of `query`'s words (any case): what a search result highlights.
pub fn highlighted(text: &str, query: &str) -> Vec<(String, bool)> {
    let wanted: Vec<String> = query
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut push = |piece: &str, hit: bool| match pieces.last_mut() {
        Some((last, was)) if *was == hit => last.push_str(piece),
        _ => pieces.push((piece.to_owned(), hit)),
    };
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(char::is_alphanumeric).unwrap_or(rest.len());
        push(&rest[..start], false);
        rest = &rest[start..];
        let end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        let word = &rest[..end];
        if !word.is_empty() {
            let lower = word.to_lowercase();
            push(word, wanted.iter().any(|w| lower.starts_with(w.as_str())));
        }
        rest = &rest[end..];
    }
    pieces
}

/// A short digest of a message's reactions, so a row redraws when they change.
fn fingerprint(reactions: &[protocol::Reaction]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    reactions.hash(&mut hasher);
    hasher.finish()
}

impl Row {
    /// A key that changes whenever the row must be drawn again.
    pub fn key(&self) -> String {
        match self {
            Row::Day { label } => format!("day:{label}"),
            Row::Unread => "unread".to_owned(),
            Row::Message {
                message,
                starts_group,
                status,
                parent,
                readers,
                ..
            } => format!(
                "m:{}:{}:{}:{}:{}:{:?}:{}:{:x}:{}",
                message.id,
                message.reply_count,
                message.edited_at.map(|t| t.timestamp_millis()).unwrap_or(0),
                message.deleted,
                starts_group,
                status,
                parent.as_deref().map_or(0, ParentPreview::fingerprint),
                fingerprint(&message.reactions),
                readers
                    .iter()
                    .map(|u| u.id.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Row::Pending {
                pending,
                starts_group,
                status,
            } => format!(
                "p:{}:{}:{}:{:?}",
                pending.client_id,
                pending.failed.is_some(),
                starts_group,
                status
            ),
        }
    }
}

/// Day label of a timestamp in the viewer's time zone.
pub fn day_label(t: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let day = t.with_timezone(&offset).date_naive();
    let today = now.with_timezone(&offset).date_naive();
    if day == today {
        "Today".to_owned()
    } else if Some(day) == today.pred_opt() {
        "Yesterday".to_owned()
    } else {
        day.format("%A, %B %-d, %Y").to_string()
    }
}

/// "just now", "5 min ago", "3 h ago", else the local date and time.
pub fn relative_time(t: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let elapsed = now.signed_duration_since(t);
    if elapsed < Duration::minutes(1) {
        "just now".to_owned()
    } else if elapsed < Duration::hours(1) {
        format!("{} min ago", elapsed.num_minutes())
    } else if elapsed < Duration::hours(12) {
        format!("{} h ago", elapsed.num_hours())
    } else {
        full_time(t, offset)
    }
}

/// The full local date and time, shown on hover.
pub fn full_time(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn starts_group(
    prev: Option<(Option<UserId>, DateTime<Utc>)>,
    sender: Option<UserId>,
    at: DateTime<Utc>,
) -> bool {
    match prev {
        Some((prev_sender, prev_at)) => {
            prev_sender != sender
                || sender.is_none()
                || at.signed_duration_since(prev_at) > Duration::minutes(GROUP_GAP_MINUTES)
        }
        None => true,
    }
}

/// Lays a timeline out as rows: day separators, sender groups, the status of
/// the user's latest own message, reply parents, who has seen what, and the
/// "New messages" divider before `first_unread`.
pub fn rows(
    t: &Timeline,
    me: UserId,
    now: DateTime<Utc>,
    offset: FixedOffset,
    first_unread: Option<MessageId>,
    window: Window,
) -> Vec<Row> {
    let status = t.own_status(me);
    let mut receipts = t.receipts(me);
    let (lo, hi) = t.window_range(window);
    let shown = t.span(lo, hi);
    let mut out = Vec::with_capacity(super::WINDOW + t.pending().len() + 4);
    // The message just above the window decides the first one's day
    // separator and sender header, as if the list went on upwards.
    let above = t.span(i64::MIN, lo.saturating_sub(1)).next_back();
    let mut prev: Option<(Option<UserId>, DateTime<Utc>)> =
        above.map(|m| (m.sender.as_ref().map(|s| s.id), m.created_at));
    let mut last_day = above.map(|m| m.created_at.with_timezone(&offset).date_naive());
    let mut day_row = |out: &mut Vec<Row>,
                       prev: &mut Option<(Option<UserId>, DateTime<Utc>)>,
                       at: DateTime<Utc>| {
        let day = at.with_timezone(&offset).date_naive();
        if last_day != Some(day) {
            last_day = Some(day);
            out.push(Row::Day {
                label: day_label(at, now, offset),
            });
            *prev = None;
        }
    };
    for m in shown {
        day_row(&mut out, &mut prev, m.created_at);
        if first_unread == Some(m.id) {
            out.push(Row::Unread);
            prev = None;
        }
        let sender = m.sender.as_ref().map(|s| s.id);
        let starts = starts_group(prev, sender, m.created_at);
        prev = Some((sender, m.created_at));
        let parent = m.reply_to.map(|pid| {
            let p = t.get(pid);
            Box::new(ParentPreview {
                id: pid,
                sender: p.and_then(|p| p.sender.as_ref().map(|s| s.display_name.clone())),
                body: p.map(|p| p.body.clone()),
                deleted: p.is_some_and(|p| p.deleted),
            })
        });
        let own_status = match &status {
            Some((StatusKey::Message(id), s)) if *id == m.id => Some(*s),
            _ => None,
        };
        out.push(Row::Message {
            message: m.clone(),
            starts_group: starts,
            mine: sender == Some(me),
            status: own_status,
            parent,
            readers: receipts.remove(&m.id).unwrap_or_default(),
        });
    }
    // Sends on their way go after the newest message, shown with it.
    let pending = if hi == i64::MAX { t.pending() } else { &[] };
    for p in pending {
        day_row(&mut out, &mut prev, p.created_at);
        let starts = starts_group(prev, Some(me), p.created_at);
        prev = Some((Some(me), p.created_at));
        let own_status = match &status {
            Some((StatusKey::Pending(cid), s)) if *cid == p.client_id => Some(*s),
            _ => None,
        };
        out.push(Row::Pending {
            pending: p.clone(),
            starts_group: starts,
            status: own_status,
        });
    }
    out
}
