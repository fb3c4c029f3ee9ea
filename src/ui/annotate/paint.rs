//! Bringing one sentence element in step with what it shows: only the
//! attributes and content that changed are touched. The values come from
//! [`crate::domain::annotate::markup`], as the first render's do.

use crate::domain::annotate::marks::SentenceMarks;
use crate::domain::annotate::markup;
use web_sys::Element;

fn set_attr(el: &Element, name: &str, value: Option<&str>) {
    match value {
        Some(v) => {
            let _ = el.set_attribute(name, v);
        }
        None => {
            let _ = el.remove_attribute(name);
        }
    }
}

/// Repaints sentence `i` (text `text`) from marks `before` to `after`.
pub fn marks(el: &Element, i: usize, text: &str, before: &SentenceMarks, after: &SentenceMarks) {
    let old = markup::sentence_attributes(before);
    for ((name, value), (_, was)) in markup::sentence_attributes(after).iter().zip(&old) {
        if value != was {
            set_attr(el, name, value.as_deref());
        }
    }
    if before.parts != after.parts {
        let mut html = String::new();
        markup::sentence_content(&mut html, text, after);
        el.set_inner_html(&html);
    }
    if before.note != after.note {
        let next = el
            .next_element_sibling()
            .filter(|n| n.class_list().contains("note-mark"));
        match (after.note, next) {
            (true, None) => {
                let mut html = String::new();
                markup::note_marker(&mut html, i);
                let _ = el.insert_adjacent_html("afterend", &html);
            }
            (false, Some(m)) => m.remove(),
            _ => {}
        }
    }
}

/// Shows sentence `el` selected or not.
pub fn selected(el: &Element, on: bool) {
    let _ = el.class_list().toggle_with_force("selected", on);
}

/// Gives sentence `el` the keyboard cursor (`tabindex="0"`) or takes it.
pub fn cursor(el: &Element, on: bool) {
    let _ = el.set_attribute("tabindex", if on { "0" } else { "-1" });
}
