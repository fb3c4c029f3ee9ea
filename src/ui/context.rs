//! The typed contexts the components use: the library (with its storage)
//! and the preferences. Components never see the store itself.

use super::prefs::Prefs;
use crate::domain::article::Article;
use crate::domain::library::{Added, Library};
use crate::storage::repo::Repo;
use crate::storage::{KeyValueStore, StorageError};
use leptos::prelude::*;

/// The store the app runs on: `localStorage`, or memory when it is unavailable.
pub type AppRepo = Repo<Box<dyn KeyValueStore>>;

/// The library and the operations on it.
#[derive(Clone, Copy)]
pub struct LibraryCtx {
    library: RwSignal<Library>,
    repo: StoredValue<AppRepo, LocalStorage>,
}

impl LibraryCtx {
    /// Wraps an opened repository and its library.
    pub fn new(repo: AppRepo, library: Library) -> Self {
        Self {
            library: RwSignal::new(library),
            repo: StoredValue::new_local(repo),
        }
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
