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
//! - [`textmap`] locates sentences in code points of the article text.
//! - [`annotation`] is the annotation model: target, colour, tags, note.
//! - [`annotations`] is one article's annotation set: edits, multi-tab
//!   merge, queries, stored form.
//! - [`anchor`] finds annotations again after an article's text changed.
//! - [`edit`] is what each reader action does to which annotation.
//! - [`history`] is undo and redo.
//! - [`marks`] is what each sentence shows.
//! - [`fold`] is case-insensitive comparison; [`text`] shortens text for display.
//! - [`json_path`] reads untrusted JSON, naming the path of a problem.
//! - [`exchange`] is the export model and the Marginalia JSON format.
//! - [`w3c`] is the W3C Web Annotation (JSON-LD) export.
//! - [`export_file`] reads an uploaded export file in either format.
//! - [`markdown_out`] is the Markdown export.
//! - [`restore`] plans an import and replaces an article by a new version.

pub mod anchor;
pub mod annotation;
pub mod annotations;
pub mod article;
pub mod edit;
pub mod exchange;
pub mod export_file;
pub mod fingerprint;
pub mod fold;
pub mod history;
pub mod import;
pub mod json_path;
pub mod library;
pub mod markdown_out;
pub mod marks;
pub mod restore;
pub mod segment;
pub mod text;
pub mod textmap;
pub mod time;
pub mod w3c;
pub mod welcome;
