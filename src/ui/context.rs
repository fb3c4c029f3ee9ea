//! The typed contexts the components use: the library (with its storage)
//! and the preferences. Components never see the store itself.

use super::prefs::Prefs;
use crate::domain::annotate::set::{AnnotationSet, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::article::Article;
use crate::domain::article::library::{Added, Library};
use crate::domain::article::listing::Reading;
use crate::domain::exchange::json_path::Bad;
use crate::domain::exchange::reminder::Backups;
use crate::domain::exchange::restore::{Plan, Replacement};
use crate::domain::exchange::{Bundle, ReadFile};
use crate::storage::idb::IdbBodies;
use crate::storage::repo::{Repo, Saved};
use crate::storage::shelf::Shelf;
use crate::storage::{KeyValueStore, StorageError};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The store the app runs on: `localStorage`, or memory when it is unavailable.
pub type AppRepo = Repo<Box<dyn KeyValueStore>>;
/// Both stores: `localStorage` (or memory) and IndexedDB for article bodies
/// (none when the browser refuses it: bodies then stay in `localStorage`).
pub type AppShelf = Shelf<Box<dyn KeyValueStore>, IdbBodies>;

/// The library and the operations on it.
#[derive(Clone, Copy)]
pub struct LibraryCtx {
    library: RwSignal<Library>,
    backups: RwSignal<Backups>,
    reading: RwSignal<BTreeMap<String, Reading>>,
    counts: RwSignal<BTreeMap<String, usize>>,
    imported: RwSignal<u64>,
    /// Bumped after each change this tab stores (a save, an article added
    /// or deleted, a tag operation): what a sync after edits follows.
    edits: RwSignal<u64>,
    shelf: StoredValue<Rc<AppShelf>, LocalStorage>,
}

fn gone<T>() -> Result<T, StorageError> {
    Err(StorageError::Other("the app is shutting down".into()))
}

/// Sets `signal` to what was read, when something was and it differs
/// (so that taking in another tab's change wakes nothing needlessly).
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, read: Option<T>) {
    if let Some(v) = read
        && signal.with_untracked(|now| *now != v)
    {
        signal.set(v);
    }
}

impl LibraryCtx {
    /// Wraps the opened stores and the library.
    pub fn new(shelf: AppShelf, library: Library) -> Self {
        // The kept counts when there are (recounted after the first paint,
        // see `recount`): counting lists every key, tens of milliseconds at
        // 20,000 records.
        let cached = shelf.repo.borrow().cached_annotation_counts(&library);
        let counts = RwSignal::new(cached.unwrap_or_else(|| {
            let mut repo = shelf.repo.borrow_mut();
            let counted = repo.annotation_counts(&library);
            let _ = repo.keep_annotation_counts(&counted);
            counted
        }));
        let backups = RwSignal::new(shelf.repo.borrow().load_backups());
        let reading = RwSignal::new(shelf.repo.borrow().reading_states(&library));
        Self {
            library: RwSignal::new(library),
            backups,
            reading,
            counts,
            imported: RwSignal::new(0),
            edits: RwSignal::new(0),
            shelf: StoredValue::new_local(Rc::new(shelf)),
        }
    }

    /// Runs `f` on the `localStorage` side; `None` once the app is gone.
    fn with_repo<R>(&self, f: impl FnOnce(&mut AppRepo) -> R) -> Option<R> {
        self.shelf.try_with_value(|s| f(&mut s.repo.borrow_mut()))
    }

    /// Both stores, for an operation that awaits.
    fn shelf(&self) -> Result<Rc<AppShelf>, StorageError> {
        self.shelf.try_get_value().map_or_else(gone, Ok)
    }

    /// Whether article bodies go to IndexedDB.
    pub fn has_body_store(&self) -> bool {
        self.shelf
            .try_with_value(|s| s.bodies.is_some())
            .unwrap_or(false)
    }

    /// Moves bodies still in `localStorage` into IndexedDB (see
    /// [`Shelf::move_bodies`]).
    pub async fn move_bodies(&self) -> Result<usize, StorageError> {
        self.shelf()?.move_bodies().await
    }

    /// Annotation counts per article id, tracked (articles with none are absent).
    pub fn counts(&self) -> RwSignal<BTreeMap<String, usize>> {
        self.counts
    }

