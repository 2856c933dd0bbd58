//! Typed REST client. Every call goes through [`request`], which adds the
//! bearer token, sends and parses JSON, maps every failure to a [`Failure`]
//! the views can show, and on a 401 refreshes the session once and retries.

use std::cell::Cell;

use gloo_net::http::{Method, RequestBuilder};
use protocol::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::session;

pub const BASE: &str = "/api/v1";

thread_local! {
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
}

/// Why a request failed. Views show [`message`](Self::message); code that
/// must tell failures apart matches the variant or the server's [`ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server could not be reached (offline, or the request was cut).
    Network,
    /// The server answered with something this app cannot read.
    Unreadable { status: u16 },
    /// The server (or this app, for what it can tell itself) refused: the
    /// error body's code and message.
    Refused(ErrorBody),
    /// No session to send the request with: sign in again.
    SignedOut,
}

impl Failure {
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused(ErrorBody {
            code,
            message: message.into(),
        })
    }

    /// A sentence to show the user.
    pub fn message(&self) -> String {
        match self {
            Self::Network => "Could not reach the server. Check your connection.".into(),
            Self::Unreadable { status } if (200..300).contains(status) => {
                "The server sent an unexpected answer.".into()
            }
            Self::Unreadable { status } => format!("The request failed (HTTP {status})."),
            Self::Refused(body) => body.message.clone(),
            Self::SignedOut => "Please sign in again.".into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// A raw response: status, body text and the `X-Unread-Count` header.
struct Raw {
    status: u16,
    text: String,
    unread: Option<i64>,
}

async fn send_once(
    method: &Method,
    path: &str,
    body: Option<&serde_json::Value>,
    token: Option<&str>,
) -> Result<Raw, Failure> {
    let mut builder = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method.clone())
        .header("Accept", "application/json");
    if let Some(t) = token {
        builder = builder.header("Authorization", &format!("Bearer {t}"));
    }
    let request = match body {
        Some(b) => builder.json(b),
        None => builder.build(),
    }
    .map_err(|_| Failure::Network)?;
    let response = request.send().await.map_err(|_| Failure::Network)?;
    let unread = response
        .headers()
        .get("x-unread-count")
        .and_then(|v| v.parse().ok());
    let text = response.text().await.unwrap_or_default();
    Ok(Raw {
        status: response.status(),
        text,
        unread,
    })
}

fn parse<T: DeserializeOwned>(raw: Raw) -> Result<(T, Option<i64>), Failure> {
    if (200..300).contains(&raw.status) {
        let text = if raw.text.trim().is_empty() {
            "null"
        } else {
            raw.text.as_str()
        };
        serde_json::from_str(text)
            .map(|v| (v, raw.unread))
            .map_err(|_| Failure::Unreadable { status: raw.status })
    } else {
        Err(serde_json::from_str::<ApiError>(&raw.text)
            .map(|e| Failure::Refused(e.error))
            .unwrap_or(Failure::Unreadable { status: raw.status }))
    }
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
    let s = session::current();
    let is_auth = path.starts_with("/auth/");
    let token = if is_auth { None } else { s.access_token() };
    let raw = send_once(&method, path, body.as_ref(), token.as_deref()).await?;
    if raw.status == 401 && !is_auth && token.is_some() {
        // Another tab may have refreshed already; else refresh ourselves.
        let adopted = s.adopt_stored() && s.access_token() != token;
        if adopted || refresh_session().await.is_ok() {
            let token = s.access_token();
            let raw = send_once(&method, path, body.as_ref(), token.as_deref()).await?;
            if raw.status == 401 {
                s.clear();
            }
            return parse(raw);
        }
    }
    parse(raw)
}

pub async fn request<T: DeserializeOwned, B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<T, Failure> {
    request_full(method, path, body).await.map(|(v, _)| v)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    request::<T, ()>(Method::GET, path, None).await
}

async fn post<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, Failure> {
    request(Method::POST, path, Some(body)).await
}

async fn post_empty<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    request::<T, ()>(Method::POST, path, None).await
}

async fn delete(path: &str) -> Result<(), Failure> {
    request::<(), ()>(Method::DELETE, path, None).await
}

// ---- auth and accounts ----

pub async fn register(req: &RegisterRequest) -> Result<AuthResponse, Failure> {
    post("/auth/register", req).await
}

pub async fn login(req: &LoginRequest) -> Result<AuthResponse, Failure> {
    post("/auth/login", req).await
}

