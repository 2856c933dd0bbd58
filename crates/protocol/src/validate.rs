//! Parse, don't validate: newtypes that can only hold acceptable input.
//!
//! Each `parse` returns a message fit to show to a user; the server turns it
//! into a 422 and the web app shows it beside the form field.

use crate::limits::*;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid<T>(msg: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(msg.into()))
}

macro_rules! text_newtype {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_newtype!(Username);
text_newtype!(Password);
text_newtype!(DisplayName);
text_newtype!(RoomName);
text_newtype!(MessageBody);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let len = raw.chars().count();
        if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
            return invalid(format!(
                "username must be {USERNAME_MIN} to {USERNAME_MAX} characters"
            ));
        }
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return invalid("username may contain only letters, digits, '_', '.' and '-'");
        }
        Ok(Self(raw.to_owned()))
    }

    /// The case-insensitive identity of a username.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let len = raw.chars().count();
        if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&len) {
            return invalid(format!(
                "password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// Characters that change how the text around them is shown without being
/// seen themselves: zero-width spaces and joiners, direction marks,
/// embeddings, overrides and isolates, the word joiner and invisible
/// operators, the byte-order mark. In a name they serve only to impersonate
/// ("evil\u{202e}gnp.exe" shows as "evilexe.png").
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FEFF}'
        | '\u{FFA0}'
    )
}

/// Trims, then checks that 1..=max characters remain and none is a control
/// character (they break layouts and logs) or an invisible one.
fn bounded_line(raw: &str, what: &str, max: usize) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if len == 0 {
        return invalid(format!("{what} must not be empty"));
    }
    if len > max {
        return invalid(format!("{what} must be at most {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return invalid(format!("{what} must not contain control characters"));
    }
    if trimmed.chars().any(is_invisible_format) {
        return invalid(format!(
            "{what} must not contain invisible or direction-changing characters"
        ));
    }
    Ok(trimmed.to_owned())
}

/// Text of several lines (a message, a bio) keeps newlines and tabs; any
/// other control character (NUL above all: PostgreSQL cannot store it in
/// text) is refused.
fn no_stray_controls(text: &str, what: &str) -> Result<(), Invalid> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return invalid(format!("{what} must not contain control characters"));
    }
    Ok(())
}

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded_line(raw, "display name", DISPLAY_NAME_MAX).map(Self)
    }
}

impl RoomName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded_line(raw, "room name", ROOM_NAME_MAX).map(Self)
    }
}

impl MessageBody {
    /// Bodies keep inner newlines; only the ends are trimmed.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return invalid("message must not be empty");
        }
        if len > MESSAGE_BODY_MAX {
            return invalid(format!(
                "message must be at most {MESSAGE_BODY_MAX} characters"
            ));
        }
        no_stray_controls(trimmed, "message")?;
        Ok(Self(trimmed.to_owned()))
    }
}

/// A room topic: may be empty, one line.
pub fn topic(raw: &str) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > ROOM_TOPIC_MAX {
        return invalid(format!("topic must be at most {ROOM_TOPIC_MAX} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return invalid("topic must not contain control characters");
    }
    Ok(trimmed.to_owned())
}

pub fn bio(raw: &str) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > BIO_MAX {
        return invalid(format!("bio must be at most {BIO_MAX} characters"));
    }
    no_stray_controls(trimmed, "bio")?;
    Ok(trimmed.to_owned())
}

pub fn interests(raw: &[String]) -> Result<Vec<String>, Invalid> {
    if raw.len() > INTERESTS_MAX {
        return invalid(format!("at most {INTERESTS_MAX} interests"));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for item in raw {
        let item = bounded_line(item, "interest", INTEREST_MAX)?;
        if !out.iter().any(|seen| seen.eq_ignore_ascii_case(&item)) {
            out.push(item);
        }
    }
    Ok(out)
}

/// An avatar is an `http(s)://` URL or a path on this server.
pub fn avatar_url(raw: &str) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    let scheme_ok = ["http://", "https://"]
        .iter()
        // `get`, not indexing: the text may have a multi-byte character
        // where the scheme would end.
        .any(|p| {
            trimmed.len() > p.len()
                && trimmed
                    .get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
        });
    let path_ok = trimmed.starts_with('/') && !trimmed.starts_with("//");
    if !(scheme_ok || path_ok) {
        return invalid("avatar_url must be an http(s):// URL or a path beginning with /");
    }
    if raw.chars().count() > URL_MAX || trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return invalid("avatar_url is not a valid URL");
    }
    Ok(trimmed.to_owned())
}

pub fn email(raw: &str) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    let valid = raw.chars().count() <= EMAIL_MAX
        && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
        && trimmed.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        return invalid("email is not a valid address");
    }
    Ok(trimmed.to_owned())
}

/// A client-chosen idempotency key for a message send.
pub fn client_id(raw: &str) -> Result<String, Invalid> {
    let len = raw.chars().count();
    if len == 0 || len > CLIENT_ID_MAX || raw.chars().any(char::is_control) {
        return invalid(format!("client_id must be 1 to {CLIENT_ID_MAX} characters"));
    }
    Ok(raw.to_owned())
}

