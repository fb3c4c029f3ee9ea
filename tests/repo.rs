//! The storage layout over the in-memory store: what is written where, and
//! that every refused write leaves storage exactly as it was.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta};
use marginalia::domain::article::library::{Added, Library};
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::{INDEX_KEY, PREFS_KEY, Repo, SCHEMA_KEY, article_key};
use marginalia::storage::{KeyValueStore, StorageError};

fn article(text: &str, secs: i64) -> Article {
    let added = DateTime::UNIX_EPOCH + TimeDelta::seconds(secs);
    Article::build(parse_text(text), NewArticle::default(), added).unwrap()
}

fn open(store: MemoryStore) -> (Repo<MemoryStore>, Library, Vec<StorageError>, bool) {
    let (repo, opened) = Repo::open(store);
    (repo, opened.library, opened.problems, opened.first_run)
}

#[test]
fn first_open_writes_the_schema_key_and_reports_a_first_run() {
    let (repo, lib, problems, first_run) = open(MemoryStore::new());
    assert!(first_run);
    assert!(lib.is_empty() && problems.is_empty());
    assert_eq!(repo.store().get(SCHEMA_KEY).unwrap().as_deref(), Some("4"));
}

#[test]
fn adding_writes_one_key_per_article_and_the_index() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let a = article("One sentence here.", 1);
    let b = article("Another article.", 2);
    assert_eq!(repo.add_article(&mut lib, &a).unwrap(), Added::New);
    assert_eq!(repo.add_article(&mut lib, &b).unwrap(), Added::New);
    let keys = repo.store().keys().unwrap();
    assert!(keys.contains(&article_key(&a.id)) && keys.contains(&article_key(&b.id)));
    let index: Library =
        serde_json::from_str(&repo.store().get(INDEX_KEY).unwrap().unwrap()).unwrap();
    assert_eq!(index, lib);
    assert_eq!(lib.entries()[0].id, b.id, "newest first");
}

#[test]
fn reopening_restores_the_library_exactly() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("First.", 1)).unwrap();
    repo.add_article(&mut lib, &article("Second.", 2)).unwrap();
    let (mut again, lib2, problems, first_run) = open(repo.store().clone());
    assert!(!first_run && problems.is_empty(), "{problems:?}");
    assert_eq!(lib2, lib);
    for e in lib.entries() {
        assert_eq!(again.load_article(&e.id).unwrap().meta(), *e);
    }
}

#[test]
fn adding_a_duplicate_writes_nothing() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let a = article("Same words.", 1);
    repo.add_article(&mut lib, &a).unwrap();
    let before = repo.store().snapshot();
    let again = article("Same words.", 99);
    assert_eq!(
        repo.add_article(&mut lib, &again).unwrap(),
        Added::Duplicate(a.id.clone())
    );
    assert_eq!(repo.store().snapshot(), before);
}

#[test]
fn quota_failure_on_the_article_write_changes_nothing() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("Kept.", 1)).unwrap();
    let (before, lib_before) = (repo.store().snapshot(), lib.clone());
    repo.store_mut().fail_next_sets(1);
    assert_eq!(
        repo.add_article(&mut lib, &article("Refused.", 2)),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(repo.store().snapshot(), before);
    assert_eq!(lib, lib_before);
}

#[test]
fn quota_failure_on_the_index_write_takes_the_article_back_out() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("Kept.", 1)).unwrap();
    let before = repo.store().snapshot();
    // The article key fits; the index rewrite does not.
    let used = repo.store().used();
    let big = article(&"Words that take room. ".repeat(50), 2);
    let article_units = article_key(&big.id).len() + serde_json::to_string(&big).unwrap().len();
    let mut store = MemoryStore::with_quota(used + article_units + 10);
    for (k, v) in &before {
        store.set(k, v).unwrap();
    }
    let (mut repo, mut lib, ..) = open(store);
    assert_eq!(
        repo.add_article(&mut lib, &big),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(
        repo.store().snapshot(),
        before,
        "no partial article is left behind"
    );
}

