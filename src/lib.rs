//! Marginalia: a private, local-first article reader that runs in the browser.
//!
//! The crate has three layers (see `ARCHITECTURE.md`):
//! - [`domain`]: the pure core (article model, import parsing, sentence
//!   segmentation, library), free of any browser code, tested natively;
//! - [`storage`]: the only code that touches `localStorage`, behind a trait;
//! - `ui` (wasm only): thin Leptos components over the other two.

#![warn(missing_docs)]

pub mod domain;
pub mod storage;

#[cfg(target_arch = "wasm32")]
pub mod ui;

/// Opens IndexedDB for article bodies (a few milliseconds), then mounts
/// the app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    console_error_panic_hook::set_once();
    ui::time::mark("marginalia:start");
    wasm_bindgen_futures::spawn_local(async {
        let bodies = storage::idb::IdbBodies::open().await;
        ui::time::mark("marginalia:idb-opened");
        leptos::mount::mount_to_body(move || ui::App(ui::AppProps { bodies }));
    });
}
