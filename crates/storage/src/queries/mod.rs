//! Query functions, one module per aggregate. Plain sync Diesel, no HTTP.

pub mod activity;
pub mod attachments;
pub mod audit;
pub mod bots;
pub mod edits;
pub mod event_queues;
pub mod members;
pub mod messages;
pub mod notifications;
pub mod photos;
pub mod pins;
pub mod reactions;
pub mod rooms;
pub mod sessions;
pub mod social;
pub mod two_factor;
pub mod users;

use std::fmt::Display;

use crate::DbResult;
use crate::models::{Stored, StoredText};

/// The text of each id, for an `IN` list.
pub fn keys<T: Display>(ids: &[T]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

/// Ids read from a column selected on its own: each must parse.
pub fn parsed<T: StoredText>(texts: Vec<String>) -> DbResult<Vec<T>> {
    texts
        .into_iter()
        .map(|text| Stored::<T>::try_from(text).map(|Stored(id)| id))
        .collect()
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// A `LIKE` pattern matching `needle` anywhere, with its wildcards escaped
/// so user input is matched literally. Use with `.escape('\\')`.
pub fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::contains_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
