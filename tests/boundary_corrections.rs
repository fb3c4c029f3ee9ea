//! Correcting sentence boundaries by hand: `Article::join_with_next` and
//! `Article::split_sentence`. Sentences are numbered through the article;
//! a correction moves spans only, never text, so the id stays the same.

use chrono::DateTime;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;

fn article(text: &str) -> Article {
    let a = Article::build(
        parse_text(text),
        NewArticle::default(),
        DateTime::UNIX_EPOCH,
    )
    .unwrap();
    a.validate().unwrap();
    a
}

/// Every sentence's text, through the article.
fn sentences(a: &Article) -> Vec<String> {
    a.blocks
        .iter()
        .flat_map(|b| b.sentence_texts().map(str::to_owned))
        .collect()
}

fn texts(a: &Article) -> Vec<String> {
    a.blocks.iter().map(|b| b.text.clone()).collect()
}

const TWO_PARAGRAPHS: &str = "The ship left at dawn.  It was cold. Nobody spoke.\n\n\
                              The harbour was empty. Gulls circled.";

#[test]
fn sentence_location_counts_through_the_blocks_in_order() {
    let a = article(TWO_PARAGRAPHS);
    assert_eq!(a.sentence_count(), 5);
    assert_eq!(a.sentence_location(0), Some((0, 0)));
    assert_eq!(a.sentence_location(2), Some((0, 2)));
    assert_eq!(a.sentence_location(3), Some((1, 0)));
    assert_eq!(a.sentence_location(4), Some((1, 1)));
    assert_eq!(a.sentence_location(5), None);
}

#[test]
fn join_spans_from_the_first_start_to_the_second_end_with_the_space_between() {
    let mut a = article(TWO_PARAGRAPHS);
    a.join_with_next(0).unwrap();
    assert_eq!(
        sentences(&a),
        [
            "The ship left at dawn.  It was cold.",
            "Nobody spoke.",
            "The harbour was empty.",
            "Gulls circled."
        ]
    );
    a.validate().unwrap();
}

#[test]
fn join_in_a_later_block_uses_the_global_sentence_number() {
    let mut a = article(TWO_PARAGRAPHS);
    a.join_with_next(3).unwrap();
    assert_eq!(
        sentences(&a)[3..],
        ["The harbour was empty. Gulls circled.".to_owned()]
    );
    assert_eq!(a.blocks[0].sentences.len(), 3);
    a.validate().unwrap();
}

#[test]
fn join_then_split_gives_back_the_original_spans() {
    let original = article(TWO_PARAGRAPHS);
    let mut a = original.clone();
    a.join_with_next(1).unwrap();
    // "It was cold. Nobody spoke.": split at the space after "cold."
    a.split_sentence(1, "It was cold.".chars().count()).unwrap();
    assert_eq!(a, original);
    // Splitting just before "Nobody" (the space on the first part's side)
    // gives the same spans: the white space between stays outside both.
    let mut b = original.clone();
    b.join_with_next(1).unwrap();
    b.split_sentence(1, "It was cold. ".chars().count())
        .unwrap();
    assert_eq!(b, original);
}

#[test]
fn split_then_join_gives_back_the_original_spans() {
    let original = article(TWO_PARAGRAPHS);
    let mut a = original.clone();
    a.split_sentence(0, "The ship".chars().count()).unwrap();
    assert_eq!(sentences(&a)[..2], ["The ship", "left at dawn."]);
    a.validate().unwrap();
    a.join_with_next(0).unwrap();
    assert_eq!(a, original);
}

#[test]
fn split_position_counts_code_points_in_multi_byte_and_emoji_text() {
    // é, ï, à are 2 bytes, 🎉 4 bytes (2 UTF-16 units), ❤️ two code points.
    let text = "Café 🎉 naïve déjà vu ❤️ soirée. Fin.";
    let mut a = article(text);
    assert_eq!(sentences(&a), ["Café 🎉 naïve déjà vu ❤️ soirée.", "Fin."]);
    // Code point 7 is the "n" of "naïve" (C a f é ␠ 🎉 ␠ n).
    a.split_sentence(0, 7).unwrap();
    assert_eq!(
        sentences(&a),
        ["Café 🎉", "naïve déjà vu ❤️ soirée.", "Fin."]
    );
    a.validate().unwrap();
    // In "naïve déjà vu ❤️ soirée.", code point 14 is "❤" (U+2764), 15 its
    // variation selector U+FE0F and 16 the space after them.
    let mut b = a.clone();
    b.split_sentence(1, 16).unwrap();
    assert_eq!(
        sentences(&b),
        ["Café 🎉", "naïve déjà vu ❤️", "soirée.", "Fin."]
    );
    b.validate().unwrap();
    let mut c = a.clone();
    c.split_sentence(1, 14).unwrap();
    assert_eq!(
        sentences(&c),
        ["Café 🎉", "naïve déjà vu", "❤️ soirée.", "Fin."]
    );
    c.validate().unwrap();
    // Positions are code points, not grapheme clusters: a cut between "❤"
    // and its selector is taken as given, and still on a char boundary.
    let mut d = a.clone();
    d.split_sentence(1, 15).unwrap();
    assert_eq!(
        sentences(&d),
        ["Café 🎉", "naïve déjà vu ❤", "\u{fe0f} soirée.", "Fin."]
    );
    d.validate().unwrap();
}

