//! The one error body every failed request carries, and the codes in it.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable code a client can match on.
    pub code: ErrorCode,
    /// Human readable explanation, safe to show to a user.
    pub message: String,
}

/// Every code the server answers with, in REST error bodies and in the
/// socket's `error` frames. Clients match on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed JSON, a path id that is not a UUID, an unreadable query.
    BadRequest,
    /// No credentials at all.
    Unauthorized,
    /// A token that is malformed, expired, revoked or already used.
    InvalidToken,
    InvalidCredentials,
    /// The password was right; the account also asks for a code from its
    /// authenticator (or a recovery code): send it as `code`.
    TwoFactorRequired,
    /// The two-factor code is wrong, expired or used already.
    InvalidTwoFactorCode,
    /// Acting beyond one's rights in a room, or on someone else's message.
    Forbidden,
    /// A bot token used beyond its scopes, or where only a person's
    /// session may act (managing bots, sessions, the password).
    InsufficientScope,
    NotAMember,
    Banned,
    /// One of two people blocked the other.
    Blocked,
    /// The current password given to change or delete an account is wrong.
    WrongPassword,
    NotFound,
    UsernameTaken,
    AlreadyFriends,
    AlreadyRequested,
    AlreadyMember,
    /// A concurrent request won a race the server could not settle.
    Conflict,
    PayloadTooLarge,
    /// An upload that would take its uploader past their storage quota
    /// (413): delete files (attachments, photos) to make room.
    QuotaExceeded,
    /// A picture beyond what the server decodes (422): more pixels, or a
    /// longer side, than a chat picture needs.
    PictureTooLarge,
    /// Well-formed input out of range: a missing field, a wrong type, a
    /// value too long.
    ValidationFailed,
    RateLimited,
    MethodNotAllowed,
    UnsupportedMediaType,
    /// The service is briefly unable to answer (storage lost, overload).
    Unavailable,
    InternalError,
    /// Socket only: a frame that is not one of the client frames.
    InvalidFrame,
    /// Socket only: an `auth` frame on a signed-in connection.
    AlreadyAuthenticated,
    /// Socket only: a `send` whose body is over the limit.
    BodyTooLong,
    /// Socket only: the user has the maximum number of sockets on this node.
    TooManyConnections,
    /// Any other refusal by the HTTP layer (a status with no code of its own).
    #[serde(rename = "error")]
    Other,
}

impl ErrorCode {
    /// The wire spelling, for logs and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::InvalidToken => "invalid_token",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TwoFactorRequired => "two_factor_required",
            Self::InvalidTwoFactorCode => "invalid_two_factor_code",
            Self::InsufficientScope => "insufficient_scope",
            Self::Forbidden => "forbidden",
            Self::NotAMember => "not_a_member",
            Self::Banned => "banned",
            Self::Blocked => "blocked",
            Self::WrongPassword => "wrong_password",
            Self::NotFound => "not_found",
            Self::UsernameTaken => "username_taken",
            Self::AlreadyFriends => "already_friends",
            Self::AlreadyRequested => "already_requested",
            Self::AlreadyMember => "already_member",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::QuotaExceeded => "quota_exceeded",
            Self::PictureTooLarge => "picture_too_large",
            Self::ValidationFailed => "validation_failed",
            Self::RateLimited => "rate_limited",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unavailable => "unavailable",
            Self::InternalError => "internal_error",
            Self::InvalidFrame => "invalid_frame",
            Self::AlreadyAuthenticated => "already_authenticated",
            Self::BodyTooLong => "body_too_long",
            Self::TooManyConnections => "too_many_connections",
            Self::Other => "error",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorBody {
                code,
                message: message.into(),
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.error.message, self.error.code)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// `as_str` is what logs show; it must be what the wire carries.
    #[test]
    fn the_wire_spelling_is_as_str() {
        let all = [
            ErrorCode::BadRequest,
            ErrorCode::Unauthorized,
            ErrorCode::InvalidToken,
            ErrorCode::InvalidCredentials,
            ErrorCode::TwoFactorRequired,
            ErrorCode::InvalidTwoFactorCode,
            ErrorCode::InsufficientScope,
            ErrorCode::Forbidden,
            ErrorCode::NotAMember,
            ErrorCode::Banned,
            ErrorCode::Blocked,
            ErrorCode::WrongPassword,
            ErrorCode::NotFound,
            ErrorCode::UsernameTaken,
            ErrorCode::AlreadyFriends,
            ErrorCode::AlreadyRequested,
            ErrorCode::AlreadyMember,
            ErrorCode::Conflict,
            ErrorCode::PayloadTooLarge,
            ErrorCode::QuotaExceeded,
            ErrorCode::PictureTooLarge,
            ErrorCode::ValidationFailed,
            ErrorCode::RateLimited,
            ErrorCode::MethodNotAllowed,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::Unavailable,
            ErrorCode::InternalError,
            ErrorCode::InvalidFrame,
            ErrorCode::AlreadyAuthenticated,
            ErrorCode::BodyTooLong,
            ErrorCode::TooManyConnections,
            ErrorCode::Other,
        ];
        for code in all {
            let json = serde_json::to_string(&code).expect("a code serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).expect("a code reads back");
            assert_eq!(back, code);
        }
    }

    #[test]
    fn an_error_body_reads_back() {
        let body = r#"{"error":{"code":"not_a_member","message":"join first"}}"#;
        let e: ApiError = serde_json::from_str(body).expect("an error body reads back");
        assert_eq!(e.error.code, ErrorCode::NotAMember);
    }
}
