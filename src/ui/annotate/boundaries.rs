//! Correcting sentence boundaries from the reader: join and split.

use super::*;
use crate::domain::article::Article;
use leptos::prelude::*;

impl Annot {
    /// Remembers where a click put the caret, for "Split here".
    pub fn set_caret(&self, caret: Option<(usize, u32)>) {
        self.with_mut(|i| i.caret = caret);
    }

    /// Where "Split here" would split: the start of an exact selection,
    /// else the caret of the last click, when inside the selected sentence.
    pub fn split_point(&self) -> Option<(usize, u32)> {
        let sel = self.selection.get_untracked()?;
        let (a, b) = sel.range();
        if a != b {
            return None;
        }
        if let Some(p) = sel.span {
            let start = self
                .with(|i| i.map.sentence(a).map(|s| s.start))
                .flatten()?;
            return Some((a, p.start.saturating_sub(start)));
        }
        self.with(|i| i.caret).flatten().filter(|(s, _)| *s == a)
    }

    pub(super) fn correct(
        &self,
        select: usize,
        fix: impl FnOnce(&mut Article) -> Result<(), String>,
    ) {
        let Some(slot) = self.slot else { return };
        self.flush();
        let Some(mut article) = self.with(|i| i.article.clone()) else {
            return;
        };
        if let Err(e) = fix(&mut article) {
            self.notices
                .error(format!("The sentences were not changed: {e}."));
            return;
        }
        let (lib, notices) = (self.lib, self.notices);
        leptos::task::spawn_local(async move {
            match lib.update_article(&article).await {
                // The reader may be gone meanwhile: then only storage changed.
                Ok(()) if !slot.generation.is_disposed() => {
                    // This tab made the new revision: it needs no reload.
                    if let Some(r) = lib.revision(&article.id) {
                        slot.revision.try_set_value(r);
                    }
                    slot.select_after.try_set(Some(select));
                    slot.article.try_update_untracked(|a| *a = Some(article));
                    slot.generation.try_update(|g| *g += 1);
                }
                Ok(()) => {}
                Err(e) => notices.error(format!("The sentences were not changed. {e}")),
            }
        });
    }

    /// Joins the selected sentence with the next one in its paragraph.
    pub fn join_with_next(&self) {
        let Some(sel) = self.selection.get_untracked() else {
            return;
        };
        let (a, b) = sel.range();
        if a != b {
            self.notices
                .info("Select one sentence to join it with the next.");
            return;
        }
        self.correct(a, |art| art.join_with_next(a));
    }

    /// Splits the selected sentence at the caret (or the start of an
    /// exact selection).
    pub fn split_here(&self) {
        let Some((s, at)) = self.split_point() else {
            self.notices.info(
                "Click in the sentence where it should be split (or select from there with Alt held), then choose Split here.",
            );
            return;
        };
        self.correct(s, |art| art.split_sentence(s, at as usize));
    }
}
