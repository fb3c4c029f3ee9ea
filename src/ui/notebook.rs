//! The notebook (`#/notebook`): every annotation across the library in one
//! list, grouped by article or by tag, filtered with the panel's filters
//! and a date range, each entry opening its sentence; the export menu
//! exports exactly what it shows.
//!
//! Opening it reads every live record in one scan, then the texts of the
//! annotated articles a batch at a time (a record keeps a position, and
//! its quote comes from the text), showing what is loaded as it goes. The
//! list is a window of rows, extended as the page scrolls near its end.

use super::context::LibraryCtx;
use super::route::Route;
use super::time;
use super::transfer::ExportMenu;
use crate::domain::annotate::annotation::Colour;
use crate::domain::annotate::notebook::{self, Group, Heading, Item, Row, View};
use crate::domain::annotate::set::{Filter, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::text::shorten;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Articles whose texts are read at a time.
const BATCH: usize = 25;
/// Rows built at first, and added each time the page nears its end.
const PAGE: usize = 100;
/// Longest quote and note shown, in characters.
const QUOTE_CHARS: usize = 280;
const NOTE_CHARS: usize = 200;

/// The notebook page.
#[component]
pub fn NotebookPage() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    // Every item, and the articles (id, title) in library order.
    let items = RwSignal::new_local(Vec::<Item>::new());
    let articles = StoredValue::new(Vec::<(String, String)>::new());
    let progress = RwSignal::new((0usize, 0usize));
    let unreadable = RwSignal::new(0usize);
    let colours = RwSignal::new(lib.tag_colours());
    let group = RwSignal::new(Group::Article);
    let tag = RwSignal::new(String::new());
    let colour = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let limit = RwSignal::new(PAGE);
    load(lib, items, articles, progress, unreadable);

    let view_now = Memo::new(move |_| View {
        filter: Filter {
            tag: Some(tag.get()).filter(|t| !t.is_empty()),
            colour: Colour::from_name(&colour.get()),
            text: text.get(),
        },
        from: time::local_day(&from.get(), false),
        to: time::local_day(&to.get(), true),
        group: group.get(),
    });
    Effect::new(move |_| {
        view_now.track();
        limit.set(PAGE);
    });
    let laid_out = Memo::new(move |_| {
        let v = view_now.get();
        colours.with(|c| items.with(|it| notebook::rows(it, &v, c)))
    });
    let tags_offered = Memo::new(move |_| {
        let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
        items.with(|it| {
            for i in it {
                for t in &i.tags {
                    counts
                        .entry(crate::domain::annotate::annotation::tag_key(t))
                        .or_insert_with(|| (t.clone(), 0))
                        .1 += 1;
                }
            }
        });
        crate::domain::annotate::set::ranked_tags(&counts)
    });
    let count = move || {
        let total = items.with(Vec::len);
        let shown = laid_out.with(|(_, n)| *n);
        if view_now.with(View::is_unfiltered) {
            format!("{total} annotation{}", if total == 1 { "" } else { "s" })
        } else {
            format!("{shown} of {total} shown")
        }
    };
    let status = move || {
        let (done, all) = progress.get();
        let bad = match unreadable.get() {
            0 => String::new(),
            n => format!(
                " {n} annotations or texts could not be read; open their articles to see why."
            ),
        };
        if done < all {
            format!("Loading annotations: {done} of {all} articles read…{bad}")
        } else {
            bad
        }
    };
    let more = move || laid_out.with(|(r, _)| r.len()).saturating_sub(limit.get());
    let show_more = move || {
        if more() > 0 {
            limit.update(|n| *n += PAGE);
        }
    };
    let on_scroll = window_event_listener(leptos::ev::scroll, move |_| {
        if let Some(doc) = document().document_element()
            && doc.scroll_top() + doc.client_height() + 800 > doc.scroll_height()
        {
            show_more();
        }
    });
    on_cleanup(move || on_scroll.remove());
    let shown_ids = Callback::new(move |()| {
        let v = view_now.get_untracked();
        colours.with_untracked(|c| items.with_untracked(|it| notebook::shown_ids(it, &v, c)))
    });

    view! {
        <section class="notebook library-page" data-testid="notebook" aria-labelledby="notebook-heading">
            <div class="library-head">
                <h1 id="notebook-heading">"Notebook"</h1>
                <ExportMenu only=shown_ids />
            </div>
            <p class="search-status" data-testid="notebook-status" aria-live="polite">{status}</p>
            <div class="filters notebook-filters" role="search" aria-label="Filter annotations">
                <label>
                    "Group by "
                    <select data-testid="notebook-group-by" on:change=move |ev| {
                        if let Some(g) = Group::from_key(&event_target_value(&ev)) {
                            group.set(g);
                        }
                    }>
                        <option value="article">"Article"</option>
                        <option value="tag">"Tag"</option>
                    </select>
                </label>
                <label>
                    <span class="sr-only">"Filter by tag"</span>
                    <select data-testid="filter-tag" aria-label="Filter by tag" on:change=move |ev| tag.set(event_target_value(&ev)) prop:value=move || tag.get()>
                        <option value="">"All tags"</option>
                        {move || tags_offered.get().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span class="sr-only">"Filter by colour"</span>
                    <select data-testid="filter-colour" aria-label="Filter by colour" on:change=move |ev| colour.set(event_target_value(&ev)) prop:value=move || colour.get()>
                        <option value="">"All colours"</option>
                        {Colour::ALL.into_iter().map(|c| view! { <option value=c.name()>{c.name()}</option> }).collect_view()}
                    </select>
                </label>
                <input
                    type="search"
                    data-testid="filter-text"
                    aria-label="Filter by text in quotes and notes"
                    placeholder="Search quotes and notes"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <label>
                    "From "
                    <input type="date" data-testid="filter-from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>
                    "to "
                    <input type="date" data-testid="filter-to" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <p class="filter-count" data-testid="filter-count" aria-live="polite">{count}</p>
            </div>
            <ol class="notebook-rows">
                <For
                    each=move || {
                        let n = limit.get();
                        // Keyed by the row itself (and which time it comes,
                        // as an entry may be under several tags), so a row a
                        // filter keeps is not built again.
                        let mut seen: BTreeMap<Row, u32> = BTreeMap::new();
                        laid_out.with(|(rows, _)| {
                            rows.iter()
                                .take(n)
                                .map(|r| {
                                    let k = seen.entry(r.clone()).or_insert(0);
                                    *k += 1;
                                    (*k, r.clone())
                                })
                                .collect::<Vec<_>>()
                        })
                    }
                    key=|(n, row)| (row.clone(), *n)
                    let:row
                >
                    {
                        let (_, row) = row;
                        match row {
                            Row::Heading { group, count } => {
                                let (label, href) = match group {
                                    Heading::Article(a) => {
                                        let (id, title) = articles.with_value(|v| v.get(a).cloned()).unwrap_or_default();
                                        (title, Some(Route::Read(id).href()))
                                    }
                                    Heading::Tag(Some(t)) => (t, None),
                                    Heading::Tag(None) => ("No tag".to_owned(), None),
                                };
                                view! {
                                    <li class="notebook-heading" data-testid="notebook-group">
                                        <h2>
                                            {match href {
                                                Some(h) => view! { <a href=h>{label}</a> }.into_any(),
                                                None => label.into_any(),
                                            }}
                                            <span class="count">{format!(" ({count})")}</span>
                                        </h2>
                                    </li>
                                }
                                .into_any()
                            }
                            Row::Item(i) => {
                                let item = items.with_untracked(|it| it.get(i).cloned());
                                item.map(|item| view! { <NotebookItem item articles colours /> }.into_any())
                                    .unwrap_or_else(|| ().into_any())
                            }
                        }
                    }
                </For>
            </ol>
            {move || (more() > 0).then(|| view! {
                <button class="quiet library-more" data-testid="notebook-more" on:click=move |_| show_more()>
                    {move || format!("Show more ({} not shown)", more())}
                </button>
            })}
            {move || {
                let (done, all) = progress.get();
                (done >= all && items.with(Vec::is_empty)).then(|| view! {
                    <p class="empty">"No annotations yet. Open an article, click a sentence and press h."</p>
                })
            }}
        </section>
    }
}

/// Reads every annotation: the records in one scan, then the texts of
/// their articles a batch at a time.
fn load(
    lib: LibraryCtx,
    items: RwSignal<Vec<Item>, LocalStorage>,
    articles: StoredValue<Vec<(String, String)>>,
    progress: RwSignal<(usize, usize)>,
    unreadable: RwSignal<usize>,
) {
    let order: Vec<(String, String)> = lib.library().with_untracked(|l| {
        l.entries()
            .iter()
            .map(|e| (e.id.clone(), e.title.clone()))
            .collect()
    });
    let place: BTreeMap<String, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.clone(), i))
        .collect();
    articles.set_value(order);
    let records = lib.live_records();
    progress.set((0, records.len()));
    leptos::task::spawn_local(async move {
        let mut done = 0;
        for batch in records.chunks(BATCH) {
            let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
            let loaded = lib.load_many(&ids).await;
            if items.is_disposed() {
                return;
            }
            let mut got = Vec::new();
            let mut bad = 0;
            for ((id, article), (_, recs)) in loaded.into_iter().zip(batch) {
                match article {
                    Ok(a) => {
                        let map = TextMap::new(&a);
                        let at = place.get(&id).copied().unwrap_or(usize::MAX);
                        let (mut its, b) = notebook::items_from_records(&id, at, &map, recs);
                        got.append(&mut its);
                        bad += b;
                    }
                    Err(_) => bad += recs.len(),
                }
            }
            done += batch.len();
            // Batches come in library order: sorted, they keep the whole sorted.
            got.sort_by(notebook::document_order);
            items.try_update(|it| it.append(&mut got));
            progress.try_set((done, records.len()));
            if bad > 0 {
                unreadable.try_update(|n| *n += bad);
            }
        }
    });
}

