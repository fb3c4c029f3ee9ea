//! Annotating in the reader: the [`Annot`] context and its parts.
//!
//! [`Annot`] holds one article's annotations, undo history, text map and
//! what each sentence shows (plain domain values in a `StoredValue`), and
//! a few small signals for the selection, the current colour and the open
//! input. No sentence has a signal or an effect of its own: the reader
//! body is built once as HTML, and every action is a domain call followed
//! by [`Annot::after_change`], which works out the marks of the sentences
//! the edit touched, repaints the elements whose marks changed (see
//! [`paint`]), bumps `version` for the panel, and schedules a save.
//! Selection and keyboard cursor are painted the same way. Saves are
//! debounced and flushed on `pagehide`, on `visibilitychange` and when
//! the reader closes.
//!
//! - [`dom`]: ids, sentence elements, text selection → sentences.
//! - [`paint`]: bringing one sentence element in step with its marks.
//! - [`keys`]: the keyboard shortcuts.
//! - [`toolbar`]: the toolbar by the selection, tag and note inputs, help.
//! - [`panel`]: the annotation list with its filters.

mod actions;
mod boundaries;
mod conflicts;
pub mod dom;
pub mod keys;
pub mod paint;
pub mod panel;
mod queries;
pub use queries::Entries;
mod saving;
mod selection;
pub mod toolbar;

use super::context::LibraryCtx;
use super::notices::{Level, Notices};
use super::time;
use crate::domain::annotate::annotation::{Annotation, Colour, Position};
use crate::domain::annotate::history::History;
use crate::domain::annotate::marks::{MarksIndex, SentenceMarks};
use crate::domain::annotate::markup;
use crate::domain::annotate::set::{AnnotationSet, TagColours};
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

struct Inner {
    article: Article,
    /// Where the last click put the caret: (sentence, code points into it).
    caret: Option<(usize, u32)>,
    set: AnnotationSet,
    history: History,
    map: TextMap,
    /// Which annotations cover each sentence.
    index: MarksIndex,
    shown: Vec<SentenceMarks>,
    tag_colours: TagColours,
    /// Tag uses in the rest of the library, read from storage the first
    /// time a tag is typed (not on every article open).
    other_tags: Option<BTreeMap<String, (String, usize)>>,
    save_due: bool,
    failing: bool,
    last_stamp: DateTime<Utc>,
    selected: Option<(usize, usize)>,
    cursor: usize,
    /// The versions annotations lost in sync conflicts, by id.
    conflicts: BTreeMap<String, crate::domain::sync::conflict::Conflict>,
}

impl Inner {
    /// What sentence `k` shows now.
    fn marks_at(&self, k: usize) -> SentenceMarks {
        let mut m = self.index.marks(&self.map, &self.set, &self.tag_colours, k);
        m.conflict = !self.conflicts.is_empty()
            && self
                .index
                .covering(k)
                .any(|id| self.conflicts.contains_key(id));
        m
    }
}

/// The reader's annotation context.
#[derive(Clone, Copy)]
pub struct Annot {
    inner: StoredValue<Inner, LocalStorage>,
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
    /// The article to show next, until the view takes it (so that one
    /// copy of a long article is kept, the reader's own).
    pub article: RwSignal<Option<Article>, LocalStorage>,
    /// The sentence to select after the next render.
    pub select_after: RwSignal<Option<usize>>,
    /// Whether that sentence is also scrolled to the middle and flashed
    /// (when the reader opened on it, from a search result or the
    /// notebook).
    pub reveal: StoredValue<bool>,
    /// Bumped on each replacement, so the view is built anew.
    pub generation: RwSignal<u32>,
    /// The revision of the stored text the reader shows (see
    /// [`crate::domain::article::ArticleMeta::revision`]).
    pub revision: StoredValue<u32>,
}

/// How long edits wait before they are written.
const SAVE_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

impl Annot {
    /// Loads an article's annotations and builds the per-sentence signals.
    pub fn new(
        article: Article,
        lib: LibraryCtx,
        notices: Notices,
        slot: Option<ArticleSlot>,
    ) -> Self {
        let id = article.id.clone();
        let map = TextMap::new(&article);
        let (mut set, problems) = lib.load_annotations(&map, &article.id);
        for e in problems {
            let level = match e {
                StorageError::Corrupt { .. } | StorageError::ReadOnly(_) => Level::Warning,
                _ => Level::Error,
            };
            notices.push(level, e.to_string());
        }
        lib.prune_tombstones(&mut set, time::now());
        // Sentence ranges follow corrected boundaries; the places themselves
        // (code points) never move.
        // Only those that moved are copied: copying all 5,000 would double
        // the set for a moment, and the wasm memory keeps its peak.
        let stale: Vec<Annotation> = set
            .anchored()
            .filter(|a| a.target.synced_sentences(&map) != a.target.sentences)
            .map(|a| {
                let mut b = a.clone();
                b.target.resync(&map);
                b
            })
            .collect();
        for a in stale {
            set.put(a);
        }
        set.take_touched();
        let tag_colours = lib.tag_colours();
        let index = MarksIndex::new(&map, &set);
        let conflicts = lib.conflicts(&id);
        let mut inner = Inner {
            article,
            caret: None,
            set,
            history: History::default(),
            map,
            index,
            shown: Vec::new(),
            tag_colours: tag_colours.clone(),
            other_tags: None,
            save_due: false,
            failing: false,
            last_stamp: DateTime::UNIX_EPOCH,
            selected: None,
            cursor: 0,
            conflicts,
        };
        inner.shown = (0..inner.map.len()).map(|k| inner.marks_at(k)).collect();
        Self {
            inner: StoredValue::new_local(inner),
            version: RwSignal::new(0),
            selection: RwSignal::new(None),
            colour: RwSignal::new(Colour::Yellow),
            mode: RwSignal::new(Mode::Idle),
            exact: RwSignal::new(false),
            save_state: RwSignal::new(SaveState::Saved),
            tag_colours: RwSignal::new(tag_colours),
            lib,
            notices,
            article_id: StoredValue::new(id),
            slot,
        }
    }

    /// The element of sentence `i`, if the body is in the document.
    pub fn el(&self, i: usize) -> Option<web_sys::Element> {
        dom::sentence_el(i).map(Into::into)
    }

    /// A copy of the article shown (for replacing it).
    pub fn article(&self) -> Option<Article> {
        self.with(|i| i.article.clone())
    }

    /// The number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.with(|i| i.map.len()).unwrap_or(0)
    }

    /// The article body and the page heading's content as HTML, as the
    /// marks, selection and cursor are now (see
    /// [`crate::domain::annotate::markup`]).
    ///
    /// The body comes as a JavaScript string, written through a 64 KB
    /// buffer: the wasm memory (which keeps its largest size) never holds
    /// the 1.6 MB of a 100,000-word article's body, nor does the view
    /// keep a copy, as it would of a `String` given to `inner_html`.
    pub fn html(&self) -> (wasm_bindgen::JsValue, String) {
        self.with(|i| {
            let mut body = dom::JsText::default();
            markup::write_body(&mut body, &i.article, &i.shown, i.cursor);
            (
                body.finish(),
                markup::title_html(&i.article, &i.shown, i.cursor),
            )
        })
        .unwrap_or_else(|| (wasm_bindgen::JsValue::from_str(""), String::new()))
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
}
