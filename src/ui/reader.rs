//! The reader: one article as blocks of sentences.
//!
//! Every sentence is its own `[data-sentence-id]` element whose text content
//! is exactly that sentence; the whitespace between sentences stays as text
//! nodes, so the block's text content is the block text. Each block carries
//! `data-paragraph`. The reading place (the first sentence on screen) is
//! kept in `history.state`, so reload and back/forward return to it.
//!
//! A sentence's highlight, tags, note marker, selection and keyboard
//! cursor come from its own signals (see [`super::annotate`]), so an edit
//! re-renders only the sentences it touches.

use super::annotate::{self, Annot, ArticleSlot, CURSOR, SELECTED, Sel, SentenceSig, dom};
use super::context::LibraryCtx;
use super::notices::Notices;
use super::time;
use super::transfer;
use crate::domain::annotate::marks::SentenceMarks;
use crate::domain::article::{Article, Block, BlockKind};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

/// The reader page for an article id.
#[component]
pub fn ReaderPage(
    /// The article's id, its content fingerprint.
    id: String,
) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    match lib.load(&id) {
        Ok(article) => {
            let slot = ArticleSlot {
                article: RwSignal::new(article),
                select_after: RwSignal::new(None),
                generation: RwSignal::new(0),
            };
            provide_context(slot);
            // Corrected sentence boundaries build the article view anew (a
            // new key), never patch the old one in place: sentence elements
            // are kept in step by their own effects.
            view! {
                <For
                    each=move || std::iter::once(slot.generation.get())
                    key=|g| *g
                    children=move |_| view! { <ArticleView article=slot.article.get_untracked() /> }
                />
            }
            .into_any()
        }
        Err(e) => view! {
            <section class="missing">
                <h1>"Article not found"</h1>
                <p>{e.to_string()}</p>
                <p>
                    <a href="#/">"Back to the library"</a>
                </p>
            </section>
        }
        .into_any(),
    }
}

/// Consecutive list items are grouped in one list.
enum Group<'a> {
    One(usize, &'a Block),
    List(Vec<(usize, &'a Block)>),
}

fn groups(blocks: &[Block]) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if b.kind == BlockKind::ListItem {
            if let Some(Group::List(items)) = out.last_mut() {
                items.push((i, b));
                continue;
            }
            out.push(Group::List(vec![(i, b)]));
        } else {
            out.push(Group::One(i, b));
        }
    }
    out
}

/// What a screen reader hears about a sentence beyond its text.
fn describe(m: &SentenceMarks) -> Option<String> {
    if m.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if let Some(c) = m.colours.first() {
        parts.push(format!("highlighted {}", c.name()));
    } else if let Some(p) = m.parts.first() {
        parts.push(format!("partly highlighted {}", p.colours[0].name()));
    }
    if !m.tags.is_empty() {
        parts.push(format!("tags: {}", m.tags.join(", ")));
    }
    if m.note {
        parts.push("has a note".into());
    }
    Some(parts.join("; "))
}

/// Sets or removes an attribute, touching the DOM only on a change.
fn set_attr(el: &web_sys::Element, name: &str, value: Option<&str>) {
    match value {
        Some(v) if el.get_attribute(name).as_deref() != Some(v) => {
            let _ = el.set_attribute(name, v);
        }
        None if el.has_attribute(name) => {
            let _ = el.remove_attribute(name);
        }
        _ => {}
    }
}

/// Puts a sentence's text back, cut into `<mark>`s where parts of it are
/// highlighted. Only text nodes and `mark` elements are created.
fn render_parts(el: &web_sys::Element, text: &str, marks: &SentenceMarks) {
    if marks.parts.is_empty() {
        el.set_text_content(Some(text));
        return;
    }
    el.set_text_content(None);
    let doc = document();
    for (piece, colours) in marks.pieces(text) {
        let node: web_sys::Node = match colours.first() {
            None => doc.create_text_node(piece).into(),
            Some(c) => {
                let Ok(mark) = doc.create_element("mark") else {
                    continue;
                };
                let _ = mark.set_attribute("data-highlight", c.name());
                if let Some(under) = colours.get(1) {
                    let _ = mark.set_attribute("data-overlap", under.name());
                }
                mark.set_text_content(Some(piece));
                mark.into()
            }
        };
        let _ = el.append_child(&node);
    }
}

