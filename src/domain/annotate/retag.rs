//! The library-wide tag manager, as pure rules: renaming, merging and
//! deleting a tag across every annotation of the library, undoing that,
//! and what each tag is used for.
//!
//! It works on the **raw live records** (the strings stored under
//! `marginalia:a:<short>:<id>`, see [`super::record`]), not on decoded
//! annotations: decoding a record needs its article's text, which is
//! stored elsewhere, and a tag operation needs none of it. A record is
//! read as a JSON array; only its tags (element 6) and its `updated` time
//! (element 5) are changed, and it is written back in the compact form
//! [`super::record::encode`] writes (the note, element 7, and the extras
//! object, element 8, are kept as they are). A record of six elements has
//! no tags and is never changed. A record that is not readable this way,
//! or whose record version is not [`RECORD_VERSION`], is left alone and
//! reported as skipped: it is never rewritten.
//!
//! Rules, each as the rest of the app has them:
//!
//! - Tags are matched by [`tag_key`]: ignoring case (accents count:
//!   "Café" and "cafe" are two tags, "Café" and "CAFÉ" one).
//! - A new name is cleaned as [`parse_tags`] cleans one tag (whitespace
//!   collapsed, control characters dropped, cut to
//!   [`super::annotation::MAX_TAG_CHARS`]); an empty one, or one with a
//!   comma (commas separate tags), is refused.
//! - **Rename** `from` → `to`: each annotation with `from` gets `to` where
//!   `from` was in its list. An annotation that has both keeps the one
//!   that came first and drops the other, so renaming onto an existing tag
//!   merges the two. When `to` is another tag already in the library, that
//!   tag's library spelling is kept (as [`super::annotation::merge_tags`]
//!   keeps it); when `to` is `from` in another case, the new spelling is
//!   applied everywhere: that is how a tag's spelling is changed.
//! - **Merge** several tags into one: renaming each of them onto it.
//! - **Delete**: the tag is taken off every annotation that has it; the
//!   annotations stay.
//! - A rewritten record's `updated` becomes `max(now, updated + 1 ms)`, so
//!   the multi-tab merge (newest `updated` wins) takes it.
//! - Tag colours ([`TagColours`], by folded tag): a renamed or merged tag's
//!   colour moves to the new name unless that has one, and the old name's
//!   colour goes; a deleted tag's colour goes.
//! - Undo puts back the records the operation wrote, but only those still
//!   exactly as it left them (one edited or deleted since is left alone and
//!   reported), stamped later again, and each colour the operation changed
//!   that nobody changed since.
//!
//! A tag's displayed spelling is that of its oldest use (earliest
//! `created`, then the record key), so it is the same in every tab.

use crate::domain::annotate::annotation::{parse_tags, tag_key};
use crate::domain::annotate::record::RECORD_VERSION;
use crate::domain::annotate::set::TagColours;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A change to one tag across the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagOp {
    /// Every use of `from` becomes `to`.
    Rename {
        /// The tag renamed (matched ignoring case).
        from: String,
        /// Its new name (cleaned as a typed tag).
        to: String,
    },
    /// Every use of each tag of `from` becomes `into`.
    Merge {
        /// The tags merged (matched ignoring case).
        from: Vec<String>,
        /// The tag they become (cleaned as a typed tag).
        into: String,
    },
    /// The tag is taken off every annotation.
    Delete {
        /// The tag deleted (matched ignoring case).
        tag: String,
    },
}

/// Why a tag operation was refused before anything was looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetagError {
    /// The new name is empty once cleaned.
    EmptyName,
    /// The new name has a comma, which separates tags.
    Comma,
    /// A merge names no tag to merge.
    NothingToMerge,
}

impl fmt::Display for RetagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmptyName => "The new tag name is empty. Type a name for the tag.",
            Self::Comma => {
                "A tag name cannot contain a comma, because commas separate tags. Choose a name without one."
            }
            Self::NothingToMerge => "Choose at least one tag to merge.",
        })
    }
}

impl std::error::Error for RetagError {}

impl TagOp {
    /// Checks the operation's input without looking at the library: the
    /// new name, cleaned, is not empty and has no comma; a merge names at
    /// least one tag.
    pub fn check(&self) -> Result<(), RetagError> {
        Keys::of(self).map(|_| ())
    }
}

/// A new tag name cleaned as [`parse_tags`] cleans one typed tag; refused
/// when empty or when it holds a comma.
pub fn clean_name(name: &str) -> Result<String, RetagError> {
    if name.contains(',') {
        return Err(RetagError::Comma);
    }
    parse_tags(name)
        .into_iter()
        .next()
        .ok_or(RetagError::EmptyName)
}

