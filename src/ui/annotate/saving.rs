//! Propagating a change to the sentences and the panel, and saving:
//! debounced, flushed on demand, merged with other tabs' saves.

use super::*;
use crate::domain::annotate::marks::{MarksIndex, SentenceMarks};
use crate::storage::StorageError;
use crate::ui::notices::Level;
use leptos::prelude::*;

/// The User Timing measure of the last save (see [`Annot::flush`]).
pub const SAVE_MEASURE: &str = "marginalia:save";
const SAVE_MARK: &str = "marginalia:save-start";

impl Annot {
    /// Works out again the marks of the sentences that the annotations
    /// changed since the last call touch (and no others), and sets the
    /// signals of those whose marks changed. Costs what changed.
    pub(super) fn refresh_marks(&self) {
        self.refresh_marks_with(Vec::new());
    }

    /// [`Annot::refresh_marks`], and the sentences of annotations `also`
    /// (whose conflicts changed).
    pub(super) fn refresh_marks_with(&self, also: Vec<String>) {
        let changed = self
            .with_mut(|i| {
                let mut ids = i.set.take_touched();
                ids.extend(also);
                let sentences = i
                    .index
                    .update(&i.map, &i.set, ids.iter().map(String::as_str));
                let mut changed = Vec::new();
                for k in sentences {
                    let m = i.marks_at(k);
                    if let Some(old) = i.shown.get_mut(k)
                        && *old != m
                    {
                        let before = std::mem::replace(old, m.clone());
                        changed.push((k, before, m));
                    }
                }
                changed
            })
            .unwrap_or_default();
        self.paint(changed);
    }

    /// Works out every sentence's marks again (after tag colours changed).
    pub(super) fn refresh_all_marks(&self) {
        let changed = self
            .with_mut(|i| {
                i.set.take_touched();
                i.index = MarksIndex::new(&i.map, &i.set);
                let mut changed = Vec::new();
                for k in 0..i.shown.len() {
                    let m = i.marks_at(k);
                    if i.shown[k] != m {
                        let before = std::mem::replace(&mut i.shown[k], m.clone());
                        changed.push((k, before, m));
                    }
                }
                changed
            })
            .unwrap_or_default();
        self.paint(changed);
    }

    /// Repaints the sentence elements whose marks changed.
    fn paint(&self, changed: Vec<(usize, SentenceMarks, SentenceMarks)>) {
        for (k, before, after) in changed {
            if let Some(el) = self.el(k) {
                let text = self
                    .with(|i| i.map.sentence_text(k).to_owned())
                    .unwrap_or_default();
                paint::marks(&el, k, &text, &before, &after);
            }
        }
    }

    /// After any edit: update the sentences and the panel, and save soon.
    pub(super) fn after_change(&self) {
        self.refresh_marks();
        self.version.update(|v| *v += 1);
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
        let lib = self.lib;
        let timing = window().performance();
        if let Some(p) = &timing {
            let _ = p.mark(SAVE_MARK);
        }
        let Some(result) = self
            .with_mut(|i| {
                i.save_due = false;
                i.set
                    .has_unsaved()
                    .then(|| lib.save_changes(&mut i.set, &i.map))
            })
            .flatten()
        else {
            return;
        };
        // The main-thread cost of the save (merge, serialise, write), as a
        // User Timing measure that tools (scripts/bench) read; only the
        // latest is kept.
        if let Some(p) = timing {
            p.clear_measures_with_measure_name(SAVE_MEASURE);
            let _ = p.measure_with_start_mark(SAVE_MEASURE, SAVE_MARK);
            p.clear_marks_with_mark_name(SAVE_MARK);
        }
        match result {
            Ok(saved) => {
                let was_failing = self
                    .with_mut(|i| std::mem::replace(&mut i.failing, false))
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

    /// Takes in everything another tab stored for this article (after
    /// storage was cleared, or an import in this tab).
    pub fn merge_from_storage(&self) {
        let lib = self.lib;
        let changed = self
            .with_mut(|i| {
                let stored = lib.stored_annotations(&i.map, i.set.article());
                i.set.merge(&stored)
            })
            .unwrap_or(false);
        if changed {
            self.refresh_marks();
            self.version.update(|v| *v += 1);
        }
    }

    /// Takes in one record another tab stored (a `storage` event): costs
    /// that one record.
    pub fn merge_event(&self, key: &str, value: Option<&str>) {
        let lib = self.lib;
        let changed = self
            .with_mut(|i| lib.merge_event(&mut i.set, &i.map, key, value))
            .unwrap_or(false);
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
            self.refresh_all_marks();
            self.version.update(|v| *v += 1);
        }
    }

    /// The article id.
    pub fn article_id(&self) -> String {
        self.article_id.get_value()
    }
}
