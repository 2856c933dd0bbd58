//! `/auth/*`: register, log in, refresh, log out.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use protocol::validate::{DisplayName, Password, Username};
use protocol::{ApiError, AuthResponse, LoginRequest, RefreshRequest, RegisterRequest};

use super::Json;
use super::no_content;
use crate::delivery::RevokedSessions;
use crate::request::ClientAddress;
use crate::request::HttpError;
use crate::state::AppState;
use domain::accounts::{self, Client, IssuedSession, Refreshed, Registration};
use domain::error::DomainError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/register").route(web::post().to(register)));
    cfg.service(web::resource("/auth/login").route(web::post().to(login)));
    cfg.service(web::resource("/auth/refresh").route(web::post().to(refresh)));
    cfg.service(web::resource("/auth/logout").route(web::post().to(logout)));
}

/// Who is signing in: the User-Agent, and the address.
fn client_of(req: &HttpRequest, address: ClientAddress) -> Client {
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Client {
        agent: agent.to_owned(),
        address: address.0.to_string(),
    }
}

fn answer(state: &AppState, issued: IssuedSession) -> Result<AuthResponse, DomainError> {
    let access_token = state.tokens.issue(*issued.user.id, issued.session_id)?;
    Ok(AuthResponse {
        access_token,
        refresh_token: issued.refresh_token,
        expires_in: state.tokens.ttl_secs(),
        user: issued
            .user
            .to_me(state.hub.is_online(*issued.user.id), issued.two_factor),
    })
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = AuthResponse), (status = 409, body = ApiError), (status = 422, body = ApiError),
        (status = 429, body = ApiError, description = "too many password checks from this address; see Retry-After"),
        (status = 503, body = ApiError, description = "too many password checks waiting; see Retry-After")))]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    address: ClientAddress,
    body: Json<RegisterRequest>,
) -> Result<HttpResponse, HttpError> {
    state.auth_throttle.by_address.check(&address.0)?;
    let body = body.into_inner();
    let username = Username::parse(&body.username)?;
    let password = Password::parse(&body.password)?;
    // Absent: the username stands in. Present: it must be a valid name
    // (an explicitly empty one is a mistake, not a request for the default).
    let display_name = match body.display_name.as_deref() {
        Some(name) => DisplayName::parse(name)?,
        None => DisplayName::parse(username.as_str())?,
    };
    let password_hash = state.hash_password(password.into_inner()).await?;
    let client = client_of(&req, address);
    let policy = state.settings.session_policy();
    let registration = Registration {
        username,
        display_name,
        password_hash,
    };
    let issued = state
        .db
        .write(move |conn| accounts::register(conn, registration, &client, policy))
        .await?;
    Ok(HttpResponse::Created().json(answer(&state, issued)?))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = AuthResponse),
        (status = 401, body = ApiError, description = "`invalid_credentials`; or, the password being right, `two_factor_required` (send `code`) or `invalid_two_factor_code`"),
        (status = 429, body = ApiError, description = "too many sign-ins from this address or to this account; see Retry-After"),
        (status = 503, body = ApiError, description = "too many password checks waiting; see Retry-After")))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    address: ClientAddress,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, HttpError> {
    let LoginRequest {
        username,
        password,
        code,
    } = body.into_inner();
    let key = username.to_ascii_lowercase();
    // Both limits count the attempt before any hashing: a guesser pays
    // nothing but a 429 once over either.
    state.auth_throttle.by_address.check(&address.0)?;
    state.auth_throttle.by_account.check(&key)?;
    let user = state
        .db
        .run(move |conn| accounts::find_for_login(conn, &key))
        .await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    // Verified even for unknown users, so timing does not reveal accounts.
    let ok = state.password_matches(password, stored).await?;
    let user = user.filter(|_| ok).ok_or(DomainError::InvalidCredentials)?;
    let client = client_of(&req, address);
    let policy = state.settings.session_policy();
    let issued = state
        .db
        .write(move |conn| accounts::login(conn, user, code.as_deref(), &client, policy))
        .await?;
    Ok(HttpResponse::Ok().json(answer(&state, issued)?))
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = AuthResponse), (status = 401, body = ApiError)))]
pub async fn refresh(
    state: web::Data<AppState>,
    address: ClientAddress,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, HttpError> {
    let token = body.into_inner().refresh_token;
    let policy = state.settings.session_policy();
    let from = address.0.to_string();
    let refreshed = state
        .db
        .write(move |conn| accounts::refresh(conn, &token, &from, policy))
        .await?;
    match refreshed {
        Refreshed::Issued(issued) => Ok(HttpResponse::Ok().json(answer(&state, *issued)?)),
        Refreshed::Revoked(ended) => {
            state.end_sessions(ended.user_id, RevokedSessions::One(ended.session_id));
            Err(DomainError::InvalidToken.into())
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204), (status = 401, body = ApiError)))]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, HttpError> {
    let token = body.into_inner().refresh_token;
    let ended = state
        .db
        .write(move |conn| accounts::logout(conn, &token))
        .await?;
    state.end_sessions(ended.user_id, RevokedSessions::One(ended.session_id));
    Ok(no_content())
}
