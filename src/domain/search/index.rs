//! The library's search index: which articles hold which words.
//!
//! An article's text never changes under its id, so its words are indexed
//! once ([`SearchIndex::add_text`]) and only dropped with the article. The
//! vocabulary is a hash map of folded words (adding a text looks up each
//! of its distinct words), kept also as a sorted list, sorted again only
//! after it grew, so the words a query word begins are one range of it;
//! each word lists the articles that hold it with how often (a posting,
//! packed in a `u32`). Titles and what the
//! annotations say (notes, tags, orphaned quotes), which change, are kept
//! per article beside it and set again whenever they change.
//!
//! A query costs the postings of the words it begins plus one pass over
//! the titles and the annotations' texts: no article text is read.

use super::{Query, words};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

/// Bits of a posting that count occurrences (the rest is the article slot).
const COUNT_BITS: u32 = 12;
const COUNT_MAX: u32 = (1 << COUNT_BITS) - 1;

/// What an annotation says that search looks at: its note, tags and,
/// for an orphan, its quote (which the text no longer holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    /// The annotation's id.
    pub annotation: String,
    /// Where it starts in the article text, in code points.
    pub at: u32,
    /// The note, tags and orphaned quote, one per line.
    pub text: String,
}

#[derive(Debug)]
struct Slot {
    id: String,
    title: String,
    /// The title's words, folded (matched per query without folding again).
    title_words: Vec<Box<str>>,
    said: Vec<Said>,
    /// The words of everything `said` holds, folded.
    said_words: Vec<Box<str>>,
    text_indexed: bool,
    live: bool,
    /// Its place in the library's order (for ties).
    rank: usize,
}

/// A matching article ([`SearchIndex::search`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocHit {
    /// The article's id.
    pub id: String,
    /// Whether its title holds every query word.
    pub title_hit: bool,
    /// How many of the query words its title holds.
    pub title_terms: u32,
    /// How many of its words (title, text, annotations) match.
    pub hits: u32,
}

/// The first bytes of a snapshot (and its layout's version).
const SNAPSHOT_MAGIC: &[u8] = b"MGS1";

fn put_uint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_uint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Reads a snapshot's integers and strings; `None` past its end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn uint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.uint()?).ok()?;
        if n > self.bytes.len() {
            return None;
        }
        let (b, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(b)
    }
}

/// The folded words of `text`.
fn folded_words(text: &str) -> Vec<Box<str>> {
    let mut out = Vec::new();
    words(text, |_, _, k| out.push(Box::from(k)));
    out
}

/// The query words found among `words`, and how many of them match.
fn mask_hits(query: &Query, words: &[Box<str>]) -> (u32, u32) {
    let (mut m, mut h) = (0, 0);
    for w in words {
        let b = query.mask_of(w);
        if b != 0 {
            m |= b;
            h += 1;
        }
    }
    (m, h)
}

/// The index (see the module docs).
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Folded word → word id (its postings' index).
    vocab: HashMap<Rc<str>, u32>,
    postings: Vec<Vec<u32>>,
    /// The vocabulary in order, for prefix ranges; brought up to date
    /// when a query finds it shorter than the vocabulary.
    sorted: RefCell<Vec<(Rc<str>, u32)>>,
    /// Occurrences per word id of the text being added (all zero between).
    scratch: Vec<u32>,
    slots: Vec<Slot>,
    by_id: BTreeMap<String, u32>,
    dead: usize,
}

