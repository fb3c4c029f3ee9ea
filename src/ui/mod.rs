//! The thin UI: Leptos components over the domain core and the storage edge.
//!
//! [`App`] opens the storage once, provides the typed contexts
//! ([`context::LibraryCtx`], [`context::PrefsCtx`], [`notices::Notices`])
//! and switches between the library and the reader on the hash route.

pub mod annotate;
pub mod check;
pub mod context;
pub mod files;
pub mod library;
pub mod meter;
pub mod notebook;
pub mod notices;
pub mod offline;
pub mod prefs;
pub mod reader;
pub mod route;
pub mod search;
pub mod sync;
pub mod tags;
pub mod time;
pub mod transfer;

use crate::domain::article::welcome;
use crate::storage::idb::IdbBodies;
use crate::storage::memory::MemoryStore;
use crate::storage::repo::Repo;
use crate::storage::shelf::Shelf;
use crate::storage::{KeyValueStore, StorageError, local::LocalStore};
use context::{LibraryCtx, PrefsCtx};
use leptos::prelude::*;
use notices::{Level, NoticeArea, Notices};
use prefs::Prefs;
use route::{Route, use_route};

/// The whole app.
#[component]
pub fn App(
    /// IndexedDB for article bodies, as opening it went.
    bodies: Result<IdbBodies, StorageError>,
) -> impl IntoView {
    let notices = Notices::new();
    provide_context(notices);
    offline::register(notices);

    let (store, local): (Box<dyn KeyValueStore>, bool) = match LocalStore::open() {
        Ok(store) => (Box::new(store), true),
        Err(e) => {
            notices.push(Level::Warning, e.to_string());
            (Box::new(MemoryStore::new()), false)
        }
    };
    // Bodies go to IndexedDB only next to a real localStorage: in memory,
    // everything is in memory.
    let (bodies, newer) = match bodies {
        Ok(b) if local => (Some(b), None),
        Ok(_) => (None, None),
        Err(StorageError::ReadOnly(why)) => (None, Some(why)),
        Err(e) => {
            if local {
                notices.push(Level::Warning, body_store_refused(&e));
            }
            (None, None)
        }
    };
    // A newer build owns the article store: change nothing anywhere.
    // Articles stored outside the index are looked for after the first
    // paint (that lists every key; see `add_strays` below).
    let (mut repo, opened) = Repo::open_listing_later(store, newer);
    let strays_due = opened.strays_due;
    for problem in &opened.problems {
        let level = match problem {
            StorageError::Corrupt { .. } | StorageError::ReadOnly(_) => Level::Warning,
            _ => Level::Error,
        };
        notices.push(level, problem.to_string());
    }
    let mut library = opened.library;
    if opened.first_run && repo.writable().is_ok() {
        let article = welcome::article(time::now());
        if let Err(e) = repo.add_article(&mut library, &article) {
            notices.error(e.to_string());
        }
    }
    let prefs = RwSignal::new(repo.load_prefs::<Prefs>());
    // Applied now, while the page is empty: measuring the font then costs
    // a layout of nothing (the effect below keeps them applied).
    prefs::apply(prefs.get_untracked());
    let lib = LibraryCtx::new(Shelf::new(repo, bodies), library);
    time::mark("marginalia:storage-opened");
    provide_context(lib);
    provide_context(search::SearchCtx::new());
    provide_context(sync::SyncCtx::start(lib, notices));
    // Bodies an older version kept in localStorage move to IndexedDB now
    // (verified, resumable; until then they are read where they are).
    // After the first paint: looking for them lists every key.
    if lib.has_body_store() {
        time::after_paint(move || {
            leptos::task::spawn_local(async move {
                if let Err(e) = lib.move_bodies().await {
                    notices.push(
                        Level::Warning,
                        format!("Article texts could not be moved to IndexedDB yet ({e}). They stay in localStorage, where they can be read, and the move is tried again next time."),
                    );
                }
            });
        });
    }
    // The library opened on the counts kept last time: count them again
    // once it is shown, and keep them whenever the page is hidden (or
    // closed), so that the next opening starts from what was shown.
    time::after_paint(move || {
        if strays_due {
            for problem in lib.add_strays() {
                notices.push(Level::Warning, problem.to_string());
            }
        }
        lib.recount();
    });
    let h0 = window_event_listener(leptos::ev::pagehide, move |_| lib.keep_counts());
    let h00 = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            lib.keep_counts();
        }
    });
    on_cleanup(move || {
        h0.remove();
        h00.remove();
    });
    provide_context(PrefsCtx(prefs));
    let pending = transfer::PendingCtx(RwSignal::new_local(None));
    provide_context(pending);

    // Apply and persist preferences from one place.
    Effect::new(move |first: Option<()>| {
        let p = prefs.get();
        prefs::apply(p);
        if first.is_some()
            && let Err(e) = lib.save_prefs(&p)
        {
            notices.error(e.to_string());
        }
    });

    // Files dropped anywhere are imported (the drop zone handles its own),
    // and never replace the app with the file.
    let h1 = window_event_listener(leptos::ev::dragover, |ev| ev.prevent_default());
    let h2 = window_event_listener(leptos::ev::drop, move |ev| {
        ev.prevent_default();
        if let Some(files) = ev.data_transfer().and_then(|d| d.files())
            && files.length() > 0
        {
            library::import_files(lib, notices, pending, files);
        }
    });
    on_cleanup(move || {
        h1.remove();
        h2.remove();
    });

    // Another tab changed the library: follow it.
    let h3 = window_event_listener(leptos::ev::storage, move |ev| {
        let key = ev.key();
        if key
            .as_deref()
            .is_none_or(|k| k == crate::storage::repo::INDEX_KEY)
        {
            lib.refresh();
            lib.refresh_counts();
            lib.refresh_backups();
            lib.refresh_reading();
        } else if key.as_deref() == Some(crate::storage::repo::BACKUPS_KEY) {
            lib.refresh_backups();
        } else if key
            .as_deref()
            .is_some_and(|k| k.starts_with(crate::storage::repo::READING_PREFIX))
        {
            lib.refresh_reading();
        } else if let Some(k) = key.as_deref() {
            lib.count_event(k, ev.old_value().as_deref(), ev.new_value().as_deref());
        }
    });
    on_cleanup(move || h3.remove());

    let route = use_route();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="#/">"Marginalia"</a>
            <nav class="pages" aria-label="Pages">
                <a href="#/notebook" data-testid="nav-notebook" aria-current=move || (route.get() == Route::Notebook).then_some("page")>"Notebook"</a>
                <a href="#/tags" data-testid="nav-tags" aria-current=move || (route.get() == Route::Tags).then_some("page")>"Tags"</a>
                <sync::SyncStatus />
            </nav>
            <ReaderControls />
        </header>
        <NoticeArea />
        <transfer::TransferDialog />
        <main id="main" tabindex="-1">
            {move || match route.get() {
                Route::Library => view! { <library::LibraryPage /> }.into_any(),
                Route::Read(id) => view! { <reader::ReaderPage id /> }.into_any(),
                Route::ReadAt(id, at) => view! { <reader::ReaderPage id at /> }.into_any(),
                Route::Notebook => view! { <notebook::NotebookPage /> }.into_any(),
                Route::Tags => view! { <tags::TagsPage /> }.into_any(),
                Route::Sync => view! { <sync::SyncPage /> }.into_any(),
            }}
        </main>
    }
}

