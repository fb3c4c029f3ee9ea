//! Export and import files: the shared model ([`Bundle`]), the Marginalia
//! JSON format (write and read), and reading an uploaded file's bytes.
//!
//! The format is documented for users in `docs/export-format.md`, with a
//! JSON Schema in `docs/marginalia-export.schema.json`. In short:
//! `{"format":"marginalia","version":1,"exported",…,"articles":[{…,
//! "annotations":[…]}],"tagColours":{…}}`. Positions count Unicode code
//! points of the article text (blocks joined by a blank line), as the W3C
//! `TextPositionSelector` does; sentence spans in a complete backup count
//! code points of their block.
//!
//! Reading never trusts the file: it is parsed into a JSON value and read
//! field by field ([`crate::domain::exchange::json_path`]), and every refusal names the JSON
//! path and what is wrong. Nothing here stores anything; planning and
//! applying an import are in [`crate::domain::exchange::restore`].

pub mod analysis;
pub mod file;
pub mod json_path;
pub mod markdown;
pub mod preview;
pub mod reminder;
pub mod restore;
pub mod w3c;

use crate::domain::annotate::annotation::{
    Annotation, Colour, MAX_NOTE_CHARS, MAX_TAG_CHARS, Position, Quote, Target, TargetKind, is_uuid,
};
use crate::domain::annotate::set::TagColours;
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::fingerprint::{fingerprint, is_fingerprint};
use crate::domain::article::{Article, ArticleMeta, Block, BlockKind, short_title};
use crate::domain::exchange::json_path::{At, Bad, short};
use crate::domain::text::fold::eq_folded;
use crate::domain::time::format_rfc3339;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The `format` field of a Marginalia export.
pub const FORMAT_NAME: &str = "marginalia";
/// The version of the format this build writes; it reads every version up
/// to this one.
pub const FORMAT_VERSION: u32 = 1;
/// Largest import file accepted, in bytes (25 MB: more than a full
/// localStorage can hold as JSON).
pub const MAX_IMPORT_BYTES: u64 = 25 * 1024 * 1024;

/// Articles and their annotations, as exported or as read from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bundle {
    /// The articles, in library order.
    pub articles: Vec<Entry>,
    /// The colours given to tags.
    pub tag_colours: TagColours,
}

/// One article in a [`Bundle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What the library lists.
    pub meta: ArticleMeta,
    /// The whole article, in a complete backup.
    pub text: Option<Article>,
    /// Its annotations: document order, orphans last.
    pub annotations: Vec<Annotation>,
}

impl Entry {
    /// An entry with the annotations put in the export order.
    pub fn new(meta: ArticleMeta, text: Option<Article>, mut annotations: Vec<Annotation>) -> Self {
        sort_for_export(&mut annotations);
        Self {
            meta,
            text,
            annotations,
        }
    }
}

/// Puts annotations in document order (start, longest first, oldest
/// first), with orphans after the rest, oldest first.
pub fn sort_for_export(items: &mut [Annotation]) {
    items.sort_by(|a, b| {
        let (pa, pb) = (a.target.position, b.target.position);
        a.orphan
            .cmp(&b.orphan)
            .then(if a.orphan {
                std::cmp::Ordering::Equal
            } else {
                pa.start.cmp(&pb.start).then(pb.end.cmp(&pa.end))
            })
            .then(a.created.cmp(&b.created))
            .then(a.id.cmp(&b.id))
    });
}

/// What an export says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportInfo {
    /// When it was made.
    pub exported: DateTime<Utc>,
    /// The app's version.
    pub app_version: String,
    /// Whether article texts are included (a complete backup).
    pub complete: bool,
}

/// The name of an export file: `marginalia-<slug>-<date>.<ext>`, the slug
/// made from the article's title (or `library` for the whole library).
pub fn file_name(title: Option<&str>, date: &str, ext: &str) -> String {
    let slug = match title {
        Some(t) => slug(t),
        None => "library".to_owned(),
    };
    format!("marginalia-{slug}-{date}.{ext}")
}

/// A title as a file-name part: lowercase letters and digits joined by
/// hyphens, at most 50 characters; `article` when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in crate::domain::text::fold::fold(title).chars() {
        if c.is_alphanumeric() {
            if out.chars().count() >= 50 {
                break;
            }
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "article".to_owned()
    } else {
        out.to_owned()
    }
}

