//! `AuthUser`: handlers that take it are authenticated, those that don't are
//! public. The token must verify, and its session must still be live: a
//! revoked session or a deleted account loses access at once, not at expiry.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use protocol::{SessionId, UserId};

use crate::domain::error::DomainError;
use crate::domain::live;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: UserId,
    pub session_id: SessionId,
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
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, DomainError> {
    let subject = state.tokens.verify(token)?;
    let (user, session) = (subject.user_id, subject.session_id);
    let live = state
        .db
        .run(move |conn| live::session_is_live(conn, session, user))
        .await?;
    if !live {
        return Err(DomainError::InvalidToken);
    }
    Ok(AuthUser {
        id: subject.user_id,
        session_id: subject.session_id,
    })
}

impl FromRequest for AuthUser {
    type Error = DomainError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req).map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| DomainError::internal("app state missing"))?;
            let token = token.ok_or(DomainError::Unauthorized)?;
            authenticate(&state, &token).await
        })
    }
}

/// The address a request came from (the TCP peer), for per-address limits.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

impl FromRequest for ClientAddress {
    type Error = DomainError;
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
