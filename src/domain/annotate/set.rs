//! One article's annotations: edits, the multi-tab merge, queries and the
//! stored form.
//!
//! Every edit goes through [`AnnotationSet::put`] or
//! [`AnnotationSet::remove`] and returns a [`Change`] (the annotation before
//! and after), which is what undo and redo replay (see [`crate::domain::annotate::history`]).
//! A deletion leaves a tombstone (id and time), so that when two tabs'
//! copies are merged ([`AnnotationSet::merge`]) a deletion is not undone by
//! the other tab's older copy, and an edit made after a deletion (an undo)
//! brings the annotation back. Per id, the newest of "updated" and
//! "deleted" wins; on a tie, the deletion wins.

use crate::domain::annotate::annotation::{Annotation, Colour, Target, tag_key};
use crate::domain::text::fold::{eq_folded, fold};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// The version of the stored form ([`Stored`]).
pub const FORMAT_VERSION: u32 = 1;

/// How long a tombstone is kept: long enough for any open tab to merge it.
pub const TOMBSTONE_DAYS: i64 = 30;

/// A deleted annotation's id and when it was deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The annotation's id.
    pub id: String,
    /// When it was deleted.
    #[serde(with = "crate::domain::time::rfc3339")]
    pub at: DateTime<Utc>,
}

/// One annotation before and after an edit; `None` is "not there".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The annotation's id.
    pub id: String,
    /// Before the edit.
    pub before: Option<Annotation>,
    /// After the edit.
    pub after: Option<Annotation>,
}

/// An article's annotations and tombstones, indexed by id: finding,
/// editing or merging one annotation costs O(log n), never a scan.
///
/// Invariant: an id is either live (in `items`) or dead (in `deleted`),
/// never both.
#[derive(Clone, Debug, Default)]
pub struct AnnotationSet {
    article: String,
    /// Keyed by the id, shared with `order` (one copy of each id).
    items: BTreeMap<Rc<str>, Annotation>,
    deleted: BTreeMap<String, DateTime<Utc>>,
    /// Ids changed in any way (edited here, or merged in from storage)
    /// since the last [`AnnotationSet::take_touched`]: what the reader
    /// must repaint. Not part of the set's value.
    touched: BTreeSet<String>,
    /// Ids edited here ([`AnnotationSet::put`], [`AnnotationSet::remove`])
    /// since the last [`AnnotationSet::take_unsaved`]: what a save must
    /// write. A merge never adds to it: what it brings is stored already.
    unsaved: BTreeSet<String>,
    /// The live annotations in document order (see
    /// [`AnnotationSet::in_document_order`]), kept with every insert and
    /// removal so that listing them never sorts.
    order: BTreeSet<OrderKey>,
    /// No annotation ever held here was longer (code points): how far
    /// back [`AnnotationSet::near`] looks. Only grows.
    longest: u32,
    /// How many live annotations are orphans.
    orphans: usize,
    /// Tag uses among the live annotations (folded tag → the spelling it
    /// was first given, uses), kept with every insert and removal.
    tags: BTreeMap<String, (String, usize)>,
}

/// Where an annotation sorts in document order: by start, longest
/// first, then oldest first, then by id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct OrderKey(u32, std::cmp::Reverse<u32>, DateTime<Utc>, Rc<str>);

impl OrderKey {
    fn of(a: &Annotation) -> Self {
        Self::with_id(a, Rc::from(a.id.as_str()))
    }

    fn with_id(a: &Annotation, id: Rc<str>) -> Self {
        let p = a.target.position;
        Self(p.start, std::cmp::Reverse(p.end), a.created, id)
    }
}

impl PartialEq for AnnotationSet {
    fn eq(&self, other: &Self) -> bool {
        self.article == other.article && self.items == other.items && self.deleted == other.deleted
    }
}

impl Eq for AnnotationSet {}

/// One id's state in a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A live annotation.
    Live(&'a Annotation),
    /// Deleted at this time.
    Dead(DateTime<Utc>),
    /// Never seen, or its tombstone was pruned.
    Absent,
}

/// The stored form of an [`AnnotationSet`], versioned.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stored {
    /// [`FORMAT_VERSION`].
    pub v: u32,
    /// The article's id.
    pub article: String,
    /// Live annotations, in document order.
    pub annotations: Vec<Annotation>,
    /// Tombstones.
    #[serde(default)]
    pub deleted: Vec<Tombstone>,
}

