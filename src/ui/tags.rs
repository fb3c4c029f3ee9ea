//! placeholder
use leptos::prelude::*;

/// placeholder
#[component]
pub fn TagsPage() -> impl IntoView {
    view! { <p>"…"</p> }
}
