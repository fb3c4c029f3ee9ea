//! Offline use: registers the service worker (`static/sw.js`) that keeps
//! the app's own files, and sends it the list of files this page loaded
//! (it keeps those and drops the rest). Once they are kept, `<html>` gets
//! `data-offline-ready="true"`. When the page turns out to be a new
//! version (the worker saw the page change), the reader is told.
//!
//! The worker holds none of the reader's data: that stays in
//! `localStorage` and IndexedDB (see `storage`).

use super::notices::Notices;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function register_offline(on_update) {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
  navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready).then((reg) => {
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'cached') {
        document.documentElement.dataset.offlineReady = 'true';
        if (e.data.updated) on_update();
      }
    });
    // The icon is fetched by the browser itself, outside resource timing.
    const urls = [location.href.split('#')[0], new URL('icon-192.png', location.href).href]
      .concat(performance.getEntriesByType('resource').map((r) => r.name));
    (navigator.serviceWorker.controller || reg.active).postMessage({ type: 'cache', urls });
  }).catch(() => {});
}
")]
extern "C" {
    fn register_offline(on_update: JsValue);
}

/// Registers the service worker; a notice says when a new version loaded.
pub fn register(notices: Notices) {
    let on_update = Closure::once_into_js(move || {
        notices.info("Marginalia was updated: this is its new version.");
    });
    register_offline(on_update);
}
