//! The REST API, one typed function per route. Every call goes through
//! [`crate::auth::request`], which adds the token and refreshes it on a 401.

use gloo_net::http::Method;
use protocol::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::{request, request_full};
pub use crate::http::{Failure, enc};
use protocol::{FriendRequestId, MessageId, NotificationId, RoomId, SessionId, UserId};

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

/// A form with one file in the part the server reads (`file`).
fn file_form(file: &web_sys::File) -> Result<web_sys::FormData, Failure> {
    let form = web_sys::FormData::new()
        .map_err(|_| Failure::refused(ErrorCode::BadRequest, "Could not read the file."))?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| Failure::refused(ErrorCode::BadRequest, "Could not read the file."))?;
    Ok(form)
}

pub async fn set_avatar(file: &web_sys::File) -> Result<Me, Failure> {
    crate::auth::upload(Method::PUT, "/users/me/avatar", &file_form(file)?).await
}

pub async fn clear_avatar() -> Result<Me, Failure> {
    request::<Me, ()>(Method::DELETE, "/users/me/avatar", None).await
}

pub async fn upload_attachment(room: RoomId, file: &web_sys::File) -> Result<Attachment, Failure> {
    let path = format!("/rooms/{room}/attachments");
    crate::auth::upload(Method::POST, &path, &file_form(file)?).await
}

/// Where an attachment's bytes (or its thumbnail's) are.
pub fn attachment_path(id: AttachmentId, thumbnail: bool) -> String {
    if thumbnail {
        format!("/attachments/{id}/thumbnail")
    } else {
        format!("/attachments/{id}")
    }
}

/// Where a photo's bytes (or its thumbnail's) are.
pub fn photo_path(id: PhotoId, thumbnail: bool) -> String {
    if thumbnail {
        format!("/photos/{id}/thumbnail")
    } else {
        format!("/photos/{id}")
    }
}

/// A file that needs the bearer token as an object URL, for `<img src>` or
/// a download link; the caller revokes it when done.
pub async fn file_url(path: &str) -> Result<String, Failure> {
    let blob = crate::auth::blob(path).await?;
    web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| Failure::refused(ErrorCode::BadRequest, "Could not show the file."))
}

pub async fn photos_of(user: UserId) -> Result<Vec<Photo>, Failure> {
    get(&format!("/users/{user}/photos")).await
}

pub async fn add_photo(file: &web_sys::File) -> Result<Photo, Failure> {
    crate::auth::upload(Method::POST, "/users/me/photos", &file_form(file)?).await
}

pub async fn remove_photo(id: PhotoId) -> Result<(), Failure> {
    delete(&format!("/users/me/photos/{id}")).await
}

