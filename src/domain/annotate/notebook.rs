//! The notebook: every annotation across the library as one list,
//! filtered and grouped, as pure code.
//!
//! An [`Item`] keeps of an annotation what the notebook shows and filters
//! by (its quote derived from the article text once, when loaded), so
//! 20,000 of them stay small. [`rows`] filters them with the panel's
//! [`Filter`] (tag, colour, text) plus a range of creation times, and
//! lays them out under group headings:
//!
//! - by article: articles in library order, annotations in document order
//!   (orphans last);
//! - by tag: tags in alphabetical order (ignoring case and accents), an
//!   annotation under each of its tags, untagged ones last under "No tag";
//!   inside a tag, by article in library order, then document order.
//!
//! The rows are flat (headings and items), so the page can show a window
//! of them.

use crate::domain::annotate::annotation::{Annotation, Colour, tag_key};
use crate::domain::annotate::record::{self, Record};
use crate::domain::annotate::set::{Filter, TagColours};
use crate::domain::annotate::textmap::TextMap;
use crate::domain::text::fold::{fold, fold_accents};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What the notebook keeps of one annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The annotation's id.
    pub id: String,
    /// Its article's place in the library's order.
    pub article: usize,
    /// The first sentence it covers (where opening it goes).
    pub sentence: usize,
    /// Its start in the article text, in code points (document order).
    pub start: u32,
    /// The quoted text.
    pub quote: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its note.
    pub note: String,
    /// Its own colour (a tag's colour may override it).
    pub colour: Colour,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// When it was last changed.
    pub updated: DateTime<Utc>,
    /// Whether its text was not found in the article (shown last).
    pub orphan: bool,
    /// Its quote and note folded, one after the other (what the text
    /// filter looks in, folded once rather than at every keystroke).
    pub folded: String,
}

impl Item {
    /// The item for `a`, of the article at `article` in library order.
    pub fn new(a: &Annotation, article: usize) -> Self {
        Self {
            id: a.id.clone(),
            article,
            sentence: a.target.sentences[0] as usize,
            start: a.target.position.start,
            quote: a.target.quote.exact.clone(),
            tags: a.tags.clone(),
            note: a.note.clone(),
            colour: a.colour,
            created: a.created,
            updated: a.updated,
            orphan: a.orphan,
            folded: folded(&a.target.quote.exact, &a.note),
        }
    }
}

/// A quote and a note folded, kept apart so no match spans both.
pub fn folded(quote: &str, note: &str) -> String {
    format!("{}\u{0}{}", fold(quote), fold(note))
}

/// How the notebook groups its items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Group {
    /// Under each article.
    #[default]
    Article,
    /// Under each tag.
    Tag,
}

impl Group {
    /// Its value in the page's menu.
    pub fn key(self) -> &'static str {
        match self {
            Group::Article => "article",
            Group::Tag => "tag",
        }
    }

    /// The group for a menu value.
    pub fn from_key(key: &str) -> Option<Self> {
        [Group::Article, Group::Tag]
            .into_iter()
            .find(|g| g.key() == key)
    }
}

/// What the notebook shows: the panel's filter, a range of creation
/// times (both ends included) and the grouping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// Tag, colour and text, as in the panel.
    pub filter: Filter,
    /// Only annotations made at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only annotations made at or before this time.
    pub to: Option<DateTime<Utc>>,
    /// How to group.
    pub group: Group,
}

impl View {
    /// Whether `item` passes the filter and the date range.
    pub fn keeps(&self, item: &Item, colours: &TagColours) -> bool {
        self.from.is_none_or(|f| item.created >= f)
            && self.to.is_none_or(|t| item.created <= t)
            && self
                .filter
                .matches_parts(&item.tags, item.colour, colours, |q| {
                    item.folded.contains(q)
                })
    }

    /// Whether nothing is filtered out.
    pub fn is_unfiltered(&self) -> bool {
        self.filter.is_empty() && self.from.is_none() && self.to.is_none()
    }
}

/// One row of the notebook.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Row {
    /// A group's heading: an article (its place in library order) or a tag
    /// (its spelling; `None` for the untagged), with how many items follow.
    Heading {
        /// What the group is.
        group: Heading,
        /// How many items it holds.
        count: usize,
    },
    /// An item, by its index in the item list.
    Item(usize),
}

