//! Hash routes: `#/` is the library, `#/read/<id>` an article,
//! `#/read/<id>/<n>` an article with its sentence `n` shown and selected
//! (a search result, a notebook entry), `#/notebook` every annotation and
//! `#/tags` the tag manager, `#/sync` sync. The hash keeps reload and back/forward on the
//! same page without a server.

use leptos::prelude::*;

/// A page of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The library.
    Library,
    /// The reader, on the article with this id.
    Read(String),
    /// The reader, on this article, with this sentence shown and selected.
    ReadAt(String, usize),
    /// Every annotation across the library.
    Notebook,
    /// The tag manager.
    Tags,
    /// Sync settings and status.
    Sync,
}

impl Route {
    /// The route for a location hash (with or without the leading `#`).
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        match path.split_once('/') {
            Some(("read", rest)) if !rest.is_empty() => match rest.split_once('/') {
                Some((id, n)) if !id.is_empty() => match n.parse() {
                    Ok(n) => Self::ReadAt(id.to_owned(), n),
                    Err(_) => Self::Read(id.to_owned()),
                },
                _ => Self::Read(rest.to_owned()),
            },
            _ => match path {
                "notebook" => Self::Notebook,
                "tags" => Self::Tags,
                "sync" => Self::Sync,
                _ => Self::Library,
            },
        }
    }

    /// The hash for this route.
    pub fn href(&self) -> String {
        match self {
            Self::Library => "#/".into(),
            Self::Read(id) => format!("#/read/{id}"),
            Self::ReadAt(id, n) => format!("#/read/{id}/{n}"),
            Self::Notebook => "#/notebook".into(),
            Self::Tags => "#/tags".into(),
            Self::Sync => "#/sync".into(),
        }
    }
}

/// The current route, following `hashchange`.
pub fn use_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(Route::parse(&location_hash().unwrap_or_default()));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(Route::parse(&location_hash().unwrap_or_default()));
    });
    on_cleanup(move || handle.remove());
    route
}

/// Goes to a route, adding a history entry.
pub fn navigate(route: &Route) {
    let _ = window().location().set_hash(&route.href());
}
