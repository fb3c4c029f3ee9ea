//! Sync: the Sync page (`#/sync`), where the
//! reader names a CouchDB database and connects, and the small status in
//! the top bar. Nothing is sent anywhere before the reader connects, and
//! then only to that database's origin, which the page's
//! Content-Security-Policy allows from the next load on (so connecting to
//! a new origin reloads the page once).
//!
//! A sync runs on connecting, on *Sync now*, 2 seconds after edits
//! settle, when the browser comes back online, and when the server's
//! change feed (long-polled while the page is open, in one tab) says
//! something changed there. A failed sync is retried after 2 s, then
//! 4 s, 8 s… up to 5 minutes. Syncs run in one tab at a time (a Web
//! Lock), the others seeing what it stored through `storage` events, as
//! for any other tab's write.

use super::context::LibraryCtx;
use super::notices::Notices;
use super::time;
use crate::storage::sync::SyncError;
use crate::storage::sync::http::{HttpRemote, basic_auth, check_url};
use crate::storage::sync::idb_state::IdbSyncStore;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

/// The User Timing measure of the last sync (mark to status set).
pub const SYNC_MEASURE: &str = "marginalia:sync";
const SYNC_MARK: &str = "marginalia:sync-start";

/// What the status shows (`data-state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    /// Not connected.
    Off,
    /// A sync is running.
    Syncing,
    /// The last sync worked.
    Synced,
    /// The browser is offline.
    Offline,
    /// The last sync failed.
    Error,
}

impl SyncState {
    fn name(self) -> &'static str {
        match self {
            SyncState::Off => "off",
            SyncState::Syncing => "syncing",
            SyncState::Synced => "synced",
            SyncState::Offline => "offline",
            SyncState::Error => "error",
        }
    }

    fn label(self) -> &'static str {
        match self {
            SyncState::Off => "Sync off",
            SyncState::Syncing => "Syncing…",
            SyncState::Synced => "Synced",
            SyncState::Offline => "Offline",
            SyncState::Error => "Sync error",
        }
    }
}

/// The connection's settings (kept in IndexedDB, `marginalia-sync`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Config {
    url: String,
    user: String,
    password: String,
}

/// The app-wide sync state.
#[derive(Clone, Copy)]
pub struct SyncCtx {
    state: RwSignal<SyncState>,
    message: RwSignal<String>,
    last: RwSignal<Option<chrono::DateTime<chrono::Utc>>>,
    /// Syncs finished (or failed) so far in this page.
    runs: RwSignal<u64>,
    /// The database URL connected to (empty when off).
    url: RwSignal<String>,
    /// Offered when the database does not exist.
    missing: RwSignal<bool>,
    config: StoredValue<Option<Config>>,
    store: StoredValue<Option<Rc<IdbSyncStore>>, LocalStorage>,
    running: StoredValue<bool>,
    /// Local changes waiting to be sent (`None` until counted).
    pending: RwSignal<Option<usize>>,
    /// Syncs failed in a row (the backoff grows with it).
    failures: StoredValue<u32>,
    /// Whether this tab waits on the server's change feed.
    watching: StoredValue<bool>,
    /// Bumped on connecting and disconnecting: a wait or retry of an
    /// older connection stops.
    connection: StoredValue<u64>,
}

/// How long to wait before retrying after `n` failures in a row: 2 s,
/// doubling, at most 5 minutes.
fn backoff(n: u32) -> u32 {
    2_000u32
        .saturating_mul(1 << n.saturating_sub(1).min(8))
        .min(300_000)
}

