//! Export and import in the UI: the export menu (JSON, W3C JSON-LD,
//! Markdown, for the open article or the whole library), reading an import
//! file into a plan, the preview dialog that applies it only on "Import",
//! and replacing an article with an edited version.
//!
//! Nothing is stored before the reader confirms; cancelling, or closing
//! the dialog, drops the plan. The formats and the rules are in the domain
//! ([`crate::domain::exchange`], [`crate::domain::exchange::restore`]).

use super::annotate::Annot;
use super::context::LibraryCtx;
use super::files;
use super::notices::{Level, Notices};
use super::route::{Route, navigate};
use super::time;
use crate::domain::article::Article;
use crate::domain::exchange::preview::{
    Preview, anchoring_words, import_preview, plural, replace_preview,
};
use crate::domain::exchange::restore::{self, Plan, Replacement};
use crate::domain::exchange::{self, ExportInfo};
use crate::domain::{exchange::markdown, exchange::w3c};
use crate::storage::StorageError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The app's version, written into exports.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What waits for the reader's confirmation.
#[derive(Clone)]
pub enum Pending {
    /// An import file, read and planned.
    Import {
        /// The file's name.
        name: String,
        /// What it will do.
        plan: Plan,
    },
    /// An edited version of an article.
    Replace {
        /// The old article.
        old: Box<Article>,
        /// The file's name.
        name: String,
        /// The edited text, as read from the file.
        new: Box<Article>,
        /// The preview: the new version with the annotations stored when
        /// the file was read, re-anchored. Confirming moves those stored
        /// then, so edits made meanwhile move too.
        replacement: Box<Replacement>,
        /// The reader that asked, whose unsaved edits are written first.
        annot: Annot,
    },
}

/// The pending import or replacement, shared by the pages and the dialog.
#[derive(Clone, Copy)]
pub struct PendingCtx(pub RwSignal<Option<Pending>, LocalStorage>);

/// Whether a file name is an annotation export rather than an article.
pub fn is_export_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".jsonld")
}

/// Offers `text` as a download named `name`.
fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "the browser could not make the file".to_owned())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not make the file".to_owned())?;
    let a: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|_| "no document".to_owned())?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    let body = document().body().ok_or("no body")?;
    let _ = body.append_child(&a);
    a.click();
    a.remove();
    // The download has started; the URL can go once this task is done.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// Which file an export makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    W3c,
    Markdown,
}

fn export(
    lib: LibraryCtx,
    notices: Notices,
    annot: Option<Annot>,
    article: Option<String>,
    complete: bool,
    kind: Kind,
) {
    // Unsaved edits of the open article go into the file too.
    if let Some(annot) = annot {
        annot.flush();
    }
    let ids: Vec<String> = article.iter().cloned().collect();
    let bundle = lib.bundle(&ids, complete);
    let now = time::now();
    let info = ExportInfo {
        exported: now,
        app_version: APP_VERSION.to_owned(),
        complete,
    };
    let title = article
        .as_ref()
        .and_then(|id| bundle.articles.iter().find(|e| &e.meta.id == id))
        .map(|e| e.meta.title.clone());
    let date = time::local_iso_date(now);
    let (text, ext, mime) = match kind {
        Kind::Json => (
            exchange::write_json(&bundle, &info),
            "json",
            "application/json",
        ),
        Kind::W3c => (
            w3c::write(&bundle, &info, title.as_deref().unwrap_or("library")),
            "jsonld",
            "application/ld+json",
        ),
        Kind::Markdown => (markdown::write(&bundle, &info), "md", "text/markdown"),
    };
    let name = exchange::file_name(title.as_deref(), &date, ext);
    let n: usize = bundle.articles.iter().map(|e| e.annotations.len()).sum();
    match download(&name, mime, &text) {
        Ok(()) => notices.info(format!(
            "Exported {n} annotation{} to {name}.",
            if n == 1 { "" } else { "s" }
        )),
        Err(e) => notices.error(format!("The export failed: {e}.")),
    }
}

