//! The app's own IndexedDB databases beside the library, in headless
//! Chromium: the cache (`marginalia-cache`: the search index's snapshot,
//! bytes in and out) and the sync state (`marginalia-sync`: per-document
//! state, the checkpoint, the settings, and forgetting all of it).
#![cfg(target_arch = "wasm32")]

use marginalia::storage::idb::IdbCache;
use marginalia::storage::sync::idb_state::IdbSyncStore;
use marginalia::storage::sync::state::{SyncStore, Synced};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_cache_keeps_bytes_as_they_were() {
    let cache = IdbCache::open().await.expect("opens");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    cache.put("test-bytes", &bytes).await.expect("stores");
    assert_eq!(cache.get("test-bytes").await.unwrap(), Some(bytes));
    assert_eq!(cache.get("never-stored").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn sync_state_round_trips_and_is_forgotten_on_disconnect() {
    let store = IdbSyncStore::open().await.expect("opens");
    store.clear().await.unwrap();
    let s = Synced {
        revs: vec!["2-0123456789abcdef0123456789abcdef".into()],
        hash: "h".into(),
        deleted: true,
        seen: vec!["3-ffffffffffffffffffffffffffffffff".into()],
    };
    store
        .put(&[("annotation:x:y".into(), s.clone())])
        .await
        .unwrap();
    store.set_checkpoint(&json!("12-g1AAAA")).await.unwrap();
    store
        .set_config(r#"{"url":"http://127.0.0.1:5984/db"}"#)
        .await
        .unwrap();
    let all = store.all().await;
    assert_eq!(
        all.len(),
        1,
        "only documents, not the checkpoint or the settings"
    );
    assert_eq!(all["annotation:x:y"], s);
    assert_eq!(store.checkpoint().await, Some(json!("12-g1AAAA")));
    assert!(store.config().await.unwrap().contains("5984"));
    store.clear().await.unwrap();
    assert!(store.all().await.is_empty());
    assert_eq!(store.checkpoint().await, None);
    assert_eq!(store.config().await, None);
}
