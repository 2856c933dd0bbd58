//! What the client does with each socket event, and the `ready` snapshot.

use leptos::prelude::*;
use protocol::{ClientFrame, Me, Message, RoomSummary, ServerEvent};
use uuid::Uuid;

use crate::session;
use crate::state::{Arrival, Insert};

use super::*;

impl Chat {
    pub fn on_ready(&self, me: Me, rooms: Vec<RoomSummary>) {
        let loaded: Vec<Uuid> = self.state.with_untracked(|s| {
            s.timelines
                .iter()
                .filter(|(_, t)| t.loaded)
                .map(|(id, _)| *id)
                .collect()
        });
        self.state.update(|s| {
            s.me = Some(me.user.id);
            s.set_rooms(rooms);
        });
        // Catch up every room we show, from its last message.
        for room in loaded {
            self.catch_up(room);
        }
        // Re-send the outbox with the same client ids: the server answers a
        // repeat with the original message, so nothing is stored twice.
        for p in self.state.with_untracked(|s| s.outbox()) {
            self.socket.send(ClientFrame::Send {
                room_id: p.room_id,
                body: p.body,
                client_id: p.client_id,
                reply_to: p.reply_to,
            });
        }
        if let Some(room) = self.current_room.get_untracked() {
            self.mark_read(room);
        }
        self.refresh_notif_count();
    }

    pub fn handle(&self, event: ServerEvent) {
        match event {
            ServerEvent::Ready { user, rooms } => self.on_ready(user, rooms),
            ServerEvent::Ack { message, .. } | ServerEvent::Message { message } => {
                self.receive(message)
            }
            ServerEvent::MessageUpdated { message } => self.state.update(|s| {
                if let Some(r) = s.rooms.get_mut(&message.room_id)
                    && r.last_message.as_ref().map(|m| m.id) == Some(message.id)
                {
                    r.last_message = Some(message.clone());
                }
                s.timeline(message.room_id).update(message);
            }),
            ServerEvent::MessageDeleted {
                room_id,
                message_id,
            } => self.state.update(|s| {
                if let Some(r) = s.rooms.get_mut(&room_id)
                    && let Some(m) = r.last_message.as_mut().filter(|m| m.id == message_id)
                {
                    m.deleted = true;
                    m.body.clear();
                }
                s.timeline(room_id).mark_deleted(message_id)
            }),
            ServerEvent::Typing { room_id, user } => {
                let now = session::now_ms();
                self.state.update(|s| s.set_typing(room_id, user, now));
            }
            ServerEvent::Read {
                room_id,
                user_id,
                message_id,
            } => self.state.update(|s| {
                if s.me == Some(user_id) {
                    s.mark_read_by_me(room_id, message_id);
                }
                if let Some(t) = s.timelines.get_mut(&room_id) {
                    t.set_read(user_id, message_id);
                }
            }),
            ServerEvent::MemberJoined { room_id, user } => {
                let known = self
                    .state
                    .with_untracked(|s| s.rooms.contains_key(&room_id));
                if Some(user.id) == self.me() || !known {
                    self.refresh_rooms();
                }
                let room = room_id;
                self.state.update(|s| {
                    if let Some(r) = s.rooms.get_mut(&room) {
                        r.room.member_count += 1;
                    }
                });
                if self
                    .state
                    .with_untracked(|s| s.timelines.get(&room).is_some_and(|t| t.members.is_some()))
                {
                    self.load_members(room);
                }
            }
            ServerEvent::MemberLeft { room_id, user_id } => {
                if Some(user_id) == self.me() {
                    self.state.update(|s| s.remove_room(room_id));
                } else {
                    self.state.update(|s| {
                        if let Some(r) = s.rooms.get_mut(&room_id) {
                            r.room.member_count = (r.room.member_count - 1).max(0);
                        }
                        if let Some(members) = s
                            .timelines
                            .get_mut(&room_id)
                            .and_then(|t| t.members.as_mut())
                        {
                            members.retain(|m| m.user.id != user_id);
                        }
                    });
                }
            }
            ServerEvent::RoomUpdated { room } => self.state.update(|s| {
                if let Some(r) = s.rooms.get_mut(&room.id) {
                    let role = r.room.my_role;
                    r.room = room;
                    r.room.my_role = role;
                    r.room.joined = true;
                }
            }),
            ServerEvent::RoomDeleted { room_id } => {
                self.state.update(|s| s.remove_room(room_id));
            }
            ServerEvent::Presence { user_id, online } => {
                self.state.update(|s| s.set_presence(user_id, online));
            }
            ServerEvent::FriendRequest { .. } | ServerEvent::FriendAccepted { .. } => {
                self.social_version.update(|v| *v += 1);
            }
            ServerEvent::Notification { notification } => {
                if !notification.read {
                    self.notif_unread.update(|n| *n += 1);
                }
                // A live mention lights the room's "@" badge unless the user
                // is reading that room right now.
                if notification.kind == protocol::NotificationKind::Mention
                    && let Some(room) = notification.room_id
                    && !(self.current_room.get_untracked() == Some(room) && page_visible())
                {
                    self.state.update(|s| {
                        if let Some(r) = s.rooms.get_mut(&room) {
                            r.mention_count += 1;
                        }
                    });
                }
                self.notif_version.update(|v| *v += 1);
            }
            ServerEvent::Error {
                code,
                message,
                client_id,
            } => {
                if let Some(cid) = client_id {
                    self.state.update(|s| {
                        for t in s.timelines.values_mut() {
                            t.fail_pending(&cid, &message);
                        }
                    });
                }
                leptos::logging::warn!("socket error {code}: {message}");
            }
            ServerEvent::Pong => {}
        }
    }

    pub(super) fn receive(&self, message: Message) {
        let room = message.room_id;
        let known = self.state.with_untracked(|s| s.rooms.contains_key(&room));
        if !known {
            // A conversation someone just started with us.
            self.refresh_rooms();
        }
        let visible = self.is_open_and_visible(room);
        let loaded = self
            .state
            .with_untracked(|s| s.timelines.get(&room).is_some_and(|t| t.loaded));
        let id = message.id;
        let outcome = self.state.try_update(|s| s.receive(message, visible));
        if let Some((insert, arrival)) = outcome {
            if let Insert::Gap { .. } = insert
                && loaded
            {
                self.catch_up(room);
            }
            if arrival == Arrival::MarkRead {
                self.send_read(room, id);
            }
        }
    }
}
