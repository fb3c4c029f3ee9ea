//! Sync across devices through CouchDB's replication protocol, as pure
//! code: what is kept in the database and how it is read back
//! ([`docs`]), revisions and which one wins ([`revs`]), and what a
//! conflict keeps ([`conflict`]). The replication itself is
//! `storage::sync`; `docs/sync.md` has the design.

pub mod conflict;
pub mod docs;
pub mod revs;
