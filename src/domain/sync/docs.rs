//! The documents Marginalia keeps in a CouchDB database, one per thing a
//! complete backup holds (see `docs/sync.md`), and reading them back as
//! untrusted input.
//!
//! - `article:<article id>`: the article, as an export's article entry
//!   with its text and no annotations (`"annotations": []`), plus
//!   `"type": "article"`;
//! - `annotation:<article id>:<annotation id>`: one annotation as the
//!   export writes it, plus `"type": "annotation"` and `"article"`; a
//!   deleted one is a deleted document whose body keeps `"type"`,
//!   `"article"` and `"deleted"` (the time), so the merge can weigh it;
//! - `tag-colours`: `{"type": "tag-colours", "colours": {…}, "updated": …}`;
//! - `conflict:<article id>:<annotation id>`: the versions an annotation
//!   lost in a conflict ([`super::conflict`]); deleted once dismissed.
//!
//! A deleted article is a deleted `article:` document whose body keeps
//! `"type"` and `"deleted"`.
//!
//! Nothing per device (preferences, reading places) and never a
//! credential. A body is written with its keys in order (serde_json's
//! map), so the same content is the same text everywhere, which is what
//! revisions are made from ([`super::revs::Rev::next`]).

use super::conflict::{CONFLICT_PREFIX, Conflict, conflict_doc_id};
use crate::domain::annotate::annotation::Annotation;
use crate::domain::annotate::set::TagColours;
use crate::domain::exchange::json_path::{At, Bad};
use crate::domain::exchange::{self, Entry};
use crate::domain::time::format_rfc3339;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Prefix of article document ids.
pub const ARTICLE_PREFIX: &str = "article:";
/// Prefix of annotation document ids.
pub const ANNOTATION_PREFIX: &str = "annotation:";
/// The id of the tag colours document.
pub const TAG_COLOURS_ID: &str = "tag-colours";
/// Largest article document read (a 100,000-word article is about 0.7 MB;
/// CouchDB's own limit is 8 MB).
pub const MAX_ARTICLE_BYTES: usize = 8_000_000;
/// Largest annotation or tag colours document read.
pub const MAX_SMALL_BYTES: usize = 256 * 1024;

/// One document's content.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    /// An article with its text.
    Article(Entry),
    /// An annotation.
    Annotation(Box<Annotation>),
    /// A deleted annotation: its article, id and when it was deleted.
    Deleted {
        /// The article's id.
        article: String,
        /// The annotation's id.
        id: String,
        /// When it was deleted.
        at: DateTime<Utc>,
    },
    /// A deleted article (deleted on the device that sent it, with its
    /// annotations), and when.
    ArticleDeleted {
        /// The article's id.
        id: String,
        /// When it was deleted.
        at: DateTime<Utc>,
    },
    /// The versions an annotation lost in a conflict.
    Conflict(Conflict),
    /// A conflict the reader dismissed (or settled by restoring a
    /// version), and when.
    ConflictDismissed {
        /// The article's id.
        article: String,
        /// The annotation's id.
        id: String,
        /// When it was dismissed.
        at: DateTime<Utc>,
    },
    /// The colours given to tags, and when they last changed.
    TagColours {
        /// The colours.
        colours: TagColours,
        /// When they last changed.
        updated: DateTime<Utc>,
    },
}

/// The id of an article's document.
pub fn article_doc_id(article: &str) -> String {
    format!("{ARTICLE_PREFIX}{article}")
}

/// The id of an annotation's document.
pub fn annotation_doc_id(article: &str, annotation: &str) -> String {
    format!("{ANNOTATION_PREFIX}{article}:{annotation}")
}

impl Doc {
    /// Its document id.
    pub fn id(&self) -> String {
        match self {
            Doc::Article(e) => article_doc_id(&e.meta.id),
            Doc::Annotation(a) => annotation_doc_id(&a.article, &a.id),
            Doc::Deleted { article, id, .. } => annotation_doc_id(article, id),
            Doc::ArticleDeleted { id, .. } => article_doc_id(id),
            Doc::Conflict(c) => conflict_doc_id(&c.article, &c.id),
            Doc::ConflictDismissed { article, id, .. } => conflict_doc_id(article, id),
            Doc::TagColours { .. } => TAG_COLOURS_ID.to_owned(),
        }
    }

    /// Whether it is a deleted document.
    pub fn is_deleted(&self) -> bool {
        matches!(
            self,
            Doc::Deleted { .. } | Doc::ArticleDeleted { .. } | Doc::ConflictDismissed { .. }
        )
    }

    /// Its body: every field but `_id`, `_rev`, `_revisions`, `_deleted`.
    pub fn body(&self) -> Value {
        match self {
            Doc::Article(e) => {
                let mut v = exchange::article_value(e);
                v["type"] = json!("article");
                v
            }
            Doc::Annotation(a) => {
                let mut v = exchange::annotation_value(a);
                v["type"] = json!("annotation");
                v["article"] = json!(a.article);
                v
            }
            Doc::Deleted { article, at, .. } => json!({
                "type": "annotation",
                "article": article,
                "deleted": format_rfc3339(at),
            }),
            Doc::ArticleDeleted { at, .. } => json!({
                "type": "article",
                "deleted": format_rfc3339(at),
            }),
            Doc::Conflict(c) => c.body(),
            Doc::ConflictDismissed { article, id, at } => json!({
                "type": "conflict",
                "article": article,
                "annotation": id,
                "deleted": format_rfc3339(at),
            }),
            Doc::TagColours { colours, updated } => json!({
                "type": "tag-colours",
                "colours": colours.iter().map(|(k, c)| (k.clone(), json!(c.name()))).collect::<serde_json::Map<_, _>>(),
                "updated": format_rfc3339(updated),
            }),
        }
    }

