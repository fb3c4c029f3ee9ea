//! One sync with a server: pull what changed there since the checkpoint,
//! merge it in by the rules every tab uses, then push what changed here.
//!
//! - **Pull.** The change feed (`style=all_docs`) from the checkpoint, a
//!   page at a time; every leaf revision this device does not hold is
//!   fetched (`_bulk_get`), read as untrusted input ([`Doc::read`]: a bad
//!   one is quarantined with its reason and never applied) and merged: an
//!   annotation by the multi-tab merge (newest `updated` wins, a deletion
//!   wins a tie, equal times settle by content), an article added if
//!   missing or taken when its text was corrected later (`revision`), tag
//!   colours taken unless they changed here since. The checkpoint moves
//!   after each page is applied, so a sync cut short resumes there.
//! - **Push.** Every local value whose hash differs from the one its last
//!   synced revision held gets the next revision, made from its parent
//!   and content, so the same change made on two devices is one revision;
//!   the server is asked which it lacks (`_revs_diff`) and sent those
//!   (`_bulk_docs` with `new_edits: false` and their `_revisions`). A
//!   document the server holds in conflict is resolved there: the result
//!   goes on the winning leaf and every other leaf is closed with a
//!   deletion.
//! - **Conflicts.** A document changed both here and there since the last
//!   sync is reported ([`Report::conflicts`]), whichever side won.
//!
//! A sync after one edit sends one document and receives none, plus the
//! calls that find so (`changes`, `revs_diff`).

use super::state::{KEPT_REVS, SyncStore, Synced, read_checkpoint};
use super::{Remote, SyncError};
use crate::domain::annotate::record::{self, Record};
use crate::domain::annotate::set::AnnotationSet;
use crate::domain::annotate::set::TagColours;
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::library::Library;
use crate::domain::exchange::Entry;
use crate::domain::sync::conflict::{self, CONFLICT_PREFIX, Conflict, Version};
use crate::domain::sync::docs::{self, ANNOTATION_PREFIX, ARTICLE_PREFIX, Doc, TAG_COLOURS_ID};
use crate::domain::sync::revs::{History, Rev, winner};
use crate::storage::bodies::BodyStore;
use crate::storage::conflicts::{CONFLICT_KEY_PREFIX, parse_conflict_key};
use crate::storage::repo::{self, DEAD_PREFIX, LIVE_PREFIX, TAG_COLOURS_KEY};
use crate::storage::shelf::Shelf;
use crate::storage::{KeyValueStore, StorageError};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Documents per fetch (`_bulk_get`) and per push.
pub const BATCH: usize = 100;
/// Rows per page of the change feed (small: an id and its leaves each).
pub const FEED_PAGE: usize = 1000;

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Documents sent.
    pub sent: usize,
    /// Documents taken in.
    pub received: usize,
    /// Documents changed on both sides since the last sync.
    pub conflicts: Vec<String>,
    /// Documents refused, with why (never applied).
    pub quarantined: Vec<(String, String)>,
}

fn local(e: StorageError) -> SyncError {
    SyncError::Local(e.to_string())
}

/// A hash of a local value (what a synced revision held).
fn hash(s: &str) -> String {
    Rev::next(None, s).sig
}

/// Where a local value comes from.
enum Source {
    Article(String),
    Record {
        article: String,
        annotation: String,
        raw: String,
    },
    TagColours(String),
    /// A conflict's stored body.
    Conflict {
        article: String,
        annotation: String,
        raw: String,
    },
    /// Synced once, gone here since: a deleted article, a dismissed
    /// conflict.
    Gone(String),
}

/// Every local value that syncs, by document id, with its hash.
/// An article's local value: what its document depends on here.
fn article_local(e: &crate::domain::article::ArticleMeta) -> (String, Source) {
    let h = hash(&format!("{}:{}:{}", e.id, e.revision, e.title));
    (h, Source::Article(e.id.clone()))
}

/// The tag colours' local value (the stored JSON, `{}` when none).
fn tag_colours_local<S: KeyValueStore>(repo: &repo::Repo<S>) -> (String, Source) {
    let colours = repo
        .store()
        .get(TAG_COLOURS_KEY)
        .ok()
        .flatten()
        .unwrap_or_else(|| "{}".into());
    (hash(&colours), Source::TagColours(colours))
}

