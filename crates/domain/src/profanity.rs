//! Masks listed words in message bodies.
//!
//! A word matches case-insensitively and only as a whole word: "Darn!" is
//! masked, "darning" is not. Masking keeps the length (one `*` per character)
//! so the message keeps its shape.

use std::collections::HashSet;

#[derive(Debug, Clone, Default)]
pub struct ProfanityFilter {
    words: HashSet<String>,
}

impl ProfanityFilter {
    pub fn new<I, S>(words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self {
            words: words
                .into_iter()
                .map(|w| w.as_ref().trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    pub fn apply(&self, text: &str) -> String {
        if self.words.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if self.words.contains(&word.to_lowercase()) {
                out.extend(std::iter::repeat_n('*', word.chars().count()));
            } else {
                out.push_str(word);
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() || c == '\'' && !word.is_empty() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::ProfanityFilter;

    #[test]
    fn masks_whole_words_in_any_case() {
        let f = ProfanityFilter::new(["darn", "Heck"]);
        assert_eq!(f.apply("well darn it"), "well **** it");
        assert_eq!(f.apply("DARN! heck."), "****! ****.");
        assert_eq!(f.apply("darning hecklers"), "darning hecklers");
        assert_eq!(f.apply("darn"), "****");
        assert_eq!(f.apply("(darn)"), "(****)");
    }

    #[test]
    fn leaves_text_alone_without_words() {
        let f = ProfanityFilter::new(Vec::<String>::new());
        assert_eq!(f.apply("anything goes"), "anything goes");
    }

    #[test]
    fn keeps_unicode_and_length() {
        let f = ProfanityFilter::new(["ärger"]);
        assert_eq!(f.apply("kein Ärger hier"), "kein ***** hier");
    }
}
