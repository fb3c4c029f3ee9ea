//! The toolbar next to the selection, the tag and note inputs it opens,
//! and the shortcut list.

use super::{Annot, Mode, dom};
use crate::domain::annotate::annotation::{Colour, MAX_NOTE_CHARS};
use leptos::html;
use leptos::prelude::*;

/// Every shortcut, as shown by `?` and in the README.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Click", "select a sentence"),
    ("Shift+click", "extend the selection"),
    ("Drag", "select the sentences a text selection touches"),
    (
        "Alt+drag",
        "select an exact span (or turn on “Exact” in the toolbar)",
    ),
    ("j / k", "select the next / previous sentence"),
    ("Shift+J / Shift+K", "extend the selection"),
    ("Enter or Space", "select the focused sentence"),
    ("Escape", "close the input, then clear the selection"),
    ("h", "highlight in the current colour"),
    (
        "1 – 6",
        "pick yellow, green, blue, pink, purple, orange and highlight",
    ),
    ("t", "tag (comma separates tags, Enter applies)"),
    ("n", "note (Ctrl+Enter or ⌘+Enter saves)"),
    (
        "Delete or Backspace",
        "remove the annotation under the selection",
    ),
    ("Ctrl+Z / ⌘+Z", "undo"),
    ("Ctrl+Shift+Z / ⌘+Shift+Z", "redo"),
    ("?", "show this list"),
];

/// Room the toolbar needs above the selection, in CSS pixels (it grows
/// upwards when an input opens).
const ROOM_ABOVE: f64 = 150.0;

/// Where the toolbar goes, in the reader's coordinates: above the
/// selection's first line (so the text that follows, which is read next,
/// stays clickable), or below its last line when there is no room above.
/// Returns (top, left, above).
fn place(first: usize, last: usize) -> Option<(f64, f64, bool)> {
    let reader = dom::reader_el()?;
    let base = reader.get_bounding_client_rect();
    let top_rect = dom::sentence_el(first)?.get_client_rects().get(0)?;
    let bottom_rects = dom::sentence_el(last)?.get_client_rects();
    let bottom_rect = bottom_rects.get(bottom_rects.length().checked_sub(1)?)?;
    let above = top_rect.top() > ROOM_ABOVE;
    let (top, x) = if above {
        (top_rect.top() - base.top() - 6.0, top_rect.left())
    } else {
        (bottom_rect.bottom() - base.top() + 6.0, bottom_rect.left())
    };
    let left = (x - base.left()).clamp(0.0, (base.width() - 330.0).max(0.0));
    Some((top, left, above))
}

