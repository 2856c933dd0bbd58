//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    attachments, auth, avatars, export, messages, ops, photos, pins, rooms, sessions, social, users,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "ThemeChat API", description = "REST API of ThemeChat. Live events: GET /api/v1/ws (see API.md)."),
    paths(
        auth::register, auth::login, auth::refresh, auth::logout,
        users::get_me, users::update_me, users::delete_me, users::change_password,
        users::my_rooms, users::activity, users::search, users::get_user,
        rooms::create, rooms::explore, rooms::get, rooms::update, rooms::delete,
        rooms::join, rooms::leave, rooms::members, rooms::invite, rooms::notification_level,
        messages::history, messages::post, messages::edit, messages::delete,
        messages::thread, messages::mark_read, messages::read_markers,
        messages::react, messages::unreact, messages::edits,
        pins::list, pins::pin, pins::unpin,
        attachments::upload, attachments::download, attachments::thumbnail,
        avatars::set, avatars::clear, avatars::serve,
        export::account, export::room,
        photos::add, photos::list_mine, photos::list, photos::remove, photos::download, photos::thumbnail,
        sessions::list, sessions::revoke, sessions::revoke_others,
        rooms::set_role, rooms::remove_member, rooms::unban, rooms::audit_log,
        social::friends, social::requests, social::send_request, social::accept, social::decline,
        social::cancel, social::unfriend, social::blocked, social::block, social::unblock,
        social::open_direct, social::list_notifications, social::read_one, social::read_all,
        social::search,
        ops::healthz, ops::metrics,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
