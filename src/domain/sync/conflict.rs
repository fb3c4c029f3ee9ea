//! What a sync conflict leaves behind: the versions of an annotation that
//! lost when it was changed on two devices between syncs.
//!
//! The merge keeps one version (the newest `updated`, a deletion on a
//! tie, equal times settled by content), so every device converges. The
//! others are never dropped silently: they are kept as a [`Conflict`] on
//! the annotation until the reader dismisses it or restores one of them.
//! A conflict is itself a synced document (`conflict:<article>:<id>`), so
//! every device shows it, and dismissing it on one (a deleted document)
//! dismisses it on all.
//!
//! Rules, all here:
//! - the losers are the versions that differ from the one kept
//!   ([`losers`]); none differ, no conflict;
//! - two devices' conflicts on one annotation are one: their versions
//!   together, each once ([`Conflict::merge`]);
//! - restoring a version makes it the annotation's state now
//!   ([`Version::restored`]), an ordinary edit that syncs and wins, since
//!   it is the newest.

use crate::domain::annotate::annotation::Annotation;
use crate::domain::exchange::json_path::{At, Bad};
use crate::domain::exchange::{annotation_value, read_annotation_value};
use crate::domain::time::format_rfc3339;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Prefix of conflict document ids.
pub const CONFLICT_PREFIX: &str = "conflict:";
/// Versions kept per conflict (the oldest go first).
pub const MAX_VERSIONS: usize = 8;

/// The id of an annotation's conflict document.
pub fn conflict_doc_id(article: &str, annotation: &str) -> String {
    format!("{CONFLICT_PREFIX}{article}:{annotation}")
}

/// One version of an annotation.
#[derive(Clone, Debug, PartialEq)]
pub enum Version {
    /// The annotation as it was.
    Live(Box<Annotation>),
    /// Deleted, at this time.
    Deleted(DateTime<Utc>),
}

impl Version {
    /// Its JSON: the export's annotation, or `{"deleted": …}`.
    pub fn value(&self) -> Value {
        match self {
            Version::Live(a) => annotation_value(a),
            Version::Deleted(at) => json!({ "deleted": format_rfc3339(at) }),
        }
    }

    /// What restoring it at `now` makes the annotation: this version,
    /// changed now (so it is the newest and wins every merge), or `None`
    /// for a deletion (the annotation is then deleted now).
    pub fn restored(&self, now: DateTime<Utc>) -> Option<Annotation> {
        match self {
            Version::Live(a) => {
                let mut a = (**a).clone();
                a.updated = now.max(a.updated);
                Some(a)
            }
            Version::Deleted(_) => None,
        }
    }
}

/// The versions an annotation lost, kept until the reader decides.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The article's id.
    pub article: String,
    /// The annotation's id.
    pub id: String,
    /// When the conflict was found (the earliest, after a merge).
    pub found: DateTime<Utc>,
    /// The versions that lost, each once, oldest found first.
    pub versions: Vec<Version>,
}

/// Of the versions met in a merge, those that differ from the one kept.
pub fn losers(met: &[Version], kept: &Version) -> Vec<Version> {
    let kept = kept.value();
    let mut out: Vec<Version> = Vec::new();
    for v in met {
        let value = v.value();
        if value != kept && !out.iter().any(|o| o.value() == value) {
            out.push(v.clone());
        }
    }
    out
}

impl Conflict {
    /// A conflict over these lost versions (`None` when there are none).
    pub fn new(
        article: &str,
        id: &str,
        found: DateTime<Utc>,
        versions: Vec<Version>,
    ) -> Option<Self> {
        let mut c = Conflict {
            article: article.to_owned(),
            id: id.to_owned(),
            found,
            versions: Vec::new(),
        };
        for v in versions {
            c.add(v);
        }
        (!c.versions.is_empty()).then_some(c)
    }

    /// Adds a version unless it is held already; whether it was added.
    pub fn add(&mut self, v: Version) -> bool {
        let value = v.value();
        if self.versions.iter().any(|o| o.value() == value) {
            return false;
        }
        self.versions.push(v);
        let n = self.versions.len().saturating_sub(MAX_VERSIONS);
        self.versions.drain(..n);
        true
    }

    /// Takes in another device's conflict on the same annotation: the
    /// earlier finding, and every version of both, each once. Whether
    /// anything changed.
    pub fn merge(&mut self, other: &Conflict) -> bool {
        let mut changed = false;
        if other.found < self.found {
            self.found = other.found;
            changed = true;
        }
        for v in &other.versions {
            changed |= self.add(v.clone());
        }
        changed
    }

    /// Its document body (and what this device stores).
    pub fn body(&self) -> Value {
        json!({
            "type": "conflict",
            "article": self.article,
            "annotation": self.id,
            "found": format_rfc3339(&self.found),
            "versions": self.versions.iter().map(Version::value).collect::<Vec<_>>(),
        })
    }

    /// Reads a body as [`Conflict::body`] writes it, checked as an import
    /// is: each version must be a valid annotation of `article` with id
    /// `id`, or a deletion.
    pub fn read(root: At<'_>, article: &str, id: &str) -> Result<Conflict, Bad> {
        let said = root.field("article")?.at().str()?;
        let said_id = root.field("annotation")?.at().str()?;
        if said != article || said_id != id {
            return Err(Bad::file(format!(
                "conflict {article}:{id}: its content is for another annotation"
            )));
        }
        let found = root.field("found")?.at().time()?;
        let mut versions = Vec::new();
        for item in root.field("versions")?.at().items()? {
            let at = item.at();
            if at.has("deleted") && !at.has("target") {
                versions.push(Version::Deleted(at.field("deleted")?.at().time()?));
                continue;
            }
            let a = read_annotation_value(at.at(), article)?;
            if a.id != id {
                return Err(at.bad("a version of another annotation"));
            }
            versions.push(Version::Live(Box::new(a)));
        }
        Conflict::new(article, id, found, versions)
            .ok_or_else(|| Bad::file(format!("conflict {article}:{id} holds no version")))
    }

    /// Reads what [`Conflict::body`] stored, as text.
    pub fn from_json(article: &str, id: &str, raw: &str) -> Result<Conflict, Bad> {
        let v: Value =
            serde_json::from_str(raw).map_err(|e| Bad::file(format!("not JSON: {e}")))?;
        Conflict::read(At::root(&v), article, id)
    }
}
