//! Import rules: file types and sizes, byte decoding, plain text, Markdown
//! and HTML structure, titles and word counts.
#![cfg(not(target_arch = "wasm32"))]

use marginalia::domain::article::BlockKind::{self, *};
use marginalia::domain::import::*;

fn el(tag: &str, children: Vec<HtmlNode>) -> HtmlNode {
    HtmlNode::Element {
        tag: tag.into(),
        children,
    }
}

fn t(text: &str) -> HtmlNode {
    HtmlNode::Text(text.into())
}

fn blocks(p: &Parsed) -> Vec<(BlockKind, &str)> {
    p.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect()
}

// ----------------------------------------------------------- types, sizes, bytes

#[test]
fn file_types_come_from_the_extension_case_insensitively() {
    assert_eq!(format_for_name("a.txt"), Ok(SourceFormat::Text));
    assert_eq!(format_for_name("NOTES.MD"), Ok(SourceFormat::Markdown));
    assert_eq!(format_for_name("x.markdown"), Ok(SourceFormat::Markdown));
    assert_eq!(format_for_name("page.HTM"), Ok(SourceFormat::Html));
    assert_eq!(format_for_name("page.html"), Ok(SourceFormat::Html));
    assert_eq!(
        format_for_name("report.pdf"),
        Err(ImportError::Unsupported {
            extension: "pdf".into()
        })
    );
    assert_eq!(
        format_for_name("README"),
        Err(ImportError::Unsupported {
            extension: String::new()
        })
    );
    assert_eq!(
        format_for_name(".txt"),
        Err(ImportError::Unsupported {
            extension: String::new()
        })
    );
}

#[test]
fn unsupported_extension_message_names_it_and_the_supported_ones() {
    let msg = format_for_name("report.pdf").unwrap_err().to_string();
    assert!(
        msg.contains(".pdf")
            && msg.contains(".txt")
            && msg.contains(".md")
            && msg.contains(".html"),
        "{msg}"
    );
    let msg = format_for_name("README").unwrap_err().to_string();
    assert!(msg.contains("no extension"), "{msg}");
}

#[test]
fn files_over_ten_megabytes_are_refused_with_their_size() {
    assert_eq!(check_size(MAX_FILE_BYTES), Ok(()));
    let err = check_size(MAX_FILE_BYTES + 1).unwrap_err();
    assert_eq!(
        err,
        ImportError::TooLarge {
            bytes: MAX_FILE_BYTES + 1
        }
    );
    let msg = check_size(15 * 1024 * 1024).unwrap_err().to_string();
    assert!(msg.contains("15.0 MB") && msg.contains("10 MB"), "{msg}");
}

#[test]
fn utf8_with_and_without_bom_decodes() {
    assert_eq!(decode_bytes("Café ✓".as_bytes()).unwrap(), "Café ✓");
    assert_eq!(decode_bytes(b"\xEF\xBB\xBFHello").unwrap(), "Hello");
}

#[test]
fn utf16_with_a_bom_decodes_in_both_byte_orders() {
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Grüße 😀".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain("Grüße 😀".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    assert_eq!(decode_bytes(&le).unwrap(), "Grüße 😀");
    assert_eq!(decode_bytes(&be).unwrap(), "Grüße 😀");
}

#[test]
fn utf16_with_an_unpaired_surrogate_is_undecodable() {
    let bytes = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x41, 0x00];
    assert!(matches!(
        decode_bytes(&bytes),
        Err(ImportError::Undecodable { .. })
    ));
}

#[test]
fn a_utf16_error_offset_counts_code_units_after_characters_beyond_the_bmp() {
    // BOM, "😀" (two code units), then an unpaired low surrogate.
    let bytes = [0xFF, 0xFE, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xDC, 0x41, 0x00];
    assert_eq!(
        decode_bytes(&bytes),
        Err(ImportError::Undecodable { byte_offset: 6 })
    );
}

