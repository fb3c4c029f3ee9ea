//! Import: from a file's bytes or a pasted text to the blocks of an article.
//!
//! Everything here is pure: the browser edge reads the bytes, and for HTML
//! hands over a tree of tag names and text built by `DOMParser`
//! ([`HtmlNode`]); attributes never cross into this module.
//!
//! Rules:
//! - **Types** come from the file extension: `.txt`/`.text`, `.md`/`.markdown`,
//!   `.html`/`.htm`/`.xhtml`. Anything else is refused by name.
//! - **Size**: at most [`MAX_FILE_BYTES`] (10 MB).
//! - **Decoding**: UTF-8 (a BOM is dropped), or UTF-16 with a BOM. NUL bytes
//!   or many control characters mean a binary file; invalid UTF-8 is refused
//!   with the offset of the first bad byte.
//! - **Plain text**: blank lines separate paragraphs and the lines inside one
//!   are joined by a space. A text without blank lines (one paragraph per
//!   line, as news copy often is) makes each line a paragraph. The title is
//!   the first line.
//! - **Markdown**: ATX and setext headings, paragraphs, list items, block
//!   quotes, fenced and indented code; front matter is dropped (its `title:`
//!   becomes the title), as are thematic breaks and link definitions. Inline
//!   markup is removed from the reading text: emphasis, strike-through, code
//!   spans (their text kept), links and images (their text kept), autolinks,
//!   HTML tags, backslash escapes and character references.
//! - **HTML**: only the first `<article>`, else `<main>`, else `<body>` is
//!   read. Script, style, forms, media, embedded content and navigation are
//!   dropped with their content. Headings, paragraphs, list items, block
//!   quotes, preformatted text, table rows and captions become blocks; inline
//!   elements add their text; white space collapses as in HTML. The title is
//!   `<title>`, else the first heading.
//!
//! Every block produced is non-empty. Outside code it is trimmed and has
//! no control characters. A code block keeps its lines as written: the
//! indentation of its first line, its tabs and `\n`, and no other control
//! character; it has no blank first or last line (checked by the fuzzer).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of structure a block had in its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// A heading, with its level 1–6.
    Heading(u8),
    /// An ordinary paragraph.
    Paragraph,
    /// One item of a list.
    ListItem,
    /// A paragraph inside a block quotation.
    Quote,
    /// Preformatted text (a code block); line breaks are kept and the block
    /// is one sentence.
    Code,
}

/// A block as parsed from a source, before it is split into sentences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawBlock {
    /// The structure the block had in its source.
    pub kind: BlockKind,
    /// The reading text.
    pub text: String,
}

impl RawBlock {
    /// A raw block of the given kind.
    pub fn new(kind: BlockKind, text: impl Into<String>) -> Self {
        Self {
            kind,
            text: text.into(),
        }
    }
}

mod decode;
mod html;
mod markdown;
mod plain;

pub use decode::decode_bytes;
pub use html::{HtmlNode, parse_html};
pub use markdown::{inline, parse_markdown};
pub use plain::parse_text;

/// Largest file accepted, in bytes (10 MB).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Longest title found in a source, in characters.
const MAX_TITLE: usize = 100;

/// The source formats an article can be imported from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// Plain text (`.txt`).
    Text,
    /// Markdown (`.md`).
    Markdown,
    /// HTML (`.html`).
    Html,
}

