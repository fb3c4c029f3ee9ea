//! Annotating in the reader: the [`Annot`] context and its parts.
//!
//! [`Annot`] holds one article's annotations, undo history and text map
//! (plain domain values in a `StoredValue`), one pair of signals per
//! sentence (what it shows, and whether it is selected or has the
//! keyboard cursor), and a few small signals for the selection, the
//! current colour and the open input. Every action is a domain call
//! followed by [`Annot::after_change`], which sets only the sentence
//! signals whose marks changed, bumps `version` for the panel, and
//! schedules a save. Saves are debounced and flushed on `pagehide`, on
//! `visibilitychange` and when the reader closes.
//!
//! - [`dom`]: ids, sentence elements, text selection → sentences.
//! - [`keys`]: the keyboard shortcuts.
//! - [`toolbar`]: the toolbar by the selection, tag and note inputs, help.
//! - [`panel`]: the annotation list with its filters.

pub mod dom;
pub mod keys;
pub mod panel;
pub mod toolbar;

use super::context::LibraryCtx;
use super::notices::{Level, Notices};
use super::time;
use crate::domain::annotate::annotation::{
    Annotation, Colour, Position, Target, TargetKind, parse_tags,
};
use crate::domain::annotate::edit;
use crate::domain::annotate::history::History;
use crate::domain::annotate::marks::{SentenceMarks, sentence_marks};
use crate::domain::annotate::set::{AnnotationSet, Filter, TagColours, ranked_tags, suggest_tags};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::Article;
use crate::storage::StorageError;
use chrono::{DateTime, TimeDelta, Utc};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The reader's selection: sentences `anchor..=focus` (either order), or
/// an exact span inside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sel {
    /// Where the selection started.
    pub anchor: usize,
    /// Where it ends; the keyboard cursor.
    pub focus: usize,
    /// The exact span, when sub-sentence.
    pub span: Option<Position>,
}

impl Sel {
    /// One sentence.
    pub fn one(i: usize) -> Self {
        Self {
            anchor: i,
            focus: i,
            span: None,
        }
    }

    /// First and last sentence.
    pub fn range(&self) -> (usize, usize) {
        (self.anchor.min(self.focus), self.anchor.max(self.focus))
    }
}

/// Which input is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// None.
    Idle,
    /// The tag input.
    Tag,
    /// The note input.
    Note,
    /// The list of shortcuts.
    Help,
}

/// Whether the annotations are saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    /// Everything is stored.
    Saved,
    /// A save is due shortly.
    Pending,
    /// The last save failed; the edits are kept here and retried on the next change.
    Failed(String),
}

/// Bit of [`SentenceSig::state`]: the sentence is selected.
pub const SELECTED: u8 = 1;
/// Bit of [`SentenceSig::state`]: the sentence has the keyboard cursor
/// (`tabindex="0"`).
pub const CURSOR: u8 = 2;

/// The signals of one sentence.
#[derive(Clone, Copy)]
pub struct SentenceSig {
    /// What it shows.
    pub marks: RwSignal<SentenceMarks>,
    /// [`SELECTED`] and [`CURSOR`] bits.
    pub state: RwSignal<u8>,
}

struct Inner {
    article: Article,
    /// Where the last click put the caret: (sentence, code points into it).
    caret: Option<(usize, u32)>,
    set: AnnotationSet,
    history: History,
    map: TextMap,
    shown: Vec<SentenceMarks>,
    tag_colours: TagColours,
    /// Tag uses in the rest of the library, read from storage the first
    /// time a tag is typed (not on every article open).
    other_tags: Option<BTreeMap<String, (String, usize)>>,
    dirty: bool,
    save_due: bool,
    failing: bool,
    last_stamp: DateTime<Utc>,
    selected: Option<(usize, usize)>,
    cursor: usize,
}

/// The reader's annotation context.
#[derive(Clone, Copy)]
pub struct Annot {
    inner: StoredValue<Inner, LocalStorage>,
    sigs: StoredValue<Vec<SentenceSig>>,
    /// Bumped on every change to the annotations.
    pub version: RwSignal<u64>,
    /// The selection.
    pub selection: RwSignal<Option<Sel>>,
    /// The colour `h` uses.
    pub colour: RwSignal<Colour>,
    /// Which input is open.
    pub mode: RwSignal<Mode>,
    /// Whether a mouse selection keeps its exact span (the toolbar toggle;
    /// holding Alt does the same for one selection).
    pub exact: RwSignal<bool>,
    /// Whether everything is saved.
    pub save_state: RwSignal<SaveState>,
    /// The tag colours, tracked.
    pub tag_colours: RwSignal<TagColours>,
    lib: LibraryCtx,
    notices: Notices,
    article_id: StoredValue<String>,
    slot: Option<ArticleSlot>,
}

/// The article the reader shows, replaced when sentence boundaries are
/// corrected (the reader then renders again), and the sentence to select
/// once it has.
#[derive(Clone, Copy)]
pub struct ArticleSlot {
    /// The article shown.
    pub article: RwSignal<Article>,
    /// The sentence to select after the next render.
    pub select_after: RwSignal<Option<usize>>,
    /// Bumped on each replacement, so the view is built anew.
    pub generation: RwSignal<u32>,
}

