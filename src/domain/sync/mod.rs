//! Sync across devices through CouchDB's replication protocol, as pure
//! code: what is kept in the database and how it is read back
//! ([`docs`]), and revisions and which one wins ([`revs`]).
//!
//! Work in progress (issue 13): the replication itself (change feed,
//! `_revs_diff`, `_bulk_docs`, `_bulk_get`, checkpoints), its storage and
//! its page come next; see `docs/sync.md` for the design.

pub mod conflict;
pub mod docs;
pub mod revs;
