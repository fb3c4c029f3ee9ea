//! What the fuzz targets share: inputs made from fuzz bytes, and the
//! invariants they assert. Every check panics on a violation, which AFL++
//! records as a crash; the message says which invariant broke.

use crate::domain::{
    Anchorer, Anchoring, Article, Block, BlockKind, Bundle, ExportInfo, Format, How, HtmlNode,
    ImportError, NewArticle, Parsed, RawBlock, ReadFile, Target, TargetKind, TextMap, read_text,
    sentence_spans, write_json, write_w3c,
};
use std::ops::Range;
use std::sync::OnceLock;

/// The date given to every article and export built here.
pub fn epoch() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::UNIX_EPOCH
}

/// The fuzz bytes as text: invalid UTF-8 becomes U+FFFD, so that every
/// input reaches the code under test.
pub fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Whether a run lets a known domain bug pass: `FUZZ_ALLOW` names them,
/// comma-separated, so that a fuzzer can look past a bug that was found
/// and not fixed yet (see `crashes-found/` and docs/fuzzing.md). Unset,
/// every check holds.
pub fn allowed(issue: &str) -> bool {
    static ALLOW: OnceLock<Vec<String>> = OnceLock::new();
    ALLOW
        .get_or_init(|| {
            let names = std::env::var("FUZZ_ALLOW").unwrap_or_default();
            names
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .iter()
        .any(|a| a == issue)
}

/// A small deterministic generator of choices (xorshift), seeded from bytes.
pub struct Dice(u64);

impl Dice {
    /// Seeded by an FNV-1a hash of `seed`.
    pub fn new(seed: &[u8]) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in seed {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Dice(h | 1)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { self.0 % n }
    }
}

// ---------------------------------------------------------------- segmenter

/// The segmenter invariants on `spans` of `text`: in order, non-empty,
/// non-overlapping, on char boundaries, trimmed, and only white space
/// outside them, so that sentences and gaps give back the text exactly.
pub fn check_spans(text: &str, spans: &[Range<usize>]) {
    let mut at = 0usize;
    let mut rebuilt = String::with_capacity(text.len());
    for s in spans {
        assert!(
            at <= s.start && s.start < s.end && s.end <= text.len(),
            "span {s:?} is empty, out of order or out of range (previous end {at}, text {} bytes)",
            text.len()
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "span {s:?} splits a character"
        );
        let gap = &text[at..s.start];
        assert!(
            gap.trim().is_empty(),
            "text {gap:?} before span {s:?} is outside every sentence"
        );
        let sentence = &text[s.clone()];
        assert_eq!(sentence, sentence.trim(), "span {s:?} is not trimmed");
        rebuilt.push_str(gap);
        rebuilt.push_str(sentence);
        at = s.end;
    }
    let tail = &text[at..];
    assert!(
        tail.trim().is_empty(),
        "text {tail:?} after the last span is outside every sentence"
    );
    rebuilt.push_str(tail);
    assert_eq!(
        rebuilt, text,
        "sentences and gaps do not give back the text"
    );
}

/// Segments `text` and checks the invariants.
pub fn segment_and_check(text: &str) {
    let spans = sentence_spans(text);
    check_spans(text, &spans);
}

/// A block made by the article model from `raw`, checked: valid, and its
/// pieces give back its text.
pub fn block_and_check(raw: RawBlock) -> Block {
    let text = raw.text.clone();
    let kind = raw.kind;
    let block = Block::from_raw(raw);
    assert_eq!(block.text, text, "the block's text changed");
    if let Err(e) = block.validate() {
        panic!("Block::validate on a {kind:?} block: {e}");
    }
    let pieces: String = block.pieces().into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        pieces, text,
        "the pieces of a block do not give back its text"
    );
    assert_eq!(block.sentence_texts().count(), block.sentences.len());
    block
}

// ---------------------------------------------------------------- importers

/// The importers' promises (module docs of `import`): every block is
/// non-empty; outside code it is trimmed and has no control character;
/// code keeps only `\n` and `\t`, has no trailing white space on a line
/// and no blank first or last line. A title is one line of at most 100
/// characters.
pub fn check_parsed(parsed: &Parsed) {
    for (i, b) in parsed.blocks.iter().enumerate() {
        let t = &b.text;
        assert!(
            !t.trim().is_empty(),
            "block {i} is empty or white space only: {t:?}"
        );
        if b.kind == BlockKind::Code {
            assert!(
                !t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
                "code block {i} has a control character: {t:?}"
            );
            assert!(
                t.lines().all(|l| l == l.trim_end()),
                "code block {i} has trailing white space on a line: {t:?}"
            );
            assert!(
                !t.starts_with('\n') && !t.ends_with('\n'),
                "code block {i} has a blank edge line: {t:?}"
            );
        } else {
            assert_eq!(t.as_str(), t.trim(), "block {i} is not trimmed");
            assert!(
                !t.chars().any(char::is_control),
                "block {i} has a control character: {t:?}"
            );
        }
        if let BlockKind::Heading(level) = b.kind {
            assert!((1..=6).contains(&level), "heading level {level}");
        }
    }
    if let Some(title) = &parsed.title {
        assert!(
            !title.trim().is_empty(),
            "the title is empty (it hides the first heading and the first line)"
        );
        assert!(
            !title.contains('\n'),
            "the title is not one line: {title:?}"
        );
        assert!(
            title.chars().count() <= 100,
            "the title is longer than 100 characters"
        );
    }
}

/// Checks what an importer returned, then builds the article from it and
/// checks that too. `None` when there is no text at all.
pub fn article_and_check(parsed: Parsed) -> Option<Article> {
    check_parsed(&parsed);
    for raw in &parsed.blocks {
        block_and_check(raw.clone());
    }
    let had_blocks = !parsed.blocks.is_empty();
    match Article::build(parsed, NewArticle::default(), epoch()) {
        Ok(article) => {
            if let Err(e) = article.validate() {
                panic!("Article::validate: {e}");
            }
            Some(article)
        }
        Err(ImportError::Empty) => {
            assert!(!had_blocks, "Article::build refused non-empty blocks");
            None
        }
        Err(e) => panic!("Article::build failed: {e}"),
    }
}

/// The text map of an article, checked against its blocks.
pub fn map_and_check(article: &Article) -> TextMap {
    let map = TextMap::new(article);
    assert_eq!(map.len(), article.sentence_count());
    assert_eq!(map.char_len() as usize, map.text().chars().count());
    for i in 0..map.len() {
        let p = map.sentence(i).expect("a sentence in range");
        assert_eq!(
            map.slice(p.start, p.end),
            map.sentence_text(i),
            "sentence {i}: code points and bytes disagree"
        );
    }
    map
}

// -------------------------------------------------------------------- HTML

/// The deepest element kept, as the browser edge does (`src/ui/files.rs`):
/// deeper elements become their text.
pub const MAX_DEPTH: usize = 200;

/// Elements that never have children.
fn void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

struct Open {
    tag: String,
    children: Vec<HtmlNode>,
}

/// An [`HtmlNode`] tree read from the fuzz bytes as tag soup, always the
/// same tree for the same bytes: `<name …>` opens an element (the name in
/// lowercase ASCII, attributes dropped), `</name>` closes the nearest open
/// one of that name (and those inside it), `<!…>` is skipped, and
/// everything else is text. The root is `html`, as `DOMParser`'s document
/// element is. So the HTML fixtures are meaningful seeds.
pub fn html_tree(data: &[u8]) -> HtmlNode {
    let src = text_of(data);
    let mut stack = vec![Open {
        tag: "html".to_owned(),
        children: Vec::new(),
    }];
    let mut text = String::new();
    let mut rest = src.as_str();
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            text.push_str(&rest[lt..]);
            break;
        };
        let inside = &after[..gt];
        let closing = inside.starts_with('/');
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !inside.starts_with('!') && name.is_empty() {
            // Not a tag: the `<` is text.
            text.push('<');
            rest = after;
            continue;
        }
        if !text.is_empty() {
            let node = HtmlNode::Text(std::mem::take(&mut text));
            stack.last_mut().expect("the root").children.push(node);
        }
        rest = &after[gt + 1..];
        if inside.starts_with('!') || name == "html" {
            continue;
        }
        if closing {
            if let Some(at) = stack.iter().rposition(|o| o.tag == name)
                && at > 0
            {
                while stack.len() > at {
                    close(&mut stack);
                }
            }
        } else if void(&name) {
            let node = HtmlNode::Element {
                tag: name,
                children: Vec::new(),
            };
            stack.last_mut().expect("the root").children.push(node);
        } else {
            stack.push(Open {
                tag: name,
                children: Vec::new(),
            });
        }
    }
    if !text.is_empty() {
        stack
            .last_mut()
            .expect("the root")
            .children
            .push(HtmlNode::Text(text));
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    let root = stack.pop().expect("the root");
    cap_depth(
        HtmlNode::Element {
            tag: root.tag,
            children: root.children,
        },
        0,
    )
}