#[test]
fn nul_bytes_or_many_control_characters_mean_binary() {
    assert_eq!(
        decode_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        Err(ImportError::Binary)
    );
    let controls: Vec<u8> = (0..200u8)
        .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
        .collect();
    assert_eq!(decode_bytes(&controls), Err(ImportError::Binary));
    // A few form feeds and tabs are text.
    assert!(decode_bytes(b"Page one\x0cPage two\tend").is_ok());
}

#[test]
fn invalid_utf8_is_refused_with_the_offset_of_the_first_bad_byte() {
    assert_eq!(
        decode_bytes(b"Caf\xe9 au lait"),
        Err(ImportError::Undecodable { byte_offset: 3 })
    );
    assert_eq!(
        decode_bytes(b"\xEF\xBB\xBFab\xff"),
        Err(ImportError::Undecodable { byte_offset: 5 })
    );
    assert!(
        decode_bytes(b"Caf\xe9")
            .unwrap_err()
            .to_string()
            .contains("UTF-8")
    );
}

#[test]
fn empty_and_whitespace_input_give_no_blocks() {
    assert!(parse_text("").blocks.is_empty());
    assert!(parse_text(" \n\t\r\n ").blocks.is_empty());
    assert!(parse_markdown("---\n\n***\n").blocks.is_empty());
    assert!(
        parse_html(&el(
            "html",
            vec![el("body", vec![el("script", vec![t("x()")])])]
        ))
        .blocks
        .is_empty()
    );
    assert!(ImportError::Empty.to_string().contains("empty"));
}

// ------------------------------------------------------------------ plain text

#[test]
fn plain_text_with_blank_lines_makes_paragraphs_and_joins_their_lines() {
    let p = parse_text("First line\nstill first.\n\n  Second  \n\n\nThird.");
    assert_eq!(
        blocks(&p),
        [
            (Paragraph, "First line still first."),
            (Paragraph, "Second"),
            (Paragraph, "Third.")
        ]
    );
}

#[test]
fn plain_text_without_blank_lines_makes_each_line_a_paragraph() {
    let p = parse_text("One story line.\nAnother line.\r\nA third.");
    assert_eq!(
        blocks(&p),
        [
            (Paragraph, "One story line."),
            (Paragraph, "Another line."),
            (Paragraph, "A third.")
        ]
    );
}

#[test]
fn plain_text_crlf_and_cr_line_ends_are_normalised() {
    let p = parse_text("A.\r\n\r\nB.\rC.");
    assert_eq!(blocks(&p), [(Paragraph, "A."), (Paragraph, "B. C.")]);
}

#[test]
fn plain_text_keeps_the_inner_text_of_a_line_as_it_is() {
    let p = parse_text("Two  spaces\tand a tab.");
    assert_eq!(p.blocks[0].text, "Two  spaces and a tab.");
}

#[test]
fn plain_text_title_is_the_first_line_shortened() {
    assert_eq!(
        parse_text("\n\nHeadline here\nBody.").title.as_deref(),
        Some("Headline here")
    );
    let long = format!("{} end", "word ".repeat(40));
    let title = parse_text(&long).title.unwrap();
    assert!(
        title.chars().count() <= 100 && title.ends_with('…'),
        "{title}"
    );
}

#[test]
fn control_characters_never_reach_the_reading_text() {
    let p = parse_text("Bell\u{7} and escape\u{1b}[31m here.");
    assert_eq!(p.blocks[0].text, "Bell and escape[31m here.");
}

// -------------------------------------------------------------------- Markdown

#[test]
fn markdown_atx_and_setext_headings() {
    let p = parse_markdown("# One #\n\nText.\n\nTwo\n===\n\nThree\n---\n\n###### Six\n\n#NoSpace");
    assert_eq!(
        blocks(&p),
        [
            (Heading(1), "One"),
            (Paragraph, "Text."),
            (Heading(1), "Two"),
            (Heading(2), "Three"),
            (Heading(6), "Six"),
            (Paragraph, "#NoSpace")
        ]
    );
}

