//! Planning an import, and replacing an article with an edited version.
//!
//! An import is planned against the library before anything is stored, so
//! the reader sees what will happen ([`Plan`]) and can cancel. Per article
//! in the file:
//! - **in the library** (same id, so the same text): each annotation is
//!   checked against the text (position inside it, holding the quote);
//! - **not in the library, text in the file** (a complete backup): the
//!   article is restored;
//! - **not in the library, no text**, but the library has an article with
//!   the same source file name or the same title (a different version):
//!   the annotations are re-anchored onto it ([`crate::domain::annotate::anchor`]); those not
//!   found become orphans, never attached to the wrong text;
//! - otherwise the article's annotations are skipped, and the plan says why.
//!
//! Annotations merge by id: a new id is added, a newer `updated` replaces
//! the stored one, an identical or older one is skipped, and one deleted
//! here after its last change stays deleted. An annotation with a new id
//! but the same place, colour, tags and note as one already there is a
//! duplicate and skipped.

use crate::domain::annotate::anchor::{Anchorer, Anchoring, How};
use crate::domain::annotate::annotation::{Annotation, Target, TargetKind};
use crate::domain::annotate::set::{AnnotationSet, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::Article;
use crate::domain::article::library::Library;
use crate::domain::exchange::json_path::{At, Bad};
use crate::domain::exchange::{Bundle, Entry, Format, ReadFile, check_in_text};
use crate::domain::text::fold::eq_folded;
use serde_json::Value;

/// What planning reads from the library.
pub trait LibrarySource {
    /// The library index.
    fn library(&self) -> Library;
    /// An article's text, `None` when it cannot be read.
    fn article(&self, id: &str) -> Option<Article>;
    /// An article's stored annotations (empty when none).
    fn annotations(&self, id: &str) -> AnnotationSet;
    /// The colours given to tags.
    fn colours(&self) -> TagColours;
}

/// Where an article's annotations go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// The same article is in the library.
    Library,
    /// The article is restored from the file.
    Restore(Box<Article>),
    /// A different version of the article is in the library, with this id.
    Reanchor(String),
    /// It is not in the library and the file has no text: skipped.
    Missing,
}

/// Counts for the preview.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// New annotations.
    pub added: usize,
    /// Annotations replacing an older stored copy.
    pub updated: usize,
    /// Identical to the stored copy: skipped.
    pub unchanged: usize,
    /// Older than the stored copy: skipped.
    pub older: usize,
    /// Deleted here after their last change: skipped.
    pub deleted_here: usize,
    /// Same place, colour, tags and note as another one: skipped.
    pub duplicates: usize,
    /// Re-anchored at the same position.
    pub kept: usize,
    /// Re-anchored where the exact quote now is.
    pub moved: usize,
    /// Re-anchored by an approximate match.
    pub fuzzy: usize,
    /// Not found in the new text: imported as orphans ("Unanchored").
    pub orphaned: usize,
    /// Skipped because their article is missing.
    pub missing: usize,
}

impl Counts {
    /// Annotations that will be stored (added or updated).
    pub fn stored(&self) -> usize {
        self.added + self.updated
    }

    /// Annotations skipped.
    pub fn skipped(&self) -> usize {
        self.unchanged + self.older + self.deleted_here + self.duplicates + self.missing
    }

    fn add(&mut self, o: &Counts) {
        self.added += o.added;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.older += o.older;
        self.deleted_here += o.deleted_here;
        self.duplicates += o.duplicates;
        self.kept += o.kept;
        self.moved += o.moved;
        self.fuzzy += o.fuzzy;
        self.orphaned += o.orphaned;
        self.missing += o.missing;
    }
}

/// What importing one article of the file will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticlePlan {
    /// Its title (in the library when it is there, else in the file).
    pub title: String,
    /// Where its annotations go.
    pub destination: Destination,
    /// The annotations to store: the stored ones merged with the file's.
    /// `None` when nothing changes.
    pub set: Option<AnnotationSet>,
    /// What happens to the file's annotations.
    pub counts: Counts,
}

/// What an import will do; nothing is stored until it is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The file's format.
    pub format: Format,
    /// Notes on the file (encoding…).
    pub notes: Vec<String>,
    /// Per article of the file.
    pub articles: Vec<ArticlePlan>,
    /// The tag colours after the import, when the file adds any.
    pub tag_colours: Option<TagColours>,
    /// How many tag colours the file adds.
    pub new_tag_colours: usize,
}

impl Plan {
    /// The counts over all articles.
    pub fn totals(&self) -> Counts {
        let mut c = Counts::default();
        for a in &self.articles {
            c.add(&a.counts);
        }
        c
    }

