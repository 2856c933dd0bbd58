//! Writes the emoji table of the reaction picker and `:shortcode:`
//! completion: each emoji in its default skin tone with its name, its
//! GitHub shortcodes, its group and, for those that have them, its five
//! one-tone variants (light to dark), from the `emojis` crate's Unicode
//! CLDR tables. Only what the app uses goes into the WebAssembly: the crate's
//! own tables (every skin tone, lookup maps) would add about 160 KB to
//! every first visit, compressed.

#![allow(
    clippy::expect_used,
    reason = "a build script stops the build by panicking"
)]

use std::fmt::Write as _;

/// The skin tones of the picker's choice, light to dark (the state's
/// `emoji::TONES` after its default).
const ONE_TONE: [emojis::SkinTone; 5] = [
    emojis::SkinTone::Light,
    emojis::SkinTone::MediumLight,
    emojis::SkinTone::Medium,
    emojis::SkinTone::MediumDark,
    emojis::SkinTone::Dark,
];

fn main() {
    let groups: Vec<emojis::Group> = emojis::Group::iter().collect();
    let mut table = String::from("&[\n");
    for emoji in emojis::iter() {
        let group = groups
            .iter()
            .position(|g| *g == emoji.group())
            .expect("every emoji is in a group");
        let codes: Vec<String> = emoji.shortcodes().map(|c| format!("{c:?}")).collect();
        // Mixed tones (two people, two tones) are left out: the picker
        // offers one tone for everyone.
        let tones: Vec<String> = ONE_TONE
            .iter()
            .filter_map(|tone| emoji.with_skin_tone(*tone))
            .map(|e| format!("{:?}", e.as_str()))
            .collect();
        writeln!(
            table,
            "    Emoji {{ glyph: {:?}, name: {:?}, shortcodes: &[{}], group: {group}, tones: &[{}] }},",
            emoji.as_str(),
            emoji.name(),
            codes.join(", "),
            tones.join(", ")
        )
        .expect("writing to a String");
    }
    table.push(']');
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("emoji_table.rs"), table).expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=build.rs");
}
