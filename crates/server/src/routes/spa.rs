//! Serves the built web app, with history-API fallback: any GET that is not
//! an API route or a file answers `index.html`, so reloads and pasted links
//! to `/rooms/…` work.
//!
//! The build (`scripts/build-web.sh`) leaves a brotli and a gzip copy beside
//! each asset; the one the browser accepts goes out as it is, so nothing is
//! compressed per request and a first visit downloads about a third of the
//! bytes. Trunk names the scripts, the WebAssembly and the styles after a
//! hash of their content, so those are cached for a year and never asked
//! for again; `index.html` (which names them) is checked on every visit, so
//! a new release reaches everyone at once.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpResponse, web};

use domain::error::{DomainError, Missing};

use crate::request::HttpError;

/// For files whose name changes with their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For `index.html` and anything else: cached, but checked every time.
const REVALIDATE: &str = "no-cache";

pub fn configure(cfg: &mut web::ServiceConfig, web_dir: &Path) {
    let index = web_dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %web_dir.display(), "web app not built; serving a notice at /");
        cfg.default_service(web::to(not_built));
        return;
    }
    cfg.service(
        web::scope("").wrap(from_fn(cache_policy)).service(
            Files::new("/", web_dir)
                .index_file("index.html")
                .prefer_utf8(true)
                .try_compressed()
                .default_handler(fn_service(move |req: ServiceRequest| {
                    let index = index.clone();
                    async move { fallback(req, index).await }
                })),
        ),
    );
}

/// Sets how long a browser may keep what the web app's files answered.
async fn cache_policy(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> actix_web::Result<ServiceResponse<impl MessageBody>> {
    let immutable = is_content_named(req.path());
    let mut res = next.call(req).await?;
    if res.status().is_success() || res.status() == actix_web::http::StatusCode::NOT_MODIFIED {
        let policy = if immutable { IMMUTABLE } else { REVALIDATE };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    Ok(res)
}

/// Whether a path names a file after its content, as Trunk does:
/// `name-<16 hex digits>.<ext>` (`frontend-891aad1d21991332_bg.wasm` too).
fn is_content_named(path: &str) -> bool {
    let Some(file) = path.rsplit('/').next() else {
        return false;
    };
    let Some((stem, _ext)) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty() && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

async fn fallback(req: ServiceRequest, index: PathBuf) -> actix_web::Result<ServiceResponse> {
    let (req, _) = req.into_parts();
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Ok(ServiceResponse::new(
            req,
            HttpResponse::from_error(HttpError(DomainError::NotFound(Missing::Route))),
        ));
    }
    let file = NamedFile::open(index)?;
    let res = file.into_response(&req);
    Ok(ServiceResponse::new(req, res))
}

async fn not_built() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            "<!doctype html><title>ThemeChat</title><p>The ThemeChat API is running, \
         but the web app is not built. Run <code>scripts/run</code> to build and serve it.</p>",
        )
}

#[cfg(test)]
mod tests {
    use super::is_content_named;

    #[test]
    fn trunks_hashed_names_are_told_from_the_rest() {
        for hashed in [
            "/frontend-891aad1d21991332.js",
            "/frontend-891aad1d21991332_bg.wasm",
            "/main-920c1cd22f860e60.css",
        ] {
            assert!(is_content_named(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/rooms/01a24f36-9762-758d-b4c9-d5c064b7519d",
            "/favicon.ico",
            "/frontend-891aad1d2199133.js",
            "/-891aad1d21991332.js",
            "/frontend-891aad1d2199133g.js",
        ] {
            assert!(!is_content_named(plain), "{plain}");
        }
    }
}
