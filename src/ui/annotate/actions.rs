//! The reader's actions: each gathers its inputs, applies the rule in
//! [`crate::domain::annotate::edit`] and records the edit for undo.

use super::*;
use crate::domain::annotate::annotation::{Colour, Target, parse_tags};
use crate::domain::annotate::edit;
use crate::domain::annotate::set::AnnotationSet;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

impl Annot {
    pub(super) fn commit(&self, edit: Option<edit::Edit>) {
        let Some(edit) = edit.filter(|e| !e.is_empty()) else {
            return;
        };
        self.with_mut(|i| i.history.record(edit.label, edit.changes));
        self.after_change();
    }

    /// Applies `rule` to the selection's target, as an edit made now that
    /// may create an annotation (with a fresh id from the browser's random
    /// source, in the current colour), and records it.
    fn act_on_selection(
        &self,
        rule: impl FnOnce(&mut AnnotationSet, Target, DateTime<Utc>, edit::New) -> edit::Edit,
    ) {
        let Some(target) = self.need_selection() else {
            return;
        };
        let now = self.stamp();
        let new = edit::New {
            id: dom::uuid(),
            article: self.article_id.get_value(),
            colour: self.colour.get_untracked(),
        };
        let edit = self.with_mut(|i| rule(&mut i.set, target, now, new));
        self.commit(edit);
    }

    pub(super) fn need_selection(&self) -> Option<Target> {
        let t = self.target();
        if t.is_none() {
            self.notices
                .info("Select a sentence first: click it, or press j.");
        }
        t
    }

    /// `h` and `1`–`6`: highlights the selection in `colour`; an annotation
    /// at exactly the same place is recoloured instead.
    pub fn highlight(&self, colour: Colour) {
        self.colour.set(colour);
        self.act_on_selection(|set, target, now, new| {
            edit::highlight(set, target, colour, now, new)
        });
    }

    /// Recolours one annotation (from the panel).
    pub fn recolour(&self, id: &str, colour: Colour) {
        let now = self.stamp();
        let change = self
            .with_mut(|i| i.set.update(id, now, |a| a.colour = colour))
            .flatten();
        self.commit(Some(edit::Edit::of("recolour", change)));
    }

    /// `t` then Enter: adds the typed tags (comma-separated) to the
    /// annotation under the selection, or highlights the selection with
    /// them.
    pub fn apply_tags(&self, input: &str) {
        if parse_tags(input).is_empty() {
            return;
        }
        let known = self.ranked_tags();
        self.act_on_selection(|set, target, now, new| {
            edit::add_tags(set, target, input, &known, now, new)
        });
    }

    /// Removes one tag from an annotation.
    pub fn untag(&self, id: &str, tag: &str) {
        let now = self.stamp();
        let change = self
            .with_mut(|i| i.set.update(id, now, |a| a.tags.retain(|t| t != tag)))
            .flatten();
        self.commit(Some(edit::Edit::of("untag", change)));
    }

    /// `n` then Ctrl+Enter: sets the note of the annotation under the
    /// selection, or highlights the selection with the note.
    pub fn save_note(&self, text: &str) {
        self.act_on_selection(|set, target, now, new| edit::set_note(set, target, text, now, new));
    }

    /// Delete / Backspace: removes the annotation under the selection, or
    /// else every annotation the selection overlaps.
    pub fn delete_selected(&self) {
        let Some(target) = self.target() else { return };
        let now = self.stamp();
        let edit = self.with_mut(|i| edit::delete_at(&mut i.set, &target, now));
        if edit.as_ref().is_none_or(edit::Edit::is_empty) {
            self.notices.info("There is no annotation here to delete.");
        }
        self.commit(edit);
    }

    /// Attaches an orphan to the selected text, by hand: it takes the
    /// selection's place and quote and is shown in the text again.
    pub fn attach(&self, id: &str) {
        let Some(target) = self.need_selection() else {
            return;
        };
        let now = self.stamp();
        let edit = self.with_mut(|i| edit::attach(&mut i.set, id, target, now));
        if edit.as_ref().is_some_and(|e| !e.is_empty()) {
            self.notices.info("Attached to the selected text.");
        }
        self.commit(edit);
    }

    /// Deletes one annotation (from the panel).
    pub fn delete(&self, id: &str) {
        let now = self.stamp();
        let change = self.with_mut(|i| i.set.remove(id, now)).flatten();
        self.commit(Some(edit::Edit::of("delete", change)));
    }

    /// Ctrl/Cmd+Z.
    pub fn undo(&self) {
        let now = self.stamp();
        match self.with_mut(|i| i.history.undo(&mut i.set, now)).flatten() {
            Some(label) => {
                self.after_change();
                self.notices.info(format!("Undone: {label}."));
            }
            None => self.notices.info("Nothing to undo."),
        }
    }

    /// Ctrl/Cmd+Shift+Z.
    pub fn redo(&self) {
        let now = self.stamp();
        match self.with_mut(|i| i.history.redo(&mut i.set, now)).flatten() {
            Some(label) => {
                self.after_change();
                self.notices.info(format!("Redone: {label}."));
            }
            None => self.notices.info("Nothing to redo."),
        }
    }

    /// Gives a tag a colour (or none); saved at once, for the whole library.
    pub fn set_tag_colour(&self, tag: &str, colour: Option<Colour>) {
        let mut tc = self.tag_colours.get_untracked();
        tc.set(tag, colour);
        if let Err(e) = self.lib.save_tag_colours(&tc) {
            self.notices.error(e.to_string());
            return;
        }
        self.with_mut(|i| i.tag_colours = tc.clone());
        self.tag_colours.set(tc);
        self.refresh_all_marks();
        self.version.update(|v| *v += 1);
    }
}
