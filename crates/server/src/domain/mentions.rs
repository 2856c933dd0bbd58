//! Finds `@username` mentions in a message body.

use protocol::limits::{MENTIONS_MAX, USERNAME_MAX, USERNAME_MIN};

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Lower-cased candidate usernames mentioned in `body`, without duplicates,
/// at most [`MENTIONS_MAX`] of them (one message must not be a way to
/// notify a crowd).
///
/// A mention starts at an `@` that does not follow a word character (so
/// e-mail addresses are not mentions). Trailing `.` and `-` are dropped, as
/// in "thanks @ann." — a username ending in them cannot be mentioned at the
/// end of a sentence, which is the usual trade-off.
pub fn extract(body: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() && found.len() < MENTIONS_MAX {
        let at_start = chars[i] == '@' && (i == 0 || !is_username_char(chars[i - 1]));
        if !at_start {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < chars.len() && is_username_char(chars[end]) {
            end += 1;
        }
        let name: String = chars[start..end].iter().collect();
        let name = name.trim_end_matches(['.', '-']).to_ascii_lowercase();
        if (USERNAME_MIN..=USERNAME_MAX).contains(&name.len()) && !found.contains(&name) {
            found.push(name);
        }
        i = end.max(start);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn finds_mentions() {
        assert_eq!(extract("hi @Ann and @bob_1."), vec!["ann", "bob_1"]);
        assert_eq!(extract("@ann @ANN"), vec!["ann"]);
        assert!(extract("mail me at x@example.org").is_empty());
        assert!(extract("@ab is too short, @ alone too").is_empty());
        assert_eq!(extract("(@carol)"), vec!["carol"]);
    }

    #[test]
    fn stops_at_the_cap() {
        let body: String = (0..30).map(|n| format!("@user{n:02} ")).collect();
        let found = extract(&body);
        assert_eq!(found.len(), super::MENTIONS_MAX);
        assert_eq!(found[0], "user00");
    }
}
