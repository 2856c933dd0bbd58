//! The rules of [`crate::validate`] as regular expressions, for the OpenAPI
//! document: a client (or a schemathesis run) reading the schema knows
//! exactly which strings the server takes.
//!
//! They are written for both dialects that read them: ECMA-262 with the `u`
//! flag (JSON Schema) and Python's `re` (schemathesis). Hence no `\s` or
//! `\p{…}`, whose meanings differ, and no inline flags: every class is
//! spelled out, and characters beyond the Basic Multilingual Plane appear as
//! themselves. The server's tests check each against its rule, sample by
//! sample.

/// Characters `str::trim` removes: Unicode White_Space.
macro_rules! space {
    () => {
        "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000"
    };
}

/// Control characters (general category Cc), what `char::is_control` finds.
macro_rules! control {
    () => {
        "\\u0000-\\u001F\\u007F-\\u009F"
    };
}

/// Control characters other than tab, newline and carriage return: what
/// text of several lines may not hold.
macro_rules! stray_control {
    () => {
        "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F"
    };
}

/// What [`crate::validate::is_invisible_format`] finds.
macro_rules! invisible {
    () => {
        "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\u3164\\uFEFF\\uFFA0"
    };
}

/// A username: letters, digits, `_`, `.` and `-` (the length is the
/// schema's `minLength`/`maxLength`).
pub const USERNAME: &str = "^[A-Za-z0-9_.-]*$";

/// `max` characters at most of `allowed` around an end of `edge` on either
/// side, or a single `edge`: trimmed text that starts and ends with a
/// character that is not a space.
fn core(edge: &str, allowed: &str, max: usize) -> String {
    let inner = max.saturating_sub(2);
    format!("[^{edge}](?:[^{allowed}]{{0,{inner}}}[^{edge}])?")
}

/// Text that is `max` characters at most once trimmed, and not blank
/// (`optional`: may be), with none of `refused` in what remains.
fn trimmed(refused: &str, max: usize, optional: bool) -> String {
    let space = space!();
    let core = core(&format!("{space}{refused}"), refused, max);
    let core = if optional {
        format!("(?:{core})?")
    } else {
        core
    };
    format!("^[{space}]*{core}[{space}]*$")
}

/// One line, not blank and `max` characters at most once trimmed, with no
/// control or invisible character in what remains: display names, room
/// names, interests.
pub fn line(max: usize) -> String {
    trimmed(concat!(control!(), invisible!()), max, false)
}

/// One line that may be blank, with no control character once trimmed: a
/// room topic.
pub fn optional_line(max: usize) -> String {
    trimmed(control!(), max, true)
}

/// Text of several lines, not blank and `max` characters at most once
/// trimmed, with no control character but tab, newline and carriage return
/// in what remains: a message.
pub fn text(max: usize) -> String {
    trimmed(stray_control!(), max, false)
}

/// Text of several lines that may be blank: a bio, a reason, the body of a
/// message that carries attachments.
pub fn optional_text(max: usize) -> String {
    trimmed(stray_control!(), max, true)
}

/// An avatar: an `http(s)://` URL or a path on this server (not `//`), with
/// no space or control character; blank clears it. (The length is the
/// schema's `maxLength`.)
pub const AVATAR_URL: &str = concat!(
    "^[",
    space!(),
    "]*",
    "(?:[hH][tT][tT][pP]://[^",
    space!(),
    control!(),
    "]+",
    "|[hH][tT][tT][pP][sS]://[^",
    space!(),
    control!(),
    "]+",
    "|/(?:[^/",
    space!(),
    control!(),
    "][^",
    space!(),
    control!(),
    "]*)?",
    ")?",
    "[",
    space!(),
    "]*$"
);

/// An outgoing webhook's URL, as [`crate::validate::webhook_url`] takes it
/// (the length is the schema's `maxLength`).
pub const WEBHOOK_URL: &str = concat!(
    "^[hH][tT][tT][pP](?:[sS])?://",
    "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*",
    "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
    "(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    "(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*)?$"
);

/// An email address: something, `@`, then a domain with a dot that neither
/// starts nor ends it; blank clears it.
pub const EMAIL: &str = concat!(
    "^[",
    space!(),
    "]*",
    "(?:[^@",
    space!(),
    control!(),
    "]+@",
    "[^.",
    space!(),
    control!(),
    "][^",
    space!(),
    control!(),
    "]*\\.",
    "[^",
    space!(),
    control!(),
    "]*[^.",
    space!(),
    control!(),
    "])?",
    "[",
    space!(),
    "]*$"
);