/// One emoji, as a reaction: a single emoji with its modifiers (skin tone,
/// presentation selector), a keycap, a flag, or one sequence joined by
/// zero-width joiners; nothing else, so a reaction can never carry text.
pub fn emoji(raw: &str) -> Result<String, Invalid> {
    let refuse = || {
        invalid(format!(
            "a reaction is one emoji of at most {EMOJI_MAX_BYTES} bytes"
        ))
    };
    if raw.is_empty() || raw.len() > EMOJI_MAX_BYTES {
        return refuse();
    }
    match emoji_count(raw) {
        Some(1) => Ok(raw.to_owned()),
        _ => refuse(),
    }
}

/// How many emoji `text` holds, or `None` if it holds anything else.
fn emoji_count(text: &str) -> Option<usize> {
    let (mut count, mut joined, mut half_flag, mut keycap_base) = (0, false, false, false);
    for c in text.chars() {
        match c {
            '\u{200D}' => joined = true,
            // Presentation selectors, skin tones and subdivision-flag tags
            // modify what came before.
            '\u{FE0E}' | '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0020}'..='\u{E007F}' => {
                if count == 0 {
                    return None;
                }
            }
            '\u{20E3}' if keycap_base => keycap_base = false,
            // Two regional indicators make one flag.
            '\u{1F1E6}'..='\u{1F1FF}' => {
                if half_flag {
                    half_flag = false;
                } else {
                    count += 1;
                    half_flag = true;
                }
            }
            '0'..='9' | '#' | '*' if !joined => {
                count += 1;
                keycap_base = true;
            }
            '\u{00A9}'
            | '\u{00AE}'
            | '\u{203C}'
            | '\u{2049}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2194}'..='\u{21AA}'
            | '\u{231A}'..='\u{23FF}'
            | '\u{24C2}'
            | '\u{25AA}'..='\u{25FE}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2934}'..='\u{2935}'
            | '\u{2B05}'..='\u{2B55}'
            | '\u{3030}'
            | '\u{303D}'
            | '\u{3297}'
            | '\u{3299}'
            | '\u{1F000}'..='\u{1FAFF}' => {
                if !joined {
                    count += 1;
                }
                joined = false;
                half_flag = false;
            }
            _ => return None,
        }
    }
    // A keycap base with no keycap is a plain digit, and a lone regional
    // indicator or a dangling joiner is no emoji.
    (!keycap_base && !half_flag && !joined).then_some(count)
}

/// A search query: control characters match nothing anyone wrote (and
/// PostgreSQL refuses NUL outright), so they are dropped rather than refused.
pub fn search_query(raw: &str) -> Result<String, Invalid> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
    let trimmed = cleaned.trim();
    // Counted as sent, so that the limit is one a schema can state.
    if raw.chars().count() > SEARCH_QUERY_MAX {
        return invalid(format!(
            "a search query must be at most {SEARCH_QUERY_MAX} characters"
        ));
    }
    Ok(trimmed.to_owned())
}

/// A bot's description: may be empty, several lines.
pub fn description(raw: &str) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > DESCRIPTION_MAX {
        return invalid(format!(
            "description must be at most {DESCRIPTION_MAX} characters"
        ));
    }
    no_stray_controls(trimmed, "description")?;
    Ok(trimmed.to_owned())
}

/// The name of a token or a webhook: one line.
pub fn label(raw: &str) -> Result<String, Invalid> {
    bounded_line(raw, "name", LABEL_MAX)
}

/// Where an outgoing webhook calls: `http(s)://`, a host name whose last
/// label starts with a letter (no address literals: the server resolves
/// names and refuses private addresses), an optional port, and a path of
/// URL characters. Exactly [`crate::patterns::WEBHOOK_URL`].
pub fn webhook_url(raw: &str) -> Result<String, Invalid> {
    let refuse = || invalid("url must be an http:// or https:// URL naming a host");
    if raw.chars().count() > URL_MAX {
        return invalid(format!("url must be at most {URL_MAX} characters"));
    }
    let lower = raw
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rest = if lower.starts_with("https://") {
        &raw[8..]
    } else if lower.starts_with("http://") {
        &raw[7..]
    } else {
        return refuse();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        (1..=63).contains(&b.len())
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
    };
    let last_ok = labels
        .last()
        .is_some_and(|l| l.as_bytes().first().is_some_and(u8::is_ascii_alphabetic));
    if !labels.iter().all(|l| label_ok(l)) || !last_ok {
        return refuse();
    }
    if let Some(port) = port {
        // Five digits start 1 to 6, as the pattern has them.
        let digits = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|c| c.is_ascii_digit())
            && !(port.len() == 5 && port.starts_with('0'));
        if !digits || port.parse::<u32>().map_or(true, |p| p > 65535) {
            return invalid("url has a port that is not from 0 to 65535");
        }
    }
    let path_ok = path
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/?#".contains(&c));
    if !path_ok {
        return invalid("url must not contain spaces or characters outside URLs");
    }
    Ok(raw.to_owned())
}

