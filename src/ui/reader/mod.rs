//! The reader: one article as blocks of sentences.
//!
//! Every sentence is its own `[data-sentence-id]` element whose text content
//! is exactly that sentence; the whitespace between sentences stays as text
//! nodes, so the block's text content is the block text. Each block carries
//! `data-paragraph`. The reading place (the first sentence on screen) is
//! kept in `history.state`, so reload and back/forward return to it.
//!
//! The body is one string of HTML built by
//! [`crate::domain::annotate::markup`] and set once; a sentence's
//! highlight, tags, note marker, selection and keyboard cursor are then
//! repainted on its element only when they change (see
//! [`super::annotate`]), so an edit costs the sentences it touches.
//!
//! - [`pointer`]: clicks, drags and touch selections;
//! - [`place`]: the reading place in `history.state`.

mod place;
mod pointer;

use place::keep_reading_place;
use pointer::{on_click, on_pointer_up};

use super::annotate::{self, Annot, ArticleSlot, Sel, dom};
use super::context::LibraryCtx;
use super::notices::{Level, Notices};
use super::time;
use super::transfer;
use crate::domain::annotate::markup;
use crate::domain::article::Article;
use leptos::prelude::*;
/// The reader page for an article id.
#[component]
pub fn ReaderPage(
    /// The article's id, its content fingerprint.
    id: String,
    /// A sentence to show and select on opening.
    #[prop(optional)]
    at: Option<usize>,
) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let slot = ArticleSlot {
        article: RwSignal::new_local(None),
        select_after: RwSignal::new(at),
        reveal: StoredValue::new(at.is_some()),
        generation: RwSignal::new(0),
        revision: StoredValue::new(lib.revision(&id).unwrap_or(0)),
    };
    provide_context(slot);
    // The text comes from IndexedDB (or localStorage), asynchronously.
    let state = RwSignal::new(Load::Loading);
    let load_id = id.clone();
    leptos::task::spawn_local(async move {
        let loaded = lib.load(&load_id).await;
        if state.is_disposed() {
            return;
        }
        match loaded {
            Ok(article) => {
                slot.article.try_update_untracked(|a| *a = Some(article));
                state.try_set(Load::Ready);
            }
            Err(e) => {
                state.try_set(Load::Failed(e.to_string()));
            }
        }
    });
    follow_other_tabs(id, lib, notices, slot, state);
    move || match state.get() {
        Load::Loading => {
            view! { <p class="loading" aria-live="polite">"Opening the article…"</p> }.into_any()
        }
        // Corrected sentence boundaries build the article view anew (a new
        // key), never patch the old one in place.
        Load::Ready => view! {
            <For
                each=move || std::iter::once(slot.generation.get())
                key=|g| *g
                children=move |_| {
                    let article = slot.article.try_update_untracked(Option::take).flatten();
                    article.map(|article| view! { <ArticleView article /> })
                }
            />
        }
        .into_any(),
        Load::Failed(why) => view! {
            <section class="missing">
                <h1>"Article not found"</h1>
                <p>{why}</p>
                <p>
                    <a href="#/">"Back to the library"</a>
                </p>
            </section>
        }
        .into_any(),
    }
}

/// Follows what another tab does to the open article, through the index
/// it rewrites (last, after the text: see ARCHITECTURE.md): a text
/// rewritten in place (corrected boundaries) is read again and shown
/// anew, at the same reading place; a deleted article is said so once.
fn follow_other_tabs(
    id: String,
    lib: LibraryCtx,
    notices: Notices,
    slot: ArticleSlot,
    state: RwSignal<Load>,
) {
    let gone_told = StoredValue::new(false);
    Effect::new(move |_| {
        let entry = lib.library().with(|l| l.get(&id).map(|e| e.revision));
        if state.get() != Load::Ready {
            return;
        }
        match entry {
            None => {
                if !gone_told.get_value() {
                    gone_told.set_value(true);
                    notices.push(
                        Level::Warning,
                        "This article was removed from the library in another tab (deleted, or replaced by an edited version). It stays on screen until you leave it, but changes to its annotations can no longer be saved.",
                    );
                }
            }
            Some(r) if r != slot.revision.get_value() => {
                slot.revision.set_value(r);
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    match lib.load(&id).await {
                        Ok(article) if !slot.generation.is_disposed() => {
                            slot.article.try_update_untracked(|a| *a = Some(article));
                            slot.generation.try_update(|g| *g += 1);
                            notices.info("The sentences of this article were corrected in another tab, so it is shown again with them.");
                        }
                        Ok(_) => {}
                        Err(e) => notices.error(format!(
                            "The sentences of this article were corrected in another tab, but the corrected text could not be read: {e}. Reopen the article to see it."
                        )),
                    }
                });
            }
            Some(_) => {}
        }
    });
}

/// Where opening an article is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    Failed(String),
}

