//! [`BodyStore`] over IndexedDB (wasm only): plain IndexedDB calls behind
//! a few lines of JavaScript that turn its requests into promises (a
//! wrapper crate would cost 17–26 KB of gzip wasm; this costs about 1 KB).
//!
//! One database, `marginalia`, version 1, with one object store, `bodies`:
//! article id → the article's JSON. A connection closes itself when a newer
//! version is requested (another tab was upgraded), so it never blocks
//! that upgrade; an upgrade blocked by a tab of an older build that does
//! not is reported as [`StorageError::Blocked`]. A database a newer build
//! upgraded is [`StorageError::ReadOnly`]: this build changes nothing.

use super::StorageError;
use super::bodies::{BodyStore, aborted};
use super::local::text_from_js;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

// Long text comes back as UTF-8 bytes (see `local::text_from_js`).
#[wasm_bindgen(inline_js = "
const big = (s) => (typeof s === 'string' && s.length > 2048 ? new TextEncoder().encode(s) : s);
// This build's database as DB_NAME, DB_VERSION and STORE below name it
// (tests/web_bodies.rs checks that IdbBodies::open takes the early open).
const BODIES = { name: 'marginalia', version: 1, store: 'bodies' };
let early = null;
export function idb_open_early() {
  if (early || typeof indexedDB === 'undefined') return;
  const promise = open_db(BODIES.name, BODIES.version, BODIES.store);
  promise.catch(() => {});
  early = { ...BODIES, promise };
}
export function idb_early_pending() { return early !== null; }
export function idb_open(name, version, store) {
  if (early && early.name === name && early.version === version && early.store === store) {
    const promise = early.promise;
    early = null;
    return promise;
  }
  return open_db(name, version, store);
}
function open_db(name, version, store) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let req;
    try { req = indexedDB.open(name, version); } catch (e) { reject(e); return; }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
    };
    req.onsuccess = () => {
      const db = req.result;
      if (settled) { db.close(); return; }
      settled = true;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => { if (!settled) { settled = true; reject(req.error); } };
    req.onblocked = () => {
      if (!settled) { settled = true; reject(new DOMException('blocked', 'BlockedError')); }
    };
  });
}
function tx(db, store, mode, work, abort) {
  return new Promise((resolve, reject) => {
    let t;
    try { t = db.transaction(store, mode); } catch (e) { reject(e); return; }
    let result;
    t.oncomplete = () => resolve(result);
    t.onabort = () => reject(t.error || new DOMException('aborted', 'AbortError'));
    try { work(t.objectStore(store), (r) => { result = r; }); } catch (e) { try { t.abort(); } catch (_) {} reject(e); return; }
    if (abort) t.abort();
  });
}
export function idb_get(db, store, key) {
  return tx(db, store, 'readonly', (os, done) => {
    const r = os.get(key);
    r.onsuccess = () => done(r.result === undefined ? null : big(r.result));
  }, false);
}
export function idb_get_many(db, store, keys) {
  return tx(db, store, 'readonly', (os, done) => {
    const out = new Array(keys.length).fill(null);
    keys.forEach((k, i) => {
      const r = os.get(k);
      r.onsuccess = () => { if (r.result !== undefined) out[i] = big(r.result); };
    });
    done(out);
  }, false);
}
export function idb_put_all(db, store, keys, values, abort) {
  return tx(db, store, 'readwrite', (os) => {
    for (let i = 0; i < keys.length; i++) os.put(values[i], keys[i]);
  }, abort);
}
export function idb_delete(db, store, keys) {
  return tx(db, store, 'readwrite', (os) => { for (const k of keys) os.delete(k); }, false);
}
export function idb_entries(db, store) {
  return tx(db, store, 'readonly', (os, done) => {
    const k = os.getAllKeys();
    const v = os.getAll();
    v.onsuccess = () => done([k.result, v.result.map(big)]);
  }, false);
}
export function idb_keys(db, store) {
  return tx(db, store, 'readonly', (os, done) => {
    const r = os.getAllKeys();
    r.onsuccess = () => done(r.result);
  }, false);
}
")]
extern "C" {
    fn idb_open_early();
    fn idb_early_pending() -> bool;
    fn idb_open(name: &str, version: u32, store: &str) -> Promise;
    fn idb_get(db: &JsValue, store: &str, key: &str) -> Promise;
    fn idb_get_many(db: &JsValue, store: &str, keys: Array) -> Promise;
    fn idb_put_all(db: &JsValue, store: &str, keys: Array, values: Array, abort: bool) -> Promise;
    fn idb_delete(db: &JsValue, store: &str, keys: Array) -> Promise;
    fn idb_keys(db: &JsValue, store: &str) -> Promise;
    fn idb_entries(db: &JsValue, store: &str) -> Promise;
}

