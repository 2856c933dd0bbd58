//! End-to-end tests of the WebSocket gateway (`GET /api/v1/ws`) in
//! `API.md`: each test starts the real server on a free port with its own
//! fresh database and talks to it over WebSocket and HTTP.
//!
//! Backend: `THEMECHAT_TEST_BACKEND=sqlite` (default) or `postgres`
//! (`THEMECHAT_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abuse;
mod auth;
mod crowds;
mod events;
mod flow;
mod messaging;
mod presence;
