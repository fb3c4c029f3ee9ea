//! The reader's DOM edge for annotating: ids from the browser's random
//! source, finding and focusing sentence elements, and turning the
//! browser's text selection into sentences or an exact span.
//!
//! Offsets are read with a DOM `Range` from the sentence element's start
//! to the selection point: its text, brought into Rust, counts code points
//! directly, so UTF-16 (the DOM's unit) never leaks into the core.

use super::Sel;
use crate::domain::annotate::annotation::{Position, uuid_v4};
use crate::domain::annotate::textmap::TextMap;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, Node};

/// A new version 4 UUID from `crypto.getRandomValues`.
pub fn uuid() -> String {
    let mut bytes = [0u8; 16];
    let ok = window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes))
        .is_ok();
    if !ok {
        // No crypto (never in a supported browser): fall back to Math.random.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid_v4(bytes)
}

thread_local! {
    /// The open reader's element and its `.s` elements in order (a static
    /// list: a fresh live collection would be walked from its start on
    /// every lookup, and a selector search costs a walk of the document).
    static READER: std::cell::RefCell<Option<(Element, web_sys::NodeList)>> =
        const { std::cell::RefCell::new(None) };
}

fn find_reader() -> Option<(Element, web_sys::NodeList)> {
    let reader = document()
        .query_selector("[data-testid=\"reader\"]")
        .ok()
        .flatten()?;
    let list = reader.query_selector_all(".s").ok()?;
    Some((reader, list))
}

/// Runs `f` on the open reader and its sentence list, taken again when
/// the kept one is gone from the document or `fresh` asks for it.
fn with_reader<R>(
    fresh: bool,
    f: impl FnOnce(&(Element, web_sys::NodeList)) -> Option<R>,
) -> Option<R> {
    READER.with(|c| {
        let mut c = c.borrow_mut();
        if fresh || !c.as_ref().is_some_and(|(r, _)| r.is_connected()) {
            *c = find_reader();
        }
        c.as_ref().and_then(f)
    })
}

/// The open reader's element (`[data-testid="reader"]`).
pub fn reader_el() -> Option<Element> {
    with_reader(false, |(r, _)| Some(r.clone()))
}

/// The element of sentence `i`.
pub fn sentence_el(i: usize) -> Option<HtmlElement> {
    let lookup = |fresh: bool| {
        with_reader(fresh, |(_, list)| {
            list.item(i as u32)
                .and_then(|n| n.dyn_into::<Element>().ok())
                .filter(|e| sentence_index(e) == Some(i))
        })
    };
    // A list taken before the body was set is read again once.
    lookup(false)
        .or_else(|| lookup(true))
        .and_then(|e| e.dyn_into().ok())
}

/// The sentence index of an element, if it is a sentence.
pub fn sentence_index(el: &Element) -> Option<usize> {
    el.get_attribute("data-sentence-id")?.parse().ok()
}

/// The sentence element at or around a node.
pub fn sentence_of(node: &Node) -> Option<Element> {
    let el = match node.dyn_ref::<Element>() {
        Some(e) => e.clone(),
        None => node.parent_element()?,
    };
    el.closest("[data-sentence-id]").ok().flatten()
}

/// The first sentence whose bottom is below the sticky top bar, or `None`
/// when the reader is not on screen.
pub fn first_visible_sentence() -> Option<usize> {
    let doc = document();
    let body = doc.query_selector(".reader").ok()??;
    let rect = body.get_bounding_client_rect();
    let x = (rect.left() + 24.0) as f32;
    for y in [80.0f32, 120.0, 160.0, 220.0, 300.0] {
        if let Some(hit) = doc.element_from_point(x, y)
            && let Some(s) = hit
                .closest("[data-sentence-id]")
                .ok()
                .flatten()
                .or_else(|| hit.query_selector("[data-sentence-id]").ok().flatten())
        {
            return sentence_index(&s);
        }
    }
    None
}

/// Whether sentence `i` is at least partly in the window.
pub fn is_on_screen(i: usize) -> bool {
    sentence_el(i).is_some_and(|el| {
        let r = el.get_bounding_client_rect();
        let h = window()
            .inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        r.bottom() > 60.0 && r.top() < h
    })
}

/// Moves keyboard focus to sentence `i`, scrolling it into view.
pub fn focus_sentence(i: usize) {
    if let Some(el) = sentence_el(i) {
        let _ = el.focus();
    }
}

/// Scrolls sentence `i` to the middle of the window and marks it briefly.
pub fn reveal(first: usize, last: usize) {
    let Some(el) = sentence_el(first) else { return };
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(web_sys::ScrollLogicalPosition::Center);
    el.scroll_into_view_with_scroll_into_view_options(&opts);
    let els: Vec<HtmlElement> = (first..=last).filter_map(sentence_el).collect();
    for e in &els {
        let _ = e.class_list().add_1("flash");
    }
    set_timeout(
        move || {
            for e in &els {
                let _ = e.class_list().remove_1("flash");
            }
        },
        std::time::Duration::from_millis(1600),
    );
}