/// A client's idempotency key: no control character.
pub const CLIENT_ID: &str = concat!("^[^", control!(), "]*$");

/// The emoji that may start a reaction (regional indicators and skin tones
/// are left out: they only pair with or modify one).
macro_rules! emoji_base {
    () => {
        "[\\u00A9\\u00AE\\u203C\\u2049\\u2122\\u2139\\u2194-\\u21AA\\u231A-\\u23FF\\u24C2\\u25AA-\\u25FE\\u2600-\\u27BF\\u2934\\u2935\\u2B05-\\u2B55\\u3030\\u303D\\u3297\\u3299\u{1F000}-\u{1F1E5}\u{1F200}-\u{1F3FA}\u{1F400}-\u{1FAFF}]"
    };
}

/// An emoji and at most one modifier (a presentation selector or a skin
/// tone).
macro_rules! emoji_unit {
    () => {
        concat!(emoji_base!(), "[\\uFE0E\\uFE0F\u{1F3FB}-\u{1F3FF}]?")
    };
}

/// A reaction: one emoji with its modifier, up to three joined by zero-width
/// joiners, a flag, or a keycap. (The server also takes the rarer longer
/// sequences, such as subdivision flags, up to 32 bytes.)
pub const EMOJI: &str = concat!(
    "^(?:",
    emoji_unit!(),
    "(?:\\u200D",
    emoji_unit!(),
    "){0,2}",
    "|[\u{1F1E6}-\u{1F1FF}]{2}",
    "|[0-9#*][\\uFE0E\\uFE0F]?\\u20E3",
    ")$"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::*;
    use crate::validate::{self, DisplayName, MessageBody, RoomName, Username};
    use regex::Regex;

    /// Characters that sit on the edges of the rules: letters, spaces that
    /// trim (one of them a control character), controls that do not, an
    /// invisible one, and the marks of URLs and addresses.
    const ALPHABET: [char; 14] = [
        'a',
        ' ',
        '\t',
        '\n',
        '\u{85}',
        '\u{3000}',
        '\u{7}',
        '\u{200B}',
        '/',
        '@',
        '.',
        'h',
        '\u{1F44D}',
        '\u{FE0F}',
    ];

    /// Every string of up to `len` characters of [`ALPHABET`].
    fn every_string(len: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|s| ALPHABET.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// Strings around `max` characters: as long as allowed and one more,
    /// bare and padded with spaces that trim.
    fn around(max: usize) -> Vec<String> {
        let mut out = Vec::new();
        for n in [max - 1, max, max + 1] {
            let core = "x".repeat(n);
            out.extend([
                core.clone(),
                format!("  {core}\n"),
                format!("\t{core}"),
                format!("x{}x", " ".repeat(n.saturating_sub(2))),
            ]);
        }
        out
    }

    /// The pattern takes exactly what the rule takes, on every sample.
    fn agree(pattern: &str, samples: &[String], rule: impl Fn(&str) -> bool) {
        let re = Regex::new(pattern).expect("the pattern compiles");
        for sample in samples {
            assert_eq!(
                re.is_match(sample),
                rule(sample),
                "pattern and rule disagree on {sample:?}"
            );
        }
    }

    fn samples(max: usize) -> Vec<String> {
        let mut all = every_string(4);
        all.extend(around(max));
        all
    }

    #[test]
    fn lines_are_stated_exactly() {
        agree(&line(DISPLAY_NAME_MAX), &samples(DISPLAY_NAME_MAX), |s| {
            DisplayName::parse(s).is_ok()
        });
        agree(&line(ROOM_NAME_MAX), &samples(ROOM_NAME_MAX), |s| {
            RoomName::parse(s).is_ok()
        });
        agree(&line(INTEREST_MAX), &samples(INTEREST_MAX), |s| {
            validate::interests(&[s.to_owned()]).is_ok()
        });
        agree(
            &optional_line(ROOM_TOPIC_MAX),
            &samples(ROOM_TOPIC_MAX),
            |s| validate::topic(s).is_ok(),
        );
    }

    #[test]
    fn texts_are_stated_exactly() {
        agree(&text(MESSAGE_BODY_MAX), &samples(MESSAGE_BODY_MAX), |s| {
            MessageBody::parse(s).is_ok()
        });
        agree(&optional_text(BIO_MAX), &samples(BIO_MAX), |s| {
            validate::bio(s).is_ok()
        });
        agree(&optional_text(REASON_MAX), &samples(REASON_MAX), |s| {
            validate::reason(s).is_ok()
        });
    }

    #[test]
    fn urls_addresses_names_and_keys_are_stated_exactly() {
        let within = |s: &str, max: usize| s.chars().count() <= max;
        let blank_or = |s: &str, rule: fn(&str) -> Result<String, validate::Invalid>| {
            s.trim().is_empty() || rule(s).is_ok()
        };
        let mut urls = every_string(4);
        urls.extend(
            [
                "http://",
                "https://",
                "HTTPS://x",
                "http://x y",
                "https:/",
                "//x",
                "/",
                "ftp://x",
            ]
            .map(String::from),
        );
        agree(AVATAR_URL, &urls, |s| blank_or(s, validate::avatar_url));
        let mut addresses = every_string(4);
        addresses.extend(
            [
                "a@b.c", "a@.b", "a@b.", "@b.c", "a@b@c.d", "a b@c.d", " a@b.c ", "a@bc", "a@b..c",
            ]
            .map(String::from),
        );
        agree(EMAIL, &addresses, |s| blank_or(s, validate::email));
        // The pattern and `minLength`/`maxLength` together state these.
        let sized = |samples: Vec<String>, min: usize, max: usize| -> Vec<String> {
            let fits = |s: &String| (min..=max).contains(&s.chars().count());
            samples.into_iter().filter(fits).collect()
        };
        let mut names = every_string(3);
        names.extend(["Ann", "a.b_c-9", "bøb", "bob smith"].map(String::from));
        let names = sized(names, USERNAME_MIN, USERNAME_MAX);
        agree(USERNAME, &names, |s| Username::parse(s).is_ok());
        let keys = sized(every_string(3), 1, CLIENT_ID_MAX);
        agree(CLIENT_ID, &keys, |s| validate::client_id(s).is_ok());
        // The lengths these leave to `maxLength` count what was sent.
        assert!(validate::avatar_url(&format!("/{}", "x".repeat(URL_MAX - 1))).is_ok());
        assert!(validate::avatar_url(&format!(" /{}", "x".repeat(URL_MAX - 1))).is_err());
        assert!(within("a@b.c", EMAIL_MAX));
    }

    #[test]
    fn every_reaction_the_pattern_takes_is_one_emoji() {
        let re = Regex::new(EMOJI).expect("the pattern compiles");
        let stated = [
            "👍",
            "👍🏽",
            "❤️",
            "🇫🇷",
            "1️⃣",
            "#⃣",
            "👨‍👩‍👧",
            "🏳️‍🌈",
            "©️",
            "🧑🏽‍💻",
            "☺",
        ];
        for ok in stated {
            assert!(re.is_match(ok), "{ok:?} is in the pattern");
            assert!(validate::emoji(ok).is_ok(), "{ok:?} is one emoji");
        }
        let mut others = every_string(3);
        others.extend(
            [
                "👍👍",
                "🇫",
                "🇫🇷🇩🇪",
                "\u{200D}👍",
                "👍\u{200D}",
                "\u{FE0F}",
                "🏽",
                "1",
                "a",
            ]
            .map(String::from),
        );
        for sample in &others {
            if re.is_match(sample) {
                assert!(validate::emoji(sample).is_ok(), "{sample:?} is taken");
            }
        }
        // The longest the pattern takes fits the byte limit.
        let longest = "🧑🏽\u{200D}🧑🏽\u{200D}🧑🏽";
        assert!(re.is_match(longest));
        assert!(longest.len() <= EMOJI_MAX_BYTES);
    }

    #[test]
    fn webhook_urls_are_stated_exactly() {
        let mut samples: Vec<String> = [
            "http://a",
            "https://example.com",
            "HTTPS://Example.COM/x?y=1#z",
            "http://a.b.c:8080/path",
            "http://a:0",
            "http://a:65535",
            "http://a:65536",
            "http://a:00080",
            "http://a:0080",
            "http://a:",
            "http://1.2.3.4/",
            "http://a.1",
            "http://1a.b",
            "http://-a.b",
            "http://a-.b",
            "http://a..b",
            "http://.a",
            "http://a./",
            "ftp://a",
            "http://",
            "http:///x",
            "http://a b",
            "http://a/ b",
            "http://a/\u{e9}",
            "http://\u{e9}.com",
            "http://a?x",
            "http://a#x",
            "http://user@a",
            "http://a/%zz",
            " http://a",
            "http://a ",
            "http://a\n",
            "http://a:8080x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        samples.push(format!("http://{}", "a".repeat(63)));
        samples.push(format!("http://{}", "a".repeat(64)));
        samples.extend(every_string(3).iter().map(|s| format!("http://a{s}")));
        agree(WEBHOOK_URL, &samples, |s| validate::webhook_url(s).is_ok());
    }
}