/// The edge's part of a new annotation: a fresh id and the current colour.
struct NewAnnotation {
    id: String,
    colour: Colour,
}

impl NewAnnotation {
    fn of(self, article: &str) -> edit::New<'_> {
        edit::New {
            id: self.id,
            article,
            colour: self.colour,
        }
    }
}

/// How long edits wait before they are written.
const SAVE_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

impl Annot {
    /// Loads an article's annotations and builds the per-sentence signals.
    pub fn new(
        article: &Article,
        lib: LibraryCtx,
        notices: Notices,
        slot: Option<ArticleSlot>,
    ) -> Self {
        let mut set = match lib.load_annotations(&article.id) {
            Ok(set) => set,
            Err(e) => {
                let level = match e {
                    StorageError::Corrupt { .. } => Level::Warning,
                    _ => Level::Error,
                };
                notices.push(level, e.to_string());
                AnnotationSet::new(&article.id)
            }
        };
        let map = TextMap::new(article);
        // Sentence ranges follow corrected boundaries; the places themselves
        // (code points) never move.
        let stale: Vec<Annotation> = set
            .anchored()
            .filter_map(|a| {
                let mut b = a.clone();
                b.target.resync(&map);
                (b != *a).then_some(b)
            })
            .collect();
        let resynced = !stale.is_empty();
        for a in stale {
            set.put(a);
        }
        let tag_colours = lib.tag_colours();
        let shown = sentence_marks(&map, &set, &tag_colours);
        let sigs = shown
            .iter()
            .enumerate()
            .map(|(i, m)| SentenceSig {
                marks: RwSignal::new(m.clone()),
                state: RwSignal::new(if i == 0 { CURSOR } else { 0 }),
            })
            .collect();
        let inner = Inner {
            article: article.clone(),
            caret: None,
            set,
            history: History::default(),
            map,
            shown,
            tag_colours: tag_colours.clone(),
            other_tags: None,
            dirty: resynced,
            save_due: false,
            failing: false,
            last_stamp: DateTime::UNIX_EPOCH,
            selected: None,
            cursor: 0,
        };
        Self {
            inner: StoredValue::new_local(inner),
            sigs: StoredValue::new(sigs),
            version: RwSignal::new(0),
            selection: RwSignal::new(None),
            colour: RwSignal::new(Colour::Yellow),
            mode: RwSignal::new(Mode::Idle),
            exact: RwSignal::new(false),
            save_state: RwSignal::new(SaveState::Saved),
            tag_colours: RwSignal::new(tag_colours),
            lib,
            notices,
            article_id: StoredValue::new(article.id.clone()),
            slot,
        }
    }

    // ---- sentence boundaries ----

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

    fn correct(&self, select: usize, fix: impl FnOnce(&mut Article) -> Result<(), String>) {
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
        match self.lib.update_article(&article) {
            Ok(()) => {
                slot.select_after.set(Some(select));
                slot.article.set(article);
                slot.generation.update(|g| *g += 1);
            }
            Err(e) => self
                .notices
                .error(format!("The sentences were not changed. {e}")),
        }
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

    /// The signals of sentence `i`.
    pub fn sig(&self, i: usize) -> Option<SentenceSig> {
        self.sigs.with_value(|s| s.get(i).copied())
    }

    /// The number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.sigs.with_value(Vec::len)
    }

    fn with<R>(&self, f: impl FnOnce(&Inner) -> R) -> Option<R> {
        self.inner.try_with_value(f)
    }