/// The note marker after sentence `i`: outside the sentence's text, named
/// for assistive technology.
fn note_marker(i: usize) -> Option<web_sys::Element> {
    let m = document().create_element("span").ok()?;
    for (k, v) in [
        ("class", "note-mark"),
        ("data-testid", "note-marker"),
        ("role", "img"),
        ("aria-label", "Has a note"),
    ] {
        let _ = m.set_attribute(k, v);
    }
    let _ = m.set_attribute("data-note-for", &i.to_string());
    Some(m)
}

/// Keeps a sentence element in step with its two signals: one render
/// effect per sentence (rather than one per attribute), which touches only
/// what changed. Run as a directive when the element is created; the view
/// built the first state (text, parts, note marker), so the first run sets
/// attributes only.
fn live_sentence(el: web_sys::Element, (i, sig, text): (usize, SentenceSig, Arc<str>)) {
    // Owned by the reader's owner through a local StoredValue: dropped (and
    // so stopped) when the article view goes away.
    let effect = RenderEffect::new(move |prev: Option<(u8, SentenceMarks)>| {
        let state = sig.state.get();
        let marks = sig.marks.get();
        let (old_state, old_marks) = match &prev {
            Some((s, m)) => (Some(*s), Some(m)),
            None => (None, None),
        };
        if old_state != Some(state) {
            set_attr(
                &el,
                "tabindex",
                Some(if state & CURSOR != 0 { "0" } else { "-1" }),
            );
            let _ = el
                .class_list()
                .toggle_with_force("selected", state & SELECTED != 0);
        }
        if old_marks != Some(&marks) {
            set_attr(
                &el,
                "data-highlight",
                marks.colours.first().map(|c| c.name()),
            );
            set_attr(&el, "data-overlap", marks.colours.get(1).map(|c| c.name()));
            let tags = (!marks.tags.is_empty()).then(|| marks.tags.join(", "));
            set_attr(&el, "data-tags", tags.as_deref());
            set_attr(&el, "aria-description", describe(&marks).as_deref());
            if let Some(old) = old_marks {
                if old.parts != marks.parts {
                    render_parts(&el, &text, &marks);
                }
                if old.note != marks.note {
                    let next = el
                        .next_element_sibling()
                        .filter(|n| n.class_list().contains("note-mark"));
                    match (marks.note, next) {
                        (true, None) => {
                            if let Some(m) = note_marker(i) {
                                let _ = el.after_with_node_1(&m);
                            }
                        }
                        (false, Some(m)) => m.remove(),
                        _ => {}
                    }
                }
            }
        }
        (state, marks)
    });
    StoredValue::new_local(effect);
}

/// One sentence: its text (with highlighted parts), state from its signals,
/// and the note marker after it, outside its text.
fn sentence_view(i: usize, text: &str, sig: Option<SentenceSig>) -> AnyView {
    let Some(sig) = sig else {
        return view! { <span class="s" data-sentence-id=i>{text.to_owned()}</span> }.into_any();
    };
    let shared: Arc<str> = text.into();
    // The sentence as it is now; later changes are made by live_sentence.
    let (content, note) = sig.marks.with_untracked(|marks| {
        let content = if marks.parts.is_empty() {
            text.to_owned().into_any()
        } else {
            marks
                .pieces(text)
                .into_iter()
                .map(|(t, cs)| match cs.first() {
                    None => t.to_owned().into_any(),
                    Some(c) => view! {
                        <mark data-highlight=c.name() data-overlap=cs.get(1).map(|c| c.name())>
                            {t.to_owned()}
                        </mark>
                    }
                    .into_any(),
                })
                .collect_view()
                .into_any()
        };
        (content, marks.note)
    });
    view! {
        <span class="s" data-sentence-id=i use:live_sentence=(i, sig, shared)>
            {content}
        </span>
        {note.then(|| {
            view! {
                <span
                    class="note-mark"
                    data-testid="note-marker"
                    data-note-for=i
                    role="img"
                    aria-label="Has a note"
                ></span>
            }
        })}
    }
    .into_any()
}

/// The sentences and whitespace of a block.
fn sentences(block: &Block, first: usize, annot: Option<Annot>) -> impl IntoView + use<> {
    block
        .pieces()
        .into_iter()
        .map(|(i, text)| match i {
            Some(i) => sentence_view(first + i, text, annot.and_then(|a| a.sig(first + i))),
            None => text.to_owned().into_any(),
        })
        .collect_view()
}