#[test]
fn markdown_paragraph_lines_are_joined_and_hard_breaks_become_spaces() {
    let p = parse_markdown("A soft\nwrapped line.  \nHard break\\\nend.");
    assert_eq!(
        blocks(&p),
        [(Paragraph, "A soft wrapped line. Hard break end.")]
    );
}

#[test]
fn markdown_list_items_of_every_marker_and_nesting() {
    let p =
        parse_markdown("- dash\n* star\n+ plus\n1. one\n2) two\n  - nested\n    continued\n\ntext");
    assert_eq!(
        blocks(&p),
        [
            (ListItem, "dash"),
            (ListItem, "star"),
            (ListItem, "plus"),
            (ListItem, "one"),
            (ListItem, "two"),
            (ListItem, "nested continued"),
            (Paragraph, "text")
        ]
    );
}

#[test]
fn markdown_block_quotes_nested_and_lazy() {
    let p = parse_markdown("> Quoted line\nlazy continuation.\n>\n> > Nested.\n\nAfter.");
    assert_eq!(
        blocks(&p),
        [
            (Quote, "Quoted line lazy continuation."),
            (Quote, "Nested."),
            (Paragraph, "After.")
        ]
    );
}

#[test]
fn markdown_fenced_and_indented_code_keep_their_lines() {
    let p = parse_markdown(
        "Text:\n\n```rust\nfn main() {\n    *x = 1;\n}\n```\n\n    indented();\n    more();\n\n~~~\nt\n~~~",
    );
    assert_eq!(
        blocks(&p),
        [
            (Paragraph, "Text:"),
            (Code, "fn main() {\n    *x = 1;\n}"),
            (Code, "indented();\nmore();"),
            (Code, "t")
        ]
    );
}

#[test]
fn markdown_tab_indented_lines_in_an_indented_fence_keep_every_character() {
    let p = parse_markdown("Intro.\n\n  ```\n\tfoo();\n  bar();\n    baz();\n  ```\n");
    assert_eq!(
        blocks(&p),
        [(Paragraph, "Intro."), (Code, "\tfoo();\nbar();\n  baz();")]
    );
}

#[test]
fn a_front_matter_title_of_markup_only_gives_way_to_the_first_heading() {
    // Found by fuzzing (import_md): the title was "" and the article "Untitled".
    let p = parse_markdown("---\ntitle: <b></b>\n---\n# Real heading\n");
    assert_eq!(p.title.as_deref(), Some("Real heading"));
}

#[test]
fn markdown_drops_front_matter_thematic_breaks_and_link_definitions() {
    let p = parse_markdown(
        "---\ntitle: 'Front'\ntags: [a]\n---\nBody.\n\n***\n\n[ref]: https://example.org \"T\"\n\nEnd.",
    );
    assert_eq!(p.title.as_deref(), Some("Front"));
    assert_eq!(blocks(&p), [(Paragraph, "Body."), (Paragraph, "End.")]);
}

#[test]
fn markdown_tables_become_rows_of_cells() {
    let p = parse_markdown("| City | Pop |\n|:--|--:|\n| Oslo | 0.7m |\n| Rome | 2.8m |");
    assert_eq!(
        blocks(&p),
        [
            (Paragraph, "City · Pop"),
            (Paragraph, "Oslo · 0.7m"),
            (Paragraph, "Rome · 2.8m")
        ]
    );
}

#[test]
fn markdown_emphasis_and_strikethrough_markers_are_dropped() {
    let p = parse_markdown("A **bold** and *em* and __strong__ and _under_ and ~~gone~~ word.");
    assert_eq!(
        p.blocks[0].text,
        "A bold and em and strong and under and gone word."
    );
}

