//! Importing and replacing articles in storage, all or nothing.
//!
//! An import plan ([`crate::domain::exchange::restore::Plan`]) may touch many keys:
//! restored articles, annotation keys, the tag colours and the index. Each
//! key's value before is kept, and if any write fails (a full storage) all
//! of them are put back, so a failed import leaves storage as it was.
//! The index is written last, so another tab never lists an article whose
//! key is not written yet.

use super::repo::{INDEX_KEY, Repo, TAG_COLOURS_KEY, annotations_key, article_key};
use super::{KeyValueStore, StorageError};
use crate::domain::annotate::set::{AnnotationSet, TagColours};
use crate::domain::article::Article;
use crate::domain::article::library::Library;
use crate::domain::exchange::restore::{self, LibrarySource, Plan, Replacement};

/// Writes keys, remembering what they held so they can all be put back.
struct Journal<'r, S: KeyValueStore> {
    store: &'r mut S,
    before: Vec<(String, Option<String>)>,
}

impl<'r, S: KeyValueStore> Journal<'r, S> {
    fn remember(&mut self, key: &str) -> Result<(), StorageError> {
        if !self.before.iter().any(|(k, _)| k == key) {
            let old = self.store.get(key)?;
            self.before.push((key.to_owned(), old));
        }
        Ok(())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        self.remember(key)?;
        self.store.set(key, value)
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        self.remember(key)?;
        self.store.remove(key)
    }

    /// On success the library becomes `next`; on failure every key is put
    /// back and the library is left as it was.
    fn finish(
        self,
        result: Result<(), StorageError>,
        library: &mut Library,
        next: Library,
    ) -> Result<(), StorageError> {
        match result {
            Ok(()) => {
                *library = next;
                Ok(())
            }
            Err(e) => {
                self.roll_back();
                Err(e)
            }
        }
    }

    /// Puts every key back as it was, newest write first.
    fn roll_back(self) {
        for (key, old) in self.before.into_iter().rev() {
            let _ = match old {
                Some(v) => self.store.set(&key, &v),
                None => self.store.remove(&key),
            };
        }
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StorageError> {
    serde_json::to_string(v).map_err(|e| StorageError::Other(e.to_string()))
}

impl<S: KeyValueStore> LibrarySource for Repo<S> {
    fn library(&self) -> Library {
        self.stored_library().unwrap_or_default()
    }

    fn article(&self, id: &str) -> Option<Article> {
        let raw = self.store().get(&article_key(id)).ok().flatten()?;
        let a: Article = serde_json::from_str(&raw).ok()?;
        (a.id == id && a.validate().is_ok()).then_some(a)
    }

    fn annotations(&self, id: &str) -> AnnotationSet {
        self.stored_annotations(id)
            .unwrap_or_else(|| AnnotationSet::new(id))
    }

    fn colours(&self) -> TagColours {
        self.load_tag_colours()
    }
}

impl<S: KeyValueStore> Repo<S> {
    /// Applies an import plan: restores its articles, stores its merged
    /// annotations (merging again with what is stored now, in case another
    /// tab saved meanwhile) and its tag colours. All or nothing; `library`
    /// changes only on success.
    pub fn apply_import(&mut self, library: &mut Library, plan: &Plan) -> Result<(), StorageError> {
        self.writable()?;
        let mut next = self.stored_library().unwrap_or_else(|| library.clone());
        let mut sets = Vec::new();
        for p in &plan.articles {
            if let Some(set) = &p.set {
                let mut set = set.clone();
                if let Some(stored) = self.stored_annotations(set.article()) {
                    set.merge(&stored);
                }
                sets.push(set);
            }
        }
        let mut journal = Journal {
            store: self.store_mut(),
            before: Vec::new(),
        };
        let result = (|| {
            let restored: Vec<&Article> = plan.restored().collect();
            // Added in reverse, so they keep the file's order at the top.
            for a in restored.into_iter().rev() {
                if next.get(&a.id).is_some() {
                    continue;
                }
                journal.set(&article_key(&a.id), &to_json(a)?)?;
                next.add(a.meta());
            }
            for set in &sets {
                journal.set(&annotations_key(set.article()), &to_json(&set.to_stored())?)?;
            }
            if let Some(colours) = &plan.tag_colours {
                journal.set(TAG_COLOURS_KEY, &to_json(colours)?)?;
            }
            journal.set(INDEX_KEY, &to_json(&next)?)
        })();
        journal.finish(result, library, next)
    }

    /// Replaces article `old` by the edited text `new`: re-anchors the
    /// annotations stored for `old` *now* (so edits made since the
    /// preview, here or in another tab, move too), stores the new article
    /// and those annotations, puts it in the old one's place in the index,
    /// then removes the old article and its annotations. An unreadable
    /// old annotations value is moved to a backup key, never dropped; one
    /// in a newer format refuses the replacement. All or nothing;
    /// `library` changes only on success. Returns what was stored.
    pub fn replace_article(
        &mut self,
        library: &mut Library,
        old: &Article,
        new: Article,
    ) -> Result<Replacement, StorageError> {
        self.writable()?;
        new.validate().map_err(StorageError::Other)?;
        let mut next = self.stored_library().unwrap_or_else(|| library.clone());
        if next.get(&old.id).is_none() {
            return Err(StorageError::ArticleGone(old.id.clone()));
        }
        if next.get(&new.id).is_some() {
            return Err(StorageError::Other(
                "that version is already in the library as an article of its own".into(),
            ));
        }
        let old_key = annotations_key(&old.id);
        let (old_set, unreadable) = match self.store().get(&old_key)? {
            None => (AnnotationSet::new(&old.id), None),
            Some(raw) => match AnnotationSet::from_json(&old.id, &raw) {
                Ok(set) => (set, None),
                Err(crate::domain::annotate::set::LoadError::Newer(v)) => {
                    return Err(StorageError::ReadOnly(super::ReadOnly::Annotations(v)));
                }
                Err(crate::domain::annotate::set::LoadError::Corrupt(why)) => {
                    (AnnotationSet::new(&old.id), Some((raw, why)))
                }
            },
        };
        let replacement = restore::replace(old, &old_set, new);
        let new = &replacement.article;
        next.swap(&old.id, new.meta());
        let backup_key = unreadable.as_ref().map(|_| self.free_backup_key(&old_key));
        let mut journal = Journal {
            store: self.store_mut(),
            before: Vec::new(),
        };
        let result = (|| {
            if let (Some((raw, _)), Some(k)) = (&unreadable, &backup_key) {
                journal.set(k, raw)?;
            }
            journal.set(&article_key(&new.id), &to_json(new)?)?;
            if !replacement.set.is_empty() {
                journal.set(
                    &annotations_key(&new.id),
                    &to_json(&replacement.set.to_stored())?,
                )?;
            }
            journal.set(INDEX_KEY, &to_json(&next)?)?;
            journal.remove(&article_key(&old.id))?;
            journal.remove(&old_key)
        })();
        journal.finish(result, library, next)?;
        Ok(replacement)
    }
}
