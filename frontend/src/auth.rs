//! Staying signed in: the token pair is refreshed ahead of expiry and when
//! a request is refused with 401, one refresh at a time across the tabs.
//!
//! Refresh tokens rotate: the one used stops working. Two tabs of one
//! browser share the pair (localStorage), so two refreshing at once would
//! have one of them refused. They take turns under a browser-wide lock (the
//! Web Locks API); a tab that gets the lock after another refreshed finds
//! the new pair stored and adopts it instead of refreshing. Only a refresh
//! token the server calls invalid signs the user out, and only once no
//! other tab turned out to hold a newer pair; a 401 on any other request
//! never does.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use gloo_net::http::Method;
use leptos::prelude::*;
use protocol::{AuthResponse, ErrorCode, RefreshRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::http::{Answer, Failure, Fetched, parse, send_form, send_once};
use crate::session::{self, Session, now_ms};

/// Refresh this long before the access token expires.
const REFRESH_MARGIN_SECS: f64 = 60.0;
/// The browser-wide lock the tabs refresh under.
const REFRESH_LOCK: &str = "themechat.refresh";
/// After the server refused the refresh token, how long to look for a
/// newer pair stored by a tab that refreshed without the lock.
const ADOPT_WAIT_MS: u32 = 2_000;

thread_local! {
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
    static REFRESH_TIMER: RefCell<Option<TimeoutHandle>> = const { RefCell::new(None) };
}

/// Keeps one timer armed to refresh the access token shortly before it
/// expires, re-armed whenever the tokens change (sign-in, refresh, another
/// tab) and cleared on sign-out. Call once, inside the app's owner.
pub fn keep_fresh(session: Session) {
    Effect::new(move |_| {
        let expires = session.tokens.with(|t| t.as_ref().map(|t| t.expires_at_ms));
        REFRESH_TIMER.with(|t| {
            if let Some(h) = t.borrow_mut().take() {
                h.clear();
            }
        });
        let Some(expires) = expires else {
            return;
        };
        let wait = (expires - now_ms() - REFRESH_MARGIN_SECS * 1000.0).max(1000.0);
        let handle = set_timeout_with_handle(
            || {
                leptos::task::spawn_local(async {
                    let _ = refresh_session().await;
                });
            },
            Duration::from_millis(wait as u64),
        );
        if let Ok(h) = handle {
            REFRESH_TIMER.with(|t| *t.borrow_mut() = Some(h));
        }
    });
}

async fn sleep_ms(ms: u32) {
    crate::timer::sleep(ms).await;
}

/// Exchanges the refresh token for a new pair (or adopts the pair another
/// tab just got). One refresh at a time in this tab, and one at a time in
/// the browser (see the module doc).
pub async fn refresh_session() -> Result<(), Failure> {
    let s = session::current();
    if REFRESHING.with(Cell::get) {
        for _ in 0..200 {
            sleep_ms(50).await;
            if !REFRESHING.with(Cell::get) {
                break;
            }
        }
        return if s.access_token().is_some() {
            Ok(())
        } else {
            Err(Failure::SignedOut)
        };
    }
    let Some(held) = s.refresh_token() else {
        return Err(Failure::SignedOut);
    };
    REFRESHING.with(|r| r.set(true));
    let outcome = with_browser_lock(REFRESH_LOCK, move || refresh_holding_lock(held)).await;
    REFRESHING.with(|r| r.set(false));
    outcome
}

/// The refresh itself, run while holding the lock; `held` is the refresh
/// token this tab had when it asked for the lock.
async fn refresh_holding_lock(held: String) -> Result<(), Failure> {
    let s = session::current();
    match session::stored_tokens() {
        // Signed out in another tab meanwhile.
        None => {
            s.adopt_stored();
            return Err(Failure::SignedOut);
        }
        // Another tab refreshed while this one waited: its pair is ours.
        Some(stored) if stored.refresh != held => {
            s.adopt_stored();
            return Ok(());
        }
        Some(_) => {}
    }
    let body = serde_json::to_value(RefreshRequest {
        refresh_token: held.clone(),
    })
    .ok();
    let result = send_once(&Method::POST, "/auth/refresh", body.as_ref(), None).await;
    match result.and_then(parse::<AuthResponse>) {
        Ok((auth, _)) => {
            s.set_auth(auth);
            Ok(())
        }
        Err(Failure::Refused(body)) if body.code == ErrorCode::InvalidToken => {
            // A tab without the lock (an older version of the app, or a
            // browser without Web Locks) may have won a race for this
            // token: its pair shows up in storage shortly.
            for _ in 0..ADOPT_WAIT_MS / 100 {
                if session::stored_tokens().is_some_and(|t| t.refresh != held) {
                    s.adopt_stored();
                    return Ok(());
                }
                sleep_ms(100).await;
            }
            s.clear();
            Err(Failure::SignedOut)
        }
        // Out of reach, throttled, or a server error: still signed in; a
        // later attempt decides.
        Err(e) => Err(e),
    }
}

/// Runs `task` holding the browser-wide lock `name` (every tab of this
/// origin waits for it in turn), or as it is where the browser has no Web
/// Locks (they need a secure context: https or localhost).
async fn with_browser_lock<F, Fut>(name: &str, task: F) -> Result<(), Failure>
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), Failure>> + 'static,
{
    let task = Rc::new(RefCell::new(Some(task)));
    let (done, result) = futures::channel::oneshot::channel();
    if let Some((locks, request)) = lock_manager() {
        let inside = Rc::clone(&task);
        let callback = Closure::once_into_js(move |_lock: JsValue| -> js_sys::Promise {
            wasm_bindgen_futures::future_to_promise(async move {
                let pending = inside.borrow_mut().take();
                if let Some(task) = pending {
                    let _ = done.send(task().await);
                }
                Ok(JsValue::UNDEFINED)
            })
        });
        if let Ok(granted) = request.call2(&locks, &JsValue::from_str(name), &callback)
            && let Ok(granted) = granted.dyn_into::<js_sys::Promise>()
        {
            let _ = wasm_bindgen_futures::JsFuture::from(granted).await;
        }
    }
    // The lock was never granted (no Web Locks, or the request failed):
    // run it here. Otherwise it ran under the lock and left its result.
    let pending = task.borrow_mut().take();
    match pending {
        Some(task) => task().await,
        None => result.await.unwrap_or(Err(Failure::Network)),
    }
}

