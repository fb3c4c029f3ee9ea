//! Text helpers shared by the model, the importers and the messages,
//! with no model of their own (so every module may use them without a
//! cycle).

pub mod fold;

use std::fmt::Write;

/// Appends `text` with `&`, `<`, `>` and `"` escaped (for text and for
/// attribute values in double quotes).
pub fn escape_into<W: Write>(out: &mut W, text: &str) {
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let rep = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            _ => continue,
        };
        let _ = out.write_str(&text[last..i]);
        let _ = out.write_str(rep);
        last = i + 1;
    }
    let _ = out.write_str(&text[last..]);
}

/// Whether `c` belongs to a script written without spaces between words
/// (Thai, Lao, Myanmar, Khmer, Japanese kana, CJK ideographs), where a
/// "word" cannot be found by spaces: re-anchoring indexes such text by
/// character pairs, search by single characters.
pub fn unspaced(c: char) -> bool {
    matches!(
        c as u32,
        0x0E00..=0x0EFF // Thai, Lao
            | 0x1000..=0x109F // Myanmar
            | 0x1780..=0x17FF // Khmer
            | 0x3040..=0x30FF // Hiragana, Katakana
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xF900..=0xFAFF // CJK compatibility ideographs
            | 0xFF66..=0xFF9F // half-width Katakana
            | 0x20000..=0x3FFFF // CJK extensions B and later
    )
}

/// A text on one line, whitespace collapsed, at most `max_chars`
/// characters: a longer one is cut at a word boundary where there is one
/// in its second half, and ends in "…".
pub fn shorten(text: &str, max_chars: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max_chars {
        return one_line;
    }
    let cut: String = one_line.chars().take(max_chars.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > cut.len() / 2 => &cut[..at],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '.']))
}
