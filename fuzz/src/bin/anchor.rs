//! Re-anchoring. The input is `old text`, then a NUL, then either a second
//! NUL and the new text, or edits of the old text (see `glue::edit`).
//! Targets are made on the old article, looked for in the new one, and
//! every one found must be inside the new text and hold its quote. Texts
//! are cut at `MAX_TEXT` bytes, an edited one at `MAX_TEXT` characters, to
//! keep runs fast.
use marginalia_fuzz::domain::parse_text;
use marginalia_fuzz::glue::{
    Dice, article_and_check, edit, map_and_check, reanchor_and_check, targets, text_of,
};

const MAX_TEXT: usize = 1024;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let (old_bytes, rest) = match data.iter().position(|&b| b == 0) {
            Some(at) => (&data[..at], &data[at + 1..]),
            None => (data, &[][..]),
        };
        let old_text = text_of(&old_bytes[..old_bytes.len().min(MAX_TEXT)]);
        let new_text = match rest.strip_prefix(&[0]) {
            Some(literal) => text_of(&literal[..literal.len().min(MAX_TEXT)]),
            None => edit(&old_text, rest),
        };
        let new_text: String = new_text.chars().take(MAX_TEXT).collect();
        let Some(old) = article_and_check(parse_text(&old_text)) else {
            return;
        };
        let Some(new) = article_and_check(parse_text(&new_text)) else {
            return;
        };
        let (old_map, new_map) = (map_and_check(&old), map_and_check(&new));
        let old_targets = targets(&old_map, &mut Dice::new(data));
        reanchor_and_check(&old_targets, &new_map, old.id == new.id);
    });
}
