//! Annotations in storage, over the in-memory store: one key per
//! annotation, loss-free saving across tabs, quarantine of unreadable
//! records, refused writes that change nothing, and the schema migration
//! from version 1.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::set::{AnnotationSet, TagColours};
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::{COUNTS_KEY, Repo, SCHEMA_KEY, Saved, live_key};
use marginalia::storage::{KeyValueStore, StorageError};

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
}

fn article(text: &str) -> Article {
    Article::build(parse_text(text), NewArticle::default(), t(0)).unwrap()
}

fn highlight(a: &Article, id: &str, sentence: usize, at: i64) -> Annotation {
    let map = TextMap::new(a);
    let target = Target::sentences(&map, sentence, sentence).unwrap();
    Annotation::new(id.into(), &a.id, target, Colour::Yellow, t(at))
}

/// Saves as the app does: against the library as stored, a day after the
/// epoch (no tombstone here is old enough to be pruned).
fn save_set(repo: &mut Repo<MemoryStore>, set: &mut AnnotationSet) -> Result<Saved, StorageError> {
    let library = repo.stored_library().unwrap_or_default();
    repo.save_annotations(&library, set, t(0) + TimeDelta::days(1))
}

/// An article whose annotation "x" has an unreadable record.
fn with_garbage_stored() -> (Article, Repo<MemoryStore>, String) {
    let a = article("One. Two.");
    let mut repo = repo_with(&[&a]);
    let key = live_key(&a.id, "x");
    repo.store_mut()
        .set(&key, "garbage from somewhere")
        .unwrap();
    (a, repo, key)
}

fn repo_with(articles: &[&Article]) -> Repo<MemoryStore> {
    let (mut repo, opened) = Repo::open(MemoryStore::new());
    let mut lib = opened.library;
    for a in articles {
        repo.add_article(&mut lib, a).unwrap();
    }
    repo
}

#[test]
fn saving_writes_only_the_edited_annotations_key() {
    let a = article("One. Two. Three.");
    let b = article("Other article.");
    let mut repo = repo_with(&[&a, &b]);
    let before = repo.store().snapshot();
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 1, 1));
    save_set(&mut repo, &mut set).unwrap();
    let after = repo.store().snapshot();
    let changed: Vec<&String> = after
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert_eq!(changed, [&live_key(&a.id, "x")]);
    let back = repo.load_annotations(&a.id).unwrap();
    assert_eq!(back.get("x"), set.get("x"));
    // A second edit writes that annotation's key again, and only it.
    set.put(highlight(&a, "y", 2, 2));
    let before = repo.store().snapshot();
    save_set(&mut repo, &mut set).unwrap();
    let after = repo.store().snapshot();
    let changed: Vec<&String> = after
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert_eq!(changed, [&live_key(&a.id, "y")]);
    let lib = repo.stored_library().unwrap();
    assert_eq!(repo.annotation_counts(&lib).get(&a.id), Some(&2));
    assert_eq!(repo.annotation_counts(&lib).get(&b.id), None);
}