/// The toolbar, shown while something is selected.
#[component]
pub fn Toolbar() -> impl IntoView {
    let a = expect_context::<Annot>();
    let pos = RwSignal::new((0.0, 0.0, true));
    Effect::new(move || {
        if let Some(sel) = a.selection.get() {
            let (first, last) = sel.range();
            request_animation_frame(move || {
                // The toolbar may be gone by the next frame.
                if !pos.is_disposed()
                    && let Some(p) = place(first, last)
                {
                    pos.set(p);
                }
            });
        }
    });
    let under = Memo::new(move |_| a.under_selection());
    view! {
        <Show when=move || a.selection.with(Option::is_some)>
            <div
                class="toolbar"
                role="toolbar"
                aria-label="Annotate the selection"
                data-testid="toolbar"
                class:above=move || pos.get().2
                style:top=move || format!("{}px", pos.get().0 as i32)
                style:left=move || format!("{}px", pos.get().1 as i32)
                on:mousedown=|ev| {
                    // Keep the reader's selection when a button is pressed.
                    if !matches!(
                        event_target::<web_sys::Element>(&ev).tag_name().as_str(),
                        "INPUT" | "TEXTAREA" | "SELECT"
                    ) {
                        ev.prevent_default();
                    }
                }
            >
                <div class="toolbar-row">
                    {Colour::ALL
                        .into_iter()
                        .map(|c| {
                            let label = format!("Highlight {} ({})", c.name(), c.digit());
                            let title = label.clone();
                            view! {
                                <button
                                    class="swatch"
                                    data-colour=c.name()
                                    data-testid=format!("colour-{}", c.name())
                                    title=title
                                    aria-pressed=move || {
                                        let on = under.with(|u| u.as_ref().map(|x| x.colour))
                                            == Some(c);
                                        if on { "true" } else { "false" }
                                    }
                                    on:click=move |_| a.highlight(c)
                                >
                                    <span aria-hidden="true">{c.digit().to_string()}</span>
                                    <span class="sr-only">{label}</span>
                                </button>
                            }
                        })
                        .collect_view()}
                    <button
                        data-testid="tag-button"
                        aria-label="Tag (t)"
                        title="Tag (t)"
                        on:click=move |_| a.mode.set(Mode::Tag)
                    >
                        "Tag"
                    </button>
                    <button
                        data-testid="note-button"
                        aria-label="Note (n)"
                        title="Note (n)"
                        on:click=move |_| a.mode.set(Mode::Note)
                    >
                        "Note"
                    </button>
                    <button
                        data-testid="delete-annotation"
                        aria-label="Remove annotation (Delete)"
                        title="Remove annotation (Delete)"
                        prop:disabled=move || under.with(Option::is_none)
                        on:click=move |_| a.delete_selected()
                    >
                        "Remove"
                    </button>
                    <button
                        data-testid="exact-toggle"
                        aria-pressed=move || if a.exact.get() { "true" } else { "false" }
                        title="Exact: a text selection keeps its exact span (or hold Alt while selecting)"
                        on:click=move |_| a.exact.update(|e| *e = !*e)
                    >
                        "Exact"
                    </button>
                    <button
                        class="quiet"
                        aria-label="Keyboard shortcuts (?)"
                        title="Keyboard shortcuts (?)"
                        on:click=move |_| a.mode.set(Mode::Help)
                    >
                        "?"
                    </button>
                </div>
                <Show when=move || a.selection.with(|s| s.is_some_and(|s| s.anchor == s.focus))>
                    <div class="toolbar-row boundaries" role="group" aria-label="Sentence boundaries">
                        <button
                            data-testid="join-next"
                            title="Join this sentence with the next one (a wrong boundary)"
                            on:click=move |_| a.join_with_next()
                        >
                            "Join with next"
                        </button>
                        <button
                            data-testid="split-here"
                            title="Split this sentence where you clicked (a missed boundary)"
                            on:click=move |_| a.split_here()
                        >
                            "Split here"
                        </button>
                    </div>
                </Show>
                {move || {
                    under
                        .get()
                        .filter(|u| !u.tags.is_empty())
                        .map(|u| {
                            let id = u.id.clone();
                            view! {
                                <ul class="tag-chips" aria-label="Tags">
                                    {u
                                        .tags
                                        .into_iter()
                                        .map(|t| {
                                            let (id, t2) = (id.clone(), t.clone());
                                            view! {
                                                <li class="tag-chip">
                                                    {t.clone()}
                                                    <button
                                                        class="chip-remove"
                                                        aria-label=format!("Remove tag {t}")
                                                        on:click=move |_| a.untag(&id, &t2)
                                                    >
                                                        "×"
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })
                }}
                <Show when=move || a.mode.get() == Mode::Tag>
                    <TagInput />
                </Show>
                <Show when=move || a.mode.get() == Mode::Note>
                    <NoteInput note=under.get_untracked().map(|u| u.note).unwrap_or_default() />
                </Show>
            </div>
        </Show>
    }
}

fn close_input(a: Annot) {
    a.mode.set(Mode::Idle);
    if let Some(sel) = a.selection.get_untracked() {
        dom::focus_sentence(sel.focus);
    }
}

/// The tag input with autocomplete (an ARIA combobox).
#[component]
fn TagInput() -> impl IntoView {
    let a = expect_context::<Annot>();
    let text = RwSignal::new(String::new());
    let active = RwSignal::new(None::<usize>);
    let input = NodeRef::<html::Input>::new();
    Effect::new(move || {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let suggestions = Memo::new(move |_| {
        let t = text.get();
        let (typed, fragment) = match t.rfind(',') {
            Some(i) => (&t[..i], &t[i + 1..]),
            None => ("", t.as_str()),
        };
        let mut exclude = crate::domain::annotate::annotation::parse_tags(typed);
        if let Some(u) = a.under_selection() {
            exclude.extend(u.tags);
        }
        a.suggestions(fragment, &exclude)
    });
    let complete = move |s: &str| {
        text.update(|t| {
            let keep = t.rfind(',').map(|i| &t[..=i]).unwrap_or("");
            *t = format!("{keep}{}{s}, ", if keep.is_empty() { "" } else { " " });
        });
        active.set(None);
    };
    let apply = move || {
        let t = text.get_untracked();
        a.apply_tags(&t);
        close_input(a);
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let n = suggestions.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                active.update(|x| *x = Some(x.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                active.update(|x| *x = Some(x.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            "Tab"
                if n > 0
                    && !text.with_untracked(|t| t.trim().ends_with(',') || t.trim().is_empty()) =>
            {
                let pick =
                    suggestions.with_untracked(|s| s[active.get_untracked().unwrap_or(0)].clone());
                complete(&pick);
            }
            "Enter" => {
                if let Some(i) = active.get_untracked()
                    && let Some(pick) = suggestions.with_untracked(|s| s.get(i).cloned())
                {
                    complete(&pick);
                }
                apply();
            }
            "Escape" => close_input(a),
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    view! {
        <div class="tag-input">
            <label class="sr-only" for="tag-input">
                "Tags, separated by commas"
            </label>
            <input
                id="tag-input"
                node_ref=input
                data-testid="tag-input"
                type="text"
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-controls="tag-suggestions"
                aria-expanded=move || if suggestions.with(Vec::is_empty) { "false" } else { "true" }
                aria-activedescendant=move || active.get().map(|i| format!("tag-suggestion-{i}"))
                placeholder="tag, another tag"
                maxlength="500"
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    active.set(None);
                }
                on:keydown=on_key
            />
            <button data-testid="tag-apply" on:click=move |_| apply()>
                "Apply"
            </button>
            <ul id="tag-suggestions" role="listbox" class="suggestions" aria-label="Tag suggestions">
                {move || {
                    suggestions
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let s2 = s.clone();
                            view! {
                                <li
                                    id=format!("tag-suggestion-{i}")
                                    role="option"
                                    data-testid="tag-suggestion"
                                    aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        complete(&s2);
                                        if let Some(el) = input.get_untracked() {
                                            let _ = el.focus();
                                        }
                                    }
                                >
                                    {s}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// The note input.
#[component]
fn NoteInput(
    /// The note as it is now.
    note: String,
) -> impl IntoView {
    let a = expect_context::<Annot>();
    let area = NodeRef::<html::Textarea>::new();
    Effect::new(move || {
        if let Some(el) = area.get() {
            let _ = el.focus();
        }
    });
    let save = move || {
        if let Some(el) = area.get_untracked() {
            a.save_note(&el.value());
        }
        close_input(a);
    };
    view! {
        <div class="note-input">
            <label class="sr-only" for="note-input">
                "Note"
            </label>
            <textarea
                id="note-input"
                node_ref=area
                data-testid="note-input"
                rows="4"
                maxlength=MAX_NOTE_CHARS.to_string()
                placeholder="Your note (Ctrl+Enter saves, Escape cancels)"
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    match ev.key().as_str() {
                        "Enter" if ev.ctrl_key() || ev.meta_key() => save(),
                        "Escape" => close_input(a),
                        _ => return,
                    }
                    ev.prevent_default();
                    ev.stop_propagation();
                }
            >
                {note}
            </textarea>
            <div class="note-actions">
                <button class="primary" data-testid="note-save" on:click=move |_| save()>
                    "Save note"
                </button>
                <button on:click=move |_| close_input(a)>"Cancel"</button>
            </div>
        </div>
    }
}

/// The list of shortcuts, shown by `?`.
#[component]
pub fn Help() -> impl IntoView {
    let a = expect_context::<Annot>();
    let dialog = NodeRef::<html::Div>::new();
    Effect::new(move || {
        if let Some(el) = dialog.get() {
            let _ = el.focus();
        }
    });
    view! {
        <Show when=move || a.mode.get() == Mode::Help>
            <div class="help-backdrop" on:click=move |_| a.close_help()>
                <div
                    class="help"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="help-title"
                    data-testid="shortcuts"
                    tabindex="-1"
                    node_ref=dialog
                    on:click=|ev| ev.stop_propagation()
                >
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <dl>
                        {SHORTCUTS
                            .iter()
                            .map(|(k, what)| {
                                view! {
                                    <dt>
                                        <kbd>{*k}</kbd>
                                    </dt>
                                    <dd>{*what}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                    <p class="help-note">"Shortcuts never fire while you type in a field."</p>
                    <button data-testid="help-close" on:click=move |_| a.close_help()>
                        "Close"
                    </button>
                </div>
            </div>
        </Show>
    }
}
