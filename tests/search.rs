//! Library search, natively: accent and case folding, prefix matching,
//! ranking (title hits first, then by hits), annotations' notes and tags,
//! articles leaving the library, and the sentences a result shows.
#![cfg(not(target_arch = "wasm32"))]

use chrono::DateTime;
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::domain::search::Query;
use marginalia::domain::search::index::{Said, SearchIndex};
use marginalia::domain::search::snippet::{Marked, sentence_hits};

fn article(text: &str) -> Article {
    Article::build(
        parse_text(text),
        NewArticle::default(),
        DateTime::UNIX_EPOCH,
    )
    .unwrap()
}

/// An index over `(id, title, text)`, every text indexed.
fn index(docs: &[(&str, &str, &str)]) -> SearchIndex {
    let mut ix = SearchIndex::new();
    ix.set_library(docs.iter().map(|(id, title, _)| (*id, *title)));
    for (id, _, text) in docs {
        ix.add_text(id, text);
    }
    ix
}

fn ids(ix: &SearchIndex, q: &str) -> Vec<String> {
    ix.search(&Query::parse(q))
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn cafe_montreal_finds_le_cafe_in_montreal_ignoring_case_and_accents() {
    let ix = index(&[
        (
            "a",
            "Mornings",
            "Le café ouvre tôt. Plus tard, à Montréal, il pleut.",
        ),
        ("b", "Evenings", "A cafe in Paris."),
        ("c", "Nights", "MONTRÉAL by night."),
    ]);
    assert_eq!(ids(&ix, "cafe montreal"), ["a"]);
    assert_eq!(ids(&ix, "CAFÉ"), ["a", "b"]);
    assert_eq!(ids(&ix, "montréal"), ["a", "c"]);
}

#[test]
fn a_query_word_matches_the_words_it_begins_not_their_middles() {
    let ix = index(&[("a", "T", "Montreal harbour."), ("b", "T", "A remontada.")]);
    assert_eq!(ids(&ix, "mont"), ["a"]);
    assert_eq!(ids(&ix, "ontreal"), Vec::<String>::new());
    assert_eq!(ids(&ix, "harb mont"), ["a"]);
}

#[test]
fn every_query_word_must_match_somewhere_in_the_article() {
    let ix = index(&[
        ("a", "Ferries", "The ferry left. Later the storm came."),
        ("b", "Storms", "Only the storm."),
    ]);
    // Words in different sentences still make an article match.
    assert_eq!(ids(&ix, "ferry storm"), ["a"]);
    // A title word and a text word together.
    assert_eq!(ids(&ix, "storms only"), ["b"]);
}

#[test]
fn title_hits_rank_first_then_articles_with_more_hits() {
    let ix = index(&[
        ("few", "Notes", "One harbour."),
        (
            "many",
            "Notes",
            "Harbour, harbour and harbour again. The harbour.",
        ),
        ("title", "The harbour", "Nothing else here."),
        ("some", "Notes", "A harbour and a harbour."),
    ]);
    assert_eq!(ids(&ix, "harbour"), ["title", "many", "some", "few"]);
}

#[test]
fn a_title_holding_every_word_ranks_above_one_holding_some() {
    let ix = index(&[
        ("part", "Harbour news", "The ferry, the ferry, the ferry."),
        ("all", "Harbour ferry", "Short."),
        ("none", "Other", "Harbour ferry ferry ferry ferry ferry."),
    ]);
    assert_eq!(ids(&ix, "harbour ferry"), ["all", "part", "none"]);
}

#[test]
fn ties_keep_library_order() {
    let ix = index(&[("x", "T", "rain"), ("y", "T", "rain"), ("z", "T", "rain")]);
    assert_eq!(ids(&ix, "rain"), ["x", "y", "z"]);
}

#[test]
fn notes_tags_and_orphaned_quotes_are_searched() {
    let mut ix = index(&[("a", "T", "Plain words."), ("b", "T", "Other words.")]);
    assert!(ids(&ix, "zeppelin").is_empty());
    ix.set_said(
        "b",
        vec![Said {
            annotation: "n1".into(),
            at: 0,
            text: "Zeppelin note\nÉtude".into(),
        }],
    );
    assert_eq!(ids(&ix, "zeppelin"), ["b"]);
    assert_eq!(ids(&ix, "etude words"), ["b"]);
    // Setting them again replaces them.
    ix.set_said("b", Vec::new());
    assert!(ids(&ix, "zeppelin").is_empty());
}

#[test]
fn titles_are_searched_before_the_text_is_indexed() {
    let mut ix = SearchIndex::new();
    ix.set_library([("a", "Rain in Spain"), ("b", "Other")]);
    assert_eq!(ix.missing_text(), ["a", "b"]);
    assert_eq!(ids(&ix, "spain"), ["a"]);
    ix.add_text("b", "Spain again.");
    assert_eq!(ix.coverage(), (2, 1));
    assert_eq!(ids(&ix, "spain"), ["a", "b"]);
}

#[test]
fn articles_leaving_the_library_leave_the_results_and_may_come_back() {
    let mut ix = index(&[("a", "T", "rain"), ("b", "T", "rain")]);
    ix.set_library([("b", "T")]);
    assert_eq!(ids(&ix, "rain"), ["b"]);
    assert!(!ix.has_text("a"));
    ix.set_library([("a", "T"), ("b", "T")]);
    assert_eq!(ids(&ix, "rain"), ["b"], "a's text must be indexed again");
    ix.add_text("a", "rain");
    assert_eq!(ids(&ix, "rain"), ["a", "b"]);
}

#[test]
fn many_removals_compact_the_index_without_changing_results() {
    let mut ix = SearchIndex::new();
    let ids_all: Vec<String> = (0..600).map(|i| format!("id{i}")).collect();
    ix.set_library(ids_all.iter().map(|i| (i.as_str(), "T")));
    for (k, id) in ids_all.iter().enumerate() {
        ix.add_text(id, if k % 2 == 0 { "even rain" } else { "odd rain" });
    }
    let kept: Vec<&String> = ids_all.iter().skip(550).collect();
    ix.set_library(kept.iter().map(|i| (i.as_str(), "T")));
    assert_eq!(ix.coverage(), (50, 50));
    assert_eq!(ids(&ix, "rain").len(), 50);
    assert_eq!(ids(&ix, "even").len(), 25);
    assert_eq!(ids(&ix, "rain")[0], "id550");
}

#[test]
fn an_empty_query_matches_nothing() {
    let ix = index(&[("a", "T", "words")]);
    assert!(ids(&ix, "").is_empty());
    assert!(ids(&ix, " - ").is_empty());
}

#[test]
fn cjk_text_is_matched_character_by_character() {
    let ix = index(&[("a", "T", "東京の朝。"), ("b", "T", "京都。")]);
    assert_eq!(ids(&ix, "東京"), ["a"]);
    assert_eq!(ids(&ix, "京"), ["a", "b"]);
}

#[test]
fn the_sentences_shown_hold_the_most_query_words_with_matches_marked() {
    let a = article("Title here\n\nThe café is closed. A café in Montréal opens. Montréal sleeps.");
    let map = TextMap::new(&a);
    let q = Query::parse("cafe montreal");
    let hits = sentence_hits(&map, &q, &[], 2);
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].sentence, 2);
    assert_eq!(hits[0].terms, 2);
    let pieces: Vec<(&str, bool)> = hits[0].text.pieces();
    assert_eq!(
        pieces,
        [
            ("A ", false),
            ("café", true),
            (" in ", false),
            ("Montréal", true),
            (" opens.", false)
        ]
    );
    // Then the first of the sentences holding one word.
    assert_eq!(hits[1].sentence, 1);
}

