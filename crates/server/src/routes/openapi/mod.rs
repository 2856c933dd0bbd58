//! The OpenAPI 3 document, generated from the handlers' annotations.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use bytes::Bytes;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod common_answers;
mod input_rules;

use common_answers::CommonAnswers;
use input_rules::InputRules;

use super::{
    attachments, auth, avatars, bots, events, export, messages, ops, photos, pins, rooms, sessions,
    social, two_factor, users,
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
        messages::history, messages::first_unread, messages::preview, messages::context, messages::post, messages::edit, messages::delete,
        messages::thread, messages::mark_read, messages::read_markers,
        messages::react, messages::unreact, messages::edits,
        pins::list, pins::pin, pins::unpin,
        attachments::upload, attachments::download, attachments::thumbnail,
        avatars::set, avatars::clear, avatars::serve,
        export::account, export::room,
        photos::add, photos::list_mine, photos::list, photos::remove, photos::download, photos::thumbnail,
        sessions::list, sessions::revoke, sessions::revoke_others,
        two_factor::begin, two_factor::confirm, two_factor::disable,
        events::register, events::poll, events::remove,
        bots::list, bots::create, bots::get, bots::delete, bots::tokens, bots::issue_token,
        bots::revoke_token, bots::webhooks, bots::create_webhook, bots::delete_webhook,
        bots::set_outgoing, bots::remove_outgoing, bots::hook,
        rooms::set_role, rooms::remove_member, rooms::unban, rooms::audit_log,
        social::friends, social::requests, social::send_request, social::accept, social::decline,
        social::cancel, social::unfriend, social::blocked, social::block, social::unblock,
        social::open_direct, social::list_notifications, social::read_one, social::read_all,
        social::search,
        ops::healthz, ops::metrics,
    ),
    modifiers(&BearerAuth, &InputRules, &CommonAnswers)
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

/// The document, built and serialized once: it never changes while the
/// server runs.
static DOCUMENT: LazyLock<Bytes> = LazyLock::new(|| match serde_json::to_vec(&ApiDoc::openapi()) {
    Ok(json) => Bytes::from(json),
    // Only a bug of ours could make it: fail the route, not the node.
    Err(e) => {
        tracing::error!(error = %e, "cannot serialize the OpenAPI document");
        Bytes::new()
    }
});

/// Builds the document now (at start-up) rather than for the first client.
pub fn prepare() {
    LazyLock::force(&DOCUMENT);
}

pub async fn serve() -> HttpResponse {
    if DOCUMENT.is_empty() {
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(DOCUMENT.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modifiers find every schema and field they name (they panic
    /// otherwise), and what they add is there.
    #[test]
    fn the_document_builds_with_its_rules_and_answers() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
        let register = &doc["components"]["schemas"]["RegisterRequest"]["properties"];
        assert_eq!(register["username"]["maxLength"], 32);
        assert_eq!(
            register["username"]["pattern"],
            protocol::patterns::USERNAME
        );
        let rooms = &doc["paths"]["/api/v1/rooms/{id}"]["patch"]["responses"];
        for status in ["200", "400", "401", "403", "404", "413", "422", "503"] {
            assert!(
                rooms.get(status).is_some(),
                "PATCH /rooms/{{id}} documents {status}"
            );
        }
        let health = &doc["paths"]["/healthz"]["get"]["responses"];
        assert!(
            health.get("401").is_none(),
            "the probes are left as they are"
        );
    }
}
