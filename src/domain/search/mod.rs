//! Searching the whole library, as pure string code.
//!
//! What a query matches, and how results rank, is decided here; the
//! browser edge only feeds texts in and shows what comes out.
//!
//! - **Words.** A text is cut into words: runs of letters and digits,
//!   folded to lowercase without accents ([`crate::domain::text::fold`]),
//!   so "Café", "CAFE" and "cafe" are one word. In scripts written without
//!   spaces (CJK, Thai…) every character is a word of its own.
//! - **Queries.** A query is its words ([`Query::parse`]). A query word
//!   matches every word it begins: "mont" finds "Montréal", as one expects
//!   of a box that searches while typing. An article matches when each
//!   query word matches somewhere in it: its title, its text, or the
//!   notes, tags and orphaned quotes of its annotations.
//! - **Ranking** ([`index::SearchIndex::search`]): articles whose title
//!   holds every query word first, then those whose title holds more of
//!   them, then by the number of matching words; ties keep library order.
//! - **Sentences** ([`snippet`]): within a matching article, the sentences
//!   that hold the most distinct query words (counting the notes and tags
//!   on them), each shown with every match marked.

pub mod index;
pub mod snippet;

use crate::domain::text::fold::base_char;
use crate::domain::text::unspaced;

/// Most words a query keeps (each is one bit of a mask).
pub const MAX_TERMS: usize = 16;

/// Calls `each(start, end, key)` for every word of `text`: its byte range
/// in `text` and its folded form (lowercase, no accents).
pub fn words(text: &str, mut each: impl FnMut(usize, usize, &str)) {
    let mut key = String::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if unspaced(c) {
            if let Some(s) = start.take() {
                each(s, i, &key);
            }
            key.clear();
            key.push(base_char(c));
            each(i, i + c.len_utf8(), &key);
            key.clear();
        } else if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
                key.clear();
            }
            key.push(base_char(c));
        } else if let Some(s) = start.take() {
            each(s, i, &key);
        }
    }
    if let Some(s) = start {
        each(s, text.len(), &key);
    }
}

/// A parsed query: its distinct folded words, in the order typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    /// The query typed in `input`. Repeated words count once; a word
    /// another query word begins with is dropped ("caf cafe" is "cafe"),
    /// since it would match wherever that one does. At most
    /// [`MAX_TERMS`] words.
    pub fn parse(input: &str) -> Self {
        let mut all: Vec<String> = Vec::new();
        words(input, |_, _, k| {
            if !all.iter().any(|t| t == k) {
                all.push(k.to_owned());
            }
        });
        let terms: Vec<String> = all
            .iter()
            .filter(|t| !all.iter().any(|o| o != *t && o.starts_with(t.as_str())))
            .take(MAX_TERMS)
            .cloned()
            .collect();
        Self { terms }
    }

    /// Whether it has no word (nothing to search for).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Its words, folded.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The mask with one bit per query word.
    pub fn full(&self) -> u32 {
        if self.terms.len() >= 32 {
            u32::MAX
        } else {
            (1u32 << self.terms.len()) - 1
        }
    }

    /// The bits of the query words that the folded word `key` begins with.
    pub fn mask_of(&self, key: &str) -> u32 {
        let mut m = 0;
        for (i, t) in self.terms.iter().enumerate() {
            if key.starts_with(t.as_str()) {
                m |= 1 << i;
            }
        }
        m
    }

    /// What `text` holds of the query: the mask of the words found, how
    /// many of its words match, and their byte ranges.
    pub fn find_in(&self, text: &str) -> Found {
        let mut found = Found::default();
        words(text, |s, e, k| {
            let m = self.mask_of(k);
            if m != 0 {
                found.mask |= m;
                found.hits += 1;
                found.marks.push((s, e));
            }
        });
        found
    }
}

/// What one text holds of a query ([`Query::find_in`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// One bit per query word found.
    pub mask: u32,
    /// How many of the text's words match.
    pub hits: u32,
    /// The byte ranges of the matching words, in order.
    pub marks: Vec<(usize, usize)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_words(text: &str) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        words(text, |s, e, k| out.push((s, e, k.to_owned())));
        out
    }

    #[test]
    fn words_are_folded_without_accents_and_keep_their_byte_ranges() {
        let text = "Le CAFÉ, à Montréal!";
        let w = all_words(text);
        let keys: Vec<&str> = w.iter().map(|x| x.2.as_str()).collect();
        assert_eq!(keys, ["le", "cafe", "a", "montreal"]);
        assert_eq!(&text[w[1].0..w[1].1], "CAFÉ");
        assert_eq!(&text[w[3].0..w[3].1], "Montréal");
    }

    #[test]
    fn unspaced_scripts_give_one_word_per_character() {
        let w = all_words("Tokyo東京 x");
        let keys: Vec<&str> = w.iter().map(|x| x.2.as_str()).collect();
        assert_eq!(keys, ["tokyo", "東", "京", "x"]);
    }

    #[test]
    fn a_query_keeps_distinct_words_and_drops_those_another_begins() {
        assert_eq!(
            Query::parse("Cafe  café caf MONTREAL").terms(),
            ["cafe", "montreal"]
        );
        assert!(Query::parse("  ,;  ").is_empty());
        let many: String = (0..40).map(|i| format!("w{i} ")).collect();
        assert_eq!(Query::parse(&many).terms().len(), MAX_TERMS);
    }

    #[test]
    fn query_words_match_the_words_they_begin() {
        let q = Query::parse("mont cafe");
        let f = q.find_in("Le café de la rue, à Montréal.");
        assert_eq!(f.mask, q.full());
        assert_eq!(f.hits, 2);
        let f = q.find_in("A remontée of cafés");
        // "remontee" does not begin with "mont"; "cafes" begins with "cafe".
        assert_eq!(f.mask, 0b10);
    }
}
