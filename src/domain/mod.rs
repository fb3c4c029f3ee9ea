//! The pure domain core of Marginalia.
//!
//! Nothing in here touches the browser: no `leptos`, `web_sys`, `gloo` or
//! `wasm_bindgen` imports. Time and identifiers are passed in by the callers
//! at the edges, so every function here is deterministic and is tested
//! natively with `cargo test`.
//!
//! Grouped by concern, each group a folder:
//!
//! - [`text`]: text helpers with no model (case folding, shortening).
//! - [`time`]: RFC 3339 timestamps.
//! - [`import`]: a source (plain text, Markdown, an HTML tree) into blocks.
//! - [`article`]: the article model, sentence segmentation, content
//!   fingerprints, the library index and the welcome article.
//! - [`annotate`]: annotations, the per-article set with its merge, the
//!   rules of each reader action, undo and redo, what each sentence shows,
//!   the text map and re-anchoring.
//! - [`exchange`]: export and import: the bundle and the Marginalia JSON
//!   format, reading untrusted JSON, W3C Web Annotation, Markdown, reading
//!   an uploaded file, and planning an import or a replacement.
//! - [`search`]: searching the library: words, queries, the index and
//!   its ranking, the sentences a result shows.
//! - [`sync`]: the documents and revisions of sync through CouchDB's
//!   replication protocol, and what a conflict keeps.

pub mod annotate;
pub mod article;
pub mod exchange;
pub mod import;
pub mod search;
pub mod sync;
pub mod text;
pub mod time;
