//! Wire types of the ThemeChat API: every request, response, error body and
//! WebSocket frame of `API.md`, shared by the server and the web app.
//!
//! This crate is serde-only on purpose: it must build for wasm32 and must never
//! pull in the database or the HTTP server. Limits live here so the web app
//! validates exactly what the server enforces.

pub mod bots;
pub mod error;
pub mod ids;
pub mod limits;
pub mod markup;
pub mod messages;
pub mod patterns;
pub mod rooms;
pub mod social;
pub mod text;
pub mod users;
pub mod validate;
pub mod ws;

pub use bots::*;
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use ids::{
    ActivityId, AttachmentId, AuditEntryId, EventQueueId, FriendRequestId, MalformedId, MessageId,
    NotificationId, PhotoId, RoomId, SessionId, UserId, VersionId, WebhookId,
};
pub use messages::*;
pub use rooms::*;
pub use social::*;
pub use users::*;
pub use ws::{ClientFrame, ServerEvent};
