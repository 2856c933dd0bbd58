//! HTTP: routing, request parsing and response shapes. Handlers stay thin:
//! parse, call the domain on the blocking pool, publish, answer.

pub mod attachments;
pub mod auth;
pub mod avatars;
pub mod bots;
mod caller;

pub mod events;
pub mod export;
pub mod headers;
mod json;
pub mod messages;
pub mod openapi;
pub mod ops;
pub mod photos;
pub mod pins;
pub mod rooms;
mod served;
pub mod sessions;
pub mod social;
pub mod spa;
pub mod two_factor;
mod upload;
pub mod users;

use protocol::ErrorCode;
use std::path::Path;

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse, web};
use protocol::ApiError;
use protocol::limits::BODY_MAX_BYTES;
use serde::Deserialize;

use crate::request::HttpError;
use domain::error::{DomainError, Missing};
pub use json::Json;

/// Every route. `/metrics` is left out when a listener of its own serves it
/// (see [`metrics_only`]).
pub fn configure(cfg: &mut web::ServiceConfig, web_dir: &Path, public_metrics: bool) {
    cfg.service(
        web::scope("/api/v1")
            .configure(auth::routes)
            .configure(users::routes)
            .configure(rooms::routes)
            .configure(messages::routes)
            .configure(pins::routes)
            .configure(attachments::routes)
            .configure(avatars::routes)
            .configure(photos::routes)
            .configure(export::routes)
            .configure(sessions::routes)
            .configure(events::routes)
            .configure(two_factor::routes)
            .configure(bots::routes)
            .configure(social::routes)
            .service(web::resource("/ws").route(web::get().to(crate::gateway::upgrade)))
            .service(web::resource("/openapi.json").route(web::get().to(openapi::serve)))
            .default_service(web::to(unknown_route)),
    )
    // Resources, not bare routes: another method is then a 405, not the
    // web app's page.
    .service(web::resource("/healthz").route(web::get().to(ops::healthz)));
    if public_metrics {
        cfg.service(web::resource("/metrics").route(web::get().to(ops::metrics)));
    } else {
        // Not here (and not the web app's page either).
        cfg.route("/metrics", web::to(unknown_route));
    }
    spa::configure(cfg, web_dir);
}

/// The metrics listener: `/metrics` and nothing else.
pub fn metrics_only(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/metrics").route(web::get().to(ops::all_metrics)))
        .default_service(web::to(unknown_route));
}

/// Malformed input is a 400, well-formed but unacceptable input a 422, and
/// too much of it a 413, always with the JSON error body.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(BODY_MAX_BYTES))
        .app_data(
            web::PathConfig::default().error_handler(|err: PathError, _| {
                HttpError(DomainError::BadRequest(format!("invalid path: {err}"))).into()
            }),
        )
        .app_data(
            web::QueryConfig::default().error_handler(|err: QueryPayloadError, _| {
                HttpError(DomainError::BadRequest(format!("invalid query: {err}"))).into()
            }),
        );
}

/// Parses an optional JSON body: empty, or `null`, means `T::default()`.
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> Result<T, DomainError> {
    let text = body.trim_ascii();
    if text.is_empty() || text == b"null" {
        return Ok(T::default());
    }
    json::parse(body)
}

async fn unknown_route(req: HttpRequest) -> Result<HttpResponse, HttpError> {
    tracing::debug!(path = req.path(), "unknown API route");
    Err(DomainError::NotFound(Missing::Route).into())
}

/// Gives framework-made errors (405, a 404 from the file server, a 413 from
/// the payload reader…) the same JSON body as ours.
pub fn json_error_pages<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_json = res
            .response()
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if is_json {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (code, message) = match status {
            StatusCode::NOT_FOUND => (ErrorCode::NotFound, "not found"),
            StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "method not allowed"),
            StatusCode::PAYLOAD_TOO_LARGE => (
                ErrorCode::PayloadTooLarge,
                "the request body is larger than 64 KiB",
            ),
            StatusCode::BAD_REQUEST => (ErrorCode::BadRequest, "bad request"),
            StatusCode::UNAUTHORIZED => (ErrorCode::Unauthorized, "authentication required"),
            StatusCode::FORBIDDEN => (ErrorCode::Forbidden, "forbidden"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (ErrorCode::UnsupportedMediaType, "send JSON"),
            s if s.is_server_error() => (ErrorCode::InternalError, "internal error"),
            _ => (
                ErrorCode::Other,
                status.canonical_reason().unwrap_or("error"),
            ),
        };
        // A 405 names the methods the resource does take (RFC 9110).
        let allow = res.headers().get(header::ALLOW).cloned();
        let (req, _) = res.into_parts();
        let mut response = HttpResponse::build(status).json(ApiError::new(code, message));
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(allow) = allow {
            headers.insert(header::ALLOW, allow);
        }
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_into_right_body(),
        ))
    })
}

/// `?limit=&before=&after=` as most lists take them.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Page {
    pub limit: Option<i64>,
    pub before: Option<uuid::Uuid>,
    pub after: Option<uuid::Uuid>,
}

impl Page {
    pub fn limit(&self) -> i64 {
        protocol::limits::page_size(self.limit)
    }
}

/// `?limit=&after=<user id>` for lists of people (members, friends, read
/// markers): at most `limit` (default and most 200), those after the one
/// named, in the list's own order.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PeoplePage {
    pub limit: Option<i64>,
    pub after: Option<uuid::Uuid>,
}

impl PeoplePage {
    pub fn limit(&self) -> i64 {
        let most = protocol::limits::PAGE_MAX;
        self.limit.unwrap_or(most).clamp(1, most)
    }

    pub fn after(&self) -> Option<protocol::UserId> {
        self.after.map(Into::into)
    }
}

/// Every response of ours that has no body.
pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