/// When a record was written: a live one's `updated`, a tombstone's time.
/// Of a live record and a tombstone of one id, the later one stands (a
/// deletion on a tie), as the merge says.
fn record_time(raw: &str, live: bool) -> i64 {
    serde_json::from_str::<Vec<Value>>(raw)
        .ok()
        .and_then(|v| v.get(if live { 5 } else { 1 }).and_then(Value::as_i64))
        .unwrap_or(0)
}

fn local_values<S: KeyValueStore>(
    repo: &repo::Repo<S>,
    library: &Library,
) -> BTreeMap<String, (String, Source)> {
    let mut out = BTreeMap::new();
    for e in library.entries() {
        out.insert(docs::article_doc_id(&e.id), article_local(e));
    }
    let by_short: BTreeMap<&str, &str> = library
        .entries()
        .iter()
        .map(|e| (repo::short_id(&e.id), e.id.as_str()))
        .collect();
    for (doc, v) in records(repo, &by_short, "") {
        out.insert(doc, v);
    }
    for (key, raw) in repo.store().scan(CONFLICT_KEY_PREFIX).unwrap_or_default() {
        if let Some((short, id)) = parse_conflict_key(&key)
            && let Some(article) = by_short.get(short)
        {
            out.insert(
                conflict::conflict_doc_id(article, id),
                (
                    hash(&raw),
                    Source::Conflict {
                        article: (*article).to_owned(),
                        annotation: id.to_owned(),
                        raw,
                    },
                ),
            );
        }
    }
    out.insert(TAG_COLOURS_ID.to_owned(), tag_colours_local(repo));
    out
}

/// The annotation records under `short` (an article's short id, or `""`
/// for all), one per annotation (see `record_time`), by document id.
fn records<S: KeyValueStore>(
    repo: &repo::Repo<S>,
    by_short: &BTreeMap<&str, &str>,
    short: &str,
) -> Vec<(String, (String, Source))> {
    let mut records: BTreeMap<(String, String), (i64, bool, String)> = BTreeMap::new();
    for prefix in [LIVE_PREFIX, DEAD_PREFIX] {
        let scan = if short.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}{short}:")
        };
        for (key, raw) in repo.store().scan(&scan).unwrap_or_default() {
            let Some((live, short, id)) = repo::parse_record_key(&key) else {
                continue;
            };
            let Some(article) = by_short.get(short) else {
                continue;
            };
            let at = record_time(&raw, live);
            let slot = records
                .entry(((*article).to_owned(), id.to_owned()))
                .or_insert((i64::MIN, live, String::new()));
            if at > slot.0 || (at == slot.0 && !live) {
                *slot = (at, live, raw);
            }
        }
    }
    records
        .into_iter()
        .map(|((article, annotation), (_, _, raw))| {
            (
                docs::annotation_doc_id(&article, &annotation),
                (
                    hash(&raw),
                    Source::Record {
                        article,
                        annotation,
                        raw,
                    },
                ),
            )
        })
        .collect()
}

/// The hashes of one article's annotation values, by document id.
fn local_values_of<S: KeyValueStore>(
    repo: &repo::Repo<S>,
    library: &Library,
    article: &str,
) -> Vec<(String, String)> {
    let Some(e) = library.get(article) else {
        return Vec::new();
    };
    let short = repo::short_id(&e.id);
    let by_short = BTreeMap::from([(short, e.id.as_str())]);
    records(repo, &by_short, short)
        .into_iter()
        .map(|(doc, (h, _))| (doc, h))
        .collect()
}