/// `navigator.locks` and its `request`, where the browser has them.
fn lock_manager() -> Option<(JsValue, js_sys::Function)> {
    let navigator = web_sys::window()?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    Some((locks, request))
}

/// The one request function: JSON in, `T` out, a `Failure` on any failure.
/// Also returns the `X-Unread-Count` header when present.
pub async fn request_full<T: DeserializeOwned, B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<(T, Option<i64>), Failure> {
    let body = match body {
        Some(b) => Some(serde_json::to_value(b).map_err(|_| {
            Failure::refused(ErrorCode::BadRequest, "Could not encode the request.")
        })?),
        None => None,
    };
    let (method, body) = (&method, body.as_ref());
    if path.starts_with("/auth/") {
        return parse(send_once(method, path, body, None).await?);
    }
    let raw =
        authorized(|token| async move { send_once(method, path, body, token.as_deref()).await })
            .await?;
    parse(raw)
}

/// Sends with the current access token and, when that is refused with 401,
/// once more with a refreshed one (or one another tab refreshed).
async fn authorized<A, F, Fut>(send: F) -> Result<A, Failure>
where
    A: Answer,
    F: Fn(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<A, Failure>>,
{
    let s = session::current();
    let token = s.access_token();
    let answer = send(token.clone()).await?;
    if answer.status() == 401 && token.is_some() {
        let adopted = s.adopt_stored() && s.access_token() != token;
        if adopted || refresh_session().await.is_ok() {
            // A second 401 is this request's answer, not a sign-out: only
            // a refused refresh token ends the session (see the module doc).
            return send(s.access_token()).await;
        }
    }
    Ok(answer)
}

/// Uploads a form (a file) and reads the JSON answer.
pub async fn upload<T: DeserializeOwned>(
    method: Method,
    path: &str,
    form: &web_sys::FormData,
) -> Result<T, Failure> {
    let method = &method;
    let raw =
        authorized(|token| async move { send_form(method, path, form, token.as_deref()).await })
            .await?;
    parse(raw).map(|(v, _)| v)
}

/// A file that needs the bearer token, as a `Blob`.
pub async fn blob(path: &str) -> Result<web_sys::Blob, Failure> {
    match authorized(|token| async move { crate::http::fetch_blob(path, token.as_deref()).await })
        .await?
    {
        Fetched::Blob(blob) => Ok(blob),
        Fetched::Refused(raw) => {
            let status = raw.status;
            Err(parse::<()>(raw)
                .err()
                .unwrap_or(Failure::Unreadable { status }))
        }
    }
}

pub async fn request<T: DeserializeOwned, B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<T, Failure> {
    request_full(method, path, body).await.map(|(v, _)| v)
}
