//! The article model: an imported text as a sequence of blocks (headings,
//! paragraphs, list items, quotes), each split into sentences.
//!
//! Invariants (checked by [`Block::validate`] and the tests):
//! - sentence spans are byte ranges on char boundaries, in order, non-empty,
//!   non-overlapping, and inside the block text;
//! - the text outside the spans is whitespace only, so the sentences and the
//!   whitespace between them give back the block text exactly;
//! - a block's text is never empty or whitespace-only.

pub mod fingerprint;
pub mod library;
pub mod listing;
pub mod segment;
pub mod welcome;

// The kinds of block and the parsed blocks are the import's output; the
// article is built from them (import never depends on this module).
pub use crate::domain::import::{BlockKind, RawBlock};
pub use crate::domain::text::shorten;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One block of reading text, split into sentences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// The structure the block had in its source.
    pub kind: BlockKind,
    /// The reading text, exactly as shown.
    pub text: String,
    /// Sentence byte spans into `text`, stored as `[start, end]` pairs so that
    /// boundaries stay fixed across app versions (annotations refer to them).
    pub sentences: Vec<[u32; 2]>,
}

impl Block {
    /// Splits a raw block into sentences. A code block is one sentence.
    pub fn from_raw(raw: RawBlock) -> Self {
        let sentences = match raw.kind {
            BlockKind::Code => trimmed_span(&raw.text).into_iter().collect(),
            _ => crate::domain::article::segment::sentence_spans(&raw.text),
        }
        .into_iter()
        .map(|r| [r.start as u32, r.end as u32])
        .collect();
        Self {
            kind: raw.kind,
            text: raw.text,
            sentences,
        }
    }

    /// The sentence texts, in order.
    pub fn sentence_texts(&self) -> impl Iterator<Item = &str> {
        self.sentences
            .iter()
            .map(|[s, e]| &self.text[*s as usize..*e as usize])
    }

    /// The block as pieces in order: `(Some(sentence_index), text)` for a
    /// sentence and `(None, text)` for the whitespace between sentences.
    /// Concatenated, the pieces are exactly the block text.
    pub fn pieces(&self) -> Vec<(Option<usize>, &str)> {
        let mut out = Vec::with_capacity(self.sentences.len() * 2 + 1);
        let mut at = 0usize;
        for (i, [s, e]) in self.sentences.iter().enumerate() {
            let (s, e) = (*s as usize, *e as usize);
            if s > at {
                out.push((None, &self.text[at..s]));
            }
            out.push((Some(i), &self.text[s..e]));
            at = e;
        }
        if at < self.text.len() {
            out.push((None, &self.text[at..]));
        }
        out
    }

    /// Checks the invariants in the module docs.
    pub fn validate(&self) -> Result<(), String> {
        if self.text.trim().is_empty() {
            return Err("block text is empty".into());
        }
        let mut at = 0usize;
        for [s, e] in &self.sentences {
            let (s, e) = (*s as usize, *e as usize);
            if s < at || e <= s || e > self.text.len() {
                return Err(format!(
                    "sentence span {s}..{e} is out of order or out of range"
                ));
            }
            if !self.text.is_char_boundary(s) || !self.text.is_char_boundary(e) {
                return Err(format!("sentence span {s}..{e} splits a character"));
            }
            if !self.text[at..s].trim().is_empty() {
                return Err(format!("text before byte {s} is outside every sentence"));
            }
            at = e;
        }
        if !self.text[at..].trim().is_empty() {
            return Err(format!("text after byte {at} is outside every sentence"));
        }
        Ok(())
    }
}

/// Longest title kept, in characters; longer ones end in "…".
pub const MAX_TITLE_CHARS: usize = 160;

/// A title on one line, whitespace collapsed, at most [`MAX_TITLE_CHARS`]
/// characters (see [`shorten`]).
pub fn short_title(title: &str) -> String {
    shorten(title, MAX_TITLE_CHARS)
}

fn trimmed_span(text: &str) -> Option<Range<usize>> {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    (end > start).then_some(start..end)
}

