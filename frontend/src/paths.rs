//! Where the app's screens are: the paths links and redirects go to, built in
//! one place below the views (pages, the navigation bar and the router all
//! use them).

use protocol::RoomId;

use crate::api;

/// Where a signed-out visitor goes: `/login?next=<where they were>`.
pub fn login_redirect(path: &str) -> String {
    format!("/login?next={}", api::enc(path))
}

/// Only a safe, same-site path is followed after signing in.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/".to_owned(),
    }
}

/// The path of a search.
pub fn search_path(q: &str, room: Option<RoomId>) -> String {
    let room = room.map(|r| format!("&room={r}")).unwrap_or_default();
    format!("/search?q={}{room}", api::enc(q.trim()))
}

/// The path of a people search.
pub fn people_path(q: &str) -> String {
    format!("/people?q={}", api::enc(q.trim()))
}
