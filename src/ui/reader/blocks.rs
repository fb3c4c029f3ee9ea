//! The article body: blocks of sentence elements, each kept in step with
//! its own signals by one render effect.

use crate::domain::annotate::marks::SentenceMarks;
use crate::domain::article::{Block, BlockKind};
use crate::ui::annotate::{Annot, CURSOR, SELECTED, SentenceSig};
use leptos::prelude::*;
use std::sync::Arc;
/// Consecutive list items are grouped in one list.
pub(super) enum Group<'a> {
    One(usize, &'a Block),
    List(Vec<(usize, &'a Block)>),
}

pub(super) fn groups(blocks: &[Block]) -> Vec<Group<'_>> {
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
pub(super) fn sentences(
    block: &Block,
    first: usize,
    annot: Option<Annot>,
) -> impl IntoView + use<> {
    block
        .pieces()
        .into_iter()
        .map(|(i, text)| match i {
            Some(i) => sentence_view(first + i, text, annot.and_then(|a| a.sig(first + i))),
            None => text.to_owned().into_any(),
        })
        .collect_view()
}

pub(super) fn block_view(index: usize, block: &Block, first: usize, annot: Annot) -> AnyView {
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
