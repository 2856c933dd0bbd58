//! Which part of a long timeline is in the page. A room can hold thousands
//! of loaded messages; the list draws a window of [`WINDOW`] of them and
//! moves it by [`STEP`] as the reader nears either edge, so scrolling costs
//! the same in a room of fifty messages as in one of five thousand.

use super::timeline::Timeline;

/// Messages drawn at most.
pub const WINDOW: usize = 150;
/// Messages the window moves by.
pub const STEP: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    /// The newest messages and the sends on their way: it moves along as
    /// messages arrive (the reader is at the bottom).
    #[default]
    Latest,
    /// The messages with `lo <= seq <= hi`: it stays put while the reader
    /// is somewhere in the history.
    Span { lo: i64, hi: i64 },
}

impl Timeline {
    /// The seqs of the messages with `lo <= seq <= hi`, in order.
    fn seqs(&self, lo: i64, hi: i64) -> impl DoubleEndedIterator<Item = i64> + '_ {
        self.span(lo, hi).map(|m| m.seq)
    }

    /// The seqs `window` covers, both ends included.
    pub fn window_range(&self, window: Window) -> (i64, i64) {
        match window {
            Window::Latest => (
                self.seqs(i64::MIN, i64::MAX)
                    .rev()
                    .nth(WINDOW - 1)
                    .unwrap_or(i64::MIN),
                i64::MAX,
            ),
            Window::Span { lo, hi } => (lo, hi),
        }
    }

    /// Whether loaded messages lie above the window (drawing them needs no
    /// fetch).
    pub fn older_than(&self, window: Window) -> bool {
        self.first()
            .is_some_and(|m| m.seq < self.window_range(window).0)
    }

    /// The window as it is, no longer following new messages (the reader
    /// left the bottom).
    pub fn freeze(&self, window: Window) -> Window {
        let (Some(first), Some(last)) = (self.first(), self.last()) else {
            return window;
        };
        match window {
            Window::Latest => Window::Span {
                lo: self.window_range(window).0.max(first.seq),
                hi: last.seq,
            },
            span => span,
        }
    }

    /// The window [`STEP`] messages further up; `None` when it starts at the
    /// oldest message loaded (older ones must be fetched first).
    pub fn window_up(&self, window: Window) -> Option<Window> {
        let (lo, _) = self.window_range(self.freeze(window));
        let new_lo = self
            .seqs(i64::MIN, lo.saturating_sub(1))
            .rev()
            .take(STEP)
            .last()?;
        let new_hi = self
            .seqs(new_lo, i64::MAX)
            .take(WINDOW)
            .last()
            .unwrap_or(new_lo);
        Some(Window::Span {
            lo: new_lo,
            hi: new_hi,
        })
    }

    /// The window [`STEP`] messages further down, [`Window::Latest`] once
    /// it reaches the newest; `None` when it follows them already.
    pub fn window_down(&self, window: Window) -> Option<Window> {
        let Window::Span { hi, .. } = window else {
            return None;
        };
        let mut newer = self.seqs(hi.saturating_add(1), i64::MAX);
        let (Some(new_hi), Some(_)) = (newer.nth(STEP - 1), newer.next()) else {
            // No more than a step left below: the newest, then.
            return Some(Window::Latest);
        };
        let new_lo = self
            .seqs(i64::MIN, new_hi)
            .rev()
            .take(WINDOW)
            .last()
            .unwrap_or(new_hi);
        Some(Window::Span {
            lo: new_lo,
            hi: new_hi,
        })
    }

    /// A window that holds the message `seq` with some history above it.
    pub fn window_at(&self, seq: i64) -> Window {
        if seq >= self.window_range(Window::Latest).0 {
            return Window::Latest;
        }
        let lo = self
            .seqs(i64::MIN, seq)
            .rev()
            .take(STEP)
            .last()
            .unwrap_or(seq);
        let hi = self.seqs(lo, i64::MAX).take(WINDOW).last().unwrap_or(seq);
        Window::Span { lo, hi }
    }
}