#[test]
fn kept_counts_are_read_back_until_recounted_and_never_written_read_only() {
    let a = article("One. Two. Three.");
    let b = article("Other article.");
    let mut repo = repo_with(&[&a, &b]);
    let lib = repo.stored_library().unwrap();
    // Nothing kept yet: no cache, and the app counts from the keys.
    assert_eq!(repo.cached_annotation_counts(&lib), None);
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    set.put(highlight(&a, "y", 1, 1));
    save_set(&mut repo, &mut set).unwrap();
    let counted = repo.annotation_counts(&lib);
    assert!(repo.keep_annotation_counts(&counted).unwrap());
    // Kept again unchanged: nothing is written.
    let before = repo.store().snapshot();
    assert!(!repo.keep_annotation_counts(&counted).unwrap());
    assert_eq!(repo.store().snapshot(), before);
    assert_eq!(repo.cached_annotation_counts(&lib), Some(counted.clone()));
    assert_eq!(counted.get(&a.id), Some(&2));
    // A record written since (another tab, say) is not in the cache
    // until the counts are kept again: the keys stay the truth.
    set.put(highlight(&a, "z", 2, 2));
    save_set(&mut repo, &mut set).unwrap();
    assert_eq!(
        repo.cached_annotation_counts(&lib).unwrap().get(&a.id),
        Some(&2)
    );
    assert_eq!(repo.annotation_counts(&lib).get(&a.id), Some(&3));
    // A cache naming articles the library lacks, or unreadable, is no
    // harm: the former are left out, the latter reads as none.
    let gone = repo.annotation_counts(&lib);
    repo.keep_annotation_counts(&gone).unwrap();
    let b_entry = lib.entries().iter().find(|e| e.id == b.id).unwrap().clone();
    let only_b = marginalia::domain::article::library::Library::from_entries(vec![b_entry]);
    assert_eq!(
        repo.cached_annotation_counts(&only_b),
        Some(Default::default())
    );
    repo.store_mut().set(COUNTS_KEY, "{not json").unwrap();
    assert_eq!(repo.cached_annotation_counts(&lib), None);
    // Read-only (data of a newer build): refused, and nothing written.
    repo.store_mut().set(SCHEMA_KEY, "99").unwrap();
    let store = repo.store().clone();
    let (mut held, _) = Repo::open(store);
    let before = held.store().snapshot();
    assert!(matches!(
        held.keep_annotation_counts(&gone),
        Err(StorageError::ReadOnly(_))
    ));
    assert_eq!(held.store().snapshot(), before);
}

#[test]
fn two_tabs_saving_the_same_article_lose_nothing() {
    let a = article("One. Two. Three.");
    let map = TextMap::new(&a);
    let mut repo = repo_with(&[&a]);
    // Both tabs loaded the same (empty) state.
    let mut tab1 = repo.load_annotations(&a.id).unwrap();
    let mut tab2 = repo.load_annotations(&a.id).unwrap();
    tab1.put(highlight(&a, "one", 0, 1));
    assert!(
        !save_set(&mut repo, &mut tab1).unwrap().merged_in,
        "nothing new was stored"
    );
    tab2.put(highlight(&a, "two", 2, 2));
    save_set(&mut repo, &mut tab2).unwrap();
    let stored = repo.load_annotations(&a.id).unwrap();
    assert!(stored.get("one").is_some() && stored.get("two").is_some());
    // Each tab takes in the other's record from its storage event.
    let key = live_key(&a.id, "one");
    let value = repo.store().get(&key).unwrap();
    assert!(repo.merge_event(&mut tab2, &map, &key, value.as_deref()));
    assert_eq!(tab2.get("one"), tab1.get("one"));
    // Both tabs edit the same annotation: the later edit wins in both.
    tab1.update("one", t(10), |x| x.colour = Colour::Green);
    tab2.update("one", t(20), |x| x.colour = Colour::Pink);
    save_set(&mut repo, &mut tab2).unwrap();
    assert!(
        save_set(&mut repo, &mut tab1).unwrap().merged_in,
        "the older edit takes in the newer one instead of writing over it"
    );
    assert_eq!(tab1.get("one").unwrap().colour, Colour::Pink);
    assert_eq!(
        repo.load_annotations(&a.id)
            .unwrap()
            .get("one")
            .unwrap()
            .colour,
        Colour::Pink
    );
    // A deletion in one tab is not undone by the other's older copy.
    tab1.remove("one", t(30));
    save_set(&mut repo, &mut tab1).unwrap();
    tab2.put(highlight(&a, "three", 1, 25));
    tab2.keep_unsaved(["one".to_owned()]);
    save_set(&mut repo, &mut tab2).unwrap();
    assert!(tab2.get("one").is_none());
    assert!(repo.load_annotations(&a.id).unwrap().get("one").is_none());
    // A storage event for a tombstone deletes the annotation in the other tab.
    let mut tab3 = AnnotationSet::new(&a.id);
    tab3.put(highlight(&a, "one", 0, 1));
    let key = marginalia::storage::repo::dead_key(&a.id, "one");
    let value = repo.store().get(&key).unwrap();
    assert!(repo.merge_event(&mut tab3, &map, &key, value.as_deref()));
    assert!(tab3.get("one").is_none());
}

