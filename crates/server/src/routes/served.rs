//! How stored files go out: their type and name in headers a browser
//! cannot be tricked by, and a policy that lets nothing in them run.

use actix_web::HttpResponse;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};

use crate::files::Download;

/// A file served from this origin never runs: no scripts, no plugins, no
/// page of its own (an HTML or SVG upload opened directly stays inert).
const FILE_POLICY: &str = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox";

/// How a file may be cached.
pub enum Cache {
    /// Only by this user's browser (members-only files). Bytes under one
    /// id never change.
    Private,
    /// By anyone (avatars, shown to everyone).
    Public,
}

impl Cache {
    fn header(&self) -> &'static str {
        match self {
            Self::Private => "private, max-age=86400, immutable",
            Self::Public => "public, max-age=31536000, immutable",
        }
    }
}

/// A stored file, streamed. `inline` shows it in place (pictures we
/// decoded); otherwise it is offered as a download under `name`.
pub fn stream(
    file: Download,
    content_type: &str,
    name: &str,
    inline: bool,
    cache: Cache,
) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header(disposition(name, inline))
        .insert_header((header::CACHE_CONTROL, cache.header()))
        .insert_header((header::CONTENT_SECURITY_POLICY, FILE_POLICY))
        .no_chunking(file.size)
        .streaming(file.bytes)
}

/// A small stored picture (a thumbnail, an avatar), whole.
pub fn picture(bytes: bytes::Bytes, content_type: &str, cache: Cache) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, cache.header()))
        .insert_header((header::CONTENT_SECURITY_POLICY, FILE_POLICY))
        .body(bytes)
}

/// `Content-Disposition` with the name twice: plain ASCII for old
/// clients, and exact (RFC 5987, UTF-8, percent-encoded) for the rest.
pub fn disposition(name: &str, inline: bool) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}
