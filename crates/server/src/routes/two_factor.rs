//! `/users/me/two-factor`: setting up, confirming and turning off two-factor
//! sign-in. Signing in with a code is `POST /auth/login`'s `code`. Turning
//! it on or off takes the password: an access token alone is not enough.

use actix_web::{HttpResponse, web};
use protocol::{
    ApiError, DeleteAccountRequest, RecoveryCodes, TwoFactorConfirmRequest, TwoFactorSetup,
};

use super::Json;
use super::caller::{Caller, Reply};
use super::no_content;
use super::users::verify_password;
use crate::request::ClientAddress;
use crate::request::Needs;
use domain::two_factor;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users/me/two-factor")
            .app_data(Needs::Person)
            .route(web::post().to(begin))
            .route(web::delete().to(disable)),
    );
    cfg.service(
        web::resource("/users/me/two-factor/confirm")
            .app_data(Needs::Person)
            .route(web::post().to(confirm)),
    );
}

#[utoipa::path(post, path = "/api/v1/users/me/two-factor", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TwoFactorSetup,
            description = "a new secret, pending until confirmed (a pending one before is replaced)"),
        (status = 409, body = ApiError, description = "two-factor sign-in is on already")))]
pub async fn begin(caller: Caller) -> Reply {
    let setup = caller
        .write(move |conn, me| two_factor::begin(conn, me.id))
        .await?;
    Ok(HttpResponse::Ok().json(setup))
}

#[utoipa::path(post, path = "/api/v1/users/me/two-factor/confirm", tag = "auth", security(("bearer" = [])),
    request_body(content = TwoFactorConfirmRequest,
        description = "a code from the authenticator, and the account's password"),
    responses((status = 200, body = RecoveryCodes,
            description = "on: sign-ins now ask for a code; the recovery codes are shown this once"),
        (status = 403, body = ApiError, description = "`wrong_password`: still pending"),
        (status = 409, body = ApiError, description = "nothing pending to confirm, or on already"),
        (status = 422, body = ApiError, description = "the code does not match the pending secret"),
        (status = 429, body = ApiError, description = "too many password checks; see Retry-After")))]
pub async fn confirm(
    caller: Caller,
    address: ClientAddress,
    body: Json<TwoFactorConfirmRequest>,
) -> Reply {
    let TwoFactorConfirmRequest { code, password } = body.into_inner();
    // The password first: a token alone (a stolen one) must not turn it on.
    verify_password(&caller.state, caller.user, address, password).await?;
    let codes = caller
        .write(move |conn, me| two_factor::confirm(conn, me.id, &code))
        .await?;
    Ok(HttpResponse::Ok().json(codes))
}

#[utoipa::path(delete, path = "/api/v1/users/me/two-factor", tag = "auth", security(("bearer" = [])),
    request_body(content = DeleteAccountRequest, description = "the account's password"),
    responses((status = 204, description = "off (or was not on): sign-ins ask for the password only"),
        (status = 403, body = ApiError, description = "`wrong_password`"),
        (status = 429, body = ApiError, description = "too many password checks; see Retry-After")))]
pub async fn disable(
    caller: Caller,
    address: ClientAddress,
    body: Json<DeleteAccountRequest>,
) -> Reply {
    verify_password(
        &caller.state,
        caller.user,
        address,
        body.into_inner().password,
    )
    .await?;
    caller
        .write(move |conn, me| two_factor::disable(conn, me.id))
        .await?;
    Ok(no_content())
}