/// The export menu: for one article (`article`) or the whole library.
#[component]
pub fn ExportMenu(
    /// The open article's id; `None` exports the library.
    #[prop(optional)]
    article: Option<String>,
) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let complete = RwSignal::new(article.is_none());
    let scope = if article.is_some() {
        "this article"
    } else {
        "the library"
    };
    let art = StoredValue::new(article);
    let annot = use_context::<Annot>();
    let run = move |kind: Kind| {
        export(
            lib,
            notices,
            annot,
            art.get_value(),
            complete.get_untracked(),
            kind,
        )
    };
    view! {
        <details class="export-menu" data-testid="export-menu">
            <summary>"Export"</summary>
            <div class="export-options" role="group" aria-label=format!("Export {scope}")>
                <button data-testid="export-json" on:click=move |_| run(Kind::Json)>
                    "JSON"
                </button>
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="export-complete"
                        prop:checked=move || complete.get()
                        on:change=move |ev| complete.set(event_target_checked(&ev))
                    />
                    " Complete backup (with article texts)"
                </label>
                <button data-testid="export-w3c" on:click=move |_| run(Kind::W3c)>
                    "W3C Web Annotation (JSON-LD)"
                </button>
                <button data-testid="export-markdown" on:click=move |_| run(Kind::Markdown)>
                    "Markdown"
                </button>
            </div>
        </details>
    }
}

/// Reads an export file into a plan and shows the preview.
pub fn read_import(lib: LibraryCtx, notices: Notices, pending: PendingCtx, file: web_sys::File) {
    spawn_local(async move {
        let name = file.name();
        if let Err(e) = crate::domain::exchange::file::check_import_size(file.size() as u64) {
            notices.error(format!("{name}: {e} Nothing was imported."));
            return;
        }
        let bytes = match JsFuture::from(file.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                notices.error(format!(
                    "{name}: the file could not be read. Nothing was imported."
                ));
                return;
            }
        };
        let planned = crate::domain::exchange::file::read_file(&bytes)
            .and_then(|read| lib.plan_import(&read));
        match planned {
            Ok(plan) => pending.0.set(Some(Pending::Import { name, plan })),
            Err(e) => notices.error(format!("{name} was not imported. {e}")),
        }
    });
}

/// Reads an edited version of `old` and shows what replacing it does.
pub fn read_replacement(
    lib: LibraryCtx,
    notices: Notices,
    pending: PendingCtx,
    annot: Annot,
    old: Article,
    file: web_sys::File,
) {
    spawn_local(async move {
        let name = file.name();
        let new = match files::read_article(&file, time::now()).await {
            Ok(a) => a,
            Err(e) => {
                notices.error(format!("{name}: {e}"));
                return;
            }
        };
        if new.id == old.id {
            notices.info(format!(
                "{name} has the same text as this article; nothing to replace."
            ));
            return;
        }
        if lib.library().with_untracked(|l| l.get(&new.id).is_some()) {
            notices.error(format!(
                "{name} is already in your library as an article of its own; delete it there first."
            ));
            return;
        }
        if !annot.alive() {
            return;
        }
        annot.flush();
        let set = match lib.load_annotations(&old.id) {
            Ok(set) => set,
            // Moved to a backup key and kept; the user is told.
            Err(e @ StorageError::Corrupt { .. }) => {
                notices.push(Level::Warning, e.to_string());
                crate::domain::annotate::set::AnnotationSet::new(&old.id)
            }
            Err(e) => {
                notices.error(format!("{name} cannot replace this article: {e}"));
                return;
            }
        };
        let replacement = Box::new(restore::replace(&old, &set, new.clone()));
        pending.0.set(Some(Pending::Replace {
            old: Box::new(old),
            name,
            new: Box::new(new),
            replacement,
            annot,
        }));
    });
}

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
        match p {
            Pending::Import { name, plan } => match lib.apply_import(&plan) {
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
                Err(e) => notices.error(format!("{name} was not imported; nothing changed. {e}")),
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
                }
                match lib.replace_article(&old, *new) {
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
            // A click on the backdrop lands on the dialog element itself.
            on:click=move |ev| {
                let on_backdrop = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlDialogElement>().ok())
                    .is_some();
                if on_backdrop {
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
