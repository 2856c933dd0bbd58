//! What a signed-in socket does with each client frame.

use std::time::Instant;

use protocol::{ClientFrame, ErrorCode, ServerEvent};

use super::connection::{Connection, MAX_SENDS_IN_FLIGHT, TYPING_INTERVAL};
use crate::delivery::Outbound;
use domain::error::{DomainError, DomainResult, Missing};
use domain::messages::{Draft, Posted};
use protocol::{AttachmentId, MessageId, RoomId};

impl Connection {
    pub(super) async fn handle(&mut self, text: &str) {
        let frame = serde_json::from_str::<ClientFrame>(text);
        if !matches!(frame, Ok(ClientFrame::Send { .. })) && self.frames.check().is_err() {
            let msg = "too many frames, slow down";
            self.error(ErrorCode::RateLimited, msg, None).await;
            return;
        }
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                let message = format!("not a valid frame: {e}");
                self.error(ErrorCode::InvalidFrame, &message, None).await;
                return;
            }
        };
        // Every frame but `ping` (and a stray `auth`) acts: a read-only
        // bot token only listens.
        if !matches!(frame, ClientFrame::Ping | ClientFrame::Auth { .. })
            && let Err(e) = self.user.access.require(protocol::BotScope::Write)
        {
            let client_id = match &frame {
                ClientFrame::Send { client_id, .. } => Some(client_id.clone()),
                _ => None,
            };
            self.fail(e, client_id).await;
            return;
        }
        match frame {
            ClientFrame::Send {
                room_id,
                body,
                client_id,
                reply_to,
                attachments,
            } => {
                self.on_send(room_id, body, client_id, reply_to, attachments)
                    .await
            }
            ClientFrame::Typing { room_id } => self.on_typing(room_id).await,
            ClientFrame::Read {
                room_id,
                message_id,
            } => self.on_read(room_id, message_id).await,
            ClientFrame::React { message_id, emoji } => {
                self.on_react(message_id, emoji, true).await
            }
            ClientFrame::Unreact { message_id, emoji } => {
                self.on_react(message_id, emoji, false).await
            }
            ClientFrame::Ping => {
                self.send(&ServerEvent::Pong).await;
            }
            ClientFrame::Auth { .. } => {
                self.error(
                    ErrorCode::AlreadyAuthenticated,
                    "this connection is signed in",
                    None,
                )
                .await;
            }
        }
    }

    pub(super) async fn on_send(
        &mut self,
        room_id: RoomId,
        body: String,
        client_id: String,
        reply_to: Option<MessageId>,
        attachments: Vec<AttachmentId>,
    ) {
        if self.state.limiter.check(&self.user.id).is_err() {
            let msg = "too many messages, slow down";
            self.error(ErrorCode::RateLimited, msg, Some(client_id))
                .await;
            return;
        }
        let too_long = body.trim().chars().count() > protocol::limits::MESSAGE_BODY_MAX;
        let parsed = Draft::parse(
            &body,
            Some(&client_id),
            reply_to,
            attachments,
            &self.state.profanity,
        );
        let draft = match parsed {
            Ok(draft) => draft,
            Err(e) => {
                let code = if too_long {
                    ErrorCode::BodyTooLong
                } else {
                    e.code()
                };
                self.error(code, &e.to_string(), Some(client_id)).await;
                return;
            }
        };
        if self.sending.len() >= MAX_SENDS_IN_FLIGHT {
            let msg = "too many messages waiting to be stored, slow down";
            self.error(ErrorCode::RateLimited, msg, Some(client_id))
                .await;
            return;
        }
        let stored = self
            .state
            .poster
            .submit(self.user.id, room_id, draft, Some(self.origin()));
        self.sending
            .push(Box::pin(async move { (client_id, room_id, stored.await) }));
    }

    pub(super) async fn on_stored(
        &mut self,
        client_id: String,
        room_id: RoomId,
        result: DomainResult<Posted>,
    ) {
        match result {
            // A new message's ack comes through the hub, in seq order with the
            // room's other messages; a repeat (or a room this connection does
            // not follow yet) is answered here.
            Ok(posted) if posted.created && self.state.hub.follows(self.id(), room_id) => {}
            Ok(posted) => {
                self.send(&ServerEvent::Ack {
                    client_id,
                    message: posted.message,
                })
                .await;
            }
            Err(e) => self.fail(e, Some(client_id)).await,
        }
    }

    /// True when this socket follows `room_id`; else says so to the client.
    async fn in_room(&mut self, room_id: RoomId) -> bool {
        if self.state.hub.follows(self.id(), room_id) {
            return true;
        }
        let message = "you are not a member of this room";
        self.error(ErrorCode::NotAMember, message, None).await;
        false
    }

    pub(super) async fn on_typing(&mut self, room_id: RoomId) {
        if !self.in_room(room_id).await {
            return;
        }
        let now = Instant::now();
        if self
            .last_typing
            .get(&room_id)
            .is_some_and(|t| now.duration_since(*t) < TYPING_INTERVAL)
        {
            return;
        }
        self.last_typing.insert(room_id, now);
        let event = ServerEvent::Typing {
            room_id,
            user: self.me.clone(),
        };
        self.state
            .publish(vec![Outbound::room(room_id, event)], Some(self.origin()));
    }

    /// Kept in memory and written with the others a few times a second
    /// (see `workers::read_flush`); the `read` event follows the write.
    pub(super) async fn on_read(&mut self, room_id: RoomId, message_id: MessageId) {
        if !self.in_room(room_id).await {
            return;
        }
        self.state
            .reads
            .report(room_id, self.user.id, message_id, Some(self.origin()));
    }
    /// The same rule as `PUT`/`DELETE /messages/{id}/reactions/{emoji}`.
    /// Its `reaction` event reaches this connection too: it is the answer.
    pub(super) async fn on_react(&mut self, message_id: MessageId, emoji: String, add: bool) {
        if self.state.limiter.check(&self.user.id).is_err() {
            let msg = "too many reactions, slow down";
            self.error(ErrorCode::RateLimited, msg, None).await;
            return;
        }
        let user = self.user.id;
        let changed = self
            .state
            .commit(move |conn| domain::reactions::react(conn, user, message_id, &emoji, add))
            .await;
        if let Err(e) = changed {
            self.fail(e, None).await;
        }
    }

    /// A domain error as an `error` frame. Over the socket, a room one may
    /// not use is simply one one is not a member of.
    pub(super) async fn fail(&mut self, e: DomainError, client_id: Option<String>) {
        let code = match &e {
            DomainError::NotFound(Missing::Room) => ErrorCode::NotAMember,
            DomainError::Internal(cause) => {
                tracing::error!(%cause, "socket request failed");
                ErrorCode::InternalError
            }
            other => other.code(),
        };
        let message = if code == ErrorCode::NotAMember {
            "you are not a member of this room".to_owned()
        } else {
            e.to_string()
        };
        self.error(code, &message, client_id).await;
    }

    pub(super) async fn error(
        &mut self,
        code: ErrorCode,
        message: &str,
        client_id: Option<String>,
    ) {
        self.send(&ServerEvent::error(code, message, client_id))
            .await;
    }
}