    /// Adds the articles stored outside the index, which opening left
    /// for after the first paint (see [`Repo::open_listing_later`]);
    /// returns what could not be read.
    ///
    /// [`Repo::open_listing_later`]: crate::storage::repo::Repo::open_listing_later
    pub fn add_strays(&self) -> Vec<StorageError> {
        let library = self.library;
        let mut problems = Vec::new();
        let found = self
            .with_repo(|r| library.try_with_untracked(|l| r.add_strays(l, &mut problems)))
            .flatten()
            .flatten();
        if let Some(found) = found {
            library.try_set(found);
        }
        problems
    }

    /// Counts every article's annotations from the records' keys, shows
    /// them where they differ from what was shown, and keeps them (see
    /// [`crate::storage::repo::COUNTS_KEY`]): after the first paint, since
    /// the library opens on the kept counts.
    pub fn recount(&self) {
        self.refresh_counts();
        self.keep_counts();
    }

    /// Keeps the counts shown now for the next opening (when the page is
    /// hidden); nothing is written when they are kept already.
    pub fn keep_counts(&self) {
        let counts = self.counts;
        self.with_repo(|r| counts.try_with_untracked(|c| r.keep_annotation_counts(c)));
    }

    /// Re-reads every article's annotation count (after another tab's change).
    pub fn refresh_counts(&self) {
        let library = self.library;
        set_if_changed(
            self.counts,
            self.with_repo(|r| library.with_untracked(|lib| r.annotation_counts(lib))),
        );
    }

    /// Loads an article's annotations (see [`Repo::load_annotations_for`]):
    /// what could be read, and what was wrong.
    pub fn load_annotations(&self, map: &TextMap, id: &str) -> (AnnotationSet, Vec<StorageError>) {
        self.with_repo(|r| r.load_annotations_for(map, id))
            .unwrap_or_else(|| (AnnotationSet::new(id), Vec::new()))
    }

    /// Removes the article's tombstones older than the keeping time.
    pub fn prune_tombstones(&self, set: &mut AnnotationSet, now: chrono::DateTime<chrono::Utc>) {
        self.with_repo(|r| r.prune_tombstones(set, now));
    }

    /// Reads the annotations as stored now (for an article whose text
    /// is `map`), skipping what is unreadable.
    pub fn stored_annotations(&self, map: &TextMap, id: &str) -> AnnotationSet {
        self.with_repo(|r| r.stored_annotations_for(map, id))
            .unwrap_or_else(|| AnnotationSet::new(id))
    }

    /// Takes in one record another tab stored (see [`Repo::merge_event`]).
    pub fn merge_event(
        &self,
        set: &mut AnnotationSet,
        map: &TextMap,
        key: &str,
        value: Option<&str>,
    ) -> bool {
        self.with_repo(|r| r.merge_event(set, map, key, value))
            .unwrap_or(false)
    }

    /// Saves what was edited in `set`, merging in what another tab stored
    /// (see [`Repo::save_changes`]); updates the count.
    pub fn save_changes(
        &self,
        set: &mut AnnotationSet,
        map: &TextMap,
    ) -> Result<Saved, StorageError> {
        let library = self.library;
        let saved = self
            .with_repo(|r| library.with_untracked(|lib| r.save_changes(lib, set, map)))
            .unwrap_or_else(gone)?;
        self.set_count(set.article(), set.len());
        self.edits.try_update(|n| *n += 1);
        Ok(saved)
    }

    /// The versions an article's annotations lost in sync conflicts, by
    /// annotation id.
    pub fn conflicts(
        &self,
        article: &str,
    ) -> BTreeMap<String, crate::domain::sync::conflict::Conflict> {
        self.with_repo(|r| r.conflicts(article))
            .unwrap_or_default()
            .into_iter()
            .map(|(id, (c, _))| (id, c))
            .collect()
    }

    /// Dismisses an annotation's conflict (the dismissal syncs).
    pub fn dismiss_conflict(&self, article: &str, id: &str) -> Result<bool, StorageError> {
        let done = self
            .with_repo(|r| r.remove_conflict(article, id))
            .unwrap_or_else(gone)?;
        self.edits.try_update(|n| *n += 1);
        Ok(done)
    }

    /// Bumped after each change this tab stores (tracked).
    pub fn edits(&self) -> RwSignal<u64> {
        self.edits
    }

    fn set_count(&self, id: &str, n: usize) {
        if self
            .counts
            .with_untracked(|c| c.get(id).copied().unwrap_or(0))
            != n
        {
            self.counts.update(|c| {
                if n == 0 {
                    c.remove(id);
                } else {
                    c.insert(id.to_owned(), n);
                }
            });
        }
    }

