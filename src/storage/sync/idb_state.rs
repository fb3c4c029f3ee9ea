//! Sync state in IndexedDB (database `marginalia-sync`, store `state`):
//! one entry per document (its [`Synced`] as JSON), the checkpoint under
//! `~checkpoint`.

use super::state::{SyncStore, Synced, read_checkpoint};
use crate::storage::StorageError;
use crate::storage::idb::IdbStrings;
use serde_json::Value;
use std::collections::BTreeMap;

/// The key of the checkpoint.
const CHECKPOINT: &str = "~checkpoint";
/// The key of the connection's settings (URL, user, password): kept in
/// this browser only, never exported, never logged.
const CONFIG: &str = "~config";
/// Keys that are not documents start with this.
const META: char = '~';

/// Sync state over IndexedDB.
pub struct IdbSyncStore {
    db: IdbStrings,
}

impl IdbSyncStore {
    /// Opens it.
    pub async fn open() -> Result<Self, StorageError> {
        Ok(Self {
            db: IdbStrings::open("marginalia-sync", "state").await?,
        })
    }

    /// The connection's settings, as stored (JSON).
    pub async fn config(&self) -> Option<String> {
        self.db.get(CONFIG).await.ok().flatten()
    }

    /// Stores the connection's settings (JSON).
    pub async fn set_config(&self, json: &str) -> Result<(), StorageError> {
        self.db
            .put_all(&[(CONFIG.to_owned(), json.to_owned())])
            .await
    }

    /// Where the change feed was last taken in (for waiting on the next
    /// change).
    pub async fn since(&self) -> Value {
        read_checkpoint(self.checkpoint().await).0
    }

    /// Forgets everything (on disconnecting).
    pub async fn clear(&self) -> Result<(), StorageError> {
        let keys: Vec<String> = self
            .db
            .entries()
            .await?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        self.db.delete(&keys).await
    }
}

impl SyncStore for IdbSyncStore {
    async fn all(&self) -> BTreeMap<String, Synced> {
        self.db
            .entries()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| !k.starts_with(META))
            .filter_map(|(k, v)| Some((k, serde_json::from_str(&v).ok()?)))
            .collect()
    }

    async fn put(&self, items: &[(String, Synced)]) -> Result<(), String> {
        let rows: Vec<(String, String)> = items
            .iter()
            .filter_map(|(k, s)| Some((k.clone(), serde_json::to_string(s).ok()?)))
            .collect();
        self.db.put_all(&rows).await.map_err(|e| e.to_string())
    }

    async fn checkpoint(&self) -> Option<Value> {
        let raw = self.db.get(CHECKPOINT).await.ok()??;
        serde_json::from_str(&raw).ok()
    }

    async fn set_checkpoint(&self, seq: &Value) -> Result<(), String> {
        self.db
            .put_all(&[(CHECKPOINT.to_owned(), seq.to_string())])
            .await
            .map_err(|e| e.to_string())
    }
}
