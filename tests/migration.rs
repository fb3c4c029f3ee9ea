//! The storage migration from schema 2, on a real library captured from
//! the schema-2 build through its UI (tests/fixtures/schema2): nothing is
//! lost, and a move cut short at any write leaves a state from which the
//! next open completes it.
#![cfg(not(target_arch = "wasm32"))]

use marginalia::domain::exchange::restore::{self, LibrarySource};
use marginalia::domain::exchange::{ExportInfo, write_json};
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::{
    ANNOTATIONS_PREFIX, DEAD_PREFIX, LIVE_PREFIX, PREFS_KEY, Repo, SCHEMA_KEY, TAG_COLOURS_KEY,
    dead_key,
};
use marginalia::storage::{KeyValueStore, StorageError};
use serde_json::Value;
use std::collections::BTreeMap;

const FIXTURE: &str = include_str!("fixtures/schema2/localStorage.json");
const EXPORT_BEFORE: &str = include_str!("fixtures/schema2/export-before.json");

fn schema2() -> MemoryStore {
    let values: BTreeMap<String, String> = serde_json::from_str(FIXTURE).unwrap();
    let mut store = MemoryStore::new();
    for (k, v) in &values {
        store.set(k, v).unwrap();
    }
    store
}

/// A complete export, as the app makes it, with the export time of the
/// captured one, as JSON.
fn export(repo: &Repo<impl KeyValueStore>) -> Value {
    let before: Value = serde_json::from_str(EXPORT_BEFORE).unwrap();
    let ids: Vec<String> = repo
        .library()
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    let bundle = restore::bundle_of(repo, &ids, true);
    let exported =
        marginalia::domain::time::parse_rfc3339(before["exported"].as_str().unwrap()).unwrap();
    let info = ExportInfo {
        exported,
        app_version: "0.1.0".into(),
        complete: true,
    };
    serde_json::from_str(&write_json(&bundle, &info)).unwrap()
}

fn keys_with(store: &impl KeyValueStore, prefix: &str) -> usize {
    store.keys_with_prefix(prefix).unwrap().len()
}

#[test]
fn a_schema_2_library_moves_to_one_key_per_annotation_with_nothing_lost() {
    let before: Value = serde_json::from_str(EXPORT_BEFORE).unwrap();
    let (repo, opened) = Repo::open(schema2());
    assert!(opened.problems.is_empty(), "{:?}", opened.problems);
    assert_eq!(opened.library.len(), 4);
    let store = repo.store();
    assert_eq!(store.get(SCHEMA_KEY).unwrap().as_deref(), Some("4"));
    assert_eq!(keys_with(store, ANNOTATIONS_PREFIX), 0, "old keys are gone");
    assert_eq!(keys_with(store, LIVE_PREFIX), 7);
    assert_eq!(keys_with(store, DEAD_PREFIX), 1, "the tombstone moved too");
    assert_eq!(
        export(&repo),
        before,
        "the export after equals the one before"
    );
    // Preferences and tag colours are left as they were.
    let fixture: BTreeMap<String, String> = serde_json::from_str(FIXTURE).unwrap();
    for key in [PREFS_KEY, TAG_COLOURS_KEY] {
        assert_eq!(store.get(key).unwrap().as_ref(), fixture.get(key), "{key}");
    }
    // The tombstone keeps its time.
    let welcome = fixture
        .iter()
        .find(|(k, v)| k.starts_with(ANNOTATIONS_PREFIX) && v.contains("\"deleted\":[{"))
        .unwrap();
    let old: Value = serde_json::from_str(welcome.1).unwrap();
    let t = &old["deleted"][0];
    let at = marginalia::domain::time::parse_rfc3339(t["at"].as_str().unwrap()).unwrap();
    let article = welcome.0.strip_prefix(ANNOTATIONS_PREFIX).unwrap();
    assert_eq!(
        store
            .get(&dead_key(article, t["id"].as_str().unwrap()))
            .unwrap(),
        Some(format!("[0,{}]", at.timestamp_millis()))
    );
    // Compact: the records take far less room than the old values.
    let old_units: usize = fixture
        .iter()
        .filter(|(k, _)| k.starts_with(ANNOTATIONS_PREFIX))
        .map(|(k, v)| k.len() + v.len())
        .sum();
    let new_units: usize = store
        .snapshot()
        .iter()
        .filter(|(k, _)| k.starts_with(LIVE_PREFIX) || k.starts_with(DEAD_PREFIX))
        .map(|(k, v)| k.len() + v.len())
        .sum();
    assert!(new_units * 3 < old_units, "{new_units} against {old_units}");
}