#[test]
fn a_note_on_a_sentence_counts_for_it_and_is_shown() {
    let a = article("T\n\nFirst sentence. Second sentence.");
    let map = TextMap::new(&a);
    let second = map.sentence(2).unwrap().start;
    let said = [Said {
        annotation: "x".into(),
        at: second,
        text: "A zeppelin".into(),
    }];
    let hits = sentence_hits(&map, &Query::parse("zeppelin sentence"), &said, 3);
    assert_eq!(hits[0].sentence, 2);
    assert_eq!(hits[0].terms, 2);
    let note = hits[0].said.as_ref().unwrap();
    assert_eq!(note.pieces(), [("A ", false), ("zeppelin", true)]);
}

#[test]
fn a_long_sentence_is_cut_around_its_first_match() {
    let long = format!("{} needle {}", "word ".repeat(200), "tail ".repeat(200));
    let m = Marked::new(&long, &Query::parse("needle"), 100);
    assert!(
        m.text.starts_with('…') && m.text.ends_with('…'),
        "{}",
        m.text
    );
    assert!(m.text.chars().count() <= 103);
    let marked: Vec<&str> = m
        .pieces()
        .into_iter()
        .filter(|p| p.1)
        .map(|p| p.0)
        .collect();
    assert_eq!(marked, ["needle"]);
    // Non-ASCII text is cut on character boundaries.
    let accents = format!("{} é needle", "é".repeat(500));
    let m = Marked::new(&accents, &Query::parse("needle"), 50);
    assert!(m.pieces().iter().any(|p| p.1 && p.0 == "needle"));
}

#[test]
fn a_snapshot_restores_the_same_results_and_anything_else_is_refused() {
    let mut ix = index(&[
        ("a", "Mornings", "Le café ouvre tôt. Montréal."),
        ("b", "Evenings", "A cafe in Paris, cafe again."),
        ("c", "Gone", "Café gone."),
    ]);
    ix.set_library([("a", "Mornings"), ("b", "Evenings")]);
    let bytes = ix.snapshot();
    let mut back = SearchIndex::restore(&bytes).expect("restores");
    // Only texts are kept: the library names the articles and their titles.
    assert!(ids(&back, "cafe").is_empty());
    back.set_library([("b", "Evenings"), ("a", "Mornings"), ("d", "New")]);
    assert_eq!(back.coverage(), (3, 2));
    assert_eq!(back.missing_text(), ["d"]);
    assert_eq!(ids(&back, "cafe"), ["b", "a"]);
    assert_eq!(ids(&back, "mont cafe"), ["a"]);
    assert!(!back.has_text("c"));
    // A snapshot of the restored index is the same bytes.
    back.set_library([("a", "Mornings"), ("b", "Evenings")]);
    assert_eq!(back.snapshot(), bytes);
    for bad in [
        &b""[..],
        b"MGS0",
        &bytes[..bytes.len() - 1],
        b"MGS1\xff\xff\xff",
    ] {
        assert!(SearchIndex::restore(bad).is_none());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(SearchIndex::restore(&longer).is_none(), "trailing bytes");
}
