//! The welcome article shown on first run, written for Marginalia and kept
//! as Markdown beside this file.

use crate::domain::article::{Article, NewArticle};
use crate::domain::import;
use chrono::{DateTime, Utc};

/// The welcome article's Markdown source.
pub const WELCOME_MD: &str = include_str!("welcome.md");

/// The welcome article, added at `added`.
pub fn article(added: DateTime<Utc>) -> Article {
    Article::build(
        import::parse_markdown(WELCOME_MD),
        NewArticle {
            title: None,
            source_name: None,
        },
        added,
    )
    .expect("the welcome article has text")
}

/// The welcome article's id (its content fingerprint), worked out once.
pub fn id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| article(DateTime::UNIX_EPOCH).id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::article::BlockKind;

    #[test]
    fn welcome_article_is_titled_and_structured() {
        let a = article(DateTime::UNIX_EPOCH);
        assert_eq!(a.title, "Welcome to Marginalia");
        assert!(a.blocks.iter().any(|b| b.kind == BlockKind::Heading(2)));
        assert!(a.sentence_count() > 10, "{}", a.sentence_count());
        a.validate().unwrap();
    }
}
