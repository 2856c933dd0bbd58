//! Which panels an open room shows: the member list beside the messages,
//! and at most one side panel (a thread, the pinned messages, or the
//! owner's Manage panel). Opening one side panel closes the other; Escape
//! closes the newest thing opened, one at a time.

use protocol::MessageId;

/// The one side panel shown, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SidePanel {
    #[default]
    None,
    Thread(MessageId),
    Pins,
    Manage,
}

/// The panels of one open room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panels {
    side: SidePanel,
    members: bool,
}

impl Panels {
    /// The thread shown, if one is.
    pub fn thread(&self) -> Option<MessageId> {
        match self.side {
            SidePanel::Thread(root) => Some(root),
            _ => None,
        }
    }

    pub fn pins(&self) -> bool {
        self.side == SidePanel::Pins
    }

    /// The Manage panel, shown only to someone who may manage the room (a
    /// demoted owner's open panel goes away with the power).
    pub fn manage(&self, can_manage: bool) -> bool {
        self.side == SidePanel::Manage && can_manage
    }

    pub fn members(&self) -> bool {
        self.members
    }

    /// Whether a side panel takes room on screen.
    pub fn side_open(&self, can_manage: bool) -> bool {
        match self.side {
            SidePanel::None => false,
            SidePanel::Manage => can_manage,
            SidePanel::Thread(_) | SidePanel::Pins => true,
        }
    }

    pub fn open_thread(&mut self, root: MessageId) {
        self.side = SidePanel::Thread(root);
    }

    pub fn toggle_pins(&mut self) {
        self.toggle(SidePanel::Pins);
    }

    pub fn toggle_manage(&mut self) {
        self.toggle(SidePanel::Manage);
    }

    pub fn toggle_members(&mut self) {
        self.members = !self.members;
    }

    /// Closes the side panel (its own Close button).
    pub fn close_side(&mut self) {
        self.side = SidePanel::None;
    }

    /// Escape: closes the side panel, else the member list. False when
    /// nothing was open, so the key is left to whoever else wants it.
    pub fn escape(&mut self, can_manage: bool) -> bool {
        if self.side_open(can_manage) {
            self.side = SidePanel::None;
            true
        } else if self.members {
            self.members = false;
            true
        } else {
            false
        }
    }

    fn toggle(&mut self, panel: SidePanel) {
        self.side = if self.side == panel {
            SidePanel::None
        } else {
            panel
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn message(n: u128) -> MessageId {
        MessageId::from(Uuid::from_u128(n))
    }

    #[test]
    fn one_side_panel_at_a_time() {
        let mut p = Panels::default();
        p.toggle_pins();
        assert!(p.pins());
        p.open_thread(message(1));
        assert_eq!(p.thread(), Some(message(1)));
        assert!(!p.pins());
        p.toggle_manage();
        assert!(p.manage(true));
        assert_eq!(p.thread(), None);
        p.toggle_manage();
        assert!(!p.side_open(true));
    }

    #[test]
    fn the_member_list_stays_beside_a_side_panel() {
        let mut p = Panels::default();
        p.toggle_members();
        p.toggle_pins();
        assert!(p.members() && p.pins());
    }

    #[test]
    fn escape_closes_the_side_panel_then_the_members_then_nothing() {
        let mut p = Panels::default();
        p.toggle_members();
        p.open_thread(message(2));
        assert!(p.escape(true));
        assert!(p.thread().is_none() && p.members());
        assert!(p.escape(true));
        assert!(!p.members());
        assert!(!p.escape(true), "nothing open: the key is not taken");
    }

    #[test]
    fn manage_shows_only_with_the_power_to_manage() {
        let mut p = Panels::default();
        p.toggle_manage();
        assert!(!p.manage(false));
        assert!(!p.side_open(false));
        // Escape does not spend itself on a panel nobody sees.
        p.toggle_members();
        assert!(p.escape(false));
        assert!(!p.members());
    }
}
