//! The small Markdown subset messages may use: `**bold**`, `*italic*` (or
//! `_italic_`), `` `code` ``, fenced code blocks (```` ``` ````) and quotes
//! (`> `), with links and mentions read as [`crate::text`] reads them.
//!
//! The result is a tree of text, never HTML: the web app builds elements
//! from it, so nothing a person writes can become markup. Anything that is
//! not a complete construct (an unclosed `**`, a lone backtick) stays as
//! written.

use crate::limits::MENTIONS_MAX;
use crate::text::{Span, mentioned, spans};

/// A block of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Lines of text (with their line breaks).
    Paragraph(Vec<Inline>),
    /// Lines that began with `>`.
    Quote(Vec<Inline>),
    /// The lines between two ```` ``` ```` fences, exactly as written.
    Code(String),
}

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    /// An `http(s)://` address.
    Link(String),
    /// `@name` as written.
    Mention(String),
    /// Between backticks, exactly as written.
    Code(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    LineBreak,
}

/// Reads a message body.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = body.lines().peekable();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut quote: Vec<&str> = Vec::new();
    let flush = |out: &mut Vec<Block>, paragraph: &mut Vec<&str>, quote: &mut Vec<&str>| {
        if !paragraph.is_empty() {
            out.push(Block::Paragraph(inline_lines(paragraph)));
            paragraph.clear();
        }
        if !quote.is_empty() {
            out.push(Block::Quote(inline_lines(quote)));
            quote.clear();
        }
    };
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("```") {
            // A fence opens a block only if another closes it.
            let rest: Vec<&str> = lines.clone().collect();
            if let Some(close) = rest.iter().position(|l| l.trim_start().starts_with("```")) {
                flush(&mut out, &mut paragraph, &mut quote);
                out.push(Block::Code(rest[..close].join("\n")));
                for _ in 0..=close {
                    lines.next();
                }
                continue;
            }
        }
        if let Some(quoted) = line.strip_prefix('>') {
            if !paragraph.is_empty() {
                flush(&mut out, &mut paragraph, &mut quote);
            }
            quote.push(quoted.strip_prefix(' ').unwrap_or(quoted));
        } else {
            if !quote.is_empty() {
                flush(&mut out, &mut paragraph, &mut quote);
            }
            paragraph.push(line);
        }
    }
    flush(&mut out, &mut paragraph, &mut quote);
    out
}

fn inline_lines(lines: &[&str]) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(Inline::LineBreak);
        }
        out.extend(inlines(line));
    }
    out
}

/// One line: code spans first (nothing inside them is read), then bold,
/// then italics, then links and mentions in what is left.
pub fn inlines(line: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('`') {
        match rest[open + 1..].find('`') {
            Some(len) if len > 0 => {
                out.extend(emphasis(&rest[..open]));
                out.push(Inline::Code(rest[open + 1..open + 1 + len].to_owned()));
                rest = &rest[open + 2 + len..];
            }
            _ => break,
        }
    }
    out.extend(emphasis(rest));
    out
}

/// `**strong**`, then `*emphasis*` / `_emphasis_`, around plain text.
fn emphasis(text: &str) -> Vec<Inline> {
    if let Some((before, inner, after)) = delimited(text, "**") {
        let mut out = emphasis(before);
        out.push(Inline::Strong(emphasis(inner)));
        out.extend(emphasis(after));
        return out;
    }
    for marker in ["*", "_"] {
        if let Some((before, inner, after)) = delimited(text, marker) {
            let mut out = emphasis(before);
            out.push(Inline::Emphasis(emphasis(inner)));
            out.extend(emphasis(after));
            return out;
        }
    }
    plain(text)
}

/// The first `marker…marker` pair whose content neither starts nor ends
/// with a space (so `2 * 3 * 4` and `snake_case_name` stay text): the text
/// before, inside and after it.
fn delimited<'a>(text: &'a str, marker: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let mut from = 0;
    while let Some(found) = text[from..].find(marker) {
        let open = from + found;
        let start = open + marker.len();
        let opens_word = text[start..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace());
        // `_` inside a word (snake_case) opens nothing.
        let inside_word = marker == "_"
            && text[..open]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
        if opens_word && !inside_word {
            let mut search = start;
            while let Some(found) = text[search..].find(marker) {
                let close = search + found;
                let closes_word = close > start
                    && text[..close]
                        .chars()
                        .next_back()
                        .is_some_and(|c| !c.is_whitespace());
                let ends_word = marker != "_"
                    || !text[close + marker.len()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric);
                if closes_word && ends_word {
                    return Some((
                        &text[..open],
                        &text[start..close],
                        &text[close + marker.len()..],
                    ));
                }
                search = close + marker.len();
            }
        }
        from = start;
    }
    None
}