    /// Follows another tab's change to one annotation record in the
    /// counts: a live key that appeared or went away. Costs one key.
    pub fn count_event(&self, key: &str, old: Option<&str>, new: Option<&str>) {
        let Some((true, short, _)) = crate::storage::repo::parse_record_key(key) else {
            return;
        };
        let step: isize = match (old.is_some(), new.is_some()) {
            (false, true) => 1,
            (true, false) => -1,
            _ => return,
        };
        let id = self.library.with_untracked(|l| {
            l.entries()
                .iter()
                .find(|e| crate::storage::repo::short_id(&e.id) == short)
                .map(|e| e.id.clone())
        });
        if let Some(id) = id {
            let n = self
                .counts
                .with_untracked(|c| c.get(&id).copied().unwrap_or(0));
            self.set_count(&id, n.saturating_add_signed(step));
        }
    }

    /// How often each tag is used across the library.
    pub fn tag_counts(&self) -> BTreeMap<String, (String, usize)> {
        self.with_repo(|r| r.tag_counts()).unwrap_or_default()
    }

    /// The tags of each article (article id → folded tags), read from
    /// every record: for the library's tag filter, when it is used.
    pub fn article_tags(&self) -> BTreeMap<String, std::collections::BTreeSet<String>> {
        let library = self.library;
        self.with_repo(|r| library.with_untracked(|l| r.article_tags(l)))
            .unwrap_or_default()
    }

    /// The colours given to tags.
    pub fn tag_colours(&self) -> TagColours {
        self.with_repo(|r| r.load_tag_colours()).unwrap_or_default()
    }

    /// Saves the colours given to tags.
    pub fn save_tag_colours(&self, colours: &TagColours) -> Result<(), StorageError> {
        self.with_repo(|r| r.save_tag_colours(colours))
            .unwrap_or_else(gone)
    }

    /// Every tag with its statistics (count, articles, first and last use).
    pub fn tag_stats(&self) -> Vec<crate::domain::annotate::retag::TagStats> {
        self.with_repo(|r| r.tag_stats()).unwrap_or_default()
    }

    /// Renames, merges or deletes a tag across the library, all or nothing
    /// (bad input is refused with its own message, before any storage).
    pub fn retag(
        &self,
        op: &crate::domain::annotate::retag::TagOp,
    ) -> Result<crate::storage::retag::Retagged, String> {
        op.check().map_err(|e| e.to_string())?;
        let done = self
            .with_repo(|r| r.retag(op, super::time::now()))
            .unwrap_or_else(gone)
            .map_err(|e| e.to_string())?;
        self.imported.update(|n| *n += 1);
        Ok(done)
    }

    /// Undoes a tag operation where nothing changed since (all or nothing).
    pub fn undo_retag(
        &self,
        done: &crate::storage::retag::Retagged,
    ) -> Result<crate::storage::retag::UndoOutcome, StorageError> {
        let out = self
            .with_repo(|r| r.undo_retag(done, super::time::now()))
            .unwrap_or_else(gone)?;
        self.imported.update(|n| *n += 1);
        Ok(out)
    }

    /// The stored revision of article `id`'s text (see
    /// [`crate::domain::article::ArticleMeta::revision`]), untracked.
    pub fn revision(&self, id: &str) -> Option<u32> {
        self.library
            .try_with_untracked(|l| l.get(id).map(|e| e.revision))
            .flatten()
    }

    /// The library, tracked.
    pub fn library(&self) -> RwSignal<Library> {
        self.library
    }

    /// Stores a new article; a duplicate stores nothing and reports the existing id.
    pub async fn add(&self, article: &Article) -> Result<Added, StorageError> {
        let shelf = self.shelf()?;
        // Build on the index as stored, so another tab's change is kept.
        self.refresh();
        let mut lib = self.library.get_untracked();
        let result = shelf.add(&mut lib, article).await?;
        if result == Added::New {
            self.library.try_set(lib);
        }
        Ok(result)
    }

    /// Deletes one article.
    pub async fn delete(&self, id: &str) -> Result<bool, StorageError> {
        let shelf = self.shelf()?;
        self.refresh();
        let mut lib = self.library.get_untracked();
        // Shown gone as soon as the index says so (another tab follows the
        // index at once), then the body store is told.
        let result = shelf.delete_entry(&mut lib, id)?;
        if result {
            self.library.try_set(lib);
            shelf.forget_bodies(&[id.to_owned()]).await;
        }
        Ok(result)
    }