/// Why a stored annotation set could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// It was written by a newer version of Marginalia (its format
    /// version): it must be left as it is.
    Newer(u32),
    /// It is unreadable, for the reason given.
    Corrupt(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Newer(v) => write!(f, "annotations were saved by a newer version (format {v})"),
            Self::Corrupt(why) => f.write_str(why),
        }
    }
}

/// One millisecond, the smallest step between two edits' times.
const TICK: TimeDelta = TimeDelta::milliseconds(1);

impl AnnotationSet {
    /// An empty set for an article.
    pub fn new(article: &str) -> Self {
        Self {
            article: article.to_owned(),
            ..Self::default()
        }
    }

    /// The article's id.
    pub fn article(&self) -> &str {
        &self.article
    }

    /// The live annotations, ordered by id.
    pub fn items(&self) -> impl ExactSizeIterator<Item = &Annotation> + Clone {
        self.items.values()
    }

    /// The tombstones, ordered by id.
    pub fn tombstones(&self) -> impl ExactSizeIterator<Item = Tombstone> + '_ {
        self.deleted.iter().map(|(id, at)| Tombstone {
            id: id.clone(),
            at: *at,
        })
    }

    /// When the annotation with this id was deleted, if it was.
    pub fn deleted_at(&self, id: &str) -> Option<DateTime<Utc>> {
        self.deleted.get(id).copied()
    }

    /// Number of live annotations.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no live annotation.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The annotation with this id.
    pub fn get(&self, id: &str) -> Option<&Annotation> {
        self.items.get(id)
    }

    /// Stores `annotation` (new or replacing the one with its id), removing
    /// any tombstone for its id.
    pub fn put(&mut self, annotation: Annotation) -> Change {
        let id = annotation.id.clone();
        self.deleted.remove(&id);
        self.touched.insert(id.clone());
        self.unsaved.insert(id.clone());
        let before = self.insert_item(annotation.clone());
        Change {
            id,
            before,
            after: Some(annotation),
        }
    }

    /// Applies `edit` to the annotation with this id and stamps it `now`,
    /// or just after its previous time if that is later (a copy from a
    /// device whose clock runs fast): every edit is strictly newer than
    /// what it edits, so no merge can settle back on the old copy.
    /// `None` when there is no such annotation or nothing changed.
    pub fn update(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
        edit: impl FnOnce(&mut Annotation),
    ) -> Option<Change> {
        let old = self.get(id)?;
        let mut next = old.clone();
        edit(&mut next);
        if next == *old {
            return None;
        }
        next.updated = now.max(old.updated + TICK);
        Some(self.put(next))
    }

    /// Deletes an annotation, leaving a tombstone no older than the
    /// annotation's last edit (a tie goes to the deletion).
    pub fn remove(&mut self, id: &str, now: DateTime<Utc>) -> Option<Change> {
        let before = self.remove_item(id)?;
        let at = now.max(before.updated);
        self.deleted.insert(id.to_owned(), at);
        self.touched.insert(id.to_owned());
        self.unsaved.insert(id.to_owned());
        Some(Change {
            id: id.to_owned(),
            before: Some(before),
            after: None,
        })
    }

    /// Sets the annotation with this id to `state` as an edit made `now`
    /// (used by undo and redo): `Some` stores it stamped `now`, `None`
    /// deletes it.
    pub fn restore(&mut self, id: &str, state: Option<&Annotation>, now: DateTime<Utc>) -> Change {
        match state {
            Some(a) => {
                let mut a = a.clone();
                // Strictly newer than the copy it replaces, and than its own
                // tombstone, even within the same millisecond.
                let floor = match (self.get(id), self.deleted_at(id)) {
                    (Some(c), _) => Some(c.updated + TICK),
                    (None, Some(at)) => Some(at + TICK),
                    (None, None) => None,
                };
                a.updated = now.max(a.updated).max(floor.unwrap_or(now));
                self.put(a)
            }
            None => self.remove(id, now).unwrap_or(Change {
                id: id.to_owned(),
                before: None,
                after: None,
            }),
        }
    }

    /// Merges another copy of the same article's annotations (from another
    /// tab, or from storage) into this one, per annotation by id: the
    /// newest of updated/deleted wins, a deletion wins a tie, and two
    /// different copies with the same time are ordered by content so every
    /// tab settles on the same one. Per id this takes the maximum of a
    /// total order, so merging is commutative, associative and idempotent
    /// (property-tested). Costs O(m log n) for m incoming entries. Returns
    /// whether anything changed here.
    pub fn merge(&mut self, other: &AnnotationSet) -> bool {
        let mut changed = false;
        for theirs in other.items.values() {
            if self.wins(theirs) {
                self.take_in(theirs.clone());
                changed = true;
            }
        }
        for (id, &at) in &other.deleted {
            if let Some(mine) = self.items.get(id.as_str()) {
                if at >= mine.updated {
                    self.remove_item(id);
                    self.deleted.insert(id.clone(), at);
                    self.touched.insert(id.clone());
                    changed = true;
                }
            } else if self.deleted.get(id).is_none_or(|mine| *mine < at) {
                self.deleted.insert(id.clone(), at);
                self.touched.insert(id.clone());
                changed = true;
            }
        }
        changed
    }

    /// The ids changed since the last call (see the `touched` field), and
    /// forgets them.
    pub fn take_touched(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.touched)
    }

    fn insert_item(&mut self, a: Annotation) -> Option<Annotation> {
        let id = match self.items.get_key_value(a.id.as_str()) {
            Some((k, _)) => k.clone(),
            None => Rc::from(a.id.as_str()),
        };
        self.order.insert(OrderKey::with_id(&a, id.clone()));
        let p = a.target.position;
        self.longest = self.longest.max(p.end.saturating_sub(p.start));
        self.orphans += usize::from(a.orphan);
        add_tag_counts(&mut self.tags, [&a]);
        let before = self.items.insert(id, a);
        if let Some(b) = &before {
            self.orphans -= usize::from(b.orphan);
            self.forget_tags(b);
            let key = OrderKey::of(b);
            if self
                .items
                .get(b.id.as_str())
                .is_none_or(|now| OrderKey::of(now) != key)
            {
                self.order.remove(&key);
            }
        }
        before
    }

    fn forget_tags(&mut self, a: &Annotation) {
        for t in &a.tags {
            let key = tag_key(t);
            if let Some(e) = self.tags.get_mut(&key) {
                e.1 -= 1;
                if e.1 == 0 {
                    self.tags.remove(&key);
                }
            }
        }
    }

    fn remove_item(&mut self, id: &str) -> Option<Annotation> {
        let before = self.items.remove(id)?;
        self.orphans -= usize::from(before.orphan);
        self.forget_tags(&before);
        self.order.remove(&OrderKey::of(&before));
        Some(before)
    }

    /// Whether `theirs` would replace what this set has for its id in a
    /// merge.
    fn wins(&self, theirs: &Annotation) -> bool {
        if matches!(self.deleted.get(&theirs.id), Some(at) if *at >= theirs.updated) {
            return false;
        }
        !matches!(self.items.get(theirs.id.as_str()), Some(mine) if !newer(theirs, mine))
    }

    fn take_in(&mut self, theirs: Annotation) {
        self.deleted.remove(&theirs.id);
        self.touched.insert(theirs.id.clone());
        self.insert_item(theirs);
    }

    /// Merges in one annotation read from storage, as [`AnnotationSet::merge`]
    /// would merge a set holding only it; returns whether it was taken.
    pub fn merge_one(&mut self, theirs: Annotation) -> bool {
        let wins = self.wins(&theirs);
        if wins {
            self.take_in(theirs);
        }
        wins
    }

    /// Records that `id` was deleted at `at`, as read from storage (not
    /// an edit made here: use [`AnnotationSet::remove`] for that). A live
    /// annotation newer than `at` stays.
    pub fn mark_deleted(&mut self, id: &str, at: DateTime<Utc>) {
        let mut dead = Self::new(&self.article);
        dead.deleted.insert(id.to_owned(), at);
        self.merge(&dead);
    }

    /// The ids edited here since the last call, and forgets them: what a
    /// save writes.
    pub fn take_unsaved(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.unsaved)
    }

    /// Puts ids back as unsaved (a save that failed keeps them due).
    pub fn keep_unsaved(&mut self, ids: impl IntoIterator<Item = String>) {
        self.unsaved.extend(ids);
    }

    /// Whether any edit made here is not saved yet.
    pub fn has_unsaved(&self) -> bool {
        !self.unsaved.is_empty()
    }

    /// The tombstone time of an id, when it is deleted; its annotation
    /// when it is live; for writing one entry.
    pub fn entry(&self, id: &str) -> Entry<'_> {
        match (self.items.get(id), self.deleted.get(id)) {
            (Some(a), _) => Entry::Live(a),
            (None, Some(at)) => Entry::Dead(*at),
            (None, None) => Entry::Absent,
        }
    }

    /// Drops tombstones older than [`TOMBSTONE_DAYS`]; returns how many.
    pub fn prune(&mut self, now: DateTime<Utc>) -> usize {
        let cutoff = now - TimeDelta::days(TOMBSTONE_DAYS);
        let before = self.deleted.len();
        self.deleted.retain(|_, at| *at >= cutoff);
        before - self.deleted.len()
    }

    /// The live annotations in document order (by start, then longest
    /// first, then oldest first), without sorting: O(n) to list them all,
    /// O(k) for the first k.
    pub fn document_order(&self) -> impl Iterator<Item = &Annotation> + '_ {
        self.order.iter().filter_map(|k| self.items.get(&*k.3))
    }

    /// The live annotations in document order, collected.
    pub fn in_document_order(&self) -> Vec<&Annotation> {
        self.document_order().collect()
    }

    /// The annotation an action on `target` applies to: one at exactly the
    /// same place, else the smallest one containing it, newest first on a
    /// tie. Orphans are never under anything.
    pub fn under(&self, target: &Target) -> Option<&Annotation> {
        if let Some(a) = self.at_same_place(target) {
            return Some(a);
        }
        self.near(target)
            .filter(|a| a.target.contains(target))
            .min_by(|a, b| {
                let len = |x: &Annotation| x.target.position.end - x.target.position.start;
                len(a)
                    .cmp(&len(b))
                    .then(b.updated.cmp(&a.updated))
                    .then(a.id.cmp(&b.id))
            })
    }

    /// The newest annotation at exactly the place of `target`.
    pub fn at_same_place(&self, target: &Target) -> Option<&Annotation> {
        self.near(target)
            .filter(|a| a.target.same_place(target))
            .max_by(|a, b| a.updated.cmp(&b.updated).then(a.id.cmp(&b.id)))
    }

    /// Every annotation sharing text with `target` (orphans have no place
    /// in the text, so none of them).
    pub fn overlapping(&self, target: &Target) -> Vec<&Annotation> {
        self.near(target)
            .filter(|a| a.target.overlaps(target))
            .collect()
    }

    /// The anchored annotations that may share text with `target`: those
    /// starting less than the longest annotation's length before it, found
    /// in the kept document order, so an action costs O(log n + nearby)
    /// rather than a scan of every annotation.
    fn near(&self, target: &Target) -> impl Iterator<Item = &Annotation> + '_ {
        let p = target.position;
        let from = OrderKey(
            p.start.saturating_sub(self.longest),
            std::cmp::Reverse(u32::MAX),
            DateTime::<Utc>::MIN_UTC,
            Rc::from(""),
        );
        let end = p.end.max(p.start + 1);
        self.order
            .range(from..)
            .take_while(move |k| k.0 < end)
            .filter_map(|k| self.items.get(&*k.3))
            .filter(|a| !a.orphan)
    }

    /// How many live annotations have a place in the text.
    pub fn anchored_len(&self) -> usize {
        self.items.len() - self.orphans
    }

    /// The live annotations that have a place in the text (not orphans).
    pub fn anchored(&self) -> impl Iterator<Item = &Annotation> {
        self.items.values().filter(|a| !a.orphan)
    }

    /// The orphans: annotations whose text was not found again after the
    /// article's text changed, oldest first.
    pub fn orphans(&self) -> Vec<&Annotation> {
        if self.orphans == 0 {
            return Vec::new();
        }
        let mut v: Vec<&Annotation> = self.items.values().filter(|a| a.orphan).collect();
        v.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
        v
    }

    /// The stored form, annotations in document order.
    pub fn to_stored(&self) -> Stored {
        Stored {
            v: FORMAT_VERSION,
            article: self.article.clone(),
            annotations: self.in_document_order().into_iter().cloned().collect(),
            deleted: self.tombstones().collect(),
        }
    }

    /// Reads the stored form (JSON), checking its version and that every
    /// annotation belongs to `article` and has a unique id.
    pub fn from_json(article: &str, json: &str) -> Result<Self, LoadError> {
        #[derive(Deserialize)]
        struct Head {
            v: u32,
        }
        let corrupt = |e: serde_json::Error| LoadError::Corrupt(e.to_string());
        let head: Head = serde_json::from_str(json).map_err(corrupt)?;
        if head.v > FORMAT_VERSION {
            return Err(LoadError::Newer(head.v));
        }
        // Version 1 is the first; older versions would be converted here.
        let stored: Stored = serde_json::from_str(json).map_err(corrupt)?;
        if stored.article != article {
            return Err(LoadError::Corrupt(
                "annotations belong to another article".into(),
            ));
        }
        let mut set = Self::new(article);
        for a in stored.annotations {
            if a.article != article {
                return Err(LoadError::Corrupt(format!(
                    "annotation {} belongs to another article",
                    a.id
                )));
            }
            if set.get(&a.id).is_some() {
                return Err(LoadError::Corrupt(format!(
                    "annotation id {} appears twice",
                    a.id
                )));
            }
            if a.target.position.end <= a.target.position.start {
                return Err(LoadError::Corrupt(format!(
                    "annotation {} has an empty position",
                    a.id
                )));
            }
            set.insert_item(a);
        }
        // A tombstone for a live id (never written by this version) is
        // settled as a merge would settle it.
        let mut dead = Self::new(article);
        for t in stored.deleted {
            let at = dead.deleted.entry(t.id).or_insert(t.at);
            *at = (*at).max(t.at);
        }
        set.merge(&dead);
        set.touched.clear();
        set.unsaved.clear();
        Ok(set)
    }

    /// The stored form as JSON. Fails only if serialising fails, which
    /// never writes an empty value in its place.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.to_stored())
    }

    /// How often each tag is used here, by folded key: `(spelling, count)`.
    /// Kept with every edit, so this costs the number of distinct tags.
    pub fn tag_counts(&self) -> BTreeMap<String, (String, usize)> {
        self.tags.clone()
    }
}

