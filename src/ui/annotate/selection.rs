//! The selection and the keyboard cursor, updating only the sentences
//! whose state changes.

use super::*;
use crate::domain::annotate::annotation::{Annotation, Target};
use leptos::prelude::*;

impl Annot {
    /// Sets the selection, updating only the sentences whose state changes.
    pub fn select(&self, sel: Option<Sel>) {
        let new_range = sel.map(|s| s.range());
        let old_range = self
            .with_mut(|i| std::mem::replace(&mut i.selected, new_range))
            .flatten();
        let inside = |r: Option<(usize, usize)>, k: usize| r.is_some_and(|(a, b)| a <= k && k <= b);
        let mut touched: Vec<usize> = Vec::new();
        for r in [old_range, new_range].into_iter().flatten() {
            touched.extend(r.0..=r.1);
        }
        touched.sort_unstable();
        touched.dedup();
        for k in touched {
            if let Some(el) = self.el(k) {
                paint::selected(&el, inside(new_range, k));
            }
        }
        if let Some(s) = sel {
            self.set_cursor(s.focus);
        }
        if self.selection.get_untracked() != sel {
            self.selection.set(sel);
        }
        if sel.is_none() && self.mode.get_untracked() != Mode::Help {
            self.mode.set(Mode::Idle);
        }
    }

    /// Moves the keyboard cursor (the one sentence with `tabindex="0"`).
    pub fn set_cursor(&self, k: usize) {
        let Some(old) = self.with_mut(|i| std::mem::replace(&mut i.cursor, k)) else {
            return;
        };
        if old != k {
            if let Some(el) = self.el(old) {
                paint::cursor(&el, false);
            }
            if let Some(el) = self.el(k) {
                paint::cursor(&el, true);
            }
        }
    }

    /// Closes the shortcut list and gives focus back to the text.
    pub fn close_help(&self) {
        self.mode.set(Mode::Idle);
        dom::focus_sentence(self.cursor());
    }

    /// The sentence with the keyboard cursor.
    pub fn cursor(&self) -> usize {
        self.with(|i| i.cursor).unwrap_or(0)
    }

    /// A click (or Enter) on sentence `k` selects it; `extend` (Shift)
    /// extends the selection from its anchor instead.
    pub fn click(&self, k: usize, extend: bool) {
        let next = match self.selection.get_untracked() {
            Some(s) if extend => Sel {
                anchor: s.anchor,
                focus: k,
                span: None,
            },
            _ => Sel::one(k),
        };
        self.select(Some(next));
    }

    /// `j` / `k`: moves the selection one sentence on (or back); with
    /// `extend`, moves only its focus.
    pub fn step(&self, forward: bool, extend: bool) {
        let n = self.sentence_count();
        if n == 0 {
            return;
        }
        let next = match self.selection.get_untracked() {
            // Nothing selected: start where the reader is looking.
            None => {
                let c = self.cursor();
                if dom::is_on_screen(c) {
                    c.min(n - 1)
                } else {
                    dom::first_visible_sentence().unwrap_or(c).min(n - 1)
                }
            }
            Some(s) => {
                let (a, b) = s.range();
                let from = if extend {
                    s.focus
                } else if forward {
                    b
                } else {
                    a
                };
                if forward {
                    (from + 1).min(n - 1)
                } else {
                    from.saturating_sub(1)
                }
            }
        };
        let sel = match self.selection.get_untracked() {
            Some(s) if extend => Sel {
                anchor: s.anchor,
                focus: next,
                span: None,
            },
            _ => Sel::one(next),
        };
        self.select(Some(sel));
        dom::focus_sentence(next);
    }

    /// The target of the selection.
    pub fn target(&self) -> Option<Target> {
        let sel = self.selection.get_untracked()?;
        self.with(|i| match sel.span {
            Some(p) => Target::span(&i.map, p.start, p.end),
            None => {
                let (a, b) = sel.range();
                Target::sentences(&i.map, a, b)
            }
        })
        .flatten()
    }

    /// The annotation an action on the selection applies to (tracked).
    pub fn under_selection(&self) -> Option<Annotation> {
        self.version.track();
        self.selection.track();
        let target = self.target()?;
        self.with(|i| i.set.under(&target).cloned()).flatten()
    }
}
