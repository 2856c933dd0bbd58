//! What one was writing in each room, kept in this browser's storage so it
//! survives switching rooms and reloading, and forgotten on sign-out.

use protocol::RoomId;

const PREFIX: &str = "themechat.draft.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn key(room: RoomId) -> String {
    format!("{PREFIX}{room}")
}

/// The unsent text of a room ("" when none).
pub fn load(room: RoomId) -> String {
    storage()
        .and_then(|s| s.get_item(&key(room)).ok().flatten())
        .unwrap_or_default()
}

/// Keeps the text (an empty one forgets the draft).
pub fn save(room: RoomId, text: &str) {
    if let Some(s) = storage() {
        let _ = if text.trim().is_empty() {
            s.remove_item(&key(room))
        } else {
            s.set_item(&key(room), text)
        };
    }
}

/// Forgets every room's draft (on sign-out: the next person on this
/// browser must not find them).
pub fn forget_all() {
    let Some(s) = storage() else {
        return;
    };
    let len = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..len)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for k in keys {
        let _ = s.remove_item(&k);
    }
}