#[test]
fn markdown_keeps_literal_asterisks_and_intraword_underscores() {
    let p = parse_markdown("Compute 2 * 3 * 4 with snake_case_name now.");
    assert_eq!(
        p.blocks[0].text,
        "Compute 2 * 3 * 4 with snake_case_name now."
    );
}

#[test]
fn markdown_code_spans_keep_their_text() {
    assert_eq!(
        parse_markdown("Run `cargo test` and ``a ` b``.").blocks[0].text,
        "Run cargo test and a ` b."
    );
}

#[test]
fn markdown_links_and_images_keep_only_their_text() {
    let p = parse_markdown(
        "See [the docs](https://x.org \"T\") and [ref][1], [this][] and ![a chart](c.png) ![](d.png)end.",
    );
    assert_eq!(
        p.blocks[0].text,
        "See the docs and ref, this and a chart end."
    );
}

#[test]
fn markdown_autolinks_html_tags_escapes_and_entities() {
    let p = parse_markdown(
        "Go to <https://example.org>, <b>bold</b>, \\*not em\\* &amp; &#169; &#x263A; 5 &lt; 6.",
    );
    assert_eq!(
        p.blocks[0].text,
        "Go to https://example.org, bold, *not em* & © ☺ 5 < 6."
    );
}

#[test]
fn markdown_title_is_the_first_heading_else_the_first_line() {
    assert_eq!(
        parse_markdown("Intro line.\n\n## Later heading")
            .title
            .as_deref(),
        Some("Later heading")
    );
    assert_eq!(
        parse_markdown("Only *text* here.").title.as_deref(),
        Some("Only text here.")
    );
}

// ------------------------------------------------------------------------ HTML

fn doc(title: Option<&str>, body: Vec<HtmlNode>) -> HtmlNode {
    let head = match title {
        Some(tt) => el(
            "head",
            vec![el("title", vec![t(tt)]), el("style", vec![t("p{}")])],
        ),
        None => el("head", vec![]),
    };
    el("html", vec![head, el("body", body)])
}

#[test]
fn html_headings_paragraphs_lists_and_quotes_become_blocks() {
    let p = parse_html(&doc(
        None,
        vec![
            el("h1", vec![t("Title")]),
            el("p", vec![t("First "), el("em", vec![t("para")]), t(".")]),
            el(
                "ul",
                vec![el("li", vec![t("one")]), el("li", vec![t("two")])],
            ),
            el(
                "blockquote",
                vec![el("p", vec![t("Quoted.")]), t("Bare quote.")],
            ),
            el("h3", vec![t("Sub")]),
            el("pre", vec![t("  code\n    indented\n")]),
        ],
    ));
    assert_eq!(
        blocks(&p),
        [
            (Heading(1), "Title"),
            (Paragraph, "First para."),
            (ListItem, "one"),
            (ListItem, "two"),
            (Quote, "Quoted."),
            (Quote, "Bare quote."),
            (Heading(3), "Sub"),
            (Code, "  code\n    indented")
        ]
    );
}

#[test]
fn html_scripts_styles_forms_media_and_navigation_are_dropped_with_their_text() {
    let p = parse_html(&doc(
        Some("T"),
        vec![
            el("nav", vec![t("Home About")]),
            el("script", vec![t("alert(1)")]),
            el("noscript", vec![t("Enable JS")]),
            el("template", vec![el("p", vec![t("tpl")])]),
            el(
                "p",
                vec![
                    t("Kept "),
                    el("svg", vec![t("svg text")]),
                    el("button", vec![t("Click")]),
                    t("text."),
                ],
            ),
            el("form", vec![el("p", vec![t("form text")])]),
            el("iframe", vec![t("frame")]),
        ],
    ));
    assert_eq!(blocks(&p), [(Paragraph, "Kept text.")]);
}

