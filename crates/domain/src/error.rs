//! What can go wrong under the rules: the domain's one error type.
//!
//! Every variant carries its [`ErrorCode`], so the transports (the REST
//! routes and the socket gateway) each map it once, and nobody decides
//! anything by reading an error's text. Causes a client must not see
//! (`Internal`, `Unavailable`) are kept for the logs.

use protocol::ErrorCode;
use protocol::validate::Invalid;

use crate::throttle::RetryAfter;
use storage::{DbError, TaskFailed};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("the token is invalid or expired")]
    InvalidToken,
    #[error("wrong username or password")]
    InvalidCredentials,
    /// The password was right but a second factor is missing (`required`)
    /// or wrong.
    #[error("{}", if *required { "a two-factor code is required" } else { "the two-factor code is wrong, expired or used already" })]
    SecondFactor { required: bool },
    /// Not allowed: `code` says why (`forbidden`, `not_a_member`, `banned`,
    /// `blocked`, `wrong_password`).
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    #[error("{0} not found")]
    NotFound(Missing),
    /// The request contradicts what is stored (`username_taken`,
    /// `already_friends`…).
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    #[error("the request body is larger than {}", in_units(*limit))]
    PayloadTooLarge { limit: u64 },
    /// An upload would take its uploader past what they may keep.
    #[error("this upload would pass your storage quota of {}: delete files to make room", in_units(*quota))]
    QuotaExceeded { quota: u64 },
    #[error("{0}")]
    Validation(String),
    /// A picture beyond the budget of one decode (`domain::pictures`).
    #[error("the picture is too large: at most {} megapixels and {max_side} pixels a side", max_pixels / (1024 * 1024))]
    PictureTooLarge { max_pixels: u64, max_side: u32 },
    #[error("too many requests, slow down")]
    RateLimited {
        /// When to try again, in seconds (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// A concurrent request won a race; the caller retries, so it rarely
    /// reaches a client.
    #[error("{0}")]
    Race(Race),
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

/// What was not found (or may not be revealed to exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    #[error("attachment")]
    Attachment,
    #[error("event queue")]
    EventQueue,
    #[error("file")]
    File,
    #[error("photo")]
    Photo,
    #[error("ban")]
    Ban,
    #[error("bot")]
    Bot,
    #[error("friend")]
    Friend,
    #[error("friend request")]
    FriendRequest,
    #[error("member")]
    Member,
    #[error("message")]
    Message,
    #[error("notification")]
    Notification,
    #[error("record")]
    Record,
    #[error("room")]
    Room,
    #[error("session")]
    Session,
    #[error("route")]
    Route,
    #[error("user")]
    User,
    #[error("earlier version")]
    Version,
    #[error("webhook")]
    Webhook,
}

/// Which race was lost, for the caller that knows how to retry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Race {
    #[error("a message with this client_id was stored concurrently")]
    ClientId,
    #[error("the conversation was just created")]
    DirectRoom,
    #[error("an attachment was just sent with another message")]
    Attachment,
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::refused(ErrorCode::Forbidden, message)
    }

    pub fn not_a_member() -> Self {
        Self::refused(ErrorCode::NotAMember, "you are not a member of this room")
    }

    /// One of two people blocked the other (a direct room, a request).
    pub fn blocked() -> Self {
        Self::refused(ErrorCode::Blocked, "one of you has blocked the other")
    }

    /// Flood control or load shedding: try again in a second.
    pub fn rate_limited() -> Self {
        Self::RateLimited {
            retry_after_secs: 1,
        }
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
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

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::InvalidToken => ErrorCode::InvalidToken,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::SecondFactor { required: true } => ErrorCode::TwoFactorRequired,
            Self::SecondFactor { required: false } => ErrorCode::InvalidTwoFactorCode,
            Self::Refused { code, .. } | Self::Conflict { code, .. } => *code,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::QuotaExceeded { .. } => ErrorCode::QuotaExceeded,
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::PictureTooLarge { .. } => ErrorCode::PictureTooLarge,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Race(_) => ErrorCode::Conflict,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// The body a client gets: the code and a message safe to show.
    pub fn to_api_error(&self) -> protocol::ApiError {
        protocol::ApiError::new(self.code(), self.to_string())
    }
}

/// A size limit as people say it: "1 GiB", "10 MiB", "64 KiB", "300 bytes".
fn in_units(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * 1024 * 1024;
    match bytes {
        b if b >= GIB && b % GIB == 0 => format!("{} GiB", b / GIB),
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

impl From<TaskFailed> for DomainError {
    fn from(e: TaskFailed) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<RetryAfter> for DomainError {
    fn from(wait: RetryAfter) -> Self {
        Self::RateLimited {
            retry_after_secs: wait.secs(),
        }
    }
}

impl From<Invalid> for DomainError {
    fn from(e: Invalid) -> Self {
        Self::Validation(e.0)
    }
}

impl From<DbError> for DomainError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => Self::NotFound(Missing::Record),
            // The database went away under a connection: a moment's outage,
            // not a bug; clients are told to come back (503, Retry-After).
            DbError::Unavailable(cause) => Self::Unavailable(cause),
            other => Self::Internal(other.to_string()),
        }
    }
}
