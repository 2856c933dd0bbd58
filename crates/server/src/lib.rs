//! The ThemeChat server as a library: `main.rs` only loads the configuration
//! and calls [`startup::Application`], and tests start the very same app on a
//! free port.
//!
//! It stands on the `domain` crate (the rules, and through it storage, which
//! this crate cannot name). Inside, from the bottom: configuration, sign-in
//! primitives (`auth`), the file store, metrics; `delivery` (this node's
//! sockets and the bus between nodes); `state` (what every transport and
//! worker holds); then the transports (`routes`, `gateway`, `polling`, with
//! what both HTTP ones share in `request`), the `workers`, and `startup`,
//! which assembles them.

pub mod auth;
pub mod client_address;
pub mod config;
pub mod delivery;
pub mod files;
pub mod gateway;
pub mod metrics;
pub mod polling;
pub mod request;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod workers;
