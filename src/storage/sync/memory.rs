//! A CouchDB stand-in in memory, for tests: revision trees, conflicts, the
//! change feed and `_local` documents, as the protocol describes them, and
//! a count of the calls made (what a sync costs).

use super::{ChangeRow, Changes, Remote, SyncError};
use crate::domain::sync::revs::{History, Rev, winner};
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
struct Node {
    parent: Option<String>,
    /// The document as stored (without `_revisions`); `None` for an
    /// ancestor known by id only.
    doc: Option<Value>,
    deleted: bool,
}

#[derive(Clone, Debug, Default)]
struct Tree {
    nodes: BTreeMap<String, Node>,
}

impl Tree {
    fn leaves(&self) -> Vec<String> {
        let parents: std::collections::BTreeSet<&String> = self
            .nodes
            .values()
            .filter_map(|n| n.parent.as_ref())
            .collect();
        self.nodes
            .keys()
            .filter(|r| !parents.contains(r))
            .cloned()
            .collect()
    }

    fn history(&self, rev: &str) -> Vec<Rev> {
        let mut out = Vec::new();
        let mut at = Some(rev.to_owned());
        while let Some(r) = at {
            let Some(parsed) = Rev::parse(&r) else { break };
            out.push(parsed);
            at = self.nodes.get(&r).and_then(|n| n.parent.clone());
        }
        out
    }
}

/// The stand-in (see the module docs).
#[derive(Debug, Default)]
pub struct MemoryRemote {
    docs: RefCell<BTreeMap<String, Tree>>,
    changed_at: RefCell<BTreeMap<String, u64>>,
    seq: Cell<u64>,
    locals: RefCell<BTreeMap<String, Value>>,
    calls: Cell<usize>,
    down: Cell<bool>,
    fail_after: Cell<Option<usize>>,
}

impl MemoryRemote {
    /// Forgets every `_local` document (a database replaced, in tests).
    pub fn drop_locals(&self) {
        self.locals.borrow_mut().clear();
    }

    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many calls were made so far.
    pub fn calls(&self) -> usize {
        self.calls.get()
    }

    /// Makes every call fail as an unreachable server would, or not.
    pub fn set_down(&self, down: bool) {
        self.down.set(down);
    }

    /// Lets `n` more calls through, then fails the rest (a server killed
    /// half-way through a sync).
    pub fn fail_after(&self, n: usize) {
        self.fail_after.set(Some(n));
    }

    fn call(&self) -> Result<(), SyncError> {
        if let Some(n) = self.fail_after.get() {
            if n == 0 {
                self.down.set(true);
                self.fail_after.set(None);
            } else {
                self.fail_after.set(Some(n - 1));
            }
        }
        if self.down.get() {
            return Err(SyncError::Unreachable("connection refused".into()));
        }
        self.calls.set(self.calls.get() + 1);
        Ok(())
    }

    /// The winning revision's document for `id` (what a plain GET returns).
    pub fn winner(&self, id: &str) -> Option<Value> {
        let docs = self.docs.borrow();
        let tree = docs.get(id)?;
        let leaves: Vec<(Rev, bool)> = tree
            .leaves()
            .iter()
            .filter_map(|r| Some((Rev::parse(r)?, tree.nodes[r].deleted)))
            .collect();
        let w = winner(&leaves)?;
        tree.nodes[&leaves[w].0.to_string()].doc.clone()
    }

    /// The leaf revisions of `id`.
    pub fn leaves(&self, id: &str) -> Vec<String> {
        self.docs
            .borrow()
            .get(id)
            .map(Tree::leaves)
            .unwrap_or_default()
    }

    /// Every document id held.
    pub fn ids(&self) -> Vec<String> {
        self.docs.borrow().keys().cloned().collect()
    }
}

impl Remote for MemoryRemote {
    async fn changes(&self, since: &Value, limit: usize) -> Result<Changes, SyncError> {
        self.call()?;
        let since = since.as_u64().unwrap_or(0);
        let mut rows: Vec<(u64, String)> = self
            .changed_at
            .borrow()
            .iter()
            .filter(|(_, s)| **s > since)
            .map(|(id, s)| (*s, id.clone()))
            .collect();
        rows.sort();
        rows.truncate(limit);
        let last = rows.last().map_or(since, |r| r.0);
        let docs = self.docs.borrow();
        Ok(Changes {
            rows: rows
                .into_iter()
                .map(|(_, id)| ChangeRow {
                    revs: docs[&id].leaves(),
                    id,
                })
                .collect(),
            last_seq: json!(last),
        })
    }

