//! Where I stand with another person, from my friends and my pending
//! requests: what their profile offers (Add friend, Request sent, Accept).

use protocol::{FriendRequestId, FriendRequests, User, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Friendship {
    Friends,
    /// I asked; they have not answered.
    Requested(FriendRequestId),
    /// They asked me; I have not answered.
    AskedMe(FriendRequestId),
    Strangers,
}

pub fn friendship(other: UserId, friends: &[User], requests: &FriendRequests) -> Friendship {
    if friends.iter().any(|f| f.id == other) {
        return Friendship::Friends;
    }
    if let Some(r) = requests.outgoing.iter().find(|r| r.to.id == other) {
        return Friendship::Requested(r.id);
    }
    if let Some(r) = requests.incoming.iter().find(|r| r.from.id == other) {
        return Friendship::AskedMe(r.id);
    }
    Friendship::Strangers
}

/// The pending request `from` sent me, if any: what a friend-request
/// notification is answered through.
pub fn request_from(from: UserId, requests: &FriendRequests) -> Option<FriendRequestId> {
    requests
        .incoming
        .iter()
        .find(|r| r.from.id == from)
        .map(|r| r.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use protocol::FriendRequest;
    use uuid::Uuid;

    fn user(id: UserId) -> User {
        User {
            id,
            username: "u".into(),
            display_name: "U".into(),
            bio: None,
            interests: None,
            avatar_url: None,
            created_at: None,
            online: false,
        }
    }

    fn request(from: UserId, to: UserId) -> FriendRequest {
        FriendRequest {
            id: FriendRequestId::from(Uuid::now_v7()),
            from: user(from),
            to: user(to),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn friends_then_my_question_then_theirs() {
        let (me, ann, bob, cid) = (
            UserId::from(Uuid::now_v7()),
            UserId::from(Uuid::now_v7()),
            UserId::from(Uuid::now_v7()),
            UserId::from(Uuid::now_v7()),
        );
        let asked = request(me, bob);
        let asking = request(cid, me);
        let requests = FriendRequests {
            incoming: vec![asking.clone()],
            outgoing: vec![asked.clone()],
        };
        let friends = [user(ann)];
        assert_eq!(friendship(ann, &friends, &requests), Friendship::Friends);
        assert_eq!(
            friendship(bob, &friends, &requests),
            Friendship::Requested(asked.id)
        );
        assert_eq!(
            friendship(cid, &friends, &requests),
            Friendship::AskedMe(asking.id)
        );
        assert_eq!(
            friendship(UserId::from(Uuid::now_v7()), &friends, &requests),
            Friendship::Strangers
        );
        assert_eq!(request_from(cid, &requests), Some(asking.id));
        assert_eq!(request_from(bob, &requests), None);
    }
}
