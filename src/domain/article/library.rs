//! The library: the ordered list of articles a reader has, newest first.
//!
//! It is a plain value; the storage edge persists it as the index key and
//! the UI holds it in a signal.

use crate::domain::article::ArticleMeta;
use serde::{Deserialize, Serialize};

/// The library index, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Library {
    entries: Vec<ArticleMeta>,
}

/// The outcome of adding an article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    /// It is new and now first in the library.
    New,
    /// The same content is already there, under this id.
    Duplicate(String),
}

impl Library {
    /// A library of these entries, kept in the given order; a repeated id is
    /// kept once (its first entry).
    pub fn from_entries(entries: Vec<ArticleMeta>) -> Self {
        let mut seen = std::collections::BTreeSet::new();
        let entries = entries
            .into_iter()
            .filter(|e| seen.insert(e.id.clone()))
            .collect();
        Self { entries }
    }

    /// The entries, newest first.
    pub fn entries(&self) -> &[ArticleMeta] {
        &self.entries
    }

    /// The entries of the reader's own articles: all but the welcome
    /// article's.
    pub fn own(&self) -> impl Iterator<Item = &ArticleMeta> {
        let welcome = crate::domain::article::welcome::id();
        self.entries.iter().filter(move |e| e.id != welcome)
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the library has no article.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&ArticleMeta> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Replaces the entry with the same id, keeping its place; returns
    /// whether there was one.
    pub fn replace(&mut self, meta: ArticleMeta) -> bool {
        match self.entries.iter_mut().find(|e| e.id == meta.id) {
            Some(e) => {
                *e = meta;
                true
            }
            None => false,
        }
    }

    /// Replaces the entry with the same id by `meta`, one revision on from
    /// it: its text was rewritten in place. Returns the new revision, or
    /// `None` when there was no such entry.
    pub fn revise(&mut self, mut meta: ArticleMeta) -> Option<u32> {
        let e = self.entries.iter_mut().find(|e| e.id == meta.id)?;
        meta.revision = e.revision.wrapping_add(1);
        *e = meta;
        Some(e.revision)
    }

    /// Puts `meta` in the place of the entry `old_id` (a new version of an
    /// article, with a new id); returns whether there was one.
    pub fn swap(&mut self, old_id: &str, meta: ArticleMeta) -> bool {
        match self.entries.iter_mut().find(|e| e.id == old_id) {
            Some(e) => {
                *e = meta;
                true
            }
            None => false,
        }
    }

    /// Adds an article first, unless one with the same content fingerprint
    /// is there already.
    pub fn add(&mut self, meta: ArticleMeta) -> Added {
        if self.get(&meta.id).is_some() {
            return Added::Duplicate(meta.id);
        }
        self.entries.insert(0, meta);
        Added::New
    }

    /// Removes the article with this id and only it.
    pub fn remove(&mut self, id: &str) -> Option<ArticleMeta> {
        let at = self.entries.iter().position(|e| e.id == id)?;
        Some(self.entries.remove(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn meta(id: &str) -> ArticleMeta {
        ArticleMeta {
            id: id.into(),
            title: format!("T {id}"),
            source_name: None,
            words: 1,
            sentences: 1,
            added: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            revision: 0,
        }
    }

    #[test]
    fn adding_puts_the_newest_article_first() {
        let mut lib = Library::default();
        assert_eq!(lib.add(meta("a")), Added::New);
        assert_eq!(lib.add(meta("b")), Added::New);
        let ids: Vec<_> = lib.entries().iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["b", "a"]);
    }

    #[test]
    fn adding_the_same_content_twice_reports_the_existing_copy() {
        let mut lib = Library::default();
        lib.add(meta("a"));
        assert_eq!(lib.add(meta("a")), Added::Duplicate("a".into()));
        assert_eq!(lib.len(), 1);
    }

    #[test]
    fn removing_takes_out_that_article_and_only_it() {
        let mut lib = Library::from_entries(vec![meta("a"), meta("b"), meta("c")]);
        assert_eq!(lib.remove("b").map(|m| m.id), Some("b".into()));
        let ids: Vec<_> = lib.entries().iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(lib.remove("zzz"), None);
        assert_eq!(lib.len(), 2);
    }

    #[test]
    fn revising_an_entry_counts_its_rewrites_and_keeps_its_place() {
        let mut lib = Library::from_entries(vec![meta("a"), meta("b")]);
        let mut b = meta("b");
        b.sentences = 7;
        assert_eq!(lib.revise(b.clone()), Some(1));
        assert_eq!(lib.revise(b), Some(2));
        assert_eq!(lib.entries()[1].sentences, 7);
        assert_eq!(lib.entries()[1].revision, 2);
        assert_eq!(lib.revise(meta("zzz")), None);
        assert_eq!(lib.len(), 2);
    }

    #[test]
    fn an_entry_never_revised_is_stored_without_a_revision() {
        let json = serde_json::to_string(&meta("a")).unwrap();
        assert!(!json.contains("revision"), "{json}");
        let mut m = meta("a");
        m.revision = 3;
        let back: ArticleMeta = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        let old: ArticleMeta = serde_json::from_str(&json).unwrap();
        assert_eq!(old.revision, 0);
    }

    #[test]
    fn the_readers_own_articles_are_all_but_the_welcome_one() {
        let lib =
            Library::from_entries(vec![meta(crate::domain::article::welcome::id()), meta("a")]);
        let own: Vec<&str> = lib.own().map(|e| e.id.as_str()).collect();
        assert_eq!(own, ["a"]);
        let only_welcome = Library::from_entries(vec![meta(crate::domain::article::welcome::id())]);
        assert_eq!(only_welcome.own().count(), 0);
    }

    #[test]
    fn a_repeated_id_in_stored_entries_is_kept_once() {
        let lib = Library::from_entries(vec![meta("a"), meta("a"), meta("b")]);
        assert_eq!(lib.len(), 2);
    }
}
