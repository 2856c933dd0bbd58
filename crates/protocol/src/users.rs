//! Accounts, sessions and profiles.

use crate::ids::{ActivityId, PhotoId, RoomId, SessionId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A person as others see them. Fields a `friends`-only profile hides from
/// strangers are absent from the JSON rather than null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interests: Option<Vec<String>>,
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    pub online: bool,
}

/// The caller's own account: the public fields plus the private ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    pub profile_visibility: ProfileVisibility,
    pub email: Option<String>,
    /// Whether signing in asks for a code from an authenticator as well.
    #[serde(default)]
    pub two_factor: bool,
}

/// A picture in someone's photo library. Its bytes are at
/// `GET /api/v1/photos/{id}` (and a preview at `…/{id}/thumbnail`), for
/// whoever may see its owner's profile in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Photo {
    pub id: PhotoId,
    pub owner_id: UserId,
    /// Read from the bytes: `image/png`, `image/jpeg`, `image/gif` or
    /// `image/webp`.
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub width: u32,
    pub height: u32,
    pub created_at: DateTime<Utc>,
}

/// One of my signed-in devices (a session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: SessionId,
    /// The browser or app, as it named itself (its User-Agent).
    pub client: String,
    /// The address it last signed in or refreshed from.
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it last refreshed its access (every few minutes while in use).
    pub last_seen_at: DateTime<Utc>,
    /// The session of this very request.
    pub current: bool,
}

/// The short form of a user carried by messages and typing events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// Their avatar, to show beside what they wrote; absent when they have
    /// none (so a sender without one is exactly `{id, username,
    /// display_name}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProfileVisibility {
    #[default]
    Public,
    Friends,
}

impl ProfileVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Friends => "friends",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Self::Public),
            "friends" => Some(Self::Friends),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The code of the authenticator (six digits) or a recovery code, for
    /// an account with two-factor sign-in; leave it out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Answer of register, login and refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires; refresh before then.
    pub expires_in: u64,
    pub user: Me,
}

/// Every field optional; an absent field is left as it is. An empty
/// `avatar_url` or `email` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateMeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interests: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_visibility: Option<ProfileVisibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteAccountRequest {
    pub password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Login,
    Join,
    Leave,
    Kicked,
    Banned,
    FriendAdded,
    FriendRemoved,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Join => "join",
            Self::Leave => "leave",
            Self::Kicked => "kicked",
            Self::Banned => "banned",
            Self::FriendAdded => "friend_added",
            Self::FriendRemoved => "friend_removed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "login" => Self::Login,
            "join" => Self::Join,
            "leave" => Self::Leave,
            "kicked" => Self::Kicked,
            "banned" => Self::Banned,
            "friend_added" => Self::FriendAdded,
            "friend_removed" => Self::FriendRemoved,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub id: ActivityId,
    pub kind: ActivityKind,
    pub room_id: Option<RoomId>,
    pub other_user_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Two-factor sign-in being set up: the secret for the authenticator, as
/// text, as an `otpauth://` URL and as a QR code of that URL. It takes
/// effect once a code from it confirms it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorSetup {
    /// Base32, for typing into an authenticator by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// A PNG, base64-encoded.
    pub qr_png_base64: String,
}

/// Turning two-factor sign-in on: a code from the authenticator, and the
/// account's password (an access token alone must not be enough: a thief
/// of one would lock the owner out with an authenticator of their own).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorConfirmRequest {
    pub code: String,
    pub password: String,
}

/// Single-use codes that sign in instead of the authenticator's, shown
/// once: the server keeps only their hashes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}
