//! The decisions of an open room's message list, apart from the page: where
//! the room opens (the first unread message under a divider, or the
//! bottom), whether the reader is at the bottom or past the divider, when
//! the list follows new messages, when a scroll freezes the drawn window or
//! reaches for more history, and when what is on screen counts as seen.
//!
//! The view measures the page and carries out the answers; everything it
//! decides with is here, so it is tested on the host.

use protocol::MessageId;

use super::scroll::{ScrollAction, at_bottom, on_new_messages};
use super::timeline::FirstUnread;
use super::window::Window;

/// Draw (or load) more history this close to either end of the list.
pub const EDGE_PX: f64 = 60.0;

/// The list's scroll position, as the page measures it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub scroll_top: f64,
    pub scroll_height: f64,
    pub client_height: f64,
}

impl Geometry {
    fn below(&self) -> f64 {
        self.scroll_height - self.scroll_top - self.client_height
    }
}

/// Where the "New messages" divider is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DividerAt {
    /// Drawn: its bottom edge relative to the top of the view (negative:
    /// scrolled past).
    Drawn { bottom: f64 },
    /// Not drawn: the divider message's seq if it is loaded, and the first
    /// seq the window draws.
    NotDrawn {
        seq: Option<i64>,
        window_lo: Option<i64>,
    },
}

/// What opening the room does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Older history is on its way: decide once it is in.
    Wait,
    /// The first unread message is older than anything loaded: fetch the
    /// stretch where it is (reading up from the newest page would skip the
    /// rest of the backlog).
    FetchFirstUnread,
    /// Open at this message, under the divider.
    Divider(MessageId),
    /// Everything is read: open at the bottom.
    Bottom,
}

/// "Jump to first unread".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jump {
    /// No divider any more.
    Nothing,
    /// Draw around this seq and scroll to the divider.
    To(i64),
    /// Not loaded: fetch it; the jump happens once it is in
    /// ([`Reading::take_pending_jump`]).
    Fetch(MessageId),
}

/// Which end of the list a scroll reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Neither,
    /// Near the top: draw or fetch older messages.
    Top,
    /// Near the bottom: draw or fetch newer ones.
    Bottom,
}

/// What a scroll event asks of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scrolled {
    /// The reader left the bottom: keep what they read drawn while new
    /// messages arrive (freeze the window).
    pub freeze: bool,
    pub edge: Edge,
}

/// The newest thing in a room: its last seq, how many own sends are on
/// their way, and whether the newest is one's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Newest {
    pub seq: i64,
    pub pending: usize,
    pub mine_last: bool,
}

/// The reading state of one open room's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Where the user had read up to when the room opened: the divider stays
    /// there while the room is open, however far they read since.
    divider: Option<MessageId>,
    /// False until the list is at its opening position; nothing counts as
    /// seen before that.
    positioned: bool,
    /// The stretch where unread messages start was fetched (once).
    fetched_first_unread: bool,
    /// "Jump to first unread" waits for that message to be loaded.
    jump_when_loaded: bool,
    /// The part of the room drawn.
    window: Window,
    at_bottom: bool,
    divider_above: bool,
    /// The scroll position at the last scroll event.
    last_top: f64,
}

impl Default for Reading {
    fn default() -> Self {
        Self {
            divider: None,
            positioned: false,
            fetched_first_unread: false,
            jump_when_loaded: false,
            window: Window::Latest,
            at_bottom: true,
            divider_above: false,
            last_top: 0.0,
        }
    }
}

impl Reading {
    pub fn divider(&self) -> Option<MessageId> {
        self.divider
    }

    pub fn positioned(&self) -> bool {
        self.positioned
    }

    pub fn window(&self) -> Window {
        self.window
    }

    pub fn at_bottom(&self) -> bool {
        self.at_bottom
    }

    /// The bar offering to go back to the first unread message shows.
    pub fn divider_above(&self) -> bool {
        self.divider_above && self.divider.is_some()
    }

    /// Draws `window`. A stretch of history is never the bottom, whatever
    /// the last measure said: a redraw must not pull the list down to the
    /// end of a stretch opened at a message.
    pub fn set_window(&mut self, window: Window) {
        self.window = window;
        if window != Window::Latest {
            self.at_bottom = false;
        }
    }

    /// Whether the room still waits for its opening position (a link to a
    /// message positions the list itself).
    pub fn needs_opening(&self, linked: bool) -> bool {
        !self.positioned && !linked
    }