    /// Whether two versions of one document hold the same thing for this
    /// app: an article's text and its corrections (`revision`; the date
    /// it was added differs from device to device), tag colours' colours
    /// (not when they were set), anything else its whole body.
    pub fn same_content(&self, other: &Doc) -> bool {
        match (self, other) {
            (Doc::Article(a), Doc::Article(b)) => {
                a.meta.id == b.meta.id && a.meta.revision == b.meta.revision
            }
            (Doc::TagColours { colours: a, .. }, Doc::TagColours { colours: b, .. }) => a == b,
            _ => self.canonical() == other.canonical(),
        }
    }

    /// Its body as canonical JSON text (keys in order), what revisions
    /// are made from.
    pub fn canonical(&self) -> String {
        self.body().to_string()
    }

    /// Reads a document from the server: its id, its JSON (`_`-fields
    /// included) and its size in bytes. Anything malformed, oversized, of
    /// an unknown type or whose content disagrees with its id is refused
    /// with the reason, and is then kept aside (quarantined), never applied.
    pub fn read(doc: &Value, bytes: usize) -> Result<Doc, Bad> {
        let root = At::root(doc);
        let id = root.field("_id")?.at().str()?.to_owned();
        let deleted = match root.opt("_deleted") {
            Some(d) => d.at().bool()?,
            None => false,
        };
        let limit = if id.starts_with(ARTICLE_PREFIX) {
            MAX_ARTICLE_BYTES
        } else {
            MAX_SMALL_BYTES
        };
        if bytes > limit {
            return Err(Bad::file(format!(
                "document {id} is {bytes} bytes, more than the {limit} this app reads"
            )));
        }
        let kind_at = root.field("type")?;
        let kind = kind_at.at().str()?;
        let mismatch = |what: &str| Bad::file(format!("document {id}: {what}"));
        if let Some(article) = id.strip_prefix(ARTICLE_PREFIX) {
            if kind != "article" {
                return Err(kind_at
                    .at()
                    .bad("an article document must have type \"article\""));
            }
            if deleted {
                return Ok(Doc::ArticleDeleted {
                    id: crate::domain::article::fingerprint::is_fingerprint(article)
                        .then(|| article.to_owned())
                        .ok_or_else(|| mismatch("the article id is not a fingerprint"))?,
                    at: root.field("deleted")?.at().time()?,
                });
            }
            let entry = exchange::read_article_value(root)?;
            if entry.meta.id != article {
                return Err(mismatch("its article id differs from the document id"));
            }
            if entry.text.is_none() {
                return Err(mismatch("an article document must have its text"));
            }
            return Ok(Doc::Article(entry));
        }
        if let Some(rest) = id.strip_prefix(ANNOTATION_PREFIX) {
            if kind != "annotation" {
                return Err(kind_at
                    .at()
                    .bad("an annotation document must have type \"annotation\""));
            }
            let (article, annotation) = rest
                .split_once(':')
                .ok_or_else(|| mismatch("the id is not annotation:<article id>:<annotation id>"))?;
            let said = root.field("article")?.at().str()?;
            if said != article {
                return Err(mismatch("its article differs from the document id"));
            }
            if deleted {
                let at = root.field("deleted")?.at().time()?;
                if !crate::domain::annotate::annotation::is_uuid(annotation) {
                    return Err(mismatch("the annotation id is not a UUID"));
                }
                return Ok(Doc::Deleted {
                    article: article.to_owned(),
                    id: annotation.to_owned(),
                    at,
                });
            }
            let a = exchange::read_annotation_value(root, article)?;
            if a.id != annotation {
                return Err(mismatch("its annotation id differs from the document id"));
            }
            return Ok(Doc::Annotation(Box::new(a)));
        }
        if let Some(rest) = id.strip_prefix(CONFLICT_PREFIX) {
            if kind != "conflict" {
                return Err(kind_at
                    .at()
                    .bad("a conflict document must have type \"conflict\""));
            }
            let (article, annotation) = rest
                .split_once(':')
                .ok_or_else(|| mismatch("the id is not conflict:<article id>:<annotation id>"))?;
            if !crate::domain::annotate::annotation::is_uuid(annotation) {
                return Err(mismatch("the annotation id is not a UUID"));
            }
            if deleted {
                let said = root.field("article")?.at().str()?;
                let said_id = root.field("annotation")?.at().str()?;
                if said != article || said_id != annotation {
                    return Err(mismatch("its content is for another annotation"));
                }
                return Ok(Doc::ConflictDismissed {
                    article: article.to_owned(),
                    id: annotation.to_owned(),
                    at: root.field("deleted")?.at().time()?,
                });
            }
            return Ok(Doc::Conflict(Conflict::read(root, article, annotation)?));
        }
        if id == TAG_COLOURS_ID {
            if kind != "tag-colours" || deleted {
                return Err(kind_at
                    .at()
                    .bad("the tag colours document must have type \"tag-colours\""));
            }
            let colours = exchange::read_tag_colours_value(root.field("colours")?.at())?;
            let updated = root.field("updated")?.at().time()?;
            return Ok(Doc::TagColours { colours, updated });
        }
        Err(Bad::file(format!(
            "document {id} is not one this app writes"
        )))
    }
}