/// One stored live record, as the storage edge hands it over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    /// Its key.
    pub key: String,
    /// What groups records by article (the `<short>` of the key).
    pub article: String,
    /// The record, as stored.
    pub raw: String,
}

/// One record an operation rewrites (or an undo puts back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordChange {
    /// Its key.
    pub key: String,
    /// Its article group, as in [`RawRecord::article`].
    pub article: String,
    /// The record before.
    pub old: String,
    /// The record written.
    pub new: String,
}

/// What a tag operation writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetagPlan {
    /// The records rewritten, in the order given.
    pub changes: Vec<RecordChange>,
    /// Keys of records that could not be read and were left alone.
    pub skipped: Vec<String>,
    /// The tag colours before.
    pub colours_before: TagColours,
    /// The tag colours after.
    pub colours_after: TagColours,
}

impl RetagPlan {
    /// Whether the operation changes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.colours_before == self.colours_after
    }

    /// How many articles have a rewritten record.
    pub fn articles(&self) -> usize {
        self.changes
            .iter()
            .map(|c| c.article.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    }
}

/// The operation's tags as folded keys, and the new name if any.
struct Keys {
    /// The folded tags changed, each once, in the order given.
    from: Vec<String>,
    /// For a rename or merge: the new name's folded key and the name.
    into: Option<(String, String)>,
}

impl Keys {
    fn of(op: &TagOp) -> Result<Keys, RetagError> {
        match op {
            TagOp::Rename { from, to } => {
                let to = clean_name(to)?;
                Ok(Keys {
                    from: folded([from]),
                    into: Some((tag_key(&to), to)),
                })
            }
            TagOp::Merge { from, into } => {
                let into = clean_name(into)?;
                let from = folded(from);
                if from.is_empty() {
                    return Err(RetagError::NothingToMerge);
                }
                Ok(Keys {
                    from,
                    into: Some((tag_key(&into), into)),
                })
            }
            TagOp::Delete { tag } => Ok(Keys {
                from: folded([tag]),
                into: None,
            }),
        }
    }
}

/// The folded keys of `tags`, blank ones left out, each once, in order.
fn folded<'a>(tags: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.into_iter().filter(|t| !t.trim().is_empty()) {
        let k = tag_key(t);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// A live record read without its article's text.
struct Live {
    items: Vec<Value>,
    tags: Vec<String>,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

fn time_at(items: &[Value], k: usize) -> Option<DateTime<Utc>> {
    items
        .get(k)?
        .as_i64()
        .and_then(DateTime::from_timestamp_millis)
}

fn is_u32(v: &Value) -> bool {
    v.as_u64().is_some_and(|n| u32::try_from(n).is_ok())
}

/// Whether an extras object has the shape [`super::record::decode`] reads.
fn extras_readable(x: &Map<String, Value>) -> bool {
    let q = match x.get("q") {
        None | Some(Value::Null) => true,
        Some(Value::Array(q)) => q.len() == 3 && q.iter().all(Value::is_string),
        Some(_) => false,
    };
    let s = match x.get("s") {
        None | Some(Value::Null) => true,
        Some(Value::Array(s)) => s.len() == 2 && s.iter().all(is_u32),
        Some(_) => false,
    };
    let o = x
        .get("o")
        .is_none_or(|o| o.as_u64().is_some_and(|n| n <= u64::from(u8::MAX)));
    q && s && o
}

/// Reads a live record of the current version, checking what can be
/// checked without the article's text; `None` for anything else.
fn read(raw: &str) -> Option<Live> {
    let items: Vec<Value> = serde_json::from_str(raw).ok()?;
    if items.first()?.as_u64()? != RECORD_VERSION {
        return None;
    }
    let (start, end) = (items.get(1)?.as_u64()?, items.get(2)?.as_u64()?);
    if !is_u32(&items[1]) || !is_u32(&items[2]) || end <= start {
        return None;
    }
    if !matches!(items.get(3)?.as_u64()?, 1..=6 | 11..=16) {
        return None;
    }
    let (created, updated) = (time_at(&items, 4)?, time_at(&items, 5)?);
    let tags = match items.get(6) {
        None => Vec::new(),
        Some(Value::Array(tags)) => tags
            .iter()
            .map(|t| t.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    if items.get(7).is_some_and(|n| !n.is_string()) {
        return None;
    }
    if let Some(x) = items.get(8)
        && !x.as_object().is_some_and(extras_readable)
    {
        return None;
    }
    Some(Live {
        items,
        tags,
        created,
        updated,
    })
}

/// The time a rewrite of a record last updated at `updated` is stamped
/// with: `now`, or a millisecond after `updated` if that is later.
fn stamp(now: DateTime<Utc>, updated: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let ms = now
        .timestamp_millis()
        .max(updated.timestamp_millis().saturating_add(1));
    DateTime::from_timestamp_millis(ms)
}

/// The extras object in the order [`super::record::encode`] writes its
/// fields (`q`, `s`, `o`), any other field after them.
fn write_extras(out: &mut String, x: &Map<String, Value>) -> Option<()> {
    const KNOWN: [&str; 3] = ["q", "s", "o"];
    let order = KNOWN
        .into_iter()
        .filter(|k| x.contains_key(*k))
        .chain(x.keys().map(String::as_str).filter(|k| !KNOWN.contains(k)));
    out.push('{');
    for (n, k) in order.enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(k).ok()?);
        out.push(':');
        out.push_str(&serde_json::to_string(x.get(k)?).ok()?);
    }
    out.push('}');
    Some(())
}

/// A record's elements as compact JSON, as [`super::record::encode`]
/// writes them.
fn write(items: &[Value]) -> Option<String> {
    let mut out = String::from("[");
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match (i, v) {
            (8, Value::Object(x)) => write_extras(&mut out, x)?,
            _ => out.push_str(&serde_json::to_string(v).ok()?),
        }
    }
    out.push(']');
    Some(out)
}

