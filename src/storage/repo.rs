//! How the library is laid out in keys, on top of any [`KeyValueStore`].
//!
//! | key | value |
//! | --- | --- |
//! | `marginalia:schema` | the storage schema version, `"2"` |
//! | `marginalia:index` | the library index: a JSON array of article metadata, newest first |
//! | `marginalia:article:<id>` | one article (JSON), `<id>` its content fingerprint |
//! | `marginalia:annotations:<id>` | one article's annotations and tombstones (JSON, versioned) |
//! | `marginalia:tag-colours` | colours given to tags (JSON object, folded tag → colour) |
//! | `marginalia:prefs` | reader preferences (JSON) |
//! | `marginalia:backup:<key>:<n>` | an unreadable value, moved aside, never overwritten |
//!
//! Writes are all-or-nothing from the user's point of view: adding an
//! article writes its key first and the index second, and takes the
//! article key back out if the index write fails, so a full storage never
//! leaves a partial article behind and never touches what was stored before.
//! Deleting writes the index first, then removes the article key and its
//! annotations.
//!
//! Saving annotations costs the size of that one article's annotations: it
//! reads the key, merges the stored copy (another tab may have written it)
//! into the one being saved, and writes the result. Nothing another tab
//! saved is lost, and on failure the stored value is unchanged.

use super::{KeyValueStore, ReadOnly, StorageError};
use crate::domain::annotate::set::{AnnotationSet, LoadError, TagColours, add_tag_counts};
use crate::domain::article::Article;
use crate::domain::article::library::{Added, Library};
use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeMap;

/// The storage schema version this build writes.
pub const SCHEMA_VERSION: u32 = 2;
/// Key of the schema version.
pub const SCHEMA_KEY: &str = "marginalia:schema";
/// Key of the library index.
pub const INDEX_KEY: &str = "marginalia:index";
/// Prefix of article keys.
pub const ARTICLE_PREFIX: &str = "marginalia:article:";
/// Prefix of annotation keys.
pub const ANNOTATIONS_PREFIX: &str = "marginalia:annotations:";
/// Key of the tag colours.
pub const TAG_COLOURS_KEY: &str = "marginalia:tag-colours";
/// Key of the reader preferences.
pub const PREFS_KEY: &str = "marginalia:prefs";
/// Prefix of keys that keep unreadable values.
pub const BACKUP_PREFIX: &str = "marginalia:backup:";

/// The key of an article.
pub fn article_key(id: &str) -> String {
    format!("{ARTICLE_PREFIX}{id}")
}

/// The key of an article's annotations.
pub fn annotations_key(id: &str) -> String {
    format!("{ANNOTATIONS_PREFIX}{id}")
}

/// The library's storage.
pub struct Repo<S> {
    store: S,
    read_only: Option<ReadOnly>,
}

/// What a save of annotations did besides writing.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Saved {
    /// The stored copy brought in something new (another tab's edits).
    pub merged_in: bool,
    /// The stored copy was unreadable and was moved aside first: the
    /// user is to be told.
    pub quarantined: Option<StorageError>,
}

/// What opening the storage found.
#[derive(Debug, Default)]
pub struct Opened {
    /// The library as stored.
    pub library: Library,
    /// Whether nothing had ever been stored (so the welcome article is due).
    pub first_run: bool,
    /// What was wrong, each for the user to be told.
    pub problems: Vec<StorageError>,
}

impl<S: KeyValueStore> Repo<S> {
    /// Opens the storage: checks the schema (migrating older data), reads
    /// the index, and repairs what it can without losing anything.
    pub fn open(store: S) -> (Self, Opened) {
        let mut repo = Self {
            store,
            read_only: None,
        };
        let mut opened = Opened::default();
        let schema = match repo.store.get(SCHEMA_KEY) {
            Ok(v) => v,
            Err(e) => {
                opened.problems.push(e);
                return (repo, opened);
            }
        };
        let index = repo.store.get(INDEX_KEY).ok().flatten();
        match schema.as_deref().map(str::trim) {
            None if index.is_none() => {
                opened.first_run = !repo.has_any_article();
                if let Err(e) = repo.store.set(SCHEMA_KEY, &SCHEMA_VERSION.to_string()) {
                    opened.problems.push(e);
                }
            }
            // Data from before the schema key existed is version 1.
            None => {
                if let Err(e) = repo.migrate_to_current(1) {
                    opened.problems.push(e);
                }
            }
            Some(v) => match v.parse::<u32>() {
                Ok(v) if v == SCHEMA_VERSION => {}
                Ok(v) if v > SCHEMA_VERSION => {
                    repo.read_only = Some(ReadOnly::Schema(v));
                    opened
                        .problems
                        .push(StorageError::ReadOnly(ReadOnly::Schema(v)));
                }
                Ok(v) => {
                    if let Err(e) = repo.migrate_to_current(v) {
                        opened.problems.push(e);
                    }
                }
                // An unreadable version: the data is read as version 1.
                Err(_) => {
                    if let Err(e) = repo.migrate_to_current(1) {
                        opened.problems.push(e);
                    }
                }
            },
        }
        opened.library = repo.read_index(index, &mut opened.problems);
        (repo, opened)
    }

