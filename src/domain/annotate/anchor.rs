//! Re-anchoring: finding each annotation again after an article's text
//! changed (an edited version replaced it, or annotations were imported for
//! an article whose text differs).
//!
//! A [`Target`] remembers its place by position (code points), by quote and
//! by up to 32 code points of context either side (see
//! [`crate::domain::annotate::annotation`]). Positions go stale as soon as anything before
//! them changes; the quote and its context are what survive an edit.
//! [`Anchorer::new`] reads the new text once; [`Anchorer::find`] then
//! looks for each old target in three steps, cheapest first:
//!
//! 1. **Kept.** The old position still holds the quote. When the context
//!    there is unchanged too, that is the answer at once.
//! 2. **Exact elsewhere (moved).** Every exact occurrence of the quote is
//!    found through a word index of the new text (by the rarest word
//!    wholly inside the quote). A copy whose 64 code points of context are
//!    unchanged wins outright (the nearest, if several). Otherwise copies
//!    are ranked by how well the text around each agrees with the old
//!    prefix and suffix (edit distance), then by distance to the old
//!    position: a repeated phrase keeps to the copy whose surroundings
//!    match even when another copy is nearer (a paragraph was inserted
//!    before it). Copies within [`CONTEXT_TIE`] of the best context are
//!    equally plausible: the old position wins among them (step 1); copies
//!    in identical surroundings go by distance; otherwise they are tied,
//!    and the annotation is orphaned unless an edited match beats them.
//! 3. **Fuzzy.** Edits inside the quote. Every word of the quote, prefix
//!    and suffix that is in the new text votes for the place the quote
//!    would start at (rarer words weigh more; very common words are
//!    skipped: rarest first, within a budget of postings). Text written
//!    without spaces (Chinese, Japanese, Thai…) is indexed by character
//!    pairs instead of words; a quote with no indexed word at all (emoji,
//!    punctuation) is located by scanning for fragments of it. In a
//!    window around each of the few best-voted places (and the old
//!    position), prefix, quote and suffix are aligned together over
//!    characters (edit distance, semi-global: all of the pattern against
//!    the best part of the window), which places the quote's ends by its
//!    context: a word added at the end of a quote is taken in. A cheap
//!    cost-only pass turns most windows away first.
//!
//! Every candidate place gets a **score** in per mille: the quote's
//! similarity (1000 minus its edit distance per mille of the longer of old
//! and new) and the context's similarity, weighted by length. The quote
//! weighs twice its length up to 64 code points, then a quarter of each
//! further one (at most 256 in all), against one per context code point
//! (at most 64): a sentence is strong evidence on its own, a section
//! stronger still; a short span needs its surroundings.
//!
//! **Thresholds** (chosen on the fixtures in `tests/fixtures/anchoring/`,
//! erring towards orphaning):
//! - an exact copy at the old position is always accepted;
//! - an exact copy elsewhere needs [`MIN_MOVED_SCORE`] (600): a sentence
//!   of about 50 code points or more may move anywhere, but a moved word
//!   or short phrase needs some of its surroundings to agree, or it is
//!   more likely another use of the same words;
//! - a fuzzy match needs [`MIN_FUZZY_QUOTE`] (650) on the quote alone and
//!   [`MIN_FUZZY_SCORE`] (750) overall: a sentence with a word or two
//!   changed, added or removed passes; a rewritten one does not, even in
//!   its old surroundings.
//!
//! Anything else is **orphaned**, with a reason for the reader. It never
//! attaches silently to the wrong text: when the best place and the best
//! other place that does not overlap it and holds most of the quote score
//! within [`AMBIGUITY_MARGIN`] (40) of each other, the annotation is
//! orphaned as ambiguous. Exact copies and edited matches compete on the
//! same scores, so an annotated sentence that was edited while an
//! identical sentence stands elsewhere, in other surroundings, follows
//! the edit rather than jumping to the look-alike.
//!
//! A target of whole sentences is snapped to the sentences the match
//! covers in the new text (whose boundaries may differ from the old),
//! leaving out an edge sentence the match only grazes (less than a quarter
//! of it); a span target is the matched span. Either is rebuilt on the new
//! [`TextMap`], so its sentence range, quote and context are fresh.
//!
//! **Cost.** [`Anchorer::new`] keeps the new text as a `Vec<char>` (code
//! points index it directly) and a sorted index of its words and
//! character pairs. Each [`Anchorer::find`] costs a few index look-ups
//! and, only when no copy in unchanged surroundings exists, context
//! alignments of at most [`MAX_EXACT`] copies and alignments in at most
//! six windows a little longer than the quote and its context. Work is
//! capped for long quotes: beyond [`LONG_QUOTE_CHARS`] (400) code points
//! only the first and last [`EDGE_CHARS`] (200) are aligned, each with
//! its side's context, and the length between them is checked; the middle
//! is not compared (a long quote whose middle was rewritten but whose
//! ends and length stand is taken as found).
//!
//! **Limits.** The context is only 32 code points either side. Where a
//! quote and its surroundings recur nearly verbatim (boilerplate repeated
//! through an article) and the annotated copy's own surroundings were
//! edited, another copy can agree better and be chosen.
//!
//! Everything here is deterministic; scores are integers (no float is
//! ever formatted; `f32` only weighs votes).