// ---- writing ----

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileOut<'a> {
    format: &'static str,
    version: u32,
    exported: String,
    app: AppOut<'a>,
    complete: bool,
    articles: Vec<ArticleOut<'a>>,
    tag_colours: BTreeMap<&'a str, &'static str>,
}

#[derive(Serialize)]
struct AppOut<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticleOut<'a> {
    id: &'a str,
    title: &'a str,
    source_name: Option<&'a str>,
    added: String,
    words: usize,
    sentences: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<TextOut<'a>>,
    annotations: Vec<AnnotationOut<'a>>,
}

#[derive(Serialize)]
struct TextOut<'a> {
    blocks: Vec<BlockOut<'a>>,
}

#[derive(Serialize)]
struct BlockOut<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
    text: &'a str,
    sentences: Vec<[u32; 2]>,
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    id: &'a str,
    target: TargetOut<'a>,
    colour: &'static str,
    tags: &'a [String],
    note: &'a str,
    created: String,
    updated: String,
    anchored: bool,
}

#[derive(Serialize)]
struct TargetOut<'a> {
    kind: &'static str,
    sentences: [u32; 2],
    quote: QuoteOut<'a>,
    position: PositionOut,
}

#[derive(Serialize)]
struct QuoteOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    exact: &'a str,
    prefix: &'a str,
    suffix: &'a str,
}

#[derive(Serialize)]
struct PositionOut {
    #[serde(rename = "type")]
    kind: &'static str,
    start: u32,
    end: u32,
}

/// The name a block kind has in the format, and a heading's level.
pub fn block_kind_name(kind: BlockKind) -> (&'static str, Option<u8>) {
    match kind {
        BlockKind::Heading(n) => ("heading", Some(n)),
        BlockKind::Paragraph => ("paragraph", None),
        BlockKind::ListItem => ("list-item", None),
        BlockKind::Quote => ("quote", None),
        BlockKind::Code => ("code", None),
    }
}

fn char_offset(text: &str, byte: u32) -> u32 {
    text[..byte as usize].chars().count() as u32
}

fn block_out(b: &Block) -> BlockOut<'_> {
    let (kind, level) = block_kind_name(b.kind);
    BlockOut {
        kind,
        level,
        text: &b.text,
        sentences: b
            .sentences
            .iter()
            .map(|[s, e]| [char_offset(&b.text, *s), char_offset(&b.text, *e)])
            .collect(),
    }
}

fn annotation_out(a: &Annotation) -> AnnotationOut<'_> {
    let t = &a.target;
    AnnotationOut {
        id: &a.id,
        target: TargetOut {
            kind: t.kind.name(),
            sentences: t.sentences,
            quote: QuoteOut {
                kind: "TextQuoteSelector",
                exact: &t.quote.exact,
                prefix: &t.quote.prefix,
                suffix: &t.quote.suffix,
            },
            position: PositionOut {
                kind: "TextPositionSelector",
                start: t.position.start,
                end: t.position.end,
            },
        },
        colour: a.colour.name(),
        tags: &a.tags,
        note: &a.note,
        created: format_rfc3339(&a.created),
        updated: format_rfc3339(&a.updated),
        anchored: !a.orphan,
    }
}

/// One article entry as the export writes it, with its text (when the
/// entry has one) and no annotations: the body of a synced article.
pub(crate) fn article_value(e: &Entry) -> serde_json::Value {
    serde_json::to_value(article_out(e, true, false)).unwrap_or_default()
}

/// An article entry as written: its text when `text` and the entry has
/// one, its annotations when `annotations`.
fn article_out(e: &Entry, text: bool, annotations: bool) -> ArticleOut<'_> {
    ArticleOut {
        id: &e.meta.id,
        title: &e.meta.title,
        source_name: e.meta.source_name.as_deref(),
        added: format_rfc3339(&e.meta.added),
        words: e.meta.words,
        sentences: e.meta.sentences,
        text: e.text.as_ref().filter(|_| text).map(|a| TextOut {
            blocks: a.blocks.iter().map(block_out).collect(),
        }),
        annotations: if annotations {
            e.annotations.iter().map(annotation_out).collect()
        } else {
            Vec::new()
        },
    }
}

