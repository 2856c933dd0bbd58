//! Socket events: the state decides what each one means
//! ([`crate::state::ChatState::apply`], tested on the host); this carries
//! out the effects.

use leptos::prelude::*;
use protocol::ServerEvent;

use crate::session;
use crate::state::{Context, Effect};

use super::{Chat, page_visible};

impl Chat {
    pub fn handle(&self, event: ServerEvent) {
        let cx = Context {
            current_room: self.current_room.get_untracked(),
            page_visible: page_visible(),
            now_ms: session::now_ms(),
        };
        let mut effects = Vec::new();
        // Views redraw only when the state changed (a pong or a friend
        // request changes nothing they show).
        self.state.maybe_update(|s| {
            let applied = s.apply(event, &cx);
            effects = applied.effects;
            applied.changed
        });
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(&self, effect: Effect) {
        match effect {
            Effect::RefreshRooms => self.refresh_rooms(),
            Effect::LoadMembers(room) => self.load_members(room),
            Effect::CatchUp(room) => self.catch_up(room),
            Effect::LoadReadMarkers(room) => self.load_read_markers(room),
            Effect::ReloadRoom(room) => self.reload_room(room),
            Effect::ShowNewest(room) => self.back_to_live(room, || {}),
            Effect::RecheckSeen => self.recheck_seen(),
            Effect::ResumeTyping => self.resume_typing(),
            Effect::Send(frame) => {
                self.socket.send(frame);
            }
            Effect::RefreshNotificationCount => self.refresh_notif_count(),
            Effect::Notified { unread, alert } => {
                if unread {
                    self.notif_unread.update(|n| *n += 1);
                }
                if alert.is_some() {
                    self.alert.set(alert);
                }
                self.notif_version.update(|v| *v += 1);
            }
            Effect::SocialChanged => self.social_version.update(|v| *v += 1),
            Effect::Warn(line) => leptos::logging::warn!("{line}"),
        }
    }
}