/// The local value of one document and its hash: what [`local_values`]
/// gives for it, reading only its own keys.
fn local_one<S: KeyValueStore>(
    repo: &repo::Repo<S>,
    library: &Library,
    id: &str,
) -> Option<(String, Source)> {
    if let Some(article) = id.strip_prefix(ARTICLE_PREFIX) {
        return Some(article_local(library.get(article)?));
    }
    if id == TAG_COLOURS_ID {
        return Some(tag_colours_local(repo));
    }
    if let Some(rest) = id.strip_prefix(CONFLICT_PREFIX) {
        let (article, annotation) = rest.split_once(':')?;
        library.get(article)?;
        let raw = repo
            .store()
            .get(&crate::storage::conflicts::conflict_key(
                article, annotation,
            ))
            .ok()??;
        return Some((
            hash(&raw),
            Source::Conflict {
                article: article.to_owned(),
                annotation: annotation.to_owned(),
                raw,
            },
        ));
    }
    let (article, annotation) = id.strip_prefix(ANNOTATION_PREFIX)?.split_once(':')?;
    library.get(article)?;
    let live = repo
        .store()
        .get(&repo::live_key(article, annotation))
        .ok()
        .flatten();
    let dead = repo
        .store()
        .get(&repo::dead_key(article, annotation))
        .ok()
        .flatten();
    let raw = match (live, dead) {
        (Some(l), Some(d)) => {
            if record_time(&l, true) > record_time(&d, false) {
                l
            } else {
                d
            }
        }
        (Some(l), None) => l,
        (None, Some(d)) => d,
        (None, None) => return None,
    };
    Some((
        hash(&raw),
        Source::Record {
            article: article.to_owned(),
            annotation: annotation.to_owned(),
            raw,
        },
    ))
}

/// Runs one sync (see the module docs). `library` is kept in step with
/// what is stored.
pub async fn sync_once<S, B, R, T>(
    shelf: &Shelf<S, B>,
    library: &mut Library,
    state: &T,
    remote: &R,
    now: DateTime<Utc>,
) -> Result<Report, SyncError>
where
    S: KeyValueStore,
    B: BodyStore,
    R: Remote,
    T: SyncStore,
{
    let mut run = Run {
        shelf,
        known: state.all().await,
        resolve: BTreeMap::new(),
        maps: BTreeMap::new(),
        report: Report::default(),
        now,
        full: false,
    };
    run.pull(library, state, remote).await?;
    run.push(library, state, remote).await?;
    Ok(run.report)
}

/// How many local changes are waiting to be sent: documents whose local
/// value differs from what was last synced, and those synced once and
/// gone here since (a deleted article, a dismissed conflict).
pub async fn pending<S: KeyValueStore, B: BodyStore, T: SyncStore>(
    shelf: &Shelf<S, B>,
    library: &Library,
    state: &T,
) -> usize {
    let known = state.all().await;
    let repo = shelf.repo.borrow();
    due(&repo, library, &known, &BTreeMap::new(), false).len()
}

/// What one sync works with.
struct Run<'a, S, B> {
    shelf: &'a Shelf<S, B>,
    /// Every document's sync state, kept in step with what is stored.
    known: BTreeMap<String, Synced>,
    /// Per document, the server's other leaves, to close when pushing.
    resolve: BTreeMap<String, Vec<History>>,
    /// The texts read, by article id.
    maps: BTreeMap<String, TextMap>,
    report: Report,
    now: DateTime<Utc>,
    /// The server's log disagreed: offer it everything (see `pull`).
    full: bool,
}

/// The documents due to be sent, by id: each with its hash and local
/// value (see [`pending`]).
fn due<S: KeyValueStore>(
    repo: &repo::Repo<S>,
    library: &Library,
    known: &BTreeMap<String, Synced>,
    resolve: &BTreeMap<String, Vec<History>>,
    full: bool,
) -> Vec<(String, String, Source)> {
    let values = local_values(repo, library);
    let gone: Vec<(String, String, Source)> = known
        .iter()
        .filter(|(id, k)| !k.deleted && !values.contains_key(*id) && gone_here(library, id))
        .map(|(id, _)| (id.clone(), String::new(), Source::Gone(id.clone())))
        .collect();
    let mut out: Vec<(String, String, Source)> = values
        .into_iter()
        .filter(|(id, (h, _))| {
            full || known.get(id).is_none_or(|k| &k.hash != h) || resolve.contains_key(id)
        })
        .map(|(id, (h, s))| (id, h, s))
        .chain(gone)
        .collect();
    // Articles first, so a device pulling meets an article before its annotations.
    out.sort_by_key(|(id, _, _)| !id.starts_with(ARTICLE_PREFIX));
    out
}

