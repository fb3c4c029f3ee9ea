//! The localStorage adapter in a real browser (headless Chromium):
//! round trips, the schema key, a real and an injected quota failure.
#![cfg(target_arch = "wasm32")]

use marginalia::domain::article::library::{Added, Library};
use marginalia::storage::local::LocalStore;
use marginalia::storage::repo::{INDEX_KEY, Repo, SCHEMA_KEY, article_key};
use marginalia::storage::{KeyValueStore, StorageError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod web_common;
use web_common::{FailingStore, article, clear, fill_until_full, snapshot};

#[wasm_bindgen_test]
fn local_store_round_trips_values_and_lists_keys() {
    clear();
    let mut s = LocalStore::open().unwrap();
    s.set("marginalia:t", "héllo 😀").unwrap();
    assert_eq!(s.get("marginalia:t").unwrap().as_deref(), Some("héllo 😀"));
    assert!(s.keys().unwrap().contains(&"marginalia:t".to_owned()));
    s.remove("marginalia:t").unwrap();
    assert_eq!(s.get("marginalia:t").unwrap(), None);
    clear();
}

/// Text long enough to come back from JavaScript as UTF-8 bytes (over
/// 2,048 UTF-16 units), with characters of every UTF-8 length.
fn long_text(seed: &str) -> String {
    format!("{seed} a é € 😀 \"q\"\n").repeat(400)
}

#[wasm_bindgen_test]
fn long_values_read_back_exactly_by_every_read() {
    clear();
    let mut s = LocalStore::open().unwrap();
    let (a, b) = (long_text("one"), long_text("two"));
    assert!(a.encode_utf16().count() > 2048);
    s.set("marginalia:a:1:x", &a).unwrap();
    s.set("marginalia:a:1:y", &b).unwrap();
    s.set("marginalia:short", "é").unwrap();
    assert_eq!(
        s.get("marginalia:a:1:x").unwrap().as_deref(),
        Some(a.as_str())
    );
    assert_eq!(s.get("marginalia:short").unwrap().as_deref(), Some("é"));
    let many = s
        .get_many(&[
            "marginalia:a:1:y".into(),
            "nothing".into(),
            "marginalia:a:1:x".into(),
        ])
        .unwrap();
    assert_eq!(many, vec![Some(b.clone()), None, Some(a.clone())]);
    let mut scanned = s.scan("marginalia:a:1:").unwrap();
    scanned.sort();
    assert_eq!(
        scanned,
        vec![
            ("marginalia:a:1:x".into(), a),
            ("marginalia:a:1:y".into(), b)
        ]
    );
    clear();
}

#[wasm_bindgen_test]
fn local_store_reads_every_key_with_a_prefix_and_its_value_at_once() {
    clear();
    let mut s = LocalStore::open().unwrap();
    for (k, v) in [
        ("marginalia:a:1:x", "[1]"),
        ("marginalia:a:1:y\n\"q", "é \"😀\"\n"),
        ("marginalia:a:2:z", "[2]"),
        ("other", "no"),
    ] {
        s.set(k, v).unwrap();
    }
    let mut got = s.scan("marginalia:a:1:").unwrap();
    got.sort();
    assert_eq!(
        got,
        [
            ("marginalia:a:1:x".to_owned(), "[1]".to_owned()),
            ("marginalia:a:1:y\n\"q".to_owned(), "é \"😀\"\n".to_owned()),
        ]
    );
    let mut keys = s.keys_with_prefix("marginalia:a:").unwrap();
    keys.sort();
    assert_eq!(keys.len(), 3);
    assert_eq!(s.keys().unwrap().len(), 4);
    assert!(s.scan("nothing:").unwrap().is_empty());
    clear();
}

#[wasm_bindgen_test]
fn local_store_reads_many_keys_by_name_at_once_in_their_order() {
    clear();
    let mut s = LocalStore::open().unwrap();
    s.set("r:1", "[1,2]").unwrap();
    s.set("r:é😀\n\"", "é \"😀\"\n").unwrap();
    let asked = ["r:é😀\n\"", "r:none", "r:1"].map(str::to_owned);
    assert_eq!(
        s.get_many(&asked).unwrap(),
        [
            Some("é \"😀\"\n".to_owned()),
            None,
            Some("[1,2]".to_owned())
        ]
    );
    assert!(s.get_many(&[]).unwrap().is_empty());
    clear();
}

#[wasm_bindgen_test]
fn local_store_counts_what_the_browser_limit_counts_utf16_units() {
    clear();
    let mut s = LocalStore::open().unwrap();
    assert_eq!(s.units().unwrap(), 0);
    s.set("ab", "cdé").unwrap();
    s.set("k", "😀").unwrap();
    assert_eq!(s.units().unwrap(), 8);
    clear();
}

#[wasm_bindgen_test]
fn local_store_counts_keys_by_group_as_the_listing_would() {
    clear();
    let mut s = LocalStore::open().unwrap();
    for k in ["p:a:1", "p:a:2", "p:b:1", "p:c", "q:a:1", "p:é😀:x"] {
        s.set(k, "v").unwrap();
    }
    let counts = s.count_groups("p:").unwrap();
    let got: Vec<_> = counts.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(got, [("a", 2), ("b", 1), ("c", 1), ("é😀", 1)]);
    clear();
}

#[wasm_bindgen_test]
fn the_key_listing_kept_for_a_task_follows_this_stores_own_writes() {
    clear();
    let mut s = LocalStore::open().unwrap();
    s.set("g:a:1", "v").unwrap();
    assert_eq!(s.keys_with_prefix("g:").unwrap(), ["g:a:1"]);
    s.set("g:a:2", "v").unwrap();
    assert_eq!(s.count_groups("g:").unwrap().get("a"), Some(&2));
    s.remove("g:a:1").unwrap();
    assert_eq!(s.keys_with_prefix("g:").unwrap(), ["g:a:2"]);
    assert_eq!(s.scan("g:").unwrap().len(), 1);
    assert_eq!(s.units().unwrap(), "g:a:2".len() + 1);
    clear();
    assert!(s.keys().unwrap().is_empty());
}

#[wasm_bindgen_test]
fn repo_writes_schema_key_and_restores_the_library_after_reopening() {
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    assert!(opened.first_run);
    assert_eq!(repo.store().get(SCHEMA_KEY).unwrap().as_deref(), Some("4"));
    let mut lib = opened.library;
    let a = article("First paragraph. Second sentence.\n\nAnother paragraph.");
    assert_eq!(repo.add_article(&mut lib, &a).unwrap(), Added::New);
    drop(repo);

    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    assert!(!opened.first_run);
    assert!(opened.problems.is_empty(), "{:?}", opened.problems);
    assert_eq!(opened.library, lib);
    assert_eq!(repo.load_article(&a.id).unwrap(), a);
    clear();
}

#[wasm_bindgen_test]
fn a_real_quota_error_stores_nothing_and_keeps_what_was_stored() {
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    let kept = article("An article stored before storage filled up.");
    repo.add_article(&mut lib, &kept).unwrap();

    // Fill localStorage for real until the browser refuses.
    fill_until_full(repo.store_mut());
    let before = snapshot(repo.store());
    let lib_before = lib.clone();

    let big = article(&"A sentence that will not fit in full storage. ".repeat(20_000));
    assert_eq!(
        repo.add_article(&mut lib, &big),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(lib, lib_before);
    assert_eq!(
        snapshot(repo.store()),
        before,
        "storage changed after a refused write"
    );
    assert_eq!(repo.load_article(&kept.id).unwrap(), kept);
    clear();
}

#[wasm_bindgen_test]
fn an_injected_quota_failure_on_the_index_write_leaves_no_partial_article() {
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    let kept = article("Stored first.");
    repo.add_article(&mut lib, &kept).unwrap();
    drop(repo);

    // The article key is written, then the index write fails.
    let mut store = FailingStore::new(LocalStore::open().unwrap());
    store.fail_one_set_after(1);
    let (mut repo, opened) = Repo::open(store);
    let mut lib = opened.library;
    let before = snapshot(&repo.store().inner);
    let a = article("This article's key is written, then the index write fails.");
    assert_eq!(
        repo.add_article(&mut lib, &a),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(snapshot(&repo.store().inner), before);
    assert_eq!(repo.store().get(&article_key(&a.id)).unwrap(), None);
    let index: Library =
        serde_json::from_str(&repo.store().get(INDEX_KEY).unwrap().unwrap()).unwrap();
    assert_eq!(index.len(), 1);
    clear();
}

#[wasm_bindgen_test]
fn a_corrupt_index_is_moved_aside_and_rebuilt_from_the_articles() {
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    let a = article("Kept through a broken index.");
    repo.add_article(&mut lib, &a).unwrap();
    repo.store_mut().set(INDEX_KEY, "{not json").unwrap();
    drop(repo);

    let (repo, opened) = Repo::open(LocalStore::open().unwrap());
    assert_eq!(opened.library.len(), 1);
    assert!(
        matches!(opened.problems.as_slice(), [StorageError::Corrupt { .. }]),
        "{:?}",
        opened.problems
    );
    let backups: Vec<_> = repo
        .store()
        .keys()
        .unwrap()
        .into_iter()
        .filter(|k| k.starts_with("marginalia:backup:"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        repo.store().get(&backups[0]).unwrap().as_deref(),
        Some("{not json")
    );
    clear();
}