    /// Stores an article's corrected sentence boundaries (same text, same id).
    pub async fn update_article(&self, article: &Article) -> Result<(), StorageError> {
        let shelf = self.shelf()?;
        self.refresh();
        let mut lib = self.library.get_untracked();
        shelf.update(&mut lib, article).await?;
        self.library.try_set(lib);
        Ok(())
    }

    /// Loads an article's text.
    pub async fn load(&self, id: &str) -> Result<Article, StorageError> {
        self.shelf()?.load(id).await
    }

    /// Loads these articles' texts at once (see `Shelf::load_many`).
    pub async fn load_many(&self, ids: &[String]) -> Vec<(String, Result<Article, StorageError>)> {
        match self.shelf() {
            Ok(shelf) => shelf.load_many(ids).await,
            Err(e) => ids.iter().map(|id| (id.clone(), Err(e.clone()))).collect(),
        }
    }

    /// What the annotations of each article say (notes, tags, orphaned
    /// quotes), for search.
    pub fn said(&self) -> BTreeMap<String, Vec<crate::domain::search::index::Said>> {
        self.library
            .with_untracked(|l| self.with_repo(|r| r.said(l)))
            .unwrap_or_default()
    }

    /// Every live record of each article, in library order (the notebook).
    pub fn live_records(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.library
            .with_untracked(|l| self.with_repo(|r| r.records_by_article(l)))
            .unwrap_or_default()
    }

    /// One sync with `remote` (see `storage::sync::engine`); the library
    /// and an open reader follow what it took in.
    pub async fn sync<
        R: crate::storage::sync::Remote,
        T: crate::storage::sync::state::SyncStore,
    >(
        &self,
        state: &T,
        remote: &R,
    ) -> Result<crate::storage::sync::engine::Report, crate::storage::sync::SyncError> {
        let shelf = self
            .shelf()
            .map_err(|e| crate::storage::sync::SyncError::Local(e.to_string()))?;
        self.refresh();
        let mut lib = self.library.get_untracked();
        let report = crate::storage::sync::engine::sync_once(
            &shelf,
            &mut lib,
            state,
            remote,
            super::time::now(),
        )
        .await;
        // Only a change is set: an edit-triggered sync must not wake itself.
        if !self.library.is_disposed() {
            set_if_changed(self.library, Some(lib));
        }
        if report.as_ref().is_ok_and(|r| r.received > 0) {
            self.refresh_counts();
            self.imported.try_update(|n| *n += 1);
        }
        report
    }

    /// How many local changes wait to be synced (see
    /// [`crate::storage::sync::engine::pending`]).
    pub async fn sync_pending<T: crate::storage::sync::state::SyncStore>(
        &self,
        state: &T,
    ) -> Option<usize> {
        let shelf = self.shelf().ok()?;
        let lib = self.library.get_untracked();
        Some(crate::storage::sync::engine::pending(&shelf, &lib, state).await)
    }

    /// The configured sync server's origin.
    pub fn sync_origin(&self) -> Option<String> {
        self.with_repo(|r| r.sync_origin()).flatten()
    }

    /// Sets or forgets the sync server's origin (read at the next load, for
    /// the Content-Security-Policy).
    pub fn set_sync_origin(&self, origin: Option<&str>) -> Result<(), StorageError> {
        self.with_repo(|r| r.set_sync_origin(origin))
            .unwrap_or_else(gone)
    }

    /// Takes in the index another tab wrote. An unreadable one is ignored
    /// here; the next start repairs it.
    pub fn refresh(&self) {
        set_if_changed(
            self.library,
            self.with_repo(|r| r.stored_library()).flatten(),
        );
    }

    /// Bumped after an import stored annotations, so an open reader takes
    /// them in (tracked).
    pub fn imported(&self) -> RwSignal<u64> {
        self.imported
    }

    /// What is in the library for an export: these articles (all when
    /// `ids` is empty), with their texts when `complete`.
    pub async fn bundle(&self, ids: &[String], complete: bool) -> Bundle {
        self.refresh();
        let ids: Vec<String> = if ids.is_empty() {
            self.library
                .with_untracked(|l| l.entries().iter().map(|e| e.id.clone()).collect())
        } else {
            ids.to_vec()
        };
        match self.shelf() {
            Ok(shelf) => shelf.bundle(&ids, complete).await,
            Err(_) => Bundle::default(),
        }
    }