#[test]
fn a_full_storage_keeps_the_edit_in_memory_and_the_stored_value_unchanged() {
    let a = article("One. Two. Three.");
    let mut repo = repo_with(&[&a]);
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "first", 0, 1));
    save_set(&mut repo, &mut set).unwrap();
    let before = repo.store().snapshot();
    set.put(highlight(&a, "second", 1, 2));
    repo.store_mut().fail_next_sets(1);
    assert_eq!(
        save_set(&mut repo, &mut set),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(repo.store().snapshot(), before);
    assert_eq!(set.len(), 2, "the edit stays in memory");
    // The retry on the next change stores both.
    save_set(&mut repo, &mut set).unwrap();
    assert_eq!(repo.load_annotations(&a.id).unwrap().len(), 2);
}

#[test]
fn an_unreadable_record_is_quarantined_reported_and_kept() {
    let a = article("One. Two.");
    let mut repo = repo_with(&[&a]);
    let key = live_key(&a.id, "bad");
    repo.store_mut().set(&key, "{\"v\":1,\"article\":").unwrap();
    let err = repo.load_annotations(&a.id).unwrap_err();
    let StorageError::Corrupt { backup_key, .. } = &err else {
        panic!("expected Corrupt, got {err:?}");
    };
    assert_eq!(
        repo.store().get(backup_key).unwrap().as_deref(),
        Some("{\"v\":1,\"article\":")
    );
    assert_eq!(repo.store().get(&key).unwrap(), None);
    assert!(err.to_string().contains(backup_key.as_str()));
    // Saving afterwards writes the new value; the backup stays.
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    save_set(&mut repo, &mut set).unwrap();
    assert!(repo.store().get(backup_key).unwrap().is_some());
}

#[test]
fn a_value_that_turned_unreadable_before_a_save_is_moved_aside_not_overwritten() {
    let (a, mut repo, key) = with_garbage_stored();
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    let saved = save_set(&mut repo, &mut set).unwrap();
    assert!(
        matches!(&saved.quarantined, Some(StorageError::Corrupt { key: k, .. }) if *k == key),
        "the save reports the quarantine so the user can be told: {saved:?}"
    );
    let kept = repo
        .store()
        .snapshot()
        .into_iter()
        .any(|(k, v)| k.starts_with("marginalia:backup:") && v == "garbage from somewhere");
    assert!(kept);
}

#[test]
fn annotations_from_a_newer_format_make_storage_read_only() {
    let a = article("One. Two.");
    let mut repo = repo_with(&[&a]);
    let key = live_key(&a.id, "future");
    let future = "[9,0,3,1,0,0]".to_owned();
    repo.store_mut().set(&key, &future).unwrap();
    assert!(
        repo.load_annotations(&a.id)
            .unwrap_err()
            .to_string()
            .contains("newer")
    );
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    assert!(save_set(&mut repo, &mut set).is_err());
    assert_eq!(repo.store().get(&key).unwrap(), Some(future));
}

#[test]
fn deleting_an_article_removes_its_annotations() {
    let a = article("One. Two.");
    let mut repo = repo_with(&[&a]);
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    save_set(&mut repo, &mut set).unwrap();
    let mut lib = repo.stored_library().unwrap();
    set.remove("x", t(3));
    set.put(highlight(&a, "y", 1, 4));
    save_set(&mut repo, &mut set).unwrap();
    repo.delete_article(&mut lib, &a.id).unwrap();
    let left: Vec<String> = repo
        .store()
        .keys()
        .unwrap()
        .into_iter()
        .filter(|k| k.starts_with("marginalia:a:") || k.starts_with("marginalia:d:"))
        .collect();
    assert!(left.is_empty(), "records and tombstones go: {left:?}");
}

