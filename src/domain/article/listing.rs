//! How the library lists its articles: sorted by date added, title, last
//! opened or annotation count, optionally only those with annotations, and
//! what each item says about reading (time to read, how far the reader
//! got).

use crate::domain::article::ArticleMeta;
use crate::domain::text::escape_into;
use crate::domain::text::fold::fold_accents;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The order of the library list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Newest first (the index's own order).
    #[default]
    Added,
    /// By title, ignoring case and accents.
    Title,
    /// Last opened first; never opened last, newest first among them.
    LastOpened,
    /// Most annotations first.
    Annotations,
}

impl SortBy {
    /// Every order, as the menu lists them.
    pub const ALL: [SortBy; 4] = [
        SortBy::Added,
        SortBy::Title,
        SortBy::LastOpened,
        SortBy::Annotations,
    ];

    /// Its value in the menu (`[data-testid="library-sort"]`).
    pub fn key(self) -> &'static str {
        match self {
            SortBy::Added => "added",
            SortBy::Title => "title",
            SortBy::LastOpened => "opened",
            SortBy::Annotations => "annotations",
        }
    }

    /// What the menu shows.
    pub fn label(self) -> &'static str {
        match self {
            SortBy::Added => "Date added",
            SortBy::Title => "Title",
            SortBy::LastOpened => "Last opened",
            SortBy::Annotations => "Annotations",
        }
    }

    /// The order with this menu value.
    pub fn from_key(key: &str) -> Option<SortBy> {
        SortBy::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Where a reader is in an article: when it was last opened and the
/// sentence at the reading line then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// When the article was last opened.
    pub opened: DateTime<Utc>,
    /// The sentence at the reading line when last read.
    pub sentence: u32,
}

/// Which articles the library lists.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter<'a> {
    /// Only those with annotations.
    pub only_annotated: bool,
    /// Only those with these ids (the articles that have a chosen tag).
    pub among: Option<&'a std::collections::BTreeSet<String>>,
}

impl Filter<'_> {
    /// Whether the entry is listed; `counts` are annotations per id.
    pub fn keeps(&self, e: &ArticleMeta, counts: &BTreeMap<String, usize>) -> bool {
        (!self.only_annotated || counts.get(&e.id).is_some_and(|n| *n > 0))
            && self.among.is_none_or(|ids| ids.contains(&e.id))
    }
}

/// The entries to list, in order. `counts` are annotations per article
/// id, `reading` the reading state per article id.
pub fn arrange<'a>(
    entries: &'a [ArticleMeta],
    by: SortBy,
    filter: Filter<'_>,
    counts: &BTreeMap<String, usize>,
    reading: &BTreeMap<String, Reading>,
) -> Vec<&'a ArticleMeta> {
    let count = |e: &ArticleMeta| counts.get(&e.id).copied().unwrap_or(0);
    let mut out: Vec<&ArticleMeta> = entries.iter().filter(|e| filter.keeps(e, counts)).collect();
    // Stable sorts over the index's order (newest first) break ties.
    match by {
        SortBy::Added => {}
        SortBy::Title => out.sort_by_cached_key(|e| fold_accents(&e.title)),
        SortBy::LastOpened => {
            out.sort_by_key(|e| std::cmp::Reverse(reading.get(&e.id).map(|r| r.opened)))
        }
        SortBy::Annotations => out.sort_by_key(|e| std::cmp::Reverse(count(e))),
    }
    out
}

/// Minutes to read `words` at 238 words a minute (the average for
/// non-fiction in English), at least 1.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(238).max(1)
}

/// What a library entry says about its article that never changes while
/// it is listed (words, sentences, time to read, the date it was added,
/// as `added` spells it), as one piece of markup: the library sets it in
/// one call, instead of building a dozen elements and texts one by one
/// from wasm. Each fact keeps its automation hook (`data-testid`), and
/// the date is escaped.
pub fn facts_html(meta: &ArticleMeta, added: &str) -> String {
    let mut out = format!(
        "<span data-testid=\"word-count\">{} words</span> · <span data-testid=\"sentence-count\">{} sentences</span> · <span data-testid=\"reading-time\">{} min read</span> · <span>added ",
        meta.words,
        meta.sentences,
        reading_minutes(meta.words)
    );
    escape_into(&mut out, added);
    out.push_str("</span>");
    out
}

