//! Importing and replacing articles in storage, all or nothing.
//!
//! An import plan ([`crate::domain::exchange::restore::Plan`]) may touch many keys:
//! restored articles, annotation keys, the tag colours and the index. Each
//! key's value before is kept, and if any write fails (a full storage) all
//! of them are put back, so a failed import leaves storage as it was.
//! The index is written last, so another tab never lists an article whose
//! key is not written yet.

use super::repo::{
    DEAD_PREFIX, INDEX_KEY, LIVE_PREFIX, Repo, TAG_COLOURS_KEY, article_key, check_short_id,
    parse_record_key, records_of, short_id,
};
use super::{KeyValueStore, StorageError};
use crate::domain::annotate::record;
use crate::domain::annotate::set::{AnnotationSet, LoadError, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::Article;
use crate::domain::article::library::Library;
use crate::domain::exchange::restore::{self, LibrarySource, Plan, Replacement};
use std::collections::BTreeMap;

/// Writes keys, remembering what they held so they can all be put back.
pub(crate) struct Journal<'r, S: KeyValueStore> {
    store: &'r mut S,
    before: Vec<(String, Option<String>)>,
}

impl<'r, S: KeyValueStore> Journal<'r, S> {
    /// A journal over `store` that has written nothing yet.
    pub(crate) fn new(store: &'r mut S) -> Self {
        Self {
            store,
            before: Vec::new(),
        }
    }

    fn remember(&mut self, key: &str) -> Result<(), StorageError> {
        if !self.before.iter().any(|(k, _)| k == key) {
            let old = self.store.get(key)?;
            self.before.push((key.to_owned(), old));
        }
        Ok(())
    }

    pub(crate) fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        self.remember(key)?;
        self.store.set(key, value)
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        self.remember(key)?;
        self.store.remove(key)
    }

    /// Writes the records of `set` that differ from what is stored, and
    /// removes the other key of each id.
    fn write_records(&mut self, set: &AnnotationSet, map: &TextMap) -> Result<(), StorageError> {
        for (key, value, other) in records_of(set, map) {
            if self.store.get(&key)?.as_deref() != Some(value.as_str()) {
                self.set(&key, &value)?;
            }
            if self.store.get(&other)?.is_some() {
                self.remove(&other)?;
            }
        }
        Ok(())
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
    pub(crate) fn roll_back(self) {
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
        self.apply_import_with(library, plan, true, &BTreeMap::new())
    }

    /// [`Repo::apply_import`]; `bodies_here`: whether restored articles'
    /// bodies are written to `localStorage` (false: they were stored in
    /// the body store first, see [`super::shelf`]); `texts`: article texts
    /// read from there, for the annotation records.
    pub fn apply_import_with(
        &mut self,
        library: &mut Library,
        plan: &Plan,
        bodies_here: bool,
        texts: &BTreeMap<String, Article>,
    ) -> Result<(), StorageError> {
        self.writable()?;
        let mut next = self.stored_library().unwrap_or_else(|| library.clone());
        let mut sets = Vec::new();
        for p in &plan.articles {
            if let Some(set) = &p.set {
                let text = plan
                    .restored()
                    .find(|a| a.id == set.article())
                    .cloned()
                    .or_else(|| texts.get(set.article()).cloned())
                    .or_else(|| LibrarySource::article(self, set.article()));
                let Some(text) = text else {
                    return Err(StorageError::Other(format!(
                        "the text of article {} is not stored",
                        set.article()
                    )));
                };
                let map = TextMap::new(&text);
                let mut set = set.clone();
                set.merge(&self.stored_annotations_for(&map, set.article()));
                sets.push((set, map));
            }
        }
        for a in plan.restored() {
            if next.get(&a.id).is_none() {
                check_short_id(&next, &a.id)?;
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
                if bodies_here {
                    journal.set(&article_key(&a.id), &to_json(a)?)?;
                }
                next.add(a.meta());
            }
            for (set, map) in &sets {
                journal.write_records(set, map)?;
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
        self.replace_article_with(library, old, new, true)
    }

    /// [`Repo::replace_article`]; `bodies_here`: whether the new body is
    /// written to `localStorage` (false: it was stored in the body store
    /// first, as [`restore::replaced_article`] gives it).
    pub fn replace_article_with(
        &mut self,
        library: &mut Library,
        old: &Article,
        new: Article,
        bodies_here: bool,
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
        check_short_id(&next, &new.id)?;
        let old_map = TextMap::new(old);
        let mut old_set = AnnotationSet::new(&old.id);
        let mut old_keys = Vec::new();
        let mut unreadable = Vec::new();
        for prefix in [LIVE_PREFIX, DEAD_PREFIX] {
            let scan = format!("{prefix}{}:", short_id(&old.id));
            for (key, raw) in self.store().scan(&scan)? {
                let Some((_, _, aid)) = parse_record_key(&key) else {
                    continue;
                };
                match record::decode(&old.id, aid, &raw, &old_map) {
                    Ok(r) => super::repo::merge_record(&mut old_set, aid, r),
                    Err(LoadError::Newer(v)) => {
                        return Err(StorageError::ReadOnly(super::ReadOnly::Annotations(v)));
                    }
                    Err(LoadError::Corrupt(_)) => unreadable.push((key.clone(), raw)),
                }
                old_keys.push(key);
            }
        }
        let replacement = restore::replace(old, &old_set, new);
        let new = &replacement.article;
        let new_map = TextMap::new(new);
        next.swap(&old.id, new.meta());
        let backups: Vec<(String, String)> = unreadable
            .into_iter()
            .map(|(key, raw)| (self.free_backup_key(&key), raw))
            .collect();
        let mut journal = Journal {
            store: self.store_mut(),
            before: Vec::new(),
        };
        let result = (|| {
            for (k, raw) in &backups {
                journal.set(k, raw)?;
            }
            if bodies_here {
                journal.set(&article_key(&new.id), &to_json(new)?)?;
            }
            journal.write_records(&replacement.set, &new_map)?;
            journal.set(INDEX_KEY, &to_json(&next)?)?;
            journal.remove(&article_key(&old.id))?;
            for k in &old_keys {
                journal.remove(k)?;
            }
            Ok(())
        })();
        journal.finish(result, library, next)?;
        Ok(replacement)
    }
}
