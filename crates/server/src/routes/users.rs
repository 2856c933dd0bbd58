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
use super::caller::{Caller, Reply};
use super::{Page, no_content};
use crate::delivery::RevokedSessions;
use crate::request::AuthUser;
use crate::request::{ClientAddress, Needs};
use crate::state::AppState;
use domain::error::DomainError;
use domain::{accounts, bots, rooms};
use protocol::UserId;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `/users/me…` before `/users/{id}`, which would reject "me" as a UUID.
    cfg.service(
        web::resource("/users/me")
            .route(web::get().to(get_me))
            .route(web::patch().to(update_me))
            .route(web::delete().to(delete_me)),
    );
    cfg.service(
        web::resource("/users/me/password")
            .app_data(Needs::Person)
            .route(web::put().to(change_password)),
    );
    cfg.service(web::resource("/users/me/rooms").route(web::get().to(my_rooms)));
    cfg.service(web::resource("/users/me/activity").route(web::get().to(activity)));
    cfg.service(web::resource("/users").route(web::get().to(search)));
    cfg.service(web::resource("/users/{id}").route(web::get().to(get_user)));
}

#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub async fn get_me(caller: Caller) -> Reply {
    let me = caller
        .read(move |conn, me| accounts::me(conn, me.id, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses((status = 200, body = Me), (status = 422, body = ApiError)))]
pub async fn update_me(caller: Caller, body: Json<UpdateMeRequest>) -> Reply {
    let req = body.into_inner();
    let me = caller
        .write(move |conn, me| accounts::update_me(conn, me.id, req, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Checks the caller's password on the CPU pool, within the limits on
/// password guessing (a stolen access token must not become a way to try
/// passwords without end).
pub(super) async fn verify_password(
    state: &AppState,
    user: AuthUser,
    address: ClientAddress,
    password: String,
) -> Result<(), DomainError> {
    state.auth_throttle.by_address.check(&address.0)?;
    state.auth_throttle.by_account.check(&user.id.to_string())?;
    let row = state
        .db
        .run(move |conn| domain::people::find_user(conn, user.id))
        .await?;
    let ok = state
        .password_matches(password, Some(row.password_hash))
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
    caller: Caller,
    address: ClientAddress,
    body: Json<ChangePasswordRequest>,
) -> Reply {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let new_password = Password::parse(&new_password)?;
    verify_password(&caller.state, caller.user, address, current_password).await?;
    let hash = caller
        .state
        .hash_password(new_password.into_inner())
        .await?;
    caller
        .write(move |conn, me| accounts::change_password(conn, me.id, me.session_id, &hash))
        .await?;
    caller.state.end_sessions(
        caller.user.id,
        RevokedSessions::AllBut(caller.user.session_id),
    );
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses((status = 204), (status = 403, body = ApiError),
        (status = 429, body = ApiError, description = "too many password checks; see Retry-After")))]
pub async fn delete_me(
    caller: Caller,
    address: ClientAddress,
    body: Json<DeleteAccountRequest>,
) -> Reply {
    // A bot is deleted by its owner (`DELETE /bots/{id}`).
    caller.user.access.require_person()?;
    verify_password(
        &caller.state,
        caller.user,
        address,
        body.into_inner().password,
    )
    .await?;
    let (avatar, events, bots) = caller
        .write(move |conn, me| {
            let (avatar, mut events) = accounts::delete_account(conn, me.id)?;
            let (bots, left) = bots::delete_all_of(conn, me.id)?;
            events.extend(left);
            Ok((avatar, events, bots))
        })
        .await?;
    super::avatars::forget(&caller.state, avatar).await;
    for gone in std::iter::once(caller.user.id).chain(bots) {
        caller.state.end_sessions(gone, RevokedSessions::All);
    }
    caller.state.publish(events, None);
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/users/me/rooms", tag = "rooms", security(("bearer" = [])),
    responses((status = 200, body = [RoomSummary])))]
pub async fn my_rooms(caller: Caller) -> Reply {
    let list = caller
        .read(move |conn, me| rooms::mine(conn, me.id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/users/me/activity", tag = "users", security(("bearer" = [])),
    params(Page), responses((status = 200, body = [Activity])))]
pub async fn activity(caller: Caller, page: web::Query<Page>) -> Reply {
    let limit = page.limit();
    let before = page.before.map(Into::into);
    let list = caller
        .read(move |conn, me| accounts::activity(conn, me.id, before, limit))
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
pub async fn search(caller: Caller, query: web::Query<SearchQuery>) -> Reply {
    let SearchQuery { q, limit } = query.into_inner();
    let limit = protocol::limits::page_size(limit);
    let list = caller
        .read(move |conn, me| {
            accounts::search(conn, me.id, q.as_deref().unwrap_or(""), limit, &me.hub)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn get_user(caller: Caller, target: web::Path<UserId>) -> Reply {
    let profile = caller
        .read(move |conn, me| accounts::profile(conn, me.id, *target, &me.hub))
        .await?;
    Ok(HttpResponse::Ok().json(profile))
}
