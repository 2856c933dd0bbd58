//! How a message's text is read: `@username` mentions and links. One
//! reading for the server (which notifies the mentioned) and the web app
//! (which highlights them and makes links clickable), so the two agree.

use crate::limits::{USERNAME_MAX, USERNAME_MIN};

/// A piece of a message's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span<'a> {
    Text(&'a str),
    /// An `http(s)://` address, as written.
    Link(&'a str),
    /// `@name` as written; [`mentioned`] gives the username it names.
    Mention(&'a str),
}

/// The username a mention names (lower case, as usernames compare).
pub fn mentioned(mention: &str) -> String {
    mention.trim_start_matches('@').to_ascii_lowercase()
}

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// A mention starting at byte `at` (an `@`), if one does: the `@` must not
/// follow a username character (so e-mail addresses are not mentions), and
/// trailing `.` and `-` are dropped, as in "thanks @ann." — a username
/// ending in them cannot be mentioned at the end of a sentence, which is the
/// usual trade-off. Returns its length in bytes.
fn mention_at(text: &str, at: usize) -> Option<usize> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(is_username_char) {
        return None;
    }
    let rest = &text[at + 1..];
    let end = rest.find(|c| !is_username_char(c)).unwrap_or(rest.len());
    let name = rest[..end].trim_end_matches(['.', '-']);
    (USERNAME_MIN..=USERNAME_MAX)
        .contains(&name.len())
        .then_some(1 + name.len())
}

/// A link starting at byte `at`, if one does: `http://` or `https://` and
/// everything up to the next space, less trailing punctuation (and a
/// closing parenthesis the link did not open). Returns its length in bytes.
fn link_at(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let scheme = ["https://", "http://"].into_iter().find(|s| {
        rest.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    })?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let mut link = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
    if link.ends_with(')') && !link.contains('(') {
        link = &link[..link.len() - 1];
    }
    (link.len() > scheme.len()).then_some(link.len())
}

/// `text` cut into plain text, links and mentions, in order.
pub fn spans(text: &str) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut plain = 0;
    let mut i = 0;
    while i < text.len() {
        let found = match text.as_bytes()[i] {
            b'@' => mention_at(text, i).map(|n| (n, true)),
            b'h' | b'H' => link_at(text, i).map(|n| (n, false)),
            _ => None,
        };
        match found {
            Some((len, mention)) => {
                if plain < i {
                    out.push(Span::Text(&text[plain..i]));
                }
                let piece = &text[i..i + len];
                out.push(if mention {
                    Span::Mention(piece)
                } else {
                    Span::Link(piece)
                });
                i += len;
                plain = i;
            }
            None => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    if plain < text.len() {
        out.push(Span::Text(&text[plain..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_text_into_links_mentions_and_the_rest() {
        assert_eq!(
            spans("see https://example.com/a?b=1. thanks @Ann!"),
            vec![
                Span::Text("see "),
                Span::Link("https://example.com/a?b=1"),
                Span::Text(". thanks "),
                Span::Mention("@Ann"),
                Span::Text("!"),
            ]
        );
        assert_eq!(
            spans("(http://x.org/y) ünïcode @bo"),
            vec![
                Span::Text("("),
                Span::Link("http://x.org/y"),
                Span::Text(") ünïcode @bo"),
            ]
        );
        assert_eq!(
            spans("https:// nothing"),
            vec![Span::Text("https:// nothing")]
        );
        assert_eq!(
            spans("javascript:alert(1)"),
            vec![Span::Text("javascript:alert(1)")]
        );
        assert_eq!(spans(""), vec![]);
        // Never cut a character in two.
        assert_eq!(spans("hé @ü h€llo"), vec![Span::Text("hé @ü h€llo")]);
    }
}
