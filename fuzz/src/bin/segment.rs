//! The sentence segmenter on any text: spans in order, non-overlapping, on
//! char boundaries, trimmed, only white space between them. Then as the
//! article model uses it: each block kind, and a whole article.
use marginalia_fuzz::domain::{BlockKind, RawBlock, parse_text};
use marginalia_fuzz::glue::{article_and_check, block_and_check, segment_and_check, text_of};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let text = text_of(data);
        segment_and_check(&text);
        if !text.trim().is_empty() {
            block_and_check(RawBlock::new(BlockKind::Paragraph, text.as_str()));
            block_and_check(RawBlock::new(BlockKind::Code, text.as_str()));
        }
        article_and_check(parse_text(&text));
    });
}
