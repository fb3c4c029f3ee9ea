//! Sync conflicts in the reader: which annotations kept versions from a
//! conflict (`data-conflict` on their sentences, a marker in the panel),
//! and the reader's two answers, restoring a version (an undoable edit)
//! or dismissing the conflict. Both sync to the other devices.

use super::*;
use crate::domain::sync::conflict::{self, Conflict};

impl Annot {
    /// The conflict kept on annotation `id` (tracked by `version`).
    pub fn conflict(&self, id: &str) -> Option<Conflict> {
        self.version.track();
        self.with(|i| i.conflicts.get(id).cloned()).flatten()
    }

    /// Conflicts whose annotation is not shown (deleted here, its lost
    /// version an edit), in the order found (tracked by `version`).
    pub fn conflicts_without_annotation(&self) -> Vec<Conflict> {
        self.version.track();
        self.with(|i| {
            let mut out: Vec<Conflict> = i
                .conflicts
                .values()
                .filter(|c| i.set.get(&c.id).is_none_or(|a| a.orphan))
                .cloned()
                .collect();
            out.sort_by_key(|c| c.found);
            out
        })
        .unwrap_or_default()
    }

    /// Re-reads the conflicts (after a sync or another tab's change) and
    /// repaints the sentences of those that came or went.
    pub fn reload_conflicts(&self) {
        let fresh = self.lib.conflicts(&self.article_id());
        let changed: Vec<String> = self
            .with_mut(|i| {
                let mut ids: Vec<String> = fresh
                    .iter()
                    .filter(|(id, c)| i.conflicts.get(*id) != Some(c))
                    .map(|(id, _)| id.clone())
                    .collect();
                ids.extend(
                    i.conflicts
                        .keys()
                        .filter(|id| !fresh.contains_key(*id))
                        .cloned(),
                );
                i.conflicts = fresh;
                ids
            })
            .unwrap_or_default();
        if !changed.is_empty() {
            self.refresh_marks_with(changed);
            self.version.update(|v| *v += 1);
        }
    }

    /// Dismisses the conflict on annotation `id`: the version shown stays.
    pub fn dismiss_conflict(&self, id: &str) {
        match self.lib.dismiss_conflict(&self.article_id(), id) {
            Ok(_) => {
                self.with_mut(|i| i.conflicts.remove(id));
                self.refresh_marks_with(vec![id.to_owned()]);
                self.version.update(|v| *v += 1);
            }
            Err(e) => {
                self.notices.push(
                    Level::Error,
                    format!("The conflict could not be dismissed: {e}"),
                );
            }
        }
    }

    /// Makes version `k` of annotation `id`'s conflict its state now (an
    /// edit, undoable), then dismisses the conflict.
    pub fn restore_conflict(&self, id: &str, k: usize) {
        let now = self.stamp();
        let edit = self
            .with_mut(|i| {
                let v = i.conflicts.get(id)?.versions.get(k)?.clone();
                Some(conflict::restore(&mut i.set, &i.map, id, &v, now))
            })
            .flatten();
        if edit.is_none() {
            return;
        }
        self.commit(edit);
        self.dismiss_conflict(id);
        self.notices.info("The other version is restored.");
    }
}
