//! The reader: one article as blocks of sentences.
//!
//! Every sentence is its own `[data-sentence-id]` element whose text content
//! is exactly that sentence; the whitespace between sentences stays as text
//! nodes, so the block's text content is the block text. Each block carries
//! `data-paragraph`. The reading place (the first sentence on screen) is
//! kept in `history.state`, so reload and back/forward return to it.

use super::context::LibraryCtx;
use super::time;
use crate::domain::article::{Article, Block, BlockKind};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// The reader page for an article id.
#[component]
pub fn ReaderPage(
    /// The article's id, its content fingerprint.
    id: String,
) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    match lib.load(&id) {
        Ok(article) => view! { <ArticleView article /> }.into_any(),
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

/// The sentences and whitespace of a block.
fn sentences(block: &Block, first: usize) -> impl IntoView + use<> {
    block
        .pieces()
        .into_iter()
        .map(|(i, text)| match i {
            Some(i) => view! {
                <span class="s" data-sentence-id=first + i>
                    {text.to_owned()}
                </span>
            }
            .into_any(),
            None => text.to_owned().into_any(),
        })
        .collect_view()
}

fn block_view(index: usize, block: &Block, first: usize) -> AnyView {
    let inner = sentences(block, first);
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
        sentences(&article.blocks[0], 0).into_any()
    } else {
        article.title.clone().into_any()
    };
    let body = groups(&article.blocks)
        .into_iter()
        .filter(|g| !(title_block && matches!(g, Group::One(0, _))))
        .map(|g| match g {
            Group::One(i, b) => block_view(i, b, first_sentence[i]),
            Group::List(items) => {
                let lis = items
                    .into_iter()
                    .map(|(i, b)| block_view(i, b, first_sentence[i]))
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

    view! {
        <article class="reader" data-testid="reader" data-article-id=article.id.clone()>
            <nav class="reader-nav">
                <a href="#/" data-testid="back-to-library">"← Library"</a>
            </nav>
            <header class="reader-header">
                <h1 data-testid="article-title" data-paragraph=title_block.then_some("0")>
                    {title_view}
                </h1>
                <p class="reader-meta">
                    {format!("{} words · {} sentences · added ", meta.words, meta.sentences)}
                    {time::local_date(meta.added)}
                    {source}
                </p>
            </header>
            <div class="reader-body">{body}</div>
        </article>
    }
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
                pending.set_value(false);
                save_place();
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
