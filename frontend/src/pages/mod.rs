//! One file per page (route).

pub mod bots;
pub mod chat;
pub mod contacts;
pub mod explore;
pub mod login;
pub mod notifications;
pub mod people;
pub mod profile;
pub mod register;
pub mod search;
pub mod settings;
mod sign_in_flow;
