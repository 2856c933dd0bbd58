//! Plain HTTP to the API: one request out, one answer in, every failure a
//! [`Failure`]. Knows nothing of sessions: the caller passes the token.

use gloo_net::http::{Method, RequestBuilder};
use protocol::{ApiError, ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

pub const BASE: &str = "/api/v1";

/// Why a request failed. Views show [`message`](Self::message); code that
/// must tell failures apart matches the variant or the server's [`ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server could not be reached (offline, or the request was cut).
    Network,
    /// The server answered with something this app cannot read.
    Unreadable { status: u16 },
    /// The server (or this app, for what it can tell itself) refused: the
    /// error body's code and message.
    Refused(ErrorBody),
    /// No session to send the request with: sign in again.
    SignedOut,
}

impl Failure {
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused(ErrorBody {
            code,
            message: message.into(),
        })
    }

    /// A sentence to show the user.
    pub fn message(&self) -> String {
        match self {
            Self::Network => "Could not reach the server. Check your connection.".into(),
            Self::Unreadable { status } if (200..300).contains(status) => {
                "The server sent an unexpected answer.".into()
            }
            Self::Unreadable { status } => format!("The request failed (HTTP {status})."),
            Self::Refused(body) => body.message.clone(),
            Self::SignedOut => "Please sign in again.".into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// A raw response: status, body text and the `X-Unread-Count` header.
pub struct Raw {
    pub status: u16,
    pub text: String,
    pub unread: Option<i64>,
}

/// A request to the API, with the bearer token when there is one.
fn request(method: &Method, path: &str, token: Option<&str>) -> RequestBuilder {
    let builder = RequestBuilder::new(&format!("{BASE}{path}")).method(method.clone());
    match token {
        Some(t) => builder.header("Authorization", &format!("Bearer {t}")),
        None => builder,
    }
}

pub async fn send_once(
    method: &Method,
    path: &str,
    body: Option<&serde_json::Value>,
    token: Option<&str>,
) -> Result<Raw, Failure> {
    let builder = request(method, path, token).header("Accept", "application/json");
    let request = match body {
        Some(b) => builder.json(b),
        None => builder.build(),
    }
    .map_err(|_| Failure::Network)?;
    let response = request.send().await.map_err(|_| Failure::Network)?;
    let unread = response
        .headers()
        .get("x-unread-count")
        .and_then(|v| v.parse().ok());
    let text = response.text().await.unwrap_or_default();
    Ok(Raw {
        status: response.status(),
        text,
        unread,
    })
}

/// Sends a `multipart/form-data` body (the browser writes its boundary).
pub async fn send_form(
    method: &Method,
    path: &str,
    form: &web_sys::FormData,
    token: Option<&str>,
) -> Result<Raw, Failure> {
    let request = request(method, path, token)
        .header("Accept", "application/json")
        .body(form.clone())
        .map_err(|_| Failure::Network)?;
    let response = request.send().await.map_err(|_| Failure::Network)?;
    let text = response.text().await.unwrap_or_default();
    Ok(Raw {
        status: response.status(),
        text,
        unread: None,
    })
}

/// A file fetched whole, or the answer that refused it.
pub enum Fetched {
    Blob(web_sys::Blob),
    Refused(Raw),
}

/// GETs a file's bytes as a `Blob` (for an object URL): what an `<img>`
/// cannot do itself when the file needs a bearer token.
pub async fn fetch_blob(path: &str, token: Option<&str>) -> Result<Fetched, Failure> {
    let response = request(&Method::GET, path, token)
        .send()
        .await
        .map_err(|_| Failure::Network)?;
    let status = response.status();
    if !(200..300).contains(&status) {
        let text = response.text().await.unwrap_or_default();
        return Ok(Fetched::Refused(Raw {
            status,
            text,
            unread: None,
        }));
    }
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let bytes = response.binary().await.map_err(|_| Failure::Network)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&content_type);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map(Fetched::Blob)
        .map_err(|_| Failure::Unreadable { status })
}

/// The status of an answer, whatever its body.
pub trait Answer {
    fn status(&self) -> u16;
}

impl Answer for Raw {
    fn status(&self) -> u16 {
        self.status
    }
}

impl Answer for Fetched {
    fn status(&self) -> u16 {
        match self {
            Self::Blob(_) => 200,
            Self::Refused(raw) => raw.status,
        }
    }
}

pub fn parse<T: DeserializeOwned>(raw: Raw) -> Result<(T, Option<i64>), Failure> {
    if (200..300).contains(&raw.status) {
        let text = if raw.text.trim().is_empty() {
            "null"
        } else {
            raw.text.as_str()
        };
        serde_json::from_str(text)
            .map(|v| (v, raw.unread))
            .map_err(|_| Failure::Unreadable { status: raw.status })
    } else {
        Err(serde_json::from_str::<ApiError>(&raw.text)
            .map(|e| Failure::Refused(e.error))
            .unwrap_or(Failure::Unreadable { status: raw.status }))
    }
}

/// Sends a request that must outlive the page (it is being closed or
/// reloaded): a `keepalive` fetch, whose answer nobody waits for.
pub fn send_while_leaving(method: &str, path: &str, body: &serde_json::Value, token: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    // (web-sys has no setter for it: it is a plain field of the dictionary.)
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
    if let Ok(headers) = web_sys::Headers::new() {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
        let _ = headers.set("Content-Type", "application/json");
        init.set_headers(&headers);
    }
    let _ = window.fetch_with_str_and_init(&format!("{BASE}{path}"), &init);
}
