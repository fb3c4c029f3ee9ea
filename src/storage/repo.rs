//! How the library is laid out in keys, on top of any [`KeyValueStore`].
//!
//! | key | value |
//! | --- | --- |
//! | `marginalia:schema` | the storage schema version, `"1"` |
//! | `marginalia:index` | the library index: a JSON array of article metadata, newest first |
//! | `marginalia:article:<id>` | one article (JSON), `<id>` its content fingerprint |
//! | `marginalia:prefs` | reader preferences (JSON) |
//! | `marginalia:backup:<key>:<n>` | an unreadable value, moved aside, never overwritten |
//!
//! Writes are all-or-nothing from the user's point of view: adding an
//! article writes its key first and the index second, and takes the
//! article key back out if the index write fails, so a full storage never
//! leaves a partial article behind and never touches what was stored before.
//! Deleting writes the index first, then removes the article key.

use super::{KeyValueStore, StorageError};
use crate::domain::article::Article;
use crate::domain::library::{Added, Library};
use serde::{Serialize, de::DeserializeOwned};

/// The storage schema version this build writes.
pub const SCHEMA_VERSION: u32 = 1;
/// Key of the schema version.
pub const SCHEMA_KEY: &str = "marginalia:schema";
/// Key of the library index.
pub const INDEX_KEY: &str = "marginalia:index";
/// Prefix of article keys.
pub const ARTICLE_PREFIX: &str = "marginalia:article:";
/// Key of the reader preferences.
pub const PREFS_KEY: &str = "marginalia:prefs";
/// Prefix of keys that keep unreadable values.
pub const BACKUP_PREFIX: &str = "marginalia:backup:";

/// The key of an article.
pub fn article_key(id: &str) -> String {
    format!("{ARTICLE_PREFIX}{id}")
}

/// The library's storage.
pub struct Repo<S> {
    store: S,
    read_only: bool,
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
            read_only: false,
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
                let _ = repo.store.set(SCHEMA_KEY, &SCHEMA_VERSION.to_string());
            }
            Some(v) => match v.parse::<u32>() {
                Ok(v) if v == SCHEMA_VERSION => {}
                Ok(v) if v > SCHEMA_VERSION => {
                    repo.read_only = true;
                    opened.problems.push(StorageError::NewerSchema(v));
                }
                // Versions below 1 and unreadable versions: migrate_to_current.
                _ => {
                    if let Err(e) = repo.migrate_to_current() {
                        opened.problems.push(e);
                    }
                }
            },
        }
        opened.library = repo.read_index(index, &mut opened.problems);
        (repo, opened)
    }

    /// The migration path: each schema version upgrades the data of the one
    /// before it, then the schema key is written. Version 1 is the first, so
    /// there is nothing to convert yet.
    fn migrate_to_current(&mut self) -> Result<(), StorageError> {
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
            && !self.read_only
            && let Err(e) = self.write_index(&lib)
        {
            problems.push(e);
        }
        lib
    }

    /// Moves an unreadable value to a fresh backup key and removes it from
    /// `key`; returns the error to show.
    fn quarantine(&mut self, key: &str, raw: &str, reason: &str) -> StorageError {
        let existing = self.store.keys().unwrap_or_default();
        let mut n = 1;
        let backup_key = loop {
            let candidate = format!("{BACKUP_PREFIX}{key}:{n}");
            if !existing.contains(&candidate) {
                break candidate;
            }
            n += 1;
        };
        if !self.read_only && self.store.set(&backup_key, raw).is_ok() {
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

    fn write_index(&mut self, library: &Library) -> Result<(), StorageError> {
        let json =
            serde_json::to_string(library).map_err(|e| StorageError::Other(e.to_string()))?;
        self.store.set(INDEX_KEY, &json)
    }

    fn writable(&self) -> Result<(), StorageError> {
        if self.read_only {
            Err(StorageError::NewerSchema(SCHEMA_VERSION + 1))
        } else {
            Ok(())
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
        *library = next;
        Ok(true)
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
