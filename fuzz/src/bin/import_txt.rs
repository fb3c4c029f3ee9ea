//! Plain-text import: `decode_bytes` on the raw bytes, `parse_text` on
//! their text, and the article built from it.
use marginalia_fuzz::domain::{decode_bytes, parse_text};
use marginalia_fuzz::glue::{article_and_check, text_of};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(text) = decode_bytes(data) {
            let bom = [&[0xEF, 0xBB, 0xBF][..], &[0xFF, 0xFE], &[0xFE, 0xFF]];
            if !bom.iter().any(|b| data.starts_with(b)) {
                assert_eq!(text.as_bytes(), data, "UTF-8 without a BOM was altered");
            }
            article_and_check(parse_text(&text));
        }
        article_and_check(parse_text(&text_of(data)));
    });
}
