//! The storage meter on the library page: how much of `localStorage`
//! (its 5,242,880 UTF-16 units, keys and values) and of the origin's quota
//! (`navigator.storage.estimate()`, IndexedDB included) is used, with a
//! warning from 80 %. And, the first time the library holds the user's own
//! data, a request for persistent storage, said in plain words.

use super::context::LibraryCtx;
use crate::storage::quota;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `localStorage`'s size per origin, in UTF-16 units.
const LOCAL_UNITS: f64 = 5_242_880.0;
/// From this share on, the meter warns.
const WARN_AT: f64 = 0.8;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Usage {
    local: f64,
    origin: Option<(f64, f64)>,
    persisted: Option<bool>,
}

fn mb(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else {
        format!("{:.1} MB", bytes / 1e6)
    }
}

/// The meter; `changes` is tracked, so it reads the usage again after
/// each change to the library. Once `own_data` is true (the library holds
/// an article the user added), it asks for persistent storage, once ever.
#[component]
pub fn StorageMeter(
    /// Anything that changes when the library's contents do.
    changes: Signal<usize>,
    /// Whether the library holds the user's own data.
    own_data: Signal<bool>,
) -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let usage = RwSignal::new(Usage::default());
    // Reading the usage lists every key: it waits for the page to be
    // painted, and changes in a row are measured once.
    let due = StoredValue::new(false);
    Effect::new(move |_| {
        changes.track();
        let own = own_data.get();
        if due.get_value() {
            return;
        }
        due.set_value(true);
        super::time::after_paint(move || {
            if due.is_disposed() {
                return;
            }
            due.set_value(false);
            let local = lib.local_units() as f64;
            usage.try_update(|u| u.local = local);
            spawn_local(async move {
                if own && lib.first_persist_ask() {
                    quota::persist().await;
                }
                let origin = quota::estimate().await;
                let kept = quota::persisted().await;
                usage.try_update(|u| {
                    u.origin = origin;
                    u.persisted = kept;
                });
            });
        });
    });
    let share = move || {
        let u = usage.get();
        let origin = u
            .origin
            .map(|(used, quota)| if quota > 0.0 { used / quota } else { 0.0 });
        (u.local / LOCAL_UNITS).max(origin.unwrap_or(0.0))
    };
    view! {
        <p
            class="storage-meter"
            data-testid="storage-meter"
            data-level=move || { if share() >= WARN_AT { "warning" } else { "info" } }
        >
            {move || {
                let u = usage.get();
                let local = format!(
                    "Browser storage: {:.0} % of localStorage ({:.2} of 5.24 million characters)",
                    100.0 * u.local / LOCAL_UNITS,
                    u.local / 1e6
                );
                let origin = u
                    .origin
                    .map(|(used, quota)| format!("; {} used of the {} this site may use", mb(used), mb(quota)))
                    .unwrap_or_default();
                let kept = match u.persisted {
                    Some(true) => " The browser keeps it even when disk space runs low (persistent storage).",
                    Some(false) => " The browser may clear it when disk space runs low, as for most sites (no persistent storage): export a complete backup now and then.",
                    None => "",
                };
                let warn = if share() >= WARN_AT {
                    " Storage is nearly full: export a complete backup, then delete articles you no longer need."
                } else {
                    ""
                };
                format!("{local}{origin}.{kept}{warn}")
            }}
        </p>
    }
}
