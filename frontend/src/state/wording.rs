//! Wording shown to people, made from what the checks say.

/// A checker's wording ("password must be…") as a sentence to show:
/// capital first, full stop last.
pub fn sentence(message: &str) -> String {
    let message = message.trim();
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn checkers_wording_becomes_a_sentence() {
        assert_eq!(
            sentence("password must be at least 8 characters"),
            "Password must be at least 8 characters."
        );
        assert_eq!(sentence("Already fine."), "Already fine.");
        assert_eq!(sentence("énorme"), "Énorme.");
        assert_eq!(sentence(""), "");
    }
}
