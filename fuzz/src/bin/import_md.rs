//! Markdown import: `parse_markdown`, and the article built from it.
use marginalia_fuzz::domain::parse_markdown;
use marginalia_fuzz::glue::{article_and_check, text_of};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        article_and_check(parse_markdown(&text_of(data)));
    });
}
