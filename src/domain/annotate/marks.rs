//! What each sentence shows: the per-sentence view of an article's
//! annotations, for the reader.
//!
//! [`MarksIndex`] files each annotation under the sentences it touches,
//! so after an edit the reader works out again, and repaints, only the
//! sentences whose [`SentenceMarks`] changed. Places come from annotation positions (code
//! points), not stored sentence indices, so the marks follow the text when
//! sentence boundaries are corrected.

use crate::domain::annotate::annotation::{Annotation, Colour};
use crate::domain::annotate::set::{AnnotationSet, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::text::fold::eq_folded;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A highlighted part of a sentence (an exact-span annotation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// First code point, counted from the sentence start.
    pub start: u32,
    /// One past the last code point, from the sentence start.
    pub end: u32,
    /// The colours over it, topmost (newest) first.
    pub colours: Vec<Colour>,
}

/// What one sentence shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentenceMarks {
    /// Whole-sentence highlight colours, topmost (newest) first.
    pub colours: Vec<Colour>,
    /// Tags of every annotation touching the sentence, once each.
    pub tags: Vec<String>,
    /// Whether a note marker follows the sentence (it ends an annotation
    /// with a note).
    pub note: bool,
    /// Highlighted parts, in order, not overlapping.
    pub parts: Vec<Part>,
    /// Whether an annotation over it kept versions from a sync conflict
    /// (see [`crate::domain::sync::conflict`]).
    pub conflict: bool,
}

impl SentenceMarks {
    /// Whether the sentence shows nothing.
    pub fn is_empty(&self) -> bool {
        self.colours.is_empty()
            && self.tags.is_empty()
            && !self.note
            && self.parts.is_empty()
            && !self.conflict
    }

    /// The sentence text cut at part boundaries: `(text, colours)` pieces in
    /// order, `colours` empty for unhighlighted text.
    pub fn pieces<'t>(&self, text: &'t str) -> Vec<(&'t str, &[Colour])> {
        let mut out = Vec::new();
        let byte = |cp: u32| {
            text.char_indices()
                .nth(cp as usize)
                .map(|(i, _)| i)
                .unwrap_or(text.len())
        };
        let mut at = 0;
        for p in &self.parts {
            let (s, e) = (byte(p.start), byte(p.end));
            if s > at {
                out.push((&text[at..s], &[][..]));
            }
            if e > s {
                out.push((&text[s..e], &p.colours[..]));
            }
            at = at.max(e);
        }
        if at < text.len() || out.is_empty() {
            out.push((&text[at..], &[][..]));
        }
        out
    }
}

/// The marks of every sentence of the article.
pub fn sentence_marks(
    map: &TextMap,
    set: &AnnotationSet,
    tag_colours: &TagColours,
) -> Vec<SentenceMarks> {
    let index = MarksIndex::new(map, set);
    (0..map.len())
        .map(|i| index.marks(map, set, tag_colours, i))
        .collect()
}

/// Which annotations cover each sentence, kept up to date one annotation
/// at a time, so that after an edit only the sentences it touches are
/// worked out again: [`MarksIndex::update`] costs O(what changed), not
/// O(annotations).
///
/// Invariant: `cover[i]` holds, ordered by (created, id), exactly the
/// anchored live annotations of the set whose position touches sentence
/// `i`, as of the last `new` or `update`; `at` has the sentence range each
/// was filed under.
#[derive(Clone, Debug, Default)]
pub struct MarksIndex {
    /// Per sentence: (created, id) of each annotation over it, sorted.
    /// One allocation per id, shared by its entries here and in `at`.
    cover: Vec<Vec<(DateTime<Utc>, Rc<str>)>>,
    at: BTreeMap<Rc<str>, (usize, usize, DateTime<Utc>)>,
}

impl MarksIndex {
    /// Files every anchored annotation of `set` under its sentences.
    pub fn new(map: &TextMap, set: &AnnotationSet) -> Self {
        let mut index = Self {
            cover: vec![Vec::new(); map.len()],
            at: BTreeMap::new(),
        };
        for a in set.anchored() {
            index.file(map, a);
        }
        for c in &mut index.cover {
            c.sort();
            c.shrink_to_fit();
        }
        index
    }