pub async fn user(id: UserId) -> Result<User, Failure> {
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

/// A room as the caller may see it: a public one without being in it.
pub async fn room(id: RoomId) -> Result<Room, Failure> {
    get(&format!("/rooms/{id}")).await
}

pub async fn join_room(id: RoomId) -> Result<Room, Failure> {
    post_empty(&format!("/rooms/{id}/join")).await
}

pub async fn leave_room(id: RoomId) -> Result<(), Failure> {
    post_empty(&format!("/rooms/{id}/leave")).await
}

pub async fn members(id: RoomId) -> Result<Vec<Member>, Failure> {
    get(&format!("/rooms/{id}/members")).await
}

pub async fn set_notification_level(id: RoomId, level: NotificationLevel) -> Result<(), Failure> {
    let _: serde_json::Value = request(
        Method::PUT,
        &format!("/rooms/{id}/notification-level"),
        Some(&NotificationLevelRequest { level }),
    )
    .await?;
    Ok(())
}

pub async fn open_dm(user_id: UserId) -> Result<Room, Failure> {
    post("/dms", &UserIdRequest { user_id }).await
}

// ---- messages ----

/// A page of messages: the newest, older than or newer than one.
pub enum Page {
    Newest,
    Before(MessageId),
    After(MessageId),
}

pub const PAGE: usize = 50;

pub async fn messages(room: RoomId, page: Page) -> Result<Vec<Message>, Failure> {
    let q = match page {
        Page::Newest => String::new(),
        Page::Before(id) => format!("&before={id}"),
        Page::After(id) => format!("&after={id}"),
    };
    get(&format!("/rooms/{room}/messages?limit={PAGE}{q}")).await
}

/// The page a room opens at: around the first message after the user's
/// read marker (the newest page when nothing is unread).
pub async fn first_unread(room: RoomId) -> Result<Vec<Message>, Failure> {
    get(&format!("/rooms/{room}/messages/first-unread?limit={PAGE}")).await
}

/// A public room's newest messages, readable before joining.
pub async fn preview(room: RoomId) -> Result<Vec<Message>, Failure> {
    get(&format!("/rooms/{room}/messages/preview?limit={PAGE}")).await
}

/// The page of history around a message, the message included.
pub async fn context(message: MessageId) -> Result<Vec<Message>, Failure> {
    get(&format!("/messages/{message}/context?limit={PAGE}")).await
}

/// Sends a message over REST (when the socket is down); the same
/// `client_id` makes a repeat harmless.
pub async fn post_message(room: RoomId, req: &PostMessageRequest) -> Result<Message, Failure> {
    post(&format!("/rooms/{room}/messages"), req).await
}

pub async fn edit_message(id: MessageId, body: String) -> Result<Message, Failure> {
    request(
        Method::PATCH,
        &format!("/messages/{id}"),
        Some(&EditMessageRequest { body }),
    )
    .await
}

/// My signed-in devices, most recently seen first.
pub async fn devices() -> Result<Vec<Device>, Failure> {
    get("/sessions").await
}

/// Signs one of my devices out.
pub async fn revoke_device(id: SessionId) -> Result<(), Failure> {
    delete(&format!("/sessions/{id}")).await
}

/// Signs out every device but this one.
pub async fn revoke_other_devices() -> Result<(), Failure> {
    request::<(), ()>(Method::POST, "/sessions/revoke-others", None).await
}

/// A room's pinned messages, newest first.
pub async fn pins(room: RoomId) -> Result<Vec<Pin>, Failure> {
    get(&format!("/rooms/{room}/pins")).await
}

/// Pins (`pin`) or unpins a message of the room.
pub async fn set_pinned(room: RoomId, message: MessageId, pin: bool) -> Result<(), Failure> {
    let path = format!("/rooms/{room}/pins/{message}");
    if pin {
        request::<Pin, ()>(Method::PUT, &path, None).await.map(drop)
    } else {
        delete(&path).await
    }
}

/// A message's earlier versions, oldest first: every page of them.
pub async fn edits(id: MessageId) -> Result<Vec<MessageVersion>, Failure> {
    let most = protocol::limits::PAGE_MAX;
    let mut all: Vec<MessageVersion> = Vec::new();
    loop {
        let after = all.last().map(|v| format!("&after={}", v.id));
        let path = format!(
            "/messages/{id}/edits?limit={most}{}",
            after.unwrap_or_default()
        );
        let page: Vec<MessageVersion> = get(&path).await?;
        let more = page.len() as i64 == most;
        all.extend(page);
        if !more {
            return Ok(all);
        }
    }
}

/// Adds (`add`) or takes back my reaction; answers the message's reactions.
pub async fn react(id: MessageId, emoji: &str, add: bool) -> Result<Vec<Reaction>, Failure> {
    let method = if add { Method::PUT } else { Method::DELETE };
    let path = format!("/messages/{id}/reactions/{}", enc(emoji));
    request::<_, ()>(method, &path, None).await
}

pub async fn delete_message(id: MessageId) -> Result<(), Failure> {
    delete(&format!("/messages/{id}")).await
}

pub async fn mark_read(room: RoomId, message_id: MessageId) -> Result<(), Failure> {
    post(&format!("/rooms/{room}/read"), &ReadRequest { message_id }).await
}

pub async fn read_markers(room: RoomId) -> Result<Vec<ReadMarker>, Failure> {
    get(&format!("/rooms/{room}/read-markers")).await
}

// ---- friends and notifications ----

pub async fn friends() -> Result<Vec<User>, Failure> {
    get("/friends").await
}

pub async fn friend_requests() -> Result<FriendRequests, Failure> {
    get("/friends/requests").await
}

pub async fn send_friend_request(user_id: UserId) -> Result<(), Failure> {
    let _: serde_json::Value = post("/friends/requests", &UserIdRequest { user_id }).await?;
    Ok(())
}

pub async fn accept_request(id: FriendRequestId) -> Result<(), Failure> {
    let _: serde_json::Value = post_empty(&format!("/friends/requests/{id}/accept")).await?;
    Ok(())
}

pub async fn decline_request(id: FriendRequestId) -> Result<(), Failure> {
    post_empty(&format!("/friends/requests/{id}/decline")).await
}

pub async fn cancel_request(id: FriendRequestId) -> Result<(), Failure> {
    delete(&format!("/friends/requests/{id}")).await
}

pub async fn remove_friend(user_id: UserId) -> Result<(), Failure> {
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

pub async fn read_notification(id: NotificationId) -> Result<(), Failure> {
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

pub async fn update_room(id: RoomId, req: &UpdateRoomRequest) -> Result<Room, Failure> {
    request(Method::PATCH, &format!("/rooms/{id}"), Some(req)).await
}

pub async fn delete_room(id: RoomId) -> Result<(), Failure> {
    send_ignore::<()>(Method::DELETE, &format!("/rooms/{id}"), None).await
}

pub async fn set_role(room: RoomId, user: UserId, role: Role) -> Result<(), Failure> {
    let body = RoleRequest { role };
    send_ignore(
        Method::PUT,
        &format!("/rooms/{room}/members/{user}/role"),
        Some(&body),
    )
    .await
}

/// Kicks (`ban == false`) or bans a member, with an optional reason.
pub async fn remove_member(
    room: RoomId,
    user: UserId,
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

pub async fn invite(room: RoomId, user_id: UserId) -> Result<(), Failure> {
    send_ignore(
        Method::POST,
        &format!("/rooms/{room}/invites"),
        Some(&UserIdRequest { user_id }),
    )
    .await
}

pub async fn audit_log(room: RoomId) -> Result<Vec<AuditEntry>, Failure> {
    get(&format!("/rooms/{room}/audit-log?limit=100")).await
}

// ---- search and threads ----

pub async fn search_messages(q: &str, room: Option<RoomId>) -> Result<Vec<Message>, Failure> {
    let room = room.map(|r| format!("&room_id={r}")).unwrap_or_default();
    get(&format!("/search/messages?q={}&limit=50{room}", enc(q))).await
}

pub async fn thread(id: MessageId) -> Result<Thread, Failure> {
    get(&format!("/messages/{id}/thread")).await
}

// ---- blocking, account, activity ----

pub async fn blocks() -> Result<Vec<User>, Failure> {
    get("/blocks").await
}

pub async fn block(user_id: UserId) -> Result<(), Failure> {
    send_ignore(Method::POST, "/blocks", Some(&UserIdRequest { user_id })).await
}

pub async fn unblock(user_id: UserId) -> Result<(), Failure> {
    send_ignore::<()>(Method::DELETE, &format!("/blocks/{user_id}"), None).await
}

/// Starts setting up two-factor sign-in: a new, pending secret.
pub async fn begin_two_factor() -> Result<TwoFactorSetup, Failure> {
    post_empty("/users/me/two-factor").await
}

/// Turns two-factor sign-in on with a first code and the password; the
/// recovery codes.
pub async fn confirm_two_factor(code: String, password: String) -> Result<RecoveryCodes, Failure> {
    post(
        "/users/me/two-factor/confirm",
        &TwoFactorConfirmRequest { code, password },
    )
    .await
}

pub async fn disable_two_factor(password: String) -> Result<(), Failure> {
    send_ignore(
        Method::DELETE,
        "/users/me/two-factor",
        Some(&DeleteAccountRequest { password }),
    )
    .await
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

pub async fn unban(room: RoomId, user: UserId) -> Result<(), Failure> {
    send_ignore::<()>(Method::DELETE, &format!("/rooms/{room}/bans/{user}"), None).await
}

// ---- bots and webhooks ----

/// My bots, oldest first.
pub async fn bots() -> Result<Vec<Bot>, Failure> {
    get("/bots").await
}

pub async fn create_bot(req: CreateBotRequest) -> Result<Bot, Failure> {
    post("/bots", &req).await
}

pub async fn delete_bot(id: UserId) -> Result<(), Failure> {
    delete(&format!("/bots/{id}")).await
}

pub async fn bot_tokens(bot: UserId) -> Result<Vec<BotToken>, Failure> {
    get(&format!("/bots/{bot}/tokens")).await
}

/// A new token: its secret is in this answer only.
pub async fn create_bot_token(
    bot: UserId,
    req: CreateBotTokenRequest,
) -> Result<IssuedBotToken, Failure> {
    post(&format!("/bots/{bot}/tokens"), &req).await
}

pub async fn revoke_bot_token(bot: UserId, token: SessionId) -> Result<(), Failure> {
    delete(&format!("/bots/{bot}/tokens/{token}")).await
}

pub async fn bot_webhooks(bot: UserId) -> Result<Vec<IncomingWebhook>, Failure> {
    get(&format!("/bots/{bot}/webhooks")).await
}

/// A new incoming webhook: its URL (with the secret) is in this answer only.
pub async fn create_webhook(
    bot: UserId,
    req: CreateWebhookRequest,
) -> Result<IssuedWebhook, Failure> {
    post(&format!("/bots/{bot}/webhooks"), &req).await
}

pub async fn delete_webhook(bot: UserId, id: WebhookId) -> Result<(), Failure> {
    delete(&format!("/bots/{bot}/webhooks/{id}")).await
}

/// Sets the bot's outgoing webhook: its signing secret is in this answer only.
pub async fn set_outgoing(
    bot: UserId,
    req: OutgoingWebhookRequest,
) -> Result<IssuedOutgoingWebhook, Failure> {
    request(Method::PUT, &format!("/bots/{bot}/outgoing"), Some(&req)).await
}

pub async fn remove_outgoing(bot: UserId) -> Result<(), Failure> {
    delete(&format!("/bots/{bot}/outgoing")).await
}
