//! Text helpers shared by the model, the importers and the messages,
//! with no model of their own (so every module may use them without a
//! cycle).

pub mod fold;

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