use crate::domain::annotate::annotation::{Target, TargetKind};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::text::fold::fold_char;
use crate::domain::text::unspaced;

/// Least score (per mille) for an exact copy of the quote away from its
/// old position.
pub const MIN_MOVED_SCORE: u16 = 600;

/// Least similarity (per mille) of the quote alone for a fuzzy match:
/// at most 35 % of its characters edited.
pub const MIN_FUZZY_QUOTE: u16 = 650;

/// Least score (per mille) of a fuzzy match, quote and context together.
pub const MIN_FUZZY_SCORE: u16 = 750;

/// When the two best non-overlapping places score within this many per
/// mille of each other (and they are not both exact copies), the
/// annotation is orphaned as ambiguous.
pub const AMBIGUITY_MARGIN: u16 = 40;

/// Exact copies whose context agreement (per mille) is within this of
/// the best copy's are told apart by nothing better than chance (about
/// four of 64 context characters): see [`Anchorer::find`].
pub const CONTEXT_TIE: u16 = 60;

/// Quotes longer than this (code points) are aligned by their first and
/// last [`EDGE_CHARS`] code points only.
pub const LONG_QUOTE_CHARS: usize = 400;

/// How much of each end of a long quote is aligned.
pub const EDGE_CHARS: usize = 200;

/// How many voted places are aligned per annotation.
const CANDIDATES: usize = 5;
/// At most this many exact occurrences are scored on their context (the
/// ones whose neighbouring characters agree most, and the nearest).
pub const MAX_EXACT: usize = 24;
/// Words with at most this many places in the new text always vote.
const RARE_POSTINGS: usize = 64;
/// Beyond the rare words, votes stop at this many places in all.
const VOTE_BUDGET: usize = 8192;
/// Votes are counted in buckets of this many code points.
const BUCKET: i64 = 8;
/// At most this many places per fragment when scanning for fragments.
const MAX_FRAGMENT_HITS: usize = 4096;

/// Why an annotation could not be placed: the quote is gone.
const GONE: &str = "the quoted text is no longer in the article";
/// Why: only copies of the quote in other surroundings remain.
const ELSEWHERE: &str = "the quoted text only appears elsewhere, in different surroundings";
/// Why: ambiguous.
const AMBIGUOUS: &str = "two places match equally well";
/// Why: nothing to look for.
const EMPTY: &str = "the annotation has no quoted text";
/// Why: the match is outside every sentence.
const NO_SENTENCE: &str = "the matching text is not part of any sentence";

/// How an annotation was found in the new text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// The quote is still at its old position.
    Kept,
    /// The exact quote is elsewhere.
    Moved,
    /// An approximate match: the quote was edited.
    Fuzzy,
}

/// The outcome of re-anchoring one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchoring {
    /// Found: the target rebuilt on the new text.
    Anchored {
        /// The new target (fresh sentences, quote, context, position).
        target: Target,
        /// Kept, moved or fuzzy.
        how: How,
        /// Confidence in per mille (quote and context agreement).
        score: u16,
    },
    /// Not found with enough confidence.
    Orphaned {
        /// A reason for the reader.
        reason: String,
    },
}

impl Anchoring {
    /// The new target, when found.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Anchoring::Anchored { target, .. } => Some(target),
            Anchoring::Orphaned { .. } => None,
        }
    }

    /// How it was found, when it was.
    pub fn how(&self) -> Option<How> {
        match self {
            Anchoring::Anchored { how, .. } => Some(*how),
            Anchoring::Orphaned { .. } => None,
        }
    }

    fn orphan(reason: &str) -> Self {
        Anchoring::Orphaned {
            reason: reason.to_owned(),
        }
    }
}

/// Counts of outcomes, for a report to the reader.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// At their old position.
    pub kept: usize,
    /// The exact quote, elsewhere.
    pub moved: usize,
    /// An edited quote.
    pub fuzzy: usize,
    /// Not found.
    pub orphaned: usize,
}

impl Report {
    /// Counts one outcome.
    pub fn add(&mut self, outcome: &Anchoring) {
        match outcome {
            Anchoring::Anchored { how: How::Kept, .. } => self.kept += 1,
            Anchoring::Anchored {
                how: How::Moved, ..
            } => self.moved += 1,
            Anchoring::Anchored {
                how: How::Fuzzy, ..
            } => self.fuzzy += 1,
            Anchoring::Orphaned { .. } => self.orphaned += 1,
        }
    }

    /// All outcomes counted.
    pub fn total(&self) -> usize {
        self.kept + self.moved + self.fuzzy + self.orphaned
    }
}

/// One indexed word (or character pair) of a text.
#[derive(Clone, Copy, Debug)]
struct Token {
    key: u64,
    /// First code point.
    start: usize,
    /// Length in code points.
    len: usize,
}