#[test]
fn a_real_quota_refuses_a_large_article_and_keeps_the_small_ones() {
    let (mut repo, mut lib, ..) = open(MemoryStore::with_quota(20_000));
    let small = article("Small enough.", 1);
    repo.add_article(&mut lib, &small).unwrap();
    let before = repo.store().snapshot();
    let big = article(&"This will not fit. ".repeat(2_000), 2);
    assert_eq!(
        repo.add_article(&mut lib, &big),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(repo.store().snapshot(), before);
    assert_eq!(repo.load_article(&small.id).unwrap(), small);
}

#[test]
fn deleting_removes_that_article_and_only_it() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let (a, b, c) = (article("A.", 1), article("B.", 2), article("C.", 3));
    for x in [&a, &b, &c] {
        repo.add_article(&mut lib, x).unwrap();
    }
    assert!(repo.delete_article(&mut lib, &b.id).unwrap());
    assert_eq!(repo.store().get(&article_key(&b.id)).unwrap(), None);
    assert_eq!(repo.load_article(&a.id).unwrap(), a);
    assert_eq!(repo.load_article(&c.id).unwrap(), c);
    let ids: Vec<_> = lib.entries().iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, [c.id.clone(), a.id.clone()]);
    assert!(
        !repo.delete_article(&mut lib, &b.id).unwrap(),
        "deleting twice is a no-op"
    );
}

#[test]
fn a_corrupt_article_is_moved_to_a_backup_key_and_never_overwritten() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let a = article("Will be damaged.", 1);
    repo.add_article(&mut lib, &a).unwrap();
    repo.store_mut()
        .set(&article_key(&a.id), "{\"id\": 3")
        .unwrap();
    let err = repo.load_article(&a.id).unwrap_err();
    let StorageError::Corrupt { backup_key, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        repo.store().get(&backup_key).unwrap().as_deref(),
        Some("{\"id\": 3")
    );
    // A second damaged copy gets its own backup key.
    repo.store_mut()
        .set(&article_key(&a.id), "also broken")
        .unwrap();
    let StorageError::Corrupt {
        backup_key: second, ..
    } = repo.load_article(&a.id).unwrap_err()
    else {
        panic!()
    };
    assert_ne!(second, backup_key);
    assert_eq!(
        repo.store().get(&backup_key).unwrap().as_deref(),
        Some("{\"id\": 3")
    );
}

#[test]
fn an_article_whose_text_does_not_match_its_id_is_quarantined() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let a = article("Original text.", 1);
    repo.add_article(&mut lib, &a).unwrap();
    let mut tampered = a.clone();
    tampered.blocks[0].text = "Other text!!".into();
    repo.store_mut()
        .set(
            &article_key(&a.id),
            &serde_json::to_string(&tampered).unwrap(),
        )
        .unwrap();
    assert!(matches!(
        repo.load_article(&a.id),
        Err(StorageError::Corrupt { .. })
    ));
}

#[test]
fn a_corrupt_index_is_kept_aside_and_rebuilt_from_the_articles() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("Old.", 1)).unwrap();
    repo.add_article(&mut lib, &article("New.", 2)).unwrap();
    let mut store = repo.store().clone();
    store.set(INDEX_KEY, "[{broken").unwrap();
    let (repo, rebuilt, problems, first_run) = open(store);
    assert!(!first_run);
    assert_eq!(rebuilt, lib, "same entries, newest first");
    assert!(matches!(
        problems.as_slice(),
        [StorageError::Corrupt { .. }]
    ));
    let backup = repo
        .store()
        .keys()
        .unwrap()
        .into_iter()
        .find(|k| k.starts_with("marginalia:backup:"))
        .unwrap();
    assert_eq!(
        repo.store().get(&backup).unwrap().as_deref(),
        Some("[{broken")
    );
}

/// A store with two articles, "Listed." and "Stray." (the newer), whose
/// index has lost the stray's entry; and that index.
fn with_a_stray() -> (MemoryStore, Library, Article, Article) {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let (a, b) = (article("Listed.", 1), article("Stray.", 2));
    repo.add_article(&mut lib, &a).unwrap();
    repo.add_article(&mut lib, &b).unwrap();
    let mut store = repo.store().clone();
    let index_without_b = Library::from_entries(vec![a.meta()]);
    store
        .set(INDEX_KEY, &serde_json::to_string(&index_without_b).unwrap())
        .unwrap();
    (store, index_without_b, a, b)
}

