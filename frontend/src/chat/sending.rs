//! What the user sends: messages (with retries), typing and read markers.

use leptos::prelude::*;
use leptos::task::spawn_local;

use uuid::Uuid;

use crate::api::{self};
use crate::read_pacer::ReadAction;
use crate::session;
use crate::state::Pending;
use crate::ws::ConnStatus;
use protocol::{Attachment, ClientFrame, MessageId, RoomId};

use super::*;

impl Chat {
    /// Marks the room read up to its newest message ("Mark as read"): the
    /// user asked, so unlike reading this may pass messages never shown.
    pub fn mark_read(&self, room: RoomId) {
        let mut report = None;
        self.state.maybe_update(|s| {
            report = s.mark_all_read(room);
            report.is_some()
        });
        if let Some(message_id) = report {
            self.pace_read(room, message_id);
        }
    }

    /// The user has seen `room` up to `message_id` (the list reports the
    /// last message on screen): the badge changes at once, here and
    /// (through the server's `read` event) on the user's other tabs. The
    /// marker never passes a message this client has not received.
    pub fn read_up_to(&self, room: RoomId, message_id: MessageId) {
        let mut report = None;
        self.state.maybe_update(|s| {
            report = s.read_up_to(room, message_id);
            report.is_some()
        });
        if let Some(message_id) = report {
            self.pace_read(room, message_id);
        }
    }

    /// Reports a read marker now, or within the pacing interval.
    fn pace_read(&self, room: RoomId, message_id: MessageId) {
        let now = session::now_ms();
        match self
            .read_pacer
            .try_update_value(|p| p.offer(room, message_id, now))
        {
            Some(ReadAction::SendNow) => self.report_read(room, message_id),
            Some(ReadAction::SendAfter(wait_ms)) => {
                let chat = *self;
                spawn_local(async move {
                    crate::timer::sleep(wait_ms.ceil() as u32).await;
                    let now = session::now_ms();
                    if let Some(Some(latest)) =
                        chat.read_pacer.try_update_value(|p| p.due(room, now))
                    {
                        chat.report_read(room, latest);
                    }
                });
            }
            Some(ReadAction::Scheduled) | None => {}
        }
    }

    /// The page is going away (closed, reloaded, hidden): read reports held
    /// for pacing go now, in requests that outlive the page.
    pub fn flush_reads(&self) {
        let now = session::now_ms();
        let held = self
            .read_pacer
            .try_update_value(|p| p.take_held(now))
            .unwrap_or_default();
        let Some(token) = session::current().access_token() else {
            return;
        };
        for (room, message_id) in held {
            let body = serde_json::json!({ "message_id": message_id });
            crate::http::send_while_leaving("POST", &format!("/rooms/{room}/read"), &body, &token);
        }
    }

    /// Tells the server (and through it the user's other tabs).
    pub(super) fn report_read(&self, room: RoomId, message_id: MessageId) {
        if !self.socket.send(ClientFrame::Read {
            room_id: room,
            message_id,
        }) {
            spawn_local(async move {
                let _ = api::mark_read(room, message_id).await;
            });
        }
    }

    /// Shows the message at once and sends it; unacknowledged sends stay in
    /// the outbox and go again after a reconnect, with the same client id.
    pub fn send_message(
        &self,
        room: RoomId,
        body: String,
        reply_to: Option<MessageId>,
        attachments: Vec<Attachment>,
    ) {
        let pending = Pending {
            client_id: Uuid::new_v4().to_string(),
            room_id: room,
            body,
            reply_to,
            attachments,
            created_at: chrono::Utc::now(),
            failed: None,
            waiting: false,
        };
        let frame = pending.frame();
        let windowed = self
            .state
            .with_untracked(|s| s.timelines.get(&room).is_some_and(|t| t.has_newer));
        if windowed {
            // A message goes at the end of the room: show the end.
            self.back_to_live(room, || {});
        }
        self.state
            .update(|s| s.timeline(room).add_pending(pending.clone()));
        self.last_typing.set_value((None, 0.0));
        if !self.socket.send(frame) {
            self.post_instead(pending);
        }
    }

