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

/// Prose the reading measure is taken on: ordinary English sentences,
/// with the usual share of spaces, capitals and punctuation.
const MEASURE_SAMPLE: &str = "The ferry left the harbour at dawn, and by noon the \
islands were a grey line behind us. Nobody on deck said much; a child counted gulls, \
two old men argued about the weather, and the captain, who had made this crossing \
for thirty years, watched the water as if it might still surprise him.";

thread_local! {
    /// The reader font's average character width, in thousandths of an em.
    static CHAR_MILLI_EM: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// The average width of a character of the reader's body font as the
/// browser actually renders it (whatever serif font this machine has),
/// in thousandths of an em; measured once on a hidden sample.
fn char_milli_em() -> Option<u32> {
    if let Some(v) = CHAR_MILLI_EM.get() {
        return Some(v);
    }
    let doc = document();
    let body = doc.body()?;
    let probe = doc.create_element("span").ok()?;
    let _ = probe.set_attribute("class", "measure-probe");
    let _ = probe.set_attribute("aria-hidden", "true");
    probe.set_text_content(Some(MEASURE_SAMPLE));
    body.append_child(&probe).ok()?;
    let width = probe.get_bounding_client_rect().width();
    probe.remove();
    // The probe's font size is 100px (style/main.css).
    let per_char = width / (100.0 * MEASURE_SAMPLE.chars().count() as f64);
    let milli = (per_char * 1000.0).round();
    // Anything outside this range is a failed measurement (no layout yet).
    if !(200.0..=900.0).contains(&milli) {
        return None;
    }
    CHAR_MILLI_EM.set(Some(milli as u32));
    Some(milli as u32)
}

/// Applies the preferences to `<html>`: `data-theme`, the
/// `--reader-font-size` custom property, and `--char-em`, the measured
/// width of a character, which sizes the reading column at about 65 of
/// them in any font.
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
    let mut style = format!(
        "--reader-font-size: {}px",
        prefs.font_size.clamp(MIN_FONT, MAX_FONT)
    );
    if let Some(m) = char_milli_em() {
        style.push_str(&format!("; --char-em: 0.{m:03}em"));
    }
    let _ = root.set_attribute("style", &style);
}
