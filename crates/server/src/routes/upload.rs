//! Reading one uploaded file from a `multipart/form-data` body, within a
//! size limit, without trusting anything the client says about it but its
//! name.

use actix_multipart::{Multipart, MultipartError};
use futures_util::TryStreamExt;

use crate::domain::error::DomainError;

/// The form field that carries the file.
pub const FIELD: &str = "file";

/// A file as it arrived.
pub struct Received {
    /// The name the client gave (cleaned later by the rules).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads the `file` part of the body (other parts are skipped), refusing
/// it once it passes `limit` bytes. A body cut short is an error: nothing
/// of it is kept.
pub async fn one_file(mut form: Multipart, limit: u64) -> Result<Received, DomainError> {
    while let Some(mut part) = form.try_next().await.map_err(unreadable)? {
        let disposition = part.content_disposition().cloned();
        let Some(disposition) = disposition else {
            continue;
        };
        if disposition.get_name() != Some(FIELD) {
            continue;
        }
        let name = disposition.get_filename().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.try_next().await.map_err(unreadable)? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(DomainError::PayloadTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(DomainError::validation("the file is empty"));
        }
        return Ok(Received { name, bytes });
    }
    Err(DomainError::validation(format!(
        "no file: send multipart/form-data with the file in a part named \"{FIELD}\""
    )))
}

fn unreadable(e: MultipartError) -> DomainError {
    match e {
        MultipartError::Incomplete => DomainError::BadRequest("the upload ended early".into()),
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => DomainError::BadRequest(format!(
            "send multipart/form-data with the file in a part named \"{FIELD}\""
        )),
        other => DomainError::BadRequest(format!("cannot read the upload: {other}")),
    }
}
