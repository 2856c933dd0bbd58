//! End-to-end tests of the REST API in `API.md`: each test starts the real
//! server on a free port with its own fresh database and talks HTTP to it.
//!
//! Backend: `THEMECHAT_TEST_BACKEND=sqlite` (default) or `postgres`
//! (`THEMECHAT_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod activity;
mod attachments;
mod auth;
mod authz;
mod blocks;
mod bots;
mod conventions;
mod devices;
mod dms;
mod edges;
mod edits;
mod events;
mod export;
mod friends;
mod group_commit;
mod hardening;
mod hostile;
mod limits;
mod messages;
mod moderation;
mod notifications;
mod photos;
mod pins;
mod reactions;
mod rooms;
mod search;
mod social_support;
mod two_factor;
mod users;
