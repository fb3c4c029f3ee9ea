//! The origin's storage quota (wasm only): `navigator.storage.estimate()`,
//! `persisted()` and `persist()`. Each answers `None` where the browser
//! offers no answer.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

fn manager() -> Option<web_sys::StorageManager> {
    Some(web_sys::window()?.navigator().storage())
}

fn number(v: &JsValue, field: &str) -> Option<f64> {
    js_sys::Reflect::get(v, &field.into()).ok()?.as_f64()
}

/// Bytes used and the quota the origin may use, IndexedDB included.
pub async fn estimate() -> Option<(f64, f64)> {
    let e = JsFuture::from(manager()?.estimate().ok()?).await.ok()?;
    Some((number(&e, "usage")?, number(&e, "quota")?))
}

/// Whether the browser keeps this origin's data when disk space runs low.
pub async fn persisted() -> Option<bool> {
    JsFuture::from(manager()?.persisted().ok()?)
        .await
        .ok()?
        .as_bool()
}

/// Asks the browser to keep this origin's data when disk space runs low;
/// whether it granted that.
pub async fn persist() -> Option<bool> {
    JsFuture::from(manager()?.persist().ok()?)
        .await
        .ok()?
        .as_bool()
}
