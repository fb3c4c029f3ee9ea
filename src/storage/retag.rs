//! The tag manager in storage: renaming, merging or deleting a tag across
//! every live annotation record of the library, all or nothing, its undo,
//! and per-tag statistics.
//!
//! The rules are [`crate::domain::annotate::retag`]'s; this module reads
//! every live record (`marginalia:a:…`) in one scan and writes the records
//! that change and the tag colours (`marginalia:tag-colours`) through the
//! same journal as an import ([`super::transfer`]): each key's old value
//! is remembered, and if any write fails (a full storage) every key is
//! put back, so storage is byte-for-byte what it was. All of it happens
//! within one task, so no other tab's write comes between the scan and
//! the writes; the other tabs then see one `storage` event per record,
//! each merged as usual (the rewritten records are stamped later than
//! what they replace).
//!
//! An unreadable tag colours value is never written over: the colours are
//! then left as they are.

use super::repo::{LIVE_PREFIX, Repo, TAG_COLOURS_KEY, parse_record_key};
use super::transfer::Journal;
use super::{KeyValueStore, StorageError};
use crate::domain::annotate::retag::{self, RawRecord, RecordChange, TagOp, TagStats};
use crate::domain::annotate::set::TagColours;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What a tag operation wrote: enough to undo it, and what to tell the
/// reader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retagged {
    /// Every record rewritten: its key, old and new record.
    pub changes: Vec<RecordChange>,
    /// The tag colours before.
    pub colours_before: TagColours,
    /// The tag colours after (the same when they were not written).
    pub colours_after: TagColours,
    /// How many annotations changed.
    pub annotations: usize,
    /// In how many articles.
    pub articles: usize,
    /// How many records could not be read and were left as they were.
    pub skipped: usize,
}

impl Retagged {
    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.colours_before == self.colours_after
    }
}

/// What an undo of a tag operation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UndoOutcome {
    /// How many annotations got their old tags back.
    pub restored: usize,
    /// How many were changed since the operation, and were left alone.
    pub edited: usize,
    /// How many were deleted since, and stay deleted.
    pub gone: usize,
    /// Whether the tag colours were written back.
    pub colours_restored: bool,
    /// Folded tags whose colour was changed since, and is kept as it is.
    pub colours_kept: Vec<String>,
}

impl<S: KeyValueStore> Repo<S> {
    /// Every live record of the library, with its article's short id.
    fn live_records(&self) -> Result<Vec<RawRecord>, StorageError> {
        Ok(self
            .store()
            .scan(LIVE_PREFIX)?
            .into_iter()
            .filter_map(|(key, raw)| {
                let (true, short, _) = parse_record_key(&key)? else {
                    return None;
                };
                let article = short.to_owned();
                Some(RawRecord { key, article, raw })
            })
            .collect())
    }

    /// The tag colours as stored, and whether they may be written over
    /// (false when the stored value is unreadable).
    fn colours_for_writing(&self) -> Result<(TagColours, bool), StorageError> {
        Ok(match self.store().get(TAG_COLOURS_KEY)? {
            None => (TagColours::default(), true),
            Some(raw) => match serde_json::from_str(&raw) {
                Ok(c) => (c, true),
                Err(_) => (TagColours::default(), false),
            },
        })
    }

    /// Writes `records` and, if given, the tag colours, all or nothing.
    fn write_all(
        &mut self,
        records: &[(String, String)],
        colours: Option<&TagColours>,
    ) -> Result<(), StorageError> {
        let colours = colours
            .map(|c| serde_json::to_string(c).map_err(|e| StorageError::Other(e.to_string())))
            .transpose()?;
        let mut journal = Journal::new(self.store_mut());
        let result = (|| {
            for (key, value) in records {
                journal.set(key, value)?;
            }
            if let Some(json) = &colours {
                journal.set(TAG_COLOURS_KEY, json)?;
            }
            Ok(())
        })();
        if result.is_err() {
            journal.roll_back();
        }
        result
    }

    /// Renames, merges or deletes a tag across every annotation of the
    /// library at `now` (see [`crate::domain::annotate::retag`] for the
    /// rules), moving its colour: every changed record and the tag colours
    /// are written in one all-or-nothing step. Refused when storage is
    /// read-only. An operation that matches nothing writes nothing and
    /// returns an empty [`Retagged`]. Bad input (an empty new name, a
    /// merge of nothing) is refused as [`StorageError::Other`] with the
    /// reason; check it first with [`TagOp::check`] to show it as it is.
    ///
    /// The open reader's unsaved edits are to be saved first, and its
    /// set merged with what is stored afterwards.
    pub fn retag(&mut self, op: &TagOp, now: DateTime<Utc>) -> Result<Retagged, StorageError> {
        self.writable()?;
        op.check().map_err(|e| StorageError::Other(e.to_string()))?;
        let records = self.live_records()?;
        let (colours, colours_writable) = self.colours_for_writing()?;
        let mut plan = retag::plan(op, &records, &colours, now)
            .map_err(|e| StorageError::Other(e.to_string()))?;
        if !colours_writable {
            plan.colours_after = plan.colours_before.clone();
        }
        let writes: Vec<(String, String)> = plan
            .changes
            .iter()
            .map(|c| (c.key.clone(), c.new.clone()))
            .collect();
        let colours_due = plan.colours_after != plan.colours_before;
        self.write_all(&writes, colours_due.then_some(&plan.colours_after))?;
        Ok(Retagged {
            annotations: plan.changes.len(),
            articles: plan.articles(),
            skipped: plan.skipped.len(),
            changes: plan.changes,
            colours_before: plan.colours_before,
            colours_after: plan.colours_after,
        })
    }

    /// Undoes a tag operation `done` at `now`: each record still exactly
    /// as the operation left it gets its old tags back (stamped later
    /// again, so every tab takes it), and each tag colour it changed that
    /// was not changed since is put back. Records edited or deleted since
    /// are left alone and counted. All or nothing; refused when storage
    /// is read-only.
    pub fn undo_retag(
        &mut self,
        done: &Retagged,
        now: DateTime<Utc>,
    ) -> Result<UndoOutcome, StorageError> {
        self.writable()?;
        let mut current = BTreeMap::new();
        for c in &done.changes {
            if let Some(raw) = self.store().get(&c.key)? {
                current.insert(c.key.clone(), raw);
            }
        }
        let records = retag::plan_undo(&done.changes, &current, now);
        let (colours_now, colours_writable) = self.colours_for_writing()?;
        let colours = retag::undo_colours(&done.colours_before, &done.colours_after, &colours_now);
        let colours_due = colours_writable && colours.colours != colours_now;
        self.write_all(&records.writes, colours_due.then_some(&colours.colours))?;
        Ok(UndoOutcome {
            restored: records.writes.len(),
            edited: records.edited.len(),
            gone: records.gone.len(),
            colours_restored: colours_due,
            colours_kept: colours.kept,
        })
    }

    /// What each tag of the library is used for: its spelling, how many
    /// annotations and articles carry it, its first and last use; most
    /// used first (see [`retag::tag_stats`]). One scan of the live
    /// records; none when they cannot be read.
    pub fn tag_stats(&self) -> Vec<TagStats> {
        retag::tag_stats(&self.live_records().unwrap_or_default())
    }
}