/// A hash of characters, ignoring case (FNV-1a over folded code points).
fn key_of(chars: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        h ^= u64::from(u32::from(fold_char(c)));
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The words of `chars` (runs of letters and digits) and, in unspaced
/// scripts, every pair of neighbouring characters (a lone one by itself).
fn tokens(chars: &[char], mut each: impl FnMut(Token)) {
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if unspaced(c) {
            let s = i;
            while i < n && unspaced(chars[i]) {
                i += 1;
            }
            if i - s == 1 {
                each(Token {
                    key: key_of(&chars[s..i]),
                    start: s,
                    len: 1,
                });
            }
            for k in s..i.saturating_sub(1) {
                each(Token {
                    key: key_of(&chars[k..k + 2]),
                    start: k,
                    len: 2,
                });
            }
        } else if c.is_alphanumeric() {
            let s = i;
            while i < n && chars[i].is_alphanumeric() && !unspaced(chars[i]) {
                i += 1;
            }
            each(Token {
                key: key_of(&chars[s..i]),
                start: s,
                len: i - s,
            });
        } else {
            i += 1;
        }
    }
}

/// Edit distance of all of `pattern` against a prefix of `text` (the text
/// is anchored at its start, free at its end), with `same(i, j)` telling
/// whether pattern character `i` equals text character `j`.
fn edge_cost(m: usize, n: usize, same: impl Fn(usize, usize) -> bool) -> usize {
    let mut prev: Vec<usize> = (0..n + 1).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..m + 1 {
        cur[0] = i;
        for j in 1..n + 1 {
            let diag = prev[j - 1] + usize::from(!same(i - 1, j - 1));
            cur[j] = diag.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.into_iter().min().unwrap_or(m)
}

/// One cell of [`align`]: the cost so far, the part of it paid in the
/// context, and where the path crossed the quote's start and end.
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    cost: u32,
    context: u32,
    start: u32,
    end: u32,
}

impl Cell {
    /// This cell extended by one step costing `step`, paid in the
    /// context or in the quote.
    fn then(self, step: u32, in_context: bool) -> Cell {
        Cell {
            cost: self.cost + step,
            context: self.context + if in_context { step } else { 0 },
            ..self
        }
    }

    /// The order of paths: cheaper first, then the one whose context
    /// agrees better.
    fn key(&self) -> (u32, u32) {
        (self.cost, self.context)
    }
}

/// Where the quote lies in a window, and what its alignment cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Alignment {
    /// The quote's span in the window.
    start: usize,
    end: usize,
    /// Edit distance of the quote.
    quote_cost: usize,
    /// Edit distance of the context around it.
    context_cost: usize,
}

