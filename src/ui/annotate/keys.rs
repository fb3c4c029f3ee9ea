//! The reader's keyboard shortcuts (listed by `?`, see
//! [`super::toolbar::SHORTCUTS`]).
//!
//! One `keydown` listener on the window while the reader is open. It never
//! acts while the user is typing in an input, a text area, a select or
//! editable content, and leaves keys with Alt alone.

use super::{Annot, Mode, dom};
use crate::domain::annotate::annotation::Colour;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

/// Whether the event comes from somewhere the user types.
pub fn is_typing(ev: &KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return false;
    };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || el
            .dyn_ref::<web_sys::HtmlElement>()
            .is_some_and(|h| h.is_content_editable())
}

/// Installs the shortcuts for as long as the calling component lives.
pub fn install(annot: Annot) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if handle_key(annot, &ev) {
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}

/// Whether a modal dialog is open: the page behind it takes no keys.
fn modal_open() -> bool {
    document()
        .query_selector("dialog[open]")
        .ok()
        .flatten()
        .is_some()
}

fn handle_key(a: Annot, ev: &KeyboardEvent) -> bool {
    if ev.default_prevented() || is_typing(ev) || ev.is_composing() || modal_open() {
        return false;
    }
    let key = ev.key();
    let shift = ev.shift_key();
    if ev.ctrl_key() || ev.meta_key() {
        return match key.as_str() {
            "z" | "Z" if shift => {
                a.redo();
                true
            }
            "z" | "Z" => {
                a.undo();
                true
            }
            "y" | "Y" if ev.ctrl_key() => {
                a.redo();
                true
            }
            _ => false,
        };
    }
    if ev.alt_key() {
        return false;
    }
    if a.mode.get_untracked() == Mode::Help {
        if matches!(key.as_str(), "Escape" | "?") {
            a.close_help();
            return true;
        }
        return false;
    }
    let on_sentence = ev
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| dom::sentence_index(&e));
    match key.as_str() {
        "j" | "J" => a.step(true, shift),
        "k" | "K" => a.step(false, shift),
        "Escape" => {
            if a.mode.get_untracked() != Mode::Idle {
                a.mode.set(Mode::Idle);
            } else if a.selection.get_untracked().is_some() {
                a.select(None);
            } else {
                return false;
            }
        }
        "h" => a.highlight(a.colour.get_untracked()),
        "1" | "2" | "3" | "4" | "5" | "6" => {
            let c = key
                .chars()
                .next()
                .and_then(Colour::from_digit)
                .unwrap_or_default();
            a.highlight(c);
        }
        "t" => open(a, Mode::Tag),
        "n" => open(a, Mode::Note),
        "Delete" | "Backspace" => {
            if a.selection.get_untracked().is_none() {
                return false;
            }
            a.delete_selected();
        }
        "?" => a.mode.set(Mode::Help),
        "Enter" | " " => match on_sentence {
            Some(i) => a.click(i, shift),
            None => return false,
        },
        _ => return false,
    }
    true
}

fn open(a: Annot, mode: Mode) {
    if a.target().is_none() {
        a.notices()
            .info("Select a sentence first: click it, or press j.");
        return;
    }
    a.mode.set(mode);
}