fn block_view(index: usize, block: &Block, first: usize, annot: Annot) -> AnyView {
    let inner = sentences(block, first, Some(annot));
    match block.kind {
        // The article title is the page's h1, so source headings start at h2.
        BlockKind::Heading(level) => match level {
            0 | 1 => view! { <h2 data-paragraph=index>{inner}</h2> }.into_any(),
            2 => view! { <h3 data-paragraph=index>{inner}</h3> }.into_any(),
            3 => view! { <h4 data-paragraph=index>{inner}</h4> }.into_any(),
            4 => view! { <h5 data-paragraph=index>{inner}</h5> }.into_any(),
            _ => view! { <h6 data-paragraph=index>{inner}</h6> }.into_any(),
        },
        BlockKind::Paragraph => view! { <p data-paragraph=index>{inner}</p> }.into_any(),
        BlockKind::ListItem => view! { <li data-paragraph=index>{inner}</li> }.into_any(),
        BlockKind::Quote => {
            view! { <blockquote data-paragraph=index>{inner}</blockquote> }.into_any()
        }
        BlockKind::Code => view! { <pre data-paragraph=index>{inner}</pre> }.into_any(),
    }
}

/// A loaded article.
#[component]
fn ArticleView(article: Article) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let slot = use_context::<ArticleSlot>();
    let annot = Annot::new(&article, lib, notices, slot);
    provide_context(annot);
    if let Some(slot) = slot
        && let Some(i) = slot.select_after.get_untracked()
    {
        slot.select_after.set(None);
        request_animation_frame(move || {
            if annot.alive() {
                annot.select(Some(Sel::one(i)));
                dom::focus_sentence(i);
            }
        });
    }
    let mut first_sentence = Vec::with_capacity(article.blocks.len());
    let mut n = 0;
    for b in &article.blocks {
        first_sentence.push(n);
        n += b.sentences.len();
    }
    // A first heading that repeats the title is the title: shown once, as
    // the page heading, and still a block with its sentences.
    let title_block = matches!(article.blocks.first(), Some(b) if matches!(b.kind, BlockKind::Heading(_)) && b.text == article.title);
    let title_view = if title_block {
        sentences(&article.blocks[0], 0, Some(annot)).into_any()
    } else {
        article.title.clone().into_any()
    };
    let body = groups(&article.blocks)
        .into_iter()
        .filter(|g| !(title_block && matches!(g, Group::One(0, _))))
        .map(|g| match g {
            Group::One(i, b) => block_view(i, b, first_sentence[i], annot),
            Group::List(items) => {
                let lis = items
                    .into_iter()
                    .map(|(i, b)| block_view(i, b, first_sentence[i], annot))
                    .collect_view();
                view! { <ul>{lis}</ul> }.into_any()
            }
        })
        .collect_view();
    let meta = article.meta();
    let source = meta
        .source_name
        .clone()
        .map(|s| format!(" · from {s}"))
        .unwrap_or_default();

    keep_reading_place();
    annotate::keys::install(annot);
    keep_saved(annot);
    // An import in this tab stored annotations: take them in.
    Effect::new(move |first: Option<()>| {
        lib.imported().track();
        if first.is_some() {
            annot.merge_from_storage();
            annot.reload_tag_colours();
        }
    });
    let pending = expect_context::<transfer::PendingCtx>();
    let for_replace = article.clone();
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
            data-article-id=article.id.clone()
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
                <transfer::ExportMenu article=article.id.clone() />
            </nav>
            <header class="reader-header">
                <h1 data-testid="article-title" data-paragraph=title_block.then_some("0")>
                    {title_view}
                </h1>
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
                                if let Some(file) = input.files().and_then(|f| f.item(0)) {
                                    transfer::read_replacement(lib, notices, pending, annot, for_replace.clone(), file);
                                }
                                input.set_value("");
                            }
                        />
                    </label>
                </p>
            </header>
            <div class="reader-body">{body}</div>
            <annotate::toolbar::Toolbar />
        </article>
        <annotate::panel::Panel open=panel_open />
        <annotate::toolbar::Help />
        </div>
    }
}

/// A mouse or touch text selection snaps to the sentences it touches (or,
/// with Alt or the Exact toggle, keeps its exact span). Returns whether
/// it made a selection.
fn on_pointer_up(annot: Annot, alt: bool) -> bool {
    let exact = alt || annot.exact.get_untracked();
    let Some(sel) = annot
        .with_map(|m| dom::selection_from_dom(m, exact))
        .flatten()
    else {
        return false;
    };
    dom::clear_dom_selection();
    annot.select(Some(sel));
    dom::focus_sentence(sel.focus);
    true
}

