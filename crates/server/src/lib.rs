//! The ThemeChat server as a library: `main.rs` only loads the configuration
//! and calls [`startup::Application`], and tests start the very same app on a
//! free port.

pub mod auth;
pub mod client_address;
pub mod config;
pub mod db;
pub mod domain;
pub mod files;
pub mod metrics;
pub mod realtime;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod workers;