#[test]
fn index_entries_whose_body_is_elsewhere_stay_and_stray_articles_are_listed() {
    // b's index entry lost; a's body not in localStorage (it may be in
    // IndexedDB, which opening does not read).
    let (mut store, _, a, b) = with_a_stray();
    store.remove(&article_key(&a.id)).unwrap();
    let (_, lib2, ..) = open(store);
    let ids: Vec<_> = lib2.entries().iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        ids,
        [b.id.clone(), a.id.clone()],
        "newest first, neither lost"
    );
}

#[test]
fn opening_quickly_leaves_stray_articles_for_later_and_still_rebuilds_a_broken_index() {
    let (mut store, index_without_b, a, b) = with_a_stray();
    // The index as it is, with the search for strays due.
    let (mut quick, opened) = Repo::open_listing_later(store.clone(), None);
    assert!(opened.strays_due);
    assert_eq!(opened.library, index_without_b);
    assert_eq!(
        quick.store().snapshot(),
        store.snapshot(),
        "nothing written yet"
    );
    // Then the stray is found, listed newest first, and the index stored.
    let mut problems = Vec::new();
    let found = quick.add_strays(&opened.library, &mut problems).unwrap();
    assert!(problems.is_empty());
    let ids: Vec<_> = found.entries().iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, [b.id.clone(), a.id.clone()]);
    assert_eq!(quick.stored_library().unwrap(), found);
    // Nothing more to find: nothing returned, nothing written.
    let before = quick.store().snapshot();
    assert_eq!(quick.add_strays(&found, &mut problems), None);
    assert_eq!(quick.store().snapshot(), before);
    // A broken index cannot wait: it is rebuilt at once, nothing due.
    store.set(INDEX_KEY, "[{broken").unwrap();
    let (_, opened) = Repo::open_listing_later(store, None);
    assert!(!opened.strays_due);
    assert_eq!(opened.library.entries().len(), 2);
}

#[test]
fn data_from_a_newer_version_is_read_but_never_written() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("From the future.", 1))
        .unwrap();
    let mut store = repo.store().clone();
    store.set(SCHEMA_KEY, "5").unwrap();
    let (mut repo, mut lib, problems, _) = open(store);
    assert_eq!(
        problems,
        [StorageError::ReadOnly(
            marginalia::storage::ReadOnly::Schema(5)
        )]
    );
    assert_eq!(lib.len(), 1);
    let before = repo.store().snapshot();
    assert!(repo.add_article(&mut lib, &article("Refused.", 2)).is_err());
    let id = lib.entries()[0].id.clone();
    assert!(repo.delete_article(&mut lib, &id).is_err());
    assert_eq!(repo.store().snapshot(), before);
}

#[test]
fn an_article_store_from_a_newer_build_holds_everything_read_only_from_the_start() {
    use marginalia::storage::ReadOnly;
    // A new library: not even the schema key is written.
    let (repo, opened) = Repo::open_held(MemoryStore::new(), Some(ReadOnly::Bodies));
    assert_eq!(opened.problems, [StorageError::ReadOnly(ReadOnly::Bodies)]);
    assert!(repo.store().snapshot().is_empty());
    // A stored one is read, and nothing is written.
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("Stored before.", 1))
        .unwrap();
    let (mut repo, opened) = Repo::open_held(repo.store().clone(), Some(ReadOnly::Bodies));
    let mut lib = opened.library;
    assert_eq!(lib.len(), 1);
    let before = repo.store().snapshot();
    assert_eq!(
        repo.add_article(&mut lib, &article("Refused.", 2)),
        Err(StorageError::ReadOnly(ReadOnly::Bodies))
    );
    assert!(repo.save_prefs(&1u8).is_err());
    assert_eq!(repo.store().snapshot(), before);
}

