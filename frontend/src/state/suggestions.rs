//! The keys of a suggestion list under the composer (people to mention,
//! emoji by shortcode): Up and Down walk it round, Enter or Tab takes the
//! chosen one, Escape puts the list away until something else is typed.

/// What a key does to an open list of suggestions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionKey {
    /// Choose this one (an index into the list).
    Choose(usize),
    /// Take this one.
    Pick(usize),
    /// Put the list away.
    Dismiss,
}

/// The key `key` (with Shift held or not) on a list of `count`
/// suggestions, `chosen` being highlighted; `None`: the key is the box's
/// (an empty list, or an input method still composing, takes nothing).
pub fn suggestion_key(
    key: &str,
    shift: bool,
    composing: bool,
    count: usize,
    chosen: usize,
) -> Option<SuggestionKey> {
    if count == 0 || composing {
        return None;
    }
    let chosen = chosen.min(count - 1);
    match key {
        "ArrowDown" => Some(SuggestionKey::Choose((chosen + 1) % count)),
        "ArrowUp" => Some(SuggestionKey::Choose((chosen + count - 1) % count)),
        "Enter" | "Tab" if !shift => Some(SuggestionKey::Pick(chosen)),
        "Escape" => Some(SuggestionKey::Dismiss),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_walk_the_list_round() {
        assert_eq!(
            suggestion_key("ArrowDown", false, false, 3, 2),
            Some(SuggestionKey::Choose(0))
        );
        assert_eq!(
            suggestion_key("ArrowUp", false, false, 3, 0),
            Some(SuggestionKey::Choose(2))
        );
    }

    #[test]
    fn enter_and_tab_take_the_chosen_one_but_shift_enter_is_a_new_line() {
        assert_eq!(
            suggestion_key("Enter", false, false, 3, 1),
            Some(SuggestionKey::Pick(1))
        );
        assert_eq!(
            suggestion_key("Tab", false, false, 2, 5),
            Some(SuggestionKey::Pick(1)),
            "a list that shrank under the choice"
        );
        assert_eq!(suggestion_key("Enter", true, false, 3, 1), None);
    }

    #[test]
    fn no_list_or_a_composing_input_method_leaves_the_key_alone() {
        assert_eq!(suggestion_key("Enter", false, false, 0, 0), None);
        assert_eq!(suggestion_key("Enter", false, true, 3, 0), None);
        assert_eq!(suggestion_key("a", false, false, 3, 0), None);
        assert_eq!(
            suggestion_key("Escape", false, false, 1, 0),
            Some(SuggestionKey::Dismiss)
        );
    }
}