/// `live` with these tags, updated at `updated`, as a record.
fn rewrite(live: &Live, tags: &[String], updated: DateTime<Utc>) -> Option<String> {
    let mut items = live.items.clone();
    *items.get_mut(5)? = Value::from(updated.timestamp_millis());
    *items.get_mut(6)? = Value::Array(tags.iter().cloned().map(Value::String).collect());
    // With no tags, no note and no extras, encode writes six numbers.
    let no_note = items.get(7).is_none_or(|n| n.as_str() == Some(""));
    if tags.is_empty() && items.len() <= 8 && no_note {
        items.truncate(6);
    }
    write(&items)
}

/// A tag's use: when the annotation was made, its record key and the
/// tag's spelling there.
type Use<'a> = (DateTime<Utc>, &'a str, String);

/// The spelling of the oldest use of each folded tag: earliest `created`,
/// then the smallest record key.
fn spellings<'a>(lives: &[(&'a RawRecord, Live)]) -> BTreeMap<String, Use<'a>> {
    let mut out: BTreeMap<String, Use<'a>> = BTreeMap::new();
    for &(r, ref live) in lives {
        for t in &live.tags {
            let candidate = (live.created, r.key.as_str(), t.clone());
            match out.get_mut(&tag_key(t)) {
                Some(best) if (best.0, best.1) <= (candidate.0, candidate.1) => {}
                Some(best) => *best = candidate,
                None => {
                    out.insert(tag_key(t), candidate);
                }
            }
        }
    }
    out
}

/// `tags` with the operation applied; unchanged when it has none of the
/// tags changed.
fn apply(tags: &[String], from: &[String], into: Option<(&str, &str)>) -> Vec<String> {
    if !tags.iter().any(|t| from.contains(&tag_key(t))) {
        return tags.to_vec();
    }
    let mut out = Vec::with_capacity(tags.len());
    let mut placed = false;
    for t in tags {
        let k = tag_key(t);
        let hit = from.contains(&k);
        match into {
            None if hit => {}
            Some((key, spelling)) if hit || k == key => {
                if !placed {
                    out.push(spelling.to_owned());
                    placed = true;
                }
            }
            _ => out.push(t.clone()),
        }
    }
    out
}

/// The tag colours after `op`: a renamed or merged tag's colour moves to
/// the new name unless that has one already, and the old names lose
/// theirs; a deleted tag loses its colour. Refuses bad input as
/// [`TagOp::check`] does.
pub fn recolour(op: &TagOp, colours: &TagColours) -> Result<TagColours, RetagError> {
    let keys = Keys::of(op)?;
    Ok(recolour_keys(&keys, colours))
}

fn recolour_keys(keys: &Keys, colours: &TagColours) -> TagColours {
    let mut out = colours.clone();
    for k in &keys.from {
        match &keys.into {
            Some((into, _)) if into == k => {}
            Some((into, _)) => {
                if out.get(into).is_none() {
                    out.set(into, colours.get(k));
                }
                out.set(k, None);
            }
            None => out.set(k, None),
        }
    }
    out
}