/// Why an article could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// There is no readable text.
    Empty,
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge {
        /// Its size.
        bytes: u64,
    },
    /// The file looks binary.
    Binary,
    /// The file is not valid UTF-8.
    Undecodable {
        /// Offset of the first invalid byte.
        byte_offset: usize,
    },
    /// The file type is not supported.
    Unsupported {
        /// The file's extension, without the dot (empty when it has none).
        extension: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("There is nothing to read: the text is empty or only white space."),
            Self::TooLarge { bytes } => {
                // Tenths of a megabyte in integers: float formatting costs ~12 KB of wasm.
                let tenths = bytes.saturating_mul(10) / (1024 * 1024);
                write!(f, "The file is {}.{} MB, over the 10 MB limit for one article.", tenths / 10, tenths % 10)
            }
            Self::Binary => f.write_str("This looks like a binary file, not text. Choose a .txt, .md or .html file."),
            Self::Undecodable { byte_offset } => write!(
                f,
                "The file is not valid UTF-8 text (first bad byte at offset {byte_offset}). Save it as UTF-8 and try again."
            ),
            Self::Unsupported { extension } if extension.is_empty() => f.write_str(
                "The file has no extension, so its type is unknown. Supported are .txt, .md and .html files.",
            ),
            Self::Unsupported { extension } => write!(
                f,
                "“.{extension}” files are not supported. Supported are .txt, .md and .html files."
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// The format of a file from its name's extension (case-insensitive).
pub fn format_for_name(file_name: &str) -> Result<SourceFormat, ImportError> {
    let ext = match file_name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    };
    match ext.as_str() {
        "txt" | "text" => Ok(SourceFormat::Text),
        "md" | "markdown" => Ok(SourceFormat::Markdown),
        "html" | "htm" | "xhtml" => Ok(SourceFormat::Html),
        _ => Err(ImportError::Unsupported { extension: ext }),
    }
}

/// Refuses sizes over [`MAX_FILE_BYTES`].
pub fn check_size(bytes: u64) -> Result<(), ImportError> {
    if bytes > MAX_FILE_BYTES {
        Err(ImportError::TooLarge { bytes })
    } else {
        Ok(())
    }
}

/// The result of parsing: a title found in the source, and the blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The title the source gives, if any.
    pub title: Option<String>,
    /// The blocks, in order.
    pub blocks: Vec<RawBlock>,
}

impl Parsed {
    fn push(&mut self, kind: BlockKind, text: &str) {
        let text = clean(text, kind == BlockKind::Code);
        if !text.is_empty() {
            self.blocks.push(RawBlock::new(kind, text));
        }
    }

    fn first_line_title(&self) -> Option<String> {
        self.blocks
            .first()
            .and_then(|b| b.text.lines().next())
            .map(shorten)
    }
}

/// Trims, drops control characters, and (outside code) joins lines with a
/// single space.
fn clean(text: &str, keep_lines: bool) -> String {
    if keep_lines {
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                l.chars()
                    .filter(|c| !c.is_control() || *c == '\t')
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect();
        let joined = lines.join("\n");
        return joined.trim_matches('\n').to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push(' ');
        }
        out.extend(
            line.chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .filter(|c| !c.is_control()),
        );
    }
    out.trim().to_owned()
}

/// A title found in a source: one line, at most about 100 characters.
fn shorten(title: &str) -> String {
    crate::domain::text::shorten(title, MAX_TITLE)
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A title made from a file name: extension dropped, `-` and `_` as spaces.
pub fn title_from_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => base,
    };
    let t = stem.replace(['-', '_'], " ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        "Untitled".to_owned()
    } else {
        shorten(&t)
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF | 0x20000..=0x2FFFF)
}

/// Words in a text: runs of letters and digits, where an apostrophe,
/// hyphen or full stop between two of them keeps one word ("don’t",
/// "Jong-un", "4.2", "a.m."), and a comma between digits too ("1,000");
/// and each CJK ideograph, kana or hangul syllable counts as a word.
pub fn word_count(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    let mut in_word = false;
    for (i, &c) in chars.iter().enumerate() {
        if is_cjk(c) {
            count += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else if in_word
            && matches!(c, '\'' | '’' | '-' | '‐' | '.' | ',')
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() && !is_cjk(*n))
            && (c != ',' || chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit())
        {
            // stays in the word
        } else {
            in_word = false;
        }
    }
    count
}
