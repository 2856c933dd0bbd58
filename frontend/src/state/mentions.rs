//! The `@mention` being typed in the composer, and completing it.

/// The `@…` being typed at the end of `text`, without the `@`.
pub fn typed_mention(text: &str) -> Option<&str> {
    let word = text.rsplit(char::is_whitespace).next()?;
    let name = word.strip_prefix('@')?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .then_some(name)
}

/// `text` with its trailing `@…` replaced by `@username `.
pub fn completed(text: &str, username: &str) -> String {
    let typed = typed_mention(text).map_or(0, |t| t.len() + 1);
    format!("{}@{username} ", &text[..text.len() - typed])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mention_being_typed_is_the_last_word_after_an_at() {
        assert_eq!(typed_mention("hi @bo"), Some("bo"));
        assert_eq!(typed_mention("@"), Some(""));
        assert_eq!(typed_mention("hi @bo "), None);
        assert_eq!(typed_mention("mail a@b"), None);
        assert_eq!(typed_mention("hi bo"), None);
        assert_eq!(completed("hi @bo", "bob"), "hi @bob ");
        assert_eq!(completed("@", "ann"), "@ann ");
    }
}