fn close(stack: &mut Vec<Open>) {
    let open = stack.pop().expect("an open element");
    let node = HtmlNode::Element {
        tag: open.tag,
        children: open.children,
    };
    stack.last_mut().expect("the root").children.push(node);
}

/// Replaces elements deeper than [`MAX_DEPTH`] by their text.
fn cap_depth(node: HtmlNode, depth: usize) -> HtmlNode {
    match node {
        HtmlNode::Element { tag, children } if depth < MAX_DEPTH => HtmlNode::Element {
            tag,
            children: children
                .into_iter()
                .map(|c| cap_depth(c, depth + 1))
                .collect(),
        },
        HtmlNode::Element { .. } => {
            let mut text = String::new();
            all_text(&node, &mut text);
            HtmlNode::Text(text)
        }
        text => text,
    }
}

fn all_text(node: &HtmlNode, out: &mut String) {
    match node {
        HtmlNode::Text(t) => out.push_str(t),
        HtmlNode::Element { children, .. } => children.iter().for_each(|c| all_text(c, out)),
    }
}

// ------------------------------------------------------------------ exports

/// What is written back: the export's own date, a complete backup when
/// any article has its text.
fn info_for(file: &ReadFile) -> ExportInfo {
    ExportInfo {
        exported: file.exported.unwrap_or_else(epoch),
        app_version: "fuzz".to_owned(),
        complete: file.bundle.articles.iter().any(|e| e.text.is_some()),
    }
}