/// An article: its content fingerprint, title, source and blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The content fingerprint (see [`crate::domain::article::fingerprint`]).
    pub id: String,
    /// The title shown in the library and the reader.
    pub title: String,
    /// The file name it came from, or `None` when pasted.
    pub source_name: Option<String>,
    /// When it was added (RFC 3339, UTC).
    #[serde(with = "crate::domain::time::rfc3339")]
    pub added: chrono::DateTime<chrono::Utc>,
    /// The reading text.
    pub blocks: Vec<Block>,
}

/// How an article was added: the parts the edges supply.
#[derive(Clone, Debug, Default)]
pub struct NewArticle<'a> {
    /// A title the user typed; blank means none.
    pub title: Option<&'a str>,
    /// The file name, when it came from a file.
    pub source_name: Option<&'a str>,
}

impl Article {
    /// Builds an article from parsed blocks. The title is the user's, else
    /// the one found in the source, else one made from the file name.
    pub fn build(
        parsed: crate::domain::import::Parsed,
        new: NewArticle<'_>,
        added: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, crate::domain::import::ImportError> {
        let blocks: Vec<Block> = parsed
            .blocks
            .into_iter()
            .filter(|b| !b.text.trim().is_empty())
            .map(Block::from_raw)
            .collect();
        if blocks.is_empty() {
            return Err(crate::domain::import::ImportError::Empty);
        }
        let id = crate::domain::article::fingerprint::fingerprint(
            blocks.iter().map(|b| b.text.as_str()),
        );
        let title = new
            .title
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .or(parsed.title.filter(|t| !t.trim().is_empty()))
            .or_else(|| {
                new.source_name
                    .map(crate::domain::import::title_from_file_name)
            })
            .map(|t| short_title(&t))
            .unwrap_or_else(|| "Untitled".to_owned());
        Ok(Self {
            id,
            title,
            source_name: new.source_name.map(str::to_owned),
            added,
            blocks,
        })
    }

    /// The number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.blocks.iter().map(|b| b.sentences.len()).sum()
    }

    /// The number of words.
    pub fn word_count(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| crate::domain::import::word_count(&b.text))
            .sum()
    }

    /// The index entry for this article.
    pub fn meta(&self) -> ArticleMeta {
        ArticleMeta {
            id: self.id.clone(),
            title: self.title.clone(),
            source_name: self.source_name.clone(),
            words: self.word_count(),
            sentences: self.sentence_count(),
            added: self.added,
            revision: 0,
        }
    }

    /// Where global sentence `sentence` lives: `(block index, index of the
    /// sentence inside that block)`. Sentences count from 0 through the
    /// article, block 0's first. `None` when out of range.
    pub fn sentence_location(&self, sentence: usize) -> Option<(usize, usize)> {
        let mut first = 0usize;
        for (b, block) in self.blocks.iter().enumerate() {
            let n = block.sentences.len();
            if sentence < first + n {
                return Some((b, sentence - first));
            }
            first += n;
        }
        None
    }

    /// Corrects a boundary the segmenter put in by mistake: joins global
    /// sentence `sentence` with the one after it in the same block. The
    /// joined sentence runs from the first one's start to the second one's
    /// end, the white space between them included. The block text, and so
    /// the article id, stay unchanged.
    ///
    /// Errors when `sentence` is out of range or is the last sentence of its
    /// block: sentences of different blocks (paragraphs, headings, list
    /// items) cannot be joined.
    pub fn join_with_next(&mut self, sentence: usize) -> Result<(), String> {
        let count = self.sentence_count();
        let (b, i) = self
            .sentence_location(sentence)
            .ok_or_else(|| format!("there is no sentence {sentence} (the article has {count})"))?;
        let block = &mut self.blocks[b];
        if i + 1 >= block.sentences.len() {
            return Err(format!(
                "sentence {sentence} is the last one of its paragraph; \
                 sentences in different paragraphs cannot be joined"
            ));
        }
        let end = block.sentences[i + 1][1];
        block.sentences[i][1] = end;
        block.sentences.remove(i + 1);
        Ok(())
    }

    /// Corrects a boundary the segmenter missed: splits global sentence
    /// `sentence` in two at `at_char`, a position counted in Unicode code
    /// points (not bytes, not UTF-16 units) from the start of that
    /// sentence's text. The first part loses its trailing white space and
    /// the second its leading white space, which stays between them. The
    /// block text, and so the article id, stay unchanged.
    ///
    /// Errors when `sentence` is out of range, when `at_char` is past the
    /// sentence's end, or when either part would be empty or white space
    /// only.
    pub fn split_sentence(&mut self, sentence: usize, at_char: usize) -> Result<(), String> {
        let count = self.sentence_count();
        let (b, i) = self
            .sentence_location(sentence)
            .ok_or_else(|| format!("there is no sentence {sentence} (the article has {count})"))?;
        let block = &mut self.blocks[b];
        let [start, end] = block.sentences[i];
        let text = &block.text[start as usize..end as usize];
        let cut = if at_char == 0 {
            0
        } else {
            match text.char_indices().nth(at_char) {
                Some((byte, _)) => byte,
                None if text.chars().count() == at_char => text.len(),
                None => {
                    return Err(format!(
                        "position {at_char} is past the end of sentence {sentence} \
                         ({} characters)",
                        text.chars().count()
                    ));
                }
            }
        };
        let first = text[..cut].trim_end();
        let second = text[cut..].trim_start();
        if first.is_empty() || second.is_empty() {
            return Err(format!(
                "splitting sentence {sentence} at character {at_char} would leave \
                 an empty part"
            ));
        }
        let first_end = start + first.len() as u32;
        let second_start = end - second.len() as u32;
        block.sentences[i] = [start, first_end];
        block.sentences.insert(i + 1, [second_start, end]);
        Ok(())
    }

    /// Checks every block's invariants and that the id matches the content.
    pub fn validate(&self) -> Result<(), String> {
        if self.blocks.is_empty() {
            return Err("article has no text".into());
        }
        for (i, b) in self.blocks.iter().enumerate() {
            b.validate().map_err(|e| format!("block {i}: {e}"))?;
        }
        let id = crate::domain::article::fingerprint::fingerprint(
            self.blocks.iter().map(|b| b.text.as_str()),
        );
        if id != self.id {
            return Err("id does not match the content fingerprint".into());
        }
        Ok(())
    }
}

