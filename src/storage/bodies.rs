//! Where article bodies (the article JSON: its blocks and sentence
//! boundaries) are kept: [`BodyStore`], an asynchronous key-value store of
//! body by article id, with [`MemoryBodies`] (tests, and the fallback when
//! no storage works) and, on the web, `idb::IdbBodies` over IndexedDB.
//!
//! Bodies are large (a 100,000-word article is 600 KB of JSON) and
//! immutable but for boundary corrections, so they leave `localStorage`'s
//! 5 MB for IndexedDB, which the browser lets use a large share of the
//! disk. Everything small and often written (the index, annotations, tag
//! colours, preferences) stays in `localStorage`; see `ARCHITECTURE.md`
//! for the write order that keeps an import all or nothing across both.

use super::StorageError;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// An asynchronous store of article bodies by article id. Each call is
/// atomic: [`BodyStore::put_all`] stores every body or none.
#[allow(async_fn_in_trait)] // single-threaded (wasm): no `Send` bound wanted
pub trait BodyStore {
    /// The body stored for `id`.
    async fn get(&self, id: &str) -> Result<Option<String>, StorageError>;
    /// Stores every `(id, body)`, replacing old bodies, all or nothing.
    async fn put_all(&self, bodies: &[(String, String)]) -> Result<(), StorageError>;
    /// Removes the bodies of these ids; a missing one is not an error.
    async fn delete(&self, ids: &[String]) -> Result<(), StorageError>;
    /// Every id with a body.
    async fn ids(&self) -> Result<Vec<String>, StorageError>;
    /// The bodies of these ids, in their order (none where absent), read
    /// at once: IndexedDB answers them in one transaction.
    async fn get_many(&self, ids: &[String]) -> Result<Vec<Option<String>>, StorageError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.get(id).await?);
        }
        Ok(out)
    }
}

/// What [`MemoryBodies`] makes its next call fail with (for tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The next write fails with the quota error.
    Quota,
    /// The next write's transaction is aborted.
    Abort,
}

/// Bodies in memory.
#[derive(Debug, Default)]
pub struct MemoryBodies {
    map: RefCell<BTreeMap<String, String>>,
    fault: RefCell<Option<Fault>>,
    writes: Cell<usize>,
}

impl MemoryBodies {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next write fail.
    pub fn fail_next(&self, fault: Fault) {
        *self.fault.borrow_mut() = Some(fault);
    }

    /// Everything stored, for comparing before and after.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.map.borrow().clone()
    }

    /// How many writes succeeded.
    pub fn writes(&self) -> usize {
        self.writes.get()
    }

    fn check(&self) -> Result<(), StorageError> {
        match self.fault.borrow_mut().take() {
            None => Ok(()),
            Some(Fault::Quota) => Err(StorageError::QuotaExceeded),
            Some(Fault::Abort) => Err(aborted("the transaction was aborted")),
        }
    }
}

/// The error for an aborted IndexedDB transaction.
pub fn aborted(why: &str) -> StorageError {
    StorageError::Other(format!(
        "the article store did not finish writing ({why}); nothing was changed"
    ))
}

impl BodyStore for MemoryBodies {
    async fn get(&self, id: &str) -> Result<Option<String>, StorageError> {
        Ok(self.map.borrow().get(id).cloned())
    }

    async fn put_all(&self, bodies: &[(String, String)]) -> Result<(), StorageError> {
        self.check()?;
        let mut map = self.map.borrow_mut();
        for (id, body) in bodies {
            map.insert(id.clone(), body.clone());
        }
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }

    async fn delete(&self, ids: &[String]) -> Result<(), StorageError> {
        self.check()?;
        let mut map = self.map.borrow_mut();
        for id in ids {
            map.remove(id);
        }
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }

    async fn ids(&self) -> Result<Vec<String>, StorageError> {
        Ok(self.map.borrow().keys().cloned().collect())
    }
}
