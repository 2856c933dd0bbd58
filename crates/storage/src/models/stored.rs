//! Columns held parsed in their rows: `Stored<T>` reads the text of an enum
//! or an id column and fails the read on a value this build does not know.

use std::ops::Deref;

use protocol::{
    ActivityId, ActivityKind, AttachmentId, AuditAction, AuditEntryId, EventQueueId,
    FriendRequestId, MessageId, NotificationId, NotificationKind, NotificationLevel,
    OutgoingTrigger, PhotoId, ProfileVisibility, Role, RoomId, RoomKind, SessionId, UserId,
    VersionId, Visibility, WebhookId,
};

use crate::{DbError, DbResult};

/// A column stored as text and held parsed (`Stored<Option<T>>` for a
/// nullable one). A value this build does not know fails the read
/// (`DbError::Unreadable`) instead of turning into a guessed default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stored<T>(pub T);

impl<T> Deref for Stored<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// What may be stored as text: the enums and the ids.
pub trait StoredText: Sized {
    /// What the column holds, for the error.
    const WHAT: &'static str;
    fn parse(text: &str) -> Option<Self>;
    fn to_text(&self) -> String;
}

macro_rules! text_enum {
    ($($t:ty => $column:literal),* $(,)?) => {$(
        impl StoredText for $t {
            const WHAT: &'static str = $column;
            fn parse(text: &str) -> Option<Self> {
                <$t>::parse(text)
            }
            fn to_text(&self) -> String {
                self.as_str().to_owned()
            }
        }
    )*};
}

text_enum! {
    Role => "memberships.role",
    NotificationLevel => "memberships.notification_level",
    RoomKind => "rooms.kind",
    Visibility => "rooms.visibility",
    ProfileVisibility => "users.profile_visibility",
    NotificationKind => "notifications.kind",
    AuditAction => "audit_log.action",
    ActivityKind => "activities.kind",
    OutgoingTrigger => "bots.outgoing_trigger",
}

macro_rules! text_id {
    ($($t:ty),* $(,)?) => {$(
        impl StoredText for $t {
            const WHAT: &'static str = <$t>::KIND;
            fn parse(text: &str) -> Option<Self> {
                <$t>::parse(text).ok()
            }
            fn to_text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

text_id!(
    AttachmentId,
    WebhookId,
    EventQueueId,
    PhotoId,
    UserId,
    RoomId,
    MessageId,
    FriendRequestId,
    NotificationId,
    AuditEntryId,
    ActivityId,
    SessionId,
    VersionId,
);

impl<T: StoredText> TryFrom<String> for Stored<T> {
    type Error = DbError;
    fn try_from(text: String) -> DbResult<Self> {
        T::parse(&text).map(Stored).ok_or(DbError::Unreadable {
            column: T::WHAT,
            value: text,
        })
    }
}

impl<T: StoredText> From<Stored<T>> for String {
    fn from(value: Stored<T>) -> String {
        value.0.to_text()
    }
}

impl<T: StoredText> TryFrom<Option<String>> for Stored<Option<T>> {
    type Error = DbError;
    fn try_from(text: Option<String>) -> DbResult<Self> {
        match text {
            None => Ok(Stored(None)),
            Some(text) => Stored::<T>::try_from(text).map(|Stored(value)| Stored(Some(value))),
        }
    }
}

impl<T: StoredText> From<Stored<Option<T>>> for Option<String> {
    fn from(value: Stored<Option<T>>) -> Option<String> {
        value.0.as_ref().map(T::to_text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_enums_read_what_they_wrote_and_refuse_the_rest() {
        for role in [Role::Owner, Role::Moderator, Role::Member] {
            let text = String::from(Stored(role));
            assert!(matches!(Stored::<Role>::try_from(text), Ok(Stored(r)) if r == role));
        }
        let unknown = Stored::<Role>::try_from("admiral".to_owned());
        assert!(matches!(
            unknown,
            Err(DbError::Unreadable { column: "memberships.role", ref value }) if value == "admiral"
        ));
    }

    #[test]
    fn stored_ids_read_what_they_wrote_and_refuse_the_rest() {
        let id = RoomId::from_uuid(uuid::Uuid::now_v7());
        let text = String::from(Stored(id));
        assert!(matches!(Stored::<RoomId>::try_from(text), Ok(Stored(r)) if r == id));
        let nothing: Option<String> = Stored::<Option<UserId>>(None).into();
        assert_eq!(nothing, None);
        assert!(matches!(
            Stored::<Option<UserId>>::try_from(None),
            Ok(Stored(None))
        ));
        let malformed = Stored::<Option<UserId>>::try_from(Some("not-a-uuid".to_owned()));
        assert!(matches!(
            malformed,
            Err(DbError::Unreadable { column: "user id", ref value }) if value == "not-a-uuid"
        ));
    }
}