/// The database's name.
pub const DB_NAME: &str = "marginalia";
/// The version of the database this build opens.
pub const DB_VERSION: u32 = 1;
const STORE: &str = "bodies";

/// Article bodies in IndexedDB.
pub struct IdbBodies {
    db: JsValue,
}

fn map_err(e: JsValue) -> StorageError {
    let (name, message) = match e.dyn_ref::<web_sys::DomException>() {
        Some(d) => (d.name(), d.message()),
        None => (String::new(), e.as_string().unwrap_or_default()),
    };
    match name.as_str() {
        "QuotaExceededError" => StorageError::QuotaExceeded,
        "AbortError" => aborted("the transaction was aborted"),
        "BlockedError" => StorageError::Blocked,
        // The database is at a higher version than this build asks for.
        "VersionError" => StorageError::ReadOnly(super::ReadOnly::Bodies),
        "SecurityError" | "InvalidStateError" | "NotAllowedError" | "UnknownError" => {
            StorageError::Unavailable(format!("IndexedDB refused: {name}: {message}"))
        }
        "" => StorageError::Other(format!("IndexedDB failed: {message}")),
        _ => StorageError::Other(format!("IndexedDB failed: {name}: {message}")),
    }
}

/// Whether the page has an `indexedDB` at all (some browsers and modes
/// have none).
fn has_indexeddb() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"indexedDB".into()).ok())
        .is_some_and(|v| !v.is_undefined() && !v.is_null())
}

async fn wait(p: Promise) -> Result<JsValue, StorageError> {
    JsFuture::from(p).await.map_err(map_err)
}

fn strings(items: impl IntoIterator<Item = impl AsRef<str>>) -> Array {
    items
        .into_iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect()
}

impl IdbBodies {
    /// Opens (creating or upgrading) the database. Refused IndexedDB (some
    /// private modes, a policy) is [`StorageError::Unavailable`]; an
    /// upgrade blocked by another tab is [`StorageError::Blocked`].
    pub async fn open() -> Result<Self, StorageError> {
        Self::open_named(DB_NAME, DB_VERSION).await
    }

    /// Starts opening this build's database now, before anything asks
    /// for it: the page's loader calls it (as `idb_open_early`, see
    /// `scripts/early-wasm.mjs`) while the wasm is still being compiled,
    /// and the first [`IdbBodies::open`] takes over that request, its
    /// outcome included. Nothing else differs: the same request, upgrade
    /// and errors as an open started later.
    pub fn open_early() {
        idb_open_early();
    }

    /// Whether an early open is waiting to be taken over (for tests).
    #[doc(hidden)]
    pub fn early_open_pending() -> bool {
        idb_early_pending()
    }

    /// Opens the database `name` at `version` (tests use their own).
    pub async fn open_named(name: &str, version: u32) -> Result<Self, StorageError> {
        if !has_indexeddb() {
            return Err(StorageError::Unavailable(
                "this browser offers no IndexedDB".into(),
            ));
        }
        let db = wait(idb_open(name, version, STORE)).await?;
        Ok(Self { db })
    }

    /// Writes like [`BodyStore::put_all`] and then aborts the transaction
    /// before it commits, as a failing browser would (for tests).
    #[doc(hidden)]
    pub async fn put_all_then_abort(
        &self,
        bodies: &[(String, String)],
    ) -> Result<(), StorageError> {
        let (keys, values): (Vec<_>, Vec<_>) = bodies.iter().cloned().unzip();
        wait(idb_put_all(
            &self.db,
            STORE,
            strings(keys),
            strings(values),
            true,
        ))
        .await
        .map(|_| ())
    }
}

impl BodyStore for IdbBodies {
    async fn get(&self, id: &str) -> Result<Option<String>, StorageError> {
        Ok(text_from_js(wait(idb_get(&self.db, STORE, id)).await?))
    }

