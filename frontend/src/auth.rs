//! Staying signed in: the token pair is refreshed ahead of expiry and when
//! a request is refused with 401, one refresh at a time across the tabs.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use gloo_net::http::Method;
use leptos::prelude::*;
use protocol::{AuthResponse, ErrorCode, RefreshRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::http::{Answer, Failure, Fetched, parse, send_form, send_once};
use crate::session::{self, Session, now_ms};

/// Refresh this long before the access token expires.
const REFRESH_MARGIN_SECS: f64 = 60.0;

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

/// Exchanges the refresh token for a new pair. Only one refresh runs at a
/// time: the old refresh token stops working once used, so a second
/// concurrent refresh would sign the user out. Other tabs share the tokens
/// through localStorage, so a newer stored pair is adopted instead.
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
    let Some(refresh_token) = s.refresh_token() else {
        return Err(Failure::SignedOut);
    };
    REFRESHING.with(|r| r.set(true));
    let body = serde_json::to_value(RefreshRequest {
        refresh_token: refresh_token.clone(),
    })
    .ok();
    let result = send_once(&Method::POST, "/auth/refresh", body.as_ref(), None).await;
    let outcome = match result.and_then(parse::<AuthResponse>) {
        Ok((auth, _)) => {
            s.set_auth(auth);
            Ok(())
        }
        Err(Failure::Network) => Err(Failure::Network),
        Err(e) => {
            // Another tab may have used this refresh token already.
            let stored = session::stored_tokens();
            if stored.as_ref().is_some_and(|t| t.refresh != refresh_token) {
                s.adopt_stored();
                Ok(())
            } else {
                s.clear();
                Err(e)
            }
        }
    };
    REFRESHING.with(|r| r.set(false));
    outcome
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
            let answer = send(s.access_token()).await?;
            if answer.status() == 401 {
                s.clear();
            }
            return Ok(answer);
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