#[test]
fn version_1_data_is_migrated_to_the_current_version_unchanged() {
    let a = article("One. Two.");
    let repo = repo_with(&[&a]);
    let mut store = repo.store().clone();
    store.set(SCHEMA_KEY, "1").unwrap();
    let before = store.snapshot();
    let (repo, opened) = Repo::open(store);
    assert!(opened.problems.is_empty());
    assert_eq!(opened.library.len(), 1);
    let after = repo.store().snapshot();
    assert_eq!(after.get(SCHEMA_KEY).map(String::as_str), Some("4"));
    for (k, v) in before {
        if k != SCHEMA_KEY {
            assert_eq!(after.get(&k), Some(&v), "{k} unchanged");
        }
    }
}

#[test]
fn tag_counts_span_the_library_and_tag_colours_round_trip() {
    let a = article("One. Two.");
    let b = article("Three. Four.");
    let mut repo = repo_with(&[&a, &b]);
    for (art, tags) in [(&a, vec!["Navy", "Putin"]), (&b, vec!["navy"])] {
        let mut set = AnnotationSet::new(&art.id);
        let mut x = highlight(art, "x", 0, 1);
        x.tags = tags.into_iter().map(String::from).collect();
        set.put(x);
        save_set(&mut repo, &mut set).unwrap();
    }
    let counts = repo.tag_counts();
    assert_eq!(counts.get("navy").map(|c| c.1), Some(2));
    assert_eq!(counts.get("putin").map(|c| c.1), Some(1));
    let mut colours = TagColours::default();
    colours.set("Navy", Some(Colour::Blue));
    repo.save_tag_colours(&colours).unwrap();
    assert_eq!(repo.load_tag_colours(), colours);
}

#[test]
fn saving_prunes_old_tombstones_from_storage_too() {
    let a = article("One. Two. Three.");
    let mut repo = repo_with(&[&a]);
    let lib = repo.stored_library().unwrap();
    // A deletion saved long ago.
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "old", 0, 1));
    set.remove("old", t(2));
    repo.save_annotations(&lib, &mut set, t(3)).unwrap();
    assert_eq!(repo.load_annotations(&a.id).unwrap().tombstones().len(), 1);
    // Forty days later another tab, which loaded the set back then, saves
    // a new highlight: the stored tombstone must not come back.
    let later = t(3) + TimeDelta::days(40);
    set.put(highlight(&a, "new", 1, later.timestamp_millis()));
    repo.save_annotations(&lib, &mut set, later).unwrap();
    let stored = repo.load_annotations(&a.id).unwrap();
    assert_eq!(
        stored.tombstones().len(),
        0,
        "the old tombstone is pruned from what is stored"
    );
    assert_eq!(set.tombstones().len(), 0, "and from the tab's own set");
    assert!(stored.get("new").is_some());
}

#[test]
fn annotations_of_an_article_deleted_in_another_tab_are_not_written_back() {
    let a = article("One. Two.");
    let mut repo = repo_with(&[&a]);
    let mut set = repo.load_annotations(&a.id).unwrap();
    set.put(highlight(&a, "x", 0, 1));
    // The other tab deletes the article; this tab still has it open.
    let mut lib = repo.stored_library().unwrap();
    repo.delete_article(&mut lib, &a.id).unwrap();
    let before = repo.store().snapshot();
    let err = repo.save_annotations(&lib, &mut set, t(5)).unwrap_err();
    assert_eq!(err, StorageError::ArticleGone(a.id.clone()));
    assert_eq!(
        repo.store().snapshot(),
        before,
        "no annotation key comes back"
    );
    assert_eq!(set.len(), 1, "the tab keeps what it had");
}

#[test]
fn a_value_that_cannot_be_moved_aside_is_never_written_over() {
    let (a, mut repo, key) = with_garbage_stored();
    // The backup write fails (a full storage): the value must stay.
    repo.store_mut().fail_next_sets(1);
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    assert_eq!(
        save_set(&mut repo, &mut set),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(
        repo.store().get(&key).unwrap().as_deref(),
        Some("garbage from somewhere")
    );
    assert_eq!(set.len(), 1, "the tab keeps the edit");
    // Once there is room, the value is moved aside and the edit saved.
    let saved = save_set(&mut repo, &mut set).unwrap();
    assert!(saved.quarantined.is_some());
    assert_eq!(repo.load_annotations(&a.id).unwrap().len(), 1);
}
