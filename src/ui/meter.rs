//! The storage meter on the library page: how much of `localStorage`
//! (its 5,242,880 UTF-16 units, keys and values) and of the origin's quota
//! (`navigator.storage.estimate()`, IndexedDB included) is used, with a
//! warning from 80 %. And, the first time the library holds the user's own
//! data, a request for persistent storage, said in plain words.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// `localStorage`'s size per origin, in UTF-16 units.
const LOCAL_UNITS: f64 = 5_242_880.0;
/// From this share on, the meter warns.
const WARN_AT: f64 = 0.8;
/// Set once persistent storage was asked for.
const ASKED_KEY: &str = "marginalia:persist-asked";

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Usage {
    local: f64,
    origin: Option<(f64, f64)>,
    persisted: Option<bool>,
}

fn local_units() -> f64 {
    let Some(s) = window().local_storage().ok().flatten() else {
        return 0.0;
    };
    let n = s.length().unwrap_or(0);
    (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .map(|k| {
            let v = s.get_item(&k).ok().flatten().unwrap_or_default();
            (k.encode_utf16().count() + v.encode_utf16().count()) as f64
        })
        .sum()
}

fn number(v: &JsValue, field: &str) -> Option<f64> {
    js_sys::Reflect::get(v, &field.into()).ok()?.as_f64()
}

async fn persisted() -> Option<bool> {
    let p = window().navigator().storage().persisted().ok()?;
    JsFuture::from(p).await.ok()?.as_bool()
}

async fn estimate() -> Option<(f64, f64)> {
    let storage = window().navigator().storage();
    let e = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    Some((number(&e, "usage")?, number(&e, "quota")?))
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
    let usage = RwSignal::new(Usage::default());
    Effect::new(move |_| {
        changes.track();
        let own = own_data.get();
        let local = local_units();
        usage.set(Usage {
            local,
            ..usage.get_untracked()
        });
        spawn_local(async move {
            if own {
                ask_persistence_once().await;
            }
            let origin = estimate().await;
            let kept = persisted().await;
            usage.try_update(|u| {
                u.origin = origin;
                u.persisted = kept;
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

/// Asks once ever for persistent storage (the browser then keeps the
/// library even when disk space runs low); the meter says what it got.
async fn ask_persistence_once() {
    let Some(store) = window().local_storage().ok().flatten() else {
        return;
    };
    if store.get_item(ASKED_KEY).ok().flatten().is_some() {
        return;
    }
    let _ = store.set_item(ASKED_KEY, "1");
    if let Ok(p) = window().navigator().storage().persist() {
        let _ = JsFuture::from(p).await;
    }
}
