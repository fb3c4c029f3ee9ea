//! Helpers shared by the browser tests (`tests/web_*.rs`): a clean
//! `localStorage`, a snapshot of it, and articles built from text.
#![allow(dead_code)]

use chrono::DateTime;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::storage::KeyValueStore;
use marginalia::storage::local::LocalStore;
use std::collections::BTreeMap;

/// Empties this origin's `localStorage`.
pub fn clear() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
}

/// Every key and value, for comparing before and after.
pub fn snapshot(store: &LocalStore) -> BTreeMap<String, String> {
    store
        .keys()
        .unwrap()
        .into_iter()
        .map(|k| (k.clone(), store.get(&k).unwrap().unwrap()))
        .collect()
}

/// A pasted article.
pub fn article(text: &str) -> Article {
    article_from(text, None)
}

/// An article read from a file named `source` (`None`: pasted).
pub fn article_from(text: &str, source: Option<&str>) -> Article {
    Article::build(
        parse_text(text),
        NewArticle {
            title: None,
            source_name: source,
        },
        DateTime::UNIX_EPOCH,
    )
    .unwrap()
}
