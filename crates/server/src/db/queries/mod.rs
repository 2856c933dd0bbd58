//! Query functions, one module per aggregate. Plain sync Diesel, no HTTP.

pub mod activity;
pub mod audit;
pub mod members;
pub mod messages;
pub mod notifications;
pub mod rooms;
pub mod sessions;
pub mod social;
pub mod users;

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
