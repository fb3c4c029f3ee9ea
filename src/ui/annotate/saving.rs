//! Propagating a change to the sentences and the panel, and saving:
//! debounced, flushed on demand, merged with other tabs' saves.

use super::*;
use crate::domain::annotate::marks::{SentenceMarks, sentence_marks};
use crate::storage::StorageError;
use crate::ui::notices::Level;
use crate::ui::time;
use leptos::prelude::*;

impl Annot {
    /// Re-derives every sentence's marks and sets the signals of those
    /// that changed.
    pub(super) fn refresh_marks(&self) {
        let changed: Vec<(usize, SentenceMarks)> = self
            .with_mut(|i| {
                let next = sentence_marks(&i.map, &i.set, &i.tag_colours);
                let mut changed = Vec::new();
                for (k, (old, new)) in i.shown.iter_mut().zip(next).enumerate() {
                    if *old != new {
                        *old = new.clone();
                        changed.push((k, new));
                    }
                }
                changed
            })
            .unwrap_or_default();
        for (k, m) in changed {
            if let Some(s) = self.sig(k) {
                s.marks.set(m);
            }
        }
    }

    /// After any edit: update the sentences and the panel, and save soon.
    pub(super) fn after_change(&self) {
        self.refresh_marks();
        self.version.update(|v| *v += 1);
        self.with_mut(|i| i.dirty = true);
        if !matches!(self.save_state.get_untracked(), SaveState::Failed(_)) {
            self.save_state.set(SaveState::Pending);
        }
        let due = self
            .with_mut(|i| std::mem::replace(&mut i.save_due, true))
            .unwrap_or(true);
        if !due {
            let this = *self;
            set_timeout(move || this.flush(), SAVE_DELAY);
        }
    }

    /// Whether the reader that owns this context is still open. Deferred
    /// work (timers, animation frames, async reads) checks it first: a
    /// signal read after its owner is disposed would panic, and with
    /// `panic = "abort"` that ends the app.
    pub fn alive(&self) -> bool {
        !self.version.is_disposed()
    }

    /// Writes unsaved edits now. On failure the edits stay here, the user
    /// is told once, and the write is retried on the next change.
    pub fn flush(&self) {
        if !self.alive() {
            return;
        }
        let now = time::now();
        let Some(mut set) = self
            .with_mut(|i| {
                i.save_due = false;
                // Old tombstones go from the tab's own set as from storage.
                i.dirty.then(|| {
                    i.set.prune(now);
                    i.set.clone()
                })
            })
            .flatten()
        else {
            return;
        };
        match self.lib.save_annotations(&mut set, now) {
            Ok(saved) => {
                let was_failing = self
                    .with_mut(|i| {
                        i.set.merge(&set);
                        i.dirty = false;
                        std::mem::replace(&mut i.failing, false)
                    })
                    .unwrap_or(false);
                self.save_state.set(SaveState::Saved);
                if was_failing {
                    self.notices.info("Your annotations are saved now.");
                }
                if let Some(problem) = saved.quarantined {
                    self.notices.push(Level::Warning, problem.to_string());
                }
                if saved.merged_in {
                    self.refresh_marks();
                    self.version.update(|v| *v += 1);
                }
            }
            Err(e) => {
                let first = self
                    .with_mut(|i| !std::mem::replace(&mut i.failing, true))
                    .unwrap_or(false);
                let text = match e {
                    StorageError::QuotaExceeded => "Browser storage is full, so your latest annotation changes are kept in this tab only. They will be saved with your next change once there is room: delete an article you no longer need.".to_owned(),
                    e @ StorageError::ArticleGone(_) => e.to_string(),
                    other => format!("Your latest annotation changes are kept in this tab only: {other}"),
                };
                if first {
                    self.notices.error(text.clone());
                }
                self.save_state.set(SaveState::Failed(text));
            }
        }
    }

    /// Takes in what another tab stored for this article.
    pub fn merge_from_storage(&self) {
        let id = self.article_id.get_value();
        let Some(stored) = self.lib.stored_annotations(&id) else {
            return;
        };
        let changed = self.with_mut(|i| i.set.merge(&stored)).unwrap_or(false);
        if changed {
            self.refresh_marks();
            self.version.update(|v| *v += 1);
        }
    }

    /// Re-reads the tag colours another tab stored.
    pub fn reload_tag_colours(&self) {
        let tc = self.lib.tag_colours();
        if tc != self.tag_colours.get_untracked() {
            self.with_mut(|i| i.tag_colours = tc.clone());
            self.tag_colours.set(tc);
            self.refresh_marks();
            self.version.update(|v| *v += 1);
        }
    }

    /// The article id.
    pub fn article_id(&self) -> String {
        self.article_id.get_value()
    }
}
