//! The server's one error type, and its one mapping to HTTP.
//!
//! Policy: every failure becomes `AppError`; `status()` is an exhaustive match
//! with no catch-all, so a new variant cannot silently become a 500. Internal
//! causes are logged once, here, and never sent to the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use protocol::ApiError;
use protocol::validate::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("the token is invalid or expired")]
    InvalidToken,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("the request body is larger than 64 KiB")]
    PayloadTooLarge,
    #[error("{0}")]
    Validation(String),
    #[error("too many requests, slow down")]
    RateLimited {
        /// When to try again, in seconds (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// A concurrent request won a race (the same `client_id` stored by
    /// another node, say); the caller retries, so it rarely reaches a client.
    #[error("{0}")]
    Race(&'static str),
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    pub fn not_a_member() -> Self {
        Self::Forbidden {
            code: "not_a_member",
            message: "you are not a member of this room".into(),
        }
    }

    /// One of two people blocked the other (a direct room, a request).
    pub fn blocked() -> Self {
        Self::Forbidden {
            code: "blocked",
            message: "one of you has blocked the other".into(),
        }
    }

    /// Flood control or load shedding: try again in a second.
    pub fn rate_limited() -> Self {
        Self::RateLimited {
            retry_after_secs: 1,
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        Self::Internal(cause.into())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::InvalidToken => "invalid_token",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden { code, .. } | Self::Conflict { code, .. } => code,
            Self::NotFound(_) => "not_found",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Validation(_) => "validation_failed",
            Self::RateLimited { .. } => "rate_limited",
            Self::Race(_) => "conflict",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(self.code(), self.to_string())
    }
}

impl From<crate::db::TaskFailed> for AppError {
    fn from(e: crate::db::TaskFailed) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<crate::throttle::RetryAfter> for AppError {
    fn from(wait: crate::throttle::RetryAfter) -> Self {
        Self::RateLimited {
            retry_after_secs: wait.secs(),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        Self::Validation(e.0)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match e {
            Error::NotFound => Self::NotFound("record"),
            // The database went away under a connection: a moment's outage,
            // not a bug; clients are told to come back (503, Retry-After).
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, info) => {
                Self::Unavailable(format!("database connection lost: {}", info.message()))
            }
            Error::BrokenTransactionManager => {
                Self::Unavailable("database connection lost mid-transaction".into())
            }
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::InvalidToken | Self::InvalidCredentials => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Race(_) => StatusCode::CONFLICT,
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

pub type AppResult<T> = Result<T, AppError>;
