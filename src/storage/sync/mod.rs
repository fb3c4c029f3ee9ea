//! Sync through CouchDB's replication protocol:
//! the server as a [`Remote`] (the protocol's calls, nothing more), what
//! this device knows of each document's revisions ([`state`]), and the
//! replication itself ([`engine`]): pull, merge by the multi-tab rules,
//! push, checkpoint. [`memory::MemoryRemote`] is a CouchDB stand-in with
//! real revision trees, for tests; [`http`] is the real one.

pub mod engine;
#[cfg(target_arch = "wasm32")]
pub mod http;
#[cfg(target_arch = "wasm32")]
pub mod idb_state;
pub mod memory;
pub mod state;

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Why a call to the server failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncError {
    /// No answer (no server, no network, or CORS not set up).
    Unreachable(String),
    /// The server refused the credentials (401) or the access (403).
    Refused(String),
    /// The database does not exist.
    NoDatabase,
    /// An answer that is not the protocol's.
    NotCouch(String),
    /// The local side failed (storage).
    Local(String),
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Unreachable(why) => write!(f, "the server did not answer ({why})"),
            SyncError::Refused(why) => write!(f, "the server refused access ({why})"),
            SyncError::NoDatabase => f.write_str("the database does not exist"),
            SyncError::NotCouch(why) => write!(
                f,
                "the server does not speak CouchDB's replication protocol ({why})"
            ),
            SyncError::Local(why) => write!(f, "this browser's storage failed ({why})"),
        }
    }
}

/// One row of a change feed: a document and its leaf revisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRow {
    /// The document id.
    pub id: String,
    /// Every leaf revision (`style=all_docs`).
    pub revs: Vec<String>,
}

/// A page of the change feed.
#[derive(Clone, Debug, PartialEq)]
pub struct Changes {
    /// The changed documents.
    pub rows: Vec<ChangeRow>,
    /// Where the next page starts (opaque: kept and sent back as it came).
    pub last_seq: Value,
}

/// A CouchDB database, as the replication protocol reaches it.
#[allow(async_fn_in_trait)] // single-threaded (wasm): no `Send` bound wanted
pub trait Remote {
    /// `GET /db/_changes?style=all_docs&since=…&limit=…`.
    async fn changes(&self, since: &Value, limit: usize) -> Result<Changes, SyncError>;
    /// `POST /db/_revs_diff`: of these revisions, those the server lacks.
    async fn revs_diff(
        &self,
        revs: &BTreeMap<String, Vec<String>>,
    ) -> Result<BTreeMap<String, Vec<String>>, SyncError>;
    /// `POST /db/_bulk_docs` with `new_edits: false`: the documents that
    /// failed, with why.
    async fn bulk_docs(&self, docs: &[Value]) -> Result<Vec<(String, String)>, SyncError>;
    /// `POST /db/_bulk_get?revs=true`: each revision asked for, with its
    /// `_revisions`, or why not.
    async fn bulk_get(
        &self,
        wanted: &[(String, String)],
    ) -> Result<Vec<Result<Value, String>>, SyncError>;
    /// `GET /db/_local/<id>`.
    async fn get_local(&self, id: &str) -> Result<Option<Value>, SyncError>;
    /// `PUT /db/_local/<id>` (with the `_rev` the last get or put gave, if
    /// any): the new `_rev`.
    async fn put_local(&self, id: &str, doc: &Value) -> Result<String, SyncError>;
}
