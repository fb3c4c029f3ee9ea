//! How the library is laid out in keys, on top of any [`KeyValueStore`].
//!
//! | key | value |
//! | --- | --- |
//! | `marginalia:schema` | the storage schema version, `"4"` |
//! | `marginalia:index` | the library index: a JSON array of article metadata, newest first |
//! | `marginalia:article:<id>` | one article (JSON), `<id>` its content fingerprint, until it moves to IndexedDB (see [`super::shelf`]), or for good when IndexedDB is refused |
//! | `marginalia:a:<short>:<annotation id>` | one live annotation, as a compact record ([`crate::domain::annotate::record`]) |
//! | `marginalia:d:<short>:<annotation id>` | one tombstone: `[0, deleted_ms]` |
//! | `marginalia:tag-colours` | colours given to tags (JSON object, folded tag → colour) |
//! | `marginalia:prefs` | reader preferences (JSON) |
//! | `marginalia:backup:<key>:<n>` | an unreadable value, moved aside, never overwritten |
//!
//! `<short>` is the first 16 hex digits of the article id ([`short_id`]):
//! 64 bits, so two articles of one library share it with a chance of about
//! 10⁻¹³ at 2,000 articles, and an article whose short id is taken is
//! refused rather than mixed with another.
//!
//! Writes are all-or-nothing from the user's point of view: adding an
//! article writes its key first and the index second, and takes the
//! article key back out if the index write fails, so a full storage never
//! leaves a partial article behind and never touches what was stored before.
//! Deleting writes the index first, then removes the article key and its
//! annotations.
//!
//! Each annotation has a key of its own, so saving an edit costs what the
//! edit changed and nothing more: per changed annotation, the stored
//! records are read, merged with the tab's copy (another tab may have
//! written them: the newest wins, see [`AnnotationSet::merge`]) and the
//! winner written. A deletion writes the tombstone key first and then
//! removes the live key, so no moment holds neither. Another tab's `storage`
//! event names the one key that changed, and is merged just as cheaply.
//!
//! Schema history: 1 (articles), 2 (annotations, one JSON value per
//! article under `marginalia:annotations:<id>`), 3 (one key per
//! annotation), 4 (article bodies in IndexedDB). [`Repo::open`] migrates older data; see `migrate_to_current`.

