//! The two stores together (`storage::shelf`), natively: article bodies in
//! a body store (IndexedDB in the browser, memory here) and the rest in
//! the key-value store. Every operation is all or nothing across both, in
//! the documented write order, whichever step fails; moving bodies out of
//! `localStorage` is verified and resumable.
#![cfg(not(target_arch = "wasm32"))]

use chrono::DateTime;
use marginalia::domain::article::library::{Added, Library};
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::exchange::file::read_file;
use marginalia::domain::exchange::{ExportInfo, write_json};
use marginalia::domain::import::parse_text;
use marginalia::storage::bodies::{BodyStore, Fault, MemoryBodies};
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::{ARTICLE_PREFIX, Repo, SCHEMA_KEY};
use marginalia::storage::shelf::{BODIES_SCHEMA, Shelf};
use marginalia::storage::{KeyValueStore, StorageError};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs a future whose every await is ready at once (the memory stores').
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn article(text: &str) -> Article {
    Article::build(
        parse_text(text),
        NewArticle::default(),
        DateTime::UNIX_EPOCH,
    )
    .unwrap()
}

type TestShelf = Shelf<MemoryStore, MemoryBodies>;

fn shelf() -> (TestShelf, Library) {
    let (repo, opened) = Repo::open(MemoryStore::new());
    (Shelf::new(repo, Some(MemoryBodies::new())), opened.library)
}

fn ls(s: &TestShelf) -> BTreeMap<String, String> {
    s.repo.borrow().store().snapshot()
}

fn bodies(s: &TestShelf) -> BTreeMap<String, String> {
    s.bodies.as_ref().unwrap().snapshot()
}

#[test]
fn an_added_article_has_its_body_in_the_body_store_and_its_entry_in_the_index() {
    let (s, mut lib) = shelf();
    let a = article("First article. Two sentences.");
    assert_eq!(block_on(s.add(&mut lib, &a)).unwrap(), Added::New);
    assert!(bodies(&s).contains_key(&a.id));
    assert!(
        !ls(&s).keys().any(|k| k.starts_with(ARTICLE_PREFIX)),
        "no body in localStorage"
    );
    assert_eq!(s.repo.borrow().stored_library().unwrap(), lib);
    assert_eq!(block_on(s.load(&a.id)).unwrap(), a);
    assert_eq!(
        block_on(s.add(&mut lib, &a)).unwrap(),
        Added::Duplicate(a.id.clone())
    );
}

#[test]
fn a_refused_body_write_changes_nothing_anywhere() {
    for fault in [Fault::Quota, Fault::Abort] {
        let (s, mut lib) = shelf();
        block_on(s.add(&mut lib, &article("Kept one."))).unwrap();
        let (before_ls, before_b, before_lib) = (ls(&s), bodies(&s), lib.clone());
        s.bodies.as_ref().unwrap().fail_next(fault.clone());
        let err = block_on(s.add(&mut lib, &article("Refused one."))).unwrap_err();
        if fault == Fault::Quota {
            assert_eq!(err, StorageError::QuotaExceeded);
        } else {
            assert!(err.to_string().contains("nothing was changed"), "{err}");
        }
        assert_eq!((ls(&s), bodies(&s), lib), (before_ls, before_b, before_lib));
    }
}

#[test]
fn a_refused_index_write_takes_the_new_body_out_again() {
    let (s, mut lib) = shelf();
    block_on(s.add(&mut lib, &article("Kept one."))).unwrap();
    let (before_ls, before_b, before_lib) = (ls(&s), bodies(&s), lib.clone());
    s.repo.borrow_mut().store_mut().fail_next_sets(1);
    let err = block_on(s.add(&mut lib, &article("Refused one."))).unwrap_err();
    assert_eq!(err, StorageError::QuotaExceeded);
    assert_eq!((ls(&s), bodies(&s), lib), (before_ls, before_b, before_lib));
}

#[test]
fn deleting_removes_the_entry_the_records_and_the_body() {
    let (s, mut lib) = shelf();
    let a = article("Gone soon.");
    block_on(s.add(&mut lib, &a)).unwrap();
    assert!(block_on(s.delete(&mut lib, &a.id)).unwrap());
    assert!(lib.is_empty() && bodies(&s).is_empty());
}

#[test]
fn a_boundary_correction_whose_index_write_fails_puts_the_old_body_back() {
    let (s, mut lib) = shelf();
    let a = article("One. Two. Three.");
    block_on(s.add(&mut lib, &a)).unwrap();
    let mut joined = a.clone();
    joined.join_with_next(0).unwrap();
    let (before_ls, before_b) = (ls(&s), bodies(&s));
    s.repo.borrow_mut().store_mut().fail_next_sets(1);
    assert!(block_on(s.update(&mut lib, &joined)).is_err());
    assert_eq!((ls(&s), bodies(&s)), (before_ls, before_b));
    block_on(s.update(&mut lib, &joined)).unwrap();
    assert_eq!(block_on(s.load(&a.id)).unwrap(), joined);
    assert_eq!(lib.get(&a.id).unwrap().sentences, 2);
}

fn backup_of(articles: &[&Article]) -> String {
    let (repo, opened) = Repo::open(MemoryStore::new());
    let mut repo = repo;
    let mut lib = opened.library;
    for a in articles {
        repo.add_article(&mut lib, a).unwrap();
    }
    let ids: Vec<String> = lib.entries().iter().map(|e| e.id.clone()).collect();
    let bundle = marginalia::domain::exchange::restore::bundle_of(&repo, &ids, true);
    write_json(
        &bundle,
        &ExportInfo {
            exported: DateTime::UNIX_EPOCH,
            app_version: "t".into(),
            complete: true,
        },
    )
}

#[test]
fn a_complete_backup_restores_bodies_into_the_body_store_all_or_nothing() {
    let a = article("Restored one. With words.");
    let b = article("Restored two.");
    let file = read_file(backup_of(&[&a, &b]).as_bytes()).unwrap();
    // The index write fails: neither body stays.
    let (s, mut lib) = shelf();
    let plan = block_on(s.plan(&file)).unwrap();
    let (before_ls, before_b) = (ls(&s), bodies(&s));
    s.repo.borrow_mut().store_mut().fail_next_sets(1);
    assert!(block_on(s.apply_import(&mut lib, &plan)).is_err());
    assert_eq!((ls(&s), bodies(&s)), (before_ls, before_b));
    // Then it works.
    block_on(s.apply_import(&mut lib, &plan)).unwrap();
    assert_eq!(lib.len(), 2);
    assert_eq!(block_on(s.load(&a.id)).unwrap().blocks, a.blocks);
    assert!(!ls(&s).keys().any(|k| k.starts_with(ARTICLE_PREFIX)));
    // And exports the same again.
    let again = block_on(s.bundle(&[], true));
    assert_eq!(again.articles.len(), 2);
}

#[test]
fn a_replacement_stores_the_new_body_first_and_removes_the_old_one_last() {
    let (s, mut lib) = shelf();
    let old = article("Opening line. The quoted sentence stays.");
    block_on(s.add(&mut lib, &old)).unwrap();
    let new = article("A new first paragraph.\n\nOpening line. The quoted sentence stays.");
    let (before_ls, before_b) = (ls(&s), bodies(&s));
    s.repo.borrow_mut().store_mut().fail_next_sets(1);
    assert!(block_on(s.replace(&mut lib, &old, new.clone())).is_err());
    assert_eq!(
        (ls(&s), bodies(&s)),
        (before_ls, before_b),
        "nothing changed"
    );
    let r = block_on(s.replace(&mut lib, &old, new.clone())).unwrap();
    assert_eq!(bodies(&s).keys().collect::<Vec<_>>(), [&new.id]);
    assert_eq!(block_on(s.load(&new.id)).unwrap(), r.article);
    assert_eq!(r.article.title, old.title, "the old title stays");
}

#[test]
fn bodies_move_out_of_local_storage_verified_and_resumably() {
    const FIXTURE: &str = include_str!("fixtures/schema2/localStorage.json");
    const EXPORT: &str = include_str!("fixtures/schema2/export-before.json");
    let values: BTreeMap<String, String> = serde_json::from_str(FIXTURE).unwrap();
    let mut store = MemoryStore::new();
    for (k, v) in &values {
        store.set(k, v).unwrap();
    }
    let (repo, opened) = Repo::open(store);
    assert!(opened.problems.is_empty());
    let s = Shelf::new(repo, Some(MemoryBodies::new()));
    // Cut short: the body store refuses; localStorage keeps every body.
    s.bodies.as_ref().unwrap().fail_next(Fault::Quota);
    assert_eq!(block_on(s.move_bodies()), Err(StorageError::QuotaExceeded));
    assert_eq!(
        ls(&s)
            .keys()
            .filter(|k| k.starts_with(ARTICLE_PREFIX))
            .count(),
        4
    );
    assert_eq!(
        ls(&s).get(SCHEMA_KEY).map(String::as_str),
        Some("4"),
        "raised on open: bodies are read from either place"
    );
    // Reads go on from localStorage meanwhile.
    let id = opened.library.entries()[0].id.clone();
    assert!(block_on(s.load(&id)).is_ok());
    // The next run moves them all.
    assert_eq!(block_on(s.move_bodies()), Ok(4));
    assert_eq!(
        ls(&s)
            .keys()
            .filter(|k| k.starts_with(ARTICLE_PREFIX))
            .count(),
        0
    );
    assert_eq!(bodies(&s).len(), 4);
    assert_eq!(
        ls(&s).get(SCHEMA_KEY).map(String::as_str),
        Some(BODIES_SCHEMA.to_string().as_str()),
        "raised when the library was opened"
    );
    // Nothing lost: the export equals the schema-2 build's.
    let before: serde_json::Value = serde_json::from_str(EXPORT).unwrap();
    let exported =
        marginalia::domain::time::parse_rfc3339(before["exported"].as_str().unwrap()).unwrap();
    let bundle = block_on(s.bundle(&[], true));
    let after: serde_json::Value = serde_json::from_str(&write_json(
        &bundle,
        &ExportInfo {
            exported,
            app_version: "0.1.0".into(),
            complete: true,
        },
    ))
    .unwrap();
    assert_eq!(after, before);
    // A schema-4 library opens as current.
    let (again, opened) = Repo::open(s.repo.borrow().store().clone());
    assert!(
        opened.problems.is_empty() && !again.is_read_only(),
        "{:?}",
        opened.problems
    );
}

#[test]
fn a_sweep_removes_only_bodies_no_entry_names_and_none_in_flight() {
    let (s, mut lib) = shelf();
    let a = article("Listed.");
    block_on(s.add(&mut lib, &a)).unwrap();
    let b = s.bodies.as_ref().unwrap();
    block_on(b.put_all(&[
        ("left-behind".into(), "{}".into()),
        ("in-flight".into(), "{}".into()),
    ]))
    .unwrap();
    assert_eq!(block_on(s.sweep(&["in-flight".into()])), Ok(1));
    let mut ids = block_on(b.ids()).unwrap();
    ids.sort();
    assert_eq!(
        ids,
        ["in-flight".to_owned(), a.id.clone()]
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
}

#[test]
fn bodies_wait_while_an_older_layout_is_half_moved() {
    let (s, _) = shelf();
    let a = article("Text kept in localStorage.");
    {
        let mut repo = s.repo.borrow_mut();
        let mut lib = repo.stored_library().unwrap_or_default();
        repo.add_article(&mut lib, &a).unwrap();
        repo.store_mut().set(SCHEMA_KEY, "2").unwrap();
    }
    assert_eq!(
        block_on(s.move_bodies()),
        Ok(0),
        "the annotations are made from these texts first"
    );
    assert!(ls(&s).contains_key(&format!("{ARTICLE_PREFIX}{}", a.id)));
    assert!(bodies(&s).is_empty());
}

#[test]
fn annotations_imported_onto_an_article_in_the_body_store_are_stored() {
    use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
    use marginalia::domain::annotate::set::AnnotationSet;
    use marginalia::domain::annotate::textmap::TextMap;
    let a = article("One sentence. Another sentence.");
    // The export of one annotation on it, made elsewhere.
    let (mut other, opened) = Repo::open(MemoryStore::new());
    let mut other_lib = opened.library;
    other.add_article(&mut other_lib, &a).unwrap();
    let mut set = AnnotationSet::new(&a.id);
    let target = Target::sentences(&TextMap::new(&a), 1, 1).unwrap();
    let id = marginalia::domain::annotate::annotation::uuid_v4([7; 16]);
    set.put(Annotation::new(
        id.clone(),
        &a.id,
        target,
        Colour::Blue,
        DateTime::UNIX_EPOCH,
    ));
    other
        .save_annotations(&other_lib, &mut set, DateTime::UNIX_EPOCH)
        .unwrap();
    let bundle = marginalia::domain::exchange::restore::bundle_of(
        &other,
        std::slice::from_ref(&a.id),
        false,
    );
    let file = write_json(
        &bundle,
        &ExportInfo {
            exported: DateTime::UNIX_EPOCH,
            app_version: "t".into(),
            complete: false,
        },
    );
    // Here the article's text is in the body store only.
    let (s, mut lib) = shelf();
    block_on(s.add(&mut lib, &a)).unwrap();
    let plan = block_on(s.plan(&read_file(file.as_bytes()).unwrap())).unwrap();
    block_on(s.apply_import(&mut lib, &plan)).unwrap();
    let map = TextMap::new(&a);
    let stored = s.repo.borrow().stored_annotations_for(&map, &a.id);
    assert_eq!(stored.get(&id).map(|x| x.colour), Some(Colour::Blue));
}
