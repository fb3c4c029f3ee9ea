//! Annotation storage over real `localStorage` in headless Chromium: an
//! injected quota failure, a corrupted stored value, and storage the
//! browser refuses.
#![cfg(target_arch = "wasm32")]

use chrono::{DateTime, TimeDelta};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::set::AnnotationSet;
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::storage::local::LocalStore;
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::{Repo, live_key};
use marginalia::storage::{KeyValueStore, StorageError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod web_common;
use web_common::{FailingStore, clear, save_set};

fn article() -> Article {
    Article::build(
        parse_text("First sentence here. Second one follows.\n\nA new paragraph."),
        NewArticle::default(),
        DateTime::UNIX_EPOCH,
    )
    .unwrap()
}

fn highlight(a: &Article, id: &str, sentence: usize, ms: i64) -> Annotation {
    let target = Target::sentences(&TextMap::new(a), sentence, sentence).unwrap();
    let at = DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms);
    Annotation::new(id.into(), &a.id, target, Colour::Green, at)
}

#[wasm_bindgen_test]
fn an_injected_quota_failure_keeps_the_stored_annotations_and_the_edit() {
    clear();
    let a = article();
    let (mut repo, opened) = Repo::open(FailingStore::new(LocalStore::open().unwrap()));
    let mut lib = opened.library;
    repo.add_article(&mut lib, &a).unwrap();
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "first", 0, 1));
    save_set(&mut repo, &mut set).unwrap();
    let key = live_key(&a.id, "first");
    let before = repo.store().get(&key).unwrap();
    assert!(before.is_some());

    set.put(highlight(&a, "second", 1, 2));
    repo.store_mut().fail_one_set_after(0);
    assert_eq!(
        save_set(&mut repo, &mut set),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(
        repo.store().get(&key).unwrap(),
        before,
        "stored value unchanged"
    );
    assert_eq!(repo.store().get(&live_key(&a.id, "second")).unwrap(), None);
    assert_eq!(set.len(), 2, "the edit is still in memory");

    // The retry on the next change stores everything.
    set.put(highlight(&a, "third", 2, 3));
    save_set(&mut repo, &mut set).unwrap();
    drop(repo);
    let (mut repo, _) = Repo::open(LocalStore::open().unwrap());
    assert_eq!(repo.load_annotations(&a.id).unwrap().len(), 3);
    clear();
}

#[wasm_bindgen_test]
fn a_corrupted_annotation_record_is_quarantined_and_kept() {
    clear();
    let a = article();
    let (mut repo, opened) = Repo::open(LocalStore::open().unwrap());
    let mut lib = opened.library;
    repo.add_article(&mut lib, &a).unwrap();
    let key = live_key(&a.id, "broken");
    let broken = "[1,0,5,3,";
    repo.store_mut().set(&key, broken).unwrap();

    let err = repo.load_annotations(&a.id).unwrap_err();
    let StorageError::Corrupt { backup_key, .. } = err else {
        panic!("expected Corrupt, got {err:?}");
    };
    assert_eq!(
        repo.store().get(&backup_key).unwrap().as_deref(),
        Some(broken)
    );
    assert_eq!(repo.store().get(&key).unwrap(), None);
    // A new save does not touch the backup.
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    save_set(&mut repo, &mut set).unwrap();
    assert_eq!(
        repo.store().get(&backup_key).unwrap().as_deref(),
        Some(broken)
    );
    clear();
}

#[wasm_bindgen_test]
fn refused_storage_is_reported_and_annotations_work_in_memory() {
    let window: JsValue = web_sys::window().unwrap().into();
    let object = js_sys::Object::from(window.clone());
    let original = js_sys::Object::get_own_property_descriptor(&object, &"localStorage".into());
    let getter = js_sys::Function::new_no_args(
        "throw new DOMException('The operation is insecure.', 'SecurityError')",
    );
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &"get".into(), &getter).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
    js_sys::Object::define_property(&object, &"localStorage".into(), &descriptor);

    let refused = LocalStore::open();

    // Put localStorage back before asserting, so a failure cannot leak.
    if original.is_undefined() {
        js_sys::Reflect::delete_property(&object, &"localStorage".into()).unwrap();
    } else {
        js_sys::Object::define_property(&object, &"localStorage".into(), original.unchecked_ref());
    }
    assert!(
        matches!(refused, Err(StorageError::Unavailable(_))),
        "{:?}",
        refused.err()
    );

    // What the app does then: the same repository over memory.
    let a = article();
    let (mut repo, opened) = Repo::open(MemoryStore::new());
    let mut lib = opened.library;
    repo.add_article(&mut lib, &a).unwrap();
    let mut set = AnnotationSet::new(&a.id);
    set.put(highlight(&a, "x", 0, 1));
    save_set(&mut repo, &mut set).unwrap();
    assert_eq!(repo.load_annotations(&a.id).unwrap().len(), 1);
}
