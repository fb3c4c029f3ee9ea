//! The library page: adding articles (paste, choose or drop files) and the
//! list of articles with their counts, opening and deleting.

use super::context::LibraryCtx;
use super::files;
use super::notices::Notices;
use super::route::{Route, navigate};
use super::time;
use super::transfer::{self, ExportMenu, PendingCtx};
use crate::domain::article::library::Added;
use crate::domain::article::listing::{self, SortBy};
use crate::domain::article::{Article, ArticleMeta, NewArticle};
use crate::domain::import;
use crate::ui::check::Check;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Entries built at first, and added each time the page is scrolled near
/// its end (or "Show more" is pressed): thousands of articles are never
/// built at once.
const PAGE: usize = 100;

/// The library page.
#[component]
pub fn LibraryPage() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let search = expect_context::<super::search::SearchCtx>();
    let library = lib.library();
    let limit = RwSignal::new(PAGE);
    // The form to add an article is open while the library holds nothing
    // of the reader's own (there is nothing else to do yet); later it
    // opens from its button.
    let adding = RwSignal::new(library.with_untracked(|l| l.own().next().is_none()));
    let sort = RwSignal::new(SortBy::Added);
    let only_annotated = RwSignal::new(false);
    // The tag filter: the tags to offer (read when the menu is first
    // reached: it reads every record, which the library's open need not
    // wait for), and the articles that have the chosen one.
    let tags_offered = RwSignal::new(None::<Vec<(String, String, usize)>>);
    let tag = RwSignal::new(String::new());
    let tagged = RwSignal::new(None::<std::collections::BTreeSet<String>>);
    let offer_tags = move || {
        if tags_offered.with_untracked(Option::is_some) {
            return;
        }
        let mut offered: Vec<(String, String, usize)> = lib
            .tag_counts()
            .into_iter()
            .map(|(key, (spelling, n))| (key, spelling, n))
            .collect();
        offered.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        tags_offered.set(Some(offered));
    };
    Effect::new(move |_| {
        let t = tag.get();
        let ids = (!t.is_empty()).then(|| {
            lib.article_tags()
                .into_iter()
                .filter(|(_, tags)| tags.contains(&t))
                .map(|(id, _)| id)
                .collect()
        });
        tagged.set(ids);
    });
    let shown_total = move || {
        let among = tagged.get();
        let filter = listing::Filter {
            only_annotated: only_annotated.get(),
            among: among.as_ref(),
        };
        lib.counts()
            .with(|c| library.with(|l| l.entries().iter().filter(|e| filter.keeps(e, c)).count()))
    };
    let more = move || shown_total().saturating_sub(limit.get());
    let show_more = move || {
        if more() > 0 {
            limit.update(|n| *n += PAGE);
        }
    };
    let on_scroll = window_event_listener(leptos::ev::scroll, move |_| {
        let doc = document().document_element();
        if let Some(doc) = doc
            && doc.scroll_top() + doc.client_height() + 800 > doc.scroll_height()
        {
            show_more();
        }
    });
    on_cleanup(move || on_scroll.remove());
    view! {
        <div class="library-page">
            <section class="library" aria-labelledby="library-heading">
                <div class="library-head">
                    <h1 id="library-heading">
                        "Library "
                        <span class="count">
                            {move || {
                                let n = library.with(|l| l.len());
                                if n == 1 { "1 article".to_owned() } else { format!("{n} articles") }
                            }}
                        </span>
                    </h1>
                    <button
                        class="primary"
                        data-testid="add-article"
                        aria-controls="add-panel"
                        aria-expanded=move || if adding.get() { "true" } else { "false" }
                        on:click=move |_| adding.update(|a| *a = !*a)
                    >
                        "Add article"
                    </button>
                    <ExportMenu />
                </div>
                // Kept in the page while closed, so what was typed stays.
                <div id="add-panel" hidden=move || !adding.get()>
                    <AddArticle />
                </div>
                <super::meter::StorageMeter
                    changes=Signal::derive(move || {
                        library.with(|l| l.len()) + lib.counts().with(|c| c.values().sum::<usize>())
                    })
                    own_data=Signal::derive(move || {
                        library.with(|l| l.own().next().is_some())
                    })
                />
                <BackupReminder />
                <super::search::SearchBox />
                <Show when=move || super::search::searching(search)>
                    <super::search::SearchResults />
                </Show>
                <div class="library-tools" role="group" aria-label="Order and filter the library" hidden=move || super::search::searching(search)>
                    <label>
                        "Sort by "
                        <select
                            data-testid="library-sort"
                            on:change=move |ev| {
                                if let Some(by) = SortBy::from_key(&event_target_value(&ev)) {
                                    sort.set(by);
                                }
                            }
                        >
                            {SortBy::ALL
                                .into_iter()
                                .map(|s| view! { <option value=s.key() selected=move || sort.get() == s>{s.label()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "Tag "
                        <select
                            data-testid="library-tag"
                            on:focus=move |_| offer_tags()
                            on:pointerdown=move |_| offer_tags()
                            on:change=move |ev| tag.set(event_target_value(&ev))
                        >
                            <option value="">"Any"</option>
                            {move || {
                                tags_offered
                                    .get()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|(key, spelling, n)| {
                                        let selected = tag.get_untracked() == key;
                                        view! { <option value=key selected=selected>{format!("{spelling} ({n})")}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </label>
                    <Check testid="library-annotated" value=only_annotated label="Only articles with annotations" />
                </div>
                <Show when=move || library.with(|l| l.is_empty())>
                    <p class="empty">"No articles yet. Paste one or add a file above."</p>
                </Show>
                <ul class="library-list" hidden=move || super::search::searching(search)>
                    <For
                        each=move || {
                            let n = limit.get();
                            let (by, only) = (sort.get(), only_annotated.get());
                            let counts = lib.counts();
                            let reading = lib.reading();
                            let among = tagged.get();
                            let filter = listing::Filter { only_annotated: only, among: among.as_ref() };
                            library.with(|l| {
                                counts.with(|c| {
                                    reading.with(|r| {
                                        listing::arrange(l.entries(), by, filter, c, r)
                                            .into_iter()
                                            .take(n)
                                            .cloned()
                                            .collect::<Vec<_>>()
                                    })
                                })
                            })
                        }
                        key=|m| m.id.clone()
                        let:meta
                    >
                        <LibraryItem meta />
                    </For>
                </ul>
                {move || {
                    (more() > 0 && !super::search::searching(search))
                        .then(|| {
                            view! {
                                <button class="quiet library-more" data-testid="library-more" on:click=move |_| show_more()>
                                    {move || format!("Show more ({} not shown)", more())}
                                </button>
                            }
                        })
                }}
            </section>
        </div>
    }
}

/// Stores an article and tells the user what happened; a duplicate opens
/// the copy already in the library.
async fn store(lib: LibraryCtx, notices: Notices, article: &Article, open_duplicate: bool) -> bool {
    match lib.add(article).await {
        Ok(Added::New) => {
            notices.info(format!(
                "Added “{}” ({} sentences).",
                article.title,
                article.sentence_count()
            ));
            true
        }
        Ok(Added::Duplicate(id)) => {
            let title = lib
                .library()
                .with_untracked(|l| l.get(&id).map(|m| m.title.clone()));
            notices.info(format!(
                "“{}” is already in your library{}.",
                title.unwrap_or_else(|| article.title.clone()),
                if open_duplicate { "; opened it" } else { "" }
            ));
            if open_duplicate {
                navigate(&Route::Read(id));
            }
            true
        }
        Err(e) => {
            notices.error(format!("“{}” was not added. {e}", article.title));
            false
        }
    }
}

/// Imports files one after another; a single duplicate opens its copy.
/// A `.json` or `.jsonld` file is an annotation export: it is read and
/// planned, and the preview asks before anything is stored.
pub fn import_files(
    lib: LibraryCtx,
    notices: Notices,
    pending: PendingCtx,
    file_list: web_sys::FileList,
) {
    let (exports, list): (Vec<web_sys::File>, Vec<web_sys::File>) = (0..file_list.length())
        .filter_map(|i| file_list.item(i))
        .partition(|f| transfer::is_export_file(&f.name()));
    if let Some(first) = exports.first() {
        if exports.len() > 1 {
            notices.info("Import one annotation file at a time; the first was read.");
        }
        transfer::read_import(lib, notices, pending, first.clone());
    }
    let single = list.len() == 1;
    spawn_local(async move {
        for file in list {
            match files::read_article(&file, time::now()).await {
                Ok(article) => {
                    store(lib, notices, &article, single).await;
                }
                Err(e) => notices.error(format!("{}: {e}", file.name())),
            }
        }
    });
}

/// The paste form and the file picker / drop zone.
#[component]
fn AddArticle() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let pending = expect_context::<PendingCtx>();
    let text = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            notices.error(import::ImportError::Empty.to_string());
            return;
        }
        let t = title.get_untracked();
        let parsed = import::parse_text(&body);
        match Article::build(
            parsed,
            NewArticle {
                title: Some(&t),
                source_name: None,
            },
            time::now(),
        ) {
            Ok(article) => spawn_local(async move {
                if store(lib, notices, &article, true).await {
                    text.try_set(String::new());
                    title.try_set(String::new());
                }
            }),
            Err(e) => notices.error(e.to_string()),
        }
    };

    view! {
        <section class="add" aria-labelledby="add-heading">
            <h2 id="add-heading">"Add an article"</h2>
            <form class="paste" on:submit=submit>
                <label class="field">
                    <span>"Title (optional)"</span>
                    <input
                        type="text"
                        data-testid="paste-title"
                        autocomplete="off"
                        bind:value=title
                    />
                </label>
                <label class="field">
                    <span>"Text"</span>
                    <textarea
                        data-testid="paste-text"
                        rows="6"
                        placeholder="Paste an article here…"
                        bind:value=text
                    ></textarea>
                </label>
                <button type="submit" class="primary" data-testid="paste-submit">
                    "Add article"
                </button>
            </form>
            <div
                class="dropzone"
                class:dragging=move || dragging.get()
                data-testid="drop-zone"
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    // The window's drop handler imports drops elsewhere; not this one again.
                    ev.stop_propagation();
                    dragging.set(false);
                    if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
                        import_files(lib, notices, pending, files);
                    }
                }
            >
                <label class="file-button">
                    "Choose files"
                    <input
                        type="file"
                        data-testid="import-file"
                        multiple
                        accept=".txt,.text,.md,.markdown,.html,.htm,.xhtml,.json,.jsonld,text/plain,text/markdown,text/html,application/json,application/ld+json"
                        on:change:target=move |ev| {
                            let input = ev.target();
                            if let Some(files) = input.files() {
                                import_files(lib, notices, pending, files);
                            }
                            input.set_value("");
                        }
                    />
                </label>
                <span>" or drop .txt, .md or .html files here (up to 10 MB each), or a .json export of your annotations to import it."</span>
            </div>
        </section>
    }
}

/// One article in the list; a click opens it. Its inside is one piece of
/// markup ([`listing::entry_html`]) and it has one listener, which tells
/// a click on its link or actions by the event's dispatch path: 100
/// entries built element by element, each with its own effects and
/// listeners, were most of the library's first paint. Its count and
/// progress follow the library's by one effect, which sets only the text
/// that changed; the deletion is confirmed in place.
#[component]
fn LibraryItem(meta: ArticleMeta) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let li = NodeRef::<leptos::html::Li>::new();
    let id = meta.id.clone();
    let sentences = meta.sentences;
    let state = {
        let id = id.clone();
        move || {
            let n = lib.counts().with(|c| c.get(&id).copied().unwrap_or(0));
            lib.reading()
                .with(|m| listing::EntryState::new(n, m.get(&id), sentences))
        }
    };
    let shown = untrack(state.clone());
    let markup = listing::entry_html(
        &meta,
        &Route::Read(meta.id.clone()).href(),
        &time::local_date(meta.added),
        &shown,
    );
    // An element of the entry's markup.
    let within = move |selector: &str| {
        li.get_untracked()
            .and_then(|li| li.query_selector(selector).ok().flatten())
    };
    let text_of = move |testid: &str, text: &str| {
        if let Some(el) = within(&format!("[data-testid=\"{testid}\"]")) {
            el.set_text_content(Some(text));
        }
    };
    Effect::new(move |before: Option<listing::EntryState>| {
        let now = state();
        let before = before.unwrap_or_else(|| shown.clone());
        if now.annotations != before.annotations {
            text_of("annotation-count", &now.annotations);
        }
        if now.progress != before.progress {
            text_of("reading-progress", &now.progress);
        }
        now
    });
    let title = meta.title.clone();
    let click = move |ev: leptos::ev::MouseEvent| {
        // Swaps the actions' markup, and puts the focus on the button
        // `focus` of the new markup (the one pressed has left the page).
        let actions = |html: &str, focus: &str| {
            if let Some(el) = within(".item-actions") {
                el.set_inner_html(html);
            }
            if let Some(button) = within(&format!("[data-testid=\"{focus}\"]"))
                .and_then(|b| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b).ok())
            {
                let _ = button.focus();
            }
        };
        // The path the event was dispatched along (the button clicked may
        // have left the page since, replaced by its confirmation).
        let path = ev.composed_path();
        for i in 0..path.length() {
            let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(path.get(i)) else {
                continue;
            };
            match el.get_attribute("data-testid").as_deref() {
                // Cancel has the focus while asked: Enter twice never deletes.
                Some("delete-article") => {
                    return actions(listing::ENTRY_CONFIRM_HTML, "cancel-delete");
                }
                Some("cancel-delete") => {
                    return actions(&listing::entry_actions_html(&title), "delete-article");
                }
                Some("confirm-delete") => {
                    ev.stop_propagation();
                    let id = id.clone();
                    spawn_local(async move {
                        match lib.delete(&id).await {
                            Ok(_) => notices.info("Article deleted."),
                            Err(e) => notices.error(format!("The article was not deleted. {e}")),
                        }
                    });
                    return;
                }
                Some("library-item") => break,
                _ => {}
            }
            // The title link follows itself; elsewhere among the actions
            // nothing opens.
            if el.matches("a, .item-actions").unwrap_or(false) {
                return;
            }
        }
        navigate(&Route::Read(id.clone()));
    };
    view! {
        <li
            class="library-item"
            data-testid="library-item"
            data-article-id=meta.id.clone()
            node_ref=li
            on:click=click
            inner_html=markup
        ></li>
    }
}

