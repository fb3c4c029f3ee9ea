//! Pointer input in the reader: a click selects a sentence, a mouse or
//! touch text selection snaps to the sentences it touches.

use crate::ui::annotate::{Annot, dom};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
/// A mouse or touch text selection snaps to the sentences it touches (or,
/// with Alt or the Exact toggle, keeps its exact span). Returns whether
/// it made a selection.
pub(super) fn on_pointer_up(annot: Annot, alt: bool) -> bool {
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

pub(super) fn on_click(annot: Annot, dragged: StoredValue<bool>, ev: &web_sys::MouseEvent) {
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
