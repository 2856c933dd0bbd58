//! Enum columns held parsed in their rows: `Stored<T>` reads the text and
//! fails the read on a value this build does not know.

use protocol::{
    ActivityKind, AuditAction, NotificationKind, NotificationLevel, ProfileVisibility, Role,
    RoomKind, Visibility,
};

use crate::db::{DbError, DbResult};

/// An enum column: stored as its text, held parsed. A value this build does
/// not know fails the read (`DbError::Unreadable`) instead of turning into a
/// guessed default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored<T>(pub T);

/// The enums stored as text, and the column each lives in (for the error).
pub trait TextEnum: Sized + Copy {
    const COLUMN: &'static str;
    fn parse(text: &str) -> Option<Self>;
    fn as_str(self) -> &'static str;
}

macro_rules! text_enum {
    ($($t:ty => $column:literal),* $(,)?) => {$(
        impl TextEnum for $t {
            const COLUMN: &'static str = $column;
            fn parse(text: &str) -> Option<Self> {
                <$t>::parse(text)
            }
            fn as_str(self) -> &'static str {
                <$t>::as_str(self)
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
}

impl<T: TextEnum> TryFrom<String> for Stored<T> {
    type Error = DbError;
    fn try_from(text: String) -> DbResult<Self> {
        T::parse(&text).map(Stored).ok_or(DbError::Unreadable {
            column: T::COLUMN,
            value: text,
        })
    }
}

impl<T: TextEnum> From<Stored<T>> for String {
    fn from(value: Stored<T>) -> String {
        value.0.as_str().to_owned()
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
}