/// One annotation: its colour, quote, note, tags and date; it opens its
/// sentence.
#[component]
fn NotebookItem(
    item: Item,
    articles: StoredValue<Vec<(String, String)>>,
    colours: RwSignal<TagColours>,
) -> impl IntoView {
    let (article_id, title) = articles
        .with_value(|v| v.get(item.article).cloned())
        .unwrap_or_default();
    let colour = colours.with_untracked(|c| c.effective_of(&item.tags, item.colour));
    let href = if item.orphan {
        Route::Read(article_id).href()
    } else {
        Route::ReadAt(article_id, item.sentence).href()
    };
    let quote = shorten(&item.quote, QUOTE_CHARS);
    let note = (!item.note.trim().is_empty()).then(|| shorten(&item.note, NOTE_CHARS));
    let when = format!(
        "{} {}",
        time::local_date(item.created),
        time::local_time(item.created)
    );
    view! {
        <li class="entry notebook-item" data-testid="notebook-item" data-annotation-id=item.id.clone() data-colour=colour.name()>
            <a class="entry-main" href=href>
                <span class="entry-colour">
                    <span class="dot" data-colour=colour.name() aria-hidden="true"></span>
                    {colour.name()}
                    <span class="sr-only">" highlight:"</span>
                </span>
                <q class="entry-quote">{quote}</q>
                {note.map(|n| view! { <span class="entry-note" data-testid="entry-note">{n}</span> })}
            </a>
            <div class="entry-foot">
                {(!item.tags.is_empty()).then(|| view! {
                    <ul class="tag-chips" aria-label="Tags">
                        {item.tags.iter().map(|t| view! { <li class="tag-chip" data-testid="entry-tag">{t.clone()}</li> }).collect_view()}
                    </ul>
                })}
                <span class="entry-article">{title}</span>
                {item.orphan.then_some(" · not found in the text")}
                <time datetime=crate::domain::time::format_rfc3339(&item.created)>{when}</time>
            </div>
        </li>
    }
}