pub fn reason(raw: &str) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > REASON_MAX {
        return invalid(format!("reason must be at most {REASON_MAX} characters"));
    }
    no_stray_controls(trimmed, "reason")?;
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaction_is_exactly_one_emoji() {
        for ok in ["👍", "👍🏽", "❤️", "🇫🇷", "1️⃣", "👨‍👩‍👧", "🏳️‍🌈", "©️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]
        {
            assert_eq!(emoji(ok).as_deref(), Ok(ok), "{ok:?} is one emoji");
        }
        for bad in [
            "",
            "a",
            "1",
            "👍👍",
            "🇫",
            "🇫🇷🇩🇪",
            "👍 ",
            " 👍",
            "\u{200D}👍",
            "👍\u{200D}",
            "\u{FE0F}",
            "\u{3000}",
            "\u{2066}👍",
            "<b>",
            "👍a",
        ] {
            assert!(emoji(bad).is_err(), "{bad:?} is refused");
        }
        assert!(emoji(&"👍".repeat(9)).is_err(), "too long");
    }

    #[test]
    fn usernames() {
        assert!(Username::parse("bob").is_ok());
        assert!(Username::parse("A.b_c-9").is_ok());
        assert!(Username::parse(&"x".repeat(32)).is_ok());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"x".repeat(33)).is_err());
        assert!(Username::parse("bob smith").is_err());
        assert!(Username::parse("bøb").is_err());
        assert!(Username::parse("bob@home").is_err());
        assert_eq!(Username::parse("BoB").map(|u| u.key()), Ok("bob".into()));
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse(&"p".repeat(128)).is_ok());
        assert!(Password::parse(&"p".repeat(129)).is_err());
        // counted in characters, not bytes
        assert!(Password::parse("ééééééé").is_err());
        assert!(Password::parse("éééééééé").is_ok());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Ann ").map(|d| d.into_inner()),
            Ok("Ann".into())
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"n".repeat(65)).is_err());
        assert!(DisplayName::parse("a\u{7}b").is_err());
        assert!(RoomName::parse("").is_err());
        assert!(RoomName::parse(&"r".repeat(64)).is_ok());
        assert!(RoomName::parse(&"r".repeat(65)).is_err());
    }

    #[test]
    fn message_bodies() {
        assert_eq!(
            MessageBody::parse("  hi\nthere  ").map(|b| b.into_inner()),
            Ok("hi\nthere".into())
        );
        assert!(MessageBody::parse(" \n\t ").is_err());
        assert!(MessageBody::parse(&"m".repeat(4000)).is_ok());
        assert!(MessageBody::parse(&"m".repeat(4001)).is_err());
        let padded = format!("   {}   ", "m".repeat(4000));
        assert!(MessageBody::parse(&padded).is_ok());
    }

    #[test]
    fn avatar_urls() {
        assert!(avatar_url("https://example.org/a.png").is_ok());
        assert!(avatar_url("/static/a.png").is_ok());
        assert!(avatar_url("javascript:alert(1)").is_err());
        assert!(avatar_url("//evil.example/a.png").is_err());
        assert!(avatar_url("ftp://x/y").is_err());
        // A multi-byte character across the end of where a scheme would be
        // (found by the generated-input suite: it was a panic, a 500).
        assert!(avatar_url("ￍѨÉȺ=𞹝{<Ѩ").is_err());
        assert!(avatar_url("httpȺ://x").is_err());
        assert!(avatar_url("https://").is_err());
    }

    #[test]
    fn emails_and_interests() {
        assert!(email("a@b.org").is_ok());
        assert!(email("a@b").is_err());
        assert!(email("@b.org").is_err());
        assert_eq!(
            interests(&["Rust".into(), "rust".into(), " Go ".into()]),
            Ok(vec!["Rust".to_string(), "Go".to_string()])
        );
        assert!(interests(&["".into()]).is_err());
        assert!(interests(&vec!["x".to_string(); 21]).is_err());
    }

    #[test]
    fn invisible_and_control_characters() {
        assert!(DisplayName::parse("evil\u{202e}gnp.exe").is_err());
        assert!(DisplayName::parse("a\u{200b}b").is_err());
        assert!(RoomName::parse("\u{feff}room").is_err());
        assert!(DisplayName::parse("שלום").is_ok());
        assert!(MessageBody::parse("a\u{0}b").is_err());
        assert!(MessageBody::parse("line\n\tindented").is_ok());
        assert!(bio("a\u{0}").is_err());
        assert!(topic("a\u{0}").is_err());
        assert_eq!(search_query(" al\u{0}ice "), Ok("alice".to_owned()));
        assert_eq!(search_query("\u{0}"), Ok(String::new()));
    }

    #[test]
    fn client_ids() {
        assert!(client_id("abc-123").is_ok());
        assert!(client_id("").is_err());
        assert!(client_id(&"c".repeat(65)).is_err());
    }
}
