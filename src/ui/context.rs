//! The typed contexts the components use: the library (with its storage)
//! and the preferences. Components never see the store itself.

use super::prefs::Prefs;
use crate::domain::annotate::set::{AnnotationSet, TagColours};
use crate::domain::article::Article;
use crate::domain::article::library::{Added, Library};
use crate::domain::exchange::json_path::Bad;
use crate::domain::exchange::restore::{self, Plan, Replacement};
use crate::domain::exchange::{Bundle, ReadFile};
use crate::storage::repo::{Repo, Saved};
use crate::storage::{KeyValueStore, StorageError};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The store the app runs on: `localStorage`, or memory when it is unavailable.
pub type AppRepo = Repo<Box<dyn KeyValueStore>>;

/// The library and the operations on it.
#[derive(Clone, Copy)]
pub struct LibraryCtx {
    library: RwSignal<Library>,
    counts: RwSignal<BTreeMap<String, usize>>,
    imported: RwSignal<u64>,
    repo: StoredValue<AppRepo, LocalStorage>,
}

fn gone<T>() -> Result<T, StorageError> {
    Err(StorageError::Other("the app is shutting down".into()))
}

impl LibraryCtx {
    /// Wraps an opened repository and its library.
    pub fn new(repo: AppRepo, library: Library) -> Self {
        let counts = RwSignal::new(repo.annotation_counts());
        Self {
            library: RwSignal::new(library),
            counts,
            imported: RwSignal::new(0),
            repo: StoredValue::new_local(repo),
        }
    }

    /// Annotation counts per article id, tracked (articles with none are absent).
    pub fn counts(&self) -> RwSignal<BTreeMap<String, usize>> {
        self.counts
    }

    /// Re-reads every article's annotation count (after another tab's change).
    pub fn refresh_counts(&self) {
        if let Some(c) = self.repo.try_with_value(|r| r.annotation_counts())
            && c != self.counts.get_untracked()
        {
            self.counts.set(c);
        }
    }

    /// Loads an article's annotations (see [`Repo::load_annotations`]).
    pub fn load_annotations(&self, id: &str) -> Result<AnnotationSet, StorageError> {
        self.repo
            .try_update_value(|r| r.load_annotations(id))
            .unwrap_or_else(gone)
    }

    /// Reads the annotations as another tab stored them; `None` when absent
    /// or unreadable.
    pub fn stored_annotations(&self, id: &str) -> Option<AnnotationSet> {
        self.repo
            .try_with_value(|r| r.stored_annotations(id))
            .flatten()
    }