/// One annotation as the export writes it: the body of a synced one.
pub(crate) fn annotation_value(a: &Annotation) -> serde_json::Value {
    serde_json::to_value(annotation_out(a)).unwrap_or_default()
}

/// Reads an article entry as [`article_value`] writes it (checked as an
/// import's, its text against its id).
pub(crate) fn read_article_value(at: At<'_>) -> Result<Entry, Bad> {
    read_article(at, &mut BTreeSet::new())
}

/// Reads an annotation as [`annotation_value`] writes it (checked as an
/// import's).
pub(crate) fn read_annotation_value(at: At<'_>, article: &str) -> Result<Annotation, Bad> {
    read_annotation(at, article)
}

/// Reads tag colours as an export's `tagColours`.
pub(crate) fn read_tag_colours_value(at: At<'_>) -> Result<TagColours, Bad> {
    read_tag_colours(at)
}

/// The bundle as a Marginalia JSON export (pretty-printed, stable order).
/// Article texts are written when `info.complete` and the entry has one.
pub fn write_json(bundle: &Bundle, info: &ExportInfo) -> String {
    let file = FileOut {
        format: FORMAT_NAME,
        version: FORMAT_VERSION,
        exported: format_rfc3339(&info.exported),
        app: AppOut {
            name: "Marginalia",
            version: &info.app_version,
        },
        complete: info.complete,
        articles: bundle
            .articles
            .iter()
            .map(|e| article_out(e, info.complete, true))
            .collect(),
        tag_colours: bundle
            .tag_colours
            .iter()
            .map(|(k, c)| (k.as_str(), c.name()))
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
    out.push('\n');
    out
}

// ---- reading ----

/// Which format a file was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Marginalia JSON.
    Marginalia,
    /// W3C Web Annotation JSON-LD written by Marginalia.
    W3c,
}

/// A file read and checked, ready to be planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadFile {
    /// Its content.
    pub bundle: Bundle,
    /// Its format.
    pub format: Format,
    /// When it was exported, when it says.
    pub exported: Option<DateTime<Utc>>,
    /// Things worth telling that did not stop the import (a byte order
    /// mark, UTF-16…).
    pub notes: Vec<String>,
}

/// Reads a Marginalia export (version 1) from its parsed JSON root.
pub fn read_marginalia(root: At<'_>) -> Result<ReadFile, Bad> {
    let format = root.field("format").map_err(|_| {
        root.bad(
            "this is not a Marginalia export: the field \"format\" is missing \
             (and it is not a W3C AnnotationCollection)",
        )
    })?;
    let name = format.at().str()?;
    if name != FORMAT_NAME {
        return Err(format.at().bad(format!(
            "expected \"{FORMAT_NAME}\", found \"{}\": this is not a Marginalia export",
            short(name)
        )));
    }
    let version = root.field("version")?;
    let v = version.at().u32()?;
    if v > FORMAT_VERSION {
        return Err(version.at().bad(format!(
            "the file was made by a newer Marginalia (format version {v}); this \
             version reads versions 1 to {FORMAT_VERSION}. Update Marginalia to import it."
        )));
    }
    if v == 0 {
        return Err(version
            .at()
            .bad("there is no format version 0; the first is 1"));
    }
    let exported = root.field("exported")?.at().time()?;
    if let Some(app) = root.opt("app") {
        app.at().field("name")?.at().str()?;
        app.at().field("version")?.at().str()?;
    }
    if let Some(c) = root.opt("complete") {
        c.at().bool()?;
    }
    let mut bundle = Bundle::default();
    let mut article_ids = BTreeSet::new();
    let mut annotation_ids = BTreeSet::new();
    for art in root.field("articles")?.at().items()? {
        let entry = read_article(art.at(), &mut annotation_ids)?;
        if !article_ids.insert(entry.meta.id.clone()) {
            return Err(art
                .at()
                .field("id")?
                .at()
                .bad(format!("the article {} appears twice", entry.meta.id)));
        }
        bundle.articles.push(entry);
    }
    if let Some(tc) = root.opt("tagColours") {
        bundle.tag_colours = read_tag_colours(tc.at())?;
    }
    Ok(ReadFile {
        bundle,
        format: Format::Marginalia,
        exported: Some(exported),
        notes: Vec::new(),
    })
}