    async fn revs_diff(
        &self,
        revs: &BTreeMap<String, Vec<String>>,
    ) -> Result<BTreeMap<String, Vec<String>>, SyncError> {
        self.call()?;
        let docs = self.docs.borrow();
        let mut out = BTreeMap::new();
        for (id, list) in revs {
            let missing: Vec<String> = list
                .iter()
                .filter(|r| {
                    docs.get(id)
                        .is_none_or(|t| t.nodes.get(*r).is_none_or(|n| n.doc.is_none()))
                })
                .cloned()
                .collect();
            if !missing.is_empty() {
                out.insert(id.clone(), missing);
            }
        }
        Ok(out)
    }

    async fn bulk_docs(&self, docs: &[Value]) -> Result<Vec<(String, String)>, SyncError> {
        self.call()?;
        let mut failed = Vec::new();
        for d in docs {
            let id = d["_id"].as_str().unwrap_or_default().to_owned();
            let Some(history) = History::from_json(&d["_revisions"]) else {
                failed.push((id, "no valid _revisions".into()));
                continue;
            };
            if d["_rev"].as_str() != Some(history.head().to_string().as_str()) {
                failed.push((id, "_rev is not the head of _revisions".into()));
                continue;
            }
            let mut body = d.clone();
            if let Some(o) = body.as_object_mut() {
                o.remove("_revisions");
            }
            let deleted = d["_deleted"].as_bool().unwrap_or(false);
            let mut all = self.docs.borrow_mut();
            let tree = all.entry(id.clone()).or_default();
            let revs = &history.revs;
            for (i, r) in revs.iter().enumerate() {
                let key = r.to_string();
                let parent = revs.get(i + 1).map(ToString::to_string);
                let node = tree.nodes.entry(key).or_insert(Node {
                    parent: parent.clone(),
                    doc: None,
                    deleted: false,
                });
                if node.parent.is_none() {
                    node.parent = parent;
                }
                if i == 0 && node.doc.is_none() {
                    node.doc = Some(body.clone());
                    node.deleted = deleted;
                }
            }
            let s = self.seq.get() + 1;
            self.seq.set(s);
            self.changed_at.borrow_mut().insert(id, s);
        }
        Ok(failed)
    }

    async fn bulk_get(
        &self,
        wanted: &[(String, String)],
    ) -> Result<Vec<Result<Value, String>>, SyncError> {
        self.call()?;
        let docs = self.docs.borrow();
        Ok(wanted
            .iter()
            .map(|(id, rev)| {
                let tree = docs.get(id).ok_or("not_found")?;
                let node = tree.nodes.get(rev).ok_or("missing")?;
                let mut doc = node.doc.clone().ok_or("missing")?;
                let h = History::new(tree.history(rev)).ok_or("bad history")?;
                doc["_revisions"] = h.to_json();
                Ok(doc)
            })
            .map(|r: Result<Value, &str>| r.map_err(str::to_owned))
            .collect())
    }

    async fn get_local(&self, id: &str) -> Result<Option<Value>, SyncError> {
        self.call()?;
        Ok(self.locals.borrow().get(id).cloned())
    }

    async fn put_local(&self, id: &str, doc: &Value) -> Result<String, SyncError> {
        self.call()?;
        let mut locals = self.locals.borrow_mut();
        // As CouchDB: an update names the revision it replaces.
        let held = locals.get(id).map(|d| d["_rev"].clone());
        if held.as_ref().is_some_and(|r| *r != doc["_rev"]) {
            return Err(SyncError::NotCouch("Document update conflict.".into()));
        }
        let n = held
            .and_then(|r| r.as_str()?.strip_prefix("0-")?.parse::<u64>().ok())
            .unwrap_or(0);
        let rev = format!("0-{}", n + 1);
        let mut d = doc.clone();
        d["_rev"] = json!(rev);
        locals.insert(id.to_owned(), d);
        Ok(rev)
    }
}
