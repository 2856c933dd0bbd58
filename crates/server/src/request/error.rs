//! The one mapping of a domain error to an HTTP answer.
//!
//! `status_code` is an exhaustive match with no catch-all, so a new variant
//! cannot silently become a 500. Internal causes are logged once, here, and
//! never sent to the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use domain::error::DomainError;

/// A domain error on its way out as an HTTP answer: what every handler
/// returns (`?` turns a `DomainError` into one). A type of the server's own,
/// because actix's `ResponseError` may only be implemented here for it.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct HttpError(pub DomainError);

impl<E: Into<DomainError>> From<E> for HttpError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl ResponseError for HttpError {
    fn status_code(&self) -> StatusCode {
        use DomainError as E;
        match &self.0 {
            E::BadRequest(_) => StatusCode::BAD_REQUEST,
            E::Unauthorized | E::InvalidToken | E::InvalidCredentials | E::SecondFactor { .. } => {
                StatusCode::UNAUTHORIZED
            }
            E::Refused { .. } => StatusCode::FORBIDDEN,
            E::NotFound(_) => StatusCode::NOT_FOUND,
            E::Conflict { .. } | E::Race(_) => StatusCode::CONFLICT,
            E::PayloadTooLarge { .. } | E::QuotaExceeded { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            E::Validation(_) | E::PictureTooLarge { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            E::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            E::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            E::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        use DomainError as E;
        match &self.0 {
            E::Internal(cause) => tracing::error!(%cause, "request failed"),
            E::Unavailable(cause) => tracing::warn!(%cause, "request failed"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match &self.0 {
            E::Unauthorized | E::InvalidToken => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            E::RateLimited { retry_after_secs } => {
                response.insert_header(("Retry-After", retry_after_secs.max(&1).to_string()));
            }
            // Load shedding: a second is enough for queues to move.
            E::Unavailable(_) => {
                response.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        response.json(self.0.to_api_error())
    }
}