use super::{KeyValueStore, ReadOnly, StorageError};
use crate::domain::annotate::record::{self, Record};
use crate::domain::annotate::set::{AnnotationSet, Entry, LoadError, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::library::{Added, Library};
use crate::domain::article::{Article, ArticleMeta};
use crate::domain::search::index::Said;
use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeMap;

/// The storage schema version this build writes.
pub const SCHEMA_VERSION: u32 = 4;
/// Key of the schema version.
pub const SCHEMA_KEY: &str = "marginalia:schema";
/// Key of the library index.
pub const INDEX_KEY: &str = "marginalia:index";
/// Prefix of article keys.
pub const ARTICLE_PREFIX: &str = "marginalia:article:";
/// Prefix of the per-article annotation values of schema 2 (read only
/// by the migration).
pub const ANNOTATIONS_PREFIX: &str = "marginalia:annotations:";
/// Prefix of live annotation records.
pub const LIVE_PREFIX: &str = "marginalia:a:";
/// Prefix of tombstone records.
pub const DEAD_PREFIX: &str = "marginalia:d:";
/// Key of the tag colours.
pub const TAG_COLOURS_KEY: &str = "marginalia:tag-colours";
/// Key of the reader preferences.
pub const PREFS_KEY: &str = "marginalia:prefs";
/// Prefix of reading states: `marginalia:r:<short>` holds
/// `[last_opened_ms, sentence]` for one article.
pub const READING_PREFIX: &str = "marginalia:r:";
/// What the library remembers about backups (see
/// [`crate::domain::exchange::reminder`]).
pub const BACKUPS_KEY: &str = "marginalia:backups";
/// Set once persistent storage was asked for (see [`Repo::first_persist_ask`]).
pub const PERSIST_ASKED_KEY: &str = "marginalia:persist-asked";
/// The origin of the configured sync server, read by `index.html` to
/// allow it in the Content-Security-Policy (nothing else is kept here:
/// credentials and sync state are in IndexedDB, `marginalia-sync`).
pub const SYNC_ORIGIN_KEY: &str = "marginalia:sync-origin";
/// Prefix of keys that keep unreadable values.
pub const BACKUP_PREFIX: &str = "marginalia:backup:";
/// A cache of how many live annotation records each article has, as a
/// JSON object from short id to count: derived from the record keys (which
/// stay the truth), so that opening the library need not list every key.
/// Written when the app recounts and when the page is hidden; see
/// [`Repo::cached_annotation_counts`].
pub const COUNTS_KEY: &str = "marginalia:counts";

/// The key of an article.
pub fn article_key(id: &str) -> String {
    format!("{ARTICLE_PREFIX}{id}")
}

/// The key of an article's annotations in schema 2.
pub fn annotations_key(id: &str) -> String {
    format!("{ANNOTATIONS_PREFIX}{id}")
}

/// The part of an article id that annotation keys carry.
pub fn short_id(article: &str) -> &str {
    match article.char_indices().nth(16) {
        Some((i, _)) => &article[..i],
        None => article,
    }
}

/// The key of a live annotation.
pub fn live_key(article: &str, id: &str) -> String {
    format!("{LIVE_PREFIX}{}:{id}", short_id(article))
}

/// The key of a tombstone.
pub fn dead_key(article: &str, id: &str) -> String {
    format!("{DEAD_PREFIX}{}:{id}", short_id(article))
}

/// What an annotation record key names: live or not, the article's short
/// id and the annotation id.
pub fn parse_record_key(key: &str) -> Option<(bool, &str, &str)> {
    let (live, rest) = if let Some(r) = key.strip_prefix(LIVE_PREFIX) {
        (true, r)
    } else {
        (false, key.strip_prefix(DEAD_PREFIX)?)
    };
    let (short, id) = rest.split_once(':')?;
    (!id.is_empty()).then_some((live, short, id))
}

/// The key of an article's reading state.
fn reading_key(article: &str) -> String {
    format!("{READING_PREFIX}{}", short_id(article))
}

/// The library's article ids by their short id (the record keys' prefix).
fn ids_by_short(library: &Library) -> BTreeMap<&str, &str> {
    library
        .entries()
        .iter()
        .map(|e| (short_id(&e.id), e.id.as_str()))
        .collect()
}

/// Counts by short id (as the record keys and the kept counts have
/// them) as counts by the id of each article of `library`; those with none
/// are left out.
fn counts_by_id(library: &Library, by_short: &BTreeMap<String, usize>) -> BTreeMap<String, usize> {
    library
        .entries()
        .iter()
        .filter_map(|e| Some((e.id.clone(), *by_short.get(short_id(&e.id))?)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The library's storage.
pub struct Repo<S> {
    store: S,
    read_only: Option<ReadOnly>,
    /// What a migration found wrong, for [`Repo::open`] to report.
    found: Vec<StorageError>,
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
    /// Articles stored outside the index were not looked for yet (see
    /// [`Repo::open_listing_later`]): [`Repo::add_strays`] is due.
    pub strays_due: bool,
}

impl<S: KeyValueStore> Repo<S> {
    /// Opens the storage: checks the schema (migrating older data), reads
    /// the index, and repairs what it can without losing anything.
    pub fn open(store: S) -> (Self, Opened) {
        Self::open_held(store, None)
    }

    /// [`Repo::open`], read-only from the start when `held` says why (the
    /// article store belongs to a newer build): then nothing is written,
    /// not even the schema of a new library, and nothing is migrated.
    pub fn open_held(store: S, held: Option<ReadOnly>) -> (Self, Opened) {
        Self::open_with(store, held, false)
    }

    /// [`Repo::open_held`], except that a readable index is taken as it is:
    /// articles stored outside it (a write cut short between an article
    /// and the index) are looked for by [`Repo::add_strays`], which lists
    /// every key and so is for after the library is shown. An unreadable
    /// or missing index is still rebuilt at once.
    pub fn open_listing_later(store: S, held: Option<ReadOnly>) -> (Self, Opened) {
        Self::open_with(store, held, true)
    }

    fn open_with(store: S, held: Option<ReadOnly>, later: bool) -> (Self, Opened) {
        let mut repo = Self {
            store,
            read_only: None,
            found: Vec::new(),
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
        let newer = schema
            .as_deref()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .is_some_and(|v| v > SCHEMA_VERSION);
        if let Some(why) = held
            && !newer
        {
            repo.read_only = Some(why);
            opened.problems.push(StorageError::ReadOnly(why));
            (opened.library, opened.strays_due) =
                repo.read_index(index, &mut opened.problems, later);
            return (repo, opened);
        }
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
        opened.problems.append(&mut repo.found);
        (opened.library, opened.strays_due) = repo.read_index(index, &mut opened.problems, later);
        (repo, opened)
    }

    /// The migration path: each step upgrades the data of one schema
    /// version to the next, then the schema key is written.
    ///
    /// - 1 → 2: annotations arrived, under keys of their own. Version 1
    ///   data needs no conversion, but the version is raised so that a
    ///   version 1 app (which would delete an article and leave its
    ///   annotations behind) opens the data read-only.
    /// - 2 → 3: each article's annotations value becomes one record per
    ///   annotation and per tombstone ([`Repo::migrate_annotations`]).
    /// - 3 → 4: article bodies may live in IndexedDB. Nothing changes
    ///   here: the bodies move after opening, asynchronously and
    ///   resumably ([`super::shelf::Shelf::move_bodies`]), and a body is
    ///   read from IndexedDB, else from its `localStorage` key. The
    ///   version is raised so that a build that reads bodies only from
    ///   `localStorage` opens the data read-only.
    ///
    /// Every step can be interrupted (a failed write, a closed tab) and
    /// is taken up again by the next open: the schema key is raised only
    /// when the whole step is done, and each step removes an old key only
    /// after its new records have been read back and found equal.
    fn migrate_to_current(&mut self, from: u32) -> Result<(), StorageError> {
        let v = from.max(1);
        if v < 3 {
            self.migrate_annotations()?;
        }
        self.store.set(SCHEMA_KEY, &SCHEMA_VERSION.to_string())
    }

    /// 2 → 3, for every `marginalia:annotations:<id>` value: writes a
    /// record per annotation and tombstone (merged with any record an
    /// interrupted run wrote), reads the article's records back, and
    /// removes the old value only when they give back the same set. A
    /// value that cannot be read, or whose article is gone (so its quotes
    /// cannot be checked against a text), is moved to a backup key, never
    /// dropped. One in a newer format stops the step and makes storage
    /// read-only.
    fn migrate_annotations(&mut self) -> Result<(), StorageError> {
        let mut keys = self.store.keys_with_prefix(ANNOTATIONS_PREFIX)?;
        keys.sort();
        for key in keys {
            let id = key[ANNOTATIONS_PREFIX.len()..].to_owned();
            let Some(raw) = self.store.get(&key)? else {
                continue;
            };
            let old = match AnnotationSet::from_json(&id, &raw) {
                Ok(set) => set,
                Err(LoadError::Newer(v)) => {
                    self.read_only = Some(ReadOnly::Annotations(v));
                    return Err(StorageError::ReadOnly(ReadOnly::Annotations(v)));
                }
                Err(LoadError::Corrupt(why)) => {
                    self.move_aside(&key, &raw, &why)?;
                    continue;
                }
            };
            let article = self
                .store
                .get(&article_key(&id))?
                .and_then(|a| serde_json::from_str::<Article>(&a).ok())
                .filter(|a| a.id == id);
            let Some(article) = article else {
                self.move_aside(&key, &raw, "its article is not stored")?;
                continue;
            };
            let map = TextMap::new(&article);
            for a in old.items() {
                let (stored, [live, _]) = self.stored_entry(&map, &id, &a.id)?;
                let mut one = stored;
                let mut mine = AnnotationSet::new(&id);
                mine.put(a.clone());
                one.merge(&mine);
                if let Entry::Live(w) = one.entry(&a.id) {
                    let value = record::encode(w, &map);
                    if live.as_deref() != Some(value.as_str()) {
                        self.store.set(&live_key(&id, &a.id), &value)?;
                    }
                }
            }
            for t in old.tombstones() {
                let (stored, [_, dead]) = self.stored_entry(&map, &id, &t.id)?;
                let mut one = stored;
                one.mark_deleted(&t.id, t.at);
                if let Entry::Dead(at) = one.entry(&t.id) {
                    let value = record::encode_tombstone(at);
                    if dead.as_deref() != Some(value.as_str()) {
                        self.store.set(&dead_key(&id, &t.id), &value)?;
                    }
                }
            }
            // Verified: the records give back at least everything the old
            // value held (newer records from an interrupted run may win).
            let back = self.stored_annotations_for(&map, &id);
            let mut check = back.clone();
            check.merge(&old);
            if check != back {
                return Err(StorageError::Other(format!(
                    "the annotations of article {id} did not read back as written; the old value is kept"
                )));
            }
            self.store.remove(&key)?;
        }
        Ok(())
    }

    /// Moves an unreadable value to a backup key (during a migration),
    /// failing if it cannot be copied, so it is never lost.
    fn move_aside(&mut self, key: &str, raw: &str, why: &str) -> Result<(), StorageError> {
        match self.quarantine(key, raw, why) {
            StorageError::Corrupt {
                key: k, backup_key, ..
            } if backup_key == k => Err(StorageError::QuotaExceeded),
            e => {
                self.found.push(e);
                Ok(())
            }
        }
    }

    fn has_any_article(&self) -> bool {
        self.store
            .keys_with_prefix(ARTICLE_PREFIX)
            .is_ok_and(|keys| !keys.is_empty())
    }

    fn article_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .store
            .keys_with_prefix(ARTICLE_PREFIX)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|k| k.strip_prefix(ARTICLE_PREFIX).map(str::to_owned))
            .collect();
        ids.sort();
        ids
    }

    /// Reads the index. An unreadable index is moved aside and rebuilt from
    /// the article keys; articles in `localStorage` missing from the index
    /// are added back, so no stored article is ever lost from view. Every
    /// entry is kept: its body may be in IndexedDB. With `later`, a
    /// readable index is taken as it is and the search for articles
    /// missing from it left to the caller (then the flag returned is set).
    fn read_index(
        &mut self,
        raw: Option<String>,
        problems: &mut Vec<StorageError>,
        later: bool,
    ) -> (Library, bool) {
        let later = later && raw.is_some();
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
        if later && let Some(lib) = parsed {
            return (lib, true);
        }
        let mut entries = Vec::new();
        let changed = parsed.is_none();
        // Every entry stays: its body may be in IndexedDB, which is not
        // read here (an entry whose body is nowhere says so when opened).
        if let Some(lib) = &parsed {
            entries.extend(lib.entries().iter().cloned());
        }
        (self.with_strays(entries, changed, problems), false)
    }

    /// Adds to `library` the articles stored outside its index, and stores
    /// the index when there were any (see [`Repo::open_listing_later`]).
    /// Returns the library with them, or `None` when there were none.
    pub fn add_strays(
        &mut self,
        library: &Library,
        problems: &mut Vec<StorageError>,
    ) -> Option<Library> {
        let lib = self.with_strays(library.entries().to_vec(), false, problems);
        (lib.entries().len() != library.entries().len()).then_some(lib)
    }

    /// `entries` and the articles stored outside them, in the index's
    /// order; the index is stored when `changed` or when any were found.
    fn with_strays(
        &mut self,
        mut entries: Vec<ArticleMeta>,
        mut changed: bool,
        problems: &mut Vec<StorageError>,
    ) -> Library {
        let listed: std::collections::BTreeSet<String> =
            entries.iter().map(|e| e.id.clone()).collect();
        let mut found = Vec::new();
        for id in &self.article_ids() {
            if listed.contains(id) {
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

    /// How much of the store is used, in UTF-16 units (see
    /// [`KeyValueStore::units`]); 0 when it cannot be read.
    pub fn units_used(&self) -> usize {
        self.store.units().unwrap_or(0)
    }

    /// Whether persistent storage is due to be asked for now: true once
    /// ever (it is then remembered), never for a read-only library.
    pub fn first_persist_ask(&mut self) -> bool {
        if self.writable().is_err() || self.store.get(PERSIST_ASKED_KEY).ok().flatten().is_some() {
            return false;
        }
        self.store.set(PERSIST_ASKED_KEY, "1").is_ok()
    }

    /// The configured sync server's origin, if any.
    pub fn sync_origin(&self) -> Option<String> {
        self.store.get(SYNC_ORIGIN_KEY).ok().flatten()
    }

    /// Sets (or with `None` forgets) the sync server's origin.
    pub fn set_sync_origin(&mut self, origin: Option<&str>) -> Result<(), StorageError> {
        match origin {
            Some(o) => self.store.set(SYNC_ORIGIN_KEY, o),
            None => self.store.remove(SYNC_ORIGIN_KEY),
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
        check_short_id(library, &article.id)?;
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

    /// Adds an article's index entry only (its body was stored elsewhere
    /// first, see [`super::shelf`]). A duplicate writes nothing.
    pub fn add_entry(
        &mut self,
        library: &mut Library,
        article: &Article,
    ) -> Result<Added, StorageError> {
        if library.get(&article.id).is_some() {
            return Ok(Added::Duplicate(article.id.clone()));
        }
        self.writable()?;
        check_short_id(library, &article.id)?;
        let mut next = library.clone();
        let added = next.add(article.meta());
        self.write_index(&next)?;
        *library = next;
        Ok(added)
    }

    /// Replaces an article's index entry only (its body was stored
    /// elsewhere first), and removes a copy of its body left in
    /// `localStorage` by an older layout.
    pub fn update_entry(
        &mut self,
        library: &mut Library,
        article: &Article,
    ) -> Result<(), StorageError> {
        self.writable()?;
        if library.get(&article.id).is_none() {
            return Err(StorageError::ArticleGone(article.id.clone()));
        }
        let mut next = library.clone();
        next.revise(article.meta());
        self.write_index(&next)?;
        *library = next;
        let _ = self.store.remove(&article_key(&article.id));
        Ok(())
    }

    /// Whether the stored schema is this build's: every migration of
    /// `localStorage` is done.
    pub fn schema_is_current(&self) -> bool {
        self.store.get(SCHEMA_KEY).ok().flatten().as_deref() == Some(&*SCHEMA_VERSION.to_string())
    }

    /// Whether an article's body is (still) kept in `localStorage`.
    pub fn has_local_body(&self, id: &str) -> bool {
        self.store.get(&article_key(id)).ok().flatten().is_some()
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
        next.revise(article.meta());
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
        *library = next;
        self.remove_records(id)?;
        self.store.remove(&article_key(id))?;
        Ok(true)
    }

    /// Loads an article's annotations, reading its text for the quotes
    /// (see [`Repo::load_annotations_for`]).
    pub fn load_annotations(&mut self, id: &str) -> Result<AnnotationSet, StorageError> {
        let article = self.load_article(id)?;
        let (set, mut problems) = self.load_annotations_for(&TextMap::new(&article), id);
        match problems.is_empty() {
            true => Ok(set),
            false => Err(problems.remove(0)),
        }
    }

    /// Loads the annotations of article `id`, whose text is `map`: every
    /// record under its keys. An unreadable record is moved to a backup
    /// key and reported ([`StorageError::Corrupt`]), the others load; one
    /// in a newer format makes storage read-only. Tombstones older than
    /// the keeping time are removed from storage. Costs the article's
    /// records (one read of all of them), not the library's.
    pub fn load_annotations_for(
        &mut self,
        map: &TextMap,
        id: &str,
    ) -> (AnnotationSet, Vec<StorageError>) {
        let mut problems = Vec::new();
        let mut set = AnnotationSet::new(id);
        let mut bad = Vec::new();
        for prefix in [LIVE_PREFIX, DEAD_PREFIX] {
            let scan = format!("{prefix}{}:", short_id(id));
            let entries = match self.store.scan(&scan) {
                Ok(e) => e,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            for (key, raw) in entries {
                let Some((_, _, aid)) = parse_record_key(&key) else {
                    continue;
                };
                match record::decode(id, aid, &raw, map) {
                    Ok(r) => merge_record(&mut set, aid, r),
                    Err(LoadError::Newer(v)) => {
                        self.read_only = Some(ReadOnly::Annotations(v));
                        problems.push(StorageError::ReadOnly(ReadOnly::Annotations(v)));
                    }
                    Err(LoadError::Corrupt(why)) => bad.push((key, raw, why)),
                }
            }
        }
        for (key, raw, why) in bad {
            problems.push(self.quarantine(&key, &raw, &why));
        }
        set.take_touched();
        problems.dedup();
        (set, problems)
    }

    /// Removes the stored tombstones of `set`'s article older than the
    /// keeping time, and drops them from `set`.
    pub fn prune_tombstones(&mut self, set: &mut AnnotationSet, now: DateTime<Utc>) {
        let before: Vec<String> = set.tombstones().map(|t| t.id).collect();
        if set.prune(now) == 0 || self.read_only.is_some() {
            return;
        }
        for id in before {
            if set.deleted_at(&id).is_none() {
                let _ = self.store.remove(&dead_key(set.article(), &id));
            }
        }
    }

    /// Reads the annotations stored for an article, without repairing
    /// anything; `None` when its text is not stored.
    pub fn stored_annotations(&self, id: &str) -> Option<AnnotationSet> {
        let raw = self.store.get(&article_key(id)).ok().flatten()?;
        let article: Article = serde_json::from_str(&raw).ok()?;
        Some(self.stored_annotations_for(&TextMap::new(&article), id))
    }

    /// Reads the annotations stored for article `id` (text `map`),
    /// skipping unreadable records and repairing nothing.
    pub fn stored_annotations_for(&self, map: &TextMap, id: &str) -> AnnotationSet {
        let mut set = AnnotationSet::new(id);
        for prefix in [LIVE_PREFIX, DEAD_PREFIX] {
            let scan = format!("{prefix}{}:", short_id(id));
            for (key, raw) in self.store.scan(&scan).unwrap_or_default() {
                if let Some((_, _, aid)) = parse_record_key(&key)
                    && let Ok(r) = record::decode(id, aid, &raw, map)
                {
                    merge_record(&mut set, aid, r);
                }
            }
        }
        set.take_touched();
        set
    }

    /// The stored state of one annotation: its live record and its
    /// tombstone merged, as a set of at most one entry. An unreadable
    /// record counts as absent here; `Err` for a newer one.
    fn stored_entry(
        &self,
        map: &TextMap,
        article: &str,
        id: &str,
    ) -> Result<(AnnotationSet, [Option<String>; 2]), StorageError> {
        let mut one = AnnotationSet::new(article);
        let live = self.store.get(&live_key(article, id))?;
        let dead = self.store.get(&dead_key(article, id))?;
        for raw in [&live, &dead].into_iter().flatten() {
            match record::decode(article, id, raw, map) {
                Ok(r) => merge_record(&mut one, id, r),
                Err(LoadError::Newer(v)) => {
                    return Err(StorageError::ReadOnly(ReadOnly::Annotations(v)));
                }
                Err(LoadError::Corrupt(_)) => {}
            }
        }
        Ok((one, [live, dead]))
    }

    /// Takes in one record another tab wrote (a `storage` event's key and
    /// new value) if it belongs to `set`'s article; returns whether `set`
    /// changed. Costs one record.
    pub fn merge_event(
        &self,
        set: &mut AnnotationSet,
        map: &TextMap,
        key: &str,
        value: Option<&str>,
    ) -> bool {
        let (Some((_, short, id)), Some(raw)) = (parse_record_key(key), value) else {
            return false;
        };
        if short != short_id(set.article()) {
            return false;
        }
        let article = set.article().to_owned();
        match record::decode(&article, id, raw, map) {
            Ok(r) => {
                let mut one = AnnotationSet::new(&article);
                merge_record(&mut one, id, r);
                set.merge(&one)
            }
            Err(_) => false,
        }
    }

    /// Saves what was edited in `set` since its last save
    /// ([`AnnotationSet::take_unsaved`]), one annotation at a time: the
    /// stored records of each are merged into `set` first (so what another
    /// tab saved meanwhile is kept, and is then in `set` too), and the
    /// winner is written when it differs from what is stored. Costs the
    /// edited annotations only. An article no longer in `library` (deleted
    /// or replaced in another tab) is refused with
    /// [`StorageError::ArticleGone`], so its keys are never written back.
    /// On failure what is stored is unchanged for the annotation that
    /// failed, and the ids not yet written stay unsaved in `set`.
    pub fn save_changes(
        &mut self,
        library: &Library,
        set: &mut AnnotationSet,
        map: &TextMap,
    ) -> Result<Saved, StorageError> {
        self.writable()?;
        if library.get(set.article()).is_none() {
            return Err(StorageError::ArticleGone(set.article().to_owned()));
        }
        let mut due: Vec<String> = set.take_unsaved().into_iter().collect();
        due.reverse();
        let mut saved = Saved::default();
        while let Some(id) = due.pop() {
            if let Err(e) = self.save_one(set, map, &id, &mut saved) {
                due.push(id);
                set.keep_unsaved(due);
                return Err(e);
            }
        }
        Ok(saved)
    }

    /// [`Repo::save_changes`], reading the article's text first, then
    /// prunes tombstones older than the keeping time at `now` (see
    /// [`Repo::prune_tombstones`]). For callers that hold no text map.
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
        let article = self.load_article(set.article())?;
        let saved = self.save_changes(library, set, &TextMap::new(&article))?;
        self.prune_tombstones(set, now);
        Ok(saved)
    }

    fn save_one(
        &mut self,
        set: &mut AnnotationSet,
        map: &TextMap,
        id: &str,
        saved: &mut Saved,
    ) -> Result<(), StorageError> {
        let article = set.article().to_owned();
        let (stored, [live, dead]) = self.stored_entry(map, &article, id)?;
        if set.merge(&stored) {
            saved.merged_in = true;
        }
        let (lk, dk) = (live_key(&article, id), dead_key(&article, id));
        // An unreadable record is moved aside before anything is written
        // over it; if it cannot be, nothing is written.
        for (key, raw) in [(&lk, &live), (&dk, &dead)] {
            if let Some(raw) = raw
                && let Err(LoadError::Corrupt(why)) = record::decode(&article, id, raw, map)
            {
                match self.quarantine(key, raw, &why) {
                    StorageError::Corrupt {
                        key: k, backup_key, ..
                    } if backup_key == k => return Err(StorageError::QuotaExceeded),
                    e => saved.quarantined = Some(e),
                }
            }
        }
        match set.entry(id) {
            Entry::Live(a) => {
                let value = record::encode(a, map);
                if live.as_deref() != Some(value.as_str()) {
                    self.store.set(&lk, &value)?;
                }
                if dead.is_some() {
                    self.store.remove(&dk)?;
                }
            }
            Entry::Dead(at) => {
                let value = record::encode_tombstone(at);
                if dead.as_deref() != Some(value.as_str()) {
                    self.store.set(&dk, &value)?;
                }
                if live.is_some() {
                    self.store.remove(&lk)?;
                }
            }
            Entry::Absent => {}
        }
        Ok(())
    }

    /// How many annotations each article of `library` has (those with
    /// none are left out), from the keys alone: no record is read.
    pub fn annotation_counts(&self, library: &Library) -> BTreeMap<String, usize> {
        let by_short = self.store.count_groups(LIVE_PREFIX).unwrap_or_default();
        counts_by_id(library, &by_short)
    }

    /// The annotation counts of [`COUNTS_KEY`], for the articles of
    /// `library` (those with none left out); `None` when there is no
    /// readable cache. Cheap (one key), but possibly out of date: another
    /// tab, or a page closed before it could keep its counts, may have
    /// changed records since. The app shows these first and then recounts
    /// from the keys ([`Repo::annotation_counts`]).
    pub fn cached_annotation_counts(&self, library: &Library) -> Option<BTreeMap<String, usize>> {
        let raw = self.store.get(COUNTS_KEY).ok().flatten()?;
        let by_short: BTreeMap<String, usize> = serde_json::from_str(&raw).ok()?;
        Some(counts_by_id(library, &by_short))
    }

    /// Keeps `counts` (annotations per article id) as the cache of
    /// [`COUNTS_KEY`]; nothing is written when it holds them already, or
    /// when storage is read-only. Returns whether it was written.
    pub fn keep_annotation_counts(
        &mut self,
        counts: &BTreeMap<String, usize>,
    ) -> Result<bool, StorageError> {
        self.writable()?;
        let by_short: BTreeMap<&str, usize> = counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(id, n)| (short_id(id), *n))
            .collect();
        let value =
            serde_json::to_string(&by_short).map_err(|e| StorageError::Other(e.to_string()))?;
        if self.store.get(COUNTS_KEY)?.as_deref() == Some(value.as_str()) {
            return Ok(false);
        }
        self.store.set(COUNTS_KEY, &value)?;
        Ok(true)
    }

    /// How often each tag is used across the library (folded tag →
    /// first spelling, uses), from the live records' tags.
    pub fn tag_counts(&self) -> BTreeMap<String, (String, usize)> {
        let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for (_, raw) in self.store.scan(LIVE_PREFIX).unwrap_or_default() {
            for t in record::tags_of(&raw) {
                counts
                    .entry(crate::domain::annotate::annotation::tag_key(&t))
                    .or_insert_with(|| (t.clone(), 0))
                    .1 += 1;
            }
        }
        counts
    }

    /// The tags of each article of `library` (article id → folded tags),
    /// from the live records' tags: one scan, for the library's tag filter.
    pub fn article_tags(
        &self,
        library: &Library,
    ) -> BTreeMap<String, std::collections::BTreeSet<String>> {
        let by_short = ids_by_short(library);
        let mut out: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for (key, raw) in self.store.scan(LIVE_PREFIX).unwrap_or_default() {
            let Some((_, short, _)) = parse_record_key(&key) else {
                continue;
            };
            let Some(id) = by_short.get(short) else {
                continue;
            };
            for t in record::tags_of(&raw) {
                out.entry((*id).to_owned())
                    .or_default()
                    .insert(crate::domain::annotate::annotation::tag_key(&t));
            }
        }
        out
    }

    /// What the annotations of each article of `library` say (notes,
    /// tags, orphaned quotes), for search: one scan of the live records,
    /// no text read. Plain highlights say nothing and are left out.
    pub fn said(&self, library: &Library) -> BTreeMap<String, Vec<Said>> {
        let by_short = ids_by_short(library);
        let mut out: BTreeMap<String, Vec<Said>> = BTreeMap::new();
        for (key, raw) in self.store.scan(LIVE_PREFIX).unwrap_or_default() {
            let Some((_, short, annotation)) = parse_record_key(&key) else {
                continue;
            };
            let Some(id) = by_short.get(short) else {
                continue;
            };
            if let Some((at, text)) = record::said_of(&raw) {
                out.entry((*id).to_owned()).or_default().push(Said {
                    annotation: annotation.to_owned(),
                    at,
                    text,
                });
            }
        }
        out
    }

    /// Every live record of each article of `library` (annotation id, raw
    /// record), in library order: one scan, for the notebook.
    pub fn records_by_article(&self, library: &Library) -> Vec<(String, Vec<(String, String)>)> {
        let by_short = ids_by_short(library);
        let mut by_id: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
        for (key, raw) in self.store.scan(LIVE_PREFIX).unwrap_or_default() {
            let Some((_, short, annotation)) = parse_record_key(&key) else {
                continue;
            };
            if let Some(id) = by_short.get(short) {
                by_id
                    .entry(id)
                    .or_default()
                    .push((annotation.to_owned(), raw));
            }
        }
        library
            .entries()
            .iter()
            .filter_map(|e| Some((e.id.clone(), by_id.remove(e.id.as_str())?)))
            .collect()
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

    /// Removes every annotation record of an article.
    pub(crate) fn remove_records(&mut self, id: &str) -> Result<(), StorageError> {
        for prefix in [LIVE_PREFIX, DEAD_PREFIX] {
            let scan = format!("{prefix}{}:", short_id(id));
            for key in self.store.keys_with_prefix(&scan)? {
                self.store.remove(&key)?;
            }
        }
        self.remove_conflicts(id)?;
        self.store.remove(&reading_key(id))
    }

    /// Loads an article. An unreadable one is moved to a backup key and
    /// reported as [`StorageError::Corrupt`].
    pub fn load_article(&mut self, id: &str) -> Result<Article, StorageError> {
        let key = article_key(id);
        let raw = self
            .store
            .get(&key)?
            .ok_or_else(|| StorageError::Other(format!("article {id} is not in storage")))?;
        match parse_article(id, &raw) {
            Ok(a) => Ok(a),
            Err(reason) => Err(self.quarantine(&key, &raw, &reason)),
        }
    }

    /// The article bodies still kept in `localStorage` (an older layout,
    /// or IndexedDB refused): id → stored JSON.
    pub fn local_bodies(&self) -> Result<Vec<(String, String)>, StorageError> {
        Ok(self
            .store
            .scan(ARTICLE_PREFIX)?
            .into_iter()
            .map(|(k, v)| (k[ARTICLE_PREFIX.len()..].to_owned(), v))
            .collect())
    }

    /// Removes an article body from `localStorage` (once it is stored
    /// elsewhere and read back).
    pub fn remove_local_body(&mut self, id: &str) -> Result<(), StorageError> {
        self.store.remove(&article_key(id))
    }

    /// Loads preferences, or the defaults when none are stored or they are unreadable.
    pub fn load_prefs<P: DeserializeOwned + Default>(&self) -> P {
        self.load_small(PREFS_KEY)
    }

    /// A small JSON value under `key`; the default when absent or
    /// unreadable.
    fn load_small<T: DeserializeOwned + Default>(&self, key: &str) -> T {
        self.store
            .get(key)
            .ok()
            .flatten()
            .and_then(|raw| serde_json::from_str(&raw).ok())
            .unwrap_or_default()
    }

    /// Writes a small JSON value under `key`.
    fn save_small<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), StorageError> {
        self.writable()?;
        let json = serde_json::to_string(value).map_err(|e| StorageError::Other(e.to_string()))?;
        self.store.set(key, &json)
    }

    /// Where the reader is in each article of `library` that was opened
    /// (each article's reading key, read at once); unreadable values are
    /// skipped.
    pub fn reading_states(
        &self,
        library: &Library,
    ) -> BTreeMap<String, crate::domain::article::listing::Reading> {
        // One key per article, read by name: no listing of every key.
        let keys: Vec<String> = library
            .entries()
            .iter()
            .map(|e| reading_key(&e.id))
            .collect();
        let values = self.store.get_many(&keys).unwrap_or_default();
        let mut out = BTreeMap::new();
        for (e, raw) in library.entries().iter().zip(values) {
            let Some(raw) = raw else { continue };
            let id = &e.id;
            if let Ok((ms, sentence)) = serde_json::from_str::<(i64, u32)>(&raw)
                && let Some(opened) = DateTime::from_timestamp_millis(ms)
            {
                out.insert(
                    (*id).to_owned(),
                    crate::domain::article::listing::Reading { opened, sentence },
                );
            }
        }
        out
    }

    /// Stores where the reader is in article `id` (one small key).
    pub fn save_reading(
        &mut self,
        id: &str,
        reading: crate::domain::article::listing::Reading,
    ) -> Result<(), StorageError> {
        self.writable()?;
        let value = format!(
            "[{},{}]",
            reading.opened.timestamp_millis(),
            reading.sentence
        );
        self.store.set(&reading_key(id), &value)
    }

    /// What the library remembers about backups; an unreadable value
    /// reads as nothing remembered (it is rewritten at the next export).
    pub fn load_backups(&self) -> crate::domain::exchange::reminder::Backups {
        self.load_small(BACKUPS_KEY)
    }

    /// Saves what the library remembers about backups.
    pub fn save_backups(
        &mut self,
        backups: &crate::domain::exchange::reminder::Backups,
    ) -> Result<(), StorageError> {
        self.save_small(BACKUPS_KEY, backups)
    }

    /// Saves preferences.
    pub fn save_prefs<P: Serialize>(&mut self, prefs: &P) -> Result<(), StorageError> {
        self.save_small(PREFS_KEY, prefs)
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

/// Reads a stored article body: its JSON, its invariants, and that its
/// content has the id it is stored under; the reason when not.
pub fn parse_article(id: &str, raw: &str) -> Result<Article, String> {
    let a = serde_json::from_str::<Article>(raw).map_err(|e| e.to_string())?;
    a.validate()?;
    if a.id != id {
        return Err("its content does not match its key".into());
    }
    Ok(a)
}

/// Refuses an article whose short id ([`short_id`]) another article of
/// the library has: their annotation keys would mix.
pub(crate) fn check_short_id(library: &Library, id: &str) -> Result<(), StorageError> {
    let short = short_id(id);
    match library
        .entries()
        .iter()
        .find(|e| e.id != id && short_id(&e.id) == short)
    {
        Some(e) => Err(StorageError::Other(format!(
            "this article's id begins like that of “{}” ({short}), so their annotations could not be kept apart; it was not added",
            e.title
        ))),
        None => Ok(()),
    }
}

/// The records that store `set` as it is, for writing: per id, the key
/// to set with its value and the key to remove.
pub(crate) fn records_of(set: &AnnotationSet, map: &TextMap) -> Vec<(String, String, String)> {
    let article = set.article();
    let mut out: Vec<(String, String, String)> = set
        .items()
        .map(|a| {
            (
                live_key(article, &a.id),
                record::encode(a, map),
                dead_key(article, &a.id),
            )
        })
        .collect();
    out.extend(set.tombstones().map(|t| {
        (
            dead_key(article, &t.id),
            record::encode_tombstone(t.at),
            live_key(article, &t.id),
        )
    }));
    out
}

/// Adds one decoded record to a set, as a merge would.
pub(crate) fn merge_record(set: &mut AnnotationSet, id: &str, r: Record) {
    match r {
        Record::Live(a) => {
            set.merge_one(*a);
        }
        Record::Dead(at) => set.mark_deleted(id, at),
    }
}
