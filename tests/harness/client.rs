//! A thin HTTP client for the API: raw requests, plus helpers for the steps
//! almost every test needs (register, create a room, post a message...).

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use crate::PASSWORD;
use crate::assertions::{assert_status, field_str, id_of};
pub use crate::response::TestResponse;
use crate::response::truncate;

/// A registered user with a live session.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl TestUser {
    /// The access token in the form the request helpers take.
    pub fn auth(&self) -> Option<&str> {
        Some(self.access_token.as_str())
    }

    /// Builds a user from a register or login answer.
    #[track_caller]
    pub fn from_auth_response(body: &Value, password: &str) -> Self {
        let user = &body["user"];
        Self {
            id: id_of(user),
            username: field_str(user, "username"),
            display_name: field_str(user, "display_name"),
            password: password.to_owned(),
            access_token: field_str(body, "access_token"),
            refresh_token: field_str(body, "refresh_token"),
        }
    }
}

/// Talks to one test server. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct ApiClient {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub client: reqwest::Client,
}

impl ApiClient {
    // ---- raw requests ------------------------------------------------------

    /// Starts a request to `path` (e.g. `/api/v1/rooms`), with the bearer
    /// token when one is given.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let builder = self
            .client
            .request(method, format!("{}{path}", self.address));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Sends a request and reads the whole answer. Transport failures
    /// (including the 30 s timeout) panic with the request named.
    pub async fn send(&self, builder: reqwest::RequestBuilder) -> TestResponse {
        let request = builder.build().expect("a well-formed request");
        let label = format!("{} {}", request.method(), request.url().path());
        let label = match request.url().query() {
            Some(query) => format!("{label}?{query}"),
            None => label,
        };
        let request_body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(|bytes| truncate(&String::from_utf8_lossy(bytes), 300))
            .unwrap_or_default();
        let response = self
            .client
            .execute(request)
            .await
            .unwrap_or_else(|e| panic!("{label} failed: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("reading the answer to {label} failed: {e}"));
        TestResponse {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
            request: label,
            request_body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(self.request(Method::GET, path, token)).await
    }

    /// DELETE without a body.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(self.request(Method::DELETE, path, token)).await
    }

    /// POST without a body (join, leave...).
    pub async fn post(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(self.request(Method::POST, path, token)).await
    }

    /// Any method with a JSON body.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> TestResponse {
        self.send(self.request(method, path, token).json(body))
            .await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.send_json(Method::POST, path, token, body).await
    }

    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.send_json(Method::PATCH, path, token, body).await
    }

    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.send_json(Method::PUT, path, token, body).await
    }

    pub async fn delete_json(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.send_json(Method::DELETE, path, token, body).await
    }

    /// POST exactly these bytes with this `Content-Type`.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        body: impl Into<Vec<u8>>,
        content_type: &str,
    ) -> TestResponse {
        let builder = self
            .request(Method::POST, path, token)
            .header(CONTENT_TYPE, content_type)
            .body(body.into());
        self.send(builder).await
    }

    /// Uploads a file as `multipart/form-data` (the part named `file`),
    /// with the name and type a client would claim.
    pub async fn upload(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        file: &crate::files::Upload,
    ) -> TestResponse {
        let builder = self
            .request(method, path, token)
            .header(CONTENT_TYPE, crate::files::multipart_type())
            .body(file.form());
        self.send(builder).await
    }

    /// Uploads a file to a room; asserts 201 and answers the attachment.
    pub async fn attach(
        &self,
        user: &TestUser,
        room_id: &str,
        file: &crate::files::Upload,
    ) -> Value {
        let path = format!("/api/v1/rooms/{room_id}/attachments");
        let resp = self.upload(Method::POST, &path, user.auth(), file).await;
        assert_status(&resp, 201);
        resp.body
    }

    // ---- accounts ------------------------------------------------------------

    /// Registers `username` with [`PASSWORD`]; asserts 201.
    pub async fn register(&self, username: &str) -> TestUser {
        self.register_with(username, None).await
    }

    /// Registers with an explicit display name; asserts 201.
    pub async fn register_with(&self, username: &str, display_name: Option<&str>) -> TestUser {
        let mut body = json!({ "username": username, "password": PASSWORD });
        if let Some(display_name) = display_name {
            body["display_name"] = json!(display_name);
        }
        let resp = self.post_json("/api/v1/auth/register", None, &body).await;
        assert_status(&resp, 201);
        TestUser::from_auth_response(&resp.body, PASSWORD)
    }

    pub async fn login(&self, username: &str, password: &str) -> TestResponse {
        let body = json!({ "username": username, "password": password });
        self.post_json("/api/v1/auth/login", None, &body).await
    }

    /// Logs `user` in again: a second, independent session. Asserts 200.
    pub async fn new_session(&self, user: &TestUser) -> TestUser {
        let resp = self.login(&user.username, &user.password).await;
        assert_status(&resp, 200);
        TestUser::from_auth_response(&resp.body, &user.password)
    }

    pub async fn refresh(&self, refresh_token: &str) -> TestResponse {
        let body = json!({ "refresh_token": refresh_token });
        self.post_json("/api/v1/auth/refresh", None, &body).await
    }

    /// `GET /users/me`; asserts 200.
    pub async fn me(&self, user: &TestUser) -> Value {
        let resp = self.get("/api/v1/users/me", user.auth()).await;
        assert_status(&resp, 200);
        resp.body
    }

    // ---- rooms -----------------------------------------------------------------

    /// Creates a group room; asserts 201 and returns the `Room`.
    pub async fn create_room(&self, owner: &TestUser, name: &str, visibility: &str) -> Value {
        let body = json!({ "name": name, "visibility": visibility });
        let resp = self.post_json("/api/v1/rooms", owner.auth(), &body).await;
        assert_status(&resp, 201);
        resp.body
    }

    /// A public room owned by `owner` that every one of `members` joined.
    /// Returns its id.
    pub async fn public_room_with(
        &self,
        owner: &TestUser,
        name: &str,
        members: &[&TestUser],
    ) -> String {
        let room_id = id_of(&self.create_room(owner, name, "public").await);
        for member in members {
            self.join_room(member, &room_id).await;
        }
        room_id
    }

    /// A private room owned by `owner`; each of `members` is invited and
    /// joins. Returns its id.
    pub async fn private_room_with(
        &self,
        owner: &TestUser,
        name: &str,
        members: &[&TestUser],
    ) -> String {
        let room_id = id_of(&self.create_room(owner, name, "private").await);
        for member in members {
            self.invite(owner, &room_id, &member.id).await;
            self.join_room(member, &room_id).await;
        }
        room_id
    }

    /// Joins a room; asserts 200 and returns the `Room`.
    pub async fn join_room(&self, user: &TestUser, room_id: &str) -> Value {
        let resp = self
            .post(&format!("/api/v1/rooms/{room_id}/join"), user.auth())
            .await;
        assert_status(&resp, 200);
        resp.body
    }

    /// Invites `user_id` into a room; asserts 201.
    pub async fn invite(&self, inviter: &TestUser, room_id: &str, user_id: &str) {
        let body = json!({ "user_id": user_id });
        let resp = self
            .post_json(
                &format!("/api/v1/rooms/{room_id}/invites"),
                inviter.auth(),
                &body,
            )
            .await;
        assert_status(&resp, 201);
    }

    /// `GET /rooms` (Explore) with an optional query string such as
    /// `q=tea&limit=3`; asserts 200.
    pub async fn explore(&self, user: &TestUser, query: &str) -> Vec<Value> {
        let resp = self
            .get(&with_query("/api/v1/rooms", query), user.auth())
            .await;
        assert_status(&resp, 200);
        resp.array().to_vec()
    }

    /// `GET /users/me/rooms`; asserts 200.
    pub async fn my_rooms(&self, user: &TestUser) -> Vec<Value> {
        let resp = self.get("/api/v1/users/me/rooms", user.auth()).await;
        assert_status(&resp, 200);
        resp.array().to_vec()
    }

    /// The caller's `RoomSummary` of one room; panics if it is not listed.
    pub async fn room_summary(&self, user: &TestUser, room_id: &str) -> Value {
        let rooms = self.my_rooms(user).await;
        rooms
            .into_iter()
            .find(|room| room["id"] == room_id)
            .unwrap_or_else(|| panic!("room {room_id} is not in {}'s room list", user.username))
    }

    // ---- messages ----------------------------------------------------------------

    /// Posts a message; asserts 201 and returns the `Message`.
    pub async fn post_message(&self, user: &TestUser, room_id: &str, body: &str) -> Value {
        let resp = self
            .post_json(
                &format!("/api/v1/rooms/{room_id}/messages"),
                user.auth(),
                &json!({ "body": body }),
            )
            .await;
        assert_status(&resp, 201);
        resp.body
    }

    /// A room's history with an optional query string such as
    /// `limit=50&before=<id>`; asserts 200.
    pub async fn history(&self, user: &TestUser, room_id: &str, query: &str) -> Vec<Value> {
        let path = with_query(&format!("/api/v1/rooms/{room_id}/messages"), query);
        let resp = self.get(&path, user.auth()).await;
        assert_status(&resp, 200);
        resp.array().to_vec()
    }

    /// Moves the caller's read marker; asserts 204.
    pub async fn mark_read(&self, user: &TestUser, room_id: &str, message_id: &str) {
        let resp = self
            .post_json(
                &format!("/api/v1/rooms/{room_id}/read"),
                user.auth(),
                &json!({ "message_id": message_id }),
            )
            .await;
        assert_status(&resp, 204);
    }
}

/// `path?query`, or just `path` when the query is empty.
pub fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}