/// What a group heading names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Heading {
    /// The article at this place in library order.
    Article(usize),
    /// A tag, as first spelled; `None` for annotations without a tag.
    Tag(Option<String>),
}

/// The rows for `items` under `view` (see the module docs), and how many
/// distinct items they show.
pub fn rows(items: &[Item], view: &View, colours: &TagColours) -> (Vec<Row>, usize) {
    let mut kept: Vec<usize> = (0..items.len())
        .filter(|&i| view.keeps(&items[i], colours))
        .collect();
    let shown = kept.len();
    // Nearly free when the items come in this order already.
    kept.sort_by(|&a, &b| document_order(&items[a], &items[b]));
    let mut out = Vec::new();
    match view.group {
        Group::Article => {
            let mut at = 0;
            while at < kept.len() {
                let article = items[kept[at]].article;
                let end = at
                    + kept[at..]
                        .iter()
                        .take_while(|&&i| items[i].article == article)
                        .count();
                out.push(Row::Heading {
                    group: Heading::Article(article),
                    count: end - at,
                });
                out.extend(kept[at..end].iter().map(|&i| Row::Item(i)));
                at = end;
            }
        }
        Group::Tag => {
            // Folded key → (first spelling, items).
            let mut groups: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
            let mut untagged = Vec::new();
            for &i in &kept {
                let it = &items[i];
                if it.tags.is_empty() {
                    untagged.push(i);
                }
                let mut seen: Vec<String> = Vec::new();
                for t in &it.tags {
                    let key = tag_key(t);
                    if seen.contains(&key) {
                        continue;
                    }
                    groups
                        .entry(key.clone())
                        .or_insert_with(|| (t.clone(), Vec::new()))
                        .1
                        .push(i);
                    seen.push(key);
                }
            }
            let mut ordered: Vec<(String, String, Vec<usize>)> = groups
                .into_iter()
                .map(|(key, (spelling, list))| {
                    (format!("{}\u{0}{key}", fold_accents(&spelling)), key, list)
                })
                .collect();
            ordered.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, key, list) in ordered {
                let spelling = list
                    .iter()
                    .flat_map(|&i| items[i].tags.iter())
                    .find(|t| tag_key(t) == key)
                    .cloned();
                out.push(Row::Heading {
                    group: Heading::Tag(spelling),
                    count: list.len(),
                });
                out.extend(list.into_iter().map(Row::Item));
            }
            if !untagged.is_empty() {
                out.push(Row::Heading {
                    group: Heading::Tag(None),
                    count: untagged.len(),
                });
                out.extend(untagged.into_iter().map(Row::Item));
            }
        }
    }
    (out, shown)
}

/// The items of one article from its live records (annotation id, raw
/// record), decoded against its text; also how many could not be read
/// (left out here, and reported by the reader when the article opens).
pub fn items_from_records(
    article: &str,
    place: usize,
    map: &TextMap,
    records: &[(String, String)],
) -> (Vec<Item>, usize) {
    let mut out = Vec::with_capacity(records.len());
    let mut bad = 0;
    for (id, raw) in records {
        match record::decode(article, id, raw, map) {
            Ok(Record::Live(a)) => out.push(Item::new(&a, place)),
            Ok(Record::Dead(_)) => {}
            Err(_) => bad += 1,
        }
    }
    (out, bad)
}

/// The order items are listed in: library order, then document order,
/// orphans last.
pub fn document_order(x: &Item, y: &Item) -> std::cmp::Ordering {
    (x.article, x.orphan, x.start, &x.id).cmp(&(y.article, y.orphan, y.start, &y.id))
}

