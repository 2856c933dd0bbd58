//! Ids, one type per kind of thing: a room id cannot be passed where a user
//! id is expected, from the wire through the rules to the queries.
//!
//! On the wire each is the bare UUID string (`#[serde(transparent)]`); in the
//! OpenAPI document each is a named `string`/`uuid` schema, so third-party
//! clients see which kind a field holds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A text that is not a UUID, where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {kind}: {text:?}")]
pub struct MalformedId {
    pub kind: &'static str,
    pub text: String,
}

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident => $kind:literal;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(Uuid);

        impl $name {
            /// What the id names, for error messages.
            pub const KIND: &'static str = $kind;

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn uuid(self) -> Uuid {
                self.0
            }

            /// Reads an id from text (a path segment, a stored column).
            pub fn parse(text: &str) -> Result<Self, MalformedId> {
                Uuid::try_parse(text).map(Self).map_err(|_| MalformedId {
                    kind: $kind,
                    text: text.to_owned(),
                })
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Lower-case hyphenated: the form every id is stored in.
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = MalformedId;
            fn from_str(text: &str) -> Result<Self, MalformedId> {
                Self::parse(text)
            }
        }
    )*};
}

id_type! {
    /// A person's account.
    UserId => "user id";
    /// A room: a group or a direct conversation.
    RoomId => "room id";
    /// A message in a room.
    MessageId => "message id";
    /// A pending friend request.
    FriendRequestId => "friend request id";
    /// A stored notification.
    NotificationId => "notification id";
    /// An entry in a room's audit log.
    AuditEntryId => "audit entry id";
    /// An entry in a person's activity feed.
    ActivityId => "activity id";
    /// A signed-in device (a refresh-token family).
    SessionId => "session id";
    /// An uploaded file, on its own until a message carries it.
    AttachmentId => "attachment id";
    /// A picture in someone's photo library.
    PhotoId => "photo id";
    /// A long-polling client's queue of events.
    EventQueueId => "event queue id";
    /// An incoming webhook: a secret URL that posts into one room.
    WebhookId => "webhook id";
    /// An earlier version of an edited message.
    VersionId => "version id";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_bare_uuid_strings() {
        let uuid = Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001);
        let id = RoomId::from_uuid(uuid);
        let json = serde_json::to_string(&id).expect("serialize");
        assert_eq!(json, format!("\"{uuid}\""));
        assert_eq!(serde_json::from_str::<RoomId>(&json).expect("parse"), id);
        assert_eq!(id.to_string(), uuid.hyphenated().to_string());
    }

    #[test]
    fn a_malformed_id_says_what_it_should_have_been() {
        let err = UserId::parse("nope").expect_err("not a uuid");
        assert_eq!(err.kind, "user id");
        assert_eq!(err.to_string(), "not a user id: \"nope\"");
        assert!(serde_json::from_str::<UserId>("\"nope\"").is_err());
    }
}