fn read_tag_colours(at: At<'_>) -> Result<TagColours, Bad> {
    let map = at
        .value
        .as_object()
        .ok_or_else(|| at.expected("an object"))?;
    let mut out = TagColours::default();
    for (tag, colour) in map {
        let path = format!("{}.{tag}", at.path());
        let name = colour.as_str().ok_or_else(|| {
            Bad::at(
                &path,
                format!(
                    "expected a colour name, found {}",
                    crate::domain::exchange::json_path::kind_of(colour)
                ),
            )
        })?;
        let colour = Colour::from_name(name).ok_or_else(|| Bad::at(&path, unknown_colour(name)))?;
        out.set(tag, Some(colour));
    }
    Ok(out)
}

fn unknown_colour(name: &str) -> String {
    format!(
        "\"{}\" is not a colour; the colours are yellow, green, blue, pink, purple and orange",
        short(name)
    )
}

fn read_article(at: At<'_>, annotation_ids: &mut BTreeSet<String>) -> Result<Entry, Bad> {
    let id_at = at.field("id")?;
    let id = id_at.at().str()?;
    if !is_fingerprint(id) {
        return Err(id_at.at().bad(format!(
            "\"{}\" is not an article id (64 lowercase hex digits, the SHA-256 of its text)",
            short(id)
        )));
    }
    let title = short_title(at.field("title")?.at().text()?);
    let source_name = match at.opt("sourceName") {
        Some(s) => Some(s.at().str()?.to_owned()),
        None => None,
    };
    let added = at.field("added")?.at().time()?;
    let words = at
        .opt("words")
        .map(|w| w.at().u32())
        .transpose()?
        .unwrap_or(0) as usize;
    let sentences = at
        .opt("sentences")
        .map(|w| w.at().u32())
        .transpose()?
        .unwrap_or(0) as usize;
    let text = match at.opt("text") {
        Some(t) => {
            let blocks = read_blocks(t.at())?;
            let article = Article {
                id: id.to_owned(),
                title: title.clone(),
                source_name: source_name.clone(),
                added,
                blocks,
            };
            let actual = fingerprint(article.blocks.iter().map(|b| b.text.as_str()));
            if actual != id {
                return Err(t.at().bad(format!(
                    "the text does not match the article id (its SHA-256 is {actual}): \
                     the text or the id was changed"
                )));
            }
            Some(article)
        }
        None => None,
    };
    let meta = match &text {
        Some(a) => a.meta(),
        None => ArticleMeta {
            id: id.to_owned(),
            title,
            source_name,
            words,
            sentences,
            added,
            revision: 0,
        },
    };
    let map = text.as_ref().map(TextMap::new);
    let mut annotations = Vec::new();
    for item in at.field("annotations")?.at().items()? {
        let mut a = read_annotation(item.at(), id)?;
        if !annotation_ids.insert(a.id.clone()) {
            return Err(item
                .at()
                .field("id")?
                .at()
                .bad(format!("the annotation id {} appears twice", a.id)));
        }
        if let Some(map) = &map {
            check_in_text(&mut a, map, item.at())?;
        }
        annotations.push(a);
    }
    Ok(Entry::new(meta, text, annotations))
}

