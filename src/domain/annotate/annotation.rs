//! The annotation model: what a reader marked, where, and what they said.
//!
//! An [`Annotation`] targets either whole sentences or an exact span inside
//! or across them. Its [`Target`] keeps three descriptions of the place, so
//! it can be found again even if sentence boundaries change:
//! - the sentence range (global sentence indices, inclusive), derived;
//! - a [`Position`] in Unicode code points of the article text (see
//!   [`crate::domain::annotate::textmap`]), the source of truth;
//! - a [`Quote`]: the exact text and about 32 code points of context on
//!   each side.
//!
//! Ids and times are passed in by the caller; nothing here reads a clock.

use crate::domain::annotate::textmap::TextMap;
use crate::domain::text::fold::{eq_folded, fold};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The six highlight colours, in the order of the `1`–`6` shortcuts.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    /// Key `1`, the default.
    #[default]
    Yellow,
    /// Key `2`.
    Green,
    /// Key `3`.
    Blue,
    /// Key `4`.
    Pink,
    /// Key `5`.
    Purple,
    /// Key `6`.
    Orange,
}

impl Colour {
    /// All colours, in shortcut order.
    pub const ALL: [Colour; 6] = [
        Colour::Yellow,
        Colour::Green,
        Colour::Blue,
        Colour::Pink,
        Colour::Purple,
        Colour::Orange,
    ];

    /// The colour's name, as used in `data-highlight` and the formats.
    pub fn name(self) -> &'static str {
        match self {
            Colour::Yellow => "yellow",
            Colour::Green => "green",
            Colour::Blue => "blue",
            Colour::Pink => "pink",
            Colour::Purple => "purple",
            Colour::Orange => "orange",
        }
    }

    /// The colour with this name.
    pub fn from_name(name: &str) -> Option<Colour> {
        Colour::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The colour for shortcut key `1`–`6`.
    pub fn from_digit(key: char) -> Option<Colour> {
        let n = key.to_digit(10)? as usize;
        (1..=6).contains(&n).then(|| Colour::ALL[n - 1])
    }

    /// Its shortcut key, `1`–`6`.
    pub fn digit(self) -> char {
        let i = Colour::ALL.iter().position(|c| *c == self).unwrap_or(0);
        char::from(b'1' + i as u8)
    }
}

/// Whether a target is whole sentences or an exact span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// Whole sentences.
    #[default]
    Sentences,
    /// An exact character span (selected with Alt held, or in exact mode).
    Span,
}

impl TargetKind {
    /// Its name in exports: `sentences` or `span`.
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Sentences => "sentences",
            TargetKind::Span => "span",
        }
    }
}

/// The quoted text and its context (a W3C `TextQuoteSelector`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted text, exactly.
    pub exact: String,
    /// Up to 32 code points before it.
    pub prefix: String,
    /// Up to 32 code points after it.
    pub suffix: String,
}

/// A range of the article text in Unicode code points (a W3C
/// `TextPositionSelector`): `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    /// First code point.
    pub start: u32,
    /// One past the last code point.
    pub end: u32,
}

/// Where an annotation is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Whole sentences or an exact span.
    pub kind: TargetKind,
    /// First and last sentence touched (global indices, inclusive).
    pub sentences: [u32; 2],
    /// The text and its context.
    pub quote: Quote,
    /// The place in code points.
    pub position: Position,
}

impl Target {
    /// Whole sentences `first..=last`.
    pub fn sentences(map: &TextMap, first: usize, last: usize) -> Option<Target> {
        let (first, last) = (first.min(last), first.max(last));
        let (start, end) = map.range_of(first, last)?;
        Some(Self::build(
            map,
            TargetKind::Sentences,
            start,
            end,
            (first, last),
        ))
    }

    /// The exact span `start..end` (code points), trimmed of surrounding
    /// whitespace. `None` when it holds no sentence text.
    pub fn span(map: &TextMap, start: u32, end: u32) -> Option<Target> {
        let (mut start, mut end) = (start.min(end), start.max(end).min(map.char_len()));
        let text = map.slice(start, end);
        start += text.chars().take_while(|c| c.is_whitespace()).count() as u32;
        end -= text.chars().rev().take_while(|c| c.is_whitespace()).count() as u32;
        if end <= start {
            return None;
        }
        let range = map.sentences_in(start, end)?;
        // A span that is exactly whole sentences is a sentence target.
        if map.range_of(range.0, range.1) == Some((start, end)) {
            return Self::sentences(map, range.0, range.1);
        }
        Some(Self::build(map, TargetKind::Span, start, end, range))
    }