impl SearchIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot_of(&mut self, id: &str) -> u32 {
        if let Some(&s) = self.by_id.get(id) {
            return s;
        }
        let s = self.slots.len() as u32;
        self.slots.push(Slot {
            id: id.to_owned(),
            title: String::new(),
            title_words: Vec::new(),
            said: Vec::new(),
            said_words: Vec::new(),
            text_indexed: false,
            live: true,
            rank: usize::MAX,
        });
        self.by_id.insert(id.to_owned(), s);
        s
    }

    /// Makes the articles of `entries` (id, title) the ones searched,
    /// in this order for ties: articles not named are dropped, new ones
    /// are searched by title until their text is added.
    pub fn set_library<'a>(&mut self, entries: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut keep: BTreeSet<u32> = BTreeSet::new();
        for (rank, (id, title)) in entries.into_iter().enumerate() {
            let s = self.slot_of(id);
            let slot = &mut self.slots[s as usize];
            if slot.title != title || slot.title_words.is_empty() {
                slot.title = title.to_owned();
                slot.title_words = folded_words(title);
            }
            slot.rank = rank;
            slot.live = true;
            keep.insert(s);
        }
        for (i, slot) in self.slots.iter_mut().enumerate() {
            // Live, or restored from a snapshot and not named.
            let held = slot.live || self.by_id.get(&slot.id) == Some(&(i as u32));
            if held && !keep.contains(&(i as u32)) {
                slot.live = false;
                slot.said.clear();
                slot.said_words.clear();
                self.by_id.remove(&slot.id);
                self.dead += 1;
            }
        }
        if self.dead > 256 && self.dead * 2 > self.slots.len() {
            self.compact();
        }
    }

    /// Whether the text of `id` is indexed.
    pub fn has_text(&self, id: &str) -> bool {
        self.by_id
            .get(id)
            .is_some_and(|&s| self.slots[s as usize].text_indexed)
    }

    /// Ids of the searched articles whose text is not indexed yet, in
    /// library order.
    pub fn missing_text(&self) -> Vec<String> {
        let mut v: Vec<(usize, &str)> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.live && !s.text_indexed)
            .map(|(i, s)| (self.rank(i as u32), s.id.as_str()))
            .collect();
        v.sort();
        v.into_iter().map(|(_, id)| id.to_owned()).collect()
    }

    /// How many articles are searched, and how many of them by their text.
    pub fn coverage(&self) -> (usize, usize) {
        let live = self.slots.iter().filter(|s| s.live);
        let (n, t) = live.fold((0, 0), |(n, t), s| (n + 1, t + usize::from(s.text_indexed)));
        (n, t)
    }

    /// Indexes the words of an article's text (once: a text never changes
    /// under its id). An article not in the library is ignored.
    pub fn add_text(&mut self, id: &str, text: &str) {
        let Some(&s) = self.by_id.get(id) else {
            return;
        };
        if self.slots[s as usize].text_indexed {
            return;
        }
        // One vocabulary lookup per word; the article's counts go in a
        // scratch list by word id (reset after), so no map per article.
        let Self {
            vocab,
            postings,
            scratch,
            ..
        } = self;
        let mut touched: Vec<u32> = Vec::new();
        words(text, |_, _, k| {
            let wid = match vocab.get(k) {
                Some(&wid) => wid,
                None => {
                    let wid = postings.len() as u32;
                    vocab.insert(Rc::from(k), wid);
                    postings.push(Vec::new());
                    wid
                }
            };
            let i = wid as usize;
            if scratch.len() <= i {
                scratch.resize(i + 1, 0);
            }
            if scratch[i] == 0 {
                touched.push(wid);
            }
            scratch[i] += 1;
        });
        for wid in touched {
            let c = std::mem::take(&mut scratch[wid as usize]);
            postings[wid as usize].push((s << COUNT_BITS) | c.min(COUNT_MAX));
        }
        self.slots[s as usize].text_indexed = true;
    }

    /// Sets what the annotations of `id` say (all of them, replacing).
    pub fn set_said(&mut self, id: &str, said: Vec<Said>) {
        if let Some(&s) = self.by_id.get(id) {
            let slot = &mut self.slots[s as usize];
            slot.said_words = said.iter().flat_map(|x| folded_words(&x.text)).collect();
            slot.said = said;
        }
    }

    /// What the annotations of `id` say, as last set.
    pub fn said(&self, id: &str) -> &[Said] {
        self.by_id
            .get(id)
            .map_or(&[], |&s| self.slots[s as usize].said.as_slice())
    }

    /// The articles matching `query`, best first (see the module docs of
    /// [`super`]). An empty query matches nothing.
    pub fn search(&self, query: &Query) -> Vec<DocHit> {
        if query.is_empty() {
            return Vec::new();
        }
        let n = self.slots.len();
        let mut mask = vec![0u32; n];
        let mut hits = vec![0u32; n];
        let sorted = self.sorted_words();
        for (bit, term) in query.terms().iter().enumerate() {
            let from = sorted.partition_point(|(w, _)| w.as_ref() < term.as_str());
            for (word, wid) in &sorted[from..] {
                if !word.starts_with(term.as_str()) {
                    break;
                }
                for &p in &self.postings[*wid as usize] {
                    let s = (p >> COUNT_BITS) as usize;
                    mask[s] |= 1 << bit;
                    hits[s] += p & COUNT_MAX;
                }
            }
        }
        let full = query.full();
        let mut out: Vec<(usize, DocHit)> = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            if !slot.live {
                continue;
            }
            let (tm, th) = mask_hits(query, &slot.title_words);
            let (sm, sh) = mask_hits(query, &slot.said_words);
            let m = mask[i] | tm | sm;
            let h = hits[i] + th + sh;
            if m == full {
                out.push((
                    self.rank(i as u32),
                    DocHit {
                        id: slot.id.clone(),
                        title_hit: tm == full,
                        title_terms: tm.count_ones(),
                        hits: h,
                    },
                ));
            }
        }
        out.sort_by(|(ra, a), (rb, b)| {
            b.title_hit
                .cmp(&a.title_hit)
                .then(b.title_terms.cmp(&a.title_terms))
                .then(b.hits.cmp(&a.hits))
                .then(ra.cmp(rb))
        });
        out.into_iter().map(|(_, h)| h).collect()
    }

    /// The indexed texts' words as bytes, to keep between sessions (see
    /// [`SearchIndex::restore`]): only what texts gave, for articles in
    /// the library; titles and annotations are set again on each use.
    ///
    /// Layout (integers as LEB128): the magic `MGS1`; the number of
    /// articles, then each id (length, UTF-8); the number of words, then
    /// each word (length, UTF-8), its number of postings and each posting
    /// as (article number − previous article number, count).
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = SNAPSHOT_MAGIC.to_vec();
        let mut number = vec![u32::MAX; self.slots.len()];
        let kept: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].live && self.slots[i].text_indexed)
            .collect();
        put_uint(&mut out, kept.len() as u64);
        for (n, &i) in kept.iter().enumerate() {
            number[i] = n as u32;
            put_bytes(&mut out, self.slots[i].id.as_bytes());
        }
        let words = self.sorted_words();
        let mut body = Vec::new();
        let mut count = 0u64;
        for (word, wid) in words.iter() {
            let list: Vec<(u32, u32)> = self.postings[*wid as usize]
                .iter()
                .filter_map(|p| {
                    let n = number[(p >> COUNT_BITS) as usize];
                    (n != u32::MAX).then_some((n, p & COUNT_MAX))
                })
                .collect();
            if list.is_empty() {
                continue;
            }
            count += 1;
            put_bytes(&mut body, word.as_bytes());
            put_uint(&mut body, list.len() as u64);
            let mut last = 0;
            for (n, c) in list {
                put_uint(&mut body, u64::from(n - last));
                put_uint(&mut body, u64::from(c));
                last = n;
            }
        }
        put_uint(&mut out, count);
        out.extend_from_slice(&body);
        out
    }

    /// An index holding the texts of a [`SearchIndex::snapshot`]; `None`
    /// for anything else (the snapshot is a cache: then the texts are
    /// read again). Its articles are searched once
    /// [`SearchIndex::set_library`] names them.
    pub fn restore(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader {
            bytes: bytes.strip_prefix(SNAPSHOT_MAGIC)?,
        };
        let mut ix = Self::new();
        let n = r.uint()? as usize;
        let mut slots = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            let id = std::str::from_utf8(r.bytes()?).ok()?;
            let s = ix.slot_of(id);
            let slot = &mut ix.slots[s as usize];
            slot.text_indexed = true;
            slot.live = false;
            slots.push(s);
        }
        let words = r.uint()?;
        for _ in 0..words {
            let word = std::str::from_utf8(r.bytes()?).ok()?;
            let k = r.uint()? as usize;
            let mut list = Vec::with_capacity(k.min(slots.len()));
            let mut at = 0u64;
            for _ in 0..k {
                at += r.uint()?;
                let s = *slots.get(at as usize)?;
                let c = u32::try_from(r.uint()?).ok()?.min(COUNT_MAX);
                list.push((s << COUNT_BITS) | c);
            }
            let wid = ix.postings.len() as u32;
            if ix.vocab.insert(Rc::from(word), wid).is_some() {
                return None;
            }
            ix.postings.push(list);
        }
        r.bytes.is_empty().then_some(ix)
    }

    /// The vocabulary in order (sorted again after words were added).
    fn sorted_words(&self) -> std::cell::Ref<'_, Vec<(Rc<str>, u32)>> {
        if self.sorted.borrow().len() != self.vocab.len() {
            let mut v: Vec<(Rc<str>, u32)> =
                self.vocab.iter().map(|(w, id)| (w.clone(), *id)).collect();
            v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            *self.sorted.borrow_mut() = v;
        }
        self.sorted.borrow()
    }

    fn rank(&self, slot: u32) -> usize {
        self.slots[slot as usize].rank
    }

    /// Drops the postings of removed articles and renumbers the slots.
    fn compact(&mut self) {
        let mut new_of = vec![u32::MAX; self.slots.len()];
        let mut slots = Vec::new();
        for (i, slot) in std::mem::take(&mut self.slots).into_iter().enumerate() {
            if slot.live {
                new_of[i] = slots.len() as u32;
                slots.push(slot);
            }
        }
        for list in &mut self.postings {
            list.retain_mut(|p| {
                let n = new_of[(*p >> COUNT_BITS) as usize];
                *p = (n << COUNT_BITS) | (*p & COUNT_MAX);
                n != u32::MAX
            });
        }
        self.by_id = slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i as u32))
            .collect();
        self.slots = slots;
        self.dead = 0;
    }
}