/// What to tell the user when IndexedDB cannot be used.
fn body_store_refused(e: &StorageError) -> String {
    match e {
        StorageError::Blocked => e.to_string(),
        StorageError::Unavailable(why) => format!(
            "This browser does not let Marginalia use IndexedDB ({why}), so article texts are kept in localStorage, which holds about 5 MB for everything. Texts saved in IndexedDB before cannot be opened until it is allowed again; nothing is deleted."
        ),
        other => format!(
            "IndexedDB could not be opened ({other}), so article texts are kept in localStorage, which holds about 5 MB for everything."
        ),
    }
}

/// Text size and theme controls.
#[component]
fn ReaderControls() -> impl IntoView {
    let PrefsCtx(prefs) = expect_context::<PrefsCtx>();
    view! {
        <div class="controls" role="group" aria-label="Reading settings">
            <button
                data-testid="font-smaller"
                title="Smaller text"
                prop:disabled=move || { prefs.get().font_size <= prefs::MIN_FONT }
                on:click=move |_| prefs.update(|p| *p = p.step_font(false))
            >
                // The symbol is what shows; the words are the name (so a
                // name never disagrees with a visible text label).
                <span aria-hidden="true">"A−"</span>
                <span class="sr-only">"Smaller text"</span>
            </button>
            <span class="font-size" aria-live="polite">
                {move || format!("{}px", prefs.get().font_size)}
            </span>
            <button
                data-testid="font-larger"
                title="Larger text"
                prop:disabled=move || { prefs.get().font_size >= prefs::MAX_FONT }
                on:click=move |_| prefs.update(|p| *p = p.step_font(true))
            >
                // The symbol is what shows; the words are the name (so a
                // name never disagrees with a visible text label).
                <span aria-hidden="true">"A+"</span>
                <span class="sr-only">"Larger text"</span>
            </button>
            <button
                data-testid="theme-toggle"
                title="Switch between system, light and dark themes"
                aria-label=move || format!("Theme: {}", prefs.get().theme.name())
                on:click=move |_| prefs.update(|p| p.theme = p.theme.next())
            >
                <span class="wide-only">"Theme: "</span>
                {move || prefs.get().theme.name()}
            </button>
        </div>
    }
}
