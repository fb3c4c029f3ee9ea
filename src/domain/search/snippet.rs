//! The sentences of one matching article that a result shows, each with
//! its matches marked.
//!
//! Sentences rank by how many distinct query words they hold (a note or
//! tag on the sentence counts for the sentence), then by how many of
//! their words match, then by their place in the article. A long sentence
//! is cut to a window around its first match.

use super::Query;
use super::index::Said;
use crate::domain::annotate::textmap::TextMap;

/// Longest snippet shown, in characters, before it is cut around its
/// first match.
pub const SNIPPET_CHARS: usize = 240;

/// Text with some byte ranges marked (the matches).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marked {
    /// The text.
    pub text: String,
    /// Byte ranges of `text` to mark, in order, not overlapping.
    pub marks: Vec<(usize, usize)>,
}

impl Marked {
    /// `text` with the words matching `query` marked, cut to a window of
    /// about `max_chars` characters around the first match.
    pub fn new(text: &str, query: &Query, max_chars: usize) -> Self {
        let found = query.find_in(text);
        cut(text, &found.marks, max_chars)
    }

    /// The pieces of the text in order, each with whether it is marked.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.marks {
            if s > at {
                out.push((&self.text[at..s], false));
            }
            out.push((&self.text[s..e], true));
            at = e;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out
    }
}

/// `text` cut to about `max_chars` characters around its first mark, with
/// "…" where something was left out, and the marks moved to match.
fn cut(text: &str, marks: &[(usize, usize)], max_chars: usize) -> Marked {
    let chars = text.chars().count();
    if chars <= max_chars {
        return Marked {
            text: text.to_owned(),
            marks: marks.to_vec(),
        };
    }
    let first = marks.first().map_or(0, |m| m.0);
    // Start a fifth of the window before the first match, at a space.
    let lead = max_chars / 5;
    let before = text[..first].chars().count();
    let mut start = if before > lead {
        text[..first]
            .char_indices()
            .nth(before - lead)
            .map_or(0, |(i, _)| i)
    } else {
        0
    };
    if start > 0 {
        start = text[start..first]
            .find(' ')
            .map_or(start, |i| start + i + 1);
    }
    let mut end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| start + i);
    if end < text.len()
        && let Some(sp) = text[start..end].rfind(' ')
        && start + sp > first
    {
        end = start + sp;
    }
    let lead_dots = if start > 0 { "…" } else { "" };
    let tail_dots = if end < text.len() { "…" } else { "" };
    let shift = lead_dots.len();
    let marks = marks
        .iter()
        .filter(|(s, e)| *s >= start && *e <= end)
        .map(|(s, e)| (s - start + shift, e - start + shift))
        .collect();
    Marked {
        text: format!("{lead_dots}{}{tail_dots}", &text[start..end]),
        marks,
    }
}

/// One sentence a result shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentenceHit {
    /// The sentence's index in the article.
    pub sentence: usize,
    /// How many distinct query words it holds, with its notes and tags.
    pub terms: u32,
    /// The sentence, matches marked.
    pub text: Marked,
    /// A note or tag on the sentence that matches, marked.
    pub said: Option<Marked>,
}

/// The best `limit` sentences of an article for `query` (see the module
/// docs), given its text and what its annotations say.
pub fn sentence_hits(
    map: &TextMap,
    query: &Query,
    said: &[Said],
    limit: usize,
) -> Vec<SentenceHit> {
    if query.is_empty() || limit == 0 {
        return Vec::new();
    }
    // What the annotations say, by the sentence they start in.
    let mut said_at: Vec<(usize, u32, u32, &Said)> = Vec::new();
    for s in said {
        let f = query.find_in(&s.text);
        if f.mask != 0
            && let Some((first, _)) = map.sentences_in(s.at, s.at + 1)
        {
            said_at.push((first, f.mask, f.hits, s));
        }
    }
    let mut ranked: Vec<(u32, u32, usize, Option<&Said>)> = Vec::new();
    for i in 0..map.len() {
        let f = query.find_in(map.sentence_text(i));
        let mut mask = f.mask;
        let mut hits = f.hits;
        let mut best_said = None;
        for (_, m, h, s) in said_at.iter().filter(|x| x.0 == i) {
            mask |= m;
            hits += h;
            best_said.get_or_insert(*s);
        }
        if mask != 0 {
            ranked.push((mask.count_ones(), hits, i, best_said));
        }
    }
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    ranked
        .into_iter()
        .take(limit)
        .map(|(terms, _, i, said)| SentenceHit {
            sentence: i,
            terms,
            text: Marked::new(map.sentence_text(i), query, SNIPPET_CHARS),
            said: said.map(|s| Marked::new(&s.text, query, SNIPPET_CHARS / 2)),
        })
        .collect()
}
