//! `/sessions`: my signed-in devices, and signing them out.

use actix_web::{HttpResponse, web};
use protocol::{ApiError, Device, SessionId};

use super::caller::{Caller, Reply};
use super::no_content;
use crate::delivery::RevokedSessions;
use crate::request::Needs;
use domain::accounts;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // A person's devices: a bot token neither sees nor ends them.
    let person = || Needs::Person;
    cfg.service(
        web::resource("/sessions")
            .app_data(person())
            .route(web::get().to(list)),
    );
    cfg.service(
        web::resource("/sessions/revoke-others")
            .app_data(person())
            .route(web::post().to(revoke_others)),
    );
    cfg.service(
        web::resource("/sessions/{id}")
            .app_data(person())
            .route(web::delete().to(revoke)),
    );
}

#[utoipa::path(get, path = "/api/v1/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [Device], description = "most recently seen first"),
        (status = 401, body = ApiError)))]
pub async fn list(caller: Caller) -> Reply {
    let devices = caller
        .read(move |conn, me| accounts::devices(conn, me.id, me.session_id))
        .await?;
    Ok(HttpResponse::Ok().json(devices))
}

#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "signed out; its sockets are closed"),
        (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn revoke(caller: Caller, session: web::Path<SessionId>) -> Reply {
    let ended = caller
        .write(move |conn, me| accounts::end_device(conn, me.id, *session))
        .await?;
    caller
        .state
        .end_sessions(ended.user_id, RevokedSessions::One(ended.session_id));
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/sessions/revoke-others", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "every other device signed out"),
        (status = 401, body = ApiError)))]
pub async fn revoke_others(caller: Caller) -> Reply {
    caller
        .write(move |conn, me| accounts::end_other_devices(conn, me.id, me.session_id))
        .await?;
    caller.state.end_sessions(
        caller.user.id,
        RevokedSessions::AllBut(caller.user.session_id),
    );
    Ok(no_content())
}