/// How far into an article of `sentences` sentences the reader got, in
/// percent: the reading sentence's end. `None` when never opened.
pub fn progress(reading: Option<&Reading>, sentences: usize) -> Option<u8> {
    let r = reading?;
    if sentences == 0 {
        return Some(0);
    }
    let done = (r.sentence as usize + 1).min(sentences);
    Some(((done * 100) / sentences) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn t(n: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::days(20_000 + n)
    }

    fn meta(id: &str, title: &str, added: i64) -> ArticleMeta {
        ArticleMeta {
            id: id.into(),
            title: title.into(),
            source_name: None,
            words: 100,
            sentences: 10,
            added: t(added),
            revision: 0,
        }
    }

    fn ids<'a>(v: &[&'a ArticleMeta]) -> Vec<&'a str> {
        v.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn each_order_and_the_annotated_filter() {
        // The index is newest first.
        let entries = vec![
            meta("c", "Zeta", 3),
            meta("b", "étude", 2),
            meta("a", "Alpha", 1),
        ];
        let counts = BTreeMap::from([("a".to_owned(), 2), ("c".to_owned(), 5)]);
        let reading = BTreeMap::from([
            (
                "a".to_owned(),
                Reading {
                    opened: t(10),
                    sentence: 0,
                },
            ),
            (
                "b".to_owned(),
                Reading {
                    opened: t(12),
                    sentence: 3,
                },
            ),
        ]);
        let list = |by, only| {
            let filter = Filter {
                only_annotated: only,
                among: None,
            };
            ids(&arrange(&entries, by, filter, &counts, &reading))
        };
        assert_eq!(list(SortBy::Added, false), ["c", "b", "a"]);
        assert_eq!(list(SortBy::Title, false), ["a", "b", "c"], "é sorts as e");
        assert_eq!(
            list(SortBy::LastOpened, false),
            ["b", "a", "c"],
            "never opened last"
        );
        assert_eq!(list(SortBy::Annotations, false), ["c", "a", "b"]);
        assert_eq!(list(SortBy::Added, true), ["c", "a"]);
        let tagged = std::collections::BTreeSet::from(["a".to_owned(), "b".to_owned()]);
        let filter = Filter {
            only_annotated: true,
            among: Some(&tagged),
        };
        assert_eq!(
            ids(&arrange(&entries, SortBy::Title, filter, &counts, &reading)),
            ["a"]
        );
    }

    #[test]
    fn menu_values_round_trip() {
        for s in SortBy::ALL {
            assert_eq!(SortBy::from_key(s.key()), Some(s));
        }
        assert_eq!(SortBy::from_key("nope"), None);
    }

    #[test]
    fn reading_time_and_progress() {
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(238), 1);
        assert_eq!(reading_minutes(239), 2);
        assert_eq!(reading_minutes(100_000), 421);
        let r = Reading {
            opened: t(0),
            sentence: 4,
        };
        assert_eq!(progress(Some(&r), 10), Some(50));
        assert_eq!(
            progress(Some(&Reading { sentence: 99, ..r }), 10),
            Some(100)
        );
        assert_eq!(progress(None, 10), None);
    }

    #[test]
    fn an_entrys_facts_carry_their_hooks_and_the_date_escaped() {
        let mut m = meta("a", "T", 0);
        m.words = 2_000;
        m.sentences = 111;
        let html = facts_html(&m, "1 Dec <2026> & \"later\"");
        assert_eq!(
            html,
            "<span data-testid=\"word-count\">2000 words</span> · <span data-testid=\"sentence-count\">111 sentences</span> · <span data-testid=\"reading-time\">9 min read</span> · <span>added 1 Dec &lt;2026&gt; &amp; &quot;later&quot;</span>"
        );
    }
}
