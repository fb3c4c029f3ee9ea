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

/// Mounts the app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
