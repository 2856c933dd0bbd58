//! Bots and webhooks: accounts a person runs programs under, the tokens
//! those programs sign in with, and the two directions of webhooks (a
//! secret URL that posts into a room as the bot; an address of the owner's
//! that ThemeChat calls when the bot is written to).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{RoomId, SessionId, UserId, WebhookId};
use crate::rooms::string_enum;

string_enum!(
    /// What a bot token may do: `read` (every `GET`, the socket, the event
    /// queues) and `write` (everything else a member does). Managing bots,
    /// sessions, passwords and two-factor sign-in takes a person's session.
    BotScope { Read => "read", Write => "write" }
);

string_enum!(
    /// Which messages an outgoing webhook is called for: every message in
    /// the bot's rooms, or only those that `@mention` it.
    OutgoingTrigger { Messages => "messages", Mentions => "mentions" }
);

/// `POST /bots`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateBotRequest {
    /// The bot's username: the rules of a person's, and unique with them.
    pub username: String,
    /// Defaults to the username.
    #[serde(default)]
    pub display_name: Option<String>,
    /// What the bot does, for its owner's list.
    #[serde(default)]
    pub description: Option<String>,
}

/// A bot, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bot {
    /// The bot's user id: it is a member of rooms, and a sender, as a user.
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub description: String,
    pub owner_id: UserId,
    pub created_at: DateTime<Utc>,
    /// Where ThemeChat calls when the bot is written to, if anywhere.
    pub outgoing: Option<OutgoingWebhook>,
}

/// `POST /bots/{id}/tokens`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateBotTokenRequest {
    /// A label for the owner: where the token is used.
    pub name: String,
    /// At least one, each once.
    pub scopes: Vec<BotScope>,
}

/// A bot token, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BotToken {
    /// The token's session: revoking it signs the bot out there.
    pub id: SessionId,
    pub name: String,
    pub scopes: Vec<BotScope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// A token just made: its secret is shown this once (only its hash is
/// kept). Send it as `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedBotToken {
    pub token: String,
    #[serde(flatten)]
    pub info: BotToken,
}

/// `POST /bots/{id}/webhooks`: a URL that posts into `room_id` as the bot.
/// The bot joins the room if it is not in it: a public group as anyone
/// would, a private one on its owner's invitation (a moderator's right).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateWebhookRequest {
    pub room_id: RoomId,
    pub name: String,
}

/// An incoming webhook, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomingWebhook {
    pub id: WebhookId,
    pub bot_id: UserId,
    pub room_id: RoomId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A webhook just made: `url` holds its secret and is shown this once.
/// `POST` a [`HookMessage`] to it, with no other credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedWebhook {
    /// A path on this server: `/api/v1/hooks/{id}/{secret}`.
    pub url: String,
    #[serde(flatten)]
    pub info: IncomingWebhook,
}

/// What an incoming webhook posts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HookMessage {
    pub body: String,
    /// Makes a retried post safe, as for `POST /rooms/{id}/messages`.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// `PUT /bots/{id}/outgoing`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutgoingWebhookRequest {
    /// An `http(s)://` URL; by default it must not name a private or
    /// loopback address.
    pub url: String,
    pub trigger: OutgoingTrigger,
}

/// An outgoing webhook and how its calls went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutgoingWebhook {
    pub url: String,
    pub trigger: OutgoingTrigger,
    /// When a call last succeeded.
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// Why the last call that failed did (null once one succeeds).
    pub last_error: Option<String>,
}

/// An outgoing webhook just set: the key of its signatures, shown this
/// once. Each call carries `X-ThemeChat-Signature: sha256=<hex>`, the
/// HMAC-SHA256 under this key of `<X-ThemeChat-Timestamp>.<body>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedOutgoingWebhook {
    pub signing_secret: String,
    #[serde(flatten)]
    pub info: OutgoingWebhook,
}

/// The body of an outgoing webhook's call: one message, as the socket's
/// `message` event carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutgoingCall {
    /// Unique per call, and the same on its retries: a receiver drops what
    /// it has seen.
    pub delivery_id: String,
    pub bot_id: UserId,
    pub trigger: OutgoingTrigger,
    pub message: crate::Message,
}