pub async fn logout(refresh_token: String) -> Result<(), Failure> {
    post("/auth/logout", &RefreshRequest { refresh_token }).await
}

pub async fn me() -> Result<Me, Failure> {
    get("/users/me").await
}

pub async fn update_me(req: &UpdateMeRequest) -> Result<Me, Failure> {
    request(Method::PATCH, "/users/me", Some(req)).await
}

pub async fn change_password(req: &ChangePasswordRequest) -> Result<(), Failure> {
    request(Method::PUT, "/users/me/password", Some(req)).await
}

pub async fn user(id: Uuid) -> Result<User, Failure> {
    get(&format!("/users/{id}")).await
}

pub async fn search_users(q: &str) -> Result<Vec<User>, Failure> {
    get(&format!("/users?q={}&limit=20", enc(q))).await
}

// ---- rooms ----

pub async fn my_rooms() -> Result<Vec<RoomSummary>, Failure> {
    get("/users/me/rooms").await
}

pub async fn public_rooms(q: &str) -> Result<Vec<Room>, Failure> {
    get(&format!("/rooms?q={}&limit=100", enc(q))).await
}

pub async fn create_room(req: &CreateRoomRequest) -> Result<Room, Failure> {
    post("/rooms", req).await
}

pub async fn join_room(id: Uuid) -> Result<Room, Failure> {
    post_empty(&format!("/rooms/{id}/join")).await
}

pub async fn leave_room(id: Uuid) -> Result<(), Failure> {
    post_empty(&format!("/rooms/{id}/leave")).await
}

pub async fn members(id: Uuid) -> Result<Vec<Member>, Failure> {
    get(&format!("/rooms/{id}/members")).await
}

pub async fn set_notification_level(id: Uuid, level: NotificationLevel) -> Result<(), Failure> {
    let _: serde_json::Value = request(
        Method::PUT,
        &format!("/rooms/{id}/notification-level"),
        Some(&NotificationLevelRequest { level }),
    )
    .await?;
    Ok(())
}

pub async fn open_dm(user_id: Uuid) -> Result<Room, Failure> {
    post("/dms", &UserIdRequest { user_id }).await
}

// ---- messages ----

/// A page of messages: the newest (`None`), older than or newer than one.
pub enum Page {
    Newest,
    Before(Uuid),
    After(Uuid),
}

pub const PAGE: usize = 50;

pub async fn messages(room: Uuid, page: Page) -> Result<Vec<Message>, Failure> {
    let q = match page {
        Page::Newest => String::new(),
        Page::Before(id) => format!("&before={id}"),
        Page::After(id) => format!("&after={id}"),
    };
    get(&format!("/rooms/{room}/messages?limit={PAGE}{q}")).await
}

pub async fn edit_message(id: Uuid, body: String) -> Result<Message, Failure> {
    request(
        Method::PATCH,
        &format!("/messages/{id}"),
        Some(&EditMessageRequest { body }),
    )
    .await
}

pub async fn delete_message(id: Uuid) -> Result<(), Failure> {
    delete(&format!("/messages/{id}")).await
}

pub async fn mark_read(room: Uuid, message_id: Uuid) -> Result<(), Failure> {
    post(&format!("/rooms/{room}/read"), &ReadRequest { message_id }).await
}

pub async fn read_markers(room: Uuid) -> Result<Vec<ReadMarker>, Failure> {
    get(&format!("/rooms/{room}/read-markers")).await
}

// ---- friends and notifications ----

pub async fn friends() -> Result<Vec<User>, Failure> {
    get("/friends").await
}

pub async fn friend_requests() -> Result<FriendRequests, Failure> {
    get("/friends/requests").await
}

pub async fn send_friend_request(user_id: Uuid) -> Result<(), Failure> {
    let _: serde_json::Value = post("/friends/requests", &UserIdRequest { user_id }).await?;
    Ok(())
}

pub async fn accept_request(id: Uuid) -> Result<(), Failure> {
    let _: serde_json::Value = post_empty(&format!("/friends/requests/{id}/accept")).await?;
    Ok(())
}

pub async fn decline_request(id: Uuid) -> Result<(), Failure> {
    post_empty(&format!("/friends/requests/{id}/decline")).await
}

pub async fn cancel_request(id: Uuid) -> Result<(), Failure> {
    delete(&format!("/friends/requests/{id}")).await
}