/// What `op` writes to the library's live `records` and to its tag
/// `colours`, at `now`. Records that change are listed in the order
/// given; unreadable ones are skipped. An operation that matches no tag
/// gives an empty plan, not an error; bad input is refused.
pub fn plan(
    op: &TagOp,
    records: &[RawRecord],
    colours: &TagColours,
    now: DateTime<Utc>,
) -> Result<RetagPlan, RetagError> {
    let keys = Keys::of(op)?;
    let mut skipped = Vec::new();
    let mut lives = Vec::with_capacity(records.len());
    for r in records {
        match read(&r.raw) {
            Some(live) => lives.push((r, live)),
            None => skipped.push(r.key.clone()),
        }
    }
    let into = keys.into.as_ref().map(|(key, name)| {
        let spelling = if keys.from.contains(key) {
            name.clone()
        } else {
            spellings(&lives)
                .remove(key)
                .map_or_else(|| name.clone(), |(.., s)| s)
        };
        (key.as_str(), spelling)
    });
    let into = into.as_ref().map(|(k, s)| (*k, s.as_str()));
    let mut changes = Vec::new();
    for (r, live) in &lives {
        let tags = apply(&live.tags, &keys.from, into);
        if tags == live.tags {
            continue;
        }
        match stamp(now, live.updated).and_then(|at| rewrite(live, &tags, at)) {
            Some(new) => changes.push(RecordChange {
                key: r.key.clone(),
                article: r.article.clone(),
                old: r.raw.clone(),
                new,
            }),
            None => skipped.push(r.key.clone()),
        }
    }
    Ok(RetagPlan {
        changes,
        skipped,
        colours_before: colours.clone(),
        colours_after: recolour_keys(&keys, colours),
    })
}

/// What undoing an operation writes to the records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UndoPlan {
    /// Each record put back: key and record.
    pub writes: Vec<(String, String)>,
    /// Keys of records changed since the operation, left alone.
    pub edited: Vec<String>,
    /// Keys of records deleted since the operation, left alone.
    pub gone: Vec<String>,
}

/// Undoing the records of an operation that wrote `changes`, with
/// `current` what is stored now under those keys (a key missing from it
/// holds nothing): each record still exactly as the operation left it
/// gets its old record back, its `updated` stamped at `max(now, updated
/// + 1 ms)` again so every tab takes it; the others are left alone.
pub fn plan_undo(
    changes: &[RecordChange],
    current: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> UndoPlan {
    let mut out = UndoPlan::default();
    for c in changes {
        let Some(stored) = current.get(&c.key) else {
            out.gone.push(c.key.clone());
            continue;
        };
        let back = (stored == &c.new)
            .then(|| {
                let (old, now_live) = (read(&c.old)?, read(stored)?);
                let mut items = old.items;
                *items.get_mut(5)? = Value::from(stamp(now, now_live.updated)?.timestamp_millis());
                write(&items)
            })
            .flatten();
        match back {
            Some(raw) => out.writes.push((c.key.clone(), raw)),
            None => out.edited.push(c.key.clone()),
        }
    }
    out
}

/// The tag colours after undoing an operation that turned `before` into
/// `after`, with `current` the colours stored now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColoursUndo {
    /// The colours to store.
    pub colours: TagColours,
    /// Folded tags whose colour was changed since the operation and is
    /// left as it is now.
    pub kept: Vec<String>,
}

/// Puts back each tag colour the operation changed (from `before` to
/// `after`) unless it was changed again since (it differs from `after` in
/// `current`); every other colour stays as in `current`.
pub fn undo_colours(before: &TagColours, after: &TagColours, current: &TagColours) -> ColoursUndo {
    let touched: BTreeSet<&String> = before
        .iter()
        .chain(after.iter())
        .map(|(k, _)| k)
        .filter(|k| before.get(k) != after.get(k))
        .collect();
    let mut out = ColoursUndo {
        colours: current.clone(),
        kept: Vec::new(),
    };
    for k in touched {
        if current.get(k) == after.get(k) {
            out.colours.set(k, before.get(k));
        } else {
            out.kept.push(k.clone());
        }
    }
    out
}

/// What one tag is used for across the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagStats {
    /// The folded tag, what it is matched and grouped by.
    pub key: String,
    /// Its displayed spelling: that of its oldest use.
    pub tag: String,
    /// How many annotations carry it.
    pub annotations: usize,
    /// In how many articles.
    pub articles: usize,
    /// When the oldest annotation carrying it was made.
    pub first_used: DateTime<Utc>,
    /// When an annotation carrying it was last changed.
    pub last_used: DateTime<Utc>,
}