    /// Articles restored from the file.
    pub fn restored(&self) -> impl Iterator<Item = &Article> {
        self.articles.iter().filter_map(|a| match &a.destination {
            Destination::Restore(art) => Some(art.as_ref()),
            _ => None,
        })
    }

    /// Whether applying it would change anything.
    pub fn changes_anything(&self) -> bool {
        self.new_tag_colours > 0
            || self
                .articles
                .iter()
                .any(|a| a.set.is_some() || matches!(a.destination, Destination::Restore(_)))
    }
}

/// The library article that is another version of `entry`: the same source
/// file name, else the same title (ignoring case); the newest first.
fn other_version(entry: &Entry, library: &Library) -> Option<String> {
    let m = &entry.meta;
    let by_source = library
        .entries()
        .iter()
        .find(|e| e.id != m.id && e.source_name.is_some() && e.source_name == m.source_name);
    by_source
        .or_else(|| {
            library
                .entries()
                .iter()
                .find(|e| e.id != m.id && eq_folded(e.title.trim(), m.title.trim()))
        })
        .map(|e| e.id.clone())
}

/// A span that is exactly whole sentences is a sentence target (the W3C
/// format does not say which it was).
fn normalise(target: &mut Target, map: &TextMap) {
    let p = target.position;
    if target.kind == TargetKind::Span
        && let Some((a, b)) = map.sentences_in(p.start, p.end)
        && map.range_of(a, b) == Some((p.start, p.end))
    {
        target.kind = TargetKind::Sentences;
    }
}

fn same_content(a: &Annotation, b: &Annotation) -> bool {
    a.target.same_place(&b.target)
        && a.orphan == b.orphan
        && a.colour == b.colour
        && a.tags == b.tags
        && a.note == b.note
}

/// Plans the import of a file that was read (see [`crate::domain::exchange`]).
/// Errors when an annotation does not fit the text of its own article in
/// the library (its position is out of range or does not hold its quote).
pub fn plan(file: &ReadFile, source: &dyn LibrarySource) -> Result<Plan, Bad> {
    let library = source.library();
    let mut articles = Vec::new();
    for (i, entry) in file.bundle.articles.iter().enumerate() {
        articles.push(plan_article(file, i, entry, &library, source)?);
    }
    // Tag colours: the file's colour for tags that have none here.
    let here = source.colours();
    let mut merged = here.clone();
    let mut new = 0;
    for (tag, c) in file.bundle.tag_colours.iter() {
        if here.get(tag).is_none() {
            merged.set(tag, Some(c));
            new += 1;
        }
    }
    Ok(Plan {
        format: file.format,
        notes: file.notes.clone(),
        articles,
        tag_colours: (new > 0).then_some(merged),
        new_tag_colours: new,
    })
}

