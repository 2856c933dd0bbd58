//! Assertions and small JSON helpers shared by the end-to-end tests.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use crate::response::TestResponse;

/// Asserts the status code, showing the request and the answer on failure.
#[track_caller]
pub fn assert_status(resp: &TestResponse, expected: u16) {
    assert_eq!(
        resp.status,
        expected,
        "expected HTTP {expected}, got {}",
        resp.describe()
    );
}

/// Asserts the status code and the error code, and that the body has exactly
/// the shape `{"error": {"code": "...", "message": "..."}}`.
#[track_caller]
pub fn assert_error(resp: &TestResponse, status: u16, code: &str) {
    assert_status(resp, status);
    assert_error_shape(resp);
    assert_eq!(
        resp.body["error"]["code"].as_str(),
        Some(code),
        "expected error code {code:?}, got {}",
        resp.describe()
    );
}

/// Asserts the status code and the error body's shape, whatever its code
/// (for answers where API.md names no code: 401 without a token, 404 of an
/// unknown route, 405, 413).
#[track_caller]
pub fn assert_error_status(resp: &TestResponse, status: u16) {
    assert_status(resp, status);
    assert_error_shape(resp);
}

/// Asserts the body is exactly `{"error": {"code": <snake_case string>,
/// "message": <non-empty string>}}`, nothing more.
#[track_caller]
pub fn assert_error_shape(resp: &TestResponse) {
    assert_eq!(
        keys(&resp.body),
        set(&["error"]),
        "an error body must be exactly {{\"error\": {{...}}}}, got {}",
        resp.describe()
    );
    let error = &resp.body["error"];
    assert_eq!(
        keys(error),
        set(&["code", "message"]),
        "the error object must have exactly `code` and `message`, got {}",
        resp.describe()
    );
    let code = error["code"].as_str().unwrap_or_default();
    assert!(
        !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "the error code must be a non-empty snake_case string, got {}",
        resp.describe()
    );
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        !message.trim().is_empty(),
        "the error message must be a non-empty string, got {}",
        resp.describe()
    );
}

/// The keys of a JSON object (empty for anything else).
pub fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

/// A set of key names, to compare with [`keys`].
pub fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// Asserts that `value` is an object containing every one of `names`.
#[track_caller]
pub fn assert_has_keys(value: &Value, names: &[&str]) {
    let present = keys(value);
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !present.contains(*name))
        .collect();
    assert!(missing.is_empty(), "missing keys {missing:?} in {value}");
}

/// Asserts that `value` is an object containing none of `names`.
#[track_caller]
pub fn assert_lacks_keys(value: &Value, names: &[&str]) {
    let present = keys(value);
    let found: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| present.contains(*name))
        .collect();
    assert!(found.is_empty(), "unexpected keys {found:?} in {value}");
}

/// A string field; panics (showing the object) when it is absent or not a string.
#[track_caller]
pub fn field_str(value: &Value, key: &str) -> String {
    match value[key].as_str() {
        Some(text) => text.to_owned(),
        None => panic!("expected a string `{key}` in {value}"),
    }
}

/// The `id` of an object.
#[track_caller]
pub fn id_of(value: &Value) -> String {
    field_str(value, "id")
}

/// The ids of a list of objects, in order.
#[track_caller]
pub fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(id_of).collect()
}

/// The `seq` of each message, in order.
#[track_caller]
pub fn seqs(messages: &[Value]) -> Vec<i64> {
    messages
        .iter()
        .map(|message| match message["seq"].as_i64() {
            Some(seq) => seq,
            None => panic!("expected an integer `seq` in {message}"),
        })
        .collect()
}

/// Asserts that no id appears twice.
#[track_caller]
pub fn assert_distinct_ids(items: &[Value]) {
    let all = ids(items);
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "duplicate ids in {all:?}");
}

/// Asserts a non-empty string.
#[track_caller]
pub fn assert_non_empty_str(value: &Value, what: &str) {
    assert!(
        value.as_str().is_some_and(|s| !s.is_empty()),
        "{what} must be a non-empty string, got {value}"
    );
}

/// Asserts a UUID string.
#[track_caller]
pub fn assert_uuid(value: &Value, what: &str) {
    let parsed = value.as_str().map(uuid::Uuid::parse_str);
    assert!(
        matches!(parsed, Some(Ok(_))),
        "{what} must be a UUID string, got {value}"
    );
}

/// Asserts an RFC 3339 timestamp in UTC.
#[track_caller]
pub fn assert_timestamp(value: &Value, what: &str) {
    let parsed = value
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
    assert!(
        parsed.is_some_and(|t| t.offset().local_minus_utc() == 0),
        "{what} must be an RFC 3339 timestamp in UTC, got {value}"
    );
}

/// A name unlikely to collide: `prefix` plus six random hex digits.
pub fn unique(prefix: &str) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &random[..6])
}

/// A random UUID that names nothing on the server.
pub fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