/// Every tag of the library's live `records`, most used first, then by
/// folded name. Unreadable records are left out; a tag repeated in one
/// annotation counts once.
pub fn tag_stats(records: &[RawRecord]) -> Vec<TagStats> {
    let lives: Vec<(&RawRecord, Live)> = records
        .iter()
        .filter_map(|r| Some((r, read(&r.raw)?)))
        .collect();
    let mut spelled = spellings(&lives);
    struct Acc<'a> {
        annotations: usize,
        articles: BTreeSet<&'a str>,
        first: DateTime<Utc>,
        last: DateTime<Utc>,
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for (r, live) in &lives {
        let keys: BTreeSet<String> = live.tags.iter().map(|t| tag_key(t)).collect();
        for k in keys {
            let e = acc.entry(k).or_insert_with(|| Acc {
                annotations: 0,
                articles: BTreeSet::new(),
                first: live.created,
                last: live.updated,
            });
            e.annotations += 1;
            e.articles.insert(r.article.as_str());
            e.first = e.first.min(live.created);
            e.last = e.last.max(live.updated);
        }
    }
    let mut out: Vec<TagStats> = acc
        .into_iter()
        .map(|(key, e)| TagStats {
            tag: spelled
                .remove(&key)
                .map_or_else(|| key.clone(), |(.., s)| s),
            key,
            annotations: e.annotations,
            articles: e.articles.len(),
            first_used: e.first,
            last_used: e.last,
        })
        .collect();
    out.sort_by(|a, b| b.annotations.cmp(&a.annotations).then(a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotate::annotation::{Annotation, Colour, Target};
    use crate::domain::annotate::record::{self, Record};
    use crate::domain::annotate::textmap::TextMap;
    use crate::domain::article::{Article, NewArticle};
    use crate::domain::import::parse_text;
    use chrono::TimeDelta;

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
    }

    fn map() -> TextMap {
        let a = Article::build(
            parse_text("Alpha one. Beta two. Gamma three.\n\nDelta four, with “quotes” and é."),
            NewArticle::default(),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        TextMap::new(&a)
    }

    /// An annotation of sentence `sentence`, made at `created` ms and
    /// last changed a second later, with these tags.
    fn ann(id: &str, sentence: usize, created: i64, tags: &[&str]) -> Annotation {
        let m = map();
        let mut a = Annotation::new(
            id.into(),
            "art",
            Target::sentences(&m, sentence, sentence).unwrap(),
            Colour::Green,
            t(created),
        );
        a.updated = t(created + 1_000);
        a.tags = tags.iter().map(|s| (*s).to_owned()).collect();
        a
    }

    fn rec(article: &str, a: &Annotation) -> RawRecord {
        RawRecord {
            key: format!("marginalia:a:{article}:{}", a.id),
            article: article.into(),
            raw: record::encode(a, &map()),
        }
    }

    fn decoded(raw: &str) -> Annotation {
        match record::decode("art", "id", raw, &map()) {
            Ok(Record::Live(a)) => *a,
            other => panic!("{raw}: {other:?}"),
        }
    }

    fn rename(from: &str, to: &str) -> TagOp {
        TagOp::Rename {
            from: from.into(),
            to: to.into(),
        }
    }

    fn run(op: &TagOp, records: &[RawRecord]) -> RetagPlan {
        plan(op, records, &TagColours::default(), t(10_000_000)).unwrap()
    }

    /// The tags of each changed record, by key.
    fn new_tags(p: &RetagPlan) -> BTreeMap<String, Vec<String>> {
        p.changes
            .iter()
            .map(|c| (c.key.clone(), decoded(&c.new).tags))
            .collect()
    }

    #[test]
    fn a_rename_keeps_the_tag_where_it_was_in_the_list() {
        let a = ann("a", 0, 1, &["first", "towns", "last"]);
        let p = run(&rename("Towns", "cities"), &[rec("s1", &a)]);
        assert_eq!(
            new_tags(&p).into_values().next().unwrap(),
            ["first", "cities", "last"]
        );
    }

    #[test]
    fn a_rewritten_record_is_what_encode_writes_and_decodes_back() {
        let m = map();
        let mut plain = ann("a", 1, 1, &["old", "keep"]);
        plain.note = "a note with \"quotes\"".into();
        let mut odd = ann("b", 2, 2, &["old"]);
        odd.orphan = true;
        odd.target.position.start = 500;
        odd.target.position.end = 520;
        for a in [plain, odd] {
            let p = run(&rename("old", "new"), &[rec("s", &a)]);
            let new = &p.changes[0].new;
            let mut expected = a.clone();
            expected.tags[0] = "new".into();
            expected.updated = t(10_000_000);
            assert_eq!(*new, record::encode(&expected, &m));
            assert_eq!(decoded(new).tags, expected.tags);
            assert_eq!(decoded(new).note, a.note);
        }
    }

    #[test]
    fn odd_characters_in_tags_are_escaped_and_read_back() {
        let a = ann("a", 0, 1, &["plain"]);
        for odd in [
            "say \"hi\"",
            "back\\slash",
            "emoji 🦀👩‍👩‍👧",
            "</script>",
            "naïve ÉTÉ",
        ] {
            let p = run(&rename("plain", odd), &[rec("s", &a)]);
            let new = &p.changes[0].new;
            assert_eq!(decoded(new).tags, [odd], "{new}");
            // And back again, from the odd name.
            let back = run(
                &rename(odd, "plain"),
                &[RawRecord {
                    key: "k".into(),
                    article: "s".into(),
                    raw: new.clone(),
                }],
            );
            assert_eq!(decoded(&back.changes[0].new).tags, ["plain"]);
        }
    }

    #[test]
    fn matching_ignores_case_but_not_accents() {
        let cafe = ann("a", 0, 1, &["cafe"]);
        let accented = ann("b", 1, 2, &["Café"]);
        let upper = ann("c", 2, 3, &["CAFÉ"]);
        let records = [rec("s", &cafe), rec("s", &accented), rec("s", &upper)];
        let p = run(&rename("café", "coffee"), &records);
        let tags = new_tags(&p);
        assert_eq!(tags.len(), 2, "{tags:?}");
        assert!(tags.values().all(|t| t == &["coffee"]));
        assert!(!tags.contains_key(&records[0].key));
    }

    #[test]
    fn renaming_onto_a_tag_the_annotation_has_drops_the_duplicate() {
        let both = ann("a", 0, 1, &["towns", "x", "Cities"]);
        let later = ann("b", 1, 2, &["cities", "towns"]);
        let p = run(
            &rename("towns", "cities"),
            &[rec("s", &both), rec("s", &later)],
        );
        let tags = new_tags(&p);
        // The library spelling of "cities" is that of its oldest use.
        assert_eq!(tags["marginalia:a:s:a"], ["Cities", "x"]);
        assert_eq!(tags["marginalia:a:s:b"], ["Cities"]);
    }

    #[test]
    fn merging_keeps_one_tag_in_the_place_of_the_first_merged() {
        let a = ann("a", 0, 1, &["b", "war", "c", "Battle", "conflict"]);
        let op = TagOp::Merge {
            from: vec!["war".into(), "battle".into()],
            into: "Conflict".into(),
        };
        let p = run(&op, &[rec("s", &a)]);
        // "conflict" is already used in the library: its spelling stays.
        assert_eq!(
            new_tags(&p).into_values().next().unwrap(),
            ["b", "conflict", "c"]
        );
    }

    #[test]
    fn renaming_to_another_tag_takes_its_library_spelling() {
        let older = ann("a", 0, 1, &["Kursk"]);
        let newer = ann("b", 1, 50, &["KURSK"]);
        let tagged = ann("c", 2, 100, &["submarine"]);
        let records = [rec("s", &older), rec("s", &newer), rec("t", &tagged)];
        let p = run(&rename("submarine", "kursk"), &records);
        assert_eq!(new_tags(&p)["marginalia:a:t:c"], ["Kursk"]);
        // An annotation that only has the target tag is not touched.
        assert_eq!(p.changes.len(), 1);
    }

    #[test]
    fn a_case_only_rename_applies_the_new_spelling_everywhere() {
        let a = ann("a", 0, 1, &["towns"]);
        let b = ann("b", 1, 2, &["x", "TOWNS"]);
        let c = ann("c", 2, 3, &["other"]);
        let p = run(
            &rename("towns", "Towns"),
            &[rec("s", &a), rec("s", &b), rec("t", &c)],
        );
        let tags = new_tags(&p);
        assert_eq!(tags["marginalia:a:s:a"], ["Towns"]);
        assert_eq!(tags["marginalia:a:s:b"], ["x", "Towns"]);
        assert_eq!(p.changes.len(), 2, "the unrelated record is untouched");
        assert_eq!(p.articles(), 1);
    }

    #[test]
    fn a_new_name_is_cleaned_like_a_typed_tag() {
        let a = ann("a", 0, 1, &["old"]);
        let p = run(&rename("old", "  new \t  name\u{7} "), &[rec("s", &a)]);
        assert_eq!(new_tags(&p).into_values().next().unwrap(), ["new name"]);
    }

    #[test]
    fn deleting_takes_the_tag_off_and_keeps_the_annotation_and_its_note() {
        let mut noted = ann("a", 0, 1, &["gone", "kept"]);
        noted.note = "note".into();
        let only = ann("b", 1, 2, &["GONE"]);
        let p = run(
            &TagOp::Delete { tag: "Gone".into() },
            &[rec("s", &noted), rec("s", &only)],
        );
        let tags = new_tags(&p);
        assert_eq!(tags["marginalia:a:s:a"], ["kept"]);
        assert_eq!(decoded(&p.changes[0].new).note, "note");
        assert!(tags["marginalia:a:s:b"].is_empty());
        // Nothing left but the highlight: six numbers, as encode writes it.
        let mut plain = only.clone();
        plain.tags.clear();
        plain.updated = t(10_000_000);
        assert_eq!(p.changes[1].new, record::encode(&plain, &map()));
        assert_eq!(p.changes[1].new.matches(',').count(), 5);
    }

    #[test]
    fn updated_moves_forward_even_past_a_fast_clock() {
        let recent = ann("a", 0, 1, &["x"]);
        let future = ann("b", 1, 50_000_000, &["x"]);
        let p = run(&rename("x", "y"), &[rec("s", &recent), rec("s", &future)]);
        assert_eq!(decoded(&p.changes[0].new).updated, t(10_000_000));
        assert_eq!(
            decoded(&p.changes[1].new).updated,
            future.updated + TimeDelta::milliseconds(1)
        );
        assert_eq!(decoded(&p.changes[1].new).created, future.created);
    }

    #[test]
    fn unrelated_records_are_untouched_and_unreadable_ones_skipped() {
        let tagged = ann("a", 0, 1, &["x"]);
        let plain = ann("b", 1, 2, &[]);
        let other = ann("c", 2, 3, &["y"]);
        let mut records = vec![rec("s", &tagged), rec("s", &plain), rec("s", &other)];
        for (id, raw) in [
            ("bad", "not json"),
            ("newer", "[2,1,2,3,4,5,[\"x\"],\"\"]"),
            ("dead", "[0,42]"),
            ("tags", "[1,11,20,3,0,0,[\"x\",7],\"\"]"),
            ("colour", "[1,11,20,9,0,0,[\"x\"],\"\"]"),
            ("extras", "[1,11,20,3,0,0,[\"x\"],\"\",{\"s\":[1]}]"),
        ] {
            records.push(RawRecord {
                key: id.into(),
                article: "s".into(),
                raw: raw.into(),
            });
        }
        let p = run(&rename("x", "z"), &records);
        assert_eq!(p.changes.len(), 1);
        assert_eq!(p.changes[0].key, records[0].key);
        assert_eq!(
            p.skipped,
            ["bad", "newer", "dead", "tags", "colour", "extras"]
        );
    }

    #[test]
    fn an_unknown_tag_or_a_rename_to_itself_changes_nothing() {
        let a = ann("a", 0, 1, &["Towns"]);
        let mut colours = TagColours::default();
        colours.set("towns", Some(Colour::Pink));
        for op in [
            rename("absent", "new"),
            rename("Towns", "Towns"),
            TagOp::Delete {
                tag: "absent".into(),
            },
        ] {
            let p = plan(&op, &[rec("s", &a)], &colours, t(5)).unwrap();
            assert!(p.is_empty(), "{op:?}: {p:?}");
        }
    }

    #[test]
    fn bad_input_is_refused_in_plain_words() {
        let cases = [
            (rename("a", "  "), RetagError::EmptyName),
            (rename("a", "b, c"), RetagError::Comma),
            (
                TagOp::Merge {
                    from: vec![],
                    into: "x".into(),
                },
                RetagError::NothingToMerge,
            ),
            (
                TagOp::Merge {
                    from: vec![" ".into()],
                    into: "x".into(),
                },
                RetagError::NothingToMerge,
            ),
            (
                TagOp::Merge {
                    from: vec!["a".into()],
                    into: "".into(),
                },
                RetagError::EmptyName,
            ),
        ];
        for (op, err) in cases {
            assert_eq!(op.check(), Err(err.clone()));
            assert_eq!(
                plan(&op, &[], &TagColours::default(), t(0)),
                Err(err.clone())
            );
            let msg = err.to_string();
            assert!(msg.ends_with('.') && msg.len() > 20, "{msg}");
        }
        assert!(TagOp::Delete { tag: "".into() }.check().is_ok());
    }

    #[test]
    fn colours_follow_a_rename_unless_the_new_name_has_one() {
        let mut c = TagColours::default();
        c.set("War", Some(Colour::Pink));
        c.set("battle", Some(Colour::Blue));
        c.set("other", Some(Colour::Green));
        let renamed = recolour(&rename("war", "Conflict"), &c).unwrap();
        assert_eq!(renamed.get("conflict"), Some(Colour::Pink));
        assert_eq!(renamed.get("war"), None);
        assert_eq!(renamed.get("other"), Some(Colour::Green));
        let onto = recolour(&rename("war", "battle"), &c).unwrap();
        assert_eq!(onto.get("battle"), Some(Colour::Blue), "the new name's own");
        assert_eq!(onto.get("war"), None);
        let merged = recolour(
            &TagOp::Merge {
                from: vec!["plain".into(), "battle".into(), "war".into()],
                into: "conflict".into(),
            },
            &c,
        )
        .unwrap();
        assert_eq!(
            merged.get("conflict"),
            Some(Colour::Blue),
            "the first with one"
        );
        assert_eq!((merged.get("battle"), merged.get("war")), (None, None));
        let case_only = recolour(&rename("war", "WAR"), &c).unwrap();
        assert_eq!(case_only, c);
        let deleted = recolour(&TagOp::Delete { tag: "WAR".into() }, &c).unwrap();
        assert_eq!(deleted.get("war"), None);
        assert_eq!(deleted.iter().count(), 2);
    }

    #[test]
    fn undo_puts_back_the_old_tags_stamped_later() {
        let a = ann("a", 0, 1, &["x", "towns"]);
        let records = [rec("s", &a)];
        let p = run(&rename("towns", "cities"), &records);
        let current: BTreeMap<String, String> = p
            .changes
            .iter()
            .map(|c| (c.key.clone(), c.new.clone()))
            .collect();
        let undo = plan_undo(&p.changes, &current, t(9));
        assert!(undo.edited.is_empty() && undo.gone.is_empty());
        let back = decoded(&undo.writes[0].1);
        assert_eq!(back.tags, ["x", "towns"]);
        // A clock that went back still moves the time forward.
        assert_eq!(back.updated, t(10_000_001));
        let mut expected = a.clone();
        expected.updated = back.updated;
        assert_eq!(undo.writes[0].1, record::encode(&expected, &map()));
    }

    #[test]
    fn undo_leaves_records_edited_or_deleted_since_alone() {
        let a = ann("a", 0, 1, &["towns"]);
        let b = ann("b", 1, 2, &["towns"]);
        let c = ann("c", 2, 3, &["towns"]);
        let p = run(
            &rename("towns", "cities"),
            &[rec("s", &a), rec("s", &b), rec("s", &c)],
        );
        let mut current: BTreeMap<String, String> = p
            .changes
            .iter()
            .map(|c| (c.key.clone(), c.new.clone()))
            .collect();
        let mut edited = decoded(&p.changes[1].new);
        edited.note = "written since".into();
        edited.updated += TimeDelta::seconds(1);
        current.insert(p.changes[1].key.clone(), record::encode(&edited, &map()));
        current.remove(&p.changes[2].key);
        let undo = plan_undo(&p.changes, &current, t(20_000_000));
        assert_eq!(undo.writes.len(), 1);
        assert_eq!(undo.writes[0].0, p.changes[0].key);
        assert_eq!(undo.edited, [p.changes[1].key.clone()]);
        assert_eq!(undo.gone, [p.changes[2].key.clone()]);
    }

    #[test]
    fn undo_puts_back_colours_nobody_changed_since() {
        let mut before = TagColours::default();
        before.set("war", Some(Colour::Pink));
        before.set("battle", Some(Colour::Blue));
        let op = TagOp::Merge {
            from: vec!["war".into(), "battle".into()],
            into: "conflict".into(),
        };
        let after = recolour(&op, &before).unwrap();
        assert_eq!(undo_colours(&before, &after, &after).colours, before);
        // Since then "conflict" was given another colour and a new tag one.
        let mut current = after.clone();
        current.set("conflict", Some(Colour::Green));
        current.set("fresh", Some(Colour::Purple));
        let undo = undo_colours(&before, &after, &current);
        assert_eq!(undo.kept, ["conflict"]);
        assert_eq!(undo.colours.get("conflict"), Some(Colour::Green));
        assert_eq!(undo.colours.get("war"), Some(Colour::Pink));
        assert_eq!(undo.colours.get("battle"), Some(Colour::Blue));
        assert_eq!(undo.colours.get("fresh"), Some(Colour::Purple));
    }

    #[test]
    fn stats_count_annotations_articles_and_first_and_last_use() {
        let records = [
            rec("s1", &ann("a", 0, 5_000, &["war", "Kursk"])),
            rec("s1", &ann("b", 1, 1_000, &["War", "WAR"])),
            rec("s2", &ann("c", 2, 9_000, &["war"])),
            rec("s2", &ann("d", 0, 2_000, &["navy"])),
            rec("s2", &ann("e", 1, 3_000, &[])),
            RawRecord {
                key: "bad".into(),
                article: "s3".into(),
                raw: "[".into(),
            },
        ];
        let stats = tag_stats(&records);
        let names: Vec<&str> = stats.iter().map(|s| s.tag.as_str()).collect();
        assert_eq!(names, ["War", "Kursk", "navy"], "by count, then name");
        let war = &stats[0];
        assert_eq!(
            (war.key.as_str(), war.annotations, war.articles),
            ("war", 3, 2)
        );
        assert_eq!(war.first_used, t(1_000));
        assert_eq!(war.last_used, t(10_000));
        assert_eq!(stats[1].articles, 1);
    }
}
