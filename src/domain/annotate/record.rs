//! The compact stored form of one annotation, or of one tombstone: what
//! storage keeps under each annotation's own key (storage schema 3).
//!
//! An article's text never changes (its id is the fingerprint of that
//! text), so a record keeps the annotation's position and derives its
//! sentence range and quote (exact text, prefix, suffix) from the text
//! when read. Only what cannot be derived is kept:
//!
//! ```text
//! [1, start, end, code, created_ms, updated_ms]                 a plain highlight
//! [1, start, end, code, created_ms, updated_ms, tags, note]     with tags or a note
//! [1, start, end, code, created_ms, updated_ms, tags, note, x]  with extras
//! [0, deleted_ms]                                               a tombstone
//! ```
//!
//! - The first number is the record version ([`RECORD_VERSION`]); 0 marks
//!   a tombstone. A higher version was written by a newer build.
//! - `start`, `end`: the position in code points.
//! - `code`: the colour's shortcut digit (1–6), plus 10 for an exact span.
//! - Times are milliseconds since 1970 (UTC), the precision of every time
//!   Marginalia stores.
//! - `x`, rarely present: `{"q": [exact, prefix, suffix], "s": [first,
//!   last], "o": 1}`: the quote and the sentence range when they differ
//!   from what the text gives (always for an orphan, whose position refers
//!   to a text it was not found in), and the orphan flag.
//!
//! Invariant (property-tested): `decode(encode(a))` is `a`, for every
//! annotation of the article, anchored or not.

use crate::domain::annotate::annotation::{Annotation, Colour, Quote, Target, TargetKind};
use crate::domain::annotate::set::LoadError;
use crate::domain::annotate::textmap::TextMap;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of live records this build writes and reads.
pub const RECORD_VERSION: u64 = 1;

/// What one record holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A live annotation (boxed: a tombstone is a time).
    Live(Box<Annotation>),
    /// A deletion, at this time.
    Dead(DateTime<Utc>),
}

