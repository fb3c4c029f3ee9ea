//! A checkbox with its label, bound to a signal: the one shape every
//! option of the library and export menus takes.

use leptos::prelude::*;

/// `<label class="check"><input type="checkbox" data-testid=…> label</label>`,
/// checked while `value` is true.
#[component]
pub fn Check(
    /// The input's `data-testid`.
    testid: &'static str,
    /// Whether it is checked, kept in step both ways.
    value: RwSignal<bool>,
    /// What the label says.
    label: &'static str,
) -> impl IntoView {
    view! {
        <label class="check">
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            " "
            {label}
        </label>
    }
}
