//! Headers every answer carries: a Content-Security-Policy that lets the page
//! run only this server's scripts (and the web app's WebAssembly), no framing,
//! no MIME sniffing, no referrer leaking room ids; and CORS, closed unless
//! origins are configured.

use actix_cors::Cors;
use actix_web::http::{Method, header};
use actix_web::middleware::DefaultHeaders;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The security headers, with a policy made for the served `index.html`.
pub fn security_headers(index_html: Option<&str>) -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(index_html),
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
}

/// `script-src` allows this origin's files, WebAssembly compilation, and the
/// exact inline scripts `index.html` holds (Trunk's loader), by hash: any
/// other inline or foreign script is refused. Styles may be inline (the app
/// sets some style attributes); avatars may come from any https URL.
pub fn content_security_policy(index_html: Option<&str>) -> String {
    let hashes: String = index_html
        .map(inline_script_hashes)
        .unwrap_or_default()
        .iter()
        .map(|h| format!(" 'sha256-{h}'"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Base64 SHA-256 of the content of each `<script>` without `src`.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| i + from) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        if !lower[start..tag_end].contains(" src=") {
            let content = &html[tag_end + 1..close];
            let digest = Sha256::digest(content.as_bytes());
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        from = close;
    }
    hashes
}

/// Cross-origin access for the configured origins only; with none, no CORS
/// headers at all (browsers then keep other sites' pages out).
pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers(["X-Unread-Count", "Retry-After"])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_files_by_origin() {
        let html = r#"<html><head><script type="module">import init from '/app.js'; init();</script>
            <script src="/other.js"></script></head></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1, "{hashes:?}");
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/app.js'; init();"));
        assert_eq!(hashes[0], expected);
        let csp = content_security_policy(Some(html));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
