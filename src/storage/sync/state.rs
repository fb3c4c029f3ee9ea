//! What this device knows of each synced document: the revisions it last
//! sent or took in (newest first, a bounded history, what the next
//! revision's `_revisions` is built on) and a hash of the local value it
//! then matched (a local value with another hash changed since, and is
//! due to be sent). Also the change feed's checkpoint. Kept apart from the
//! library: losing it costs a full comparison with the server, nothing
//! more (`_revs_diff` skips what the server has).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Revisions kept per document.
pub const KEPT_REVS: usize = 20;

/// One document's sync state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synced {
    /// Revisions, newest first (at most [`KEPT_REVS`]).
    pub revs: Vec<String>,
    /// The hash of the local value these revisions hold.
    pub hash: String,
    /// Whether the newest revision is a deletion.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Other leaves of the document already looked at: branches closed
    /// after a conflict, and revisions refused (quarantined), so they are
    /// not fetched again (at most [`KEPT_REVS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
}

/// The change feed position and the replication log's id in a stored
/// checkpoint (`{"seq": …, "log": …}`; an older plain position has no
/// log); nothing stored is the start.
pub fn read_checkpoint(stored: Option<Value>) -> (Value, Option<String>) {
    match stored {
        Some(Value::Object(o)) if o.contains_key("seq") => (
            o["seq"].clone(),
            o.get("log").and_then(Value::as_str).map(str::to_owned),
        ),
        Some(seq) => (seq, None),
        None => (Value::from(0), None),
    }
}

/// Where sync state is kept.
#[allow(async_fn_in_trait)]
pub trait SyncStore {
    /// Every document's state.
    async fn all(&self) -> BTreeMap<String, Synced>;
    /// Stores these documents' states.
    async fn put(&self, items: &[(String, Synced)]) -> Result<(), String>;
    /// The pull checkpoint (the last change feed position taken in).
    async fn checkpoint(&self) -> Option<Value>;
    /// Stores the pull checkpoint.
    async fn set_checkpoint(&self, seq: &Value) -> Result<(), String>;
}

/// Sync state in memory (tests).
#[derive(Debug, Default)]
pub struct MemorySyncStore {
    docs: RefCell<BTreeMap<String, Synced>>,
    seq: RefCell<Option<Value>>,
}

impl MemorySyncStore {
    /// Nothing known.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SyncStore for MemorySyncStore {
    async fn all(&self) -> BTreeMap<String, Synced> {
        self.docs.borrow().clone()
    }

    async fn put(&self, items: &[(String, Synced)]) -> Result<(), String> {
        let mut d = self.docs.borrow_mut();
        for (k, v) in items {
            d.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    async fn checkpoint(&self) -> Option<Value> {
        self.seq.borrow().clone()
    }

    async fn set_checkpoint(&self, seq: &Value) -> Result<(), String> {
        *self.seq.borrow_mut() = Some(seq.clone());
        Ok(())
    }
}
