//! `AuthUser`: handlers that take it are authenticated, those that don't are
//! public. The token must verify, and its session must still be live: a
//! revoked session or a deleted account loses access at once, not at expiry.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use uuid::Uuid;

use crate::db::queries::sessions;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: Uuid,
    pub session_id: Uuid,
}

impl AuthUser {
    pub fn id_str(&self) -> String {
        self.id.to_string()
    }
}

/// The token of an `Authorization: Bearer …` header, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Verifies a token and its session; shared by the extractor and the
/// WebSocket `auth` frame.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, AppError> {
    let subject = state.tokens.verify(token)?;
    let (user_id, session_id) = (subject.user_id.to_string(), subject.session_id.to_string());
    let live = state
        .db
        .run(move |conn| Ok::<_, AppError>(sessions::is_live(conn, &session_id, &user_id)?))
        .await?;
    if !live {
        return Err(AppError::InvalidToken);
    }
    Ok(AuthUser {
        id: subject.user_id,
        session_id: subject.session_id,
    })
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req).map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("app state missing"))?;
            let token = token.ok_or(AppError::Unauthorized)?;
            authenticate(&state, &token).await
        })
    }
}

/// The address a request came from (the TCP peer), for per-address limits.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

impl FromRequest for ClientAddress {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Test requests built without a socket have no peer: one shared key.
        let ip = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        std::future::ready(Ok(Self(ip)))
    }
}
