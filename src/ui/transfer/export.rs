//! The export menu: JSON, W3C JSON-LD, Markdown, CSV and JSONL downloads
//! of the open article or the whole library.

use super::APP_VERSION;
use crate::domain::exchange::analysis::{self, Offsets};
use crate::domain::exchange::{self, Bundle, ExportInfo};
use crate::domain::{exchange::markdown, exchange::w3c};
use crate::ui::annotate::Annot;
use crate::ui::check::Check;
use crate::ui::context::LibraryCtx;
use crate::ui::notices::Notices;
use crate::ui::time;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
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
    Csv(Offsets),
    Jsonl(Offsets),
}

impl Kind {
    /// Whether the file needs the article texts, whatever `complete` says.
    fn needs_texts(self) -> bool {
        matches!(self, Kind::Jsonl(_) | Kind::Csv(Offsets::Utf16))
    }
}

/// What an export holds.
#[derive(Clone)]
enum Scope {
    /// The whole library.
    Library,
    /// One article.
    Article(String),
    /// These annotations (what the notebook shows), with their articles.
    Only(Vec<String>),
}

fn export(
    lib: LibraryCtx,
    notices: Notices,
    annot: Option<Annot>,
    scope: Scope,
    complete: bool,
    kind: Kind,
) {
    // Unsaved edits of the open article go into the file too.
    if let Some(annot) = annot {
        annot.flush();
    }
    let (article, only) = match scope {
        Scope::Library => (None, None),
        Scope::Article(id) => (Some(id), None),
        Scope::Only(ids) => (
            None,
            Some(ids.into_iter().collect::<std::collections::BTreeSet<_>>()),
        ),
    };
    let complete = complete && only.is_none();
    let ids: Vec<String> = article.iter().cloned().collect();
    leptos::task::spawn_local(async move {
        let mut bundle = lib.bundle(&ids, complete || kind.needs_texts()).await;
        if let Some(only) = &only {
            for e in &mut bundle.articles {
                e.annotations.retain(|a| only.contains(&a.id));
            }
            bundle.articles.retain(|e| !e.annotations.is_empty());
        }
        let backup = complete && article.is_none() && kind == Kind::Json;
        let title = only.is_some().then_some("notebook");
        if write_out(notices, &bundle, article, title, complete, kind)
            && let Err(e) = lib.record_export(backup)
        {
            notices.error(format!(
                "The export was made, but could not be recorded: {e}"
            ));
        }
    });
}

/// Writes the file and offers it; whether that worked.
fn write_out(
    notices: Notices,
    bundle: &Bundle,
    article: Option<String>,
    name: Option<&str>,
    complete: bool,
    kind: Kind,
) -> bool {
    let now = time::now();
    let info = ExportInfo {
        exported: now,
        app_version: APP_VERSION.to_owned(),
        complete,
    };
    let title = article
        .as_ref()
        .and_then(|id| bundle.articles.iter().find(|e| &e.meta.id == id))
        .map(|e| e.meta.title.clone())
        .or_else(|| name.map(str::to_owned));
    let date = time::local_iso_date(now);
    let (text, ext, mime) = match kind {
        Kind::Json => (
            exchange::write_json(bundle, &info),
            "json",
            "application/json",
        ),
        Kind::W3c => (
            w3c::write(bundle, &info, title.as_deref().unwrap_or("library")),
            "jsonld",
            "application/ld+json",
        ),
        Kind::Markdown => (markdown::write(bundle, &info), "md", "text/markdown"),
        Kind::Csv(unit) => (
            analysis::write_csv(bundle, unit),
            "csv",
            "text/csv;charset=utf-8",
        ),
        Kind::Jsonl(unit) => (
            analysis::write_jsonl(bundle, unit),
            "jsonl",
            "application/jsonl",
        ),
    };
    let name = exchange::file_name(title.as_deref(), &date, ext);
    let n: usize = bundle.articles.iter().map(|e| e.annotations.len()).sum();
    match download(&name, mime, &text) {
        Ok(()) => {
            notices.info(format!(
                "Exported {n} annotation{} to {name}.",
                if n == 1 { "" } else { "s" }
            ));
            true
        }
        Err(e) => {
            notices.error(format!("The export failed: {e}."));
            false
        }
    }
}

/// Exports a complete backup of the library (JSON with the texts).
pub fn export_backup(lib: LibraryCtx, notices: Notices) {
    export(lib, notices, None, Scope::Library, true, Kind::Json);
}

/// The export menu: for one article (`article`) or the whole library.
#[component]
pub fn ExportMenu(
    /// The open article's id; `None` exports the library.
    #[prop(optional)]
    article: Option<String>,
    /// Exports only the annotations with these ids (what the notebook
    /// shows), read when the export runs.
    #[prop(optional)]
    only: Option<Callback<(), Vec<String>>>,
) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let complete = RwSignal::new(article.is_none() && only.is_none());
    let utf16 = RwSignal::new(false);
    let unit = move || {
        if utf16.get_untracked() {
            Offsets::Utf16
        } else {
            Offsets::CodePoints
        }
    };
    let scope = if article.is_some() {
        "this article"
    } else if only.is_some() {
        "what the notebook shows"
    } else {
        "the library"
    };
    let art = StoredValue::new(article);
    let annot = use_context::<Annot>();
    let run = move |kind: Kind| {
        let scope = match (only, art.get_value()) {
            (Some(f), _) => Scope::Only(f.run(())),
            (None, Some(id)) => Scope::Article(id),
            (None, None) => Scope::Library,
        };
        export(lib, notices, annot, scope, complete.get_untracked(), kind)
    };
    view! {
        <details class="export-menu" data-testid="export-menu">
            <summary>"Export"</summary>
            <div class="export-options" role="group" aria-label=format!("Export {scope}")>
                <button data-testid="export-json" on:click=move |_| run(Kind::Json)>
                    "JSON"
                </button>
                {only.is_none().then(|| view! {
                    <Check testid="export-complete" value=complete label="Complete backup (with article texts)" />
                })}
                <button data-testid="export-w3c" on:click=move |_| run(Kind::W3c)>
                    "W3C Web Annotation (JSON-LD)"
                </button>
                <button data-testid="export-markdown" on:click=move |_| run(Kind::Markdown)>
                    "Markdown"
                </button>
                <button data-testid="export-csv" on:click=move |_| run(Kind::Csv(unit()))>
                    "CSV (spreadsheets)"
                </button>
                <button data-testid="export-jsonl" on:click=move |_| run(Kind::Jsonl(unit()))>
                    "JSONL (doccano, for labelling)"
                </button>
                <Check testid="export-utf16" value=utf16 label="CSV and JSONL offsets in UTF-16 units (as JavaScript counts), not code points" />
            </div>
        </details>
    }
}