fn on_click(annot: Annot, dragged: StoredValue<bool>, ev: &web_sys::MouseEvent) {
    if dragged.get_value() {
        dragged.set_value(false);
        return;
    }
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    if target
        .closest(".toolbar, .reader-nav, a, button, input, textarea, select")
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    match dom::sentence_of(&target).and_then(|el| dom::sentence_index(&el)) {
        Some(i) => {
            annot.set_caret(dom::caret());
            annot.click(i, ev.shift_key());
        }
        None => annot.select(None),
    }
}

/// Saves pending edits when the page is hidden or closed and when the
/// reader closes, and takes in other tabs' edits to this article.
fn keep_saved(annot: Annot) {
    let h1 = window_event_listener(leptos::ev::pagehide, move |_| annot.flush());
    let h2 = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            annot.flush();
        }
    });
    let key = crate::storage::repo::annotations_key(&annot.article_id());
    let h3 = window_event_listener(leptos::ev::storage, move |ev| match ev.key() {
        Some(k) if k == key => annot.merge_from_storage(),
        Some(k) if k == crate::storage::repo::TAG_COLOURS_KEY => annot.reload_tag_colours(),
        None => {
            annot.merge_from_storage();
            annot.reload_tag_colours();
        }
        _ => {}
    });
    on_cleanup(move || {
        annot.flush();
        h1.remove();
        h2.remove();
        h3.remove();
    });
}

/// Where the reading line sits, in CSS pixels from the top of the window
/// (below the sticky top bar).
const READING_LINE: f64 = 96.0;

fn state_number(state: &JsValue, key: &str) -> Option<f64> {
    js_sys::Reflect::get(state, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_f64())
}

/// Saves the sentence under the reading line, and how far its top is above
/// the line, in `history.state` while scrolling; once the article is on
/// screen, scrolls that sentence back to the same spot.
fn keep_reading_place() {
    let saved = window()
        .history()
        .ok()
        .and_then(|h| h.state().ok())
        .and_then(|state| {
            Some((
                state_number(&state, "sentence")? as u32,
                state_number(&state, "offset").unwrap_or(0.0),
            ))
        });
    request_animation_frame(move || {
        // A first visit starts at the top, whatever the library's scroll was.
        let Some((id, offset)) = saved else {
            window().scroll_to_with_x_and_y(0.0, 0.0);
            return;
        };
        let selector = format!("[data-sentence-id=\"{id}\"]");
        if let Ok(Some(el)) = document().query_selector(&selector) {
            let top = el.get_bounding_client_rect().top();
            window().scroll_by_with_x_and_y(0.0, top - (READING_LINE - offset));
        }
    });
    let pending = StoredValue::new(false);
    let handle = window_event_listener(leptos::ev::scroll, move |_| {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        set_timeout(
            move || {
                // The reader may have closed meanwhile.
                if pending.try_set_value(false).is_none() {
                    save_place();
                }
            },
            std::time::Duration::from_millis(250),
        );
    });
    on_cleanup(move || handle.remove());
}

fn save_place() {
    let doc = document();
    let Some(body) = doc.query_selector(".reader-body").ok().flatten() else {
        return;
    };
    let rect = body.get_bounding_client_rect();
    let x = (rect.left() + 24.0) as f32;
    let y = READING_LINE.max(rect.top() + 4.0);
    let Some(hit) = doc.element_from_point(x, y as f32) else {
        return;
    };
    let Some(sentence) = hit
        .closest("[data-sentence-id]")
        .ok()
        .flatten()
        .or_else(|| hit.query_selector("[data-sentence-id]").ok().flatten())
    else {
        return;
    };
    let Some(id) = sentence
        .get_attribute("data-sentence-id")
        .and_then(|s| s.parse::<u32>().ok())
    else {
        return;
    };
    let offset = READING_LINE - sentence.get_bounding_client_rect().top();
    let state = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&state, &JsValue::from_str("sentence"), &JsValue::from(id));
    let _ = js_sys::Reflect::set(
        &state,
        &JsValue::from_str("offset"),
        &JsValue::from_f64(offset),
    );
    if let Ok(history) = window().history() {
        let _ = history.replace_state(state.unchecked_ref(), "");
    }
}