/// Resolves after `ms` milliseconds.
async fn sleep(ms: u32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

impl SyncCtx {
    /// Reads the settings and, when connected, syncs now, on coming back
    /// online and every 30 seconds.
    pub fn start(lib: LibraryCtx, notices: Notices) -> Self {
        let ctx = Self {
            state: RwSignal::new(SyncState::Off),
            message: RwSignal::new(String::new()),
            last: RwSignal::new(None),
            runs: RwSignal::new(0),
            url: RwSignal::new(String::new()),
            missing: RwSignal::new(false),
            config: StoredValue::new(None),
            store: StoredValue::new_local(None),
            running: StoredValue::new(false),
            pending: RwSignal::new(None),
            failures: StoredValue::new(0),
            watching: StoredValue::new(false),
            connection: StoredValue::new(0),
        };
        // No sync server named: nothing to open, nothing sent.
        if lib.sync_origin().is_none() {
            return ctx;
        }
        leptos::task::spawn_local(async move {
            let Ok(store) = IdbSyncStore::open().await else {
                return;
            };
            let config = store
                .config()
                .await
                .and_then(|c| serde_json::from_str::<Config>(&c).ok());
            ctx.store.set_value(Some(Rc::new(store)));
            if let Some(c) = config {
                ctx.url.set(c.url.clone());
                ctx.config.set_value(Some(c));
                ctx.run(lib, notices, true);
            }
        });
        // After edits, once they settle (2 s without another).
        let due = StoredValue::new(0u64);
        Effect::new(move |first: Option<()>| {
            lib.edits().track();
            lib.library().track();
            if first.is_none() {
                return;
            }
            let mine = due.get_value() + 1;
            due.set_value(mine);
            set_timeout(
                move || {
                    if due.try_get_value() == Some(mine) && ctx.config.with_value(Option::is_some) {
                        ctx.run(lib, notices, false);
                    }
                },
                std::time::Duration::from_secs(2),
            );
        });
        let h = window_event_listener(leptos::ev::online, move |_| ctx.run(lib, notices, false));
        std::mem::forget(h); // for the app's life
        ctx
    }

    /// Waits on the server's change feed (`feed=longpoll`) and syncs when
    /// something changed there, backing off after errors; in one tab at a
    /// time (a Web Lock the next tab takes over when this one closes).
    fn watch(self, lib: LibraryCtx, notices: Notices) {
        if self.watching.get_value() {
            return;
        }
        self.watching.set_value(true);
        let connection = self.connection.get_value();
        let work = Closure::once_into_js(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                self.wait_for_changes(lib, notices, connection).await;
                Ok(JsValue::UNDEFINED)
            })
        });
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(hold_lock("marginalia-sync-watch", work))
                .await;
            self.watching.try_set_value(false);
        });
    }

    async fn wait_for_changes(self, lib: LibraryCtx, notices: Notices, connection: u64) {
        let mut failures = 0;
        loop {
            if self.connection.try_get_value() != Some(connection) {
                return;
            }
            let (Some(Some(c)), Some(Some(store))) =
                (self.config.try_get_value(), self.store.try_get_value())
            else {
                return;
            };
            let remote = HttpRemote::new(c.url.clone(), basic_auth(&c.user, &c.password));
            let since = store.since().await;
            match remote.wait_for_change(&since, 25_000).await {
                Ok(true) => {
                    failures = 0;
                    self.run(lib, notices, false);
                    sleep(500).await;
                    while self.running.try_get_value() == Some(true) {
                        sleep(250).await;
                    }
                }
                Ok(false) => failures = 0,
                Err(_) => {
                    failures += 1;
                    sleep(backoff(failures)).await;
                }
            }
        }
    }

    /// Counts the local changes waiting to be sent.
    fn count_pending(self, lib: LibraryCtx) {
        let Some(store) = self.store.get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let n = lib.sync_pending(store.as_ref()).await;
            self.pending.try_set(n);
        });
    }

    /// Syncs once (unless one is running, here or in another tab);
    /// `check` tests the server first.
    pub fn run(self, lib: LibraryCtx, notices: Notices, check: bool) {
        let Some(c) = self.config.get_value() else {
            return;
        };
        if self.running.get_value() {
            return;
        }
        let Some(store) = self.store.get_value() else {
            return;
        };
        self.running.set_value(true);
        let work = Closure::once_into_js(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                self.sync_now(lib, notices, c, store, check).await;
                Ok(JsValue::UNDEFINED)
            })
        });
        leptos::task::spawn_local(async move {
            let ran = wasm_bindgen_futures::JsFuture::from(with_lock("marginalia-sync", work))
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if !ran {
                // Another tab holds the lock: its writes reach this tab as
                // storage events.
                self.message
                    .try_set("Another tab is syncing this library.".into());
            }
            self.running.try_set_value(false);
        });
    }

    async fn sync_now(
        self,
        lib: LibraryCtx,
        notices: Notices,
        c: Config,
        store: Rc<IdbSyncStore>,
        check: bool,
    ) {
        self.state.try_set(SyncState::Syncing);
        let timing = window().performance();
        if let Some(p) = &timing {
            let _ = p.mark(SYNC_MARK);
        }
        let remote = HttpRemote::new(c.url.clone(), basic_auth(&c.user, &c.password));
        let checked = if check {
            remote.check().await
        } else {
            Ok(true)
        };
        let result = match checked {
            Ok(true) => lib
                .sync(store.as_ref(), &remote)
                .await
                .map_err(|e| explain(&e)),
            Ok(false) => {
                self.missing.try_set(true);
                Err(
                    "The database does not exist on the server. Create it, or check the address."
                        .into(),
                )
            }
            Err(why) => Err(why),
        };
        if let Some(p) = &timing {
            // The last sync's time, for the benchmark (User Timing).
            p.clear_measures_with_measure_name(SYNC_MEASURE);
            let _ = p.measure_with_start_mark(SYNC_MEASURE, SYNC_MARK);
            p.clear_marks_with_mark_name(SYNC_MARK);
        }
        self.runs.try_update(|n| *n += 1);
        let ok = result.is_ok();
        self.after_run(lib, notices, ok);
        match result {
            Ok(report) => {
                self.missing.try_set(false);
                self.last.try_set(Some(time::now()));
                self.state.try_set(SyncState::Synced);
                let mut msg = format!(
                    "Sent {}, received {}.",
                    plural(report.sent, "document"),
                    plural(report.received, "document")
                );
                if !report.conflicts.is_empty() {
                    msg.push_str(&format!(
                        " {} edited on this device and another since the last sync; the newest edit was kept.",
                        plural(report.conflicts.len(), "annotation was")
                    ));
                }
                if !report.quarantined.is_empty() {
                    msg.push_str(&format!(
                        " {} from the server could not be read and were set aside: {}.",
                        plural(report.quarantined.len(), "document"),
                        report
                            .quarantined
                            .iter()
                            .take(3)
                            .map(|(i, w)| format!("{i} ({w})"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                    notices.push(super::notices::Level::Warning, msg.clone());
                }
                self.message.try_set(msg);
            }
            Err(why) => {
                let offline = web_sys::window().is_some_and(|w| !w.navigator().on_line());
                self.state.try_set(if offline {
                    SyncState::Offline
                } else {
                    SyncState::Error
                });
                self.message.try_set(if offline {
                    "This device is offline; it will sync when it is back online.".into()
                } else {
                    why
                });
            }
        }
    }
}

impl SyncCtx {
    /// After a sync: count what is left to send; on success, wait on the
    /// change feed; on failure, retry after a growing delay.
    fn after_run(self, lib: LibraryCtx, notices: Notices, ok: bool) {
        self.count_pending(lib);
        if ok {
            self.failures.try_set_value(0);
            self.watch(lib, notices);
            return;
        }
        let n = self.failures.try_get_value().unwrap_or(0) + 1;
        self.failures.try_set_value(n);
        let connection = self.connection.get_value();
        set_timeout(
            move || {
                if self.connection.try_get_value() == Some(connection)
                    && self.failures.try_get_value() == Some(n)
                {
                    self.run(lib, notices, false);
                }
            },
            std::time::Duration::from_millis(u64::from(backoff(n))),
        );
    }
}

#[wasm_bindgen(inline_js = "
export function hold_lock(name, run) {
  if (!navigator.locks) return run();
  return navigator.locks.request(name, () => run());
}
export function with_lock(name, run) {
  if (!navigator.locks) return run().then(() => true);
  return navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return false;
    await run();
    return true;
  });
}
")]
extern "C" {
    fn with_lock(name: &str, run: JsValue) -> js_sys::Promise;
    fn hold_lock(name: &str, run: JsValue) -> js_sys::Promise;
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else if let Some(base) = one.strip_suffix(" was") {
        format!("{n} {base}s were")
    } else {
        format!("{n} {one}s")
    }
}

fn explain(e: &SyncError) -> String {
    match e {
        SyncError::Unreachable(_) => "The server did not answer. Check that it is running and reachable; sync tries again every 30 seconds.".into(),
        SyncError::Refused(why) => format!("The server refused access ({why}). Check the user name and password."),
        SyncError::NoDatabase => "The database does not exist on the server.".into(),
        other => format!("Sync failed: {other}."),
    }
}

/// The status in the top bar.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let sync = expect_context::<SyncCtx>();
    view! {
        <a
            class="sync-status"
            href="#/sync"
            data-testid="sync-status"
            data-state=move || sync.state.get().name()
            title=move || sync.message.get()
        >
            {move || sync.state.get().label()}
        </a>
    }
}

