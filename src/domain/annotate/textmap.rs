//! Positions in an article's text, in Unicode code points.
//!
//! An article's *text* is its block texts joined by `"\n\n"` — the same
//! string its fingerprint is computed over. Annotation positions count
//! Unicode code points (scalar values) from the start of that text, as the
//! W3C Web Annotation `TextPositionSelector` does, so they mean the same in
//! every language: not UTF-8 bytes (Rust), not UTF-16 units (the DOM).
//!
//! [`TextMap`] is built once per opened article and answers, in
//! logarithmic time, which sentences a position range touches, where each
//! sentence is, and what the quote and its context around a range are.
//! Sentence indices are global: block 0's sentences first.
//!
//! Because the text never changes while sentence boundaries may (a user
//! joins or splits a sentence), positions are the source of truth for an
//! annotation's place; its sentence range is derived from them.

use crate::domain::article::Article;

/// Separator between blocks in the article text.
pub const BLOCK_SEPARATOR: &str = "\n\n";

/// Characters of context kept before and after a quote.
pub const CONTEXT_CHARS: usize = 32;

/// One sentence's place in the article text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentencePlace {
    /// The block it is in.
    pub block: u32,
    /// First code point.
    pub start: u32,
    /// One past its last code point.
    pub end: u32,
    /// First byte in the article text.
    pub byte_start: u32,
    /// One past its last byte in the article text.
    pub byte_end: u32,
}

/// An article's text with its sentences located in code points.
#[derive(Clone, Debug)]
pub struct TextMap {
    text: String,
    sentences: Vec<SentencePlace>,
    /// Per block: its first code point and first byte in `text`.
    blocks: Vec<(u32, u32)>,
    /// Whether the text is ASCII (code points are bytes).
    ascii: bool,
}

fn count_chars(s: &str) -> u32 {
    // Code points = bytes that do not continue a UTF-8 sequence.
    s.bytes().filter(|b| (*b as i8) >= -0x40).count() as u32
}

impl TextMap {
    /// Locates every sentence of an article.
    pub fn new(article: &Article) -> Self {
        let mut text = String::with_capacity(
            article
                .blocks
                .iter()
                .map(|b| b.text.len() + 2)
                .sum::<usize>(),
        );
        let mut sentences = Vec::with_capacity(article.sentence_count());
        let mut blocks = Vec::with_capacity(article.blocks.len());
        let mut cp = 0u32;
        for (bi, block) in article.blocks.iter().enumerate() {
            if bi > 0 {
                text.push_str(BLOCK_SEPARATOR);
                cp += 2;
            }
            let base_byte = text.len() as u32;
            blocks.push((cp, base_byte));
            let mut at_byte = 0usize;
            let mut at_cp = cp;
            for [s, e] in &block.sentences {
                let (s, e) = (*s as usize, *e as usize);
                let start = at_cp + count_chars(&block.text[at_byte..s]);
                let end = start + count_chars(&block.text[s..e]);
                sentences.push(SentencePlace {
                    block: bi as u32,
                    start,
                    end,
                    byte_start: base_byte + s as u32,
                    byte_end: base_byte + e as u32,
                });
                at_byte = e;
                at_cp = end;
            }
            cp = at_cp + count_chars(&block.text[at_byte..]);
            text.push_str(&block.text);
        }
        Self {
            ascii: text.is_ascii(),
            text,
            sentences,
            blocks,
        }
    }

    /// The article text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The number of sentences.
    pub fn len(&self) -> usize {
        self.sentences.len()
    }

    /// Whether the article has no sentence.
    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }

    /// Where sentence `i` is.
    pub fn sentence(&self, i: usize) -> Option<SentencePlace> {
        self.sentences.get(i).copied()
    }

    /// The text of sentence `i`.
    pub fn sentence_text(&self, i: usize) -> &str {
        self.sentences
            .get(i)
            .map(|p| &self.text[p.byte_start as usize..p.byte_end as usize])
            .unwrap_or("")
    }

    /// The length of the article text in code points.
    pub fn char_len(&self) -> u32 {
        if self.ascii {
            return self.text.len() as u32;
        }
        let Some(&(cp, byte)) = self.blocks.last() else {
            return 0;
        };
        cp + count_chars(&self.text[byte as usize..])
    }

    /// The byte offset of code point `cp` (clamped to the end of the text).
    /// Costs O(log sentences) plus one sentence's length, or O(1) when
    /// the text is ASCII.
    pub fn byte_of(&self, cp: u32) -> usize {
        if self.ascii {
            return (cp as usize).min(self.text.len());
        }
        // From the start of the last sentence (else block) at or before cp.
        let s = self.sentences.partition_point(|p| p.start <= cp);
        let (mut at_cp, byte) = match s.checked_sub(1).map(|k| self.sentences[k]) {
            Some(p) => (p.start, p.byte_start),
            None => {
                let b = self.blocks.partition_point(|(start, _)| *start <= cp);
                if b == 0 { (0, 0) } else { self.blocks[b - 1] }
            }
        };
        let rest = &self.text[byte as usize..];
        for (i, _) in rest.char_indices() {
            if at_cp == cp {
                return byte as usize + i;
            }
            at_cp += 1;
        }
        self.text.len()
    }

    /// The text between two code-point positions.
    pub fn slice(&self, start: u32, end: u32) -> &str {
        let (s, e) = (self.byte_of(start), self.byte_of(end.max(start)));
        &self.text[s..e]
    }

    /// The sentences a code-point range overlaps, as an inclusive range of
    /// sentence indices; `None` when it touches no sentence.
    pub fn sentences_in(&self, start: u32, end: u32) -> Option<(usize, usize)> {
        if end <= start {
            // An empty range belongs to the sentence it sits in.
            let i = self.sentences.partition_point(|p| p.end <= start);
            return self
                .sentences
                .get(i)
                .filter(|p| p.start <= start)
                .map(|_| (i, i));
        }
        let first = self.sentences.partition_point(|p| p.end <= start);
        let last = self.sentences.partition_point(|p| p.start < end);
        (first < last).then(|| (first, last - 1))
    }

    /// The code-point range from the start of sentence `first` to the end
    /// of sentence `last`.
    pub fn range_of(&self, first: usize, last: usize) -> Option<(u32, u32)> {
        let (a, b) = (self.sentences.get(first)?, self.sentences.get(last)?);
        (first <= last).then_some((a.start, b.end))
    }

    /// Up to [`CONTEXT_CHARS`] code points before `start` and after `end`.
    pub fn context(&self, start: u32, end: u32) -> (String, String) {
        let prefix = self.slice(start.saturating_sub(CONTEXT_CHARS as u32), start);
        let suffix = self.slice(end, end.saturating_add(CONTEXT_CHARS as u32));
        (prefix.to_owned(), suffix.to_owned())
    }
}