#[test]
fn data_without_a_schema_key_is_migrated_to_the_current_version() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("Pre-schema data.", 1))
        .unwrap();
    let mut store = repo.store().clone();
    store.remove(SCHEMA_KEY).unwrap();
    let (repo, lib2, problems, first_run) = open(store);
    assert!(!first_run && problems.is_empty());
    assert_eq!(lib2, lib);
    assert_eq!(repo.store().get(SCHEMA_KEY).unwrap().as_deref(), Some("4"));
}

#[test]
fn preferences_round_trip_and_unreadable_ones_fall_back_to_defaults() {
    #[derive(serde::Serialize, serde::Deserialize, Default, Debug, PartialEq)]
    struct P {
        size: u8,
    }
    let (mut repo, ..) = open(MemoryStore::new());
    assert_eq!(repo.load_prefs::<P>(), P::default());
    repo.save_prefs(&P { size: 21 }).unwrap();
    assert_eq!(repo.load_prefs::<P>(), P { size: 21 });
    repo.store_mut().set(PREFS_KEY, "nonsense").unwrap();
    assert_eq!(repo.load_prefs::<P>(), P::default());
}

#[test]
fn stored_library_reads_what_another_tab_wrote_without_repairing() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    repo.add_article(&mut lib, &article("Mine.", 1)).unwrap();
    // Another tab adds an article to the same storage.
    let theirs = article("Theirs.", 2);
    repo.store_mut()
        .set(
            &article_key(&theirs.id),
            &serde_json::to_string(&theirs).unwrap(),
        )
        .unwrap();
    let mut their_lib = lib.clone();
    their_lib.add(theirs.meta());
    repo.store_mut()
        .set(INDEX_KEY, &serde_json::to_string(&their_lib).unwrap())
        .unwrap();
    assert_eq!(repo.stored_library(), Some(their_lib));
    // An unreadable index reads as nothing and is left exactly as it is.
    repo.store_mut().set(INDEX_KEY, "[oops").unwrap();
    let before = repo.store().snapshot();
    assert_eq!(repo.stored_library(), None);
    assert_eq!(repo.store().snapshot(), before);
}

