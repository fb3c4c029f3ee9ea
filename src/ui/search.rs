//! Searching the library: the box, the results, and the index behind them.
//!
//! The index ([`crate::domain::search::index::SearchIndex`]) lives as long
//! as the app, so going to an article and back keeps both it and the
//! query. It is filled the first time the box is used: titles at once,
//! the annotations' notes and tags from one scan of their records, and the
//! article texts from the snapshot the last session kept (IndexedDB
//! database `marginalia-cache`), then those it lacks read from IndexedDB
//! a batch at a time in the background (while the box already answers
//! from what is indexed, and says how far it got); a new snapshot is kept
//! when texts were added. A result's sentences are worked out only for the results on
//! screen, from texts kept in a small cache.

use super::context::LibraryCtx;
use super::route::Route;
use crate::domain::annotate::textmap::TextMap;
use crate::domain::search::Query;
use crate::domain::search::index::{DocHit, SearchIndex};
use crate::domain::search::snippet::{Marked, SentenceHit, sentence_hits};
use crate::storage::idb::IdbCache;
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

/// Articles whose texts are read from storage at a time while indexing.
const BATCH: usize = 25;
/// Results built at first, and added with "Show more".
const PAGE: usize = 20;
/// Sentences shown per result.
const SENTENCES: usize = 3;
/// The cache key of the search index's snapshot.
const SNAPSHOT_KEY: &str = "search-index";
/// Texts kept for working out results' sentences.
const CACHED_TEXTS: usize = 40;

/// The app-wide search state (see the module docs).
#[derive(Clone, Copy)]
pub struct SearchCtx {
    index: StoredValue<SearchIndex, LocalStorage>,
    texts: StoredValue<VecDeque<(String, Rc<TextMap>)>, LocalStorage>,
    /// What is typed in the box.
    pub query: RwSignal<String>,
    /// Bumped whenever the index takes in more (results are worked out again).
    grown: RwSignal<u64>,
    /// Articles searched, and of them searched by their text.
    coverage: RwSignal<(usize, usize)>,
    /// Texts that could not be read (searched by title only).
    unreadable: RwSignal<usize>,
    /// Ids whose text could not be read this session.
    failed: StoredValue<BTreeSet<String>>,
    building: StoredValue<bool>,
    /// Whether the last session's snapshot was looked for.
    restored: StoredValue<bool>,
    cache: StoredValue<Option<Rc<IdbCache>>, LocalStorage>,
}

impl SearchCtx {
    /// An empty index.
    pub fn new() -> Self {
        Self {
            index: StoredValue::new_local(SearchIndex::new()),
            texts: StoredValue::new_local(VecDeque::new()),
            query: RwSignal::new(String::new()),
            grown: RwSignal::new(0),
            coverage: RwSignal::new((0, 0)),
            unreadable: RwSignal::new(0),
            failed: StoredValue::new(BTreeSet::new()),
            building: StoredValue::new(false),
            restored: StoredValue::new(false),
            cache: StoredValue::new_local(None),
        }
    }

    /// Brings the titles and what annotations say in step with the library.
    fn follow_library(self, lib: LibraryCtx) {
        let said = lib.said();
        let library = lib.library();
        self.index.update_value(|ix| {
            library.with_untracked(|l| {
                ix.set_library(
                    l.entries()
                        .iter()
                        .map(|e| (e.id.as_str(), e.title.as_str())),
                );
                for e in l.entries() {
                    ix.set_said(&e.id, said.get(&e.id).cloned().unwrap_or_default());
                }
            });
        });
    }