    fn file(&mut self, map: &TextMap, a: &Annotation) -> Option<(usize, usize)> {
        let pos = a.target.position;
        let (first, last) = map.sentences_in(pos.start, pos.end)?;
        let id: Rc<str> = Rc::from(a.id.as_str());
        for c in &mut self.cover[first..=last] {
            c.push((a.created, id.clone()));
        }
        self.at.insert(id, (first, last, a.created));
        Some((first, last))
    }

    /// Files the annotations with these ids again, as they are in `set`
    /// now (changed, added or gone), and returns the sentences whose marks
    /// may have changed, in order.
    pub fn update<'a>(
        &mut self,
        map: &TextMap,
        set: &AnnotationSet,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Vec<usize> {
        let mut touched = Vec::new();
        for id in ids {
            if let Some((first, last, created)) = self.at.remove(id) {
                for c in &mut self.cover[first..=last] {
                    if let Ok(k) = c.binary_search_by(|(t, i)| (t, &**i).cmp(&(&created, id))) {
                        c.remove(k);
                    }
                }
                touched.extend(first..=last);
            }
            if let Some(a) = set.get(id).filter(|a| !a.orphan)
                && let Some((first, last)) = self.file(map, a)
            {
                for c in &mut self.cover[first..=last] {
                    // Only the entry just pushed can be out of order.
                    let mut k = c.len() - 1;
                    while k > 0 && c[k - 1] > c[k] {
                        c.swap(k - 1, k);
                        k -= 1;
                    }
                }
                touched.extend(first..=last);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        touched
    }

    /// The ids of the annotations over sentence `i`.
    pub fn covering(&self, i: usize) -> impl Iterator<Item = &str> {
        self.cover.get(i).into_iter().flatten().map(|(_, id)| &**id)
    }

    /// What sentence `i` shows.
    pub fn marks(
        &self,
        map: &TextMap,
        set: &AnnotationSet,
        tag_colours: &TagColours,
        i: usize,
    ) -> SentenceMarks {
        let mut m = SentenceMarks::default();
        let (Some(place), Some(cover)) = (map.sentence(i), self.cover.get(i)) else {
            return m;
        };
        let mut raw_parts: Vec<(u32, u32, Colour)> = Vec::new();
        for a in cover.iter().filter_map(|(_, id)| set.get(id)) {
            let pos = a.target.position;
            let colour = tag_colours.effective(a);
            // Positions decide, not the kind: after a boundary correction
            // a sentence target may cover only part of a joined sentence.
            if pos.start <= place.start && place.end <= pos.end {
                m.colours.insert(0, colour);
            } else {
                let s = pos.start.max(place.start) - place.start;
                let e = pos.end.min(place.end) - place.start;
                if e > s {
                    raw_parts.push((s, e, colour));
                }
            }
            for t in &a.tags {
                if !m.tags.iter().any(|x| eq_folded(x, t)) {
                    m.tags.push(t.clone());
                }
            }
            let last = self.at.get(a.id.as_str()).map(|r| r.1);
            if last == Some(i) && !a.note.trim().is_empty() {
                m.note = true;
            }
        }
        if raw_parts.is_empty() {
            return m;
        }
        let mut cuts: Vec<u32> = raw_parts.iter().flat_map(|p| [p.0, p.1]).collect();
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let (s, e) = (w[0], w[1]);
            // Newest (last added) on top.
            let colours: Vec<Colour> = raw_parts
                .iter()
                .rev()
                .filter(|p| p.0 <= s && e <= p.1)
                .map(|p| p.2)
                .collect();
            if colours.is_empty() {
                continue;
            }
            match m.parts.last_mut() {
                Some(prev) if prev.end == s && prev.colours == colours => prev.end = e,
                _ => m.parts.push(Part {
                    start: s,
                    end: e,
                    colours,
                }),
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotate::annotation::{Annotation, Target};
    use crate::domain::article::{Article, NewArticle};
    use crate::domain::import::parse_text;
    use chrono::{DateTime, TimeDelta};

    fn setup() -> (TextMap, AnnotationSet) {
        let a = Article::build(
            parse_text("Alpha one. Beta two. Gamma three.\n\nDelta four."),
            NewArticle::default(),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        (TextMap::new(&a), AnnotationSet::new(&a.id))
    }

    fn add(set: &mut AnnotationSet, id: &str, target: Target, colour: Colour, at: i64) {
        let now = DateTime::UNIX_EPOCH + TimeDelta::seconds(at);
        set.put(Annotation::new(id.into(), "x", target, colour, now));
    }

    #[test]
    fn overlapping_sentence_highlights_stack_newest_on_top() {
        let (m, mut s) = setup();
        add(
            &mut s,
            "a",
            Target::sentences(&m, 0, 1).unwrap(),
            Colour::Yellow,
            1,
        );
        add(
            &mut s,
            "b",
            Target::sentences(&m, 1, 3).unwrap(),
            Colour::Blue,
            2,
        );
        let marks = sentence_marks(&m, &s, &TagColours::default());
        assert_eq!(marks[0].colours, [Colour::Yellow]);
        assert_eq!(marks[1].colours, [Colour::Blue, Colour::Yellow]);
        assert_eq!(marks[3].colours, [Colour::Blue]);
    }

    #[test]
    fn tags_show_on_every_touched_sentence_and_the_note_marker_after_the_last() {
        let (m, mut s) = setup();
        let mut a = Annotation::new(
            "a".into(),
            "x",
            Target::sentences(&m, 0, 1).unwrap(),
            Colour::Green,
            DateTime::UNIX_EPOCH,
        );
        a.tags = vec!["Navy".into()];
        a.note = "why?".into();
        s.put(a);
        let marks = sentence_marks(&m, &s, &TagColours::default());
        assert_eq!(marks[0].tags, ["Navy"]);
        assert_eq!(marks[1].tags, ["Navy"]);
        assert!(!marks[0].note && marks[1].note);
        assert!(marks[2].is_empty());
    }

    #[test]
    fn exact_spans_become_parts_and_a_fully_covered_sentence_is_whole() {
        let (m, mut s) = setup();
        // "one. Beta two. Gamma" — from inside sentence 0 to inside sentence 2.
        let start = 6;
        let span = Target::span(&m, start, 26).unwrap();
        assert_eq!(span.quote.exact, "one. Beta two. Gamma");
        add(&mut s, "a", span, Colour::Pink, 1);
        add(
            &mut s,
            "b",
            Target::span(&m, 21, 24).unwrap(),
            Colour::Blue,
            2,
        );
        let marks = sentence_marks(&m, &s, &TagColours::default());
        assert_eq!(
            marks[0].parts,
            [Part {
                start: 6,
                end: 10,
                colours: vec![Colour::Pink]
            }]
        );
        assert_eq!(marks[1].colours, [Colour::Pink]);
        assert_eq!(
            marks[2].parts,
            [
                Part {
                    start: 0,
                    end: 3,
                    colours: vec![Colour::Blue, Colour::Pink]
                },
                Part {
                    start: 3,
                    end: 5,
                    colours: vec![Colour::Pink]
                },
            ]
        );
        let text = m.sentence_text(2);
        let pieces = marks[2].pieces(text);
        assert_eq!(pieces.iter().map(|p| p.0).collect::<String>(), text);
        assert_eq!(pieces[0], ("Gam", &[Colour::Blue, Colour::Pink][..]));
        assert_eq!(pieces[2], (" three.", &[][..]));
    }

    #[test]
    fn a_sentence_target_inside_a_joined_sentence_shows_as_a_part() {
        let (m, mut s) = setup();
        add(
            &mut s,
            "a",
            Target::sentences(&m, 1, 1).unwrap(),
            Colour::Yellow,
            1,
        );
        let mut a = Article::build(
            parse_text("Alpha one. Beta two. Gamma three.\n\nDelta four."),
            NewArticle::default(),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        a.join_with_next(0).unwrap();
        let joined = TextMap::new(&a);
        let marks = sentence_marks(&joined, &s, &TagColours::default());
        assert!(marks[0].colours.is_empty());
        assert_eq!(
            marks[0].parts,
            [Part {
                start: 11,
                end: 20,
                colours: vec![Colour::Yellow]
            }]
        );
    }

    #[test]
    fn a_tag_colour_recolours_its_annotations() {
        let (m, mut s) = setup();
        let mut a = Annotation::new(
            "a".into(),
            "x",
            Target::sentences(&m, 2, 2).unwrap(),
            Colour::Yellow,
            DateTime::UNIX_EPOCH,
        );
        a.tags = vec!["key".into()];
        s.put(a);
        let mut tc = TagColours::default();
        tc.set("KEY", Some(Colour::Orange));
        assert_eq!(sentence_marks(&m, &s, &tc)[2].colours, [Colour::Orange]);
    }
}