/// Adds the tags of `items` to `counts` (folded key → first spelling, uses).
pub fn add_tag_counts<'a>(
    counts: &mut BTreeMap<String, (String, usize)>,
    items: impl IntoIterator<Item = &'a Annotation>,
) {
    for a in items {
        for t in &a.tags {
            counts.entry(tag_key(t)).or_insert_with(|| (t.clone(), 0)).1 += 1;
        }
    }
}

/// Tags ranked for autocomplete: most used first, then alphabetically.
pub fn ranked_tags(counts: &BTreeMap<String, (String, usize)>) -> Vec<String> {
    let mut v: Vec<(&String, usize)> = counts.values().map(|(t, n)| (t, *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(fold(a.0).cmp(&fold(b.0))));
    v.into_iter().map(|(t, _)| t.clone()).collect()
}

/// Autocomplete suggestions for the tag being typed (`fragment`, the text
/// after the last comma): tags starting with it first, then tags
/// containing it, each group in `ranked` order; tags in `exclude` are left
/// out. At most `limit`.
pub fn suggest_tags(
    ranked: &[String],
    fragment: &str,
    exclude: &[String],
    limit: usize,
) -> Vec<String> {
    let f = fold(fragment.trim());
    let excluded = |t: &String| exclude.iter().any(|e| fold(e) == fold(t));
    let mut starts = Vec::new();
    let mut contains = Vec::new();
    for t in ranked.iter().filter(|t| !excluded(t)) {
        let k = fold(t);
        if k.starts_with(&f) {
            starts.push(t.clone());
        } else if k.contains(&f) {
            contains.push(t.clone());
        }
    }
    starts.extend(contains);
    starts.truncate(limit);
    starts
}

fn newer(a: &Annotation, b: &Annotation) -> bool {
    if a.updated != b.updated {
        return a.updated > b.updated;
    }
    if a == b {
        return false;
    }
    // Same time, different content: a fixed order every tab agrees on.
    let key = |x: &Annotation| serde_json::to_string(x).unwrap_or_default();
    key(a) > key(b)
}

/// Tag colours: a tag with a colour colours every annotation tagged with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagColours(BTreeMap<String, Colour>);

impl TagColours {
    /// The colour given to a tag.
    pub fn get(&self, tag: &str) -> Option<Colour> {
        self.0.get(&tag_key(tag)).copied()
    }

    /// Every tag with a colour: folded tag → colour, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, Colour)> {
        self.0.iter().map(|(k, c)| (k, *c))
    }

    /// Whether no tag has a colour.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Gives a tag a colour, or takes it away with `None`.
    pub fn set(&mut self, tag: &str, colour: Option<Colour>) {
        match colour {
            Some(c) => self.0.insert(tag_key(tag), c),
            None => self.0.remove(&tag_key(tag)),
        };
    }

    /// The colour an annotation is shown in: that of its first tag that
    /// has one, else its own.
    pub fn effective(&self, a: &Annotation) -> Colour {
        self.effective_of(&a.tags, a.colour)
    }

    /// The colour shown for these tags and this own colour (see
    /// [`TagColours::effective`]).
    pub fn effective_of(&self, tags: &[String], own: Colour) -> Colour {
        tags.iter().find_map(|t| self.get(t)).unwrap_or(own)
    }
}

