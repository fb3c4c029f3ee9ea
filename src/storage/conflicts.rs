//! The versions annotations lost in sync conflicts, in `localStorage`:
//! `marginalia:c:<article short id>:<annotation id>` holds one
//! [`Conflict`]'s body (see [`crate::domain::sync::conflict`]). They go
//! with their article when it is deleted, and an unreadable one is left
//! where it is and counts as absent.

use super::repo::{Repo, short_id};
use super::{KeyValueStore, StorageError};
use crate::domain::sync::conflict::Conflict;
use std::collections::BTreeMap;

/// Prefix of conflict keys.
pub const CONFLICT_KEY_PREFIX: &str = "marginalia:c:";

/// The key of an annotation's conflict.
pub fn conflict_key(article: &str, id: &str) -> String {
    format!("{CONFLICT_KEY_PREFIX}{}:{id}", short_id(article))
}

/// The article short id and annotation id a conflict key names.
pub fn parse_conflict_key(key: &str) -> Option<(&str, &str)> {
    let (short, id) = key.strip_prefix(CONFLICT_KEY_PREFIX)?.split_once(':')?;
    (!id.is_empty()).then_some((short, id))
}

impl<S: KeyValueStore> Repo<S> {
    /// The conflicts on an article's annotations, by annotation id, each
    /// with its stored text.
    pub fn conflicts(&self, article: &str) -> BTreeMap<String, (Conflict, String)> {
        let scan = format!("{CONFLICT_KEY_PREFIX}{}:", short_id(article));
        let mut out = BTreeMap::new();
        for (key, raw) in self.store().scan(&scan).unwrap_or_default() {
            if let Some((_, id)) = parse_conflict_key(&key)
                && let Ok(c) = Conflict::from_json(article, id, &raw)
            {
                out.insert(id.to_owned(), (c, raw));
            }
        }
        out
    }

    /// One annotation's conflict, with its stored text.
    pub fn conflict(&self, article: &str, id: &str) -> Option<(Conflict, String)> {
        let raw = self.store().get(&conflict_key(article, id)).ok()??;
        let c = Conflict::from_json(article, id, &raw).ok()?;
        Some((c, raw))
    }

    /// Stores a conflict (replacing the one held).
    fn put_conflict(&mut self, c: &Conflict) -> Result<(), StorageError> {
        self.writable()?;
        let key = conflict_key(&c.article, &c.id);
        self.store_mut().set(&key, &c.body().to_string())
    }

    /// Keeps a conflict with the one held on the same annotation, if any
    /// ([`Conflict::merge`]); writes only a change.
    pub fn merge_conflict(&mut self, c: &Conflict) -> Result<(), StorageError> {
        let merged = match self.conflict(&c.article, &c.id) {
            Some((mut held, _)) => held.merge(c).then_some(held),
            None => Some(c.clone()),
        };
        match merged {
            Some(m) => self.put_conflict(&m),
            None => Ok(()),
        }
    }

    /// Forgets an annotation's conflict; whether there was one.
    pub fn remove_conflict(&mut self, article: &str, id: &str) -> Result<bool, StorageError> {
        self.writable()?;
        let key = conflict_key(article, id);
        let had = self.store().get(&key)?.is_some();
        if had {
            self.store_mut().remove(&key)?;
        }
        Ok(had)
    }

    /// Forgets every conflict of an article.
    pub(crate) fn remove_conflicts(&mut self, article: &str) -> Result<(), StorageError> {
        let scan = format!("{CONFLICT_KEY_PREFIX}{}:", short_id(article));
        for key in self.store().keys_with_prefix(&scan)? {
            self.store_mut().remove(&key)?;
        }
        Ok(())
    }
}
