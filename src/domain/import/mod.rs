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
//! Every block produced is trimmed and non-empty, and has no control
//! characters other than the `\n` kept in code blocks.

use serde::{Deserialize, Serialize};

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

use std::fmt;

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

/// Decodes a file's bytes to text (see the module docs).
pub fn decode_bytes(bytes: &[u8]) -> Result<String, ImportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    let (bytes, base) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3),
        None => (bytes, 0),
    };
    if bytes.contains(&0) {
        return Err(ImportError::Binary);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if controls * 10 > head.len() {
        return Err(ImportError::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(ImportError::Undecodable {
            byte_offset: base + e.valid_up_to(),
        }),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ImportError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ImportError::Undecodable {
            byte_offset: bytes.len() + 1,
        });
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    // Code units read so far: a character beyond the BMP takes two.
    let mut units_before = 0;
    for c in char::decode_utf16(units) {
        match c {
            Ok('\0') => return Err(ImportError::Binary),
            Ok(c) => {
                out.push(c);
                units_before += c.len_utf16();
            }
            Err(_) => {
                return Err(ImportError::Undecodable {
                    byte_offset: 2 + units_before * 2,
                });
            }
        }
    }
    Ok(out)
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

/// Parses plain text (see the module docs).
pub fn parse_text(text: &str) -> Parsed {
    let text = normalize_newlines(text);
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    let mut parsed = Parsed::default();
    let (Some(first), Some(last)) = (first, last) else {
        return parsed;
    };
    let body = &lines[first..=last];
    let has_blank = body.iter().any(|l| l.trim().is_empty());
    if has_blank {
        let mut para = String::new();
        for line in body {
            if line.trim().is_empty() {
                parsed.push(BlockKind::Paragraph, &para);
                para.clear();
            } else {
                para.push_str(line);
                para.push('\n');
            }
        }
        parsed.push(BlockKind::Paragraph, &para);
    } else {
        for line in body {
            parsed.push(BlockKind::Paragraph, line);
        }
    }
    parsed.title = parsed.first_line_title();
    parsed
}

// ---------------------------------------------------------------- Markdown

/// Parses Markdown (see the module docs).
pub fn parse_markdown(text: &str) -> Parsed {
    let text = normalize_newlines(text);
    let mut lines: Vec<&str> = text.lines().collect();
    let mut parsed = Parsed::default();
    let mut front_title = None;
    if lines.first().map(|l| l.trim_end()) == Some("---")
        && let Some(end) = lines
            .iter()
            .skip(1)
            .position(|l| matches!(l.trim_end(), "---" | "..."))
    {
        for l in &lines[1..=end] {
            if let Some(v) = l.strip_prefix("title:") {
                let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
                // Judged after inline markup is dropped: `<b></b>` is no title.
                let title = shorten(&inline(v));
                if !title.is_empty() {
                    front_title = Some(title);
                }
            }
        }
        lines.drain(..=end + 1);
    }
    md_blocks(&lines, &mut parsed, false);
    let heading = parsed
        .blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Heading(_)))
        .map(|b| shorten(&b.text));
    parsed.title = front_title
        .or(heading)
        .or_else(|| parsed.first_line_title());
    parsed
}

fn indent_of(line: &str) -> usize {
    line.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// `line` without up to `columns` columns of leading spaces and tabs (a
/// tab counts 4). Whitespace that would go past `columns` stays, so no
/// character of the line is ever lost.
fn strip_indent(line: &str, columns: usize) -> &str {
    let mut width = 0;
    for (at, c) in line.char_indices() {
        let w = match c {
            ' ' => 1,
            '\t' => 4,
            _ => return &line[at..],
        };
        if width + w > columns {
            return &line[at..];
        }
        width += w;
    }
    ""
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let t = line.trim_start();
    if indent_of(line) > 3 {
        return None;
    }
    let level = t.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut content = rest.trim();
    let stripped = content.trim_end_matches('#');
    if stripped.is_empty() || stripped.ends_with([' ', '\t']) {
        content = stripped.trim_end();
    }
    Some((level as u8, content))
}

fn thematic_break(line: &str) -> bool {
    if indent_of(line) > 3 {
        return false;
    }
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3
        && (t.chars().all(|c| c == '-')
            || t.chars().all(|c| c == '*')
            || t.chars().all(|c| c == '_'))
}

fn fence(line: &str) -> Option<(char, usize)> {
    if indent_of(line) > 3 {
        return None;
    }
    let t = line.trim_start();
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3 && !(c == '`' && t[n..].contains('`'))).then_some((c, n))
}

