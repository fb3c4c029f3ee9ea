//! placeholder
use leptos::prelude::*;

/// placeholder
#[component]
pub fn NotebookPage() -> impl IntoView {
    view! { <p>"…"</p> }
}