pub async fn remove_friend(user_id: Uuid) -> Result<(), Failure> {
    delete(&format!("/friends/{user_id}")).await
}

/// Notifications, newest first, and the unread total.
pub async fn notifications() -> Result<(Vec<Notification>, i64), Failure> {
    let (list, unread) =
        request_full::<Vec<Notification>, ()>(Method::GET, "/notifications?limit=100", None)
            .await?;
    let unread = unread.unwrap_or_else(|| list.iter().filter(|n| !n.read).count() as i64);
    Ok((list, unread))
}

pub async fn unread_notifications() -> Result<i64, Failure> {
    let (_, unread) = request_full::<Vec<Notification>, ()>(
        Method::GET,
        "/notifications?unread_only=true&limit=1",
        None,
    )
    .await?;
    Ok(unread.unwrap_or(0))
}

pub async fn read_notification(id: Uuid) -> Result<(), Failure> {
    post_empty(&format!("/notifications/{id}/read")).await
}

pub async fn read_all_notifications() -> Result<(), Failure> {
    post_empty("/notifications/read-all").await
}

/// Sends a request whose answer body the caller does not need.
async fn send_ignore<B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<(), Failure> {
    let _: serde_json::Value = request(method, path, body).await?;
    Ok(())
}

// ---- moderation and room settings ----

pub async fn update_room(id: Uuid, req: &UpdateRoomRequest) -> Result<Room, Failure> {
    request(Method::PATCH, &format!("/rooms/{id}"), Some(req)).await
}

pub async fn delete_room(id: Uuid) -> Result<(), Failure> {
    send_ignore::<()>(Method::DELETE, &format!("/rooms/{id}"), None).await
}

pub async fn set_role(room: Uuid, user: Uuid, role: Role) -> Result<(), Failure> {
    let body = RoleRequest {
        role: role.as_str().to_owned(),
    };
    send_ignore(
        Method::PUT,
        &format!("/rooms/{room}/members/{user}/role"),
        Some(&body),
    )
    .await
}

/// Kicks (`ban == false`) or bans a member, with an optional reason.
pub async fn remove_member(
    room: Uuid,
    user: Uuid,
    ban: bool,
    reason: Option<String>,
) -> Result<(), Failure> {
    let body = RemoveMemberRequest {
        ban: Some(ban),
        reason,
    };
    send_ignore(
        Method::DELETE,
        &format!("/rooms/{room}/members/{user}"),
        Some(&body),
    )
    .await
}

pub async fn invite(room: Uuid, user_id: Uuid) -> Result<(), Failure> {
    send_ignore(
        Method::POST,
        &format!("/rooms/{room}/invites"),
        Some(&UserIdRequest { user_id }),
    )
    .await
}

pub async fn audit_log(room: Uuid) -> Result<Vec<AuditEntry>, Failure> {
    get(&format!("/rooms/{room}/audit-log?limit=100")).await
}

// ---- search and threads ----

pub async fn search_messages(q: &str, room: Option<Uuid>) -> Result<Vec<Message>, Failure> {
    let room = room.map(|r| format!("&room_id={r}")).unwrap_or_default();
    get(&format!("/search/messages?q={}&limit=50{room}", enc(q))).await
}

pub async fn thread(id: Uuid) -> Result<Thread, Failure> {
    get(&format!("/messages/{id}/thread")).await
}

// ---- blocking, account, activity ----

pub async fn blocks() -> Result<Vec<User>, Failure> {
    get("/blocks").await
}

pub async fn block(user_id: Uuid) -> Result<(), Failure> {
    send_ignore(Method::POST, "/blocks", Some(&UserIdRequest { user_id })).await
}

pub async fn unblock(user_id: Uuid) -> Result<(), Failure> {
    send_ignore::<()>(Method::DELETE, &format!("/blocks/{user_id}"), None).await
}

pub async fn delete_account(password: String) -> Result<(), Failure> {
    send_ignore(
        Method::DELETE,
        "/users/me",
        Some(&DeleteAccountRequest { password }),
    )
    .await
}

pub async fn activity() -> Result<Vec<Activity>, Failure> {
    get("/users/me/activity?limit=50").await
}

pub async fn unban(room: Uuid, user: Uuid) -> Result<(), Failure> {
    send_ignore::<()>(Method::DELETE, &format!("/rooms/{room}/bans/{user}"), None).await
}