    /// Brings the index in step with the library and what its annotations
    /// say, and reads the texts it lacks: from the snapshot kept by the
    /// last session (once), then from storage, a batch at a time; a new
    /// snapshot is kept when texts were added.
    pub fn prepare(self, lib: LibraryCtx) {
        self.follow_library(lib);
        self.after_growth();
        if self.building.get_value() {
            return;
        }
        self.building.set_value(true);
        leptos::task::spawn_local(async move {
            if !self.restored.get_value() {
                self.restored.set_value(true);
                if let Ok(cache) = IdbCache::open().await {
                    if let Ok(Some(bytes)) = cache.get(SNAPSHOT_KEY).await
                        && let Some(ix) = SearchIndex::restore(&bytes)
                        && !self.index.is_disposed()
                    {
                        self.index.update_value(|now| {
                            if now.coverage().1 == 0 {
                                *now = ix;
                            }
                        });
                        self.follow_library(lib);
                        self.after_growth();
                    }
                    self.cache.set_value(Some(Rc::new(cache)));
                }
            }
            // Results are worked out again as texts come in, but at most
            // a few times a second (each time costs a search and a render).
            let mut shown_at = js_sys::Date::now();
            let mut added = 0;
            loop {
                let failed = self.failed.get_value();
                let batch: Vec<String> = self.index.with_value(|ix| {
                    ix.missing_text()
                        .into_iter()
                        .filter(|id| !failed.contains(id))
                        .take(BATCH)
                        .collect()
                });
                if batch.is_empty() {
                    break;
                }
                let loaded = lib.load_many(&batch).await;
                let mut bad = Vec::new();
                self.index.update_value(|ix| {
                    for (id, article) in loaded {
                        match article {
                            Ok(a) => {
                                ix.add_text(&id, TextMap::new(&a).text());
                                added += 1;
                            }
                            // Searched by its title only, and not tried
                            // again this session (nor kept as indexed).
                            Err(_) => bad.push(id),
                        }
                    }
                });
                if !bad.is_empty() {
                    self.unreadable.update(|n| *n += bad.len());
                    self.failed.update_value(|f| f.extend(bad));
                }
                if js_sys::Date::now() - shown_at > 400.0 {
                    shown_at = js_sys::Date::now();
                    self.after_growth();
                }
            }
            self.building.set_value(false);
            self.after_growth();
            if added > 0
                && let Some(cache) = self.cache.get_value()
            {
                let bytes = self.index.with_value(SearchIndex::snapshot);
                // A cache: failing to keep it costs the next session time only.
                let _ = cache.put(SNAPSHOT_KEY, &bytes).await;
            }
        });
    }

    fn after_growth(self) {
        let c = self.index.with_value(SearchIndex::coverage);
        self.coverage.set(c);
        self.grown.update(|g| *g += 1);
    }

    /// The matching articles for the query, best first.
    fn results(self) -> Vec<DocHit> {
        self.grown.track();
        let q = Query::parse(&self.query.get());
        self.index.with_value(|ix| ix.search(&q))
    }

    /// The best sentences of one result (loading its text if needed).
    async fn sentences(self, lib: LibraryCtx, id: String, q: Query) -> Vec<SentenceHit> {
        let cached = self
            .texts
            .with_value(|t| t.iter().find(|(i, _)| *i == id).map(|(_, m)| m.clone()));
        let map = match cached {
            Some(m) => m,
            None => {
                let Ok(a) = lib.load(&id).await else {
                    return Vec::new();
                };
                let m = Rc::new(TextMap::new(&a));
                self.texts.update_value(|t| {
                    t.push_front((id.clone(), m.clone()));
                    t.truncate(CACHED_TEXTS);
                });
                m
            }
        };
        self.index
            .with_value(|ix| sentence_hits(&map, &q, ix.said(&id), SENTENCES))
    }
}

impl Default for SearchCtx {
    fn default() -> Self {
        Self::new()
    }
}

/// Text with its matches in `<mark>`.
fn marked_view(m: Marked) -> impl IntoView {
    m.pieces()
        .into_iter()
        .map(|(text, hit)| {
            let text = text.to_owned();
            if hit {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}

/// The search box.
#[component]
pub fn SearchBox() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let search = expect_context::<SearchCtx>();
    let prepared = StoredValue::new(false);
    let prepare = move || {
        if !prepared.get_value() {
            prepared.set_value(true);
            search.prepare(lib);
        }
    };
    // Coming back to a search (from an article): take in what changed.
    if !search.query.get_untracked().trim().is_empty() {
        prepare();
    }
    // Articles added or removed while searching.
    Effect::new(move |first: Option<()>| {
        lib.library().track();
        lib.counts().track();
        if first.is_some() && prepared.get_value() {
            search.prepare(lib);
        }
    });
    view! {
        <div class="search-box" role="search">
            <label for="library-search" class="sr-only">"Search the library"</label>
            <input
                id="library-search"
                type="search"
                data-testid="library-search"
                placeholder="Search titles, texts, notes and tags"
                autocomplete="off"
                prop:value=move || search.query.get()
                on:focus=move |_| prepare()
                on:input=move |ev| {
                    prepare();
                    search.query.set(event_target_value(&ev));
                }
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        search.query.set(String::new());
                    }
                }
            />
        </div>
    }
}

/// Whether a search is under way (the library shows results instead).
pub fn searching(search: SearchCtx) -> bool {
    !Query::parse(&search.query.get()).is_empty()
}