#[test]
fn html_article_is_preferred_over_the_rest_of_the_page() {
    let page = doc(
        Some("Page"),
        vec![
            el("header", vec![el("p", vec![t("Site header")])]),
            el("article", vec![el("p", vec![t("The story.")])]),
            el("footer", vec![t("Footer")]),
        ],
    );
    assert_eq!(blocks(&parse_html(&page)), [(Paragraph, "The story.")]);
    let main = doc(
        None,
        vec![
            el("div", vec![t("Chrome")]),
            el("main", vec![el("p", vec![t("Main text.")])]),
        ],
    );
    assert_eq!(blocks(&parse_html(&main)), [(Paragraph, "Main text.")]);
}

#[test]
fn html_containers_mixing_text_and_blocks_make_a_paragraph_per_run() {
    let p = parse_html(&doc(
        None,
        vec![el(
            "div",
            vec![
                t("Loose "),
                el("b", vec![t("text")]),
                el("p", vec![t("Para.")]),
                t(" After "),
                el("div", vec![t("Inner.")]),
            ],
        )],
    ));
    assert_eq!(
        blocks(&p),
        [
            (Paragraph, "Loose text"),
            (Paragraph, "Para."),
            (Paragraph, "After"),
            (Paragraph, "Inner.")
        ]
    );
}

#[test]
fn html_line_breaks_and_white_space_collapse_to_single_spaces() {
    let p = parse_html(&doc(
        None,
        vec![el(
            "p",
            vec![t("  a\n\n  b"), el("br", vec![]), t("c\u{A0}d ")],
        )],
    ));
    assert_eq!(p.blocks[0].text, "a b c\u{A0}d");
}

#[test]
fn html_table_rows_become_paragraphs_of_cells() {
    let row = |a: &str, b: &str| el("tr", vec![el("td", vec![t(a)]), el("td", vec![t(b)])]);
    let p = parse_html(&doc(
        None,
        vec![el(
            "table",
            vec![el("tbody", vec![row("Oslo", "0.7m"), row("Rome", "2.8m")])],
        )],
    ));
    assert_eq!(
        blocks(&p),
        [(Paragraph, "Oslo · 0.7m"), (Paragraph, "Rome · 2.8m")]
    );
}

#[test]
fn html_title_is_the_title_element_else_the_first_heading() {
    let with_title = doc(
        Some("  The  Page\n Title "),
        vec![el("h1", vec![t("Heading")])],
    );
    assert_eq!(
        parse_html(&with_title).title.as_deref(),
        Some("The Page Title")
    );
    let heading_only = doc(
        None,
        vec![
            el("p", vec![t("Intro.")]),
            el("h2", vec![t("First heading")]),
        ],
    );
    assert_eq!(
        parse_html(&heading_only).title.as_deref(),
        Some("First heading")
    );
    let neither = doc(None, vec![el("p", vec![t("Just text.")])]);
    assert_eq!(parse_html(&neither).title.as_deref(), Some("Just text."));
}

// ---------------------------------------------------------------------- others

#[test]
fn titles_from_file_names_drop_the_extension_and_separators() {
    assert_eq!(
        title_from_file_name("kursk-engineers.txt"),
        "kursk engineers"
    );
    assert_eq!(title_from_file_name("my_notes_2024.md"), "my notes 2024");
    assert_eq!(title_from_file_name("/path/to/Page.html"), "Page");
    assert_eq!(
        title_from_file_name(".txt"),
        ".txt",
        "a dot-file keeps its whole name"
    );
    assert_eq!(title_from_file_name(""), "Untitled");
}

#[test]
fn word_count_handles_hyphens_apostrophes_numbers_cjk_and_emoji() {
    assert_eq!(word_count("Kim Jong-un’s regiment didn't stop."), 5);
    assert_eq!(
        word_count("It cost £4.2 million, 1,000 times 12% at 6 a.m."),
        10
    );
    assert_eq!(word_count("東京は晴れ"), 5);
    assert_eq!(word_count("Great 🎉 news — yes!"), 3);
    assert_eq!(word_count("   "), 0);
}