#[derive(Serialize, Deserialize, Default)]
struct Extras {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<(String, String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<[u32; 2]>,
    #[serde(default, skip_serializing_if = "is_zero")]
    o: u8,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn code(a: &Annotation) -> u32 {
    let digit = a.colour.digit().to_digit(10).unwrap_or(1);
    match a.target.kind {
        TargetKind::Sentences => digit,
        TargetKind::Span => digit + 10,
    }
}

/// The record of a live annotation of the article whose text is `map`.
pub fn encode(a: &Annotation, map: &TextMap) -> String {
    let p = a.target.position;
    let derived = (!a.orphan)
        .then(|| Target::at(map, a.target.kind, p.start, p.end))
        .flatten();
    let mut x = Extras::default();
    match &derived {
        Some(d) => {
            if d.quote != a.target.quote {
                x.q = Some(quote_tuple(&a.target.quote));
            }
            if d.sentences != a.target.sentences {
                x.s = Some(a.target.sentences);
            }
        }
        None => {
            x.q = Some(quote_tuple(&a.target.quote));
            x.s = Some(a.target.sentences);
        }
    }
    x.o = u8::from(a.orphan);
    let head = (
        RECORD_VERSION,
        p.start,
        p.end,
        code(a),
        ms(a.created),
        ms(a.updated),
    );
    let plain = x.q.is_none() && x.s.is_none() && x.o == 0;
    // Serialising numbers, strings and these structs cannot fail.
    let json = if plain && a.tags.is_empty() && a.note.is_empty() {
        serde_json::to_string(&head)
    } else if plain {
        serde_json::to_string(&(
            head.0, head.1, head.2, head.3, head.4, head.5, &a.tags, &a.note,
        ))
    } else {
        serde_json::to_string(&(
            head.0, head.1, head.2, head.3, head.4, head.5, &a.tags, &a.note, &x,
        ))
    };
    json.unwrap_or_default()
}

fn quote_tuple(q: &Quote) -> (String, String, String) {
    (q.exact.clone(), q.prefix.clone(), q.suffix.clone())
}

/// The record of a deletion at `at`.
pub fn encode_tombstone(at: DateTime<Utc>) -> String {
    format!("[0,{}]", ms(at))
}

/// Reads a record of annotation `id` of article `article` (text `map`).
/// One written by a newer build is [`LoadError::Newer`]; anything else
/// wrong is [`LoadError::Corrupt`], with the reason.
pub fn decode(article: &str, id: &str, raw: &str, map: &TextMap) -> Result<Record, LoadError> {
    let bad = |why: &str| LoadError::Corrupt(format!("annotation {id}: {why}"));
    let v: Vec<Value> = serde_json::from_str(raw).map_err(|e| bad(&e.to_string()))?;
    let num = |k: usize| v.get(k).and_then(Value::as_u64);
    let time = |k: usize| {
        v.get(k)
            .and_then(Value::as_i64)
            .and_then(DateTime::from_timestamp_millis)
            .ok_or_else(|| bad("a time is missing or out of range"))
    };
    let version = num(0).ok_or_else(|| bad("no record version"))?;
    match version {
        0 => return Ok(Record::Dead(time(1)?)),
        RECORD_VERSION => {}
        v if v > RECORD_VERSION => return Err(LoadError::Newer(v as u32)),
        _ => return Err(bad("unknown record version")),
    }
    let pos = |k: usize| {
        num(k)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad("the position is missing"))
    };
    let (start, end) = (pos(1)?, pos(2)?);
    if end <= start {
        return Err(bad("the position is empty"));
    }
    let c = num(3).ok_or_else(|| bad("no colour"))?;
    let (kind, digit) = match c {
        1..=6 => (TargetKind::Sentences, c),
        11..=16 => (TargetKind::Span, c - 10),
        _ => return Err(bad("unknown colour")),
    };
    let colour = Colour::from_digit(char::from(b'0' + digit as u8)).unwrap_or_default();
    let (created, updated) = (time(4)?, time(5)?);
    let tags: Vec<String> = match v.get(6) {
        None => Vec::new(),
        Some(t) => serde_json::from_value(t.clone()).map_err(|_| bad("tags are not strings"))?,
    };
    let note = match v.get(7) {
        None => String::new(),
        Some(n) => n
            .as_str()
            .ok_or_else(|| bad("the note is not text"))?
            .to_owned(),
    };
    let x: Extras = match v.get(8) {
        None => Extras::default(),
        Some(x) => serde_json::from_value(x.clone()).map_err(|_| bad("unreadable extras"))?,
    };
    let orphan = x.o != 0;
    let derived = (!orphan)
        .then(|| Target::at(map, kind, start, end))
        .flatten();
    let target = match (derived, x.q, x.s) {
        (Some(mut t), q, s) => {
            if let Some((exact, prefix, suffix)) = q {
                t.quote = Quote {
                    exact,
                    prefix,
                    suffix,
                };
            }
            if let Some(s) = s {
                t.sentences = s;
            }
            t
        }
        (None, Some((exact, prefix, suffix)), Some(sentences)) => Target {
            kind,
            sentences,
            quote: Quote {
                exact,
                prefix,
                suffix,
            },
            position: crate::domain::annotate::annotation::Position { start, end },
        },
        (None, ..) => return Err(bad("the position is outside the article's text")),
    };
    Ok(Record::Live(Box::new(Annotation {
        id: id.to_owned(),
        article: article.to_owned(),
        target,
        colour,
        tags,
        note,
        created,
        updated,
        orphan,
    })))
}

/// The tags of a live record, without reading the rest (for counting
/// tags across the library); none for anything unreadable.
pub fn tags_of(raw: &str) -> Vec<String> {
    // A plain record has no tags: skip parsing it.
    if raw.matches(',').count() < 6 {
        return Vec::new();
    }
    serde_json::from_str::<Vec<Value>>(raw)
        .ok()
        .and_then(|v| serde_json::from_value(v.get(6)?.clone()).ok())
        .unwrap_or_default()
}

/// What a live record says in words, without the article text: where it
/// starts (code points) and its note, tags and, for an orphan, its quote,
/// one per line (for searching the library). None for a plain highlight
/// or anything unreadable.
pub fn said_of(raw: &str) -> Option<(u32, String)> {
    if raw.matches(',').count() < 6 {
        return None;
    }
    let v: Vec<Value> = serde_json::from_str(raw).ok()?;
    if v.first()?.as_u64()? != RECORD_VERSION {
        return None;
    }
    let start = u32::try_from(v.get(1)?.as_u64()?).ok()?;
    let mut text = String::new();
    let mut line = |s: &str| {
        if !s.trim().is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(s);
        }
    };
    if let Some(note) = v.get(7).and_then(Value::as_str) {
        line(note);
    }
    if let Some(tags) = v.get(6).and_then(Value::as_array) {
        let tags: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
        line(&tags.join(", "));
    }
    if let Some(x) = v.get(8)
        && x.get("o").and_then(Value::as_u64).unwrap_or(0) != 0
        && let Some(q) = x.get("q").and_then(|q| q.get(0)).and_then(Value::as_str)
    {
        line(q);
    }
    (!text.is_empty()).then_some((start, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::article::{Article, NewArticle};
    use crate::domain::import::parse_text;
    use chrono::TimeDelta;

    fn map() -> TextMap {
        let a = Article::build(
            parse_text("Alpha one. Beta two. Gamma three.\n\nDelta four, with “quotes” and é."),
            NewArticle::default(),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        TextMap::new(&a)
    }

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
    }

    fn annotation(map: &TextMap, target: Target) -> Annotation {
        let mut a = Annotation::new(
            "id-1".into(),
            "art",
            target,
            Colour::Blue,
            t(1_764_547_200_123),
        );
        a.updated = t(1_764_547_260_456);
        let _ = map;
        a
    }

    #[test]
    fn a_plain_highlight_is_six_numbers_and_reads_back_with_its_quote() {
        let m = map();
        let a = annotation(&m, Target::sentences(&m, 1, 1).unwrap());
        let raw = encode(&a, &m);
        assert_eq!(raw, "[1,11,20,3,1764547200123,1764547260456]");
        assert_eq!(
            decode("art", "id-1", &raw, &m),
            Ok(Record::Live(Box::new(a)))
        );
    }

    #[test]
    fn tags_notes_spans_and_orphans_read_back_unchanged() {
        let m = map();
        let mut a = annotation(&m, Target::span(&m, 40, 47).unwrap());
        a.tags = vec!["Evidence".into(), "open \"question\"".into()];
        a.note = "Check <b>this</b>\nsecond line".into();
        let raw = encode(&a, &m);
        assert!(raw.starts_with("[1,"), "{raw}");
        assert!(
            !raw.contains("Delta"),
            "the quote is derived, not stored: {raw}"
        );
        assert_eq!(
            decode("art", "id-1", &raw, &m),
            Ok(Record::Live(Box::new(a.clone())))
        );
        a.orphan = true;
        a.target.position.start = 500;
        a.target.position.end = 520;
        let raw = encode(&a, &m);
        assert!(raw.contains("\"o\":1"), "{raw}");
        assert_eq!(
            decode("art", "id-1", &raw, &m),
            Ok(Record::Live(Box::new(a)))
        );
    }

    #[test]
    fn a_quote_that_differs_from_the_text_is_kept() {
        let m = map();
        let mut a = annotation(&m, Target::sentences(&m, 0, 0).unwrap());
        a.target.quote.prefix = "from another copy".into();
        let raw = encode(&a, &m);
        assert_eq!(
            decode("art", "id-1", &raw, &m),
            Ok(Record::Live(Box::new(a)))
        );
    }

    #[test]
    fn what_a_record_says_is_read_without_the_text() {
        let m = map();
        let mut a = annotation(&m, Target::span(&m, 40, 47).unwrap());
        assert_eq!(
            said_of(&encode(&a, &m)),
            None,
            "a plain highlight says nothing"
        );
        a.tags = vec!["Évidence".into(), "open".into()];
        a.note = "Check “this”".into();
        assert_eq!(
            said_of(&encode(&a, &m)),
            Some((
                a.target.position.start,
                "Check “this”\nÉvidence, open".into()
            ))
        );
        a.orphan = true;
        a.note.clear();
        let said = said_of(&encode(&a, &m)).unwrap();
        assert_eq!(
            said,
            (
                a.target.position.start,
                format!("Évidence, open\n{}", a.target.quote.exact)
            )
        );
        assert_eq!(said_of("[2,1,2,3,4,5,[\"x\"],\"n\"]"), None, "newer");
        assert_eq!(said_of("nonsense,,,,,,"), None);
    }

    #[test]
    fn a_tombstone_is_its_time() {
        let m = map();
        assert_eq!(encode_tombstone(t(42)), "[0,42]");
        assert_eq!(decode("art", "x", "[0,42]", &m), Ok(Record::Dead(t(42))));
    }

    #[test]
    fn a_newer_record_is_newer_and_bad_ones_say_what_is_wrong() {
        let m = map();
        assert_eq!(
            decode("art", "x", "[2,1,2,3,4,5]", &m),
            Err(LoadError::Newer(2))
        );
        for (raw, why) in [
            ("nonsense", "expected"),
            ("{}", "invalid type"),
            ("[1,20,11,3,0,0]", "empty"),
            ("[1,11,20,9,0,0]", "colour"),
            ("[1,11,20,3,0]", "time"),
            ("[1,9000,9010,3,0,0]", "outside"),
            ("[1,11,20,3,0,0,[1]]", "tags"),
            ("[1,11,20,3,0,0,[],7]", "note"),
            ("[0]", "time"),
        ] {
            match decode("art", "x", raw, &m) {
                Err(LoadError::Corrupt(r)) => assert!(r.contains(why), "{raw}: {r}"),
                other => panic!("{raw}: {other:?}"),
            }
        }
    }
}
