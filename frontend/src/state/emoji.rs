//! Finding emoji by words: the reaction picker's search and the composer's
//! `:shortcode:` completion. The emoji themselves (names, GitHub shortcodes,
//! groups) come from the Unicode CLDR tables of the `emojis` crate, written
//! into a compact table by `build.rs`.

/// One emoji, in its default skin tone.
pub struct Emoji {
    pub glyph: &'static str,
    /// Its CLDR name, lowercase ("party popper").
    pub name: &'static str,
    /// Its GitHub shortcodes, without colons (`tada`).
    pub shortcodes: &'static [&'static str],
    /// Its place in [`groups`].
    pub group: u8,
    /// It in each of the skin tones after the default (see [`TONES`]);
    /// empty for emoji without skin.
    pub tones: &'static [&'static str],
}

/// The skin tones one can choose for emoji with skin, the default yellow
/// first: an index of this is a tone.
pub const TONES: [&str; 6] = [
    "Default skin tone",
    "Light skin tone",
    "Medium-light skin tone",
    "Medium skin tone",
    "Medium-dark skin tone",
    "Dark skin tone",
];

/// Every emoji, in the order of the CLDR (the picker's order).
pub static ALL: &[Emoji] = include!(concat!(env!("OUT_DIR"), "/emoji_table.rs"));

impl Emoji {
    fn shortcodes(&self) -> impl Iterator<Item = &'static str> {
        self.shortcodes.iter().copied()
    }

    /// Its first shortcode.
    pub fn shortcode(&self) -> Option<&'static str> {
        self.shortcodes.first().copied()
    }

    /// It in skin tone `tone` (an index of [`TONES`]): itself when it has
    /// no skin, or when the toned sequence is longer than one reaction may
    /// be (a family of several people).
    pub fn in_tone(&self, tone: usize) -> &'static str {
        tone.checked_sub(1)
            .and_then(|i| self.tones.get(i))
            .copied()
            .filter(|toned| protocol::validate::emoji(toned).is_ok())
            .unwrap_or(self.glyph)
    }
}

/// The emoji `glyph` (in any of its tones), if it is one of the table.
pub fn find(glyph: &str) -> Option<&'static Emoji> {
    ALL.iter()
        .find(|e| e.glyph == glyph || e.tones.contains(&glyph))
}

/// What the tone chooser shows for tone `tone`: a raised hand in it.
pub fn tone_sample(tone: usize) -> &'static str {
    find("✋").map_or("✋", |hand| hand.in_tone(tone))
}

fn by_shortcode(code: &str) -> Option<&'static Emoji> {
    ALL.iter().find(|e| e.shortcodes().any(|c| c == code))
}

/// The emoji of group `group` (an index of [`groups`]).
pub fn in_group(group: u8) -> impl Iterator<Item = &'static Emoji> {
    ALL.iter().filter(move |e| e.group == group)
}

/// How well an emoji answers a search, best first (derives `Ord`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    /// A shortcode is exactly what was typed (`tada`).
    Exact,
    /// A shortcode starts with it (`tad`).
    ShortcodeStart,
    /// Every word typed starts a word of the name or of a shortcode.
    Words,
}

/// The words of `text`, lowercased: names split on spaces, shortcodes on `_`.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || matches!(c, '_' | '-' | ':' | ','))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn fit(emoji: &Emoji, query: &str, typed: &[String]) -> Option<Fit> {
    if emoji.shortcodes().any(|s| s == query) {
        return Some(Fit::Exact);
    }
    if emoji.shortcodes().any(|s| s.starts_with(query)) {
        return Some(Fit::ShortcodeStart);
    }
    let known: Vec<String> = words(emoji.name)
        .chain(emoji.shortcodes().flat_map(words))
        .collect();
    typed
        .iter()
        .all(|t| known.iter().any(|k| k.starts_with(t.as_str())))
        .then_some(Fit::Words)
}

/// The emoji whose name or shortcode starts with every word of `query`,
/// best first (an exact shortcode, then a shortcode's start, then the
/// rest in the picker's order), at most `limit`. An empty query finds
/// nothing: the picker then shows every group.
pub fn search(query: &str, limit: usize) -> Vec<&'static Emoji> {
    let query = query.trim().trim_matches(':').to_lowercase();
    let typed: Vec<String> = words(&query).collect();
    if typed.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(Fit, usize, &'static Emoji)> = ALL
        .iter()
        .enumerate()
        .filter_map(|(order, e)| fit(e, &query, &typed).map(|f| (f, order, e)))
        .collect();
    found.sort_by_key(|(f, order, _)| (*f, *order));
    found.into_iter().take(limit).map(|(.., e)| e).collect()
}

/// The picker's tabs: each group's index, its name and the emoji on its
/// tab, in the order of the CLDR (and of `emojis::Group`, which `build.rs`
/// numbers).
pub fn groups() -> impl Iterator<Item = (u8, &'static str, &'static str)> {
    [
        ("Smileys and emotion", "😀"),
        ("People and body", "👋"),
        ("Animals and nature", "🐻"),
        ("Food and drink", "🍔"),
        ("Travel and places", "✈️"),
        ("Activities", "⚽"),
        ("Objects", "💡"),
        ("Symbols", "🔣"),
        ("Flags", "🏁"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (name, icon))| (i as u8, name, icon))
}

