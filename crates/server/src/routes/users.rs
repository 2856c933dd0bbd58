//! `/users/*`: the caller's account, other people's profiles, search.

use actix_web::{HttpResponse, web};
use protocol::ErrorCode;
use protocol::validate::Password;
use protocol::{
    Activity, ApiError, ChangePasswordRequest, DeleteAccountRequest, Me, RoomSummary,
    UpdateMeRequest, User,
};
use serde::Deserialize;

use super::Json;
use super::{Page, no_content};
use crate::auth::AuthUser;
use crate::auth::extractor::ClientAddress;
use crate::domain::error::DomainError;
use crate::domain::{accounts, rooms};
use crate::realtime::RevokedSessions;
use crate::state::AppState;
use protocol::UserId;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `/users/me…` before `/users/{id}`, which would reject "me" as a UUID.
    cfg.service(
        web::resource("/users/me")
            .route(web::get().to(get_me))
            .route(web::patch().to(update_me))
            .route(web::delete().to(delete_me)),
    );
    cfg.service(web::resource("/users/me/password").route(web::put().to(change_password)));
    cfg.service(web::resource("/users/me/rooms").route(web::get().to(my_rooms)));
    cfg.service(web::resource("/users/me/activity").route(web::get().to(activity)));
    cfg.service(web::resource("/users").route(web::get().to(search)));
    cfg.service(web::resource("/users/{id}").route(web::get().to(get_user)));
}

#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub async fn get_me(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, DomainError> {
    let hub = state.hub.clone();
    let me = state
        .db
        .run(move |conn| accounts::me(conn, user.id, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses((status = 200, body = Me), (status = 422, body = ApiError)))]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<UpdateMeRequest>,
) -> Result<HttpResponse, DomainError> {
    let hub = state.hub.clone();
    let req = body.into_inner();
    let me = state
        .db
        .write(move |conn| accounts::update_me(conn, user.id, req, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Checks the caller's password on the CPU pool, within the limits on
/// password guessing (a stolen access token must not become a way to try
/// passwords without end).
async fn verify_password(
    state: &AppState,
    user: AuthUser,
    address: ClientAddress,
    password: String,
) -> Result<(), DomainError> {
    state.auth_throttle.by_address.check(&address.0)?;
    state.auth_throttle.by_account.check(&user.id.to_string())?;
    let row = state
        .db
        .run(move |conn| accounts::find_user(conn, user.id))
        .await?;
    let hasher = state.hasher.clone();
    let ok = state
        .cpu(move || hasher.verify(&password, Some(&row.password_hash)))
        .await?;
    if ok {
        Ok(())
    } else {
        Err(DomainError::refused(
            ErrorCode::WrongPassword,
            "the password is wrong",
        ))
    }
}

#[utoipa::path(put, path = "/api/v1/users/me/password", tag = "users", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204), (status = 403, body = ApiError), (status = 422, body = ApiError),
        (status = 429, body = ApiError, description = "too many password checks; see Retry-After")))]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    address: ClientAddress,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, DomainError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let new_password = Password::parse(&new_password)?;
    verify_password(&state, user, address, current_password).await?;
    let hasher = state.hasher.clone();
    let hash = state
        .cpu(move || hasher.hash(new_password.as_str()))
        .await??;
    state
        .db
        .write(move |conn| accounts::change_password(conn, user.id, user.session_id, &hash))
        .await?;
    state.end_sessions(user.id, RevokedSessions::AllBut(user.session_id));
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses((status = 204), (status = 403, body = ApiError),
        (status = 429, body = ApiError, description = "too many password checks; see Retry-After")))]
pub async fn delete_me(
    state: web::Data<AppState>,
    user: AuthUser,
    address: ClientAddress,
    body: Json<DeleteAccountRequest>,
) -> Result<HttpResponse, DomainError> {
    verify_password(&state, user, address, body.into_inner().password).await?;
    let events = state
        .db
        .write(move |conn| accounts::delete_account(conn, user.id))
        .await?;
    state.end_sessions(user.id, RevokedSessions::All);
    state.publish(events, None);
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/users/me/rooms", tag = "rooms", security(("bearer" = [])),
    responses((status = 200, body = [RoomSummary])))]
pub async fn my_rooms(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, DomainError> {
    let list = state.db.run(move |conn| rooms::mine(conn, user.id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/users/me/activity", tag = "users", security(("bearer" = [])),
    params(Page), responses((status = 200, body = [Activity])))]
pub async fn activity(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<Page>,
) -> Result<HttpResponse, DomainError> {
    let limit = page.limit();
    let before = page.before.map(Into::into);
    let list = state
        .db
        .run(move |conn| accounts::activity(conn, user.id, before, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Part of a username or display name, any case.
    pub q: Option<String>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(SearchQuery), responses((status = 200, body = [User])))]
pub async fn search(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, DomainError> {
    let SearchQuery { q, limit } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let hub = state.hub.clone();
    let list = state
        .db
        .run(move |conn| accounts::search(conn, user.id, q.as_deref().unwrap_or(""), limit, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn get_user(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<UserId>,
) -> Result<HttpResponse, DomainError> {
    let target = path.into_inner();
    let hub = state.hub.clone();
    let profile = state
        .db
        .run(move |conn| accounts::profile(conn, user.id, target, &hub))
        .await?;
    Ok(HttpResponse::Ok().json(profile))
}