fn read_blocks(at: At<'_>) -> Result<Vec<Block>, Bad> {
    let items = at.field("blocks")?.at().items()?;
    if items.is_empty() {
        return Err(at.bad("an article's text must have at least one block"));
    }
    let mut out = Vec::with_capacity(items.len());
    for b in items {
        let b = b.at();
        let kind_at = b.field("kind")?;
        let kind = match kind_at.at().str()? {
            "heading" => {
                let level = b.field("level")?;
                let n = level.at().u32()?;
                if !(1..=6).contains(&n) {
                    return Err(level
                        .at()
                        .bad(format!("a heading level is 1 to 6, found {n}")));
                }
                BlockKind::Heading(n as u8)
            }
            "paragraph" => BlockKind::Paragraph,
            "list-item" => BlockKind::ListItem,
            "quote" => BlockKind::Quote,
            "code" => BlockKind::Code,
            other => {
                return Err(kind_at.at().bad(format!(
                    "\"{}\" is not a block kind (heading, paragraph, list-item, quote, code)",
                    short(other)
                )));
            }
        };
        let text = b.field("text")?.at().text()?.to_owned();
        let spans = b.field("sentences")?;
        let mut sentences = Vec::new();
        // Code points to bytes: one pass over the text.
        let bytes: Vec<u32> = text
            .char_indices()
            .map(|(i, _)| i as u32)
            .chain(std::iter::once(text.len() as u32))
            .collect();
        for s in spans.at().items()? {
            let pair = s.at().items()?;
            if pair.len() != 2 {
                return Err(s
                    .at()
                    .bad("a sentence is a [start, end] pair of code points"));
            }
            let (start, end) = (pair[0].at().u32()?, pair[1].at().u32()?);
            let max = (bytes.len() - 1) as u32;
            if end > max || start >= end {
                return Err(s.at().bad(format!(
                    "[{start}, {end}] is not a sentence of this block's {max} characters"
                )));
            }
            sentences.push([bytes[start as usize], bytes[end as usize]]);
        }
        let block = Block {
            kind,
            text,
            sentences,
        };
        block.validate().map_err(|e| {
            spans
                .at()
                .bad(format!("the sentences do not fit the text: {e}"))
        })?;
        out.push(block);
    }
    Ok(out)
}

/// Reads one annotation of the Marginalia format for article `article`.
fn read_annotation(at: At<'_>, article: &str) -> Result<Annotation, Bad> {
    let id = read_id(at.field("id")?.at())?;
    let target_at = at.field("target")?;
    let t = target_at.at();
    let kind_at = t.field("kind")?;
    let kind = match kind_at.at().str()? {
        "sentences" => TargetKind::Sentences,
        "span" => TargetKind::Span,
        other => {
            return Err(kind_at.at().bad(format!(
                "\"{}\" is not a target kind (sentences or span)",
                short(other)
            )));
        }
    };
    let sent_at = t.field("sentences")?;
    let pair = sent_at.at().items()?;
    if pair.len() != 2 {
        return Err(sent_at
            .at()
            .bad("expected a [first, last] pair of sentence numbers"));
    }
    let (first, last) = (pair[0].at().u32()?, pair[1].at().u32()?);
    if first > last {
        return Err(sent_at.at().bad(format!(
            "the first sentence {first} is after the last {last}"
        )));
    }
    let quote = read_quote(t.field("quote")?.at())?;
    let position = read_position(t.field("position")?.at(), &quote)?;
    let colour_at = at.field("colour")?;
    let name = colour_at.at().str()?;
    let colour = Colour::from_name(name).ok_or_else(|| colour_at.at().bad(unknown_colour(name)))?;
    let tags = read_tags(at.field("tags")?.at())?;
    let note = read_note(at.field("note")?.at())?;
    let (created, updated) = read_times(at.at(), "created", "updated")?;
    let anchored = match at.opt("anchored") {
        Some(a) => a.at().bool()?,
        None => true,
    };
    Ok(Annotation {
        id,
        article: article.to_owned(),
        target: Target {
            kind,
            sentences: [first, last],
            quote,
            position,
        },
        colour,
        tags,
        note,
        created,
        updated,
        orphan: !anchored,
    })
}

/// An annotation id: a UUID, kept in lowercase.
pub(crate) fn read_id(at: At<'_>) -> Result<String, Bad> {
    let id = at.str()?;
    if !is_uuid(id) {
        return Err(at.bad(format!("\"{}\" is not a UUID", short(id))));
    }
    Ok(id.to_ascii_lowercase())
}

/// A `TextQuoteSelector`'s fields.
pub(crate) fn read_quote(at: At<'_>) -> Result<Quote, Bad> {
    if let Some(ty) = at.opt("type")
        && ty.at().str()? != "TextQuoteSelector"
    {
        return Err(ty.at().bad("expected \"TextQuoteSelector\""));
    }
    let exact_at = at.field("exact")?;
    let exact = exact_at.at().str()?;
    if exact.trim().is_empty() {
        return Err(exact_at.at().bad("the quoted text must not be empty"));
    }
    let context = |name: &str| -> Result<String, Bad> {
        match at.opt(name) {
            Some(c) => Ok(c.at().str()?.to_owned()),
            None => Ok(String::new()),
        }
    };
    Ok(Quote {
        exact: exact.to_owned(),
        prefix: context("prefix")?,
        suffix: context("suffix")?,
    })
}

