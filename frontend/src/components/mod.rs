//! Reusable pieces of the views.

pub mod account;
pub mod attachments;
pub mod avatar;
pub mod bots;
pub mod bubble;
pub mod composer;
pub mod connection_banner;
pub mod controls;
pub mod create_room;
pub mod delete_message;
pub mod desktop_alerts;
pub mod devices;
pub mod edit_history;
pub mod emoji_picker;
pub mod export;
pub mod form;
pub mod member_list;
pub mod mention_suggest;
pub mod message_list;
pub mod message_toolbar;
pub mod moderation;
pub mod nav;
pub mod photos;
pub mod pins;
pub mod quick_switcher;
pub mod reactions;
pub mod read_receipts;
pub mod regions;
pub mod rich_text;
pub mod room_view;
pub mod shortcode_suggest;
pub mod sidebar;
pub mod status;
pub mod thread;
pub mod two_factor;

use leptos::prelude::*;

/// The viewer's UTC offset (for day separators and local times).
pub fn local_offset() -> chrono::FixedOffset {
    let minutes = js_sys::Date::new_0().get_timezone_offset();
    chrono::FixedOffset::west_opt((minutes * 60.0) as i32)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc))
}

/// A clock that ticks every 30 s so relative times stay fresh.
#[derive(Clone, Copy)]
pub struct Clock(pub RwSignal<chrono::DateTime<chrono::Utc>>);

/// Creates the clock; the app provides it by context.
pub fn start_clock() -> Clock {
    let c = Clock(RwSignal::new(chrono::Utc::now()));
    if let Ok(h) = set_interval_with_handle(
        move || c.0.set(chrono::Utc::now()),
        std::time::Duration::from_secs(30),
    ) {
        let _ = h;
    }
    c
}