    fn with_mut<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        self.inner.try_update_value(f)
    }

    /// A time for an edit: the clock, but always after the previous edit
    /// of this tab, so edits made within one millisecond still order.
    fn stamp(&self) -> DateTime<Utc> {
        let now = time::now();
        self.with_mut(|i| {
            let t = now.max(i.last_stamp + TimeDelta::milliseconds(1));
            i.last_stamp = t;
            t
        })
        .unwrap_or(now)
    }

    // ---- selection ----

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
            if let Some(s) = self.sig(k) {
                let want = inside(new_range, k);
                let has = s.state.get_untracked() & SELECTED != 0;
                if want != has {
                    s.state.update(|v| *v ^= SELECTED);
                }
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
            if let Some(s) = self.sig(old) {
                s.state.update(|v| *v &= !CURSOR);
            }
            if let Some(s) = self.sig(k) {
                s.state.update(|v| *v |= CURSOR);
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

    // ---- actions ----

    fn commit(&self, edit: Option<edit::Edit>) {
        let Some(edit) = edit.filter(|e| !e.is_empty()) else {
            return;
        };
        self.with_mut(|i| i.history.record(edit.label, edit.changes));
        self.after_change();
    }

    /// The id a new annotation would get (from the browser's random
    /// source) and the current colour.
    fn new_annotation(&self) -> NewAnnotation {
        NewAnnotation {
            id: dom::uuid(),
            colour: self.colour.get_untracked(),
        }
    }

    fn need_selection(&self) -> Option<Target> {
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
        let Some(target) = self.need_selection() else {
            return;
        };
        let now = self.stamp();
        let new = self.new_annotation();
        let article = self.article_id.get_value();
        let edit =
            self.with_mut(|i| edit::highlight(&mut i.set, target, colour, now, new.of(&article)));
        self.commit(edit);
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
        let Some(target) = self.need_selection() else {
            return;
        };
        let known = self.ranked_tags();
        let now = self.stamp();
        let new = self.new_annotation();
        let article = self.article_id.get_value();
        let edit = self
            .with_mut(|i| edit::add_tags(&mut i.set, target, input, &known, now, new.of(&article)));
        self.commit(edit);
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
        let Some(target) = self.need_selection() else {
            return;
        };
        let now = self.stamp();
        let new = self.new_annotation();
        let article = self.article_id.get_value();
        let edit =
            self.with_mut(|i| edit::set_note(&mut i.set, target, text, now, new.of(&article)));
        self.commit(edit);
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
        self.refresh_marks();
        self.version.update(|v| *v += 1);
    }

    // ---- change propagation and saving ----

    /// Re-derives every sentence's marks and sets the signals of those
    /// that changed.
    fn refresh_marks(&self) {
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
    fn after_change(&self) {
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

    // ---- queries for the panel and inputs ----

    /// All annotations in document order, and how many pass `filter`
    /// (tracked on `version`).
    pub fn entries(&self, filter: &Filter) -> (Vec<Annotation>, usize) {
        self.version.track();
        let tc = self.tag_colours.get();
        self.with(|i| {
            let all: Vec<&Annotation> = i
                .set
                .in_document_order()
                .into_iter()
                .filter(|a| !a.orphan)
                .collect();
            let total = all.len();
            let shown = all
                .into_iter()
                .filter(|a| filter.matches(a, &tc))
                .cloned()
                .collect();
            (shown, total)
        })
        .unwrap_or_default()
    }

    /// The orphans: annotations whose text was not found after the
    /// article's text changed, oldest first (tracked on `version`).
    pub fn orphans(&self) -> Vec<Annotation> {
        self.version.track();
        self.with(|i| i.set.orphans().into_iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The tags used in this article, sorted (tracked on `version`).
    pub fn article_tags(&self) -> Vec<String> {
        self.version.track();
        self.with(|i| ranked_tags(&i.set.tag_counts()))
            .unwrap_or_default()
    }

    /// Tag uses in the other articles: the library's, less this article's
    /// as stored.
    fn other_tags(&self) -> BTreeMap<String, (String, usize)> {
        if let Some(Some(t)) = self.with(|i| i.other_tags.clone()) {
            return t;
        }
        let mut others = self.lib.tag_counts();
        if let Some(stored) = self.lib.stored_annotations(&self.article_id()) {
            for (k, (_, n)) in stored.tag_counts() {
                if let Some(e) = others.get_mut(&k) {
                    e.1 = e.1.saturating_sub(n);
                }
            }
        }
        others.retain(|_, (_, n)| *n > 0);
        self.with_mut(|i| i.other_tags = Some(others.clone()));
        others
    }

    /// Every tag in the library, most used first.
    pub fn ranked_tags(&self) -> Vec<String> {
        let others = self.other_tags();
        self.with(|i| {
            let mut counts = others;
            for (k, (spelling, n)) in i.set.tag_counts() {
                counts.entry(k).or_insert((spelling, 0)).1 += n;
            }
            ranked_tags(&counts)
        })
        .unwrap_or_default()
    }

    /// Autocomplete suggestions for the tag being typed.
    pub fn suggestions(&self, fragment: &str, exclude: &[String]) -> Vec<String> {
        suggest_tags(&self.ranked_tags(), fragment, exclude, 8)
    }

    /// The number of annotations (tracked on `version`).
    pub fn count(&self) -> usize {
        self.version.track();
        self.with(|i| i.set.len()).unwrap_or(0)
    }

    /// The sentence range of an annotation now.
    pub fn sentences_of(&self, a: &Annotation) -> Option<(usize, usize)> {
        self.with(|i| {
            i.map
                .sentences_in(a.target.position.start, a.target.position.end)
        })
        .flatten()
    }

    /// Selects an annotation's text and scrolls to it, marking it briefly.
    pub fn reveal(&self, a: &Annotation) {
        let Some((first, last)) = self.sentences_of(a) else {
            return;
        };
        let span = (a.target.kind == TargetKind::Span).then_some(a.target.position);
        self.select(Some(Sel {
            anchor: first,
            focus: last,
            span,
        }));
        dom::reveal(first, last);
        dom::focus_sentence(first);
    }

    /// The text map (for turning DOM selections into targets).
    pub fn with_map<R>(&self, f: impl FnOnce(&TextMap) -> R) -> Option<R> {
        self.with(|i| f(&i.map))
    }

    /// The notices.
    pub fn notices(&self) -> Notices {
        self.notices
    }

    /// Whether an edit is waiting to be saved.
    pub fn is_dirty(&self) -> bool {
        self.with(|i| i.dirty).unwrap_or(false)
    }
}
