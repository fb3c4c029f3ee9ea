//! Export and import in the UI: the export menu (JSON, W3C JSON-LD,
//! Markdown, for the open article or the whole library), reading an import
//! file into a plan, the preview dialog that applies it only on "Import",
//! and replacing an article with an edited version.
//!
//! Nothing is stored before the reader confirms; cancelling, or closing
//! the dialog, drops the plan. The formats and the rules are in the domain
//! ([`crate::domain::exchange`], [`crate::domain::exchange::restore`]).
//! - [`export`]: the export menu and downloads;
//! - [`read`]: reading an import file or an edited version into a preview;
//! - [`dialog`]: the preview dialog that applies it.

mod dialog;
mod export;
mod read;

pub use dialog::TransferDialog;
pub use export::{ExportMenu, export_backup};
pub use read::{read_import, read_replacement};

use super::annotate::Annot;
use crate::domain::article::Article;
use crate::domain::exchange::restore::{Plan, Replacement};
use leptos::prelude::*;

/// The app's version, written into exports.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What waits for the reader's confirmation.
#[derive(Clone)]
pub enum Pending {
    /// An import file, read and planned.
    Import {
        /// The file's name.
        name: String,
        /// What it will do.
        plan: Plan,
    },
    /// An edited version of an article.
    Replace {
        /// The old article.
        old: Box<Article>,
        /// The file's name.
        name: String,
        /// The edited text, as read from the file.
        new: Box<Article>,
        /// The preview: the new version with the annotations stored when
        /// the file was read, re-anchored. Confirming moves those stored
        /// then, so edits made meanwhile move too.
        replacement: Box<Replacement>,
        /// The reader that asked, whose unsaved edits are written first.
        annot: Box<Annot>,
    },
}

/// The pending import or replacement, shared by the pages and the dialog.
#[derive(Clone, Copy)]
pub struct PendingCtx(pub RwSignal<Option<Pending>, LocalStorage>);

/// Whether a file name is an annotation export rather than an article.
pub fn is_export_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".jsonld")
}
