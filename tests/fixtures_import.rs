//! Sample articles through the whole native import path: decode, parse,
//! segment, fingerprint. The shared Kursk file is used when present; the
//! project's own fixtures cover the same behaviours everywhere.
#![cfg(not(target_arch = "wasm32"))]

use chrono::DateTime;
use marginalia::domain::article::{Article, BlockKind, NewArticle};
use marginalia::domain::import::{self, SourceFormat};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn import_file(path: &Path) -> Article {
    let name = path.file_name().unwrap().to_str().unwrap();
    let bytes = std::fs::read(path).unwrap();
    let text = import::decode_bytes(&bytes).unwrap();
    let parsed = match import::format_for_name(name).unwrap() {
        SourceFormat::Text => import::parse_text(&text),
        SourceFormat::Markdown => import::parse_markdown(&text),
        SourceFormat::Html => panic!("HTML needs the browser's DOMParser; covered end to end"),
    };
    Article::build(
        parsed,
        NewArticle {
            title: None,
            source_name: Some(name),
        },
        DateTime::UNIX_EPOCH,
    )
    .unwrap()
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn assert_exact(article: &Article) {
    article.validate().unwrap();
    for b in &article.blocks {
        let joined: String = b.pieces().iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, b.text);
    }
}

#[test]
fn kursk_news_file_is_fifteen_paragraphs_of_sixteen_sentences() {
    let path = root().join("../shared/fixtures/articles/kursk-engineers.txt");
    if !path.exists() {
        eprintln!(
            "skipping: ../shared/fixtures/articles/kursk-engineers.txt not found (only present in the development workspace); harbour_ferry covers the same behaviour"
        );
        return;
    }
    let a = import_file(&path);
    assert_exact(&a);
    let paragraphs: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(paragraphs, lines(&path));
    // Line 5 is two sentences: "…military operations.’ According to Kim, …"
    assert_eq!(a.sentence_count(), 16);
    let fifth: Vec<&str> = a.blocks[4].sentence_texts().collect();
    assert_eq!(fifth.len(), 2);
    assert!(fifth[0].ends_with("overseas military operations.’"));
    assert!(fifth[1].starts_with("According to Kim, the 528th"));
    assert!(
        a.title
            .starts_with("Soldiers from the 528th Engineering Regiment")
    );
}

#[test]
fn harbour_ferry_news_file_is_eight_paragraphs_of_ten_sentences() {
    let path = root().join("tests/fixtures/articles/harbour-ferry.txt");
    let a = import_file(&path);
    assert_exact(&a);
    let paragraphs: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(paragraphs, lines(&path));
    let per_block: Vec<usize> = a.blocks.iter().map(|b| b.sentences.len()).collect();
    assert_eq!(per_block, [1, 1, 1, 2, 1, 2, 1, 1]);
    assert_eq!(a.source_name.as_deref(), Some("harbour-ferry.txt"));
    // Every white-space separated token here is one word ("£4.2", "a.m.", "12%").
    assert_eq!(a.meta().words, 136);
}

#[test]
fn field_notes_markdown_keeps_structure_and_front_matter_title() {
    let a = import_file(&root().join("tests/fixtures/articles/field-notes.md"));
    assert_exact(&a);
    assert_eq!(a.title, "Field Notes on Reading");
    let kinds: Vec<BlockKind> = a.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BlockKind::Heading(1),
            BlockKind::Paragraph,
            BlockKind::Heading(2),
            BlockKind::ListItem,
            BlockKind::ListItem,
            BlockKind::ListItem,
            BlockKind::Quote,
            BlockKind::Code,
            BlockKind::Paragraph,
        ]
    );
    assert_eq!(
        a.blocks[1].text,
        "Reading slowly is a skill. It can be learned like any other."
    );
    assert_eq!(a.blocks[1].sentences.len(), 2);
    assert_eq!(a.blocks[7].text, "let notes = read(slowly);");
    assert_eq!(
        a.blocks[8].text,
        "A final line with inline code and an image that is dropped."
    );
}

#[test]
fn the_same_words_pasted_or_from_a_file_have_the_same_fingerprint() {
    let path = root().join("tests/fixtures/articles/harbour-ferry.txt");
    let from_file = import_file(&path);
    let pasted = Article::build(
        import::parse_text(
            &std::fs::read_to_string(&path)
                .unwrap()
                .replace('\n', "\r\n"),
        ),
        NewArticle {
            title: Some("My title"),
            source_name: None,
        },
        DateTime::UNIX_EPOCH,
    )
    .unwrap();
    assert_eq!(pasted.id, from_file.id);
    assert_eq!(pasted.title, "My title");
}