/// The Sync page.
#[component]
pub fn SyncPage() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let sync = expect_context::<SyncCtx>();
    let url = RwSignal::new(sync.url.get_untracked());
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let connect = move || {
        error.set(String::new());
        let (db, origin) = match check_url(&url.get_untracked()) {
            Ok(x) => x,
            Err(why) => {
                error.set(why);
                return;
            }
        };
        let config = Config {
            url: db,
            user: user.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let store = match sync.store.get_value() {
                Some(s) => s,
                None => match IdbSyncStore::open().await {
                    Ok(s) => {
                        let s = Rc::new(s);
                        sync.store.set_value(Some(s.clone()));
                        s
                    }
                    Err(e) => {
                        error.set(format!(
                            "This browser's storage for sync could not be opened: {e}."
                        ));
                        return;
                    }
                },
            };
            let json = serde_json::to_string(&config).unwrap_or_default();
            if let Err(e) = store.set_config(&json).await {
                error.set(format!("The settings could not be saved: {e}."));
                return;
            }
            let allowed = lib.sync_origin().as_deref() == Some(origin.as_str());
            if let Err(e) = lib.set_sync_origin(Some(&origin)) {
                error.set(format!("The settings could not be saved: {e}."));
                return;
            }
            if !allowed {
                // The page may reach the new origin only once its policy says so.
                let _ = window().location().reload();
                return;
            }
            sync.url.set(config.url.clone());
            sync.connection.update_value(|n| *n += 1);
            sync.config.set_value(Some(config));
            sync.run(lib, notices, true);
        });
    };
    let create = move || {
        let Some(c) = sync.config.get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let remote = HttpRemote::new(c.url.clone(), basic_auth(&c.user, &c.password));
            match remote.create().await {
                Ok(()) => sync.run(lib, notices, true),
                Err(why) => error.set(why),
            }
        });
    };
    let disconnect = move || {
        leptos::task::spawn_local(async move {
            if let Some(store) = sync.store.get_value() {
                let _ = store.clear().await;
            }
            let _ = lib.set_sync_origin(None);
            sync.connection.update_value(|n| *n += 1);
            sync.pending.set(None);
            sync.config.set_value(None);
            sync.url.set(String::new());
            sync.state.set(SyncState::Off);
            sync.message.set(
                "Disconnected: nothing more is sent, and the user name and password are forgotten."
                    .into(),
            );
            sync.missing.set(false);
        });
    };
    let connected = move || !sync.url.get().is_empty();
    // What waits to be sent, counted on opening and after each edit.
    Effect::new(move |_| {
        lib.edits().track();
        if !sync.url.get_untracked().is_empty() {
            sync.count_pending(lib);
        }
    });
    view! {
        <section class="sync-page library-page" data-testid="sync-page" aria-labelledby="sync-heading">
            <h1 id="sync-heading">"Sync"</h1>
            <p class="hint">
                "Keep this library in step with your other devices through a CouchDB database of your own (CouchDB, IBM Cloudant, or PouchDB Server). Nothing is sent anywhere until you connect, and then only to that database. Your user name and password stay in this browser."
            </p>
            <Show
                when=connected
                fallback=move || view! {
                    <form class="sync-form" novalidate on:submit=move |ev| { ev.prevent_default(); connect(); }>
                        <label>"Database URL"
                            <input data-testid="sync-url" type="url" placeholder="https://couch.example.org/marginalia" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                        </label>
                        <label>"User name (if the server needs one)"
                            <input data-testid="sync-user" autocomplete="username" prop:value=move || user.get() on:input=move |ev| user.set(event_target_value(&ev)) />
                        </label>
                        <label>"Password"
                            <input data-testid="sync-password" type="password" autocomplete="current-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                        </label>
                        <button class="primary" type="submit" data-testid="sync-connect">"Connect"</button>
                    </form>
                }
            >
                <p data-testid="sync-connected">"Connected to " <strong>{move || sync.url.get()}</strong></p>
                <p data-testid="sync-last" data-runs=move || sync.runs.get().to_string()>
                    {move || match sync.last.get() {
                        Some(t) => format!("Last successful sync: {} {}", time::local_date(t), time::local_time(t)),
                        None => "Not synced yet.".to_owned(),
                    }}
                </p>
                <p data-testid="sync-pending" data-count=move || sync.pending.get().map(|n| n.to_string()).unwrap_or_default()>
                    {move || match sync.pending.get() {
                        None => String::new(),
                        Some(0) => "Every change here has been sent.".to_owned(),
                        Some(1) => "1 change here waits to be sent.".to_owned(),
                        Some(n) => format!("{n} changes here wait to be sent."),
                    }}
                </p>
                <div class="sync-actions">
                    <button class="primary" data-testid="sync-now" on:click=move |_| sync.run(lib, notices, false)>"Sync now"</button>
                    {move || sync.missing.get().then(|| view! {
                        <button data-testid="sync-create" on:click=move |_| create()>"Create the database"</button>
                    })}
                    <button class="danger" data-testid="sync-disconnect" on:click=move |_| disconnect()>"Disconnect"</button>
                </div>
            </Show>
            <p class="sync-message" data-testid="sync-message" role="status">{move || sync.message.get()}</p>
            {move || (!error.get().is_empty()).then(|| view! { <p class="sync-error" data-testid="sync-error" role="alert">{error.get()}</p> })}
        </section>
    }
}