/// Removes the browser's own text selection.
pub fn clear_dom_selection() {
    if let Ok(Some(sel)) = window().get_selection() {
        let _ = sel.remove_all_ranges();
    }
}

/// Where a click left the caret: (sentence, code points into it), when
/// the browser's selection is collapsed inside a sentence.
pub fn caret() -> Option<(usize, u32)> {
    let sel = window().get_selection().ok()??;
    if !sel.is_collapsed() {
        return None;
    }
    let node = sel.anchor_node()?;
    let el = sentence_of(&node)?;
    Some((
        sentence_index(&el)?,
        chars_before(&el, &node, sel.anchor_offset())?,
    ))
}

/// Code points of sentence element `el`'s text before `(node, offset)`.
fn chars_before(el: &Element, node: &Node, offset: u32) -> Option<u32> {
    let range = document().create_range().ok()?;
    range.set_start(el, 0).ok()?;
    range.set_end(node, offset).ok()?;
    Some(String::from(range.to_string()).chars().count() as u32)
}

/// One end of a selection as (sentence, code points into it).
fn endpoint(node: &Node, offset: u32, is_start: bool, map: &TextMap) -> Option<(usize, u32)> {
    if let Some(el) = sentence_of(node) {
        let i = sentence_index(&el)?;
        return Some((i, chars_before(&el, node, offset)?));
    }
    // Between sentences: in whitespace, or at an element boundary such as
    // the (next paragraph, 0) that ends a triple-click, or the (paragraph,
    // child count) that can start one. A start snaps forward to the start
    // of the first sentence after the point, an end back to the end of
    // the last sentence before it.
    let point = document().create_range().ok()?;
    point.set_start(node, offset).ok()?;
    point.collapse_with_to_start(true);
    let all = document()
        .query_selector_all(".reader [data-sentence-id]")
        .ok()?;
    // Sentence elements are in document order: find the first one that
    // starts at or after the point (binary search, O(log n) DOM calls).
    let starts_after = |k: u32| -> bool {
        all.get(k)
            .is_some_and(|el| point.compare_point(&el, 0).is_ok_and(|c| c >= 0))
    };
    let (mut lo, mut hi) = (0, all.length());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if starts_after(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let k = if is_start { lo } else { lo.checked_sub(1)? };
    let el: Element = all.get(k)?.dyn_into().ok()?;
    let i = sentence_index(&el)?;
    let len = map.sentence(i).map(|p| p.end - p.start)?;
    Some((i, if is_start { 0 } else { len }))
}

/// The browser's current text selection as a reader selection: the
/// sentences it touches, or (with `exact`) the exact span. `None` when
/// nothing, or nothing in a sentence, is selected.
pub fn selection_from_dom(map: &TextMap, exact: bool) -> Option<Sel> {
    let sel = window().get_selection().ok()??;
    if sel.is_collapsed() || sel.range_count() == 0 {
        return None;
    }
    let range = sel.get_range_at(0).ok()?;
    let reader = document().query_selector(".reader").ok()??;
    if !reader.contains(Some(&range.common_ancestor_container().ok()?)) {
        return None;
    }
    let (mut i, a) = endpoint(
        &range.start_container().ok()?,
        range.start_offset().ok()?,
        true,
        map,
    )?;
    let (mut j, b) = endpoint(
        &range.end_container().ok()?,
        range.end_offset().ok()?,
        false,
        map,
    )?;
    if exact {
        let start = map.sentence(i)?.start + a;
        let end = map.sentence(j)?.start + b;
        if end <= start {
            return None;
        }
        let target = crate::domain::annotate::annotation::Target::span(map, start, end)?;
        let [f, l] = target.sentences;
        let span = (target.kind == crate::domain::annotate::annotation::TargetKind::Span)
            .then_some(target.position);
        return Some(Sel {
            anchor: f as usize,
            focus: l as usize,
            span,
        });
    }
    // A selection that only reaches the very start of a sentence (or
    // leaves at the very end of one) does not take that sentence.
    let len_i = map.sentence(i).map(|p| p.end - p.start).unwrap_or(0);
    if j > i && b == 0 {
        j -= 1;
    }
    if j > i && a >= len_i {
        i += 1;
    }
    (i <= j).then_some(Sel {
        anchor: i,
        focus: j,
        span: None::<Position>,
    })
}

/// A JavaScript string written in pieces through a small buffer (see
/// [`super::Annot::html`]).
pub struct JsText {
    buf: String,
    out: js_sys::JsString,
}

const JS_TEXT_CHUNK: usize = 64 * 1024;

impl Default for JsText {
    fn default() -> Self {
        Self {
            buf: String::with_capacity(JS_TEXT_CHUNK),
            out: js_sys::JsString::from(""),
        }
    }
}

impl JsText {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.out = self.out.concat(&wasm_bindgen::JsValue::from_str(&self.buf));
            self.buf.clear();
        }
    }

    /// The whole string.
    pub fn finish(mut self) -> wasm_bindgen::JsValue {
        self.flush();
        self.out.into()
    }
}

impl std::fmt::Write for JsText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.buf.len() + s.len() > JS_TEXT_CHUNK {
            self.flush();
        }
        self.buf.push_str(s);
        Ok(())
    }
}
