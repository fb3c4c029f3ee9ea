//! What the panel and the inputs read: entries, orphans, tags,
//! suggestions, counts.

use super::*;
use crate::domain::annotate::annotation::{Annotation, TargetKind};
use crate::domain::annotate::set::{Filter, ranked_tags, suggest_tags};
use crate::domain::annotate::textmap::TextMap;
use crate::ui::notices::Notices;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// A window onto the panel's list (see [`Annot::entries`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entries {
    /// The first entries that pass the filter, in document order.
    pub shown: Vec<Annotation>,
    /// How many pass the filter.
    pub matching: usize,
    /// How many annotations are in the text.
    pub total: usize,
}

impl Annot {
    /// The first `limit` annotations in document order that pass
    /// `filter`, how many pass it, and how many there are (tracked on
    /// `version`). Only the first `limit` are copied out.
    pub fn entries(&self, filter: &Filter, limit: usize) -> Entries {
        self.version.track();
        let tc = self.tag_colours.get();
        self.with(|i| {
            let total = i.set.anchored_len();
            if filter.is_empty() {
                // No filter: the first `limit` in the kept order, O(limit).
                let shown = i
                    .set
                    .document_order()
                    .filter(|a| !a.orphan)
                    .take(limit)
                    .cloned()
                    .collect();
                return Entries {
                    shown,
                    matching: total,
                    total,
                };
            }
            let mut shown = Vec::new();
            let mut matching = 0;
            for a in i.set.document_order().filter(|a| !a.orphan) {
                if filter.matches(a, &tc) {
                    matching += 1;
                    if shown.len() < limit {
                        shown.push(a.clone());
                    }
                }
            }
            Entries {
                shown,
                matching,
                total,
            }
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
    pub(super) fn other_tags(&self) -> BTreeMap<String, (String, usize)> {
        if let Some(Some(t)) = self.with(|i| i.other_tags.clone()) {
            return t;
        }
        let mut others = self.lib.tag_counts();
        let lib = self.lib;
        if let Some(stored) = self.with(|i| lib.stored_annotations(&i.map, i.set.article())) {
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
        self.with(|i| i.set.has_unsaved()).unwrap_or(false)
    }
}