/// What the panel filters by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only annotations with this tag (ignoring case).
    pub tag: Option<String>,
    /// Only annotations shown in this colour.
    pub colour: Option<Colour>,
    /// Only annotations whose quote or note contains this text (ignoring case).
    pub text: String,
}

impl Filter {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self.tag.is_none() && self.colour.is_none() && self.text.trim().is_empty()
    }

    /// Whether `a` passes.
    pub fn matches(&self, a: &Annotation, colours: &TagColours) -> bool {
        self.matches_parts(&a.tags, a.colour, colours, |q| {
            fold(&a.target.quote.exact).contains(q) || fold(&a.note).contains(q)
        })
    }

    /// Whether an annotation with these tags and own colour passes, with
    /// `text(q)` telling whether its quote or note holds the folded filter
    /// text `q` (for views that keep their texts folded already).
    pub fn matches_parts(
        &self,
        tags: &[String],
        own: Colour,
        colours: &TagColours,
        text: impl FnOnce(&str) -> bool,
    ) -> bool {
        if let Some(tag) = &self.tag
            && !tags.iter().any(|t| eq_folded(t, tag))
        {
            return false;
        }
        if let Some(c) = self.colour
            && colours.effective_of(tags, own) != c
        {
            return false;
        }
        let q = fold(self.text.trim());
        q.is_empty() || text(&q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotate::annotation::{Position, TargetKind};

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::seconds(secs)
    }

    fn ann(id: &str, start: u32, end: u32, at: i64) -> Annotation {
        let target = Target {
            kind: TargetKind::Sentences,
            sentences: [0, 0],
            quote: Default::default(),
            position: Position { start, end },
        };
        Annotation::new(id.into(), "art", target, Colour::Yellow, t(at))
    }

    #[test]
    fn put_update_and_remove_report_before_and_after() {
        let mut s = AnnotationSet::new("art");
        let c = s.put(ann("a", 0, 5, 1));
        assert_eq!((c.before, c.after.is_some()), (None, true));
        let c = s.update("a", t(2), |a| a.colour = Colour::Blue).unwrap();
        assert_eq!(c.before.unwrap().colour, Colour::Yellow);
        assert_eq!(c.after.as_ref().unwrap().colour, Colour::Blue);
        assert_eq!(s.get("a").unwrap().updated, t(2));
        assert!(
            s.update("a", t(3), |a| a.colour = Colour::Blue).is_none(),
            "no-op edit"
        );
        let c = s.remove("a", t(4)).unwrap();
        assert!(c.after.is_none());
        assert!(s.is_empty());
        assert_eq!(
            s.tombstones().collect::<Vec<_>>(),
            [Tombstone {
                id: "a".into(),
                at: t(4)
            }]
        );
        assert!(s.remove("a", t(5)).is_none());
    }

    #[test]
    fn merge_keeps_both_tabs_new_annotations() {
        let mut a = AnnotationSet::new("art");
        let mut b = AnnotationSet::new("art");
        a.put(ann("x", 0, 5, 1));
        b.put(ann("y", 6, 9, 2));
        assert!(a.merge(&b));
        assert!(b.merge(&a));
        assert_eq!(a.len(), 2);
        assert_eq!(a.to_json().unwrap(), b.to_json().unwrap());
    }

    #[test]
    fn merge_takes_the_newer_edit_of_the_same_annotation() {
        let mut a = AnnotationSet::new("art");
        a.put(ann("x", 0, 5, 1));
        let mut b = a.clone();
        a.update("x", t(5), |x| x.note = "from a".into());
        b.update("x", t(7), |x| x.tags = vec!["from b".into()]);
        a.merge(&b);
        assert_eq!(a.get("x").unwrap().tags, ["from b"]);
        assert_eq!(
            a.get("x").unwrap().note,
            "",
            "per annotation, the newer copy wins whole"
        );
        assert!(!b.merge(&a));
    }

    #[test]
    fn merge_of_a_concurrent_edit_and_delete_keeps_the_later_one() {
        let mut base = AnnotationSet::new("art");
        base.put(ann("x", 0, 5, 1));
        // Deleted after the edit: stays deleted in both tabs.
        let (mut a, mut b) = (base.clone(), base.clone());
        a.update("x", t(5), |x| x.note = "edit".into());
        b.remove("x", t(6));
        a.merge(&b);
        b.merge(&a);
        assert!(a.get("x").is_none() && b.get("x").is_none());
        // Edited after the delete: the edit survives everywhere.
        let (mut a, mut b) = (base.clone(), base.clone());
        a.remove("x", t(5));
        b.update("x", t(6), |x| x.note = "later edit".into());
        a.merge(&b);
        b.merge(&a);
        assert_eq!(a.get("x").unwrap().note, "later edit");
        assert_eq!(b.get("x").unwrap().note, "later edit");
        // Same instant: the deletion wins, in both orders.
        let (mut a, mut b) = (base.clone(), base.clone());
        a.update("x", t(5), |x| x.note = "edit".into());
        b.remove("x", t(5));
        let (mut a2, b2) = (a.clone(), b.clone());
        a.merge(&b);
        let mut b3 = b2.clone();
        b3.merge(&a2);
        a2.merge(&b2);
        assert!(a.get("x").is_none() && b3.get("x").is_none() && a2.get("x").is_none());
    }

    #[test]
    fn merge_does_not_bring_back_a_deleted_annotation_from_an_older_copy() {
        let mut a = AnnotationSet::new("art");
        a.put(ann("x", 0, 5, 1));
        let old = a.clone();
        a.remove("x", t(3));
        assert!(!a.merge(&old));
        assert!(a.get("x").is_none());
    }

    #[test]
    fn merge_settles_same_time_conflicts_the_same_way_in_every_tab() {
        let mut base = AnnotationSet::new("art");
        base.put(ann("x", 0, 5, 1));
        let (mut a, mut b) = (base.clone(), base.clone());
        a.update("x", t(5), |x| x.note = "a".into());
        b.update("x", t(5), |x| x.note = "b".into());
        let a0 = a.clone();
        a.merge(&b);
        b.merge(&a0);
        assert_eq!(a.get("x"), b.get("x"));
    }

    #[test]
    fn restore_stamps_the_old_state_as_a_new_edit() {
        let mut s = AnnotationSet::new("art");
        s.put(ann("x", 0, 5, 1));
        let removed = s.remove("x", t(2)).unwrap();
        s.restore("x", removed.before.as_ref(), t(3));
        assert_eq!(s.get("x").unwrap().updated, t(3));
        assert_eq!(s.tombstones().len(), 0);
        // The restored copy beats the tombstone held by another tab.
        let mut other = AnnotationSet::new("art");
        other.merge(&{
            let mut d = AnnotationSet::new("art");
            d.put(ann("x", 0, 5, 1));
            d.remove("x", t(2));
            d
        });
        other.merge(&s);
        assert!(other.get("x").is_some());
    }

    #[test]
    fn stored_form_round_trips_and_rejects_bad_data() {
        let mut s = AnnotationSet::new("art");
        s.put(ann("b", 10, 15, 1));
        s.put(ann("a", 0, 5, 2));
        s.remove("b", t(3));
        s.put(ann("c", 0, 9, 4));
        let json = s.to_json().unwrap();
        let back = AnnotationSet::from_json("art", &json).unwrap();
        assert_eq!(back, {
            let mut x = back.clone();
            x.merge(&s);
            x
        });
        assert_eq!(
            back.in_document_order()[0].id,
            "c",
            "longest first at the same start"
        );
        assert!(
            AnnotationSet::from_json("other", &json)
                .unwrap_err()
                .to_string()
                .contains("another article")
        );
        assert!(AnnotationSet::from_json("art", "{").is_err());
        let newer = json.replacen("\"v\":1", "\"v\":2", 1);
        assert_eq!(
            AnnotationSet::from_json("art", &newer).unwrap_err(),
            LoadError::Newer(2)
        );
        let twice = json.replacen("\"id\":\"c\"", "\"id\":\"a\"", 1);
        assert!(
            AnnotationSet::from_json("art", &twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }

    #[test]
    fn under_prefers_the_same_place_then_the_smallest_containing() {
        let mut s = AnnotationSet::new("art");
        s.put(ann("big", 0, 50, 1));
        s.put(ann("small", 10, 20, 2));
        let probe = |a, b| ann("p", a, b, 0).target;
        assert_eq!(s.under(&probe(10, 20)).unwrap().id, "small");
        assert_eq!(s.under(&probe(12, 15)).unwrap().id, "small");
        assert_eq!(s.under(&probe(30, 40)).unwrap().id, "big");
        assert!(s.under(&probe(45, 60)).is_none());
        assert_eq!(s.overlapping(&probe(45, 60)).len(), 1);
    }

    #[test]
    fn tags_rank_by_use_and_suggest_prefix_matches_first() {
        let mut s = AnnotationSet::new("art");
        let mut a = ann("a", 0, 1, 1);
        a.tags = vec!["Navy".into(), "submarine".into()];
        let mut b = ann("b", 2, 3, 1);
        b.tags = vec!["navy".into(), "Putin".into()];
        s.put(a);
        s.put(b);
        let ranked = ranked_tags(&s.tag_counts());
        assert_eq!(ranked, ["Navy", "Putin", "submarine"]);
        assert_eq!(
            suggest_tags(&ranked, "n", &[], 5),
            ["Navy", "Putin", "submarine"]
        );
        assert_eq!(
            suggest_tags(&ranked, "S", &["navy".into()], 5),
            ["submarine"]
        );
        assert_eq!(suggest_tags(&ranked, "u", &[], 5), ["Putin", "submarine"]);
        assert_eq!(suggest_tags(&ranked, "", &[], 2), ["Navy", "Putin"]);
    }

    #[test]
    fn filters_by_tag_colour_and_text_ignoring_case() {
        let mut a = ann("a", 0, 1, 1);
        a.target.quote.exact = "The Kursk sank".into();
        a.note = "Ask Élodie".into();
        a.tags = vec!["Navy".into()];
        let mut colours = TagColours::default();
        let f = |tag: Option<&str>, colour, text: &str| Filter {
            tag: tag.map(Into::into),
            colour,
            text: text.into(),
        };
        assert!(f(None, None, "").matches(&a, &colours));
        assert!(f(Some("navy"), None, "kursk").matches(&a, &colours));
        assert!(f(None, None, "ÉLODIE").matches(&a, &colours));
        assert!(!f(None, None, "absent").matches(&a, &colours));
        assert!(!f(Some("army"), None, "").matches(&a, &colours));
        assert!(f(None, Some(Colour::Yellow), "").matches(&a, &colours));
        colours.set("NAVY", Some(Colour::Blue));
        assert_eq!(colours.effective(&a), Colour::Blue);
        assert!(f(None, Some(Colour::Blue), "").matches(&a, &colours));
        assert!(!f(None, Some(Colour::Yellow), "").matches(&a, &colours));
        colours.set("navy", None);
        assert_eq!(colours.effective(&a), Colour::Yellow);
    }

    #[test]
    fn an_edit_of_a_copy_stamped_in_the_future_is_strictly_newer_and_survives_merges() {
        // Saved by a device whose clock ran 100 s fast.
        let mut s = AnnotationSet::new("art");
        s.put(ann("x", 0, 5, 100));
        let stored = s.clone();
        s.update("x", t(50), |a| a.note = "edit".into()).unwrap();
        assert!(s.get("x").unwrap().updated > stored.get("x").unwrap().updated);
        // Whichever way the copies meet, the edit stays.
        let mut other = stored.clone();
        other.merge(&s);
        assert_eq!(other.get("x").unwrap().note, "edit");
        s.merge(&stored);
        assert_eq!(s.get("x").unwrap().note, "edit");
        // Undo is an edit too: strictly newer than the copy it replaces.
        let edited = s.get("x").unwrap().clone();
        s.restore("x", stored.get("x"), t(60));
        assert!(s.get("x").unwrap().updated > edited.updated);
    }

    #[test]
    fn prune_drops_only_old_tombstones() {
        let mut s = AnnotationSet::new("art");
        s.put(ann("a", 0, 1, 1));
        s.put(ann("b", 0, 1, 1));
        s.remove("a", t(10));
        s.remove("b", t(10) + TimeDelta::days(20));
        s.prune(t(10) + TimeDelta::days(TOMBSTONE_DAYS + 1));
        assert_eq!(s.tombstones().map(|t| t.id).collect::<Vec<_>>(), ["b"]);
    }
}