fn annotation_count(bundle: &Bundle) -> usize {
    bundle.articles.iter().map(|e| e.annotations.len()).sum()
}

fn reread(written: &str, what: &str) -> ReadFile {
    match read_text(written) {
        Ok(again) => again,
        Err(e) => panic!("{what} written from an accepted file is refused: {e:?}\n{written}"),
    }
}

/// A file that was read is written back in its own format and read again:
/// it must be accepted and give the same bundle. Written in the other
/// format, it must be accepted with the same annotations.
pub fn check_roundtrips(file: &ReadFile) {
    let info = info_for(file);
    let (own, other) = match file.format {
        Format::Marginalia => (
            write_json(&file.bundle, &info),
            write_w3c(&file.bundle, &info, "fuzz"),
        ),
        Format::W3c => (
            write_w3c(&file.bundle, &info, "fuzz"),
            write_json(&file.bundle, &info),
        ),
    };
    let again = reread(&own, "the same format");
    assert_eq!(again.format, file.format, "the format changed");
    assert_eq!(
        again.bundle, file.bundle,
        "written and read again, the bundle changed"
    );
    let other_file = reread(&other, "the other format");
    assert_eq!(
        annotation_count(&other_file.bundle),
        annotation_count(&file.bundle),
        "written in the other format, annotations were lost"
    );
}

// ---------------------------------------------------------------- anchoring

/// The most edits read from one input.
pub const MAX_EDITS: usize = 16;

/// The edited text: `ops` read as edits of `old`'s code points, 4 bytes a
/// head (kind, position as a fraction of the length in 2 bytes, length):
/// 0 deletes, 1 inserts the next `length` bytes as text, 2 swaps the case
/// of a range, 3 copies a range (its start in the next 2 bytes) to the
/// position, 4 moves a range to the end.
pub fn edit(old: &str, ops: &[u8]) -> String {
    let mut chars: Vec<char> = old.chars().collect();
    let mut ops = ops;
    let place = |hi: u8, lo: u8, n: usize| (u16::from_be_bytes([hi, lo]) as usize * (n + 1)) >> 16;
    for _ in 0..MAX_EDITS {
        let [kind, hi, lo, len, rest @ ..] = ops else {
            break;
        };
        ops = rest;
        let n = chars.len();
        let at = place(*hi, *lo, n);
        let len = *len as usize;
        let end = (at + len).min(n);
        match kind % 5 {
            0 => {
                chars.drain(at..end);
            }
            1 => {
                let take = len.min(ops.len());
                let inserted = text_of(&ops[..take]);
                ops = &ops[take..];
                chars.splice(at..at, inserted.chars());
            }
            2 => {
                for c in &mut chars[at..end] {
                    let swapped: Vec<char> = if c.is_uppercase() {
                        c.to_lowercase().collect()
                    } else {
                        c.to_uppercase().collect()
                    };
                    if let [one] = swapped[..] {
                        *c = one;
                    }
                }
            }
            3 => {
                let [shi, slo, rest @ ..] = ops else {
                    break;
                };
                ops = rest;
                let from = place(*shi, *slo, n);
                let copy: Vec<char> = chars[from..(from + len).min(n)].to_vec();
                chars.splice(at..at, copy);
            }
            _ => {
                let moved: Vec<char> = chars.drain(at..end).collect();
                chars.extend(moved);
            }
        }
    }
    chars.into_iter().collect()
}