/// The offset in code points of a UTF-16 offset into `text` (as the DOM
/// counts), rounding a split surrogate pair to the character's start.
pub fn utf16_to_chars(text: &str, utf16: usize) -> usize {
    let mut units = 0usize;
    for (n, c) in text.chars().enumerate() {
        units += c.len_utf16();
        if units > utf16 {
            return n;
        }
    }
    text.chars().count()
}

/// The UTF-16 length of the first `chars` code points of `text`.
pub fn chars_to_utf16(text: &str, chars: usize) -> usize {
    text.chars().take(chars).map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::article::{Article, NewArticle};
    use crate::domain::import::parse_text;

    fn article(text: &str) -> Article {
        Article::build(
            parse_text(text),
            NewArticle::default(),
            chrono::DateTime::UNIX_EPOCH,
        )
        .unwrap()
    }

    #[test]
    fn sentence_places_count_code_points_across_blocks() {
        let a = article("Café au lait. Then 🧑‍🚀 flew!\n\nZweiter Absatz.");
        let m = TextMap::new(&a);
        assert_eq!(m.text(), "Café au lait. Then 🧑‍🚀 flew!\n\nZweiter Absatz.");
        assert_eq!(m.len(), 3);
        for i in 0..m.len() {
            let p = m.sentence(i).unwrap();
            assert_eq!(m.slice(p.start, p.end), m.sentence_text(i));
        }
        assert_eq!(m.sentence_text(1), "Then 🧑‍🚀 flew!");
        // "Café au lait. " is 14 code points; the astronaut is 3 (ZWJ sequence).
        assert_eq!(m.sentence(1).unwrap().start, 14);
        assert_eq!(m.sentence(1).unwrap().end, 14 + 5 + 3 + 6);
        assert_eq!(m.sentence(2).unwrap().start, 14 + 14 + 2);
        assert_eq!(m.char_len(), m.text().chars().count() as u32);
    }

    #[test]
    fn sentences_in_finds_every_sentence_a_range_touches() {
        let a = article("One two. Three four.\n\nFive six.");
        let m = TextMap::new(&a);
        assert_eq!(m.sentences_in(0, 3), Some((0, 0)));
        assert_eq!(m.sentences_in(4, 12), Some((0, 1)));
        assert_eq!(m.sentences_in(0, m.char_len()), Some((0, 2)));
        // The whitespace between sentences belongs to none.
        assert_eq!(m.sentences_in(8, 9), None);
        assert_eq!(m.range_of(1, 2), Some((9, 31)));
        assert_eq!(m.sentences_in(5, 5), Some((0, 0)));
    }

    #[test]
    fn context_is_32_code_points_either_side_clamped_at_the_ends() {
        let a = article(&format!(
            "{} target here. {}",
            "é".repeat(40),
            "ü".repeat(40)
        ));
        let m = TextMap::new(&a);
        let start = m.text().chars().position(|c| c == 't').unwrap() as u32;
        let (pre, suf) = m.context(start, start + 6);
        assert_eq!(pre.chars().count(), 32);
        assert!(pre.ends_with("é "));
        assert_eq!(suf, format!(" here. {}", "ü".repeat(25)));
        let (pre, _) = m.context(0, 3);
        assert_eq!(pre, "");
    }

    #[test]
    fn utf16_offsets_convert_to_code_points_and_back() {
        let s = "a😀b🧑‍🚀c";
        assert_eq!(utf16_to_chars(s, 0), 0);
        assert_eq!(utf16_to_chars(s, 1), 1);
        assert_eq!(utf16_to_chars(s, 3), 2);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(utf16_to_chars(s, 2), 1);
        assert_eq!(chars_to_utf16(s, 2), 3);
        assert_eq!(utf16_to_chars(s, 100), s.chars().count());
        for n in 0..=s.chars().count() {
            assert_eq!(utf16_to_chars(s, chars_to_utf16(s, n)), n);
        }
    }
}