#[test]
fn updating_an_article_stores_new_boundaries_and_its_index_entry_or_nothing() {
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let a = article("First one. Second one. Third one.", 1);
    let b = article("Another article.", 2);
    repo.add_article(&mut lib, &a).unwrap();
    repo.add_article(&mut lib, &b).unwrap();
    let mut joined = a.clone();
    joined.join_with_next(0).unwrap();
    // A refused write changes nothing.
    let before = repo.store().snapshot();
    repo.store_mut().fail_next_sets(1);
    assert_eq!(
        repo.update_article(&mut lib, &joined),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(repo.store().snapshot(), before);
    assert_eq!(lib.get(&a.id).unwrap().sentences, 3);
    repo.update_article(&mut lib, &joined).unwrap();
    assert_eq!(repo.load_article(&a.id).unwrap(), joined);
    assert_eq!(lib.get(&a.id).unwrap().sentences, 2);
    assert_eq!(repo.stored_library().unwrap(), lib);
    assert_eq!(
        lib.entries()[1].id,
        a.id,
        "it keeps its place in the library"
    );
    // Only an article already in the library can be updated.
    let stranger = article("Not in the library.", 3);
    assert!(repo.update_article(&mut lib, &stranger).is_err());
}

#[test]
fn correcting_an_article_deleted_meanwhile_is_refused_as_gone_and_writes_nothing() {
    let (mut repo, mut lib, _, _) = open(MemoryStore::new());
    let a = article("One. Two.", 1);
    repo.add_article(&mut lib, &a).unwrap();
    repo.delete_article(&mut lib, &a.id).unwrap();
    let before = repo.store().snapshot();
    let mut stale_lib = lib.clone();
    assert_eq!(
        repo.update_article(&mut stale_lib, &a),
        Err(StorageError::ArticleGone(a.id.clone()))
    );
    assert_eq!(repo.store().snapshot(), before);
}

#[test]
fn storage_used_counts_utf16_units_of_keys_and_values() {
    let mut store = MemoryStore::new();
    store.set("ab", "cdé").unwrap(); // 2 + 3
    store.set("k", "😀").unwrap(); // 1 + 2 (a surrogate pair)
    assert_eq!(store.units().unwrap(), 8);
    let (repo, ..) = open(store);
    // Opening added the schema key.
    assert_eq!(repo.units_used(), 8 + SCHEMA_KEY.len() + 1);
}

#[test]
fn persistent_storage_is_asked_for_once_ever_and_never_read_only() {
    let (mut repo, ..) = open(MemoryStore::new());
    assert!(repo.first_persist_ask());
    assert!(!repo.first_persist_ask());
    let (mut again, ..) = open(repo.store().clone());
    assert!(!again.first_persist_ask(), "remembered across opens");
    let (mut held, _) = Repo::open_held(
        MemoryStore::new(),
        Some(marginalia::storage::ReadOnly::Bodies),
    );
    assert!(!held.first_persist_ask());
    assert!(held.store().snapshot().is_empty());
}

#[test]
fn keys_are_counted_by_the_segment_after_a_prefix() {
    let mut store = MemoryStore::new();
    for k in ["p:a:1", "p:a:2", "p:b:1", "p:c", "q:a:1"] {
        store.set(k, "").unwrap();
    }
    let counts = store.count_groups("p:").unwrap();
    let got: Vec<_> = counts.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(got, [("a", 2), ("b", 1), ("c", 1)]);
    assert!(store.count_groups("none:").unwrap().is_empty());
}

#[test]
fn reading_states_are_one_small_key_per_article_and_go_with_it() {
    use marginalia::domain::article::listing::Reading;
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let a = article("First article. It has two sentences.", 1);
    let b = article("Second article.", 2);
    repo.add_article(&mut lib, &a).unwrap();
    repo.add_article(&mut lib, &b).unwrap();
    let r = Reading {
        opened: DateTime::UNIX_EPOCH + TimeDelta::milliseconds(1_700_000_000_123),
        sentence: 1,
    };
    repo.save_reading(&a.id, r).unwrap();
    let states = repo.reading_states(&lib);
    assert_eq!(states.len(), 1);
    assert_eq!(states[&a.id], r);
    let key = format!("marginalia:r:{}", &a.id[..16]);
    assert_eq!(
        repo.store().get(&key).unwrap().as_deref(),
        Some("[1700000000123,1]")
    );
    // An unreadable value is skipped, not fatal.
    repo.store_mut()
        .set(&format!("marginalia:r:{}", &b.id[..16]), "{oops")
        .unwrap();
    assert_eq!(repo.reading_states(&lib).len(), 1);
    repo.delete_article(&mut lib, &a.id).unwrap();
    assert_eq!(repo.store().get(&key).unwrap(), None);
}

#[test]
fn each_articles_tags_are_read_from_its_records_folded() {
    use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
    use marginalia::domain::annotate::set::AnnotationSet;
    use marginalia::domain::annotate::textmap::TextMap;
    let (mut repo, mut lib, ..) = open(MemoryStore::new());
    let a = article("First article. It has two sentences.", 1);
    let b = article("Second article.", 2);
    repo.add_article(&mut lib, &a).unwrap();
    repo.add_article(&mut lib, &b).unwrap();
    let map = TextMap::new(&a);
    let mut set = AnnotationSet::new(&a.id);
    let mut ann = Annotation::new(
        marginalia::domain::annotate::annotation::uuid_v4([1; 16]),
        &a.id,
        Target::sentences(&map, 0, 0).unwrap(),
        Colour::Blue,
        DateTime::UNIX_EPOCH,
    );
    ann.tags = vec!["Économie".into(), "war".into()];
    set.put(ann);
    repo.save_changes(&lib, &mut set, &map).unwrap();
    let tags = repo.article_tags(&lib);
    assert_eq!(tags.len(), 1, "an article without tags is absent");
    let got: Vec<&str> = tags[&a.id].iter().map(String::as_str).collect();
    assert_eq!(got, ["war", "économie"]);
}
