//! Rows of bots, their tokens and their incoming webhooks.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use protocol::{OutgoingTrigger, RoomId, SessionId, UserId, WebhookId};

use super::Stored;
use crate::schema::{bot_tokens, bots, incoming_webhooks};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bots)]
pub struct BotRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub owner_id: Stored<UserId>,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub outgoing_url: Option<String>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub outgoing_trigger: Stored<Option<OutgoingTrigger>>,
    pub outgoing_secret: Option<String>,
    #[diesel(deserialize_as = Option<String>, serialize_as = Option<String>)]
    pub outgoing_queue: Stored<Option<protocol::EventQueueId>>,
    /// JSON: the newest message handled in each room.
    pub outgoing_seen: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bot_tokens)]
pub struct BotTokenRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub session_id: Stored<SessionId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub bot_id: Stored<UserId>,
    pub name: String,
    pub token_hash: String,
    /// Space-separated scope names.
    pub scopes: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = incoming_webhooks)]
pub struct IncomingWebhookRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: Stored<WebhookId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub bot_id: Stored<UserId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub room_id: Stored<RoomId>,
    pub name: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
}
