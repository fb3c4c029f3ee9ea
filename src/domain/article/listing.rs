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

/// What an entry says beside its fixed facts and may change while it is
/// listed: the annotation count and how far the reader got, each as it
/// is shown (empty when there is nothing to say).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryState {
    /// " · 3 annotations", or empty.
    pub annotations: String,
    /// " · 40 % read", or empty.
    pub progress: String,
}

impl EntryState {
    /// The state of an entry with `annotations` annotations and the
    /// reader's place `reading` in its `sentences` sentences.
    pub fn new(annotations: usize, reading: Option<&Reading>, sentences: usize) -> Self {
        EntryState {
            annotations: if annotations == 0 {
                String::new()
            } else {
                format!(
                    " · {annotations} annotation{}",
                    if annotations == 1 { "" } else { "s" }
                )
            },
            progress: progress(reading, sentences)
                .map(|p| format!(" · {p} % read"))
                .unwrap_or_default(),
        }
    }
}

/// The actions of an entry: its "Delete" button.
pub fn entry_actions_html(title: &str) -> String {
    let mut out =
        String::from("<button class=\"quiet\" data-testid=\"delete-article\" aria-label=\"Delete ");
    escape_into(&mut out, title);
    out.push_str("\">Delete</button>");
    out
}

/// The actions of an entry while its deletion is being confirmed.
pub const ENTRY_CONFIRM_HTML: &str = "<span class=\"confirm-text\">Delete this article?</span><button class=\"danger\" data-testid=\"confirm-delete\">Delete</button><button data-testid=\"cancel-delete\">Cancel</button>";

/// The inside of one library entry as one piece of markup: its title
/// link to `href`, its facts (see [`facts_html`]), its `state`, its
/// source and its actions, each with its automation hook, every text
/// escaped. The library sets it in one call and listens once on the
/// entry (the reader body is built the same way).
pub fn entry_html(meta: &ArticleMeta, href: &str, added: &str, state: &EntryState) -> String {
    let mut out = String::with_capacity(640);
    out.push_str("<a class=\"item-title\" href=\"");
    escape_into(&mut out, href);
    out.push_str("\">");
    escape_into(&mut out, &meta.title);
    out.push_str("</a><div class=\"item-meta\"><span class=\"item-facts\">");
    out.push_str(&facts_html(meta, added));
    out.push_str("</span><span data-testid=\"annotation-count\">");
    escape_into(&mut out, &state.annotations);
    out.push_str("</span><span data-testid=\"reading-progress\">");
    escape_into(&mut out, &state.progress);
    out.push_str("</span><span class=\"source\">");
    if let Some(source) = &meta.source_name {
        out.push_str(" · ");
        escape_into(&mut out, source);
    }
    out.push_str("</span></div><div class=\"item-actions\">");
    out.push_str(&entry_actions_html(&meta.title));
    out.push_str("</div>");
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

    #[test]
    fn an_entry_is_one_piece_of_markup_with_every_hook_and_every_text_escaped() {
        let mut m = meta("a", "Fish & <chips> \"today\"", 0);
        m.source_name = Some("notes<1>.md".into());
        let state = EntryState::new(3, None, 10);
        let html = entry_html(&m, "#/read/a", "1 Dec", &state);
        assert!(html.starts_with(
            "<a class=\"item-title\" href=\"#/read/a\">Fish &amp; &lt;chips&gt; &quot;today&quot;</a>"
        ));
        assert!(html.contains("<span data-testid=\"annotation-count\"> · 3 annotations</span>"));
        assert!(html.contains("<span data-testid=\"reading-progress\"></span>"));
        assert!(html.contains("<span class=\"source\"> · notes&lt;1&gt;.md</span>"));
        assert!(html.contains(&facts_html(&m, "1 Dec")));
        assert!(html.ends_with(
            "<div class=\"item-actions\"><button class=\"quiet\" data-testid=\"delete-article\" aria-label=\"Delete Fish &amp; &lt;chips&gt; &quot;today&quot;\">Delete</button></div>"
        ));
        assert_eq!(html.matches('<').count(), html.matches('>').count());
    }

    #[test]
    fn an_entrys_state_says_its_count_and_progress_or_nothing() {
        let r = Reading {
            opened: t(1),
            sentence: 3,
        };
        assert_eq!(EntryState::new(0, None, 10), EntryState::default());
        let one = EntryState::new(1, Some(&r), 10);
        assert_eq!(one.annotations, " · 1 annotation");
        assert_eq!(one.progress, " · 40 % read");
        assert_eq!(EntryState::new(2, None, 10).annotations, " · 2 annotations");
    }
}