/// A loaded article.
#[component]
fn ArticleView(article: Article) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let slot = use_context::<ArticleSlot>();
    // What the page shows of the article, before the reader takes it.
    let title_block = markup::title_is_first_block(&article);
    let id = article.id.clone();
    // The index has the counts: no need to count 100,000 words again.
    let meta = lib
        .library()
        .with_untracked(|l| l.get(&article.id).cloned())
        .filter(|m| m.sentences == article.sentence_count())
        .unwrap_or_else(|| article.meta());
    let annot = Annot::new(article, lib, notices, slot);
    provide_context(annot);
    if let Some(slot) = slot
        && let Some(i) = slot.select_after.get_untracked()
    {
        slot.select_after.set(None);
        let reveal = slot.reveal.get_value();
        slot.reveal.set_value(false);
        request_animation_frame(move || {
            if annot.alive() {
                annot.select(Some(Sel::one(i)));
                dom::focus_sentence(i);
                if reveal {
                    dom::reveal(i, i);
                }
            }
        });
    }
    // The body is built once, as HTML (see domain::annotate::markup):
    // no view, signal or effect per sentence. Later changes repaint only
    // the sentence elements they touch (annotate::paint).
    let (body, title_view) = annot.html();
    let source = meta
        .source_name
        .clone()
        .map(|s| format!(" · from {s}"))
        .unwrap_or_default();

    keep_reading_place(lib, id.clone());
    annotate::keys::install(annot);
    keep_saved(annot);
    // An import in this tab stored annotations: take them in.
    Effect::new(move |first: Option<()>| {
        lib.imported().track();
        if first.is_some() {
            annot.merge_from_storage();
            annot.reload_tag_colours();
            annot.reload_conflicts();
        }
    });
    let pending = expect_context::<transfer::PendingCtx>();
    let panel_open = RwSignal::new(false);
    let count = move || annot.count();
    // Whether the click that ends a mouse drag is to be ignored (the drag
    // already made the selection). Per reader, and cleared whenever a new
    // press starts, so a touch selection (which is followed by no click)
    // never swallows the next tap.
    let dragged = StoredValue::new(false);

    view! {
        <div class="reader-layout">
        <article
            class="reader"
            data-testid="reader"
            data-article-id=id.clone()
            on:click=move |ev| on_click(annot, dragged, &ev)
            on:mousedown=move |_| dragged.set_value(false)
            on:mouseup=move |ev| {
                if on_pointer_up(annot, ev.alt_key()) {
                    dragged.set_value(true);
                }
            }
            on:touchstart=move |_| dragged.set_value(false)
            on:touchend=move |_| {
                // The browser settles a touch selection after the finger
                // lifts; by then the reader may be gone (a tap on a link).
                set_timeout(
                    move || {
                        if annot.alive() {
                            on_pointer_up(annot, false);
                        }
                    },
                    std::time::Duration::from_millis(350),
                )
            }
        >
            <nav class="reader-nav">
                <a href="#/" data-testid="back-to-library">"← Library"</a>
                <button
                    class="panel-toggle"
                    data-testid="panel-toggle"
                    aria-expanded=move || if panel_open.get() { "true" } else { "false" }
                    on:click=move |_| panel_open.update(|o| *o = !*o)
                >
                    {move || format!("Annotations ({})", count())}
                </button>
                <transfer::ExportMenu article=id.clone() />
            </nav>
            <header class="reader-header">
                <h1
                    data-testid="article-title"
                    data-paragraph=title_block.then_some("0")
                    inner_html=title_view
                ></h1>
                <p class="reader-meta">
                    {format!("{} words · {} sentences · added ", meta.words, meta.sentences)}
                    {time::local_date(meta.added)}
                    {source}
                    " · "
                    <label class="file-link">
                        "Replace with edited version…"
                        <input
                            type="file"
                            class="sr-only"
                            data-testid="replace-file"
                            accept=".txt,.text,.md,.markdown,.html,.htm,.xhtml"
                            on:change:target=move |ev| {
                                let input = ev.target();
                                if let Some(file) = input.files().and_then(|f| f.item(0))
                                    && let Some(old) = annot.article()
                                {
                                    transfer::read_replacement(lib, notices, pending, annot, old, file);
                                }
                                input.set_value("");
                            }
                        />
                    </label>
                </p>
            </header>
            <div class="reader-body" prop:innerHTML=body></div>
            <annotate::toolbar::Toolbar />
        </article>
        <annotate::panel::Panel open=panel_open />
        <annotate::toolbar::Help />
        </div>
    }
}

/// Saves pending edits when the page is hidden or closed and when the
/// reader closes, and takes in other tabs' edits to this article.
fn keep_saved(annot: Annot) {
    // The counts the app keeps when hidden were kept before this flush
    // (its listener came first): keep them again with this save's.
    let lib = expect_context::<LibraryCtx>();
    let h1 = window_event_listener(leptos::ev::pagehide, move |_| {
        annot.flush();
        lib.keep_counts();
    });
    let h2 = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            annot.flush();
            lib.keep_counts();
        }
    });
    let short = crate::storage::repo::short_id(&annot.article_id()).to_owned();
    let h3 = window_event_listener(leptos::ev::storage, move |ev| match ev.key() {
        Some(k) if k == crate::storage::repo::TAG_COLOURS_KEY => annot.reload_tag_colours(),
        Some(k)
            if crate::storage::conflicts::parse_conflict_key(&k)
                .is_some_and(|(s, _)| s == short) =>
        {
            annot.reload_conflicts()
        }
        Some(k) => {
            if crate::storage::repo::parse_record_key(&k).is_some_and(|(_, s, _)| s == short) {
                annot.merge_event(&k, ev.new_value().as_deref());
            }
        }
        None => {
            annot.merge_from_storage();
            annot.reload_tag_colours();
            annot.reload_conflicts();
        }
    });
    on_cleanup(move || {
        annot.flush();
        h1.remove();
        h2.remove();
        h3.remove();
    });
}
