//! The pure domain core of Marginalia.
//!
//! Nothing in here touches the browser: no `leptos`, `web_sys`, `gloo` or
//! `wasm_bindgen` imports. Time and identifiers are passed in by the callers
//! at the edges, so every function here is deterministic and is tested
//! natively with `cargo test`.
//!
//! - [`import`] turns a source (plain text, Markdown, an HTML tree) into blocks.
//! - [`segment`] splits a block into sentences.
//! - [`article`] is the article model, built from parsed blocks.
//! - [`fingerprint`] names an article by its content.
//! - [`library`] is the ordered index of articles.
//! - [`time`] reads and writes RFC 3339 timestamps.

pub mod article;
pub mod fingerprint;
pub mod import;
pub mod library;
pub mod segment;
pub mod time;
pub mod welcome;