/// A list marker: returns the content after it.
fn list_item(line: &str) -> Option<&str> {
    // Nested items are indented further; any depth is accepted.
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix(['-', '*', '+']) {
        if rest.starts_with([' ', '\t']) {
            return Some(rest.trim_start());
        }
        return None;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &t[digits..];
        if let Some(rest) = rest.strip_prefix(['.', ')'])
            && (rest.starts_with([' ', '\t']) || rest.is_empty())
        {
            return Some(rest.trim_start());
        }
    }
    None
}

fn link_definition(line: &str) -> bool {
    let t = line.trim_start();
    if indent_of(line) > 3 || !t.starts_with('[') {
        return false;
    }
    match t.find("]:") {
        Some(at) => at > 1 && !t[1..at].contains(']'),
        None => false,
    }
}

fn table_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.len() > 1
}

fn table_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn table_cells(line: &str) -> String {
    let t = line.trim().trim_start_matches('|').trim_end_matches('|');
    t.split('|')
        .map(|c| inline(c.trim()))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn html_block(line: &str) -> bool {
    let t = line.trim_start();
    indent_of(line) <= 3
        && t.starts_with('<')
        && t[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
}

/// Starts a new block (so it interrupts a paragraph).
fn starts_block(line: &str) -> bool {
    atx_heading(line).is_some()
        || thematic_break(line)
        || fence(line).is_some()
        || line.trim_start().starts_with('>')
        || list_item(line).is_some()
        || html_block(line)
}

fn md_blocks(lines: &[&str], out: &mut Parsed, in_quote: bool) {
    let para_kind = if in_quote {
        BlockKind::Quote
    } else {
        BlockKind::Paragraph
    };
    let mut i = 0;
    let mut after_blank = true;
    while i < lines.len() {
        let line = lines[i];
        if is_blank(line) {
            after_blank = true;
            i += 1;
            continue;
        }
        if let Some((c, n)) = fence(line) {
            let mut code = String::new();
            i += 1;
            let indent = indent_of(line);
            while i < lines.len() {
                if let Some((c2, n2)) = fence(lines[i])
                    && c2 == c
                    && n2 >= n
                    && lines[i].trim().chars().all(|x| x == c)
                {
                    i += 1;
                    break;
                }
                code.push_str(strip_indent(lines[i], indent));
                code.push('\n');
                i += 1;
            }
            out.push(BlockKind::Code, &code);
            after_blank = false;
            continue;
        }
        if after_blank && indent_of(line) >= 4 && !in_quote {
            let mut code = String::new();
            while i < lines.len() && (indent_of(lines[i]) >= 4 || is_blank(lines[i])) {
                let l = lines[i];
                let mut drop = 0;
                let mut width = 0;
                for ch in l.chars() {
                    if width >= 4 {
                        break;
                    }
                    match ch {
                        ' ' => width += 1,
                        '\t' => width = 4,
                        _ => break,
                    }
                    drop += 1;
                }
                code.push_str(&l[drop.min(l.len())..]);
                code.push('\n');
                i += 1;
            }
            out.push(BlockKind::Code, &code);
            after_blank = false;
            continue;
        }
        if let Some((level, content)) = atx_heading(line) {
            out.push(
                if in_quote {
                    BlockKind::Quote
                } else {
                    BlockKind::Heading(level)
                },
                &inline(content),
            );
            i += 1;
            after_blank = false;
            continue;
        }
        if thematic_break(line) {
            i += 1;
            after_blank = true;
            continue;
        }
        if line.trim_start().starts_with('>') {
            let mut inner = Vec::new();
            while i < lines.len() && !is_blank(lines[i]) {
                let t = lines[i].trim_start();
                if let Some(rest) = t.strip_prefix('>') {
                    inner.push(rest.strip_prefix(' ').unwrap_or(rest));
                } else if starts_block(lines[i]) {
                    break;
                } else {
                    inner.push(lines[i]); // lazy continuation
                }
                i += 1;
            }
            md_blocks(&inner, out, true);
            after_blank = false;
            continue;
        }
        if let Some(first) = list_item(line) {
            let mut text = first.to_owned();
            i += 1;
            while i < lines.len()
                && !is_blank(lines[i])
                && list_item(lines[i]).is_none()
                && !starts_block(lines[i])
            {
                text.push('\n');
                text.push_str(lines[i].trim());
                i += 1;
            }
            // Continuation paragraphs indented under the item stay in it.
            while i + 1 < lines.len()
                && is_blank(lines[i])
                && indent_of(lines[i + 1]) >= 2
                && list_item(lines[i + 1]).is_none()
                && !is_blank(lines[i + 1])
            {
                i += 1;
                while i < lines.len() && !is_blank(lines[i]) && list_item(lines[i]).is_none() {
                    text.push('\n');
                    text.push_str(lines[i].trim());
                    i += 1;
                }
            }
            let kind = if in_quote {
                BlockKind::Quote
            } else {
                BlockKind::ListItem
            };
            out.push(kind, &inline(&text));
            after_blank = false;
            continue;
        }
        if link_definition(line) {
            i += 1;
            continue;
        }
        if table_row(line) && lines.get(i + 1).is_some_and(|l| table_separator(l)) {
            while i < lines.len() && table_row(lines[i]) {
                if !table_separator(lines[i]) {
                    out.push(para_kind, &table_cells(lines[i]));
                }
                i += 1;
            }
            after_blank = false;
            continue;
        }
        // A paragraph, perhaps a setext heading.
        let mut text = String::new();
        while i < lines.len() && !is_blank(lines[i]) {
            let l = lines[i];
            if !text.is_empty() {
                let t = l.trim();
                if !t.is_empty() && t.chars().all(|c| c == '=') {
                    out.push(
                        if in_quote {
                            para_kind
                        } else {
                            BlockKind::Heading(1)
                        },
                        &inline(&text),
                    );
                    text.clear();
                    i += 1;
                    break;
                }
                if !t.is_empty() && t.chars().all(|c| c == '-') && !in_quote {
                    out.push(BlockKind::Heading(2), &inline(&text));
                    text.clear();
                    i += 1;
                    break;
                }
                if starts_block(l) && !html_block(l) {
                    break;
                }
            }
            if !text.is_empty() {
                // Hard line breaks (two trailing spaces or a backslash) become a space too.
                text.push('\n');
            }
            let l = l.trim();
            text.push_str(l.strip_suffix('\\').unwrap_or(l));
            i += 1;
        }
        if !text.is_empty() {
            out.push(para_kind, &inline(&text));
        }
        after_blank = false;
    }
}

/// Removes inline Markdown: the reading text only.
pub fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '\\' if i + 1 < chars.len() && chars[i + 1] == '\n' => {
                out.push('\n');
                i += 2;
            }
            '`' => {
                let n = run(&chars, i, '`');
                match find_run(&chars, i + n, '`', n) {
                    Some(end) => {
                        let code: String = chars[i + n..end].iter().collect();
                        let code = code.replace('\n', " ");
                        let trimmed =
                            if code.starts_with(' ') && code.ends_with(' ') && code.trim() != "" {
                                &code[1..code.len() - 1]
                            } else {
                                code.as_str()
                            };
                        out.push_str(trimmed);
                        i = end + n;
                    }
                    None => {
                        out.extend(&chars[i..i + n]);
                        i += n;
                    }
                }
            }
            '!' if chars.get(i + 1) == Some(&'[') => match link_at(&chars, i + 1) {
                Some((label, end)) => {
                    out.push_str(&inline(&label));
                    i = end;
                }
                None => {
                    out.push('!');
                    i += 1;
                }
            },
            '[' => match link_at(&chars, i) {
                Some((label, end)) => {
                    out.push_str(&inline(&label));
                    i = end;
                }
                None => {
                    out.push('[');
                    i += 1;
                }
            },
            '<' => match autolink_or_tag(&chars, i) {
                Some((keep, end)) => {
                    out.push_str(&keep);
                    i = end;
                }
                None => {
                    out.push('<');
                    i += 1;
                }
            },
            '&' => match entity(&chars, i) {
                Some((ch, end)) => {
                    out.push(ch);
                    i = end;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            },
            '*' | '_' | '~' => {
                let n = run(&chars, i, c);
                if is_delimiter(&chars, i, n, c) {
                    i += n;
                } else {
                    out.extend(&chars[i..i + n]);
                    i += n;
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn run(chars: &[char], at: usize, c: char) -> usize {
    chars[at..].iter().take_while(|x| **x == c).count()
}

fn find_run(chars: &[char], from: usize, c: char, n: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == c {
            let m = run(chars, i, c);
            if m == n {
                return Some(i);
            }
            i += m;
        } else {
            i += 1;
        }
    }
    None
}

/// Whether a run of `*`, `_` or `~` is emphasis markup (a flanking
/// delimiter with a matching partner), not a literal character.
fn is_delimiter(chars: &[char], at: usize, n: usize, c: char) -> bool {
    if c == '~' && n != 2 && n != 1 {
        return false;
    }
    let before = at.checked_sub(1).map(|j| chars[j]);
    let after = chars.get(at + n).copied();
    let left_flanking = after.is_some_and(|a| !a.is_whitespace());
    let right_flanking = before.is_some_and(|b| !b.is_whitespace());
    if !left_flanking && !right_flanking {
        return false; // "2 * 3"
    }
    // Underscores inside a word (snake_case) are never emphasis.
    if c == '_'
        && before.is_some_and(char::is_alphanumeric)
        && after.is_some_and(char::is_alphanumeric)
    {
        return false;
    }
    if left_flanking && !right_flanking {
        // An opener needs a closer later.
        let mut j = at + n;
        while j < chars.len() {
            if chars[j] == c {
                let m = run(chars, j, c);
                if chars[j - 1] != ' '
                    && !(c == '_' && chars.get(j + m).is_some_and(|x| x.is_alphanumeric()))
                {
                    return true;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        return false;
    }
    if right_flanking && !left_flanking {
        // A closer needs an opener earlier.
        return chars[..at]
            .iter()
            .rposition(|x| *x == c)
            .is_some_and(|j| chars.get(j + 1).is_some_and(|x| !x.is_whitespace()));
    }
    // Both sides are text ("a*b*c"): emphasis only for `*` with a partner.
    c == '*' && (chars[at + n..].contains(&c) || chars[..at].contains(&c))
}

/// `[label](dest "title")`, `[label][ref]`, `[label][]` or a shortcut
/// `[label]` followed by nothing link-like is left alone. Returns the label
/// and the index after the link.
fn link_at(chars: &[char], at: usize) -> Option<(String, usize)> {
    let mut depth = 0;
    let mut j = at;
    let close = loop {
        match chars.get(j)? {
            '\\' => j += 1,
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break j;
                }
            }
            _ => {}
        }
        j += 1;
    };
    let label: String = chars[at + 1..close].iter().collect();
    match chars.get(close + 1) {
        Some('(') => {
            let mut depth = 0;
            let mut k = close + 1;
            loop {
                match chars.get(k)? {
                    '\\' => k += 1,
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some((label, k + 1));
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
        }
        Some('[') => {
            let end = chars[close + 2..].iter().position(|c| *c == ']')? + close + 2;
            Some((label, end + 1))
        }
        _ => None,
    }
}

fn autolink_or_tag(chars: &[char], at: usize) -> Option<(String, usize)> {
    let end = chars[at..].iter().take(2048).position(|c| *c == '>')? + at;
    let inner: String = chars[at + 1..end].iter().collect();
    if inner.is_empty() || inner.contains('<') {
        return None;
    }
    if (inner.contains("://") || inner.starts_with("mailto:"))
        && !inner.contains(char::is_whitespace)
    {
        return Some((inner.trim_start_matches("mailto:").to_owned(), end + 1));
    }
    if inner.contains('@') && !inner.contains(char::is_whitespace) && !inner.starts_with('/') {
        return Some((inner, end + 1));
    }
    let first = inner.chars().next()?;
    if first.is_ascii_alphabetic() || first == '/' || first == '!' {
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty() || first == '!' {
            // `<br>` separates words.
            let keep = if name.eq_ignore_ascii_case("br") {
                " "
            } else {
                ""
            };
            return Some((keep.to_owned(), end + 1));
        }
    }
    None
}

/// A character reference: `&amp;`, `&#38;`, `&#x26;` and common names.
fn entity(chars: &[char], at: usize) -> Option<(char, usize)> {
    let end = chars[at..].iter().take(12).position(|c| *c == ';')? + at;
    let name: String = chars[at + 1..end].iter().collect();
    let c = if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(n)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{FFFD}')
    } else {
        match name.as_str() {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{A0}',
            "mdash" => '—',
            "ndash" => '–',
            "hellip" => '…',
            "lsquo" => '‘',
            "rsquo" => '’',
            "ldquo" => '“',
            "rdquo" => '”',
            "copy" => '©',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

// -------------------------------------------------------------------- HTML

/// A minimal HTML tree handed in by the browser edge: element names
/// (lowercase) and text. Attributes are never passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HtmlNode {
    /// An element and its children.
    Element {
        /// The tag name, lowercase.
        tag: String,
        /// The child nodes.
        children: Vec<HtmlNode>,
    },
    /// A text node.
    Text(String),
}

impl HtmlNode {
    fn tag(&self) -> Option<&str> {
        match self {
            Self::Element { tag, .. } => Some(tag),
            Self::Text(_) => None,
        }
    }

    fn children(&self) -> &[HtmlNode] {
        match self {
            Self::Element { children, .. } => children,
            Self::Text(_) => &[],
        }
    }

    fn find(&self, tag: &str) -> Option<&HtmlNode> {
        if self.tag() == Some(tag) {
            return Some(self);
        }
        self.children().iter().find_map(|c| c.find(tag))
    }

    fn text(&self, out: &mut String) {
        match self {
            Self::Text(t) => out.push_str(t),
            Self::Element { tag, children } if !dropped(tag) => {
                for c in children {
                    c.text(out);
                }
            }
            Self::Element { .. } => {}
        }
    }
}

/// Elements dropped with all their content.
fn dropped(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "picture"
            | "form"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "nav"
            | "dialog"
            | "link"
            | "meta"
            | "title"
            | "base"
            | "source"
            | "track"
            | "map"
            | "area"
            | "datalist"
            | "option"
    )
}

/// Elements whose content is inline text.
fn inline_tag(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "i"
            | "kbd"
            | "label"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "del"
            | "ins"
            | "font"
            | "big"
            | "tt"
            | "strike"
            | "nobr"
            | "wbr"
            | "br"
            | "img"
            | "ruby"
            | "rt"
            | "rp"
            | "output"
            | "meter"
            | "progress"
    )
}

/// Collapses HTML white space (space, tab, newline, CR, form feed) to one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

struct HtmlWalk {
    parsed: Parsed,
    inline: String,
}

impl HtmlWalk {
    fn flush(&mut self, kind: BlockKind) {
        let text = collapse(&std::mem::take(&mut self.inline));
        self.parsed.push(kind, &text);
    }

    fn inline_text(&mut self, node: &HtmlNode) {
        match node {
            HtmlNode::Text(t) => self.inline.push_str(t),
            HtmlNode::Element { tag, .. } if tag == "br" => self.inline.push(' '),
            HtmlNode::Element { tag, children } if !dropped(tag) => {
                for c in children {
                    self.inline_text(c);
                }
                if tag == "td" || tag == "th" {
                    self.inline.push_str(" · ");
                }
            }
            HtmlNode::Element { .. } => {}
        }
    }

    /// Walks a container: runs of inline content become blocks of `kind`.
    fn container(&mut self, node: &HtmlNode, kind: BlockKind) {
        for child in node.children() {
            match child {
                HtmlNode::Text(_) => self.inline_text(child),
                HtmlNode::Element { tag, .. } if inline_tag(tag) => self.inline_text(child),
                HtmlNode::Element { tag, .. } if dropped(tag) => {}
                HtmlNode::Element { tag, .. } => {
                    self.flush(kind);
                    self.block(tag, child, kind);
                }
            }
        }
        self.flush(kind);
    }

    fn block(&mut self, tag: &str, node: &HtmlNode, around: BlockKind) {
        let quoted = around == BlockKind::Quote;
        match tag {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = tag.as_bytes()[1] - b'0';
                self.container(
                    node,
                    if quoted {
                        BlockKind::Quote
                    } else {
                        BlockKind::Heading(level)
                    },
                );
            }
            "p" | "figcaption" | "caption" | "dt" | "dd" | "summary" | "address" => self.container(
                node,
                if quoted {
                    BlockKind::Quote
                } else {
                    BlockKind::Paragraph
                },
            ),
            "li" => self.container(
                node,
                if quoted {
                    BlockKind::Quote
                } else {
                    BlockKind::ListItem
                },
            ),
            "blockquote" => self.container(node, BlockKind::Quote),
            "pre" => {
                let mut text = String::new();
                node.text(&mut text);
                self.parsed.push(BlockKind::Code, &text);
            }
            "tr" => {
                let cells: Vec<String> = node
                    .children()
                    .iter()
                    .map(|c| {
                        let mut t = String::new();
                        c.text(&mut t);
                        collapse(&t).trim().to_owned()
                    })
                    .filter(|t| !t.is_empty())
                    .collect();
                self.parsed.push(
                    if quoted {
                        BlockKind::Quote
                    } else {
                        BlockKind::Paragraph
                    },
                    &cells.join(" · "),
                );
            }
            "hr" => {}
            _ => self.container(node, around),
        }
    }
}

/// Parses the tree of an HTML document (see the module docs).
pub fn parse_html(root: &HtmlNode) -> Parsed {
    let title = root
        .find("head")
        .and_then(|h| h.find("title"))
        .or_else(|| root.find("title"))
        .map(|t| {
            let mut s = String::new();
            for c in t.children() {
                if let HtmlNode::Text(x) = c {
                    s.push_str(x);
                }
            }
            collapse(&s).trim().to_owned()
        })
        .filter(|t| !t.is_empty());
    let body = root
        .find("article")
        .or_else(|| root.find("main"))
        .or_else(|| root.find("body"))
        .unwrap_or(root);
    let mut walk = HtmlWalk {
        parsed: Parsed::default(),
        inline: String::new(),
    };
    walk.container(body, BlockKind::Paragraph);
    let mut parsed = walk.parsed;
    let heading = parsed
        .blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Heading(_)))
        .map(|b| shorten(&b.text));
    parsed.title = title
        .map(|t| shorten(&t))
        .or(heading)
        .or_else(|| parsed.first_line_title());
    parsed
}

// ------------------------------------------------------------------ others

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