/// What the library index keeps per article, enough to list it without
/// loading the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleMeta {
    /// The content fingerprint.
    pub id: String,
    /// The title.
    pub title: String,
    /// The file name it came from, if any.
    pub source_name: Option<String>,
    /// Word count.
    pub words: usize,
    /// Sentence count.
    pub sentences: usize,
    /// When it was added.
    #[serde(with = "crate::domain::time::rfc3339")]
    pub added: chrono::DateTime<chrono::Utc>,
    /// How often the stored text was rewritten in place (its sentence
    /// boundaries corrected), so that a tab showing it can tell that its
    /// copy is stale. Absent (0) for a text never rewritten.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_title_collapses_whitespace_and_cuts_long_titles_at_a_word() {
        assert_eq!(short_title("  A\n title\t here "), "A title here");
        let long = "word ".repeat(100);
        let t = short_title(&long);
        assert!(t.chars().count() <= MAX_TITLE_CHARS, "{t}");
        assert!(t.ends_with("word…"), "{t}");
        let unbroken = "x".repeat(500);
        assert_eq!(short_title(&unbroken).chars().count(), MAX_TITLE_CHARS);
    }

    #[test]
    fn block_pieces_give_back_the_text_exactly() {
        let b = Block {
            kind: BlockKind::Paragraph,
            text: " One. Two.  ".into(),
            sentences: vec![[1, 5], [6, 10]],
        };
        b.validate().unwrap();
        let joined: String = b.pieces().iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, b.text);
        assert_eq!(b.sentence_texts().collect::<Vec<_>>(), ["One.", "Two."]);
    }

    #[test]
    fn validate_rejects_spans_that_lose_text_or_split_characters() {
        let lost = Block {
            kind: BlockKind::Paragraph,
            text: "One. Two.".into(),
            sentences: vec![[0, 4]],
        };
        assert!(lost.validate().is_err());
        let split = Block {
            kind: BlockKind::Paragraph,
            text: "é".into(),
            sentences: vec![[0, 1]],
        };
        assert!(split.validate().is_err());
        let overlap = Block {
            kind: BlockKind::Paragraph,
            text: "One. Two.".into(),
            sentences: vec![[0, 5], [4, 9]],
        };
        assert!(overlap.validate().is_err());
    }
}