/// The results of the current query.
#[component]
pub fn SearchResults() -> impl IntoView {
    let search = expect_context::<SearchCtx>();
    let results = Memo::new(move |_| search.results());
    let query = Memo::new(move |_| Query::parse(&search.query.get()));
    let limit = RwSignal::new(PAGE);
    Effect::new(move |_| {
        query.track();
        limit.set(PAGE);
    });
    // The shown results' sentences, worked out one result after another
    // by one task per query; a newer query stops the older task.
    let lib = expect_context::<LibraryCtx>();
    let sentences = RwSignal::new(BTreeMap::<String, (Query, Vec<SentenceHit>)>::new());
    let run = StoredValue::new(0u64);
    Effect::new(move |_| {
        let q = query.get();
        let ids: Vec<String> =
            results.with(|r| r.iter().take(limit.get()).map(|h| h.id.clone()).collect());
        let mine = run.get_value() + 1;
        run.set_value(mine);
        sentences.update(|m| m.retain(|id, _| ids.contains(id)));
        leptos::task::spawn_local(async move {
            for id in ids {
                let current = || run.try_get_value() == Some(mine);
                if !current() {
                    return;
                }
                if sentences.with_untracked(|m| m.get(&id).is_some_and(|(had, _)| *had == q)) {
                    continue;
                }
                let found = search.sentences(lib, id.clone(), q.clone()).await;
                if !current() {
                    return;
                }
                sentences.try_update(|m| {
                    m.insert(id, (q.clone(), found));
                });
            }
        });
    });
    let status = move || {
        let n = results.with(Vec::len);
        let (all, texts) = search.coverage.get();
        let found = match n {
            0 => "No article matches.".to_owned(),
            1 => "1 article matches.".to_owned(),
            n => format!("{n} articles match."),
        };
        let progress = if texts < all {
            format!(" Reading texts: {texts} of {all} articles searched so far…")
        } else {
            String::new()
        };
        let bad = match search.unreadable.get() {
            0 => String::new(),
            n => format!(" {n} texts could not be read and are searched by title only."),
        };
        format!("{found}{progress}{bad}")
    };
    view! {
        <section class="search-results" aria-label="Search results">
            <p class="search-status" data-testid="search-status" aria-live="polite">{status}</p>
            <ol class="result-list">
                // Keyed by article: a result that still matches as the
                // query grows keeps its elements, and only its marks and
                // sentences change.
                <For
                    each=move || results.with(|r| r.iter().take(limit.get()).map(|h| h.id.clone()).collect::<Vec<_>>())
                    key=|id| id.clone()
                    let:id
                >
                    <SearchResult id query results sentences />
                </For>
            </ol>
            {move || {
                let more = results.with(Vec::len).saturating_sub(limit.get());
                (more > 0)
                    .then(|| view! {
                        <button class="quiet library-more" data-testid="search-more" on:click=move |_| limit.update(|n| *n += PAGE)>
                            {format!("Show more ({more} not shown)")}
                        </button>
                    })
            }}
        </section>
    }
}

/// One matching article, with its best sentences for the current query.
#[component]
fn SearchResult(
    id: String,
    query: Memo<Query>,
    results: Memo<Vec<DocHit>>,
    sentences: RwSignal<BTreeMap<String, (Query, Vec<SentenceHit>)>>,
) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let meta = lib.library().with_untracked(|l| l.get(&id).cloned());
    let title = meta.as_ref().map(|m| m.title.clone()).unwrap_or_default();
    let words = meta.map(|m| m.words).unwrap_or(0);
    let mine = {
        let id = id.clone();
        Memo::new(move |_| sentences.with(|m| m.get(&id).cloned()))
    };
    let current = move || {
        mine.get()
            .filter(|(q, _)| query.with(|now| now == q))
            .map(|(_, h)| h)
    };
    // What is shown: the latest sentences worked out, until the current
    // query's arrive (so typing does not make them flicker).
    let latest = move || mine.get().map(|(_, hits)| hits);
    let best = move || latest().and_then(|s| s.first().map(|h| h.sentence));
    let href = {
        let id = id.clone();
        move || Route::ReadAt(id.clone(), best().unwrap_or(0)).href()
    };
    let hits = {
        let id = id.clone();
        move || results.with(|r| r.iter().find(|h| h.id == id).map_or(0, |h| h.hits))
    };
    let article_id = id.clone();
    view! {
        <li
            class="search-result"
            data-testid="search-result"
            data-article-id=article_id
            data-sentence-id=move || best().map(|n| n.to_string()).unwrap_or_else(|| "0".into())
            data-ready=move || if current().is_some() { "true" } else { "false" }
        >
            <a class="result-title" href=href>
                {move || query.with(|q| marked_view(Marked::new(&title, q, 200)))}
            </a>
            <p class="result-meta">
                {move || match hits() { 1 => "1 match".to_owned(), n => format!("{n} matches") }}
                {format!(" · {words} words")}
            </p>
            <ul class="result-sentences">
                {move || {
                    let id = id.clone();
                    latest()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|h| {
                            let href = Route::ReadAt(id.clone(), h.sentence).href();
                            view! {
                                <li>
                                    <a href=href data-testid="search-snippet" data-sentence-id=h.sentence.to_string()>
                                        {marked_view(h.text)}
                                    </a>
                                    {h.said.map(|s| view! { <p class="said">{marked_view(s)}</p> })}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </li>
    }
}