    /// Decides the opening position from the room's first unread message
    /// (`oldest`: the oldest message loaded, where a backlog older than
    /// everything loaded starts after its fetch).
    pub fn open(
        &mut self,
        first_unread: FirstUnread,
        loading_older: bool,
        oldest: Option<MessageId>,
    ) -> Opening {
        let at = match first_unread {
            FirstUnread::Older if loading_older => return Opening::Wait,
            FirstUnread::Older if !self.fetched_first_unread => {
                self.fetched_first_unread = true;
                return Opening::FetchFirstUnread;
            }
            FirstUnread::Older => oldest,
            FirstUnread::At(id) => Some(id),
            FirstUnread::None => None,
        };
        self.positioned = true;
        self.divider = at;
        at.map_or(Opening::Bottom, Opening::Divider)
    }

    /// A linked message is brought into view: that is the position, and it
    /// is not the bottom (until a measure says so), so nothing that redraws
    /// meanwhile scrolls away from it.
    pub fn linked(&mut self) {
        self.positioned = true;
        self.at_bottom = false;
    }

    /// Whether the last message on screen may be reported as read now: the
    /// list is where it opens and the page is visible (a hidden tab sees
    /// nothing).
    pub fn counts_seen(&self, page_visible: bool) -> bool {
        self.positioned && page_visible
    }

    /// Takes in the list's position after a scroll or a redraw. The end of
    /// what is drawn is the bottom only if it is the newest (`windowed`: a
    /// stretch of history is loaded without what follows it).
    pub fn track(&mut self, at: Geometry, windowed: bool, divider: DividerAt) {
        self.at_bottom = at_bottom(at.scroll_top, at.scroll_height, at.client_height)
            && self.window == Window::Latest
            && !windowed;
        self.divider_above = match divider {
            DividerAt::Drawn { bottom } => bottom < 0.0,
            // Not drawn: above if the window starts below it, or if it is
            // not even loaded (the reader jumped to the newest messages).
            DividerAt::NotDrawn { seq, window_lo } => {
                self.divider.is_some() && seq.zip(window_lo).is_none_or(|(seq, lo)| seq < lo)
            }
        };
    }

    /// A scroll event (after [`Reading::track`]). Only a move up is the
    /// reader's own: the list scrolls itself down (to the newest, to follow
    /// a send) and must not freeze there.
    pub fn scrolled(&mut self, at: Geometry) -> Scrolled {
        let went_up = at.scroll_top < self.last_top;
        self.last_top = at.scroll_top;
        if !self.positioned {
            return Scrolled {
                freeze: false,
                edge: Edge::Neither,
            };
        }
        let edge = if at.scroll_top < EDGE_PX {
            Edge::Top
        } else if at.below() < EDGE_PX {
            Edge::Bottom
        } else {
            Edge::Neither
        };
        Scrolled {
            freeze: went_up && !self.at_bottom && self.window == Window::Latest,
            edge,
        }
    }

    /// Whether new messages (`before` → `now`) move the list to the
    /// bottom: they do from the bottom, or when one's own send grew.
    pub fn follows(&self, before: Option<Newest>, now: Option<Newest>) -> bool {
        let (Some(before), Some(now)) = (before, now) else {
            return false;
        };
        let own_send = now.mine_last && now.pending > before.pending;
        let grew = now.seq > before.seq || now.pending > before.pending;
        self.positioned
            && grew
            && on_new_messages(self.at_bottom, own_send) == ScrollAction::StickToBottom
    }

    /// After a redraw at the bottom, stay there when something below grew
    /// (receipts arriving, a picture, an edit).
    pub fn keeps_to_bottom(&self) -> bool {
        self.at_bottom && self.positioned
    }

    /// "Jump to first unread", given the divider message's seq if it is
    /// loaded.
    pub fn jump(&mut self, divider_seq: Option<i64>) -> Jump {
        match (self.divider, divider_seq) {
            (None, _) => Jump::Nothing,
            (Some(_), Some(seq)) => Jump::To(seq),
            (Some(id), None) => {
                self.jump_when_loaded = true;
                Jump::Fetch(id)
            }
        }
    }

    /// A jump waited for the divider message and it is loaded now: go
    /// (once).
    pub fn take_pending_jump(&mut self, divider_loaded: bool) -> bool {
        let go = self.jump_when_loaded && divider_loaded;
        if go {
            self.jump_when_loaded = false;
        }
        go
    }

    /// "Mark as read": the divider goes.
    pub fn mark_all_read(&mut self) {
        self.divider = None;
        self.divider_above = false;
    }
}

/// The bar over a list scrolled past the divider: the same count as the
/// room's badge and the jump pill, going down as the reader reads.
pub fn unread_bar(unseen: i64) -> String {
    match unseen {
        0 => "All read: the new messages started above".to_owned(),
        1 => "1 unread message since you last read".to_owned(),
        n => format!("{n} unread messages since you last read"),
    }
}

