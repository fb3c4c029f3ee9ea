//! Reader preferences: text size and theme, applied to the document root
//! and saved with the library.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the system (`prefers-color-scheme`).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The next theme in the toggle's cycle.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    /// The theme's name, as shown on the toggle after "Theme: ".
    pub fn name(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// Smallest reading text size, in CSS pixels.
pub const MIN_FONT: u8 = 14;
/// Largest reading text size, in CSS pixels.
pub const MAX_FONT: u8 = 30;

/// What the reader keeps between visits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Reading text size in CSS pixels.
    pub font_size: u8,
    /// The colour theme.
    pub theme: Theme,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            font_size: 19,
            theme: Theme::System,
        }
    }
}

impl Prefs {
    /// The size one step smaller or larger, kept within bounds.
    pub fn step_font(self, up: bool) -> Self {
        let size = if up {
            self.font_size.saturating_add(1)
        } else {
            self.font_size.saturating_sub(1)
        };
        Self {
            font_size: size.clamp(MIN_FONT, MAX_FONT),
            ..self
        }
    }
}

/// Applies the preferences to `<html>`: `data-theme` and the
/// `--reader-font-size` custom property.
pub fn apply(prefs: Prefs) {
    let Some(root) = document().document_element() else {
        return;
    };
    match prefs.theme {
        Theme::System => {
            let _ = root.remove_attribute("data-theme");
        }
        Theme::Light => {
            let _ = root.set_attribute("data-theme", "light");
        }
        Theme::Dark => {
            let _ = root.set_attribute("data-theme", "dark");
        }
    }
    let style = format!(
        "--reader-font-size: {}px",
        prefs.font_size.clamp(MIN_FONT, MAX_FONT)
    );
    let _ = root.set_attribute("style", &style);
}
