//! Operations that touch both stores: article bodies in a [`BodyStore`]
//! (IndexedDB), everything else in `localStorage` through [`Repo`].
//!
//! Two stores cannot share a transaction, so each operation writes in an
//! order that leaves, after a failure at any step, a state that is either
//! the old one or the new one *as the user sees it*. The index in
//! `localStorage` is what makes an article exist: it is written last when
//! adding and first when removing.
//!
//! - **Add / import / replace**: the bodies (one IndexedDB transaction,
//!   all or none), then the annotation records, tag colours and the index
//!   (`Repo`'s journal: all or none). If the second step fails, the bodies
//!   just written are deleted again; if that fails too, they are bodies no
//!   index entry names, which no one sees, and which [`Shelf::sweep`]
//!   removes later. A replacement deletes the old body last.
//! - **Delete**: the index, then the article's records, then its body.
//! - **Boundary correction**: the new body, then the index entry (its
//!   sentence count); if the index write fails, the old body is put back.
//!
//! Without a body store (IndexedDB refused) every body stays in
//! `localStorage`, as `Repo` keeps it, and nothing here awaits.

use super::bodies::BodyStore;
use super::repo::{Repo, Saved, parse_article};
use super::{KeyValueStore, StorageError};
use crate::domain::annotate::set::{AnnotationSet, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::Article;
use crate::domain::article::library::{Added, Library};
use crate::domain::exchange::json_path::Bad;
use crate::domain::exchange::restore::{self, LibrarySource, Plan, Replacement};
use crate::domain::exchange::{Bundle, ReadFile};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The storage schema in which bodies may live in the body store.
pub const BODIES_SCHEMA: u32 = super::repo::SCHEMA_VERSION;

/// The library's two stores.
pub struct Shelf<S, B> {
    /// `localStorage`: index, annotations, tag colours, preferences.
    pub repo: RefCell<Repo<S>>,
    /// Article bodies; `None` keeps them in `localStorage`.
    pub bodies: Option<B>,
}

/// A body read from the body store; an unreadable one is reported as
/// [`StorageError::Corrupt`] and left where it is.
fn stored_body(id: &str, raw: &str) -> Result<Article, StorageError> {
    parse_article(id, raw).map_err(|reason| StorageError::Corrupt {
        key: format!("IndexedDB marginalia/bodies/{id}"),
        backup_key: format!("IndexedDB marginalia/bodies/{id}"),
        reason,
    })
}

fn json(a: &Article) -> Result<String, StorageError> {
    serde_json::to_string(a).map_err(|e| StorageError::Other(e.to_string()))
}

/// The library as stored, with the bodies it needs read ahead (so the
/// synchronous planning and export code can read them).
struct WithBodies<'a, S> {
    repo: &'a Repo<S>,
    articles: BTreeMap<String, Article>,
}

impl<S: KeyValueStore> LibrarySource for WithBodies<'_, S> {
    fn library(&self) -> Library {
        self.repo.library()
    }
    fn article(&self, id: &str) -> Option<Article> {
        self.articles
            .get(id)
            .cloned()
            .or_else(|| self.repo.article(id))
    }
    fn annotations(&self, id: &str) -> AnnotationSet {
        match self.articles.get(id) {
            Some(a) => self.repo.stored_annotations_for(&TextMap::new(a), id),
            None => self.repo.annotations(id),
        }
    }
    fn colours(&self) -> TagColours {
        self.repo.colours()
    }
}

impl<S: KeyValueStore, B: BodyStore> Shelf<S, B> {
    /// Both stores.
    pub fn new(repo: Repo<S>, bodies: Option<B>) -> Self {
        Self {
            repo: RefCell::new(repo),
            bodies,
        }
    }

    /// Loads an article: from the body store, else from `localStorage`
    /// (not moved yet, or no body store). An unreadable body in the body
    /// store is reported as [`StorageError::Corrupt`] and left as it is.
    pub async fn load(&self, id: &str) -> Result<Article, StorageError> {
        let from_store = |raw: String| stored_body(id, &raw);
        let Some(b) = &self.bodies else {
            return self.repo.borrow_mut().load_article(id);
        };
        if let Some(raw) = b.get(id).await? {
            return from_store(raw);
        }
        let local = self.repo.borrow_mut().load_article(id);
        match local {
            Ok(a) => Ok(a),
            // Moved meanwhile (by the move out of localStorage): look again.
            Err(e) => match b.get(id).await? {
                Some(raw) => from_store(raw),
                None => Err(e),
            },
        }
    }

