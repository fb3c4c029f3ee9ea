//! Shared code of Marginalia's fuzz targets (`src/bin/*.rs`).
//!
//! - [`domain`] is the only file that names paths inside the main crate's
//!   `domain` module: when those modules move, fix the paths there.
//! - [`glue`] holds everything the targets share: turning fuzz bytes into
//!   texts, HTML trees, edits and annotations, and the checks (invariants)
//!   that a target asserts.

pub mod domain;
pub mod glue;