/// The bar's button.
pub fn unread_bar_action(unseen: i64) -> &'static str {
    if unseen == 0 {
        "Back to them"
    } else {
        "Jump to first unread"
    }
}

/// The jump-to-bottom button's accessible name.
pub fn jump_label(unseen: i64) -> String {
    match unseen {
        0 => "Jump to the newest message".to_owned(),
        1 => "Jump to the newest message, 1 unseen".to_owned(),
        n => format!("Jump to the newest message, {n} unseen"),
    }
}

/// The pill on the jump-to-bottom button, when something is unseen.
pub fn new_pill(unseen: i64) -> Option<String> {
    match unseen {
        0 => None,
        1 => Some("1 new message ↓".to_owned()),
        n => Some(format!("{n} new messages ↓")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn message(n: u128) -> MessageId {
        MessageId::from(Uuid::from_u128(n))
    }

    fn geometry(scroll_top: f64) -> Geometry {
        Geometry {
            scroll_top,
            scroll_height: 2_000.0,
            client_height: 500.0,
        }
    }

    const DRAWN_ABOVE: DividerAt = DividerAt::Drawn { bottom: -10.0 };

    #[test]
    fn a_room_with_unread_messages_opens_at_the_first_of_them() {
        let mut r = Reading::default();
        assert!(r.needs_opening(false));
        assert!(
            !r.counts_seen(true),
            "nothing is seen before the list is placed"
        );
        assert_eq!(
            r.open(FirstUnread::At(message(5)), false, Some(message(1))),
            Opening::Divider(message(5))
        );
        assert_eq!(r.divider(), Some(message(5)));
        assert!(!r.needs_opening(false));
        assert!(r.counts_seen(true));
        assert!(!r.counts_seen(false), "a hidden tab sees nothing");
    }

    #[test]
    fn a_read_room_opens_at_the_bottom_without_a_divider() {
        let mut r = Reading::default();
        assert_eq!(r.open(FirstUnread::None, false, None), Opening::Bottom);
        assert_eq!(r.divider(), None);
    }

    #[test]
    fn a_backlog_older_than_what_is_loaded_is_fetched_once_then_opened_at() {
        let mut r = Reading::default();
        assert_eq!(
            r.open(FirstUnread::Older, true, Some(message(9))),
            Opening::Wait,
            "older pages on their way"
        );
        assert_eq!(
            r.open(FirstUnread::Older, false, Some(message(9))),
            Opening::FetchFirstUnread
        );
        assert!(!r.positioned());
        // The fetched stretch still starts after the marker (a gap in the
        // history): open at its oldest message, not fetch again forever.
        assert_eq!(
            r.open(FirstUnread::Older, false, Some(message(3))),
            Opening::Divider(message(3))
        );
    }

    #[test]
    fn a_linked_message_is_the_opening_position() {
        let mut r = Reading::default();
        assert!(!r.needs_opening(true));
        r.linked();
        assert!(r.counts_seen(true));
        assert!(!r.needs_opening(false));
        assert!(
            !r.keeps_to_bottom(),
            "a redraw before the next measure stays at the linked message"
        );
    }

    #[test]
    fn a_stretch_of_history_is_not_the_bottom_before_it_is_measured() {
        let mut r = Reading::default();
        r.open(FirstUnread::None, false, None);
        r.track(
            geometry(1_500.0),
            false,
            DividerAt::NotDrawn {
                seq: None,
                window_lo: None,
            },
        );
        assert!(r.keeps_to_bottom());
        r.set_window(Window::Span { lo: 1, hi: 60 });
        assert!(!r.keeps_to_bottom());
    }

    #[test]
    fn the_bottom_is_the_newest_drawn_at_the_end_of_the_list() {
        let mut r = Reading::default();
        let none = DividerAt::NotDrawn {
            seq: None,
            window_lo: None,
        };
        r.track(geometry(1_500.0), false, none);
        assert!(r.at_bottom());
        r.track(geometry(1_000.0), false, none);
        assert!(!r.at_bottom(), "scrolled up");
        r.track(geometry(1_500.0), true, none);
        assert!(!r.at_bottom(), "a stretch of history without what follows");
        r.set_window(Window::Span { lo: 1, hi: 150 });
        r.track(geometry(1_500.0), false, none);
        assert!(!r.at_bottom(), "a frozen window is not the newest");
    }

    #[test]
    fn the_divider_is_above_when_scrolled_past_or_not_drawn_above_the_window() {
        let mut r = Reading::default();
        r.open(FirstUnread::At(message(5)), false, None);
        r.track(geometry(0.0), false, DRAWN_ABOVE);
        assert!(r.divider_above());
        r.track(geometry(0.0), false, DividerAt::Drawn { bottom: 10.0 });
        assert!(!r.divider_above());
        let not_drawn = |seq, lo| DividerAt::NotDrawn { seq, window_lo: lo };
        r.track(geometry(0.0), false, not_drawn(Some(40), Some(100)));
        assert!(r.divider_above(), "the window starts below it");
        r.track(geometry(0.0), false, not_drawn(Some(140), Some(100)));
        assert!(!r.divider_above(), "below the window start: not above");
        r.track(geometry(0.0), false, not_drawn(None, Some(100)));
        assert!(r.divider_above(), "not loaded: the reader jumped past it");
        r.mark_all_read();
        assert!(!r.divider_above());
        r.track(geometry(0.0), false, not_drawn(None, Some(100)));
        assert!(!r.divider_above(), "no divider, no bar");
    }

    #[test]
    fn only_an_upward_scroll_off_the_bottom_freezes_the_window() {
        let mut r = Reading::default();
        r.open(FirstUnread::None, false, None);
        let none = DividerAt::NotDrawn {
            seq: None,
            window_lo: None,
        };
        // The list scrolling itself down to follow is not the reader's.
        r.track(geometry(1_000.0), false, none);
        assert!(!r.scrolled(geometry(1_000.0)).freeze);
        r.track(geometry(800.0), false, none);
        let up = r.scrolled(geometry(800.0));
        assert!(up.freeze);
        assert_eq!(up.edge, Edge::Neither);
        r.set_window(Window::Span { lo: 1, hi: 9 });
        r.track(geometry(700.0), false, none);
        assert!(
            !r.scrolled(geometry(700.0)).freeze,
            "already frozen: nothing to do"
        );
    }

    #[test]
    fn a_scroll_near_either_end_reaches_for_more() {
        let mut r = Reading::default();
        assert_eq!(
            r.scrolled(geometry(10.0)).edge,
            Edge::Neither,
            "not placed yet: the opening decides what to load"
        );
        r.open(FirstUnread::None, false, None);
        assert_eq!(r.scrolled(geometry(10.0)).edge, Edge::Top);
        assert_eq!(r.scrolled(geometry(1_460.0)).edge, Edge::Bottom);
        assert_eq!(r.scrolled(geometry(700.0)).edge, Edge::Neither);
    }

    #[test]
    fn new_messages_are_followed_from_the_bottom_or_after_ones_own_send() {
        let mut r = Reading::default();
        let newest = |seq, pending, mine_last| {
            Some(Newest {
                seq,
                pending,
                mine_last,
            })
        };
        r.open(FirstUnread::None, false, None);
        assert!(r.follows(newest(1, 0, false), newest(2, 0, false)));
        assert!(
            !r.follows(newest(2, 0, false), newest(2, 0, false)),
            "nothing new"
        );
        assert!(!r.follows(None, newest(2, 0, false)), "the first look");
        let none = DividerAt::NotDrawn {
            seq: None,
            window_lo: None,
        };
        r.track(geometry(100.0), false, none);
        assert!(
            !r.follows(newest(2, 0, false), newest(3, 0, false)),
            "reading history"
        );
        assert!(
            r.follows(newest(3, 0, false), newest(3, 1, true)),
            "own send"
        );
        assert!(!r.keeps_to_bottom());
    }

    #[test]
    fn nothing_is_followed_before_the_opening_position() {
        let r = Reading::default();
        let newest = |seq| {
            Some(Newest {
                seq,
                pending: 0,
                mine_last: false,
            })
        };
        assert!(!r.follows(newest(1), newest(2)));
        assert!(!r.keeps_to_bottom());
    }

    #[test]
    fn a_jump_to_an_unloaded_divider_waits_for_it_once() {
        let mut r = Reading::default();
        assert_eq!(r.jump(None), Jump::Nothing);
        r.open(FirstUnread::At(message(7)), false, None);
        assert_eq!(r.jump(Some(70)), Jump::To(70));
        assert!(!r.take_pending_jump(true), "nothing waited");
        assert_eq!(r.jump(None), Jump::Fetch(message(7)));
        assert!(!r.take_pending_jump(false), "not in yet");
        assert!(r.take_pending_jump(true));
        assert!(!r.take_pending_jump(true), "once");
    }

    #[test]
    fn the_counts_read_as_sentences() {
        assert_eq!(unread_bar(1), "1 unread message since you last read");
        assert_eq!(unread_bar(3), "3 unread messages since you last read");
        assert_eq!(unread_bar(0), "All read: the new messages started above");
        assert_eq!(unread_bar_action(0), "Back to them");
        assert_eq!(jump_label(2), "Jump to the newest message, 2 unseen");
        assert_eq!(new_pill(0), None);
        assert_eq!(new_pill(1).as_deref(), Some("1 new message ↓"));
    }
}
