//! The W3C Web Annotation export: an `AnnotationCollection` in JSON-LD
//! (<https://www.w3.org/TR/annotation-model/>), and reading it back.
//!
//! Each annotation:
//! - `id` is `urn:uuid:<id>`; `created` and `modified` are RFC 3339;
//! - `motivation` is `highlighting`, plus `tagging` when it has tags and
//!   `commenting` when it has a note;
//! - `body` holds one `TextualBody` per tag (`purpose: tagging`) and one
//!   for the note (`purpose: commenting`, `format: text/plain`);
//! - `target` is a `SpecificResource` whose `source` is the article,
//!   `urn:marginalia:article:<fingerprint>` (with its `dcterms:title`),
//!   with a `TextQuoteSelector` and a `TextPositionSelector` (Unicode code
//!   points, as the model defines them), and a `styleClass`
//!   `marginalia-<colour>` that the annotation's `stylesheet` colours.
//!
//! An orphan (see [`crate::domain::annotate::anchor`]) has no place, so it is written with
//! its quote only; read back, an annotation without a position selector is
//! an orphan. Whether a target was whole sentences is not part of the
//! model: reading derives it from the text (see [`crate::domain::exchange::restore`]).

use crate::domain::annotate::annotation::{Annotation, Colour, Position, Target, TargetKind};
use crate::domain::article::fingerprint::is_fingerprint;
use crate::domain::article::{ArticleMeta, short_title};
use crate::domain::exchange::json_path::{At, Bad, short};
use crate::domain::exchange::{
    Bundle, Entry, ExportInfo, Format, ReadFile, read_id, read_note, read_position, read_quote,
    read_tags, read_times,
};
use crate::domain::time::format_rfc3339;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// The Web Annotation JSON-LD context.
pub const CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";
/// How an article is named as a `source`.
pub const ARTICLE_IRI: &str = "urn:marginalia:article:";
/// The style class prefix of a colour.
pub const STYLE_PREFIX: &str = "marginalia-";

/// The highlight colours as CSS, for the `stylesheet`.
fn css(c: Colour) -> &'static str {
    match c {
        Colour::Yellow => "#fde68a",
        Colour::Green => "#bbf7d0",
        Colour::Blue => "#bfdbfe",
        Colour::Pink => "#fbcfe8",
        Colour::Purple => "#ddd6fe",
        Colour::Orange => "#fed7aa",
    }
}

#[derive(Serialize)]
struct CollectionOut<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    label: String,
    generated: &'a str,
    generator: &'a GeneratorOut,
    total: usize,
    first: PageOut<'a>,
}

#[derive(Serialize)]
struct PageOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "startIndex")]
    start_index: usize,
    items: Vec<AnnotationOut<'a>>,
}

#[derive(Serialize)]
struct GeneratorOut {
    id: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
}

/// One motivation is written as a string, several as an array.
#[derive(Serialize)]
#[serde(untagged)]
enum Motivation {
    One(&'static str),
    Many(Vec<&'static str>),
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    motivation: Motivation,
    created: String,
    modified: String,
    generator: &'a GeneratorOut,
    stylesheet: StylesheetOut,
    target: TargetOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    body: Vec<BodyOut<'a>>,
}

#[derive(Serialize)]
struct StylesheetOut {
    #[serde(rename = "type")]
    kind: &'static str,
    value: String,
}

#[derive(Serialize)]
struct BodyOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    purpose: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    value: &'a str,
}

#[derive(Serialize)]
struct TargetOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: SourceOut<'a>,
    #[serde(rename = "styleClass")]
    style_class: String,
    selector: Vec<SelectorOut<'a>>,
}

#[derive(Serialize)]
struct SourceOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    format: &'static str,
    #[serde(rename = "dcterms:title")]
    title: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum SelectorOut<'a> {
    Quote {
        #[serde(rename = "type")]
        kind: &'static str,
        exact: &'a str,
        prefix: &'a str,
        suffix: &'a str,
    },
    Position {
        #[serde(rename = "type")]
        kind: &'static str,
        start: u32,
        end: u32,
    },
}

