//! [`KeyValueStore`] over the browser's `localStorage`, through gloo-storage.
//!
//! gloo's accessor panics when storage is disabled, so [`LocalStore::open`]
//! first probes it through `web_sys` and reports
//! [`StorageError::Unavailable`] instead; the app then runs on a
//! [`super::memory::MemoryStore`] with a visible warning.

use super::{KeyValueStore, StorageError};
use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

// One call for every key with a prefix (and its value): crossing into
// JavaScript once per key costs more than the read itself at 20,000 keys.
// Long text comes back as UTF-8 bytes (see `text_from_js`).
#[wasm_bindgen(inline_js = "
const big = (s) => (typeof s === 'string' && s.length > 2048 ? new TextEncoder().encode(s) : s);
let listed = null;
// The keys, listed once per task: listing 20,000 keys costs 10-30 ms.
// Another tab's change reaches this page only between tasks, and this
// store forgets the list on each of its own writes.
function keys() {
  if (listed === null) {
    listed = Object.keys(localStorage);
    queueMicrotask(() => { listed = null; });
  }
  return listed;
}
export function forget_keys() { listed = null; }
export function scan_prefix(prefix, values) {
  const out = [];
  for (const k of keys()) {
    if (k.startsWith(prefix)) {
      const v = values ? localStorage.getItem(k) : null;
      if (values && v === null) continue;
      out.push(k);
      if (values) out.push(v);
    }
  }
  return big(JSON.stringify(out));
}
export function get_item(key) { return big(localStorage.getItem(key)); }
export function count_groups(prefix) {
  const out = {};
  for (const k of keys()) {
    if (k.startsWith(prefix)) {
      const end = k.indexOf(':', prefix.length);
      const g = end < 0 ? k.slice(prefix.length) : k.slice(prefix.length, end);
      out[g] = (out[g] || 0) + 1;
    }
  }
  return big(JSON.stringify(out));
}
export function get_many(keys) {
  return big(JSON.stringify(JSON.parse(keys).map((k) => localStorage.getItem(k))));
}
export function used_units() {
  let n = 0;
  for (const k of keys()) n += k.length + (localStorage.getItem(k) || '').length;
  return n;
}")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn scan_prefix(prefix: &str, values: bool) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn used_units() -> Result<f64, JsValue>;
    #[wasm_bindgen(catch)]
    fn count_groups(prefix: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn get_many(keys: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn get_item(key: &str) -> Result<JsValue, JsValue>;
    fn forget_keys();
}

const PROBE_KEY: &str = "marginalia:probe";

/// Text from JavaScript: a string, or the UTF-8 bytes of a long one (the
/// JavaScript side sends text over 2,048 units as `TextEncoder` bytes);
/// `None` for anything else (`null`, say).
///
/// A string handed to wasm as it is is copied by wasm-bindgen's own
/// loop, one character at a time, which runs unoptimised the first time:
/// about 10 ms for the 470 KB library index of 2,000 articles, against
/// well under 1 ms for the browser's encoder and one copy of the bytes.
pub(crate) fn text_from_js(v: JsValue) -> Option<String> {
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    let bytes = v.dyn_into::<js_sys::Uint8Array>().ok()?.to_vec();
    // The browser's encoder only writes UTF-8.
    Some(
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// [`text_from_js`] for a reply that must be text.
fn text(v: JsValue) -> Result<String, StorageError> {
    text_from_js(v).ok_or_else(|| StorageError::Other("localStorage gave no text".into()))
}

/// The browser's `localStorage`.
pub struct LocalStore {
    raw: web_sys::Storage,
}

impl LocalStore {
    /// Opens `localStorage` if the browser allows it.
    pub fn open() -> Result<Self, StorageError> {
        let window =
            web_sys::window().ok_or_else(|| StorageError::Unavailable("no window".into()))?;
        match window.local_storage() {
            Ok(Some(_)) => {}
            Ok(None) => return Err(StorageError::Unavailable("the browser offers none".into())),
            Err(e) => return Err(StorageError::Unavailable(describe(&e))),
        }
        let raw = LocalStorage::raw();
        // Some browsers expose storage but refuse every write (private modes).
        match raw.set_item(PROBE_KEY, "1") {
            Ok(()) => {
                let _ = raw.remove_item(PROBE_KEY);
            }
            Err(e) if !is_quota(&e) => return Err(StorageError::Unavailable(describe(&e))),
            Err(_) => {} // full, but readable: that is handled per write
        }
        Ok(Self { raw })
    }

    /// Drops the key listing kept for the current task, after a write made
    /// around this store (tests clearing `localStorage`, say).
    pub fn forget_listing() {
        forget_keys();
    }
}

/// Whether a JS error is the browser's quota error.
pub fn is_quota(e: &JsValue) -> bool {
    e.dyn_ref::<web_sys::DomException>().is_some_and(|d| {
        let name = d.name();
        name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" || d.code() == 22
    })
}

fn describe(e: &JsValue) -> String {
    if let Some(d) = e.dyn_ref::<web_sys::DomException>() {
        format!("{}: {}", d.name(), d.message())
    } else {
        e.as_string().unwrap_or_else(|| "unknown error".into())
    }
}

fn map_err(e: JsValue) -> StorageError {
    if is_quota(&e) {
        StorageError::QuotaExceeded
    } else {
        StorageError::Other(describe(&e))
    }
}

impl KeyValueStore for LocalStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        get_item(key).map(text_from_js).map_err(map_err)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        let r = self.raw.set_item(key, value).map_err(map_err);
        forget_keys();
        r
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        let r = self.raw.remove_item(key).map_err(map_err);
        forget_keys();
        r
    }

    fn keys(&self) -> Result<Vec<String>, StorageError> {
        self.keys_with_prefix("")
    }

    /// Read in JavaScript: one crossing for all of them.
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StorageError> {
        let asked = serde_json::to_string(keys).map_err(|e| StorageError::Other(e.to_string()))?;
        let json = text(get_many(&asked).map_err(map_err)?)?;
        serde_json::from_str(&json).map_err(|e| StorageError::Other(e.to_string()))
    }

    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let json = text(scan_prefix(prefix, false).map_err(map_err)?)?;
        serde_json::from_str(&json).map_err(|e| StorageError::Other(e.to_string()))
    }

    /// Counted in JavaScript: only the counts cross into wasm.
    fn count_groups(
        &self,
        prefix: &str,
    ) -> Result<std::collections::BTreeMap<String, usize>, StorageError> {
        let json = text(count_groups(prefix).map_err(map_err)?)?;
        serde_json::from_str(&json).map_err(|e| StorageError::Other(e.to_string()))
    }

    /// Summed in JavaScript, where a string's length is its UTF-16 units:
    /// no value crosses into wasm.
    fn units(&self) -> Result<usize, StorageError> {
        used_units().map(|n| n as usize).map_err(map_err)
    }

    fn scan(&self, prefix: &str) -> Result<Vec<(String, String)>, StorageError> {
        let json = text(scan_prefix(prefix, true).map_err(map_err)?)?;
        let flat: Vec<Option<String>> =
            serde_json::from_str(&json).map_err(|e| StorageError::Other(e.to_string()))?;
        let mut out = Vec::with_capacity(flat.len() / 2);
        let mut it = flat.into_iter();
        while let (Some(Some(k)), Some(v)) = (it.next(), it.next()) {
            // A key removed between listing and reading has no value.
            if let Some(v) = v {
                out.push((k, v));
            }
        }
        Ok(out)
    }
}
