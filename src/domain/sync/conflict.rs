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
use crate::domain::annotate::edit::Edit;
use crate::domain::annotate::set::AnnotationSet;
use crate::domain::annotate::textmap::TextMap;
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

/// Restores version `v` of annotation `id` in `set` at `now`, as an edit
/// (undoable like any other): the annotation becomes that version, placed
/// by this device's sentence boundaries, or is deleted.
pub fn restore(
    set: &mut AnnotationSet,
    map: &TextMap,
    id: &str,
    v: &Version,
    now: DateTime<Utc>,
) -> Edit {
    match v.restored(now) {
        Some(mut a) if a.id == id => {
            a.target.resync(map);
            Edit::of("restore", [set.put(a)])
        }
        Some(_) => Edit::of("restore", []),
        None => Edit::of("restore", set.remove(id, now)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotate::annotation::{Colour, Target};
    use crate::domain::article::{Article, NewArticle};
    use crate::domain::import::parse_text;
    use chrono::TimeDelta;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::seconds(1_700_000_000 + s)
    }

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn version(note: &str, at: i64) -> (Article, Version) {
        let art =
            Article::build(parse_text("One. Two. Three."), NewArticle::default(), t(0)).unwrap();
        let map = TextMap::new(&art);
        let mut a = Annotation::new(
            ID.into(),
            &art.id,
            Target::sentences(&map, 1, 1).unwrap(),
            Colour::Pink,
            t(1),
        );
        a.note = note.into();
        a.updated = t(at);
        (art, Version::Live(Box::new(a)))
    }

    #[test]
    fn the_losers_are_the_versions_unlike_the_one_kept_each_once() {
        let (_, a) = version("a", 10);
        let (_, b) = version("b", 20);
        let gone = Version::Deleted(t(15));
        let lost = losers(&[a.clone(), b.clone(), a.clone(), gone.clone()], &b);
        assert_eq!(lost, vec![a.clone(), gone]);
        assert!(losers(&[b.clone(), b.clone()], &b).is_empty());
    }

    #[test]
    fn two_devices_conflicts_merge_into_one_with_the_earlier_finding() {
        let (art, a) = version("a", 10);
        let (_, b) = version("b", 20);
        let mut x = Conflict::new(&art.id, ID, t(50), vec![a.clone()]).unwrap();
        let y = Conflict::new(&art.id, ID, t(40), vec![b.clone(), a.clone()]).unwrap();
        assert!(x.merge(&y));
        assert_eq!(x.found, t(40));
        assert_eq!(x.versions, vec![a, b]);
        assert!(!x.clone().merge(&y), "merging again changes nothing");
        assert!(Conflict::new(&art.id, ID, t(1), vec![]).is_none());
    }

    #[test]
    fn a_conflict_reads_back_from_what_it_stores() {
        let (art, a) = version("a <b>", 10);
        let c = Conflict::new(&art.id, ID, t(5), vec![a, Version::Deleted(t(7))]).unwrap();
        let raw = c.body().to_string();
        assert_eq!(Conflict::from_json(&art.id, ID, &raw), Ok(c));
        assert!(Conflict::from_json(&art.id, ID, "{").is_err());
    }

    #[test]
    fn restoring_makes_the_version_the_newest_or_deletes() {
        let (art, a) = version("restored", 10);
        let map = TextMap::new(&art);
        let mut set = AnnotationSet::new(&art.id);
        let edit = restore(&mut set, &map, ID, &a, t(100));
        assert_eq!(edit.changes.len(), 1);
        let now = set.get(ID).unwrap();
        assert_eq!((now.note.as_str(), now.updated), ("restored", t(100)));
        let edit = restore(&mut set, &map, ID, &Version::Deleted(t(3)), t(101));
        assert_eq!(edit.changes.len(), 1);
        assert!(set.get(ID).is_none());
        assert_eq!(set.deleted_at(ID), Some(t(101)));
    }
}