    /// The migration path: each step upgrades the data of one schema
    /// version to the next, then the schema key is written.
    ///
    /// - 1 → 2: annotations arrived, under keys of their own. Version 1
    ///   data needs no conversion, but the version is raised so that a
    ///   version 1 app (which would delete an article and leave its
    ///   annotations behind) opens the data read-only.
    fn migrate_to_current(&mut self, from: u32) -> Result<(), StorageError> {
        let mut v = from.max(1);
        while v < SCHEMA_VERSION {
            // Each step converts version v's data here; 1 → 2 has nothing to convert.
            v += 1;
        }
        self.store.set(SCHEMA_KEY, &SCHEMA_VERSION.to_string())
    }

    fn has_any_article(&self) -> bool {
        self.store
            .keys()
            .map(|keys| keys.iter().any(|k| k.starts_with(ARTICLE_PREFIX)))
            .unwrap_or(false)
    }

    fn article_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .store
            .keys()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|k| k.strip_prefix(ARTICLE_PREFIX).map(str::to_owned))
            .collect();
        ids.sort();
        ids
    }

    /// Reads the index. An unreadable index is moved aside and rebuilt from
    /// the article keys; index entries without an article are dropped, and
    /// articles missing from the index are added back, so no stored article
    /// is ever lost from view.
    fn read_index(&mut self, raw: Option<String>, problems: &mut Vec<StorageError>) -> Library {
        let parsed = match raw {
            None => Some(Library::default()),
            Some(raw) => match serde_json::from_str::<Library>(&raw) {
                Ok(lib) => Some(lib),
                Err(e) => {
                    problems.push(self.quarantine(INDEX_KEY, &raw, &e.to_string()));
                    None
                }
            },
        };
        let stored = self.article_ids();
        let mut entries = Vec::new();
        let mut changed = parsed.is_none();
        if let Some(lib) = &parsed {
            for e in lib.entries() {
                if stored.binary_search(&e.id).is_ok() {
                    entries.push(e.clone());
                } else {
                    changed = true;
                }
            }
        }
        let mut found = Vec::new();
        for id in &stored {
            if entries.iter().any(|e| &e.id == id) {
                continue;
            }
            match self.load_article(id) {
                Ok(a) => found.push(a.meta()),
                Err(e) => problems.push(e),
            }
            changed = true;
        }
        entries.extend(found);
        if changed {
            entries.sort_by_key(|e| std::cmp::Reverse(e.added));
        }
        let lib = Library::from_entries(entries);
        if changed
            && self.read_only.is_none()
            && let Err(e) = self.write_index(&lib)
        {
            problems.push(e);
        }
        lib
    }

    /// Moves an unreadable value to a fresh backup key and removes it from
    /// `key`; returns the error to show.
    fn quarantine(&mut self, key: &str, raw: &str, reason: &str) -> StorageError {
        let backup_key = self.free_backup_key(key);
        if self.read_only.is_none() && self.store.set(&backup_key, raw).is_ok() {
            let _ = self.store.remove(key);
            StorageError::Corrupt {
                key: key.into(),
                backup_key,
                reason: reason.into(),
            }
        } else {
            // Could not copy it: leave it where it is, untouched.
            StorageError::Corrupt {
                key: key.into(),
                backup_key: key.into(),
                reason: reason.into(),
            }
        }
    }

    /// A backup key for `key` that holds nothing yet.
    pub(crate) fn free_backup_key(&self, key: &str) -> String {
        let existing = self.store.keys().unwrap_or_default();
        (1..)
            .map(|n| format!("{BACKUP_PREFIX}{key}:{n}"))
            .find(|k| !existing.contains(k))
            .unwrap_or_default()
    }

    pub(crate) fn write_index(&mut self, library: &Library) -> Result<(), StorageError> {
        let json =
            serde_json::to_string(library).map_err(|e| StorageError::Other(e.to_string()))?;
        self.store.set(INDEX_KEY, &json)
    }

    pub(crate) fn writable(&self) -> Result<(), StorageError> {
        match self.read_only {
            Some(why) => Err(StorageError::ReadOnly(why)),
            None => Ok(()),
        }
    }

    /// Reads the index as stored now, without repairing anything: for
    /// following changes made by another tab.
    pub fn stored_library(&self) -> Option<Library> {
        let raw = self.store.get(INDEX_KEY).ok().flatten()?;
        serde_json::from_str(&raw).ok()
    }

    /// Whether writes are refused because a newer version owns the data.
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// Why writes are refused, if they are.
    pub fn read_only(&self) -> Option<ReadOnly> {
        self.read_only
    }

    /// Adds an article: stores it and the updated index, or nothing at all.
    /// A duplicate writes nothing. `library` changes only on success.
    pub fn add_article(
        &mut self,
        library: &mut Library,
        article: &Article,
    ) -> Result<Added, StorageError> {
        if library.get(&article.id).is_some() {
            return Ok(Added::Duplicate(article.id.clone()));
        }
        self.writable()?;
        let key = article_key(&article.id);
        let json =
            serde_json::to_string(article).map_err(|e| StorageError::Other(e.to_string()))?;
        self.store.set(&key, &json)?;
        let mut next = library.clone();
        let added = next.add(article.meta());
        if let Err(e) = self.write_index(&next) {
            let _ = self.store.remove(&key);
            return Err(e);
        }
        *library = next;
        Ok(added)
    }

    /// Stores a changed version of an article that is already in the
    /// library with the same id (same text; corrected sentence
    /// boundaries), and its index entry. On failure nothing changes.
    pub fn update_article(
        &mut self,
        library: &mut Library,
        article: &Article,
    ) -> Result<(), StorageError> {
        self.writable()?;
        article.validate().map_err(StorageError::Other)?;
        if library.get(&article.id).is_none() {
            return Err(StorageError::ArticleGone(article.id.clone()));
        }
        let key = article_key(&article.id);
        let old = self.store.get(&key)?;
        let json =
            serde_json::to_string(article).map_err(|e| StorageError::Other(e.to_string()))?;
        self.store.set(&key, &json)?;
        let mut next = library.clone();
        next.replace(article.meta());
        if let Err(e) = self.write_index(&next) {
            let _ = match old {
                Some(old) => self.store.set(&key, &old),
                None => self.store.remove(&key),
            };
            return Err(e);
        }
        *library = next;
        Ok(())
    }

    /// Deletes the article with this id and only it.
    pub fn delete_article(
        &mut self,
        library: &mut Library,
        id: &str,
    ) -> Result<bool, StorageError> {
        self.writable()?;
        let mut next = library.clone();
        if next.remove(id).is_none() {
            return Ok(false);
        }
        self.write_index(&next)?;
        self.store.remove(&article_key(id))?;
        self.store.remove(&annotations_key(id))?;
        *library = next;
        Ok(true)
    }

    /// Loads an article's annotations; none stored is an empty set. An
    /// unreadable value is moved to a backup key and reported as
    /// [`StorageError::Corrupt`]; the caller carries on with an empty set.
    /// One in a newer format makes storage read-only.
    pub fn load_annotations(&mut self, id: &str) -> Result<AnnotationSet, StorageError> {
        let key = annotations_key(id);
        match self.store.get(&key)? {
            None => Ok(AnnotationSet::new(id)),
            Some(raw) => self.read_annotations(id, &raw),
        }
    }

    /// Reads a stored annotations value: a newer format makes storage
    /// read-only, anything unreadable is quarantined.
    fn read_annotations(&mut self, id: &str, raw: &str) -> Result<AnnotationSet, StorageError> {
        match AnnotationSet::from_json(id, raw) {
            Ok(set) => Ok(set),
            Err(LoadError::Newer(v)) => {
                self.read_only = Some(ReadOnly::Annotations(v));
                Err(StorageError::ReadOnly(ReadOnly::Annotations(v)))
            }
            Err(LoadError::Corrupt(reason)) => {
                Err(self.quarantine(&annotations_key(id), raw, &reason))
            }
        }
    }

    /// Reads the annotations another tab stored, without repairing
    /// anything; `None` when absent or unreadable.
    pub fn stored_annotations(&self, id: &str) -> Option<AnnotationSet> {
        let raw = self.store.get(&annotations_key(id)).ok().flatten()?;
        AnnotationSet::from_json(id, &raw).ok()
    }

    /// Saves an article's annotations. The stored copy is merged into `set`
    /// first, so what another tab saved meanwhile is kept (and is then in
    /// `set` too); then tombstones older than the keeping time are pruned
    /// from the result, which is written. An unreadable stored value is
    /// moved aside first and reported in [`Saved::quarantined`]. An
    /// article no longer in `library` (deleted or replaced in another tab)
    /// is refused with [`StorageError::ArticleGone`], so its key is never
    /// written back. On failure the stored value is unchanged and `set`
    /// keeps the edit.
    pub fn save_annotations(
        &mut self,
        library: &Library,
        set: &mut AnnotationSet,
        now: DateTime<Utc>,
    ) -> Result<Saved, StorageError> {
        self.writable()?;
        if library.get(set.article()).is_none() {
            return Err(StorageError::ArticleGone(set.article().to_owned()));
        }
        let key = annotations_key(set.article());
        let mut saved = Saved::default();
        if let Some(raw) = self.store.get(&key)? {
            match self.read_annotations(set.article(), &raw) {
                Ok(stored) => saved.merged_in = set.merge(&stored),
                Err(e @ StorageError::ReadOnly(_)) => return Err(e),
                // Not moved aside (the backup write failed): it stays where
                // it is, so nothing may be written over it.
                Err(StorageError::Corrupt {
                    key: k, backup_key, ..
                }) if backup_key == k => {
                    return Err(StorageError::QuotaExceeded);
                }
                Err(e) => saved.quarantined = Some(e),
            }
        }
        set.prune(now);
        if set.is_empty() && set.tombstones().len() == 0 {
            self.store.remove(&key)?;
        } else {
            let json = set
                .to_json()
                .map_err(|e| StorageError::Other(e.to_string()))?;
            self.store.set(&key, &json)?;
        }
        Ok(saved)
    }

    /// How many annotations each article has (those with none are left out).
    /// Unreadable values count as none here; opening the article reports them.
    pub fn annotation_counts(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for key in self.store.keys().unwrap_or_default() {
            let Some(id) = key.strip_prefix(ANNOTATIONS_PREFIX) else {
                continue;
            };
            if let Some(set) = self.stored_annotations(id)
                && !set.is_empty()
            {
                out.insert(id.to_owned(), set.len());
            }
        }
        out
    }

    /// How often each tag is used across the library (folded tag →
    /// first spelling, uses).
    pub fn tag_counts(&self) -> BTreeMap<String, (String, usize)> {
        let mut counts = BTreeMap::new();
        for key in self.store.keys().unwrap_or_default() {
            if let Some(set) = key
                .strip_prefix(ANNOTATIONS_PREFIX)
                .and_then(|id| self.stored_annotations(id))
            {
                add_tag_counts(&mut counts, set.items());
            }
        }
        counts
    }

    /// The colours given to tags; none when absent or unreadable.
    pub fn load_tag_colours(&self) -> TagColours {
        self.store
            .get(TAG_COLOURS_KEY)
            .ok()
            .flatten()
            .and_then(|raw| serde_json::from_str(&raw).ok())
            .unwrap_or_default()
    }

    /// Saves the colours given to tags.
    pub fn save_tag_colours(&mut self, colours: &TagColours) -> Result<(), StorageError> {
        self.writable()?;
        let json =
            serde_json::to_string(colours).map_err(|e| StorageError::Other(e.to_string()))?;
        self.store.set(TAG_COLOURS_KEY, &json)
    }

    /// Loads an article. An unreadable one is moved to a backup key and
    /// reported as [`StorageError::Corrupt`].
    pub fn load_article(&mut self, id: &str) -> Result<Article, StorageError> {
        let key = article_key(id);
        let raw = self
            .store
            .get(&key)?
            .ok_or_else(|| StorageError::Other(format!("article {id} is not in storage")))?;
        let article = serde_json::from_str::<Article>(&raw)
            .map_err(|e| e.to_string())
            .and_then(|a| a.validate().map(|()| a));
        match article {
            Ok(a) if a.id == id => Ok(a),
            Ok(_) => Err(self.quarantine(&key, &raw, "its content does not match its key")),
            Err(reason) => Err(self.quarantine(&key, &raw, &reason)),
        }
    }

    /// Loads preferences, or the defaults when none are stored or they are unreadable.
    pub fn load_prefs<P: DeserializeOwned + Default>(&self) -> P {
        self.store
            .get(PREFS_KEY)
            .ok()
            .flatten()
            .and_then(|raw| serde_json::from_str(&raw).ok())
            .unwrap_or_default()
    }

    /// Saves preferences.
    pub fn save_prefs<P: Serialize>(&mut self, prefs: &P) -> Result<(), StorageError> {
        self.writable()?;
        let json = serde_json::to_string(prefs).map_err(|e| StorageError::Other(e.to_string()))?;
        self.store.set(PREFS_KEY, &json)
    }

    /// The underlying store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The underlying store, mutably (tests use it to inject failures).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }
}