/// Semi-global alignment of `prefix + quote + suffix` (`pattern`, of which
/// the first `p` characters are the prefix and the next `q` the quote,
/// all of it aligned) against the best-matching part of `text`, by edit
/// distance with unit costs, tracking where the quote begins and ends on
/// the best path. Aligning the context with the quote places the quote's
/// ends right: a word added at the end of a quote is taken in, not traded
/// for a cheaper substitution. Among paths of equal cost, the one whose
/// context agrees better wins (an inserted word belongs to the quote, not
/// to a mismatched context). `None` when the distance would exceed
/// `max_cost` (given up as soon as a whole row exceeds it).
fn align(
    pattern: &[char],
    p: usize,
    q: usize,
    text: &[char],
    max_cost: usize,
) -> Option<Alignment> {
    let n = text.len();
    // Row `i` has consumed `i` pattern characters. Consuming character
    // `i - 1` is paid in the context outside the quote's rows; a text
    // character skipped in row `i` is context at the quote's edges too.
    let consumed_in_context = |i: usize| i <= p || i > p + q;
    let skipped_in_context = |i: usize| i <= p || i >= p + q;
    let mut prev: Vec<Cell> = (0..n as u32 + 1)
        .map(|j| Cell {
            start: if p == 0 { j } else { 0 },
            ..Cell::default()
        })
        .collect();
    let mut cur = vec![Cell::default(); n + 1];
    for (i, &pc) in pattern.iter().enumerate() {
        let i = i + 1;
        let (consumed, skipped) = (consumed_in_context(i), skipped_in_context(i));
        cur[0] = prev[0].then(1, consumed);
        if i == p + q {
            cur[0].end = 0;
        }
        if i == p {
            cur[0].start = 0;
        }
        let mut row_min = cur[0].cost;
        let (mut diag, mut left) = (prev[0], cur[0]);
        // Zipped, not indexed: no bounds checks in the inner loop.
        for (j, ((cell, &up), &tc)) in cur[1..].iter_mut().zip(&prev[1..]).zip(text).enumerate() {
            let j = j as u32 + 1;
            let mut best = diag.then(u32::from(pc != tc), consumed);
            let from_up = up.then(1, consumed);
            if from_up.key() < best.key() {
                best = from_up;
            }
            let from_left = left.then(1, skipped);
            if from_left.key() < best.key() {
                best = from_left;
            } else if i == p + q {
                // Entered the quote's last row from above: the quote ends
                // here.
                best.end = j;
            }
            if i == p {
                // The quote starts where the path leaves the prefix's row.
                best.start = j;
            }
            *cell = best;
            diag = up;
            left = best;
            row_min = row_min.min(best.cost);
        }
        if row_min as usize > max_cost {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let best = prev.iter().min_by_key(|c| {
        (
            c.key(),
            (c.end as usize).abs_diff(c.start as usize + q),
            c.end,
        )
    })?;
    (best.cost as usize <= max_cost).then(|| Alignment {
        start: best.start as usize,
        end: best.end as usize,
        quote_cost: (best.cost - best.context) as usize,
        context_cost: best.context as usize,
    })
}

/// Whether all of `pattern` aligns somewhere in `text` within `max_cost`
/// edits: the cost-only pass of [`align`], several times cheaper, that
/// turns most candidate windows away.
fn within(pattern: &[char], text: &[char], max_cost: usize) -> bool {
    let n = text.len();
    let mut prev = vec![0u32; n + 1];
    let mut cur = vec![0u32; n + 1];
    for (i, &pc) in pattern.iter().enumerate() {
        cur[0] = i as u32 + 1;
        let (mut diag, mut left, mut row_min) = (prev[0], cur[0], cur[0]);
        // Zipped, not indexed: no bounds checks in the inner loop.
        for ((cell, &up), &tc) in cur[1..].iter_mut().zip(&prev[1..]).zip(text) {
            let c = (diag + u32::from(pc != tc)).min(up + 1).min(left + 1);
            *cell = c;
            diag = up;
            left = c;
            row_min = row_min.min(c);
        }
        if row_min as usize > max_cost {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    true
}

/// The most edits (quote and context together) a fuzzy match of a quote
/// of `q` code points with `context` code points of context can have and
/// still score within [`AMBIGUITY_MARGIN`] of [`MIN_FUZZY_SCORE`] (so
/// that it counts as a match or as a rival) with the quote over
/// [`MIN_FUZZY_QUOTE`]. Loose: the quote's similarity is reckoned against
/// up to twice its length.
fn cost_limit(q: usize, context: usize) -> usize {
    let q = q.max(1);
    let (wq, wc) = (quote_weight(q), context.min(64));
    let deficit = usize::from(1000 - (MIN_FUZZY_SCORE - AMBIGUITY_MARGIN)) * (wq + wc);
    // What one edit costs the score at least, in the quote or the context.
    let per_quote = (500 * wq / q).max(1);
    let per_context = (1000 * wc)
        .checked_div(context)
        .map_or(usize::MAX, |u| u.max(1));
    let by_score = deficit / per_quote.min(per_context);
    let by_floor = 2 * q * usize::from(1000 - MIN_FUZZY_QUOTE) / 1000 + context;
    by_score.min(by_floor)
}

/// `1000 × (1 − cost / len)`, clamped.
fn per_mille(cost: usize, len: usize) -> u16 {
    if len == 0 {
        return 1000;
    }
    1000u16.saturating_sub((cost.min(len) * 1000 / len) as u16)
}

/// How much the quote's similarity weighs against the context's (one per
/// context code point): twice its length up to 64 code points, then a
/// quarter of each further code point, at most 256 in all. A longer quote
/// is more evidence on its own.
fn quote_weight(q: usize) -> usize {
    2 * q.min(64) + (q.saturating_sub(64) / 4).min(128)
}

/// The score of a place: quote and context similarity weighted by length
/// (see the module docs).
fn combine(quote: u16, quote_len: usize, context: u16, context_len: usize) -> u16 {
    let wq = quote_weight(quote_len) as u32;
    let wc = context_len.min(64) as u32;
    if wq + wc == 0 {
        return quote;
    }
    ((wq * u32::from(quote) + wc * u32::from(context)) / (wq + wc)) as u16
}

/// A place the quote may be at; similarities and score in per mille.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    start: usize,
    end: usize,
    exact: bool,
    quote: u16,
    context: u16,
    score: u16,
}

impl Candidate {
    fn overlaps(&self, other: &Candidate) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The exact copy to trust among `exact` (sorted best first: context,
/// then distance), and whether it is only as good as another one:
/// - a copy whose context agrees entirely is taken (the nearest such);
/// - otherwise the copies whose context is within [`CONTEXT_TIE`] of the
///   best are all plausible: the one at the old position is taken if it
///   is among them; if they agree exactly as well, the nearest (identical
///   surroundings: nothing else tells them apart); else they are tied.
fn choose_exact(exact: &[Candidate], old_start: usize) -> Option<(Candidate, bool)> {
    let best = *exact.first()?;
    if best.context == 1000 {
        return Some((best, false));
    }
    let mut near = exact
        .iter()
        .filter(|c| c.context + CONTEXT_TIE >= best.context);
    if let Some(here) = near.clone().find(|c| c.start == old_start) {
        return Some((*here, false));
    }
    let tied = near.any(|c| c.context != best.context);
    Some((best, tied))
}

/// What is being looked for: the old target's quote and context as
/// characters.
struct Wanted {
    /// Prefix, quote and suffix, one after the other.
    all: Vec<char>,
    quote: Vec<char>,
    prefix: Vec<char>,
    suffix: Vec<char>,
    old_start: usize,
}

/// Finds old targets in a new text. Build it once per new text and ask it
/// for every annotation.
#[derive(Debug)]
pub struct Anchorer<'a> {
    map: &'a TextMap,
    chars: Vec<char>,
    /// Every token of the text as (key, first code point), sorted.
    index: Vec<(u64, u32)>,
}

impl<'a> Anchorer<'a> {
    /// Reads the new text: its characters and a word index.
    pub fn new(map: &'a TextMap) -> Self {
        let chars: Vec<char> = map.text().chars().collect();
        let mut index = Vec::with_capacity(chars.len() / 5);
        tokens(&chars, |t| index.push((t.key, t.start as u32)));
        index.sort_unstable();
        Self { map, chars, index }
    }

    /// The places of one token, in order.
    fn postings(&self, key: u64) -> &[(u64, u32)] {
        let lo = self.index.partition_point(|(k, _)| *k < key);
        let hi = lo + self.index[lo..].partition_point(|(k, _)| *k == key);
        &self.index[lo..hi]
    }

    /// Whether the text holds `what` at code point `at`.
    fn holds(&self, at: usize, what: &[char]) -> bool {
        self.chars.get(at..at + what.len()) == Some(what)
    }

    /// Finds an old target in the new text (see the module docs).
    pub fn find(&self, old: &Target) -> Anchoring {
        let mut w = Wanted {
            all: Vec::new(),
            quote: old.quote.exact.chars().collect(),
            prefix: old.quote.prefix.chars().collect(),
            suffix: old.quote.suffix.chars().collect(),
            old_start: old.position.start as usize,
        };
        if w.quote.is_empty() {
            return Anchoring::orphan(EMPTY);
        }
        w.all = [&w.prefix[..], &w.quote, &w.suffix].concat();
        let q = w.quote.len();
        // 1. Unchanged here, context included.
        if self.holds(w.old_start, &w.quote) && self.context_identical(&w, w.old_start) {
            return self.place(old, w.old_start, w.old_start + q, How::Kept, 1000);
        }
        // 2. Exact occurrences, ranked by context then distance.
        let context_len = w.prefix.len() + w.suffix.len();
        let distance = |c: &Candidate| c.start.abs_diff(w.old_start);
        let order = |a: &Candidate, b: &Candidate| {
            b.score
                .cmp(&a.score)
                .then(b.exact.cmp(&a.exact))
                .then(distance(a).cmp(&distance(b)))
                .then(a.start.cmp(&b.start))
        };
        let found = self.exact_occurrences(&w);
        // Copies in unchanged surroundings (all 64 code points): the
        // nearest is the place, no need to weigh the others.
        let same = found
            .iter()
            .copied()
            .filter(|&start| self.context_identical(&w, start))
            .min_by_key(|&start| (start.abs_diff(w.old_start), start));
        if let Some(start) = same {
            let how = if start == w.old_start {
                How::Kept
            } else {
                How::Moved
            };
            return self.place(old, start, start + q, how, 1000);
        }
        let mut copies: Vec<Candidate> = self
            .most_promising(&w, &found)
            .into_iter()
            .map(|start| {
                let context = self.context_score(&w, start, start + q);
                Candidate {
                    start,
                    end: start + q,
                    exact: true,
                    quote: 1000,
                    context,
                    score: combine(1000, q, context, context_len),
                }
            })
            .collect();
        copies.sort_by(order);
        let (exact, exact_tied) = match choose_exact(&copies, w.old_start) {
            Some((c, tied)) => (Some(c), tied),
            None => (None, false),
        };
        // An exact copy whose context agrees entirely cannot be beaten.
        if let Some(c) = exact.filter(|c| c.context == 1000) {
            let how = if c.start == w.old_start {
                How::Kept
            } else {
                How::Moved
            };
            return self.place(old, c.start, c.end, how, c.score);
        }
        // 3. Approximate matches around the best-voted places; one over an
        // exact copy is that copy, already weighed.
        let mut candidates: Vec<Candidate> = self
            .fuzzy_candidates(&w)
            .into_iter()
            .filter(|c| !found.iter().any(|&e| e < c.end && c.start < e + q))
            .collect();
        candidates.extend(exact);
        candidates.sort_by(order);
        let eligible = |c: &Candidate| {
            if c.exact {
                c.start == w.old_start || c.score >= MIN_MOVED_SCORE
            } else {
                c.quote >= MIN_FUZZY_QUOTE && c.score >= MIN_FUZZY_SCORE
            }
        };
        let Some(best) = candidates.iter().find(|c| eligible(c)).copied() else {
            let reason = if exact.is_some() { ELSEWHERE } else { GONE };
            return Anchoring::orphan(reason);
        };
        // A rival: another place that holds most of the quote.
        let rival = candidates
            .iter()
            .find(|c| !c.overlaps(&best) && c.quote >= MIN_FUZZY_QUOTE);
        if (best.exact && exact_tied)
            || rival.is_some_and(|r| r.score + AMBIGUITY_MARGIN >= best.score)
        {
            return Anchoring::orphan(AMBIGUOUS);
        }
        let how = match (best.exact, best.start == w.old_start) {
            (true, true) => How::Kept,
            (true, false) => How::Moved,
            (false, _) => How::Fuzzy,
        };
        self.place(old, best.start, best.end, how, best.score)
    }

    /// Finds every old target; returns the outcomes in order and their
    /// counts.
    pub fn find_all<'t>(
        &self,
        old: impl IntoIterator<Item = &'t Target>,
    ) -> (Vec<Anchoring>, Report) {
        let mut report = Report::default();
        let outcomes = old
            .into_iter()
            .map(|t| {
                let a = self.find(t);
                report.add(&a);
                a
            })
            .collect();
        (outcomes, report)
    }

    /// Builds the new target on the matched code-point range.
    fn place(&self, old: &Target, start: usize, end: usize, how: How, score: u16) -> Anchoring {
        let (start, end) = (start as u32, end as u32);
        let target = match old.kind {
            TargetKind::Span => Target::span(self.map, start, end),
            TargetKind::Sentences => self
                .snap(start, end)
                .and_then(|(a, b)| Target::sentences(self.map, a, b)),
        };
        match target {
            Some(target) => Anchoring::Anchored { target, how, score },
            None => Anchoring::orphan(NO_SENTENCE),
        }
    }

    /// The whole sentences a match covers, leaving out an edge sentence it
    /// overlaps by less than a quarter when it touches more than one.
    fn snap(&self, start: u32, end: u32) -> Option<(usize, usize)> {
        let (mut a, mut b) = self.map.sentences_in(start, end)?;
        let grazed = |i: usize| {
            self.map.sentence(i).is_some_and(|p| {
                let overlap = end.min(p.end).saturating_sub(start.max(p.start));
                overlap * 4 < p.end - p.start
            })
        };
        if b > a && grazed(a) {
            a += 1;
        }
        if b > a && grazed(b) {
            b -= 1;
        }
        Some((a, b))
    }

    /// Whether the text around `start` is exactly the old context.
    fn context_identical(&self, w: &Wanted, start: usize) -> bool {
        let end = start + w.quote.len();
        let before = &self.chars[start.saturating_sub(w.prefix.len())..start];
        let after = &self.chars[end..(end + w.suffix.len()).min(self.chars.len())];
        before == w.prefix.as_slice() && after == w.suffix.as_slice()
    }

    /// How well (per mille) the text before `start` and after `end`
    /// agrees with the old prefix and suffix, by edit distance.
    fn context_score(&self, w: &Wanted, start: usize, end: usize) -> u16 {
        let (p, s) = (w.prefix.len(), w.suffix.len());
        let n = self.chars.len();
        // Prefix: aligned backwards from `start`.
        let before = &self.chars[start.saturating_sub(p + p / 2 + 2)..start.min(n)];
        let cost_p = edge_cost(p, before.len(), |i, j| {
            w.prefix[p - 1 - i] == before[before.len() - 1 - j]
        });
        let after = &self.chars[end.min(n)..(end + s + s / 2 + 2).min(n)];
        let cost_s = edge_cost(s, after.len(), |i, j| w.suffix[i] == after[j]);
        per_mille(cost_p + cost_s, p + s)
    }

    /// Agreement of the immediate surroundings, cheaply: characters equal
    /// right before `start` plus right after `end`.
    fn touching_context(&self, w: &Wanted, start: usize, end: usize) -> usize {
        let before = w
            .prefix
            .iter()
            .rev()
            .zip(self.chars[..start].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let after = w
            .suffix
            .iter()
            .zip(self.chars[end.min(self.chars.len())..].iter())
            .take_while(|(a, b)| a == b)
            .count();
        before + after
    }

    /// Every exact occurrence of the quote, in text order.
    fn exact_occurrences(&self, w: &Wanted) -> Vec<usize> {
        let q = &w.quote;
        // A token wholly inside the quote is the same token in the text at
        // the same place; the rarest one finds every occurrence.
        let mut rarest: Option<(usize, Token)> = None;
        tokens(q, |t| {
            let whole =
                (t.len == 2 && unspaced(q[t.start])) || (t.start > 0 && t.start + t.len < q.len());
            if whole {
                let count = self.postings(t.key).len();
                if rarest.is_none_or(|(c, _)| count < c) {
                    rarest = Some((count, t));
                }
            }
        });
        let mut found: Vec<usize> = match rarest {
            Some((_, t)) => self
                .postings(t.key)
                .iter()
                .filter_map(|&(_, pos)| (pos as usize).checked_sub(t.start))
                .filter(|&start| self.holds(start, q))
                .collect(),
            None => self.scan(q, usize::MAX),
        };
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The copies worth scoring on their context: all of them, or when
    /// there are more than [`MAX_EXACT`], those whose immediate
    /// surroundings agree most and those nearest the old position.
    fn most_promising(&self, w: &Wanted, found: &[usize]) -> Vec<usize> {
        if found.len() <= MAX_EXACT {
            return found.to_vec();
        }
        let q = w.quote.len();
        let mut by_context = found.to_vec();
        by_context.sort_by_key(|&s| (std::cmp::Reverse(self.touching_context(w, s, s + q)), s));
        let mut by_distance = found.to_vec();
        by_distance.sort_by_key(|&s| (s.abs_diff(w.old_start), s));
        let mut kept: Vec<usize> = by_context[..MAX_EXACT * 3 / 4]
            .iter()
            .chain(&by_distance[..MAX_EXACT / 4])
            .copied()
            .collect();
        kept.sort_unstable();
        kept.dedup();
        kept
    }

    /// Every place (up to `limit`) where `what` is, by a plain scan.
    fn scan(&self, what: &[char], limit: usize) -> Vec<usize> {
        let Some(&first) = what.first() else {
            return Vec::new();
        };
        if what.len() > self.chars.len() {
            return Vec::new();
        }
        let last = self.chars.len().saturating_sub(what.len());
        let mut out = Vec::new();
        for i in 0..last + 1 {
            if self.chars[i] == first && self.holds(i, what) {
                out.push(i);
                if out.len() >= limit {
                    break;
                }
            }
        }
        out
    }

    /// The places the quote most likely starts at, by votes of its words
    /// and its context's (see the module docs).
    fn voted_starts(&self, w: &Wanted, slack: usize) -> Vec<usize> {
        let p = w.prefix.len() as i64;
        // (postings, offset from the quote's start, key)
        let mut words: Vec<(usize, i64, u64)> = Vec::new();
        tokens(&w.all, |t| {
            let count = self.postings(t.key).len();
            if count > 0 {
                words.push((count, t.start as i64 - p, t.key));
            }
        });
        words.sort_unstable();
        let mut votes: Vec<(i64, f32)> = Vec::new();
        let mut spent = 0usize;
        for &(count, offset, key) in &words {
            if spent > 0 && count > RARE_POSTINGS && spent + count > VOTE_BUDGET {
                break;
            }
            spent += count;
            // Rarer words weigh more.
            let weight = 1.0 / (count as f32).sqrt();
            for &(_, pos) in self.postings(key) {
                votes.push(((pos as i64 - offset).div_euclid(BUCKET), weight));
            }
        }
        if votes.is_empty() {
            // No indexed word in common: look for fragments of the quote.
            let q = &w.quote;
            let f = q.len().min(4);
            let mut offsets = vec![0, q.len() / 2 - f / 2, q.len() - f];
            offsets.dedup();
            for off in offsets {
                for pos in self.scan(&q[off..off + f], MAX_FRAGMENT_HITS) {
                    votes.push(((pos as i64 - off as i64).div_euclid(BUCKET), 1.0));
                }
            }
        }
        votes.sort_by_key(|v| v.0);
        let mut buckets: Vec<(i64, f32)> = Vec::new();
        for (b, v) in votes {
            match buckets.last_mut() {
                Some(last) if last.0 == b => last.1 += v,
                _ => buckets.push((b, v)),
            }
        }
        // Sum over neighbouring buckets: edits inside the quote shift the
        // later words' votes a little.
        let reach = (slack as i64 / BUCKET).max(1);
        let mut sums: Vec<(f32, i64)> = Vec::with_capacity(buckets.len());
        let (mut lo, mut hi, mut sum) = (0usize, 0usize, 0f32);
        for &(b, _) in &buckets {
            while hi < buckets.len() && buckets[hi].0 <= b + reach {
                sum += buckets[hi].1;
                hi += 1;
            }
            while buckets[lo].0 < b - reach {
                sum -= buckets[lo].1;
                lo += 1;
            }
            sums.push((sum, b));
        }
        sums.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut starts: Vec<usize> = Vec::with_capacity(CANDIDATES);
        for (_, b) in sums {
            let start = (b * BUCKET).clamp(0, self.chars.len() as i64) as usize;
            if starts.iter().all(|s| s.abs_diff(start) >= slack) {
                starts.push(start);
                if starts.len() == CANDIDATES {
                    break;
                }
            }
        }
        starts
    }

    /// Approximate matches of the quote around the best-voted places and
    /// the old position, each scored; overlapping ones are merged.
    fn fuzzy_candidates(&self, w: &Wanted) -> Vec<Candidate> {
        let q = w.quote.len();
        let slack = (q / 4).max(32);
        let mut starts = self.voted_starts(w, slack);
        let old = w.old_start.min(self.chars.len());
        if starts.iter().all(|s| s.abs_diff(old) >= slack) {
            starts.push(old);
        }
        let mut out: Vec<Candidate> = Vec::new();
        for start in starts {
            let Some(c) = self.align_at(w, start, slack) else {
                continue;
            };
            match out.iter_mut().find(|o| o.overlaps(&c)) {
                Some(o) if o.score < c.score => *o = c,
                Some(_) => {}
                None => out.push(c),
            }
        }
        out
    }

    /// Aligns the quote, with its context, in a window around an
    /// estimated start.
    fn align_at(&self, w: &Wanted, estimate: usize, slack: usize) -> Option<Candidate> {
        let (p, q, s) = (w.prefix.len(), w.quote.len(), w.suffix.len());
        let n = self.chars.len();
        // The window: the quote's likely place, the slack either side,
        // and room for the context.
        let window = |from: usize, before: usize, len: usize, after: usize| {
            let lo = from.saturating_sub(slack + before + before / 4 + 2).min(n);
            (
                lo,
                &self.chars[lo..(from + len + slack + after + after / 4 + 2).min(n)],
            )
        };
        // A cheap pass first: most windows hold nothing good enough.
        let aligned = |pattern: &[char], p: usize, q: usize, text: &[char]| {
            let limit = cost_limit(q, pattern.len() - q);
            within(pattern, text, limit).then(|| align(pattern, p, q, text, limit))?
        };
        let (start, end, quote_cost, context_cost) = if q <= LONG_QUOTE_CHARS {
            let (lo, text) = window(estimate, p, q, s);
            let a = aligned(&w.all, p, q, text)?;
            (lo + a.start, lo + a.end, a.quote_cost, a.context_cost)
        } else {
            // A long quote: its two ends, each with its side's context.
            let head = &w.all[..p + EDGE_CHARS];
            let (lo, text) = window(estimate, p, EDGE_CHARS, 0);
            let h = aligned(head, p, EDGE_CHARS, text)?;
            let start = lo + h.start;
            let tail = &w.all[p + q - EDGE_CHARS..];
            let (lo, text) = window(start + q - EDGE_CHARS, 0, EDGE_CHARS, s);
            let t = aligned(tail, 0, EDGE_CHARS, text)?;
            let end = lo + t.end;
            if end <= start + EDGE_CHARS {
                return None;
            }
            // The middle is not compared; a change of length is at least
            // that many edits.
            let cost = (h.quote_cost + t.quote_cost) * q / (2 * EDGE_CHARS);
            let cost = cost.max((end - start).abs_diff(q));
            (start, end, cost, h.context_cost + t.context_cost)
        };
        // Similarity as usual, against the longer of the two: a quote
        // that grew by a few words is as similar as one that lost them.
        let quote = per_mille(quote_cost, q.max(end - start));
        let context = per_mille(context_cost, p + s);
        Some(Candidate {
            start,
            end,
            exact: false,
            quote,
            context,
            score: combine(quote, q, context, p + s),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn alignment_finds_an_edited_quote_and_places_its_ends_by_the_context() {
        let text = chars("xx the quick brown fox jumps yy");
        let pattern = chars("the quick brwn fox");
        let a = align(&pattern, 0, pattern.len(), &text, 10).unwrap();
        assert_eq!((a.quote_cost, a.context_cost), (1, 0));
        assert_eq!(
            text[a.start..a.end].iter().collect::<String>(),
            "the quick brown fox"
        );
        assert!(align(&chars("completely different"), 0, 20, &text, 3).is_none());
        // A word added at the end of the quote is taken in because the
        // suffix follows it.
        let text =
            chars("Each day the keeper climbed the tower and rang the old brass bell at noon.");
        let pattern = chars("the keeper climbed the tower and rang the bell at noon.");
        let a = align(&pattern, 33, 13, &text, 20).unwrap();
        assert_eq!(
            text[a.start..a.end].iter().collect::<String>(),
            "rang the old brass bell"
        );
        assert_eq!((a.quote_cost, a.context_cost), (10, 0));
    }

    #[test]
    fn edge_cost_anchors_the_text_start_and_frees_its_end() {
        let p = chars("abc");
        let t = chars("abcxyz");
        assert_eq!(edge_cost(3, 6, |i, j| p[i] == t[j]), 0);
        let t = chars("xabc");
        assert_eq!(edge_cost(3, 4, |i, j| p[i] == t[j]), 1);
    }

    #[test]
    fn unspaced_text_is_indexed_by_character_pairs() {
        let mut keys = Vec::new();
        tokens(&chars("Tokyo 東京都 x 日"), |t| {
            keys.push((t.start, t.len))
        });
        assert_eq!(keys, [(0, 5), (6, 2), (7, 2), (10, 1), (12, 1)]);
    }

    #[test]
    fn snapping_leaves_out_an_edge_sentence_the_match_only_grazes() {
        use crate::domain::article::{Article, NewArticle};
        use crate::domain::import::parse_text;
        let article = Article::build(
            parse_text("One two three four. Five six seven eight nine. Ten eleven twelve."),
            NewArticle::default(),
            chrono::DateTime::UNIX_EPOCH,
        )
        .unwrap();
        let map = TextMap::new(&article);
        let anchorer = Anchorer::new(&map);
        let (s1, e1) = map.range_of(1, 1).unwrap();
        // Sentence 1 and the first two characters of sentence 2.
        assert_eq!(anchorer.snap(s1, e1 + 3), Some((1, 1)));
        // The last two characters of sentence 0 and sentence 1.
        assert_eq!(anchorer.snap(s1 - 3, e1), Some((1, 1)));
        // Half of sentence 2 is more than a graze.
        assert_eq!(anchorer.snap(s1, e1 + 9), Some((1, 2)));
        // Inside one sentence, that sentence, however little of it.
        assert_eq!(anchorer.snap(s1 + 1, s1 + 2), Some((1, 1)));
    }

    #[test]
    fn scores_weigh_a_long_quote_more_than_its_context() {
        assert_eq!(combine(1000, 64, 0, 64), 666);
        assert_eq!(combine(1000, 100, 0, 64), 681);
        assert_eq!(combine(1000, 1000, 0, 64), 800);
        assert_eq!(combine(1000, 4, 0, 64), 111);
        assert_eq!(combine(900, 10, 1000, 0), 900);
    }
}