#[test]
fn join_refuses_the_last_sentence_of_a_block() {
    let mut a = article(TWO_PARAGRAPHS);
    let before = a.clone();
    let err = a.join_with_next(2).unwrap_err();
    assert!(err.contains("different paragraphs"), "{err}");
    let err = a.join_with_next(4).unwrap_err();
    assert!(err.contains("last one"), "{err}");
    assert_eq!(a, before);
}

#[test]
fn join_and_split_refuse_sentences_out_of_range() {
    let mut a = article(TWO_PARAGRAPHS);
    let before = a.clone();
    let err = a.join_with_next(5).unwrap_err();
    assert!(err.contains("no sentence 5"), "{err}");
    let err = a.split_sentence(99, 1).unwrap_err();
    assert!(err.contains("no sentence 99"), "{err}");
    assert_eq!(a, before);
}

#[test]
fn split_refuses_empty_parts_and_positions_past_the_end() {
    let mut a = article("One two. Three four.");
    let before = a.clone();
    let len = "One two.".chars().count();
    for at in [0, len] {
        let err = a.split_sentence(0, at).unwrap_err();
        assert!(err.contains("empty part"), "at {at}: {err}");
    }
    let err = a.split_sentence(0, len + 1).unwrap_err();
    assert!(err.contains("past the end"), "{err}");
    let mut joined = article("One. Two.");
    joined.join_with_next(0).unwrap();
    // A cut at 0 or at the end of "One. Two." leaves an empty part.
    assert!(joined.split_sentence(0, 0).is_err());
    assert!(joined.split_sentence(0, 9).is_err());
    assert_eq!(a, before);
}

#[test]
fn corrections_change_no_text_and_keep_the_id() {
    let original = article(TWO_PARAGRAPHS);
    let mut a = original.clone();
    a.join_with_next(0).unwrap();
    a.join_with_next(0).unwrap();
    a.split_sentence(2, 4).unwrap();
    a.split_sentence(0, 3).unwrap();
    assert_ne!(a.blocks, original.blocks);
    assert_eq!(texts(&a), texts(&original));
    assert_eq!(a.id, original.id);
    a.validate().unwrap();
    // The rebuilt fingerprint agrees: the same content, the same id.
    let rebuilt = article(TWO_PARAGRAPHS);
    assert_eq!(a.id, rebuilt.id);
}

#[test]
fn validate_passes_after_every_possible_correction() {
    let text = "Dr. Ng met Ms. Ortiz at 5 p.m. on Jan. 4. « Vraiment ? » dit-elle. \
                Il a dit: 🎉 oui!\n\n一つ目。二つ目！ Done... Really.";
    let original = article(text);
    let n = original.sentence_count();
    for s in 0..n {
        let mut a = original.clone();
        match a.join_with_next(s) {
            Ok(()) => {
                assert_eq!(a.sentence_count(), n - 1);
                a.validate().unwrap();
            }
            Err(_) => assert_eq!(a, original),
        }
        let (b, i) = original.sentence_location(s).unwrap();
        let chars = original.blocks[b]
            .sentence_texts()
            .nth(i)
            .unwrap()
            .chars()
            .count();
        for at in 0..=chars + 1 {
            let mut a = original.clone();
            match a.split_sentence(s, at) {
                Ok(()) => {
                    assert_eq!(a.sentence_count(), n + 1, "sentence {s} at {at}");
                    a.validate().unwrap();
                    assert_eq!(a.id, original.id);
                    a.join_with_next(s).unwrap();
                    // Rejoined: the same span as before.
                    assert_eq!(a, original, "sentence {s} at {at}");
                }
                Err(_) => assert_eq!(a, original, "sentence {s} at {at}"),
            }
        }
    }
}
