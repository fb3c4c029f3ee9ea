//! The preview dialog: a native modal `<dialog>` that applies a pending
//! import or replacement only on confirm.

use super::{Pending, PendingCtx};
use crate::domain::exchange::preview::{
    Preview, anchoring_words, import_preview, plural, replace_preview,
};
use crate::ui::context::LibraryCtx;
use crate::ui::notices::Notices;
use crate::ui::route::{Route, navigate};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
fn preview(p: &Pending) -> Preview {
    match p {
        Pending::Import { name, plan } => import_preview(name, plan),
        Pending::Replace {
            name, replacement, ..
        } => replace_preview(name, replacement),
    }
}

/// The preview of a pending import or replacement.
#[component]
pub fn TransferDialog() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let pending = expect_context::<PendingCtx>();
    let cancel = move || {
        pending.0.set(None);
        notices.info("Cancelled: nothing was imported or changed.");
    };
    let confirm = move || {
        let Some(p) = pending.0.get_untracked() else {
            return;
        };
        pending.0.set(None);
        leptos::task::spawn_local(async move {
            match p {
                Pending::Import { name, plan } => match lib.apply_import(&plan).await {
                    Ok(()) => {
                        let c = plan.totals();
                        let restored = plan.restored().count();
                        let mut msg =
                            format!("Imported {name}: {} added, {} updated", c.added, c.updated);
                        if restored > 0 {
                            msg.push_str(&format!(
                                ", {} restored",
                                plural(restored, "article", "articles")
                            ));
                        }
                        if c.orphaned > 0 {
                            msg.push_str(&format!(", {} unanchored", c.orphaned));
                        }
                        msg.push('.');
                        notices.info(msg);
                    }
                    Err(e) => {
                        notices.error(format!("{name} was not imported; nothing changed. {e}"))
                    }
                },
                Pending::Replace {
                    old,
                    name,
                    new,
                    annot,
                    ..
                } => {
                    if annot.alive() {
                        annot.flush();
                        // Edits that could not be saved would be left behind
                        // by a replacement made from what is stored.
                        if annot.is_dirty() {
                            notices.error(format!(
                            "The article was not replaced with {name}: your latest annotation changes are not saved yet. Make room in storage and try again."
                        ));
                            return;
                        }
                    }
                    match lib.replace_article(&old, *new).await {
                        Ok(replacement) => {
                            notices.info(format!(
                                "Replaced with {name}. {}.",
                                anchoring_words(&replacement.counts)
                                    .unwrap_or_else(|| "No annotations to move".into())
                            ));
                            navigate(&Route::Read(replacement.article.id.clone()));
                        }
                        Err(e) => notices.error(format!(
                            "The article was not replaced; nothing changed. {e}"
                        )),
                    }
                }
            }
        });
    };

    let body = move || {
        pending.0.with(|p| p.as_ref().map(preview)).map(|p| {
            view! {
                <h2 id="transfer-title">{p.title}</h2>
                <p class="hint">{p.hint}</p>
                {p.notes.into_iter().map(|n| view! { <p class="hint">{n}</p> }).collect_view()}
                <p data-testid=p.ids[0]>{p.summary}</p>
                <ul class="transfer-list">
                    {p.rows
                        .into_iter()
                        .map(|(title, text)| view! { <li data-testid="import-article"><strong>{title}</strong>{text}</li> })
                        .collect_view()}
                </ul>
                <div class="dialog-actions">
                    <button class="primary" data-testid=p.ids[1] prop:disabled=p.disabled on:click=move |_| confirm()>
                        {p.confirm}
                    </button>
                    <button data-testid=p.ids[2] on:click=move |_| cancel()>"Cancel"</button>
                </div>
            }
        })
    };
    // A native modal dialog: while it is open the page behind it is inert
    // (no pointer, focus or keys reach it; the shortcuts also ignore keys
    // while a dialog is open). The first enabled button takes focus when
    // it opens; focus goes back where it was when it closes.
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage> =
        StoredValue::new_local(None);
    // Remember where focus was when a preview opens; open the dialog as a
    // modal as soon as it is in the page, focusing its first enabled
    // button; give focus back when it closes.
    Effect::new(move |was_open: Option<bool>| {
        let open = pending.0.with(Option::is_some);
        let el = dialog.get();
        if open && was_open != Some(true) {
            opener.set_value(
                document()
                    .active_element()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
            );
        }
        if open
            && let Some(el) = el
            && !el.open()
        {
            let _ = el.show_modal();
            if let Ok(Some(b)) = el.query_selector(".dialog-actions button:not([disabled])")
                && let Ok(b) = b.dyn_into::<web_sys::HtmlElement>()
            {
                let _ = b.focus();
            }
        }
        if !open
            && was_open == Some(true)
            && let Some(prev) = opener.get_value()
            && prev.is_connected()
        {
            let _ = prev.focus();
        }
        open
    });
    // Tab and Shift+Tab stay inside the dialog.
    let trap = move |ev: &web_sys::KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let Ok(list) = document().query_selector_all(".dialog button:not([disabled])") else {
            return;
        };
        let n = list.length();
        if n == 0 {
            return;
        }
        let first = list.item(0);
        let last = list.item(n - 1);
        let active: Option<web_sys::Node> = document().active_element().map(Into::into);
        let wrap_to = if ev.shift_key() && active == first {
            last
        } else if !ev.shift_key() && active == last {
            first
        } else {
            None
        };
        if let Some(el) = wrap_to.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
            ev.prevent_default();
            let _ = el.focus();
        }
    };
    let pressed_on_backdrop = StoredValue::new(false);
    view! {
        <Show when=move || pending.0.with(Option::is_some)>
        <dialog
            class="dialog"
            aria-labelledby="transfer-title"
            data-testid="transfer-dialog"
            node_ref=dialog
            // Escape: the browser's cancel, turned into ours.
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                cancel();
            }
            // Closed some other way (the browser may close a modal on
            // Escape without a cancelable event): still a cancel.
            on:close=move |_| {
                if pending.0.with_untracked(Option::is_some) {
                    cancel();
                }
            }
            // A press and a click both on the backdrop (they land on the
            // dialog element itself) cancel; a drag out of the content
            // does not.
            on:pointerdown=move |ev: web_sys::PointerEvent| {
                pressed_on_backdrop.set_value(on_dialog_itself(&ev));
            }
            on:click=move |ev| {
                if pressed_on_backdrop.get_value() && on_dialog_itself(&ev) {
                    cancel();
                }
            }
            on:keydown=move |ev: web_sys::KeyboardEvent| trap(&ev)
        >
            <div class="dialog-content">{body}</div>
        </dialog>
        </Show>
    }
}

/// Whether an event's target is the `<dialog>` itself: its backdrop, since
/// the content fills the dialog.
fn on_dialog_itself(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlDialogElement>().ok())
        .is_some()
}
