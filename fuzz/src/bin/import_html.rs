//! HTML import: `parse_html` on a tree read from the bytes as tag soup
//! (see `glue::html_tree`), and the article built from it.
use marginalia_fuzz::domain::parse_html;
use marginalia_fuzz::glue::{article_and_check, html_tree};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        article_and_check(parse_html(&html_tree(data)));
    });
}