fn annotation<'a>(
    a: &'a Annotation,
    meta: &'a ArticleMeta,
    generator: &'a GeneratorOut,
) -> AnnotationOut<'a> {
    let mut motivation = vec!["highlighting"];
    let mut body: Vec<BodyOut<'a>> = a
        .tags
        .iter()
        .map(|t| BodyOut {
            kind: "TextualBody",
            purpose: "tagging",
            format: None,
            value: t,
        })
        .collect();
    if !a.tags.is_empty() {
        motivation.push("tagging");
    }
    if !a.note.is_empty() {
        motivation.push("commenting");
        body.push(BodyOut {
            kind: "TextualBody",
            purpose: "commenting",
            format: Some("text/plain"),
            value: &a.note,
        });
    }
    let q = &a.target.quote;
    let mut selector = vec![SelectorOut::Quote {
        kind: "TextQuoteSelector",
        exact: &q.exact,
        prefix: &q.prefix,
        suffix: &q.suffix,
    }];
    if !a.orphan {
        selector.push(SelectorOut::Position {
            kind: "TextPositionSelector",
            start: a.target.position.start,
            end: a.target.position.end,
        });
    }
    let class = format!("{STYLE_PREFIX}{}", a.colour.name());
    AnnotationOut {
        id: format!("urn:uuid:{}", a.id),
        kind: "Annotation",
        motivation: if motivation.len() == 1 {
            Motivation::One(motivation[0])
        } else {
            Motivation::Many(motivation)
        },
        created: format_rfc3339(&a.created),
        modified: format_rfc3339(&a.updated),
        generator,
        stylesheet: StylesheetOut {
            kind: "CssStylesheet",
            value: format!(".{class} {{ background-color: {}; }}", css(a.colour)),
        },
        target: TargetOut {
            kind: "SpecificResource",
            source: SourceOut {
                id: format!("{ARTICLE_IRI}{}", meta.id),
                kind: "Text",
                format: "text/plain",
                title: &meta.title,
            },
            style_class: class,
            selector,
        },
        body,
    }
}

/// The bundle as a W3C `AnnotationCollection` (JSON-LD, pretty-printed).
/// `label` names what was exported (an article's title or "library").
pub fn write(bundle: &Bundle, info: &ExportInfo, label: &str) -> String {
    let generator = GeneratorOut {
        id: "urn:marginalia:app",
        kind: "Software",
        name: format!("Marginalia {}", info.app_version),
    };
    let items: Vec<AnnotationOut<'_>> = bundle
        .articles
        .iter()
        .flat_map(|e| {
            e.annotations
                .iter()
                .map(|a| annotation(a, &e.meta, &generator))
        })
        .collect();
    let stamp = format_rfc3339(&info.exported);
    let id = format!("urn:marginalia:export:{stamp}");
    let doc = CollectionOut {
        context: CONTEXT,
        id: id.clone(),
        kind: "AnnotationCollection",
        label: format!("Marginalia annotations: {label}"),
        generated: &stamp,
        generator: &generator,
        total: items.len(),
        first: PageOut {
            id: format!("{id}#page-1"),
            kind: "AnnotationPage",
            start_index: 0,
            items,
        },
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

// ---- reading ----

fn has_context(v: &Value) -> bool {
    match v {
        Value::String(s) => s == CONTEXT,
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some(CONTEXT)),
        _ => false,
    }
}

/// Reads a W3C `AnnotationCollection` (or one `AnnotationPage`) written by
/// Marginalia.
pub fn read(root: At<'_>) -> Result<ReadFile, Bad> {
    match root.opt("@context") {
        Some(c) if has_context(c.value) => {}
        Some(c) => {
            return Err(c
                .at()
                .bad(format!("the Web Annotation context {CONTEXT} is missing")));
        }
        None => {
            return Err(root.bad(
                "this is not a Marginalia export (no \"format\" field) nor W3C \
                 Web Annotation JSON-LD (no \"@context\")",
            ));
        }
    }
    let ty = root.field("type")?;
    let page = match ty.at().str()? {
        "AnnotationCollection" => root.field("first")?,
        "AnnotationPage" => crate::domain::exchange::json_path::Child {
            value: root.value,
            path: "$".to_owned(),
        },
        other => {
            return Err(ty.at().bad(format!(
                "expected \"AnnotationCollection\", found \"{}\"",
                short(other)
            )));
        }
    };
    if let Some(next) = root.opt("last").or_else(|| page.at().opt("next"))
        && next.value.as_str() != page.at().opt("id").and_then(|i| i.value.as_str())
    {
        return Err(next.at().bad(
            "collections of more than one page are not supported; Marginalia writes one page",
        ));
    }
    let exported = root.opt("generated").map(|g| g.at().time()).transpose()?;
    let mut bundle = Bundle::default();
    let mut ids = BTreeSet::new();
    for item in page.at().field("items")?.at().items()? {
        let (a, meta) = read_annotation(item.at())?;
        if !ids.insert(a.id.clone()) {
            return Err(item
                .at()
                .field("id")?
                .at()
                .bad(format!("the annotation id {} appears twice", a.id)));
        }
        match bundle.articles.iter_mut().find(|e| e.meta.id == meta.id) {
            Some(e) => {
                e.meta.added = e.meta.added.min(a.created);
                e.annotations.push(a);
            }
            None => bundle.articles.push(Entry {
                meta,
                text: None,
                annotations: vec![a],
            }),
        }
    }
    for e in &mut bundle.articles {
        crate::domain::exchange::sort_for_export(&mut e.annotations);
    }
    Ok(ReadFile {
        bundle,
        format: Format::W3c,
        exported,
        notes: Vec::new(),
    })
}

fn one_or_many<'a>(
    at: &crate::domain::exchange::json_path::Child<'a>,
) -> Vec<crate::domain::exchange::json_path::Child<'a>> {
    match at.value {
        Value::Array(_) => at.at().items().unwrap_or_default(),
        v => vec![crate::domain::exchange::json_path::Child {
            value: v,
            path: at.path.clone(),
        }],
    }
}