    /// Plans an import against what is stored now; stores nothing.
    pub async fn plan_import(&self, file: &ReadFile) -> Result<Plan, Bad> {
        match self.shelf() {
            Ok(shelf) => shelf.plan(file).await,
            Err(_) => Err(Bad::file("the app is shutting down")),
        }
    }

    /// Applies a planned import, all or nothing.
    pub async fn apply_import(&self, plan: &Plan) -> Result<(), StorageError> {
        let shelf = self.shelf()?;
        let mut lib = self.library.get_untracked();
        shelf.apply_import(&mut lib, plan).await?;
        self.library.try_set(lib);
        self.refresh_counts();
        self.imported.try_update(|n| *n += 1);
        Ok(())
    }

    /// Replaces an article by an edited version, all or nothing, moving
    /// the annotations stored for it now; returns what was stored.
    pub async fn replace_article(
        &self,
        old: &Article,
        new: Article,
    ) -> Result<Replacement, StorageError> {
        let shelf = self.shelf()?;
        let mut lib = self.library.get_untracked();
        let replacement = shelf.replace(&mut lib, old, new).await?;
        self.library.try_set(lib);
        self.refresh_counts();
        Ok(replacement)
    }

    /// How much of `localStorage` is used, in UTF-16 units.
    pub fn local_units(&self) -> usize {
        self.with_repo(|r| r.units_used()).unwrap_or(0)
    }

    /// Whether to ask for persistent storage now (true once ever).
    pub fn first_persist_ask(&self) -> bool {
        self.with_repo(|r| r.first_persist_ask()).unwrap_or(false)
    }

    /// Where the reader is in each opened article, tracked.
    pub fn reading(&self) -> RwSignal<BTreeMap<String, Reading>> {
        self.reading
    }

    /// Records where the reader is in article `id`: opened at `opened`,
    /// at sentence `sentence`. Writes only when that changed.
    pub fn record_reading(&self, id: &str, reading: Reading) {
        if self
            .reading
            .try_with_untracked(|m| m.get(id) == Some(&reading))
            .unwrap_or(true)
        {
            return;
        }
        if self
            .with_repo(|r| r.save_reading(id, reading))
            .is_some_and(|r| r.is_ok())
        {
            self.reading.try_update(|m| {
                m.insert(id.to_owned(), reading);
            });
        }
    }

    /// Takes in reading states another tab stored.
    pub fn refresh_reading(&self) {
        let library = self.library;
        set_if_changed(
            self.reading,
            self.with_repo(|r| library.with_untracked(|l| r.reading_states(l))),
        );
    }

    /// What the library remembers about backups, tracked.
    pub fn backups(&self) -> RwSignal<Backups> {
        self.backups
    }

    /// How many annotations the library holds.
    pub fn annotation_total(&self) -> usize {
        self.counts
            .try_with_untracked(|c| c.values().sum())
            .unwrap_or(0)
    }

    /// Records an export just made (`complete`: a complete backup of the
    /// library), building on what another tab recorded.
    pub fn record_export(&self, complete: bool) -> Result<(), StorageError> {
        self.change_backups(|b, n| b.exported(super::time::now(), complete, n))
    }

    /// Puts the backup reminder off (see
    /// [`crate::domain::exchange::reminder`]).
    pub fn dismiss_backup_reminder(&self) -> Result<(), StorageError> {
        self.change_backups(|b, n| b.dismissed(super::time::now(), n))
    }

    fn change_backups(&self, f: impl FnOnce(&mut Backups, usize)) -> Result<(), StorageError> {
        let n = self.annotation_total();
        let saved = self
            .with_repo(|r| {
                let mut b = r.load_backups();
                f(&mut b, n);
                r.save_backups(&b).map(|()| b)
            })
            .unwrap_or_else(gone)?;
        self.backups.try_set(saved);
        Ok(())
    }

    /// Takes in what another tab recorded about backups.
    pub fn refresh_backups(&self) {
        set_if_changed(self.backups, self.with_repo(|r| r.load_backups()));
    }

    /// Saves the preferences.
    pub fn save_prefs(&self, prefs: &Prefs) -> Result<(), StorageError> {
        self.with_repo(|r| r.save_prefs(prefs)).unwrap_or(Ok(()))
    }
}

/// The preferences, tracked.
#[derive(Clone, Copy)]
pub struct PrefsCtx(pub RwSignal<Prefs>);