fn plain(text: &str) -> Vec<Inline> {
    spans(text)
        .into_iter()
        .map(|span| match span {
            Span::Text(t) => Inline::Text(t.to_owned()),
            Span::Link(l) => Inline::Link(l.to_owned()),
            Span::Mention(m) => Inline::Mention(m.to_owned()),
        })
        .collect()
}

/// The mentions of a body as [`blocks`] reads it: none inside code.
pub fn mentions_in(blocks: &[Block]) -> Vec<String> {
    fn walk(inlines: &[Inline], out: &mut Vec<String>) {
        for inline in inlines {
            match inline {
                Inline::Mention(m) => out.push(m.clone()),
                Inline::Strong(inner) | Inline::Emphasis(inner) => walk(inner, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Paragraph(inlines) | Block::Quote(inlines) => walk(inlines, &mut out),
            Block::Code(_) => {}
        }
    }
    out
}

/// Lower-cased usernames mentioned in `body`, without duplicates, at most
/// [`MENTIONS_MAX`] of them (one message must not be a way to notify a
/// crowd). Mentions inside links and code (see [`blocks`]) do not
/// count.
pub fn mentions(body: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for m in mentions_in(&blocks(body)) {
        let name = mentioned(&m);
        if !found.contains(&name) {
            found.push(name);
        }
        if found.len() == MENTIONS_MAX {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::Inline::*;
    use super::*;

    fn t(s: &str) -> Inline {
        Text(s.to_owned())
    }

    #[test]
    fn bold_italic_and_code_in_a_line() {
        assert_eq!(
            inlines("a **big** and *small* `x*y*` _too_"),
            vec![
                t("a "),
                Strong(vec![t("big")]),
                t(" and "),
                Emphasis(vec![t("small")]),
                t(" "),
                Code("x*y*".into()),
                t(" "),
                Emphasis(vec![t("too")]),
            ]
        );
        assert_eq!(
            inlines("**bold with *italic* inside**"),
            vec![Strong(vec![
                t("bold with "),
                Emphasis(vec![t("italic")]),
                t(" inside")
            ])]
        );
    }

    #[test]
    fn what_is_not_a_whole_construct_stays_as_written() {
        assert_eq!(inlines("2 * 3 * 4"), vec![t("2 * 3 * 4")]);
        assert_eq!(inlines("snake_case_name"), vec![t("snake_case_name")]);
        assert_eq!(inlines("**open"), vec![t("**open")]);
        assert_eq!(inlines("a ` b"), vec![t("a ` b")]);
        assert_eq!(inlines("``"), vec![t("``")]);
        assert_eq!(inlines("<b>not html</b>"), vec![t("<b>not html</b>")]);
    }

    #[test]
    fn links_and_mentions_inside_emphasis_but_not_code() {
        assert_eq!(
            inlines("*see https://x.org* `@ann` @bob"),
            vec![
                Emphasis(vec![t("see "), Link("https://x.org".into())]),
                t(" "),
                Code("@ann".into()),
                t(" "),
                Mention("@bob".into()),
            ]
        );
    }

    #[test]
    fn blocks_of_quotes_code_and_paragraphs() {
        let body = "hello\nthere\n> quoted **loud**\n> on\n```\nlet x = 1;\n  *raw*\n```\nbye";
        assert_eq!(
            blocks(body),
            vec![
                Block::Paragraph(vec![t("hello"), LineBreak, t("there")]),
                Block::Quote(vec![
                    t("quoted "),
                    Strong(vec![t("loud")]),
                    LineBreak,
                    t("on")
                ]),
                Block::Code("let x = 1;\n  *raw*".into()),
                Block::Paragraph(vec![t("bye")]),
            ]
        );
        // An unclosed fence is text.
        assert_eq!(
            blocks("```\nno end"),
            vec![Block::Paragraph(vec![t("```"), LineBreak, t("no end")])]
        );
        assert_eq!(
            mentions_in(&blocks("@ann\n```\n@bob\n```\n> @cat")),
            vec!["@ann", "@cat"]
        );
    }

    #[test]
    fn finds_mentions() {
        assert_eq!(mentions("hi @Ann and @bob_1."), vec!["ann", "bob_1"]);
        assert_eq!(mentions("@ann @ANN"), vec!["ann"]);
        assert!(mentions("mail me at x@example.org").is_empty());
        assert!(mentions("@ab is too short, @ alone too").is_empty());
        assert_eq!(mentions("(@carol)"), vec!["carol"]);
    }

    #[test]
    fn stops_at_the_cap() {
        let body: String = (0..30).map(|n| format!("@user{n:02} ")).collect();
        let found = mentions(&body);
        assert_eq!(found.len(), MENTIONS_MAX);
        assert_eq!(found[0], "user00");
    }
}