    /// Loads these articles, each as [`Shelf::load`] would, reading the
    /// body store once for all of them (searching and the notebook read
    /// many texts at a time).
    pub async fn load_many(&self, ids: &[String]) -> Vec<(String, Result<Article, StorageError>)> {
        let found = match &self.bodies {
            Some(b) => b.get_many(ids).await.unwrap_or_default(),
            None => Vec::new(),
        };
        let mut out = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let loaded = match found.get(i).cloned().flatten() {
                Some(raw) => stored_body(id, &raw),
                None => self.load(id).await,
            };
            out.push((id.clone(), loaded));
        }
        out
    }

    /// Adds an article (see the module docs for the order); `library`
    /// changes only on success.
    pub async fn add(
        &self,
        library: &mut Library,
        article: &Article,
    ) -> Result<Added, StorageError> {
        let Some(b) = &self.bodies else {
            return self.repo.borrow_mut().add_article(library, article);
        };
        if library.get(&article.id).is_some() {
            return Ok(Added::Duplicate(article.id.clone()));
        }
        self.repo.borrow().writable()?;
        super::repo::check_short_id(library, &article.id)?;
        b.put_all(&[(article.id.clone(), json(article)?)]).await?;
        let added = self.repo.borrow_mut().add_entry(library, article);
        if added.is_err() {
            let _ = b.delete(std::slice::from_ref(&article.id)).await;
        }
        added
    }

    /// Deletes an article: index, records, then body.
    pub async fn delete(&self, library: &mut Library, id: &str) -> Result<bool, StorageError> {
        let deleted = self.delete_entry(library, id)?;
        if deleted {
            self.forget_bodies(&[id.to_owned()]).await;
        }
        Ok(deleted)
    }

    /// The first step of [`Shelf::delete`]: article `id` leaves the index
    /// and its annotations go, at once (other tabs hear of it now); its
    /// body is left for [`Shelf::forget_bodies`]. A tab shows the
    /// deletion from this step, not after the body store has answered.
    pub fn delete_entry(&self, library: &mut Library, id: &str) -> Result<bool, StorageError> {
        self.repo.borrow_mut().delete_article(library, id)
    }

    /// The second step of [`Shelf::delete`]: these bodies leave the body
    /// store. A body left behind (the store failed) is named by no index
    /// entry: swept later.
    pub async fn forget_bodies(&self, ids: &[String]) {
        if let Some(b) = &self.bodies {
            let _ = b.delete(ids).await;
        }
    }

    /// Stores corrected sentence boundaries of an article (same text).
    pub async fn update(
        &self,
        library: &mut Library,
        article: &Article,
    ) -> Result<(), StorageError> {
        let Some(b) = &self.bodies else {
            return self.repo.borrow_mut().update_article(library, article);
        };
        self.repo.borrow().writable()?;
        article.validate().map_err(StorageError::Other)?;
        if library.get(&article.id).is_none() {
            return Err(StorageError::ArticleGone(article.id.clone()));
        }
        let old = b.get(&article.id).await?;
        b.put_all(&[(article.id.clone(), json(article)?)]).await?;
        let updated = self.repo.borrow_mut().update_entry(library, article);
        if let Err(e) = updated {
            let _ = match old {
                Some(old) => b.put_all(&[(article.id.clone(), old)]).await,
                None => b.delete(std::slice::from_ref(&article.id)).await,
            };
            return Err(e);
        }
        Ok(())
    }

    /// The bodies of these articles that the body store has.
    /// Each is looked for in the body store, then in `localStorage`, then
    /// in the body store again: a body moved out of `localStorage` while
    /// this reads is found all the same.
    async fn read_ahead(&self, ids: &[String]) -> BTreeMap<String, Article> {
        let mut out = BTreeMap::new();
        let Some(b) = &self.bodies else {
            return out;
        };
        for id in ids {
            if let Ok(Some(raw)) = b.get(id).await
                && let Ok(a) = parse_article(id, &raw)
            {
                out.insert(id.clone(), a);
                continue;
            }
            let local = self.repo.borrow().article(id);
            if let Some(a) = local {
                out.insert(id.clone(), a);
            } else if let Ok(Some(raw)) = b.get(id).await
                && let Ok(a) = parse_article(id, &raw)
            {
                out.insert(id.clone(), a);
            }
        }
        out
    }

    /// Plans an import against what is stored now; stores nothing.
    pub async fn plan(&self, file: &ReadFile) -> Result<Plan, Bad> {
        let library = self.repo.borrow().library();
        let wanted = restore::articles_read_by(file, &library);
        let articles = self.read_ahead(&wanted).await;
        let repo = self.repo.borrow();
        restore::plan(
            file,
            &WithBodies {
                repo: &repo,
                articles,
            },
        )
    }

    /// Applies a planned import, all or nothing across both stores.
    pub async fn apply_import(
        &self,
        library: &mut Library,
        plan: &Plan,
    ) -> Result<(), StorageError> {
        let Some(b) = &self.bodies else {
            return self.repo.borrow_mut().apply_import(library, plan);
        };
        self.repo.borrow().writable()?;
        let known = self.repo.borrow().library();
        let new: Vec<(String, String)> = plan
            .restored()
            .filter(|a| known.get(&a.id).is_none())
            .map(|a| Ok((a.id.clone(), json(a)?)))
            .collect::<Result<_, StorageError>>()?;
        b.put_all(&new).await?;
        // The texts of the articles whose annotations change, for their records.
        let ids: Vec<String> = plan
            .articles
            .iter()
            .filter_map(|p| p.set.as_ref().map(|s| s.article().to_owned()))
            .collect();
        let texts = self.read_ahead(&ids).await;
        let applied = self
            .repo
            .borrow_mut()
            .apply_import_with(library, plan, false, &texts);
        if applied.is_err() {
            let ids: Vec<String> = new.into_iter().map(|(id, _)| id).collect();
            let _ = b.delete(&ids).await;
        }
        applied
    }

    /// Replaces an article by an edited version, all or nothing across
    /// both stores; the old body goes last.
    pub async fn replace(
        &self,
        library: &mut Library,
        old: &Article,
        new: Article,
    ) -> Result<Replacement, StorageError> {
        let Some(b) = &self.bodies else {
            return self.repo.borrow_mut().replace_article(library, old, new);
        };
        self.repo.borrow().writable()?;
        let stored = restore::replaced_article(old, new.clone());
        b.put_all(&[(stored.id.clone(), json(&stored)?)]).await?;
        let replaced = self
            .repo
            .borrow_mut()
            .replace_article_with(library, old, new, false);
        match &replaced {
            Ok(_) => {
                let _ = b.delete(std::slice::from_ref(&old.id)).await;
            }
            Err(_) => {
                let _ = b.delete(std::slice::from_ref(&stored.id)).await;
            }
        }
        replaced
    }

    /// What is in the library for an export: these articles (all when
    /// `ids` is empty), with their texts when `complete`.
    pub async fn bundle(&self, ids: &[String], complete: bool) -> Bundle {
        let ids: Vec<String> = if ids.is_empty() {
            let lib = self.repo.borrow().library();
            lib.entries().iter().map(|e| e.id.clone()).collect()
        } else {
            ids.to_vec()
        };
        let articles = self.read_ahead(&ids).await;
        let repo = self.repo.borrow();
        restore::bundle_of(
            &WithBodies {
                repo: &repo,
                articles,
            },
            &ids,
            complete,
        )
    }

    /// Moves the bodies still in `localStorage` into the body store: all
    /// in one transaction, each read back and compared, and only then
    /// removed from `localStorage`. Cut short anywhere, the next call takes it up
    /// again (a body in both places is read from the body store, and is
    /// the same). Returns how many moved.
    pub async fn move_bodies(&self) -> Result<usize, StorageError> {
        let Some(b) = &self.bodies else {
            return Ok(0);
        };
        // Not while an older layout is half moved (the annotation records
        // are made from the bodies in localStorage), nor read-only.
        if self.repo.borrow().is_read_only() || !self.repo.borrow().schema_is_current() {
            return Ok(0);
        }
        let local = self.repo.borrow().local_bodies()?;
        b.put_all(&local).await?;
        for (id, raw) in &local {
            if b.get(id).await?.as_deref() != Some(raw.as_str()) {
                return Err(StorageError::Other(format!(
                    "the text of article {id} did not read back from IndexedDB as written; it stays in localStorage"
                )));
            }
        }
        let mut repo = self.repo.borrow_mut();
        for (id, _) in &local {
            repo.remove_local_body(id)?;
        }
        Ok(local.len())
    }

    /// Removes bodies that no index entry names (left by an operation cut
    /// short) and that are not in `keep` (an operation in flight in
    /// another tab may have stored its body before its index entry:
    /// callers pass the ids they know of). Returns how many went.
    pub async fn sweep(&self, keep: &[String]) -> Result<usize, StorageError> {
        let Some(b) = &self.bodies else {
            return Ok(0);
        };
        let library = self.repo.borrow().library();
        let gone: Vec<String> = b
            .ids()
            .await?
            .into_iter()
            .filter(|id| library.get(id).is_none() && !keep.contains(id))
            .collect();
        b.delete(&gone).await?;
        Ok(gone.len())
    }

    /// Saves what was edited in `set` (see [`Repo::save_changes`]).
    pub fn save_changes(
        &self,
        library: &Library,
        set: &mut AnnotationSet,
        map: &TextMap,
    ) -> Result<Saved, StorageError> {
        self.repo.borrow_mut().save_changes(library, set, map)
    }
}
