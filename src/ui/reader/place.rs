//! The reading place: the sentence under the reading line, kept in
//! `history.state` so reload and back/forward return to it.

use super::super::context::LibraryCtx;
use crate::domain::article::listing::Reading;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
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
///
/// The sentence is also stored for the library (`LibraryCtx::record_reading`:
/// when the article was opened and how far the reader got), which keeps
/// its place when the article is opened again from the library.
pub(super) fn keep_reading_place(lib: LibraryCtx, article: String) {
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
    let opened = super::time::now();
    let stored = lib
        .reading()
        .with_untracked(|m| m.get(&article).map(|r| r.sentence));
    lib.record_reading(
        &article,
        Reading {
            opened,
            sentence: saved.map(|(s, _)| s).or(stored).unwrap_or(0),
        },
    );
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
    let article = StoredValue::new(article);
    let handle = window_event_listener(leptos::ev::scroll, move |_| {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        set_timeout(
            move || {
                // The reader may have closed meanwhile.
                if pending.try_set_value(false).is_none()
                    && let Some(sentence) = save_place()
                    && let Some(id) = article.try_get_value()
                {
                    lib.record_reading(&id, Reading { opened, sentence });
                }
            },
            std::time::Duration::from_millis(250),
        );
    });
    on_cleanup(move || handle.remove());
}

/// Saves the reading place in `history.state`; the sentence, if any.
fn save_place() -> Option<u32> {
    let doc = document();
    let body = doc.query_selector(".reader-body").ok().flatten()?;
    let rect = body.get_bounding_client_rect();
    let x = (rect.left() + 24.0) as f32;
    let y = READING_LINE.max(rect.top() + 4.0);
    let hit = doc.element_from_point(x, y as f32)?;
    let sentence = hit
        .closest("[data-sentence-id]")
        .ok()
        .flatten()
        .or_else(|| hit.query_selector("[data-sentence-id]").ok().flatten())?;
    let id = sentence
        .get_attribute("data-sentence-id")
        .and_then(|s| s.parse::<u32>().ok())?;
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
    Some(id)
}
