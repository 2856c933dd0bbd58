//! The one mapping of a domain error to an HTTP answer.
//!
//! `status_code` is an exhaustive match with no catch-all, so a new variant
//! cannot silently become a 500. Internal causes are logged once, here, and
//! never sent to the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::domain::error::DomainError;

impl ResponseError for DomainError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized
            | Self::InvalidToken
            | Self::InvalidCredentials
            | Self::SecondFactor { .. } => StatusCode::UNAUTHORIZED,
            Self::Refused { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::Race(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } | Self::QuotaExceeded { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            Self::Validation(_) | Self::PictureTooLarge { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "request failed"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::Unauthorized | Self::InvalidToken => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            Self::RateLimited { retry_after_secs } => {
                response.insert_header(("Retry-After", retry_after_secs.max(&1).to_string()));
            }
            // Load shedding: a second is enough for queues to move.
            Self::Unavailable(_) => {
                response.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        response.json(self.to_api_error())
    }
}
