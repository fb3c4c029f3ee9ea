//! Reading an import file, or an edited version of an article, into a
//! pending preview (nothing is stored).

use super::{Pending, PendingCtx};
use crate::domain::article::Article;
use crate::domain::exchange::restore::{self};
use crate::storage::StorageError;
use crate::ui::annotate::Annot;
use crate::ui::context::LibraryCtx;
use crate::ui::files;
use crate::ui::notices::{Level, Notices};
use crate::ui::time;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;
/// Reads an export file into a plan and shows the preview.
pub fn read_import(lib: LibraryCtx, notices: Notices, pending: PendingCtx, file: web_sys::File) {
    spawn_local(async move {
        let name = file.name();
        if let Err(e) = crate::domain::exchange::file::check_import_size(file.size() as u64) {
            notices.error(format!("{name}: {e} Nothing was imported."));
            return;
        }
        let bytes = match JsFuture::from(file.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                notices.error(format!(
                    "{name}: the file could not be read. Nothing was imported."
                ));
                return;
            }
        };
        let planned = match crate::domain::exchange::file::read_file(&bytes) {
            Ok(read) => lib.plan_import(&read).await,
            Err(e) => Err(e),
        };
        match planned {
            Ok(plan) => pending.0.set(Some(Pending::Import { name, plan })),
            Err(e) => notices.error(format!("{name} was not imported. {e}")),
        }
    });
}

/// Reads an edited version of `old` and shows what replacing it does.
pub fn read_replacement(
    lib: LibraryCtx,
    notices: Notices,
    pending: PendingCtx,
    annot: Annot,
    old: Article,
    file: web_sys::File,
) {
    spawn_local(async move {
        let name = file.name();
        let new = match files::read_article(&file, time::now()).await {
            Ok(a) => a,
            Err(e) => {
                notices.error(format!("{name}: {e}"));
                return;
            }
        };
        if new.id == old.id {
            notices.info(format!(
                "{name} has the same text as this article; nothing to replace."
            ));
            return;
        }
        if lib.library().with_untracked(|l| l.get(&new.id).is_some()) {
            notices.error(format!(
                "{name} is already in your library as an article of its own; delete it there first."
            ));
            return;
        }
        if !annot.alive() {
            return;
        }
        annot.flush();
        let map = crate::domain::annotate::textmap::TextMap::new(&old);
        let (set, problems) = lib.load_annotations(&map, &old.id);
        for e in problems {
            if let e @ StorageError::Corrupt { .. } = e {
                // Moved to a backup key and kept; the user is told.
                notices.push(Level::Warning, e.to_string());
            } else {
                notices.error(format!("{name} cannot replace this article: {e}"));
                return;
            }
        }
        let replacement = Box::new(restore::replace(&old, &set, new.clone()));
        pending.0.set(Some(Pending::Replace {
            old: Box::new(old),
            name,
            new: Box::new(new),
            replacement,
            annot: Box::new(annot),
        }));
    });
}
