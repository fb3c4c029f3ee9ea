//! Annotating one article, as pure code.
//!
//! - [`annotation`]: the annotation model: target (sentence range, quote,
//!   code-point position), colour, tags, note.
//! - [`set`]: one article's annotations, indexed by id: edits, tombstones,
//!   the multi-tab merge, queries, the stored form.
//! - [`record`]: the compact stored form of one annotation or tombstone.
//! - [`retag`]: the library-wide tag manager: rename, merge, delete, undo, statistics.
//! - [`edit`]: what each reader action does to which annotation.
//! - [`history`]: undo and redo.
//! - [`marks`]: what each sentence shows.
//! - [`markup`]: the reader's body and sentence attributes as HTML text.
//! - [`notebook`]: every annotation across the library, filtered and grouped.
//! - [`textmap`]: the article text and every sentence's place in code points.
//! - [`anchor`]: finding annotations again after the text changed.

pub mod anchor;
pub mod annotation;
pub mod edit;
pub mod history;
pub mod marks;
pub mod markup;
pub mod notebook;
pub mod record;
pub mod retag;
pub mod set;
pub mod textmap;
