//! Rooms too big for every member's chatter.
//!
//! In a room of a few dozen people, everyone hears who came online and who
//! has read what. In a room of thousands, each of those is one frame to every
//! member: 10,000 members coming online is 10^8 presence frames, and their
//! read receipts outnumber the messages. So a room of at least
//! [`Crowd::from`] members is a crowd: presence does not travel through it
//! (friends and smaller rooms still carry it; its member list says who is
//! online when asked), and a read receipt in it goes to the reader's own
//! devices only, which keeps their unread counts in step; who has read what
//! is there when the room's read markers are asked for. Messages, edits,
//! reactions and membership reach every member whatever the size.

/// The size from which a room is a crowd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crowd {
    pub from: i64,
}

impl Crowd {
    /// Whether a room of `members` members is a crowd.
    pub fn is_crowd(self, members: i64) -> bool {
        members >= self.from
    }
}

impl Default for Crowd {
    /// Slack and Discord stop showing read receipts well before this; past a
    /// few hundred, a presence change costs more than a message.
    fn default() -> Self {
        Self { from: 250 }
    }
}

#[cfg(test)]
mod tests {
    use super::Crowd;

    #[test]
    fn a_room_is_a_crowd_from_the_threshold_on() {
        let crowd = Crowd { from: 3 };
        assert!(!crowd.is_crowd(2));
        assert!(crowd.is_crowd(3));
        assert!(crowd.is_crowd(10_000));
    }
}
