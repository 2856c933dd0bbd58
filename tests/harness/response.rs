//! What came back from one request, and how a failing test describes it.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// What came back from one request.
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body parsed as JSON; `Value::Null` when it is empty or not JSON.
    pub body: Value,
    /// The body as text (lossy UTF-8).
    pub text: String,
    /// The body exactly as it came.
    pub bytes: Vec<u8>,
    /// `METHOD /path` of the request, for failure messages.
    pub request: String,
    /// The start of the request body, for failure messages.
    pub request_body: String,
}

impl TestResponse {
    /// A header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as a JSON array; panics with the response otherwise.
    #[track_caller]
    pub fn array(&self) -> &[Value] {
        match self.body.as_array() {
            Some(items) => items,
            None => panic!("expected a JSON array body, got {}", self.describe()),
        }
    }

    /// A one-paragraph summary for assertion messages.
    pub fn describe(&self) -> String {
        let mut out = format!("{} -> HTTP {}", self.request, self.status);
        if !self.request_body.is_empty() {
            out.push_str("\n  request body: ");
            out.push_str(&self.request_body);
        }
        out.push_str("\n  response body: ");
        out.push_str(&truncate(&self.text, 2000));
        out
    }
}

pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max_chars).collect();
        short.push_str("...");
        short
    }
}