    /// The target of kind `kind` at `start..end` as the text is now: its
    /// sentences and quote derived from the position. `None` when the
    /// position is empty or outside every sentence.
    pub fn at(map: &TextMap, kind: TargetKind, start: u32, end: u32) -> Option<Target> {
        if end <= start || end > map.char_len() {
            return None;
        }
        let s = map.sentences_in(start, end)?;
        Some(Self::build(map, kind, start, end, s))
    }

    fn build(map: &TextMap, kind: TargetKind, start: u32, end: u32, s: (usize, usize)) -> Target {
        let (prefix, suffix) = map.context(start, end);
        Target {
            kind,
            sentences: [s.0 as u32, s.1 as u32],
            quote: Quote {
                exact: map.slice(start, end).to_owned(),
                prefix,
                suffix,
            },
            position: Position { start, end },
        }
    }

    /// Whether this target covers all of `other`.
    pub fn contains(&self, other: &Target) -> bool {
        self.position.start <= other.position.start && other.position.end <= self.position.end
    }

    /// Whether the two targets share any text.
    pub fn overlaps(&self, other: &Target) -> bool {
        self.position.start < other.position.end && other.position.start < self.position.end
    }

    /// Whether this target is at the same place as `other`.
    pub fn same_place(&self, other: &Target) -> bool {
        self.kind == other.kind && self.position == other.position
    }

    /// Re-derives the sentence range after boundaries changed; the
    /// position and quote stay as they are.
    pub fn resync(&mut self, map: &TextMap) {
        self.sentences = self.synced_sentences(map);
    }

    /// The sentence range [`Target::resync`] would give, without changing
    /// anything.
    pub fn synced_sentences(&self, map: &TextMap) -> [u32; 2] {
        match map.sentences_in(self.position.start, self.position.end) {
            Some((a, b)) => [a as u32, b as u32],
            None => self.sentences,
        }
    }
}

/// One annotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// A UUID (version 4), made at the edge (see [`uuid_v4`]).
    pub id: String,
    /// The article's id (its content fingerprint).
    pub article: String,
    /// Where it is.
    pub target: Target,
    /// The highlight colour.
    pub colour: Colour,
    /// Tags, each trimmed, unique ignoring case, as first typed.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The note; empty when there is none.
    #[serde(default)]
    pub note: String,
    /// When it was made.
    #[serde(with = "crate::domain::time::rfc3339")]
    pub created: DateTime<Utc>,
    /// When it last changed.
    #[serde(with = "crate::domain::time::rfc3339")]
    pub updated: DateTime<Utc>,
    /// Whether its text could not be found again after the article's text
    /// changed (see [`crate::domain::annotate::anchor`]). An orphan keeps its old target for
    /// reference, is not shown in the text, and is listed under
    /// "Unanchored" until the reader attaches it by hand or deletes it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub orphan: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Annotation {
    /// A new annotation with no tags and no note.
    pub fn new(
        id: String,
        article: &str,
        target: Target,
        colour: Colour,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            article: article.to_owned(),
            target,
            colour,
            tags: Vec::new(),
            note: String::new(),
            created: now,
            updated: now,
            orphan: false,
        }
    }

    /// Whether it has this tag, ignoring case.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| eq_folded(t, tag))
    }
}

/// Longest tag kept, in characters.
pub const MAX_TAG_CHARS: usize = 60;
/// Longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 20_000;

/// The tags typed in `input`, separated by commas: each trimmed, inner
/// whitespace collapsed to one space, cut to [`MAX_TAG_CHARS`], empty ones
/// dropped and repeats (ignoring case) kept once, as first typed.
pub fn parse_tags(input: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in input.split(',') {
        let tag: String = part
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_TAG_CHARS)
            .collect();
        let tag = tag.trim().to_owned();
        if !tag.is_empty() && !out.iter().any(|t| eq_folded(t, &tag)) {
            out.push(tag);
        }
    }
    out
}

/// `existing` with `added` appended, skipping tags it already has
/// (ignoring case). A tag that is already used elsewhere (in `known`,
/// ignoring case) takes that spelling, so a tag is displayed as it was
/// first typed across the library.
pub fn merge_tags(existing: &[String], added: &[String], known: &[String]) -> Vec<String> {
    let mut out = existing.to_vec();
    for tag in added {
        if out.iter().any(|t| eq_folded(t, tag)) {
            continue;
        }
        let spelled = known
            .iter()
            .find(|k| eq_folded(k, tag))
            .cloned()
            .unwrap_or_else(|| tag.clone());
        out.push(spelled);
    }
    out
}

