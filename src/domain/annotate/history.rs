//! Undo and redo for one article's annotations.
//!
//! Each user action is one [`Edit`]: the [`Change`]s it made (several when
//! one action touched several annotations). Undo sets each annotation back
//! to its state before the edit, redo to its state after, both as new
//! edits stamped with the current time, so the multi-tab merge treats an
//! undo like any other change and it is not lost to an older copy.

use crate::domain::annotate::set::{AnnotationSet, Change};
use chrono::{DateTime, Utc};

/// Most edits kept for undo.
pub const MAX_UNDO: usize = 500;

/// One user action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What it did, for the "Undone: …" message ("highlight", "tag", …).
    pub label: &'static str,
    /// The changes, in the order they were made.
    pub changes: Vec<Change>,
}

/// The undo and redo stacks.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Edit>,
    redo: Vec<Edit>,
}

impl History {
    /// Records an edit; a new edit clears the redo stack. Edits without
    /// changes are not recorded.
    pub fn record(&mut self, label: &'static str, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        self.redo.clear();
        self.undo.push(Edit { label, changes });
        if self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
        }
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Undoes the last edit; returns its label.
    pub fn undo(&mut self, set: &mut AnnotationSet, now: DateTime<Utc>) -> Option<&'static str> {
        let edit = self.undo.pop()?;
        for c in edit.changes.iter().rev() {
            set.restore(&c.id, c.before.as_ref(), now);
        }
        let label = edit.label;
        self.redo.push(edit);
        Some(label)
    }

    /// Redoes the last undone edit; returns its label.
    pub fn redo(&mut self, set: &mut AnnotationSet, now: DateTime<Utc>) -> Option<&'static str> {
        let edit = self.redo.pop()?;
        for c in &edit.changes {
            set.restore(&c.id, c.after.as_ref(), now);
        }
        let label = edit.label;
        self.undo.push(edit);
        Some(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotate::annotation::{Annotation, Colour, Target};
    use chrono::TimeDelta;

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
    }

    fn visible(s: &AnnotationSet) -> Vec<(String, Colour, Vec<String>, String)> {
        s.in_document_order()
            .into_iter()
            .map(|a| (a.id.clone(), a.colour, a.tags.clone(), a.note.clone()))
            .collect()
    }

    #[test]
    fn every_kind_of_edit_undoes_and_redoes_in_sequence() {
        let mut s = AnnotationSet::new("art");
        let mut h = History::default();
        let mut states = vec![visible(&s)];
        let a = Annotation::new("x".into(), "art", Target::default(), Colour::Yellow, t(1));
        let c = s.put(a);
        h.record("highlight", vec![c]);
        states.push(visible(&s));
        let c = s.update("x", t(2), |a| a.colour = Colour::Pink).unwrap();
        h.record("recolour", vec![c]);
        states.push(visible(&s));
        let c = s
            .update("x", t(3), |a| a.tags = vec!["one".into(), "two".into()])
            .unwrap();
        h.record("tag", vec![c]);
        states.push(visible(&s));
        let c = s
            .update("x", t(4), |a| a.tags.retain(|t| t != "one"))
            .unwrap();
        h.record("untag", vec![c]);
        states.push(visible(&s));
        let c = s.update("x", t(5), |a| a.note = "a note".into()).unwrap();
        h.record("note", vec![c]);
        states.push(visible(&s));
        let c = s.remove("x", t(6)).unwrap();
        h.record("delete", vec![c]);
        states.push(visible(&s));

        let mut now = 10;
        for expected in states.iter().rev().skip(1) {
            now += 1;
            assert!(h.undo(&mut s, t(now)).is_some());
            assert_eq!(&visible(&s), expected);
        }
        assert!(h.undo(&mut s, t(now)).is_none());
        for expected in states.iter().skip(1) {
            now += 1;
            assert!(h.redo(&mut s, t(now)).is_some());
            assert_eq!(&visible(&s), expected);
        }
        assert!(!h.can_redo());
    }

    #[test]
    fn a_new_edit_clears_redo() {
        let mut s = AnnotationSet::new("art");
        let mut h = History::default();
        let a = Annotation::new("x".into(), "art", Target::default(), Colour::Yellow, t(1));
        h.record("highlight", vec![s.put(a)]);
        assert_eq!(h.undo(&mut s, t(2)), Some("highlight"));
        assert!(h.can_redo());
        let b = Annotation::new("y".into(), "art", Target::default(), Colour::Blue, t(3));
        h.record("highlight", vec![s.put(b)]);
        assert!(!h.can_redo());
        h.record("nothing", vec![]);
        assert_eq!(h.undo(&mut s, t(4)), Some("highlight"));
    }

    #[test]
    fn undoing_a_multi_annotation_delete_brings_all_back_and_outlives_tombstones() {
        let mut s = AnnotationSet::new("art");
        let mut h = History::default();
        for id in ["a", "b"] {
            s.put(Annotation::new(
                id.into(),
                "art",
                Target::default(),
                Colour::Green,
                t(1),
            ));
        }
        let changes = vec![s.remove("a", t(5)).unwrap(), s.remove("b", t(5)).unwrap()];
        h.record("delete", changes);
        let tab2 = s.clone();
        // Undo in the same millisecond as the delete.
        h.undo(&mut s, t(5));
        assert_eq!(s.len(), 2);
        let mut other = tab2;
        other.merge(&s);
        assert_eq!(
            other.len(),
            2,
            "the undo wins over the other tab's tombstones"
        );
    }

    #[test]
    fn undo_history_is_bounded() {
        let mut s = AnnotationSet::new("art");
        let mut h = History::default();
        for i in 0..MAX_UNDO + 10 {
            let a = Annotation::new(
                format!("{i}"),
                "art",
                Target::default(),
                Colour::Yellow,
                t(1),
            );
            h.record("highlight", vec![s.put(a)]);
        }
        let mut n = 0;
        while h.undo(&mut s, t(2)).is_some() {
            n += 1;
        }
        assert_eq!(n, MAX_UNDO);
        assert_eq!(s.len(), 10);
    }
}