/// Whether a document synced once and without a local value now was
/// removed here: an article (deleted), or a conflict of an article still
/// here (dismissed). An annotation's value goes only with its article,
/// whose own deletion says it all.
fn gone_here(library: &Library, id: &str) -> bool {
    if id.starts_with(ARTICLE_PREFIX) {
        return true;
    }
    id.strip_prefix(CONFLICT_PREFIX)
        .and_then(|r| r.split_once(':'))
        .is_some_and(|(article, _)| library.get(article).is_some())
}

/// A version of an annotation, from its document.
fn version_of(doc: &Doc) -> Option<Version> {
    match doc {
        Doc::Annotation(a) => Some(Version::Live(a.clone())),
        Doc::Deleted { at, .. } => Some(Version::Deleted(*at)),
        _ => None,
    }
}

impl<S: KeyValueStore, B: BodyStore> Run<'_, S, B> {
    async fn pull<R: Remote, T: SyncStore>(
        &mut self,
        library: &mut Library,
        state: &T,
        remote: &R,
    ) -> Result<(), SyncError> {
        // The checkpoint, and the replication log on the server that must
        // agree with it (`_local/marginalia-<log>`): if it does not, the
        // database was replaced or the log lost, so everything is compared
        // again (what the server holds is skipped; nothing is lost).
        let (mut since, log) = read_checkpoint(state.checkpoint().await);
        let log = log.unwrap_or_else(|| hash(&format!("{}:{since}", self.now.timestamp_millis())));
        let log_id = format!("marginalia-{log}");
        // A first sync has nothing to check.
        let held = if since == json!(0) {
            None
        } else {
            remote.get_local(&log_id).await?
        };
        let mut log_rev = held
            .as_ref()
            .and_then(|d| d["_rev"].as_str())
            .map(str::to_owned);
        if since != json!(0) && held.as_ref().map(|d| &d["last_seq"]) != Some(&since) {
            since = json!(0);
            self.full = true;
        }
        loop {
            let page = remote.changes(&since, FEED_PAGE).await?;
            if page.rows.is_empty() {
                break;
            }
            // Per document, in the page's order with articles first: the
            // leaves not held yet.
            let mut wanted: Vec<(&String, Vec<String>, &[String])> = Vec::new();
            for row in &page.rows {
                let k = self.known.get(&row.id);
                let have = |r: &String| k.is_some_and(|k| k.revs.contains(r) || k.seen.contains(r));
                let revs: Vec<String> = row.revs.iter().filter(|r| !have(r)).cloned().collect();
                if !revs.is_empty() {
                    wanted.push((&row.id, revs, &row.revs));
                }
            }
            wanted.sort_by_key(|(id, _, _)| !id.starts_with(ARTICLE_PREFIX));
            // Fetched and taken in a batch at a time; the state is stored
            // after each, so a sync cut short fetches none of them again.
            for batch in wanted.chunks(BATCH) {
                let ask: Vec<(String, String)> = batch
                    .iter()
                    .flat_map(|(id, revs, _)| revs.iter().map(|r| ((*id).clone(), r.clone())))
                    .collect();
                let got = remote.bulk_get(&ask).await?;
                let mut fetched: BTreeMap<String, Vec<Value>> = BTreeMap::new();
                for ((id, _), doc) in ask.iter().zip(got) {
                    match doc {
                        Ok(d) => fetched.entry(id.clone()).or_default().push(d),
                        Err(why) => self.report.quarantined.push((id.clone(), why)),
                    }
                }
                let mut changed = Vec::new();
                for (id, _, all_leaves) in batch {
                    let Some(leaves) = fetched.get(*id) else {
                        continue;
                    };
                    if let Some(s) = self.take_in(library, id, leaves, all_leaves).await? {
                        self.known.insert((*id).clone(), s.clone());
                        changed.push(((*id).clone(), s));
                    }
                }
                state.put(&changed).await.map_err(SyncError::Local)?;
            }
            let mut entry = json!({ "last_seq": page.last_seq });
            if let Some(r) = &log_rev {
                entry["_rev"] = json!(r);
            }
            match remote.put_local(&log_id, &entry).await {
                Ok(r) => log_rev = Some(r),
                Err(e @ SyncError::Unreachable(_)) => return Err(e),
                // Refused (a conflict, a server that keeps none): the next
                // sync compares everything again, and loses nothing.
                Err(_) => log_rev = None,
            }
            state
                .set_checkpoint(&json!({ "seq": page.last_seq, "log": log }))
                .await
                .map_err(SyncError::Local)?;
            since = page.last_seq;
            if page.rows.len() < FEED_PAGE {
                break;
            }
        }
        Ok(())
    }

    /// The text map of an article here (kept for the rest of the sync).
    async fn map(&mut self, article: &str) -> Option<&TextMap> {
        if !self.maps.contains_key(article) {
            let text = self.shelf.load(article).await.ok()?;
            self.maps.insert(article.to_owned(), TextMap::new(&text));
        }
        self.maps.get(article)
    }

    /// Merges one document's fetched leaves in; its new sync state.
    ///
    /// The leaves that count are the fetched ones that are valid and not
    /// closing markers (a deleted revision with no `type`, written to close
    /// a branch after a conflict), and this device's last revision if the
    /// server still holds it as a leaf. Every valid one is merged in (the
    /// merge is commutative, so their order does not matter); the
    /// protocol's winner among them is the branch the next revision goes
    /// on, and the others are closed (see [`Run::push`]). An annotation
    /// that was changed here and there, or that the server holds in
    /// conflict, keeps the versions that lost as a [`Conflict`].
    async fn take_in(
        &mut self,
        library: &mut Library,
        id: &str,
        leaves: &[Value],
        all_leaves: &[String],
    ) -> Result<Option<Synced>, SyncError> {
        let prior = self.known.get(id).cloned();
        let prior = prior.as_ref();
        let mut seen: Vec<String> = prior.map(|k| k.seen.clone()).unwrap_or_default();
        let mut read: Vec<(Doc, History)> = Vec::new();
        for v in leaves {
            let rev = v["_rev"].as_str().unwrap_or_default().to_owned();
            let deleted = v["_deleted"].as_bool().unwrap_or(false);
            if deleted && v.get("type").is_none() {
                seen.push(rev);
                continue;
            }
            let size = v.to_string().len();
            let history = History::from_json(&v["_revisions"]);
            let refuse = |why: String| (id.to_owned(), why);
            match (Doc::read(v, size), history) {
                (Ok(d), Some(h)) if d.id() == id && h.head().to_string() == rev => {
                    read.push((d, h))
                }
                (Ok(_), Some(_)) => self
                    .report
                    .quarantined
                    .push(refuse("its content is for another document".into())),
                (Ok(_), None) => self
                    .report
                    .quarantined
                    .push(refuse("its revision history is malformed".into())),
                (Err(e), _) => self.report.quarantined.push(refuse(e.to_string())),
            }
            if read.last().is_none_or(|(_, h)| h.head().to_string() != rev) {
                seen.push(rev);
            }
        }
        let keep_seen = |mut s: Vec<String>| {
            s.sort();
            s.dedup();
            let n = s.len().saturating_sub(KEPT_REVS);
            s.drain(..n);
            s
        };
        if read.is_empty() {
            return Ok(prior.map(|k| Synced {
                seen: keep_seen(seen),
                ..k.clone()
            }));
        }
        let before = local_one(&self.shelf.repo.borrow(), library, id);
        let changed_here = match (prior, before.as_ref().map(|(h, _)| h)) {
            (Some(k), Some(h)) => &k.hash != h,
            (None, Some(_)) => true,
            _ => false,
        };
        let own_leaf = prior
            .and_then(|k| k.revs.first())
            .is_some_and(|head| all_leaves.contains(head));
        // Two versions or more meet: this device's, changed since the last
        // sync or still a leaf beside another, and those fetched.
        let meeting = changed_here || own_leaf || read.len() > 1;
        let is_annotation = id.starts_with(ANNOTATION_PREFIX);
        let before_doc = match before {
            Some((_, source)) if is_annotation && meeting => self.doc_of(library, source).await,
            _ => None,
        };
        let keep = changed_here || self.article_pending(library, id);
        for (doc, _) in &read {
            self.apply(library, doc, keep).await?;
            self.report.received += 1;
        }
        let now_here = local_one(&self.shelf.repo.borrow(), library, id);
        let after = now_here.as_ref().map(|(h, _)| h.clone());
        let after_doc = match now_here {
            Some((_, source)) => self.doc_of(library, source).await,
            None => None,
        };
        // The leaves that count: those read, and this device's own if the
        // server still has it as a leaf.
        let mut candidates: Vec<(History, bool, Option<&Doc>)> = read
            .iter()
            .map(|(d, h)| (h.clone(), d.is_deleted(), Some(d)))
            .collect();
        if let Some(k) = prior
            && own_leaf
            && let Some(h) = History::new(k.revs.iter().filter_map(|r| Rev::parse(r)).collect())
        {
            candidates.push((h, k.deleted, None));
        }
        let ranked: Vec<(Rev, bool)> = candidates
            .iter()
            .map(|(h, d, _)| (h.head().clone(), *d))
            .collect();
        let Some(w) = winner(&ranked) else {
            return Ok(None);
        };
        let (win_hist, win_deleted, win_doc) = candidates[w].clone();
        let others: Vec<History> = candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != w)
            .map(|(_, (h, _, _))| h.clone())
            .collect();
        // Whether this device now holds what the winning leaf holds.
        let same = match win_doc {
            Some(d) => after_doc.as_ref().is_some_and(|l| l.same_content(d)),
            None => prior.map(|k| &k.hash) == after.as_ref(),
        };
        if is_annotation {
            if meeting && let Some(kept) = after_doc.as_ref().and_then(version_of) {
                let met: Vec<Version> = before_doc
                    .iter()
                    .chain(read.iter().map(|(d, _)| d))
                    .filter_map(version_of)
                    .collect();
                if self.keep_conflict(id, conflict::losers(&met, &kept))? {
                    self.report.conflicts.push(id.to_owned());
                }
            }
        } else if changed_here && (prior.is_some() || !same) {
            self.report.conflicts.push(id.to_owned());
        }
        if !others.is_empty() {
            self.resolve.insert(id.to_owned(), others.clone());
        }
        // Taken as it is: synced. Otherwise what is here goes out next, on top.
        let hash = if same && others.is_empty() {
            after.unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Some(Synced {
            revs: win_hist
                .revs
                .iter()
                .take(KEPT_REVS)
                .map(ToString::to_string)
                .collect(),
            hash,
            deleted: win_deleted,
            seen: keep_seen(seen),
        }))
    }

    /// Keeps the versions an annotation lost (with any kept already);
    /// whether there were any.
    fn keep_conflict(&self, id: &str, lost: Vec<Version>) -> Result<bool, SyncError> {
        let Some((article, annotation)) = id
            .strip_prefix(ANNOTATION_PREFIX)
            .and_then(|r| r.split_once(':'))
        else {
            return Ok(false);
        };
        let Some(found) = Conflict::new(article, annotation, self.now, lost) else {
            return Ok(false);
        };
        self.shelf
            .repo
            .borrow_mut()
            .merge_conflict(&found)
            .map_err(local)?;
        Ok(true)
    }

    /// Whether an article's annotations changed here since they were last
    /// synced (an article deleted elsewhere is then kept, and sent again).
    fn article_pending(&self, library: &Library, id: &str) -> bool {
        let Some(article) = id.strip_prefix(ARTICLE_PREFIX) else {
            return false;
        };
        if library.get(article).is_none() {
            return false;
        }
        let repo = self.shelf.repo.borrow();
        let prefix = format!("{ANNOTATION_PREFIX}{article}:");
        local_values_of(&repo, library, article)
            .into_iter()
            .filter(|(doc, _)| doc.starts_with(&prefix))
            .any(|(doc, h)| self.known.get(&doc).is_none_or(|k| k.hash != h))
    }

    /// Stores one incoming document, merged with what is here. `keep`:
    /// the document changed here since the last sync (tag colours changed
    /// here stay; an article with changes here is not deleted).
    async fn apply(
        &mut self,
        library: &mut Library,
        doc: &Doc,
        keep: bool,
    ) -> Result<(), SyncError> {
        let shelf = self.shelf;
        match doc {
            Doc::Article(entry) => {
                let Some(article) = &entry.text else {
                    return Ok(());
                };
                match library.get(&article.id).map(|m| m.revision) {
                    None => {
                        shelf.add(library, article).await.map_err(local)?;
                    }
                    Some(r) if r < entry.meta.revision => {
                        self.maps.remove(&article.id);
                        shelf.update(library, article).await.map_err(local)?;
                    }
                    Some(_) => {}
                }
            }
            Doc::ArticleDeleted { id, .. } => {
                if !keep && library.get(id).is_some() {
                    self.maps.remove(id);
                    shelf.delete(library, id).await.map_err(local)?;
                }
            }
            Doc::Annotation(_) | Doc::Deleted { .. } => {
                let (article, id) = match doc {
                    Doc::Annotation(a) => (a.article.clone(), a.id.clone()),
                    Doc::Deleted { article, id, .. } => (article.clone(), id.clone()),
                    _ => unreachable!(),
                };
                if library.get(&article).is_none() {
                    return Ok(());
                }
                let Some(map) = self.map(&article).await else {
                    return Err(SyncError::Local(format!(
                        "the text of article {article} could not be read"
                    )));
                };
                // One annotation: the save merges it with what is stored.
                let mut set = AnnotationSet::new(&article);
                match doc {
                    Doc::Annotation(a) => {
                        let mut a = (**a).clone();
                        a.target.resync(map);
                        set.merge_one(a);
                    }
                    Doc::Deleted { at, .. } => set.mark_deleted(&id, *at),
                    _ => unreachable!(),
                }
                set.take_touched();
                set.keep_unsaved([id]);
                shelf
                    .repo
                    .borrow_mut()
                    .save_changes(library, &mut set, map)
                    .map_err(local)?;
            }
            Doc::Conflict(c) => {
                if library.get(&c.article).is_none() {
                    return Ok(());
                }
                shelf.repo.borrow_mut().merge_conflict(c).map_err(local)?;
            }
            // Dismissed on one device: dismissed on all.
            Doc::ConflictDismissed { article, id, .. } => {
                shelf
                    .repo
                    .borrow_mut()
                    .remove_conflict(article, id)
                    .map_err(local)?;
            }
            // Colours changed here since the last sync stay, and go out next.
            Doc::TagColours { colours, .. } if !keep => {
                let mut repo = shelf.repo.borrow_mut();
                if &repo.load_tag_colours() != colours {
                    repo.save_tag_colours(colours).map_err(local)?;
                }
            }
            Doc::TagColours { .. } => {}
        }
        Ok(())
    }

    /// The document for a local value.
    async fn doc_of(&mut self, library: &Library, source: Source) -> Option<Doc> {
        match source {
            Source::Article(id) => {
                let meta = library.get(&id)?.clone();
                let text = self.shelf.load(&id).await.ok()?;
                Some(Doc::Article(Entry::new(meta, Some(text), Vec::new())))
            }
            Source::Record {
                article,
                annotation,
                raw,
            } => {
                let map = self.map(&article).await?;
                match record::decode(&article, &annotation, &raw, map).ok()? {
                    Record::Live(a) => Some(Doc::Annotation(a)),
                    Record::Dead(at) => Some(Doc::Deleted {
                        article,
                        id: annotation,
                        at,
                    }),
                }
            }
            Source::TagColours(raw) => {
                let colours: TagColours = serde_json::from_str(&raw).unwrap_or_default();
                Some(Doc::TagColours {
                    colours,
                    updated: self.now,
                })
            }
            Source::Conflict {
                article,
                annotation,
                raw,
            } => Conflict::from_json(&article, &annotation, &raw)
                .ok()
                .map(Doc::Conflict),
            Source::Gone(id) => {
                if let Some(article) = id.strip_prefix(ARTICLE_PREFIX) {
                    return Some(Doc::ArticleDeleted {
                        id: article.to_owned(),
                        at: self.now,
                    });
                }
                let (article, annotation) = id.strip_prefix(CONFLICT_PREFIX)?.split_once(':')?;
                Some(Doc::ConflictDismissed {
                    article: article.to_owned(),
                    id: annotation.to_owned(),
                    at: self.now,
                })
            }
        }
    }

    async fn push<R: Remote, T: SyncStore>(
        &mut self,
        library: &Library,
        state: &T,
        remote: &R,
    ) -> Result<(), SyncError> {
        let mut due = {
            let repo = self.shelf.repo.borrow();
            due(&repo, library, &self.known, &self.resolve, self.full)
        };
        for chunk in due.chunks_mut(BATCH) {
            let mut out: Vec<(String, Value, Synced)> = Vec::new();
            let mut extra: Vec<(String, Value)> = Vec::new();
            for (id, h, source) in chunk.iter_mut() {
                let source = std::mem::replace(source, Source::TagColours(String::new()));
                let Some(doc) = self.doc_of(library, source).await else {
                    continue;
                };
                let body = doc.body();
                let prior = self.known.get(id.as_str());
                let parent_hist = prior.and_then(|k| {
                    History::new(k.revs.iter().filter_map(|r| Rev::parse(r)).collect())
                });
                // Unchanged since it was synced (offered again after the
                // server's log disagreed): its revision as it was.
                let unchanged =
                    prior.is_some_and(|k| k.hash == *h) && !self.resolve.contains_key(id.as_str());
                let rev = Rev::next(parent_hist.as_ref().map(History::head), &body.to_string());
                let history = match &parent_hist {
                    Some(p) if unchanged => p.clone(),
                    Some(p) => p.push(rev).unwrap_or_else(|| {
                        History::new(vec![Rev::next(None, &body.to_string())])
                            .unwrap_or_else(|| unreachable!())
                    }),
                    None => History::new(vec![rev]).unwrap_or_else(|| unreachable!()),
                }
                .truncated(KEPT_REVS);
                let deleted = doc.is_deleted();
                let mut seen = prior.map(|k| k.seen.clone()).unwrap_or_default();
                for loser in self.resolve.get(id.as_str()).into_iter().flatten() {
                    let close = Rev::next(Some(loser.head()), "closed");
                    if let Some(h) = loser.push(close) {
                        seen.push(h.head().to_string());
                        extra.push((
                            id.clone(),
                            with_revs(id, json!({}), &h.truncated(KEPT_REVS), true),
                        ));
                    }
                }
                let n = seen.len().saturating_sub(KEPT_REVS);
                seen.drain(..n);
                out.push((
                    id.clone(),
                    with_revs(id, body, &history, deleted),
                    Synced {
                        revs: history.revs.iter().map(ToString::to_string).collect(),
                        hash: h.clone(),
                        deleted,
                        seen,
                    },
                ));
            }
            if out.is_empty() && extra.is_empty() {
                continue;
            }
            let mut ask: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (id, v) in out
                .iter()
                .map(|(i, v, _)| (i, v))
                .chain(extra.iter().map(|(i, v)| (i, v)))
            {
                ask.entry(id.clone())
                    .or_default()
                    .push(v["_rev"].as_str().unwrap_or_default().to_owned());
            }
            let missing = remote.revs_diff(&ask).await?;
            let lacks = |id: &str, v: &Value| {
                missing
                    .get(id)
                    .is_some_and(|m| m.iter().any(|r| Some(r.as_str()) == v["_rev"].as_str()))
            };
            let send: Vec<Value> = out
                .iter()
                .map(|(id, v, _)| (id, v))
                .chain(extra.iter().map(|(id, v)| (id, v)))
                .filter(|(id, v)| lacks(id, v))
                .map(|(_, v)| v.clone())
                .collect();
            let failed = if send.is_empty() {
                Vec::new()
            } else {
                remote.bulk_docs(&send).await?
            };
            self.report.sent += send.len() - failed.len();
            let mut done = Vec::new();
            for (id, _, s) in out {
                if failed.iter().any(|(f, _)| *f == id) {
                    continue;
                }
                self.known.insert(id.clone(), s.clone());
                done.push((id, s));
            }
            for (id, why) in failed {
                self.report
                    .quarantined
                    .push((id, format!("the server refused it: {why}")));
            }
            state.put(&done).await.map_err(SyncError::Local)?;
        }
        Ok(())
    }
}

/// A document with its revision fields, ready for `_bulk_docs`.
fn with_revs(id: &str, body: Value, history: &History, deleted: bool) -> Value {
    let mut v = body;
    v["_id"] = json!(id);
    v["_rev"] = json!(history.head().to_string());
    v["_revisions"] = history.to_json();
    if deleted {
        v["_deleted"] = json!(true);
    }
    v
}
