//! The JSON body extractor.
//!
//! actix's own `Json` cannot tell "not JSON at all" from "JSON of the wrong
//! shape" in every case (a number where an enum belongs reads as a syntax
//! error). The API promises 400 for the first and 422 for the second, so the
//! body is parsed in two steps: into a JSON value, then into the type.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use crate::request::HttpError;
use domain::error::DomainError;

pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Well-formed JSON or 400; an object of the right shape or 422. (Every
/// body of the API is an object; serde would also read a struct from an
/// array of its fields in order, which no schema of ours describes.)
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DomainError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| DomainError::BadRequest(format!("malformed JSON: {e}")))?;
    if !value.is_object() {
        return Err(DomainError::Validation(
            "the body must be a JSON object".into(),
        ));
    }
    T::deserialize(value).map_err(|e| DomainError::Validation(e.to_string()))
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    DomainError::PayloadTooLarge {
                        limit: protocol::limits::BODY_MAX_BYTES as u64,
                    }
                } else {
                    DomainError::BadRequest(format!("cannot read the body: {e}"))
                }
            })?;
            Ok(Json(parse(&bytes)?))
        })
    }
}
