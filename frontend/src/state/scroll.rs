//! Scrolling decisions: follow new messages only from the bottom, and what
//! counts as seen.

/// Within this many pixels of the bottom the list counts as "at the bottom"
/// and follows new messages; further up it stays put and shows a pill.
pub const STICK_THRESHOLD_PX: f64 = 80.0;
/// Whether a scroll position counts as "at the bottom".
pub fn at_bottom(scroll_top: f64, scroll_height: f64, client_height: f64) -> bool {
    scroll_height - scroll_top - client_height <= STICK_THRESHOLD_PX
}

/// What the list does when new messages arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrollAction {
    /// Follow: scroll to the newest message.
    StickToBottom,
    /// The user is reading older messages: keep the position, show a pill.
    ShowPill,
}

/// New messages arrived: follow them if the user was at the bottom (or sent
/// one themself), else leave the view where it is.
pub fn on_new_messages(was_at_bottom: bool, own_message: bool) -> ScrollAction {
    if was_at_bottom || own_message {
        ScrollAction::StickToBottom
    } else {
        ScrollAction::ShowPill
    }
}

/// How much of a message must be on screen to count as seen: all of it,
/// or this much of one taller than that.
pub const SEEN_PX: f64 = 24.0;

/// The last of `n` messages, laid out top to bottom, that the user has seen:
/// the last whose top (plus [`SEEN_PX`], or all of a shorter one) is above
/// the bottom of the view. `rect(i)` is message `i`'s top and height in the
/// view's coordinates; only O(log n) of them are asked for, so a long list
/// costs no more than a short one.
pub fn last_seen(n: usize, rect: impl Fn(usize) -> (f64, f64), view_bottom: f64) -> Option<usize> {
    let seen = |i: usize| {
        let (top, height) = rect(i);
        top + height.min(SEEN_PX) <= view_bottom
    };
    // `seen` is true for a prefix of the list: find where it ends.
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if seen(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo.checked_sub(1)
}

/// A key that moves the focus between messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKey {
    Up,
    Down,
    First,
    Last,
}

impl MessageKey {
    /// The key of a `KeyboardEvent.key`, if it is one.
    pub fn of(key: &str) -> Option<Self> {
        Some(match key {
            "ArrowUp" => Self::Up,
            "ArrowDown" => Self::Down,
            "Home" => Self::First,
            "End" => Self::Last,
            _ => return None,
        })
    }
}

/// Which of `n` drawn messages takes the focus after `key`: from message
/// `at` its neighbour (none past either end, so the list's own edge
/// loading takes over), or, from the list itself, the newest one on
/// screen (`on_screen`) going up and the oldest on screen going down.
pub fn focus_step(
    n: usize,
    at: Option<usize>,
    on_screen: (usize, usize),
    key: MessageKey,
) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let (first_shown, last_shown) = on_screen;
    match (at, key) {
        (_, MessageKey::First) => Some(0),
        (_, MessageKey::Last) => Some(n - 1),
        (Some(at), MessageKey::Up) => at.checked_sub(1),
        (Some(at), MessageKey::Down) => Some(at + 1).filter(|i| *i < n),
        (None, MessageKey::Up) => Some(last_shown.min(n - 1)),
        (None, MessageKey::Down) => Some(first_shown.min(n - 1)),
    }
}

#[cfg(test)]
mod focus_tests {
    use super::*;

    #[test]
    fn arrows_walk_the_messages_and_stop_at_either_end() {
        use MessageKey::*;
        assert_eq!(focus_step(5, Some(2), (0, 4), Up), Some(1));
        assert_eq!(focus_step(5, Some(2), (0, 4), Down), Some(3));
        assert_eq!(focus_step(5, Some(0), (0, 4), Up), None);
        assert_eq!(focus_step(5, Some(4), (0, 4), Down), None);
        assert_eq!(focus_step(5, Some(2), (0, 4), First), Some(0));
        assert_eq!(focus_step(5, Some(2), (0, 4), Last), Some(4));
        // From the list: the newest on screen going up, the oldest going down.
        assert_eq!(focus_step(9, None, (3, 6), Up), Some(6));
        assert_eq!(focus_step(9, None, (3, 6), Down), Some(3));
        assert_eq!(focus_step(0, None, (0, 0), Up), None);
        assert_eq!(MessageKey::of("ArrowUp"), Some(Up));
        assert_eq!(MessageKey::of("a"), None);
    }
}
