//! An in-memory [`KeyValueStore`], with an optional quota that behaves like
//! the browser's: it counts UTF-16 code units of keys and values, and a
//! `set` over the quota fails and leaves the old value in place.

use super::{KeyValueStore, StorageError};
use std::collections::BTreeMap;

/// A store kept in a map.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    map: BTreeMap<String, String>,
    quota: Option<usize>,
    fail_next_sets: usize,
    fail_one_after: Option<usize>,
}

fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

impl MemoryStore {
    /// An empty store without a quota.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store that holds at most `units` UTF-16 code units of keys
    /// and values together.
    pub fn with_quota(units: usize) -> Self {
        Self {
            quota: Some(units),
            ..Self::default()
        }
    }

    /// Makes the next `n` calls to `set` fail with `QuotaExceeded`,
    /// whatever their size.
    pub fn fail_next_sets(&mut self, n: usize) {
        self.fail_next_sets = n;
    }

    /// Lets `n` more calls to `set` succeed, then makes exactly one fail
    /// with `QuotaExceeded` (to fail a write in the middle of several).
    pub fn fail_one_set_after(&mut self, n: usize) {
        self.fail_one_after = Some(n);
    }

    /// The UTF-16 code units used by keys and values.
    pub fn used(&self) -> usize {
        self.map.iter().map(|(k, v)| units(k) + units(v)).sum()
    }

    /// A copy of every key and value, for comparing before and after.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.map.clone()
    }
}

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.map.get(key).cloned())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        match self.fail_one_after {
            Some(0) => {
                self.fail_one_after = None;
                return Err(StorageError::QuotaExceeded);
            }
            Some(n) => self.fail_one_after = Some(n - 1),
            None => {}
        }
        if self.fail_next_sets > 0 {
            self.fail_next_sets -= 1;
            return Err(StorageError::QuotaExceeded);
        }
        if let Some(quota) = self.quota {
            let old = self.map.get(key).map_or(0, |v| units(key) + units(v));
            if self.used() - old + units(key) + units(value) > quota {
                return Err(StorageError::QuotaExceeded);
            }
        }
        self.map.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        self.map.remove(key);
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StorageError> {
        Ok(self.map.keys().cloned().collect())
    }

    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        Ok(self
            .map
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect())
    }

    fn scan(&self, prefix: &str) -> Result<Vec<(String, String)>, StorageError> {
        Ok(self
            .map
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_over_the_quota_fails_and_keeps_the_old_value() {
        let mut s = MemoryStore::with_quota(10);
        s.set("k", "1234").unwrap();
        assert_eq!(s.set("k", "123456789012"), Err(StorageError::QuotaExceeded));
        assert_eq!(s.get("k").unwrap().as_deref(), Some("1234"));
    }

    #[test]
    fn quota_counts_utf16_units_like_browsers() {
        // "😀" is two UTF-16 code units; key "k" is one.
        let mut s = MemoryStore::with_quota(3);
        assert!(s.set("k", "😀").is_ok());
        assert_eq!(s.set("k", "😀a"), Err(StorageError::QuotaExceeded));
    }
}
