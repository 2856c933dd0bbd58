//! `AuthUser`: handlers that take it are authenticated, those that don't are
//! public. The token must verify, and its session must still be live: a
//! revoked session or a deleted account loses access at once, not at expiry.
//!
//! A token is a person's access token (a JWT) or a bot token (`tcb_…`,
//! looked up by its hash). A bot token needs the scope of what it asks:
//! `read` for `GET`, `write` for the rest, unless the route says otherwise
//! with [`Needs`] (reading events is `read` whatever the method; managing
//! accounts takes a person).

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::Method, http::header, web};
use protocol::{BotScope, SessionId, UserId};

use crate::request::HttpError;
use crate::state::AppState;
use domain::bots::{self, Access};
use domain::error::DomainError;
use domain::live;

/// The client address of `req`, as every part of the server sees it.
pub fn client_address(req: &HttpRequest) -> IpAddr {
    let peer = req.peer_addr().map(|a| a.ip());
    match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.proxies.resolve(peer, req.headers()),
        None => crate::client_address::TrustedProxies::default().resolve(peer, req.headers()),
    }
}

#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: UserId,
    pub session_id: SessionId,
    pub access: Access,
}

/// What a route needs of a bot token, declared on its resource with
/// `.app_data(Needs::…)`; without it, the method decides.
#[derive(Debug, Clone, Copy)]
pub enum Needs {
    Scope(BotScope),
    /// A person's session; no bot token at all.
    Person,
}

impl Needs {
    fn of(req: &HttpRequest) -> Self {
        if let Some(needs) = req.app_data::<Self>() {
            return *needs;
        }
        match *req.method() {
            Method::GET | Method::HEAD => Self::Scope(BotScope::Read),
            _ => Self::Scope(BotScope::Write),
        }
    }

    fn check(self, access: Access) -> Result<(), DomainError> {
        match self {
            Self::Scope(scope) => access.require(scope),
            Self::Person => access.require_person(),
        }
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
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, DomainError> {
    if token.starts_with(bots::TOKEN_PREFIX) {
        let token = token.to_owned();
        let holder = state
            .db
            .run(move |conn| bots::authenticate(conn, &token))
            .await?;
        return Ok(AuthUser {
            id: holder.bot,
            session_id: holder.session,
            access: holder.access,
        });
    }
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
        access: Access::Person,
    })
}

impl FromRequest for AuthUser {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req).map(str::to_owned);
        let needs = Needs::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| DomainError::internal("app state missing"))?;
            let token = token.ok_or(DomainError::Unauthorized)?;
            let user = authenticate(&state, &token).await?;
            needs.check(user.access)?;
            Ok(user)
        })
    }
}

/// The address a request came from, for per-address limits and the
/// address a session records: the TCP peer, or behind a trusted proxy the
/// client it forwarded (see [`crate::client_address`]).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

impl FromRequest for ClientAddress {
    type Error = HttpError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self(client_address(req))))
    }
}