/// The ids of the items `view` keeps (what an export of the notebook holds).
pub fn shown_ids(items: &[Item], view: &View, colours: &TagColours) -> Vec<String> {
    items
        .iter()
        .filter(|it| view.keeps(it, colours))
        .map(|it| it.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn t(day: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::days(20_000 + day)
    }

    fn item(id: &str, article: usize, start: u32, tags: &[&str], day: i64) -> Item {
        Item {
            id: id.into(),
            article,
            sentence: start as usize,
            start,
            quote: format!("quote of {id}"),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            note: String::new(),
            colour: Colour::Yellow,
            created: t(day),
            updated: t(day),
            orphan: false,
            folded: folded(&format!("quote of {id}"), ""),
        }
    }

    fn sample() -> Vec<Item> {
        vec![
            item("c", 1, 5, &["Économie"], 3),
            item("a", 0, 9, &["war", "economie"], 1),
            item("b", 0, 2, &[], 2),
            item("d", 1, 1, &["War"], 4),
        ]
    }

    fn labels(items: &[Item], rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| match r {
                Row::Heading {
                    group: Heading::Article(a),
                    count,
                } => format!("#article {a} ({count})"),
                Row::Heading {
                    group: Heading::Tag(t),
                    count,
                } => format!("#{} ({count})", t.as_deref().unwrap_or("no tag")),
                Row::Item(i) => items[*i].id.clone(),
            })
            .collect()
    }

    #[test]
    fn by_article_follows_library_then_document_order() {
        let items = sample();
        let (rows, shown) = rows(&items, &View::default(), &TagColours::default());
        assert_eq!(shown, 4);
        assert_eq!(
            labels(&items, &rows),
            ["#article 0 (2)", "b", "a", "#article 1 (2)", "d", "c"]
        );
    }

    #[test]
    fn by_tag_lists_an_annotation_under_each_tag_and_the_untagged_last() {
        let items = sample();
        let view = View {
            group: Group::Tag,
            ..View::default()
        };
        let (rows, shown) = rows(&items, &view, &TagColours::default());
        assert_eq!(shown, 4, "an item under two tags counts once");
        // "Économie" and "economie" are two tags (tags ignore case, not
        // accents); they sort together, ignoring accents.
        assert_eq!(
            labels(&items, &rows),
            [
                "#economie (1)",
                "a",
                "#Économie (1)",
                "c",
                "#war (2)",
                "a",
                "d",
                "#no tag (1)",
                "b"
            ]
        );
    }

    #[test]
    fn the_panel_filter_and_a_date_range_narrow_what_is_shown() {
        let mut items = sample();
        items[2].note = "A Zeppelin".into();
        items[2].folded = folded(&items[2].quote, &items[2].note);
        let mut colours = TagColours::default();
        colours.set("war", Some(Colour::Blue));
        let shown = |view: View| shown_ids(&items, &view, &colours);
        let tag = |t: &str| View {
            filter: Filter {
                tag: Some(t.into()),
                ..Filter::default()
            },
            ..View::default()
        };
        assert_eq!(shown(tag("WAR")), ["a", "d"]);
        let blue = View {
            filter: Filter {
                colour: Some(Colour::Blue),
                ..Filter::default()
            },
            ..View::default()
        };
        assert_eq!(shown(blue), ["a", "d"], "a tag's colour counts");
        let text = View {
            filter: Filter {
                text: "zeppelin".into(),
                ..Filter::default()
            },
            ..View::default()
        };
        assert_eq!(shown(text), ["b"]);
        let quote = View {
            filter: Filter {
                text: "QUOTE OF C".into(),
                ..Filter::default()
            },
            ..View::default()
        };
        assert_eq!(shown(quote), ["c"]);
        let range = View {
            from: Some(t(2)),
            to: Some(t(3)),
            ..View::default()
        };
        assert!(!range.is_unfiltered());
        assert_eq!(shown(range), ["c", "b"], "both ends included");
    }

    #[test]
    fn orphans_come_last_in_their_article() {
        let mut items = sample();
        items[2].orphan = true;
        let (rows, _) = rows(&items, &View::default(), &TagColours::default());
        assert_eq!(
            labels(&items, &rows),
            ["#article 0 (2)", "a", "b", "#article 1 (2)", "d", "c"]
        );
    }

    #[test]
    fn group_menu_values_round_trip() {
        for g in [Group::Article, Group::Tag] {
            assert_eq!(Group::from_key(g.key()), Some(g));
        }
        assert_eq!(Group::from_key("colour"), None);
    }
}
