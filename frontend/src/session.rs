//! The signed-in session: tokens kept in `localStorage` (so a reload stays
//! signed in) and shared with other tabs. Refreshing them is `auth`'s job.
//!
//! [`Session`] is a `Copy` bundle of signals provided by context; the API
//! client reaches the same handle through [`current`] because its futures run
//! outside any reactive owner.

use std::cell::Cell;

use leptos::prelude::*;
use protocol::{AuthResponse, Me};
use serde::{Deserialize, Serialize};

const TOKENS_KEY: &str = "themechat.session";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    /// Wall clock (ms since the epoch) when the access token expires.
    pub expires_at_ms: f64,
    pub me: Me,
}

#[derive(Clone, Copy)]
pub struct Session {
    pub tokens: RwSignal<Option<Tokens>>,
}

thread_local! {
    static CURRENT: Cell<Option<Session>> = const { Cell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Reads the tokens another tab (or an earlier visit) stored.
pub fn stored_tokens() -> Option<Tokens> {
    let raw = storage()?.get_item(TOKENS_KEY).ok()??;
    serde_json::from_str(&raw).ok()
}

fn store(tokens: Option<&Tokens>) {
    if let Some(s) = storage() {
        let _ = match tokens.and_then(|t| serde_json::to_string(t).ok()) {
            Some(json) => s.set_item(TOKENS_KEY, &json),
            None => s.remove_item(TOKENS_KEY),
        };
    }
}

/// The app's session (set up once by [`Session::init`]).
pub fn current() -> Session {
    CURRENT.with(|c| c.get()).unwrap_or_else(Session::init)
}

impl Session {
    /// Loads the stored session and follows changes made by other tabs.
    pub fn init() -> Session {
        if let Some(s) = CURRENT.with(|c| c.get()) {
            return s;
        }
        let session = Session {
            tokens: RwSignal::new(stored_tokens()),
        };
        CURRENT.with(|c| c.set(Some(session)));
        // Another tab signed in, refreshed or signed out.
        let handle = window_event_listener(leptos::ev::storage, move |ev| {
            if ev.key().as_deref() == Some(TOKENS_KEY) {
                let fresh = stored_tokens();
                if session.tokens.get_untracked() != fresh {
                    session.tokens.set(fresh);
                }
            }
        });
        std::mem::forget(handle);
        session
    }

    pub fn signed_in(&self) -> bool {
        self.tokens.with(Option::is_some)
    }

    pub fn access_token(&self) -> Option<String> {
        self.tokens
            .with_untracked(|t| t.as_ref().map(|t| t.access.clone()))
    }

    pub fn refresh_token(&self) -> Option<String> {
        self.tokens
            .with_untracked(|t| t.as_ref().map(|t| t.refresh.clone()))
    }

    pub fn me(&self) -> Option<Me> {
        self.tokens.with(|t| t.as_ref().map(|t| t.me.clone()))
    }

    pub fn me_untracked(&self) -> Option<Me> {
        self.tokens
            .with_untracked(|t| t.as_ref().map(|t| t.me.clone()))
    }

    /// Stores a fresh token pair from register, login or refresh.
    pub fn set_auth(&self, auth: AuthResponse) {
        let tokens = Tokens {
            access: auth.access_token,
            refresh: auth.refresh_token,
            expires_at_ms: now_ms() + auth.expires_in as f64 * 1000.0,
            me: auth.user,
        };
        store(Some(&tokens));
        self.tokens.set(Some(tokens));
    }

    /// Adopts tokens another tab wrote, if they differ from ours.
    pub fn adopt_stored(&self) -> bool {
        let fresh = stored_tokens();
        if fresh.is_some() && fresh != self.tokens.get_untracked() {
            self.tokens.set(fresh);
            true
        } else {
            false
        }
    }

    /// Keeps the profile shown in the app in step with `PATCH /users/me`.
    pub fn set_me(&self, me: Me) {
        self.tokens.update(|t| {
            if let Some(t) = t {
                t.me = me;
            }
        });
        store(self.tokens.get_untracked().as_ref());
    }

    /// Forgets the session here and in every tab.
    pub fn clear(&self) {
        store(None);
        crate::drafts::forget_all();
        self.tokens.set(None);
    }
}
