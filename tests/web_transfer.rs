//! Import and replacement over real localStorage (headless Chromium): a
//! complete backup restored, an import that runs into the browser's real
//! quota half-way and is rolled back to exactly what was stored, and an
//! article replaced by an edited version.
#![cfg(target_arch = "wasm32")]

use chrono::DateTime;
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::set::AnnotationSet;
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::Article;
use marginalia::domain::exchange::file::read_file;
use marginalia::domain::exchange::restore::{self, LibrarySource, bundle_of, plan};
use marginalia::domain::exchange::{ExportInfo, write_json};
use marginalia::storage::local::LocalStore;
use marginalia::storage::repo::Repo;
use marginalia::storage::{KeyValueStore, StorageError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod web_common;
use web_common::{article_from, clear, fill_until_full, save_set, snapshot};

fn article(text: &str, source: &str) -> Article {
    article_from(text, Some(source))
}

fn annotate(repo: &mut Repo<LocalStore>, a: &Article, n: u8, sentence: usize) {
    let map = TextMap::new(a);
    let target = Target::sentences(&map, sentence, sentence).unwrap();
    let id = marginalia::domain::annotate::annotation::uuid_v4([n; 16]);
    let mut set = repo.load_annotations(&a.id).unwrap();
    set.put(Annotation::new(
        id,
        &a.id,
        target,
        Colour::Blue,
        DateTime::UNIX_EPOCH,
    ));
    save_set(repo, &mut set).unwrap();
}

fn backup(repo: &Repo<LocalStore>) -> String {
    let ids: Vec<String> = repo
        .library()
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    write_json(
        &bundle_of(repo, &ids, true),
        &ExportInfo {
            exported: DateTime::UNIX_EPOCH,
            app_version: "test".into(),
            complete: true,
        },
    )
}

#[wasm_bindgen_test]
fn a_complete_backup_restores_into_empty_local_storage() {
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    let a = article("First one. Second one.\n\nThird one.", "a.txt");
    repo.add_article(&mut lib, &a).unwrap();
    annotate(&mut repo, &a, 1, 1);
    let file = backup(&repo);
    drop(repo);
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    let p = plan(&read_file(file.as_bytes()).unwrap(), &repo).unwrap();
    repo.apply_import(&mut lib, &p).unwrap();
    drop(repo);
    // Read back through a fresh handle, as after a reload.
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    assert_eq!(opened.library.len(), 1);
    assert_eq!(repo.load_article(&a.id).unwrap(), a);
    assert_eq!(repo.load_annotations(&a.id).unwrap().len(), 1);
    assert_eq!(backup(&repo), file);
    clear();
}

#[wasm_bindgen_test]
fn an_import_that_fills_local_storage_is_rolled_back_completely() {
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    let kept = article("Stored before the import. It stays as it is.", "kept.txt");
    repo.add_article(&mut lib, &kept).unwrap();
    annotate(&mut repo, &kept, 1, 0);
    // A backup of two large articles, made elsewhere.
    let big = |word: &str| format!("{}.", vec![word; 80_000].join(" "));
    let (mut other, _) = Repo::open(marginalia::storage::memory::MemoryStore::new());
    let mut other_lib = marginalia::domain::article::library::Library::default();
    for (word, n) in [("alpha", 2u8), ("beta", 3)] {
        let a = article(&big(word), &format!("{word}.txt"));
        other.add_article(&mut other_lib, &a).unwrap();
        let map = TextMap::new(&a);
        let mut set = AnnotationSet::new(&a.id);
        let id = marginalia::domain::annotate::annotation::uuid_v4([n; 16]);
        set.put(Annotation::new(
            id,
            &a.id,
            Target::sentences(&map, 0, 0).unwrap(),
            Colour::Pink,
            DateTime::UNIX_EPOCH,
        ));
        save_set(&mut other, &mut set).unwrap();
    }
    let ids: Vec<String> = other_lib.entries().iter().map(|e| e.id.clone()).collect();
    let file = write_json(
        &bundle_of(&other, &ids, true),
        &ExportInfo {
            exported: DateTime::UNIX_EPOCH,
            app_version: "t".into(),
            complete: true,
        },
    );
    // Fill localStorage for real, then free room for one of them only.
    fill_until_full(repo.store_mut());
    repo.store_mut().remove("filler:0").unwrap();
    repo.store_mut().remove("filler:1").unwrap();
    let before = snapshot(repo.store());
    let p = plan(&read_file(file.as_bytes()).unwrap(), &repo).unwrap();
    assert_eq!(p.restored().count(), 2);
    let r = repo.apply_import(&mut lib, &p);
    assert_eq!(r, Err(StorageError::QuotaExceeded), "{r:?}");
    assert_eq!(
        snapshot(repo.store()),
        before,
        "nothing of the import is left behind"
    );
    assert_eq!(lib.len(), 1);
    clear();
}

#[wasm_bindgen_test]
fn replacing_an_article_moves_its_annotations_to_the_new_version() {
    clear();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    let old = article("Opening line. The quoted sentence stays.", "v1.txt");
    repo.add_article(&mut lib, &old).unwrap();
    annotate(&mut repo, &old, 1, 1);
    let new = article(
        "A new first paragraph.\n\nOpening line. The quoted sentence stays.",
        "v2.txt",
    );
    let set = repo.load_annotations(&old.id).unwrap();
    let r = restore::replace(&old, &set, new.clone());
    assert_eq!(r.counts.orphaned, 0);
    let stored = repo.replace_article(&mut lib, &old, new.clone()).unwrap();
    assert_eq!(stored.counts, r.counts);
    drop(repo);
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    assert_eq!(opened.library.entries()[0].id, new.id);
    assert!(repo.article(&old.id).is_none());
    let moved = repo.load_annotations(&new.id).unwrap();
    let a = moved.items().next().unwrap();
    assert_eq!(a.target.quote.exact, "The quoted sentence stays.");
    assert_eq!(a.target.sentences, [2, 2]);
    clear();
}