/// What the picker calls an emoji: its name, capitalised ("Party popper").
pub fn label(emoji: &Emoji) -> String {
    crate::state::sentence(emoji.name)
}

/// The `:code` being typed at the end of `text`, without its colon: at
/// least two letters after a colon that starts a word (`10:30` and `a:b`
/// are not shortcodes).
pub fn typed_shortcode(text: &str) -> Option<&str> {
    let word = text.rsplit(char::is_whitespace).next()?;
    let code = word.strip_prefix(':')?;
    (code.len() >= 2
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | '-')))
    .then_some(code)
}

/// `text` with its trailing `:code` replaced by `emoji` and a space.
pub fn completed(text: &str, emoji: &str) -> String {
    let typed = typed_shortcode(text).map_or(0, |t| t.len() + 1);
    format!("{}{emoji} ", &text[..text.len() - typed])
}

/// `text` with a `:code:` just closed at its end replaced by its emoji in
/// skin tone `tone`, when the code is known (`:tada:` becomes 🎉); `None`
/// otherwise.
pub fn closed_shortcode(text: &str, tone: usize) -> Option<String> {
    let open = text.strip_suffix(':')?;
    let code = typed_shortcode(open)?;
    let emoji = by_shortcode(code)?;
    Some(format!(
        "{}{}",
        &open[..open.len() - code.len() - 1],
        emoji.in_tone(tone)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(query: &str) -> Vec<&'static str> {
        search(query, 8).into_iter().map(|e| e.glyph).collect()
    }

    #[test]
    fn search_puts_the_exact_shortcode_first_then_its_prefixes_then_names() {
        assert_eq!(found("tada").first(), Some(&"🎉"));
        assert_eq!(found(":tada:").first(), Some(&"🎉"));
        assert_eq!(found("thumbsup").first(), Some(&"👍"));
        // A word of the name, typed in part and in any case.
        assert!(found("Party").contains(&"🎉"));
        assert!(found("pop part").contains(&"🎉"));
        // Every word must match.
        assert!(!found("party zebra").contains(&"🎉"));
        assert!(found("").is_empty());
        assert!(found("   ").is_empty());
        assert!(found("zzzzqq").is_empty());
        assert!(search("a", 5).len() <= 5);
    }

    #[test]
    fn every_emoji_offered_is_one_the_server_takes_as_a_reaction() {
        assert!(ALL.len() > 1800, "the whole table, {} emoji", ALL.len());
        for emoji in ALL {
            for (tone, tone_name) in TONES.iter().enumerate() {
                assert!(
                    protocol::validate::emoji(emoji.in_tone(tone)).is_ok(),
                    "{} ({}, {tone_name}) would be refused",
                    emoji.in_tone(tone),
                    emoji.name,
                );
            }
        }
        // Every group has a tab, and every tab has emoji.
        for (group, name, _) in groups() {
            assert!(in_group(group).count() > 0, "{name} is empty");
        }
        assert!(ALL.iter().all(|e| usize::from(e.group) < groups().count()));
    }

    #[test]
    fn a_shortcode_is_typed_after_a_colon_that_starts_a_word() {
        assert_eq!(typed_shortcode("hi :ta"), Some("ta"));
        assert_eq!(typed_shortcode(":+1"), Some("+1"));
        assert_eq!(typed_shortcode("hi :t"), None);
        assert_eq!(typed_shortcode("at 10:30"), None);
        assert_eq!(typed_shortcode("hi :ta "), None);
        assert_eq!(typed_shortcode("hi :Ta"), None);
        assert_eq!(completed("hi :ta", "🎉"), "hi 🎉 ");
        assert_eq!(closed_shortcode("hi :tada:", 0).as_deref(), Some("hi 🎉"));
        assert_eq!(closed_shortcode("hi :tada:", 3).as_deref(), Some("hi 🎉"));
        assert_eq!(closed_shortcode("ok :+1:", 3).as_deref(), Some("ok 👍🏽"));
        assert_eq!(closed_shortcode("hi :nope_not_one:", 0), None);
        assert_eq!(closed_shortcode("at 10:30:", 0), None);
        assert_eq!(closed_shortcode("hi :tada", 0), None);
    }

    #[test]
    fn an_emoji_with_skin_comes_in_each_tone_and_is_found_in_any() {
        let thumbs = find("👍").expect("in the table");
        assert_eq!(thumbs.in_tone(0), "👍");
        assert_eq!(thumbs.in_tone(1), "👍🏻");
        assert_eq!(thumbs.in_tone(5), "👍🏿");
        assert_eq!(thumbs.in_tone(6), "👍", "no such tone: the default");
        assert_eq!(find("👍🏾").map(|e| e.glyph), Some("👍"));
        let party = find("🎉").expect("in the table");
        assert_eq!(party.in_tone(4), "🎉", "no skin, no tone");
        assert_eq!(tone_sample(2), "✋🏼");
        let toned = ALL.iter().filter(|e| e.tones.len() == 5).count();
        assert!(toned > 250, "{toned} emoji with skin");
    }
}
