//! Light or dark: what the person chose in the settings (kept in this
//! browser), or else whatever the system prefers. The choice is the
//! `data-theme` attribute of the root element, which the stylesheet reads.

const KEY: &str = "themechat.theme";

/// A theme choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follow the system (`prefers-color-scheme`).
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The stored choice.
pub fn chosen() -> Theme {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map_or(Theme::System, |v| Theme::parse(&v))
}

/// Keeps and applies a choice.
pub fn choose(theme: Theme) {
    if let Some(s) = storage() {
        let _ = match theme {
            Theme::System => s.remove_item(KEY),
            other => s.set_item(KEY, other.as_str()),
        };
    }
    apply(theme);
}

/// Sets the root's `data-theme` (none: the system decides).
pub fn apply(theme: Theme) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        Theme::System => root.remove_attribute("data-theme"),
        other => root.set_attribute("data-theme", other.as_str()),
    };
}
