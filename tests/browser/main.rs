//! Browser end-to-end tests: two headless Chromium sessions (through
//! ChromeDriver) use the built web app served by a real `themechat-server`
//! process, and every check goes through the `data-testid` hooks of
//! `UI-HOOKS.md`.
//!
//! Needs:
//! - the web app in `frontend/dist` (`scripts/build-web.sh`);
//! - the server binary (`cargo build -p server --bin themechat-server`, or
//!   `THEMECHAT_SERVER_BIN`);
//! - Chromium and ChromeDriver (`scripts/setup-tools.sh --browser`; paths in
//!   `THEMECHAT_CHROMIUM` / `THEMECHAT_CHROMEDRIVER`, default `/usr/bin`).
//!
//! A missing piece is a failure, never a skip. The scenarios run one at a
//! time (see `browser::exclusive`): each starts up to two Chromium instances.
//! `THEMECHAT_TEST_BACKEND=postgres` runs the server on PostgreSQL.

#![allow(
    clippy::expect_used,
    reason = "test code: a step that cannot go on says why by panicking"
)]

mod accessibility;
mod appearance;
mod attachments;
mod auth;
mod bots;
mod chat;
mod contacts;
mod deleting;
mod devices;
mod drafts;
mod edits;
mod export;
mod first_visit;
mod grouped;
mod invites;
mod keyboard;
mod long_rooms;
mod members;
mod network;
mod offline;
mod people;
mod permalinks;
mod phone;
mod pins;
mod reactions;
mod readable;
mod reading;
mod reading_more;
mod reconnect;
mod screenshots;
mod support;
mod two_factor;
mod writing;
