//! Serves the built web app, with history-API fallback: any GET that is not
//! an API route or a file answers `index.html`, so reloads and pasted links
//! to `/rooms/…` work.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::Method;
use actix_web::{HttpResponse, web};

use crate::domain::error::{DomainError, Missing};

pub fn configure(cfg: &mut web::ServiceConfig, web_dir: &Path) {
    let index = web_dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %web_dir.display(), "web app not built; serving a notice at /");
        cfg.default_service(web::to(not_built));
        return;
    }
    cfg.service(
        Files::new("/", web_dir)
            .index_file("index.html")
            .prefer_utf8(true)
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move { fallback(req, index).await }
            })),
    );
}

async fn fallback(req: ServiceRequest, index: PathBuf) -> actix_web::Result<ServiceResponse> {
    let (req, _) = req.into_parts();
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Ok(ServiceResponse::new(
            req,
            HttpResponse::from_error(DomainError::NotFound(Missing::Route)),
        ));
    }
    let file = NamedFile::open_async(index).await?;
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
