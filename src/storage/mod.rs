//! The storage edge: the only code that touches `localStorage`.
//!
//! [`KeyValueStore`] is the small trait everything else is written against.
//! [`memory::MemoryStore`] implements it in memory (for tests, and as the
//! fallback when the browser refuses storage); `local::LocalStore`
//! implements it over `localStorage` through gloo-storage (wasm only).
//! [`repo::Repo`] lays the library out in keys on top of any store.

pub mod bodies;
pub mod conflicts;
pub mod memory;
pub mod repo;
pub mod retag;
pub mod shelf;
pub mod sync;
pub mod transfer;

#[cfg(target_arch = "wasm32")]
pub mod idb;
#[cfg(target_arch = "wasm32")]
pub mod local;
#[cfg(target_arch = "wasm32")]
pub mod quota;

use std::collections::BTreeMap;
use std::fmt;

/// Why a storage operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// The browser's storage quota is used up (`QuotaExceededError`).
    QuotaExceeded,
    /// Storage cannot be used at all (disabled, or blocked by privacy settings).
    Unavailable(String),
    /// A stored value could not be read; it was kept under `backup_key`.
    Corrupt {
        /// The key whose value was unreadable.
        key: String,
        /// Where the unreadable value was moved.
        backup_key: String,
        /// What was wrong with it.
        reason: String,
    },
    /// Writes are refused: a newer version of Marginalia owns the data.
    ReadOnly(ReadOnly),
    /// The article was deleted or replaced (in another tab, say), so its
    /// annotations are not written back.
    ArticleGone(String),
    /// The article store could not be upgraded: another tab holds an older
    /// version of it open.
    Blocked,
    /// Any other failure reported by the browser.
    Other(String),
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::QuotaExceeded => f.write_str(
                "Browser storage is full, so nothing was saved. Delete an article you no longer need and try again.",
            ),
            Self::Unavailable(why) => write!(
                f,
                "Browser storage is not available ({why}); changes will last only until this tab is closed."
            ),
            Self::Corrupt { key, backup_key, reason } => write!(
                f,
                "Stored data under {key} could not be read ({reason}); it was kept as {backup_key} and left out."
            ),
            Self::ReadOnly(ReadOnly::Schema(v)) => write!(
                f,
                "This library was saved by a newer version of Marginalia (storage schema {v}); reload to get the new version. Nothing will be changed until then."
            ),
            Self::ReadOnly(ReadOnly::Annotations(v)) => write!(
                f,
                "Annotations here were saved by a newer version of Marginalia (annotation format {v}); reload to get the new version. Nothing will be changed until then."
            ),
            Self::ReadOnly(ReadOnly::Bodies) => f.write_str(
                "Article texts here were stored by a newer version of Marginalia; reload to get the new version. Nothing will be changed until then.",
            ),
            Self::ArticleGone(_) => f.write_str(
                "This article was deleted or replaced in another tab, so changes made to it here were not saved.",
            ),
            Self::Blocked => f.write_str(
                "Another Marginalia tab, from an older version, is keeping the article store from being upgraded. Close or reload that tab, then reload this one; nothing is lost meanwhile.",
            ),
            Self::Other(why) => write!(f, "Browser storage failed: {why}."),
        }
    }
}

impl std::error::Error for StorageError {}

/// Why storage is read-only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOnly {
    /// The storage schema is newer than this build's.
    Schema(u32),
    /// An article's annotations are in a newer format than this build's.
    Annotations(u32),
    /// The article store (IndexedDB) was upgraded by a newer build.
    Bodies,
}

/// A string key-value store with the semantics of `localStorage`: each
/// `set` is atomic, and may fail with [`StorageError::QuotaExceeded`]
/// leaving the old value in place.
pub trait KeyValueStore {
    /// The value under `key`.
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    /// Stores `value` under `key`, replacing any old value.
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError>;
    /// Removes `key`; removing a missing key is not an error.
    fn remove(&mut self, key: &str) -> Result<(), StorageError>;
    /// All keys, in no particular order.
    fn keys(&self) -> Result<Vec<String>, StorageError>;
    /// The values under `keys`, in their order. Stores override it to
    /// read them all at once.
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StorageError> {
        keys.iter().map(|k| self.get(k)).collect()
    }
    /// The keys that start with `prefix`, in no particular order.
    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let mut keys = self.keys()?;
        keys.retain(|k| k.starts_with(prefix));
        Ok(keys)
    }
    /// Every key that starts with `prefix`, with its value, in no
    /// particular order. Stores override it to read them all at once.
    fn scan(&self, prefix: &str) -> Result<Vec<(String, String)>, StorageError> {
        let mut out = Vec::new();
        for k in self.keys_with_prefix(prefix)? {
            if let Some(v) = self.get(&k)? {
                out.push((k, v));
            }
        }
        Ok(out)
    }
    /// How many keys start with `prefix`, grouped by what follows it up
    /// to the next `:` (the group of a key with no `:` after the prefix is
    /// the rest of it). Stores override it to count without listing.
    fn count_groups(&self, prefix: &str) -> Result<BTreeMap<String, usize>, StorageError> {
        let mut out = BTreeMap::new();
        for k in self.keys_with_prefix(prefix)? {
            let rest = &k[prefix.len()..];
            let group = rest.split(':').next().unwrap_or(rest);
            *out.entry(group.to_owned()).or_default() += 1;
        }
        Ok(out)
    }
    /// How much of the store is used, in UTF-16 units of keys and values
    /// (what `localStorage`'s 5,242,880-unit limit counts).
    fn units(&self) -> Result<usize, StorageError> {
        Ok(self
            .scan("")?
            .iter()
            .map(|(k, v)| k.encode_utf16().count() + v.encode_utf16().count())
            .sum())
    }
}

impl<T: KeyValueStore + ?Sized> KeyValueStore for Box<T> {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        (**self).get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        (**self).set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        (**self).remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StorageError> {
        (**self).keys()
    }
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StorageError> {
        (**self).get_many(keys)
    }
    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        (**self).keys_with_prefix(prefix)
    }
    fn scan(&self, prefix: &str) -> Result<Vec<(String, String)>, StorageError> {
        (**self).scan(prefix)
    }
    fn units(&self) -> Result<usize, StorageError> {
        (**self).units()
    }
    fn count_groups(&self, prefix: &str) -> Result<BTreeMap<String, usize>, StorageError> {
        (**self).count_groups(prefix)
    }
}
