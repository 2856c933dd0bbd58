//! Reading one uploaded file from a `multipart/form-data` body, within a
//! size limit, without trusting anything the client says about it but its
//! name.

use actix_multipart::{Multipart, MultipartError};
use futures_util::TryStreamExt;

use domain::error::DomainError;

/// The form field that carries the file.
pub const FIELD: &str = "file";

/// A file as it arrived.
pub struct Received {
    /// The name the client gave (cleaned later by the rules).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads the form: its one part, `file`, refused once it passes `limit`
/// bytes. Any other part is refused (the form's schema has only `file`, so
/// a client sending more has misread it). A body cut short is an error:
/// nothing of it is kept.
pub async fn one_file(mut form: Multipart, limit: u64) -> Result<Received, DomainError> {
    let mut file = None;
    while let Some(mut part) = form.try_next().await.map_err(unreadable)? {
        let disposition = part.content_disposition().cloned();
        let field = disposition.as_ref().and_then(|d| d.get_name());
        if field != Some(FIELD) || file.is_some() {
            return Err(DomainError::validation(format!(
                "unexpected part {}: the form has one part, \"{FIELD}\"",
                field.map_or("without a name".into(), |f| format!("{f:?}"))
            )));
        }
        let name = disposition
            .as_ref()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .to_owned();
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
        file = Some(Received { name, bytes });
    }
    file.ok_or_else(|| {
        DomainError::validation(format!(
            "no file: send multipart/form-data with the file in a part named \"{FIELD}\""
        ))
    })
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
