//! Article bodies in IndexedDB, in headless Chromium: a round trip, and
//! each fault the browser can throw at the store: IndexedDB refused, a
//! transaction aborted before it commits, and an upgrade blocked by a tab
//! that holds an older version open. Each says what happened and leaves
//! what was stored as it was.
#![cfg(target_arch = "wasm32")]

use marginalia::storage::bodies::BodyStore;
use marginalia::storage::idb::IdbBodies;
use marginalia::storage::{ReadOnly, StorageError};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = "
export function delete_db(name) {
  return new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}
// A connection as a tab of an older build would hold it: it does not
// close itself when a newer version is asked for.
export function hold_open(name, version) {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name, version);
    r.onupgradeneeded = () => r.result.createObjectStore('bodies');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
export function close_db(db) { db.close(); }
export function refuse_indexeddb(how) {
  // Where the browser defines it: on the window itself, or its prototype.
  window.__realIdb = Object.getOwnPropertyDescriptor(window, 'indexedDB');
  if (how === 'absent') {
    Object.defineProperty(window, 'indexedDB', { configurable: true, get: () => undefined });
  } else {
    Object.defineProperty(window, 'indexedDB', { configurable: true, get: () => ({
      open() { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); },
    }) });
  }
}
export function restore_indexeddb() {
  if (window.__realIdb) Object.defineProperty(window, 'indexedDB', window.__realIdb);
  else delete window.indexedDB;
}
")]
extern "C" {
    fn delete_db(name: &str) -> js_sys::Promise;
    fn hold_open(name: &str, version: u32) -> js_sys::Promise;
    fn close_db(db: &JsValue);
    fn refuse_indexeddb(how: &str);
    fn restore_indexeddb();
}

async fn fresh(name: &str) -> IdbBodies {
    JsFuture::from(delete_db(name)).await.unwrap();
    IdbBodies::open_named(name, 1).await.unwrap()
}

fn body(id: &str, text: &str) -> (String, String) {
    (
        id.to_owned(),
        format!("{{\"id\":\"{id}\",\"text\":\"{text}\"}}"),
    )
}

#[wasm_bindgen_test]
async fn bodies_round_trip_replace_and_delete() {
    let db = fresh("t-round-trip").await;
    assert_eq!(db.get("a").await.unwrap(), None);
    db.put_all(&[body("a", "é 😀"), body("b", "two")])
        .await
        .unwrap();
    assert_eq!(db.get("a").await.unwrap(), Some(body("a", "é 😀").1));
    db.put_all(&[body("a", "changed")]).await.unwrap();
    assert_eq!(db.get("a").await.unwrap(), Some(body("a", "changed").1));
    let mut ids = db.ids().await.unwrap();
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    db.delete(&["a".into(), "missing".into()]).await.unwrap();
    assert_eq!(db.ids().await.unwrap(), ["b"]);
    // A second connection (another tab) sees the same.
    let other = IdbBodies::open_named("t-round-trip", 1).await.unwrap();
    assert_eq!(other.get("b").await.unwrap(), Some(body("b", "two").1));
}