/// A `TextPositionSelector`'s fields, checked against the quote's length.
pub(crate) fn read_position(at: At<'_>, quote: &Quote) -> Result<Position, Bad> {
    if let Some(ty) = at.opt("type")
        && ty.at().str()? != "TextPositionSelector"
    {
        return Err(ty.at().bad("expected \"TextPositionSelector\""));
    }
    let start = at.field("start")?.at().u32()?;
    let end_at = at.field("end")?;
    let end = end_at.at().u32()?;
    if end <= start {
        return Err(end_at
            .at()
            .bad(format!("the end {end} must be after the start {start}")));
    }
    let len = quote.exact.chars().count() as u32;
    if end - start != len {
        return Err(at.bad(format!(
            "the position covers {} code points but the quoted text has {len}",
            end - start
        )));
    }
    Ok(Position { start, end })
}

/// A list of tags, each checked.
pub(crate) fn read_tags(at: At<'_>) -> Result<Vec<String>, Bad> {
    let mut tags: Vec<String> = Vec::new();
    for item in at.items()? {
        let t = item.at();
        let tag = t.text()?;
        if tag.contains(',') {
            return Err(t.bad("a tag cannot contain a comma"));
        }
        if tag.chars().any(char::is_control) {
            return Err(t.bad("a tag cannot contain control characters"));
        }
        let clean = tag.split_whitespace().collect::<Vec<_>>().join(" ");
        if clean.chars().count() > MAX_TAG_CHARS {
            return Err(t.bad(format!("a tag has at most {MAX_TAG_CHARS} characters")));
        }
        if !tags.iter().any(|x| eq_folded(x, &clean)) {
            tags.push(clean);
        }
    }
    Ok(tags)
}

/// A note, checked.
pub(crate) fn read_note(at: At<'_>) -> Result<String, Bad> {
    let note = at.str()?;
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(at.bad(format!("a note has at most {MAX_NOTE_CHARS} characters")));
    }
    Ok(crate::domain::annotate::annotation::clean_note(note))
}

/// The created and updated times; updated may not be before created.
pub(crate) fn read_times(
    at: At<'_>,
    created: &str,
    updated: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Bad> {
    let c = at.field(created)?.at().time()?;
    let u_at = at.field(updated)?;
    let u = u_at.at().time()?;
    if u < c {
        return Err(u_at.at().bad(format!("it is before \"{created}\"")));
    }
    Ok((c, u))
}

/// Checks an annotation against the text of its own article (same id, so
/// the same text): its position must be inside the text and hold its
/// quote. Orphans are not checked: their place is the one they lost. The
/// sentence range is re-derived from the position.
pub fn check_in_text(a: &mut Annotation, map: &TextMap, at: At<'_>) -> Result<(), Bad> {
    if a.orphan {
        return Ok(());
    }
    let p = a.target.position;
    let len = map.char_len();
    let path = format!("{}.target.position", at.path());
    if p.end > len {
        return Err(Bad::at(
            &path,
            format!(
                "the end {} is past the end of the article's text ({len} characters)",
                p.end
            ),
        ));
    }
    if map.slice(p.start, p.end) != a.target.quote.exact {
        return Err(Bad::at(
            &path,
            format!(
                "the article's text at {}–{} is not the quoted text \"{}\"",
                p.start,
                p.end,
                short(&a.target.quote.exact)
            ),
        ));
    }
    a.target.resync(map);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_hyphens() {
        assert_eq!(
            slug("  The Kursk: Engineers' Return! "),
            "the-kursk-engineers-return"
        );
        assert_eq!(slug("Café — Ærø"), "café-ærø");
        assert_eq!(slug("!!!"), "article");
        assert!(slug(&"word ".repeat(40)).chars().count() <= 51);
        assert_eq!(
            file_name(Some("Night Trains"), "2026-11-25", "json"),
            "marginalia-night-trains-2026-11-25.json"
        );
        assert_eq!(
            file_name(None, "2026-11-25", "md"),
            "marginalia-library-2026-11-25.md"
        );
    }
}
