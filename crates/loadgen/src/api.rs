//! The REST calls the workloads need: sign-up, rooms, message pages.

use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt, stream};
use protocol::{CreateRoomRequest, RegisterRequest, Visibility};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde::de::IgnoredAny;
use uuid::Uuid;

use crate::Result;
use crate::server::{Node, Target};

/// Sign-ups and joins in flight at once: enough to keep a server busy
/// without queueing hundreds of password hashes.
const SETUP_CONCURRENCY: usize = 16;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const PASSWORD: &str = "loadgen-password";
/// Throttled sign-ups are retried this often before giving up.
const MAX_ATTEMPTS: u32 = 30;

/// An account of the run: its token, and the client index that picks its
/// node (`Target::node`).
#[derive(Debug, Clone)]
pub struct Account {
    pub index: usize,
    pub token: String,
}

/// Where a page of messages starts.
#[derive(Debug, Clone, Copy)]
pub enum Cursor {
    Newest,
    Before(Uuid),
    After(Uuid),
}

#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
}

#[derive(Deserialize)]
struct WithId {
    id: Uuid,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

impl Api {
    pub fn new() -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self { http })
    }

    fn request(
        &self,
        method: Method,
        node: &Node,
        path: &str,
        token: Option<&str>,
    ) -> RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}/api/v1{path}", node.http));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Registers `username` and returns its access token, waiting out
    /// `429`/`503` answers as their `Retry-After` asks.
    pub async fn register(&self, node: &Node, username: &str) -> Result<String> {
        let body = RegisterRequest {
            username: username.to_owned(),
            password: PASSWORD.to_owned(),
            display_name: None,
        };
        for _ in 0..MAX_ATTEMPTS {
            let response = self
                .request(Method::POST, node, "/auth/register", None)
                .json(&body)
                .send()
                .await?;
            if matches!(
                response.status(),
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) {
                let header = response.headers().get(reqwest::header::RETRY_AFTER);
                tokio::time::sleep(retry_delay(header.and_then(|v| v.to_str().ok()))).await;
                continue;
            }
            let tokens: Tokens = checked("POST /auth/register", response)
                .await?
                .json()
                .await?;
            return Ok(tokens.access_token);
        }
        Err(format!("POST /auth/register: still throttled after {MAX_ATTEMPTS} attempts").into())
    }

    /// Registers the accounts `indices` (usernames `lg<tag>_<index>`, each on
    /// its client's node), a few at a time, in order.
    pub async fn register_all(
        &self,
        target: &Target,
        tag: &str,
        indices: impl Iterator<Item = usize>,
    ) -> Result<Vec<Account>> {
        stream::iter(indices)
            .map(|index| async move {
                let token = self
                    .register(target.node(index), &format!("lg{tag}_{index}"))
                    .await?;
                Ok::<_, crate::Error>(Account { index, token })
            })
            .buffered(SETUP_CONCURRENCY)
            .try_collect()
            .await
    }

    /// Creates a public room owned by `owner` and returns its id.
    pub async fn create_room(&self, target: &Target, owner: &Account, name: &str) -> Result<Uuid> {
        let body = CreateRoomRequest {
            name: name.to_owned(),
            topic: None,
            visibility: Some(Visibility::Public),
        };
        let response = self
            .request(
                Method::POST,
                target.node(owner.index),
                "/rooms",
                Some(&owner.token),
            )
            .json(&body)
            .send()
            .await?;
        let room: WithId = checked("POST /rooms", response).await?.json().await?;
        Ok(room.id)
    }

    /// Has every one of `joins` (account, room) join its room, a few at a time.
    pub async fn join_all(&self, target: &Target, joins: &[(&Account, Uuid)]) -> Result<()> {
        stream::iter(joins)
            .map(|(account, room)| async move {
                let response = self
                    .request(
                        Method::POST,
                        target.node(account.index),
                        &format!("/rooms/{room}/join"),
                        Some(&account.token),
                    )
                    .send()
                    .await?;
                checked("POST /rooms/{id}/join", response).await?;
                Ok::<_, crate::Error>(())
            })
            .buffer_unordered(SETUP_CONCURRENCY)
            .try_collect()
            .await
    }

    fn page_request(
        &self,
        node: &Node,
        token: &str,
        room: Uuid,
        cursor: Cursor,
        limit: Option<u32>,
    ) -> RequestBuilder {
        let mut query: Vec<(&str, String)> = Vec::new();
        match cursor {
            Cursor::Newest => {}
            Cursor::Before(id) => query.push(("before", id.to_string())),
            Cursor::After(id) => query.push(("after", id.to_string())),
        }
        if let Some(limit) = limit {
            query.push(("limit", limit.to_string()));
        }
        self.request(
            Method::GET,
            node,
            &format!("/rooms/{room}/messages"),
            Some(token),
        )
        .query(&query)
    }

    /// Fetches one page with the server's default size and returns how long
    /// that took (until the whole body was in) and how many messages it had.
    pub async fn timed_page(
        &self,
        node: &Node,
        token: &str,
        room: Uuid,
        cursor: Cursor,
    ) -> Result<(Duration, usize)> {
        let started = Instant::now();
        let response = self
            .page_request(node, token, room, cursor, None)
            .send()
            .await?;
        let body = checked("GET /rooms/{id}/messages", response)
            .await?
            .bytes()
            .await?;
        let took = started.elapsed();
        let messages: Vec<IgnoredAny> = serde_json::from_slice(&body)?;
        Ok((took, messages.len()))
    }

    /// Every message id of `room`, oldest first, paging back from the newest.
    pub async fn all_message_ids(&self, node: &Node, token: &str, room: Uuid) -> Result<Vec<Uuid>> {
        let mut pages = Vec::new();
        let mut cursor = Cursor::Newest;
        loop {
            let response = self
                .page_request(node, token, room, cursor, Some(200))
                .send()
                .await?;
            let page: Vec<WithId> = checked("GET /rooms/{id}/messages", response)
                .await?
                .json()
                .await?;
            let Some(oldest) = page.first() else { break };
            cursor = Cursor::Before(oldest.id);
            pages.push(page);
        }
        Ok(pages.into_iter().rev().flatten().map(|m| m.id).collect())
    }
}

/// The response if it succeeded, else an error naming the call, the status
/// and the API's error code.
async fn checked(call: &str, response: Response) -> Result<Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    let detail = match serde_json::from_str::<ErrorBody>(&body) {
        Ok(ErrorBody { error }) => format!("{}: {}", error.code, error.message),
        Err(_) => body.chars().take(200).collect(),
    };
    Err(format!("{call}: {status} {detail}").into())
}

/// How long a `Retry-After` header asks to wait (seconds; an HTTP date or
/// nonsense counts as one second), at most half a minute.
fn retry_delay(header: Option<&str>) -> Duration {
    let secs = header
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .unwrap_or(1.0);
    Duration::from_secs_f64(secs.min(30.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_within_reason() {
        assert_eq!(retry_delay(Some("3")), Duration::from_secs(3));
        assert_eq!(retry_delay(Some(" 0 ")), Duration::ZERO);
        assert_eq!(retry_delay(Some("3600")), Duration::from_secs(30));
        assert_eq!(
            retry_delay(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            Duration::from_secs(1)
        );
        assert_eq!(retry_delay(None), Duration::from_secs(1));
    }
}