    async fn get_many(&self, ids: &[String]) -> Result<Vec<Option<String>>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let got = wait(idb_get_many(&self.db, STORE, strings(ids))).await?;
        Ok(Array::from(&got).iter().map(text_from_js).collect())
    }

    async fn put_all(&self, bodies: &[(String, String)]) -> Result<(), StorageError> {
        if bodies.is_empty() {
            return Ok(());
        }
        let (keys, values): (Vec<_>, Vec<_>) = bodies.iter().cloned().unzip();
        wait(idb_put_all(
            &self.db,
            STORE,
            strings(keys),
            strings(values),
            false,
        ))
        .await
        .map(|_| ())
    }

    async fn delete(&self, ids: &[String]) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        wait(idb_delete(&self.db, STORE, strings(ids)))
            .await
            .map(|_| ())
    }

    async fn ids(&self) -> Result<Vec<String>, StorageError> {
        let keys = wait(idb_keys(&self.db, STORE)).await?;
        Ok(Array::from(&keys)
            .iter()
            .filter_map(|k| k.as_string())
            .collect())
    }
}

/// A cache in its own IndexedDB database (`marginalia-cache`, store
/// `cache`): values the app can always make again (the search index's
/// snapshot), so it is never part of the library, of a backup or of the
/// body store's upgrades, and losing it costs only time.
pub struct IdbCache {
    db: JsValue,
}

/// The cache database and its one store.
const CACHE_DB: &str = "marginalia-cache";
const CACHE_STORE: &str = "cache";

impl IdbCache {
    /// Opens the cache; any failure means running without it.
    pub async fn open() -> Result<Self, StorageError> {
        if !has_indexeddb() {
            return Err(StorageError::Unavailable("no IndexedDB".into()));
        }
        let db = wait(idb_open(CACHE_DB, 1, CACHE_STORE)).await?;
        Ok(Self { db })
    }

    /// The bytes kept under `key`.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let v = wait(idb_get(&self.db, CACHE_STORE, key)).await?;
        Ok(v.dyn_ref::<js_sys::Uint8Array>()
            .map(js_sys::Uint8Array::to_vec))
    }

    /// Keeps `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let value = js_sys::Uint8Array::from(bytes);
        wait(idb_put_all(
            &self.db,
            CACHE_STORE,
            strings([key]),
            Array::of1(&value),
            false,
        ))
        .await
        .map(|_| ())
    }
}

/// A store of strings by key in its own IndexedDB database, for state the
/// app keeps apart from the library (sync state: `marginalia-sync`).
pub struct IdbStrings {
    db: JsValue,
    store: &'static str,
}

impl IdbStrings {
    /// Opens database `name` with its one store `store`.
    pub async fn open(name: &str, store: &'static str) -> Result<Self, StorageError> {
        if !has_indexeddb() {
            return Err(StorageError::Unavailable("no IndexedDB".into()));
        }
        let db = wait(idb_open(name, 1, store)).await?;
        Ok(Self { db, store })
    }

    /// Every key and its string value.
    pub async fn entries(&self) -> Result<Vec<(String, String)>, StorageError> {
        let both = Array::from(&wait(idb_entries(&self.db, self.store)).await?);
        let keys = Array::from(&both.get(0));
        let values = Array::from(&both.get(1));
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, text_from_js(v)?)))
            .collect())
    }

    /// The value under `key`.
    pub async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(text_from_js(
            wait(idb_get(&self.db, self.store, key)).await?,
        ))
    }

    /// Stores every `(key, value)` in one transaction.
    pub async fn put_all(&self, items: &[(String, String)]) -> Result<(), StorageError> {
        if items.is_empty() {
            return Ok(());
        }
        let (k, v): (Vec<_>, Vec<_>) = items.iter().cloned().unzip();
        wait(idb_put_all(
            &self.db,
            self.store,
            strings(k),
            strings(v),
            false,
        ))
        .await
        .map(|_| ())
    }

    /// Removes these keys.
    pub async fn delete(&self, keys: &[String]) -> Result<(), StorageError> {
        if keys.is_empty() {
            return Ok(());
        }
        wait(idb_delete(&self.db, self.store, strings(keys)))
            .await
            .map(|_| ())
    }
}