/// The note as stored: trailing whitespace removed, at most
/// [`MAX_NOTE_CHARS`] characters.
pub fn clean_note(note: &str) -> String {
    note.trim_end().chars().take(MAX_NOTE_CHARS).collect()
}

/// A version 4 UUID from 16 random bytes (the edge supplies them from
/// `crypto.getRandomValues`).
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    s
}

/// Whether `s` is a UUID in the 8-4-4-4-12 lowercase-or-uppercase hex form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The key a tag is compared and grouped by.
pub fn tag_key(tag: &str) -> String {
    fold(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::article::{Article, NewArticle};
    use crate::domain::import::parse_text;

    fn map(text: &str) -> TextMap {
        let a = Article::build(
            parse_text(text),
            NewArticle::default(),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        TextMap::new(&a)
    }

    #[test]
    fn tags_are_trimmed_collapsed_and_unique_ignoring_case_as_first_typed() {
        assert_eq!(
            parse_tags("  Economy , economy,  war   crimes ,, ÉTÉ, été,\t"),
            ["Economy", "war crimes", "ÉTÉ"]
        );
        assert_eq!(parse_tags(" , ,"), Vec::<String>::new());
        assert_eq!(parse_tags(&"x".repeat(100))[0].len(), MAX_TAG_CHARS);
        assert_eq!(parse_tags("a\u{7}b"), ["ab"]);
    }

    #[test]
    fn merging_tags_keeps_existing_ones_and_the_library_spelling() {
        let known = vec!["Kursk".to_owned(), "Navy".to_owned()];
        let merged = merge_tags(
            &["navy".to_owned()],
            &parse_tags("NAVY, kursk, new one"),
            &known,
        );
        assert_eq!(merged, ["navy", "Kursk", "new one"]);
    }

    #[test]
    fn colours_map_to_digits_and_names_both_ways() {
        for (i, c) in Colour::ALL.into_iter().enumerate() {
            assert_eq!(Colour::from_digit(c.digit()), Some(c));
            assert_eq!(c.digit(), char::from(b'1' + i as u8));
            assert_eq!(Colour::from_name(c.name()), Some(c));
        }
        assert_eq!(Colour::from_digit('0'), None);
        assert_eq!(Colour::from_digit('7'), None);
        assert_eq!(Colour::from_name("red"), None);
    }

    #[test]
    fn uuid_v4_has_the_version_and_variant_bits() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert!(is_uuid(&id));
        assert!(is_uuid(&uuid_v4([0; 16])));
        assert!(!is_uuid("not-a-uuid"));
    }

    #[test]
    fn a_sentence_target_quotes_the_sentences_with_context() {
        let m = map("First one. Second one! Third one?\n\nNext block.");
        let t = Target::sentences(&m, 2, 1).unwrap();
        assert_eq!(t.kind, TargetKind::Sentences);
        assert_eq!(t.sentences, [1, 2]);
        assert_eq!(t.quote.exact, "Second one! Third one?");
        assert_eq!(t.quote.prefix, "First one. ");
        assert_eq!(t.quote.suffix, "\n\nNext block.");
        assert_eq!(t.position, Position { start: 11, end: 33 });
        assert!(Target::sentences(&m, 0, 9).is_none());
    }

    #[test]
    fn a_span_target_is_trimmed_and_a_whole_sentence_span_becomes_a_sentence_target() {
        let m = map("First one. Second one! Third one?");
        let t = Target::span(&m, 17, 9).unwrap();
        assert_eq!(t.kind, TargetKind::Span);
        assert_eq!(t.quote.exact, ". Second");
        assert_eq!(t.sentences, [0, 1]);
        let whole = Target::span(&m, 10, 23).unwrap();
        assert_eq!(whole.kind, TargetKind::Sentences);
        assert_eq!(whole.quote.exact, "Second one!");
        assert!(Target::span(&m, 10, 11).is_none());
    }

    #[test]
    fn resync_follows_changed_sentence_boundaries_without_moving_the_text() {
        let m = map("One. Two. Three.");
        let mut t = Target::sentences(&m, 2, 2).unwrap();
        let joined = map("One. Two.\n\nThree.");
        t.position = Position { start: 12, end: 18 };
        t.resync(&joined);
        assert_eq!(t.sentences, [2, 2]);
    }
}