fn read_annotation(at: At<'_>) -> Result<(Annotation, ArticleMeta), Bad> {
    let ty = at.field("type")?;
    if ty.at().str()? != "Annotation" {
        return Err(ty.at().bad("expected \"Annotation\""));
    }
    let id_at = at.field("id")?;
    let raw = id_at.at().str()?;
    let Some(uuid) = raw.strip_prefix("urn:uuid:") else {
        return Err(id_at.at().bad(format!(
            "\"{}\" is not an id Marginalia writes (urn:uuid:…); only W3C \
             annotations exported by Marginalia can be imported",
            short(raw)
        )));
    };
    let uuid_value = Value::String(uuid.to_owned());
    let id = read_id(At::root(&uuid_value))
        .map_err(|_| id_at.at().bad(format!("\"{}\" is not a UUID", short(uuid))))?;
    let (created, updated) = read_times(at.at(), "created", "modified")?;
    let target = at.field("target")?;
    let t = target.at();
    let source = t.field("source")?;
    let (source_id, title) = match source.value {
        Value::String(s) => (s.as_str(), None),
        _ => {
            let sid = source.at().field("id")?.at().str()?;
            let title = match source.at().opt("dcterms:title") {
                Some(x) => Some(x.at().str()?),
                None => None,
            };
            (sid, title)
        }
    };
    let article = source_id
        .strip_prefix(ARTICLE_IRI)
        .filter(|f| is_fingerprint(f))
        .ok_or_else(|| {
            source.at().bad(format!(
                "\"{}\" is not a Marginalia article ({ARTICLE_IRI}<64 hex digits>)",
                short(source_id)
            ))
        })?;
    let colour = match t.opt("styleClass") {
        Some(c) => {
            let class = c.at().str()?;
            class
                .strip_prefix(STYLE_PREFIX)
                .and_then(Colour::from_name)
                .ok_or_else(|| {
                    c.at().bad(format!(
                        "\"{}\" is not a Marginalia colour class",
                        short(class)
                    ))
                })?
        }
        None => Colour::default(),
    };
    let selectors = t.field("selector")?;
    let mut quote = None;
    let mut position_at = None;
    for s in one_or_many(&selectors) {
        let kind = s.at().field("type")?;
        match kind.at().str()? {
            "TextQuoteSelector" => quote = Some(read_quote(s.at())?),
            "TextPositionSelector" => position_at = Some(s),
            _ => {}
        }
    }
    let quote = quote.ok_or_else(|| selectors.at().bad("there is no TextQuoteSelector"))?;
    let (position, orphan) = match position_at {
        Some(p) => (read_position(p.at(), &quote)?, false),
        None => {
            let len = quote.exact.chars().count() as u32;
            (Position { start: 0, end: len }, true)
        }
    };
    let mut tags_json = Vec::new();
    let mut note = None;
    if let Some(body) = at.opt("body") {
        for b in one_or_many(&body) {
            let bt = b.at();
            if let Some(ty) = bt.opt("type")
                && ty.at().str()? != "TextualBody"
            {
                return Err(ty.at().bad("expected \"TextualBody\""));
            }
            let purpose = bt.field("purpose")?;
            let value = bt.field("value")?;
            match purpose.at().str()? {
                "tagging" => tags_json.push(value.value.clone()),
                "commenting" if note.is_none() => note = Some(read_note(value.at())?),
                "commenting" => return Err(b.at().bad("there is more than one commenting body")),
                other => {
                    return Err(purpose.at().bad(format!(
                        "\"{}\" is not a purpose Marginalia writes (tagging or commenting)",
                        short(other)
                    )));
                }
            }
        }
    }
    let tags_value = Value::Array(tags_json);
    let tags = read_tags(At::root(&tags_value))
        .map_err(|e| Bad::at(&format!("{}.body", at.path()), e.message))?;
    let meta = ArticleMeta {
        id: article.to_owned(),
        title: title
            .map(short_title)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "Untitled".to_owned()),
        source_name: None,
        words: 0,
        sentences: 0,
        added: created,
        revision: 0,
    };
    let a = Annotation {
        id,
        article: article.to_owned(),
        target: Target {
            kind: TargetKind::Span,
            sentences: [0, 0],
            quote,
            position,
        },
        colour,
        tags,
        note: note.unwrap_or_default(),
        created,
        updated,
        orphan,
    };
    Ok((a, meta))
}