/// When the last complete backup and the last export were made, and, when
/// one is due (see [`crate::domain::exchange::reminder`]), a reminder to
/// make a backup that can be put off.
#[component]
fn BackupReminder() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let library = lib.library();
    let backups = lib.backups();
    let first_added = move || library.with(|l| l.own().map(|e| e.added).min());
    let due = move || {
        let total = lib.counts().with(|c| c.values().sum::<usize>());
        backups.with(|b| b.due(time::now(), total, first_added()))
    };
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(time::local_date)
            .unwrap_or_else(|| "never".to_owned())
    };
    view! {
        <p class="backup-status" data-testid="backup-status">
            {move || {
                let b = backups.get();
                format!(
                    "Last complete backup: {} · last export: {}",
                    when(b.last_backup),
                    when(b.last_export)
                )
            }}
        </p>
        <Show when=due>
            <div class="backup-reminder" role="status" data-testid="backup-reminder">
                <p>
                    "Everything you keep here lives only in this browser. Make a complete backup (a JSON file with your articles and annotations) so that a cleared browser or a lost device loses nothing."
                </p>
                <button data-testid="backup-now" on:click=move |_| transfer::export_backup(lib, notices)>
                    "Export a complete backup"
                </button>
                " "
                <button
                    class="quiet"
                    data-testid="backup-dismiss"
                    on:click=move |_| {
                        if let Err(e) = lib.dismiss_backup_reminder() {
                            notices.error(format!("The reminder could not be put off: {e}"));
                        }
                    }
                >
                    "Remind me later"
                </button>
            </div>
        </Show>
    }
}
