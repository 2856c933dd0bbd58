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