    /// The socket went down with sends unanswered: they go over REST (the
    /// server stores each client id once, however many times it comes).
    pub(super) fn send_outbox_over_rest(&self) {
        let outbox = self.state.with_untracked(|s| s.outbox());
        for pending in outbox {
            self.post_instead(pending);
        }
    }

    /// The socket is down: the message goes over REST, with its client id
    /// (if the socket's resend after a reconnect races it, the server
    /// answers the repeat with the original). The answer is taken as the
    /// socket's `ack` would be; a refusal marks the message failed, and a
    /// server out of reach leaves it in the outbox for the reconnect.
    fn post_instead(&self, pending: Pending) {
        let chat = *self;
        spawn_local(async move {
            let req = protocol::PostMessageRequest {
                body: pending.body.clone(),
                client_id: Some(pending.client_id.clone()),
                reply_to: pending.reply_to,
                attachments: pending.attachments.iter().map(|a| a.id).collect(),
            };
            match api::post_message(pending.room_id, &req).await {
                Ok(message) => chat.handle(protocol::ServerEvent::Ack {
                    client_id: pending.client_id,
                    message,
                }),
                Err(api::Failure::Refused(body)) => chat.state.update(|s| {
                    s.timeline(pending.room_id)
                        .fail_pending(&pending.client_id, &body.message)
                }),
                // Out of reach: it waits in the outbox for the reconnect.
                Err(_) => chat
                    .state
                    .update(|s| s.timeline(pending.room_id).wait_pending(&pending.client_id)),
            }
        });
    }

    /// Re-sends outbox entries that have waited too long for their ack.
    pub(super) fn resend_stale(&self, now_ms: f64) {
        if self.socket.status.get_untracked() != ConnStatus::Online {
            return;
        }
        let (last, _) = self.last_resend.get_value();
        if now_ms - last < RESEND_AFTER_MS {
            return;
        }
        let cutoff = now_ms - RESEND_AFTER_MS;
        let stale: Vec<Pending> = self.state.with_untracked(|s| {
            s.outbox()
                .into_iter()
                .filter(|p| (p.created_at.timestamp_millis() as f64) < cutoff)
                .collect()
        });
        if stale.is_empty() {
            return;
        }
        self.last_resend.set_value((now_ms, stale.len()));
        for p in stale {
            self.socket.send(p.frame());
        }
    }

    pub fn retry(&self, room: RoomId, client_id: String) {
        let p = self.state.try_update(|s| {
            let t = s.timeline(room);
            t.retry_pending(&client_id);
            t.pending()
                .iter()
                .find(|p| p.client_id == client_id)
                .cloned()
        });
        if let Some(Some(p)) = p
            && !self.socket.send(p.frame())
        {
            self.post_instead(p);
        }
    }

    pub fn discard(&self, room: RoomId, client_id: String) {
        self.state
            .update(|s| s.timeline(room).discard_pending(&client_id));
    }

    /// Tells the room the user is typing, at most every few seconds.
    pub fn typing(&self, room: RoomId) {
        let now = session::now_ms();
        self.typed_at.set_value((Some(room), now));
        let (last_room, at) = self.last_typing.get_value();
        if last_room == Some(room) && now - at < TYPING_EVERY_MS {
            return;
        }
        if self.socket.send(ClientFrame::Typing { room_id: room }) {
            self.last_typing.set_value((Some(room), now));
        }
    }

    /// The socket is back: if the user was typing when it dropped (within
    /// the time a `typing` event lasts), the room hears it again.
    pub(super) fn resume_typing(&self) {
        let (room, at) = self.typed_at.get_value();
        let now = session::now_ms();
        if let Some(room) = room
            && now - at < crate::state::TYPING_TTL_MS
            && self.socket.send(ClientFrame::Typing { room_id: room })
        {
            self.last_typing.set_value((Some(room), now));
        }
    }
}