#[wasm_bindgen_test]
async fn an_aborted_transaction_stores_none_of_its_bodies_and_says_so() {
    let db = fresh("t-abort").await;
    db.put_all(&[body("kept", "before")]).await.unwrap();
    let err = db
        .put_all_then_abort(&[body("kept", "overwritten"), body("new", "x")])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(
        db.get("kept").await.unwrap(),
        Some(body("kept", "before").1)
    );
    assert_eq!(db.get("new").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn an_upgrade_blocked_by_an_older_tab_is_reported_and_leaves_its_data() {
    JsFuture::from(delete_db("t-blocked")).await.unwrap();
    let old = JsFuture::from(hold_open("t-blocked", 1)).await.unwrap();
    let err = IdbBodies::open_named("t-blocked", 2).await.err();
    assert_eq!(err, Some(StorageError::Blocked));
    assert!(
        StorageError::Blocked
            .to_string()
            .contains("Close or reload that tab")
    );
    // Once the old tab lets go, the upgrade goes through.
    close_db(&old);
    let db = IdbBodies::open_named("t-blocked", 2).await.unwrap();
    assert_eq!(db.ids().await.unwrap(), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn a_database_a_newer_build_upgraded_is_read_only_and_left_alone() {
    JsFuture::from(delete_db("t-newer")).await.unwrap();
    let newer = JsFuture::from(hold_open("t-newer", 3)).await.unwrap();
    close_db(&newer);
    let err = IdbBodies::open_named("t-newer", 1).await.err();
    assert_eq!(err, Some(StorageError::ReadOnly(ReadOnly::Bodies)));
    assert!(err.unwrap().to_string().contains("newer version"));
    // The newer build's database is still there, at its version.
    let again = IdbBodies::open_named("t-newer", 3).await.unwrap();
    assert_eq!(again.ids().await.unwrap(), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn a_connection_of_this_build_gives_way_to_an_upgrade() {
    let old = fresh("t-gives-way").await;
    old.put_all(&[body("a", "x")]).await.unwrap();
    let new = IdbBodies::open_named("t-gives-way", 2).await.unwrap();
    assert_eq!(new.get("a").await.unwrap(), Some(body("a", "x").1));
}

#[wasm_bindgen_test]
async fn indexeddb_refused_or_absent_is_unavailable_with_the_reason() {
    refuse_indexeddb("throw");
    let refused = IdbBodies::open_named("t-refused", 1).await.err();
    restore_indexeddb();
    match refused {
        Some(StorageError::Unavailable(why)) => assert!(why.contains("SecurityError"), "{why}"),
        other => panic!("{other:?}"),
    }
    refuse_indexeddb("absent");
    let absent = IdbBodies::open_named("t-refused", 1).await.err();
    restore_indexeddb();
    assert!(
        matches!(absent, Some(StorageError::Unavailable(_))),
        "{absent:?}"
    );
    // And with it back, it works.
    let ok = IdbBodies::open_named("t-refused", 1).await;
    assert!(ok.is_ok());
}

#[wasm_bindgen_test]
async fn a_long_body_reads_back_exactly_alone_and_with_others() {
    let db = fresh("long-bodies").await;
    let long = format!("{{\"id\":\"l\",\"text\":\"{}\"}}", "a é € 😀 ".repeat(2000));
    db.put_all(&[("l".into(), long.clone()), body("s", "short")])
        .await
        .unwrap();
    assert_eq!(db.get("l").await.unwrap(), Some(long.clone()));
    let got = db
        .get_many(&["s".into(), "l".into(), "none".into()])
        .await
        .unwrap();
    assert_eq!(got, vec![Some(body("s", "short").1), Some(long), None]);
}

#[wasm_bindgen_test]
async fn the_first_open_takes_over_the_early_open_and_only_one_for_its_database() {
    JsFuture::from(delete_db("marginalia")).await.unwrap();
    IdbBodies::open_early();
    assert!(IdbBodies::early_open_pending());
    // Another database does not take it.
    let other = fresh("early-other").await;
    drop(other);
    assert!(IdbBodies::early_open_pending());
    let db = IdbBodies::open().await.unwrap();
    assert!(!IdbBodies::early_open_pending());
    let (id, json) = body("e1", "early");
    db.put_all(&[(id.clone(), json.clone())]).await.unwrap();
    assert_eq!(db.get(&id).await.unwrap(), Some(json));
    // Only one early open at a time, and a later open starts its own.
    IdbBodies::open_early();
    IdbBodies::open_early();
    assert!(IdbBodies::open().await.is_ok());
    assert!(!IdbBodies::early_open_pending());
    assert!(IdbBodies::open().await.is_ok());
}

#[wasm_bindgen_test]
async fn an_early_open_the_browser_refused_is_reported_by_the_open_that_takes_it_over() {
    refuse_indexeddb("throw");
    IdbBodies::open_early();
    restore_indexeddb();
    match IdbBodies::open().await {
        Err(StorageError::Unavailable(why)) => assert!(why.contains("SecurityError"), "{why}"),
        other => panic!("expected Unavailable, got {:?}", other.err()),
    }
    assert!(!IdbBodies::early_open_pending());
    assert!(IdbBodies::open().await.is_ok());
}