/// The ids of the library's articles whose texts planning `file` reads:
/// those it has annotations for, and the other versions it re-anchors onto.
pub fn articles_read_by(file: &ReadFile, library: &Library) -> Vec<String> {
    let mut ids: Vec<String> = file
        .bundle
        .articles
        .iter()
        .filter_map(|entry| {
            if library.get(&entry.meta.id).is_some() {
                Some(entry.meta.id.clone())
            } else if entry.text.is_none() {
                other_version(entry, library)
            } else {
                None
            }
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn plan_article(
    file: &ReadFile,
    index: usize,
    entry: &Entry,
    library: &Library,
    source: &dyn LibrarySource,
) -> Result<ArticlePlan, Bad> {
    let id = &entry.meta.id;
    let (destination, target_id, article) = if library.get(id).is_some() {
        (Destination::Library, Some(id.clone()), source.article(id))
    } else if let Some(text) = &entry.text {
        (
            Destination::Restore(Box::new(text.clone())),
            Some(id.clone()),
            Some(text.clone()),
        )
    } else if let Some(other) = other_version(entry, library) {
        (
            Destination::Reanchor(other.clone()),
            Some(other.clone()),
            source.article(&other),
        )
    } else {
        (Destination::Missing, None, None)
    };
    let title = target_id
        .as_deref()
        .and_then(|t| library.get(t))
        .map(|m| m.title.clone())
        .unwrap_or_else(|| entry.meta.title.clone());
    let mut counts = Counts::default();
    let (Some(target_id), Some(article)) = (target_id, article) else {
        counts.missing = entry.annotations.len();
        return Ok(ArticlePlan {
            title,
            destination: Destination::Missing,
            set: None,
            counts,
        });
    };
    let map = TextMap::new(&article);
    let anchorer = matches!(destination, Destination::Reanchor(_)).then(|| Anchorer::new(&map));
    let existing = match destination {
        Destination::Restore(_) => AnnotationSet::new(&target_id),
        _ => source.annotations(&target_id),
    };
    let mut set = existing.clone();
    let mut changed = false;
    for (j, imported) in entry.annotations.iter().enumerate() {
        let mut a = imported.clone();
        a.article = target_id.clone();
        match &anchorer {
            None => {
                let path = item_path(file.format, index, j);
                let dummy = Value::Null;
                let at = At::root(&dummy);
                check_in_text(&mut a, &map, at).map_err(|e| Bad {
                    path: e.path.map(|p| p.replacen('$', &path, 1)),
                    message: e.message,
                })?;
                if !a.orphan {
                    normalise(&mut a.target, &map);
                }
            }
            Some(anchorer) => reanchor(anchorer, &mut a, &mut counts),
        }
        if let Some(local) = existing.get(&a.id) {
            if *local == a {
                counts.unchanged += 1;
            } else if a.updated > local.updated {
                counts.updated += 1;
                set.put(a);
                changed = true;
            } else {
                counts.older += 1;
            }
            continue;
        }
        if existing.deleted_at(&a.id).is_some_and(|at| at >= a.updated) {
            counts.deleted_here += 1;
            continue;
        }
        if set.items().any(|b| b.id != a.id && same_content(b, &a)) {
            counts.duplicates += 1;
            continue;
        }
        counts.added += 1;
        set.put(a);
        changed = true;
    }
    let restoring = matches!(destination, Destination::Restore(_));
    Ok(ArticlePlan {
        title,
        destination,
        set: (changed || restoring).then_some(set),
        counts,
    })
}

/// Finds `a` again with `anchorer` and counts how; an orphan stays one,
/// and one not found becomes one (its old target kept for reference).
fn reanchor(anchorer: &Anchorer<'_>, a: &mut Annotation, counts: &mut Counts) {
    if a.orphan {
        counts.orphaned += 1;
        return;
    }
    match anchorer.find(&a.target) {
        Anchoring::Anchored { target, how, .. } => {
            match how {
                How::Kept => counts.kept += 1,
                How::Moved => counts.moved += 1,
                How::Fuzzy => counts.fuzzy += 1,
            }
            a.target = target;
        }
        Anchoring::Orphaned { .. } => {
            counts.orphaned += 1;
            a.orphan = true;
        }
    }
}

fn item_path(format: Format, article: usize, item: usize) -> String {
    match format {
        Format::Marginalia => format!("$.articles[{article}].annotations[{item}]"),
        // W3C items are one list; the plan knows them per article only.
        Format::W3c => format!(
            "$.first.items (article {}, annotation {})",
            article + 1,
            item + 1
        ),
    }
}

/// An article replaced by an edited version, its annotations re-anchored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// The new version: the new text, with the old title and date added.
    pub article: Article,
    /// Its annotations (same ids, re-anchored; orphans where not found).
    pub set: AnnotationSet,
    /// How they were found.
    pub counts: Counts,
}

/// The article a replacement stores: the new text under the old one's
/// title and date added.
pub fn replaced_article(old: &Article, mut new: Article) -> Article {
    new.title = old.title.clone();
    new.added = old.added;
    new
}

/// Replaces `old` by the edited text `new`: every annotation of `old_set`
/// is re-anchored onto it. The new version keeps the old title and the
/// date it was first added; its id is its own content fingerprint.
pub fn replace(old: &Article, old_set: &AnnotationSet, new: Article) -> Replacement {
    let new = replaced_article(old, new);
    let map = TextMap::new(&new);
    let anchorer = Anchorer::new(&map);
    let mut set = AnnotationSet::new(&new.id);
    let mut counts = Counts::default();
    for a in old_set.items() {
        let mut a = a.clone();
        a.article = new.id.clone();
        reanchor(&anchorer, &mut a, &mut counts);
        set.put(a);
    }
    Replacement {
        article: new,
        set,
        counts,
    }
}

/// The bundle of what is in the library, for an export: `ids` (in library
/// order), with texts when `complete`.
pub fn bundle_of(source: &dyn LibrarySource, ids: &[String], complete: bool) -> Bundle {
    let library = source.library();
    let mut bundle = Bundle {
        articles: Vec::new(),
        tag_colours: source.colours(),
    };
    for id in ids {
        let Some(meta) = library.get(id) else {
            continue;
        };
        let text = if complete { source.article(id) } else { None };
        let set = source.annotations(id);
        bundle.articles.push(Entry::new(
            meta.clone(),
            text,
            set.items().cloned().collect(),
        ));
    }
    bundle
}