/// The most targets made on one text: re-anchoring an edited quote
/// aligns text around it, which is the slow part of a run.
pub const MAX_TARGETS: usize = 4;

/// Targets on `map`, chosen from `dice`: up to two single sentences
/// spread over the text, a pair of sentences, and spans of up to 80 code
/// points, [`MAX_TARGETS`] in all; each one checked.
pub fn targets(map: &TextMap, dice: &mut Dice) -> Vec<Target> {
    let mut out = Vec::new();
    let n = map.len();
    let singles = n.min(2);
    for k in 0..singles {
        let i = k * n / singles;
        out.extend(Target::sentences(map, i, i));
    }
    if n >= 2 {
        let i = dice.below(n as u64 - 1) as usize;
        out.extend(Target::sentences(map, i, i + 1));
    }
    let len = map.char_len() as u64;
    for _ in 0..MAX_TARGETS - out.len() {
        if len == 0 {
            break;
        }
        let start = dice.below(len);
        let end = start + 1 + dice.below((len - start).min(80));
        out.extend(Target::span(map, start as u32, end as u32));
    }
    for t in &out {
        check_target(map, t);
    }
    out
}

/// Checks a target built on `map`: inside the text, holding its quote,
/// with its context and sentences as the map has them.
pub fn check_target(map: &TextMap, t: &Target) {
    let p = t.position;
    assert!(
        p.start < p.end && p.end <= map.char_len(),
        "position {p:?} is outside the text ({} code points)",
        map.char_len()
    );
    assert_eq!(
        map.slice(p.start, p.end),
        t.quote.exact,
        "the text at {p:?} is not the quote"
    );
    let (prefix, suffix) = map.context(p.start, p.end);
    assert_eq!(
        (&prefix, &suffix),
        (&t.quote.prefix, &t.quote.suffix),
        "the context at {p:?} is stale"
    );
    let [first, last] = t.sentences;
    assert!(
        first <= last && (last as usize) < map.len(),
        "sentences {first}..={last} of {}",
        map.len()
    );
    match t.kind {
        TargetKind::Sentences => assert_eq!(
            map.range_of(first as usize, last as usize),
            Some((p.start, p.end)),
            "a sentence target is not its sentences"
        ),
        TargetKind::Span => assert_eq!(
            map.sentences_in(p.start, p.end),
            Some((first as usize, last as usize)),
            "a span target's sentences are not those it overlaps"
        ),
    }
}

/// Re-anchors every old target onto `new` and checks each one found; when
/// the text did not change, each must be kept where it was.
pub fn reanchor_and_check(old_targets: &[Target], new: &TextMap, unchanged: bool) {
    let anchorer = Anchorer::new(new);
    for old in old_targets {
        match anchorer.find(old) {
            Anchoring::Anchored { target, how, score } => {
                check_target(new, &target);
                assert!(score <= 1000, "score {score} over 1000");
                if how == How::Kept {
                    assert_eq!(
                        target.position.start, old.position.start,
                        "kept, but at another place"
                    );
                }
                if unchanged {
                    assert_eq!(how, How::Kept, "the text is unchanged but the target moved");
                    assert_eq!(&target, old, "the text is unchanged but the target changed");
                }
            }
            Anchoring::Orphaned { reason } => {
                assert!(
                    !unchanged,
                    "the text is unchanged but {old:?} was orphaned: {reason}"
                );
            }
        }
    }
}