/// A store that stops for good after `budget` more writes (sets and
/// removes), as a tab closed in the middle would: every later write is
/// refused and changes nothing.
struct Closing {
    inner: MemoryStore,
    budget: usize,
}

impl KeyValueStore for Closing {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.inner.get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        if self.budget == 0 {
            return Err(StorageError::Other("the tab was closed".into()));
        }
        self.budget -= 1;
        self.inner.set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        if self.budget == 0 {
            return Err(StorageError::Other("the tab was closed".into()));
        }
        self.budget -= 1;
        self.inner.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StorageError> {
        self.inner.keys()
    }
}

#[test]
fn a_move_cut_short_at_any_write_is_completed_by_the_next_open() {
    let before: Value = serde_json::from_str(EXPORT_BEFORE).unwrap();
    let mut cut_short = 0;
    for budget in 0.. {
        let (repo, opened) = Repo::open(Closing {
            inner: schema2(),
            budget,
        });
        let store = repo.store().inner.clone();
        if opened.problems.is_empty() && store.get(SCHEMA_KEY).unwrap().as_deref() == Some("4") {
            break; // enough writes for the whole move
        }
        cut_short += 1;
        // Until the move is done, the schema says 2, and no old key is
        // removed before its records read back.
        assert_eq!(store.get(SCHEMA_KEY).unwrap().as_deref(), Some("2"));
        // The next open, in a tab that stays open, completes the move.
        let (repo, opened) = Repo::open(store);
        assert!(
            opened.problems.is_empty(),
            "after {budget}: {:?}",
            opened.problems
        );
        assert_eq!(keys_with(repo.store(), ANNOTATIONS_PREFIX), 0);
        assert_eq!(export(&repo), before, "cut after {budget} writes");
    }
    assert!(
        cut_short > 8,
        "the move was cut at every one of its {cut_short} writes"
    );
}

#[test]
fn a_failed_write_during_the_move_is_reported_and_the_next_open_completes_it() {
    let before: Value = serde_json::from_str(EXPORT_BEFORE).unwrap();
    for n in [0, 3, 6] {
        let mut store = schema2();
        store.fail_one_set_after(n);
        let (repo, opened) = Repo::open(store);
        assert_eq!(opened.problems, [StorageError::QuotaExceeded], "after {n}");
        let (repo, opened) = Repo::open(repo.store().clone());
        assert!(opened.problems.is_empty(), "{:?}", opened.problems);
        assert_eq!(export(&repo), before);
    }
}

#[test]
fn an_unreadable_schema_2_value_is_moved_aside_and_reported_not_dropped() {
    let mut store = schema2();
    let key = store
        .keys_with_prefix(ANNOTATIONS_PREFIX)
        .unwrap()
        .remove(0);
    store.set(&key, "{\"v\":1,\"article\":").unwrap();
    let (repo, opened) = Repo::open(store);
    assert!(
        matches!(&opened.problems[..], [StorageError::Corrupt { key: k, .. }] if *k == key),
        "{:?}",
        opened.problems
    );
    let kept = repo
        .store()
        .snapshot()
        .into_iter()
        .any(|(k, v)| k.starts_with("marginalia:backup:") && v == "{\"v\":1,\"article\":");
    assert!(kept);
    assert_eq!(repo.store().get(SCHEMA_KEY).unwrap().as_deref(), Some("4"));
}

#[test]
fn a_schema_2_value_from_a_newer_annotation_format_stops_the_move_read_only() {
    let mut store = schema2();
    let key = store
        .keys_with_prefix(ANNOTATIONS_PREFIX)
        .unwrap()
        .remove(0);
    let id = key.strip_prefix(ANNOTATIONS_PREFIX).unwrap().to_owned();
    let future = format!("{{\"v\":7,\"article\":\"{id}\",\"annotations\":[]}}");
    store.set(&key, &future).unwrap();
    let (repo, opened) = Repo::open(store);
    assert!(repo.is_read_only(), "{:?}", opened.problems);
    assert_eq!(repo.store().get(&key).unwrap(), Some(future));
    assert_eq!(repo.store().get(SCHEMA_KEY).unwrap().as_deref(), Some("2"));
}
