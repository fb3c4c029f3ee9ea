//! Helpers shared by the browser tests (`tests/web_*.rs`): a clean
//! `localStorage`, a snapshot of it, and articles built from text.
#![allow(dead_code)]

use chrono::DateTime;
use marginalia::domain::annotate::set::AnnotationSet;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::storage::local::LocalStore;
use marginalia::storage::repo::{Repo, Saved};
use marginalia::storage::{KeyValueStore, StorageError};
use std::collections::BTreeMap;

/// Empties this origin's `localStorage`.
pub fn clear() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    LocalStore::forget_listing();
}

/// Every key and value, for comparing before and after.
pub fn snapshot(store: &LocalStore) -> BTreeMap<String, String> {
    store
        .keys()
        .unwrap()
        .into_iter()
        .map(|k| (k.clone(), store.get(&k).unwrap().unwrap()))
        .collect()
}

/// A pasted article.
pub fn article(text: &str) -> Article {
    article_from(text, None)
}

/// An article read from a file named `source` (`None`: pasted).
pub fn article_from(text: &str, source: Option<&str>) -> Article {
    Article::build(
        parse_text(text),
        NewArticle {
            title: None,
            source_name: source,
        },
        DateTime::UNIX_EPOCH,
    )
    .unwrap()
}

/// Fills `localStorage` for real, 256 KB at a time under `filler:<n>`
/// keys, until the browser refuses; returns how many fillers fit.
pub fn fill_until_full(store: &mut impl KeyValueStore) -> usize {
    let chunk = "x".repeat(256 * 1024);
    let mut n = 0;
    loop {
        match store.set(&format!("filler:{n}"), &chunk) {
            Ok(()) => n += 1,
            Err(StorageError::QuotaExceeded) => return n,
            Err(e) => panic!("unexpected error {e:?}"),
        }
        assert!(n < 200, "localStorage never filled up");
    }
}

/// Real `localStorage` in which one chosen `set` fails with the quota
/// error (as [`marginalia::storage::memory::MemoryStore`] does in memory).
pub struct FailingStore {
    /// The real store.
    pub inner: LocalStore,
    fail_after: Option<usize>,
}

impl FailingStore {
    /// Nothing fails until [`FailingStore::fail_one_set_after`] is called.
    pub fn new(inner: LocalStore) -> Self {
        Self {
            inner,
            fail_after: None,
        }
    }

    /// Lets `n` more calls to `set` succeed, then fails exactly one.
    pub fn fail_one_set_after(&mut self, n: usize) {
        self.fail_after = Some(n);
    }
}

impl KeyValueStore for FailingStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.inner.get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        match self.fail_after {
            Some(0) => {
                self.fail_after = None;
                return Err(StorageError::QuotaExceeded);
            }
            Some(n) => self.fail_after = Some(n - 1),
            None => {}
        }
        self.inner.set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        self.inner.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StorageError> {
        self.inner.keys()
    }
}

/// Saves as the app does: against the library as stored, a day after the
/// epoch (no tombstone in these tests is old enough to be pruned).
pub fn save_set<S: KeyValueStore>(
    repo: &mut Repo<S>,
    set: &mut AnnotationSet,
) -> Result<Saved, StorageError> {
    let library = repo.stored_library().unwrap_or_default();
    repo.save_annotations(
        &library,
        set,
        chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(1),
    )
}