    /// Saves an article's annotations, merging in what another tab stored
    /// (see [`Repo::save_annotations`]).
    pub fn save_annotations(
        &self,
        set: &mut AnnotationSet,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Saved, StorageError> {
        let library = self.library;
        let saved = self
            .repo
            .try_update_value(|r| library.with_untracked(|lib| r.save_annotations(lib, set, now)))
            .unwrap_or_else(gone)?;
        let (id, n) = (set.article().to_owned(), set.len());
        if self
            .counts
            .with_untracked(|c| c.get(&id).copied().unwrap_or(0))
            != n
        {
            self.counts.update(|c| {
                if n == 0 {
                    c.remove(&id);
                } else {
                    c.insert(id, n);
                }
            });
        }
        Ok(saved)
    }

    /// How often each tag is used across the library.
    pub fn tag_counts(&self) -> BTreeMap<String, (String, usize)> {
        self.repo
            .try_with_value(|r| r.tag_counts())
            .unwrap_or_default()
    }

    /// The colours given to tags.
    pub fn tag_colours(&self) -> TagColours {
        self.repo
            .try_with_value(|r| r.load_tag_colours())
            .unwrap_or_default()
    }

    /// Saves the colours given to tags.
    pub fn save_tag_colours(&self, colours: &TagColours) -> Result<(), StorageError> {
        self.repo
            .try_update_value(|r| r.save_tag_colours(colours))
            .unwrap_or_else(gone)
    }

    /// The library, tracked.
    pub fn library(&self) -> RwSignal<Library> {
        self.library
    }

    /// Stores a new article; a duplicate stores nothing and reports the existing id.
    pub fn add(&self, article: &Article) -> Result<Added, StorageError> {
        // Build on the index as stored, so another tab's change is kept.
        self.refresh();
        let mut lib = self.library.get_untracked();
        let result = self
            .repo
            .try_update_value(|r| r.add_article(&mut lib, article));
        let result = result
            .unwrap_or_else(|| Err(StorageError::Other("the app is shutting down".into())))?;
        if result == Added::New {
            self.library.set(lib);
        }
        Ok(result)
    }

    /// Deletes one article.
    pub fn delete(&self, id: &str) -> Result<bool, StorageError> {
        self.refresh();
        let mut lib = self.library.get_untracked();
        let result = self
            .repo
            .try_update_value(|r| r.delete_article(&mut lib, id))
            .unwrap_or_else(|| Err(StorageError::Other("the app is shutting down".into())))?;
        if result {
            self.library.set(lib);
        }
        Ok(result)
    }

    /// Stores an article's corrected sentence boundaries (same text, same id).
    pub fn update_article(&self, article: &Article) -> Result<(), StorageError> {
        self.refresh();
        let mut lib = self.library.get_untracked();
        self.repo
            .try_update_value(|r| r.update_article(&mut lib, article))
            .unwrap_or_else(gone)?;
        self.library.set(lib);
        Ok(())
    }

    /// Loads an article's text.
    pub fn load(&self, id: &str) -> Result<Article, StorageError> {
        self.repo
            .try_update_value(|r| r.load_article(id))
            .unwrap_or_else(|| Err(StorageError::Other("the app is shutting down".into())))
    }

    /// Takes in the index another tab wrote. An unreadable one is ignored
    /// here; the next start repairs it.
    pub fn refresh(&self) {
        if let Some(Some(lib)) = self.repo.try_with_value(|r| r.stored_library())
            && lib != self.library.get_untracked()
        {
            self.library.set(lib);
        }
    }

    /// Bumped after an import stored annotations, so an open reader takes
    /// them in (tracked).
    pub fn imported(&self) -> RwSignal<u64> {
        self.imported
    }

    /// What is in the library for an export: these articles (all when
    /// `ids` is empty), with their texts when `complete`.
    pub fn bundle(&self, ids: &[String], complete: bool) -> Bundle {
        self.refresh();
        let ids: Vec<String> = if ids.is_empty() {
            self.library
                .with_untracked(|l| l.entries().iter().map(|e| e.id.clone()).collect())
        } else {
            ids.to_vec()
        };
        self.repo
            .try_with_value(|r| restore::bundle_of(r, &ids, complete))
            .unwrap_or_default()
    }

    /// Plans an import against what is stored now; stores nothing.
    pub fn plan_import(&self, file: &ReadFile) -> Result<Plan, Bad> {
        self.repo
            .try_with_value(|r| restore::plan(file, r))
            .unwrap_or_else(|| Err(Bad::file("the app is shutting down")))
    }

    /// Applies a planned import, all or nothing.
    pub fn apply_import(&self, plan: &Plan) -> Result<(), StorageError> {
        let mut lib = self.library.get_untracked();
        self.repo
            .try_update_value(|r| r.apply_import(&mut lib, plan))
            .unwrap_or_else(gone)?;
        self.library.set(lib);
        self.refresh_counts();
        self.imported.update(|n| *n += 1);
        Ok(())
    }

    /// Replaces an article by an edited version, all or nothing, moving
    /// the annotations stored for it now; returns what was stored.
    pub fn replace_article(
        &self,
        old: &Article,
        new: Article,
    ) -> Result<Replacement, StorageError> {
        let mut lib = self.library.get_untracked();
        let replacement = self
            .repo
            .try_update_value(|r| r.replace_article(&mut lib, old, new))
            .unwrap_or_else(gone)?;
        self.library.set(lib);
        self.refresh_counts();
        Ok(replacement)
    }

    /// Saves the preferences.
    pub fn save_prefs(&self, prefs: &Prefs) -> Result<(), StorageError> {
        self.repo
            .try_update_value(|r| r.save_prefs(prefs))
            .unwrap_or(Ok(()))
    }
}

/// The preferences, tracked.
#[derive(Clone, Copy)]
pub struct PrefsCtx(pub RwSignal<Prefs>);
