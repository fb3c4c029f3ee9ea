//! Properties of the stored records and of the reader's incremental marks,
//! over generated annotations on a text with non-ASCII characters:
//!
//! - a record reads back as the annotation it was written from, anchored
//!   or orphaned, with any quote, tags and note;
//! - after any sequence of edits, filing only the changed annotations
//!   again ([`MarksIndex::update`]) gives every sentence the same marks as
//!   working them all out from scratch, the document order the set keeps
//!   is the sorted one, and finding the annotations at, under or
//!   overlapping a place through it equals scanning them all.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::marks::{MarksIndex, sentence_marks};
use marginalia::domain::annotate::record::{Record, decode, encode};
use marginalia::domain::annotate::set::{AnnotationSet, TagColours};
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use proptest::prelude::*;

const TEXT: &str =
    "Alpha one. Beta “two” é. Gamma three!\n\nDelta 🧑‍🚀 four. Epsilon five.\n\nZeta six, the last.";

fn map() -> TextMap {
    let a = Article::build(
        parse_text(TEXT),
        NewArticle::default(),
        DateTime::UNIX_EPOCH,
    )
    .unwrap();
    TextMap::new(&a)
}

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
}

fn target(map: &TextMap, kind: u8, a: u32, b: u32) -> Option<Target> {
    let n = map.len();
    match kind {
        0 => Target::sentences(map, a as usize % n, b as usize % n),
        _ => {
            let len = map.char_len();
            Target::span(map, a % len, b % len)
        }
    }
}

proptest! {
    #[test]
    fn a_record_reads_back_as_the_annotation(
        kind in 0u8..2, a in 0u32..200, b in 0u32..200, colour in 0usize..6,
        created in 0i64..2_000_000_000_000, later in 0i64..1_000_000,
        tags in proptest::collection::vec("[a-zA-Zé \"\\\\,]{0,8}", 0..3),
        note in "[a-z<>\"\\n\\\\é🧑]{0,12}", orphan in any::<bool>(), odd_quote in any::<bool>(),
    ) {
        let m = map();
        let Some(target) = target(&m, kind, a, b) else { return Ok(()) };
        let mut x = Annotation::new("id".into(), "art", target, Colour::ALL[colour], t(created));
        x.updated = t(created + later);
        x.tags = tags;
        x.note = note;
        x.orphan = orphan;
        if orphan {
            x.target.position.start += 1000;
            x.target.position.end += 1000;
        }
        if odd_quote {
            x.target.quote.suffix.push('!');
        }
        let raw = encode(&x, &m);
        prop_assert_eq!(decode("art", "id", &raw, &m), Ok(Record::Live(Box::new(x))));
    }

    #[test]
    fn incremental_marks_equal_marks_worked_out_from_scratch(
        ops in proptest::collection::vec((0usize..5, 0u8..4, 0u32..120, 0u32..120, 0usize..6), 1..25),
    ) {
        let m = map();
        let tc = TagColours::default();
        let mut set = AnnotationSet::new("art");
        let mut index = MarksIndex::new(&m, &set);
        let mut shown = sentence_marks(&m, &set, &tc);
        for (k, (id, op, a, b, colour)) in ops.into_iter().enumerate() {
            let id = format!("a{id}");
            let now = t(k as i64 * 10);
            match op {
                0 | 1 => {
                    if let Some(target) = target(&m, op, a, b) {
                        let mut x = Annotation::new(id.clone(), "art", target, Colour::ALL[colour], now);
                        if a % 3 == 0 { x.note = "n".into(); }
                        if b % 2 == 0 { x.tags = vec![format!("t{}", a % 3)]; }
                        if b % 3 == 0 { x.tags.push(format!("T{}", b % 2)); }
                        set.put(x);
                    }
                }
                2 => { set.remove(&id, now); }
                _ => { set.update(&id, now, |x| { x.colour = Colour::ALL[colour]; x.tags.retain(|t| !t.ends_with('1')); }); }
            }
            let touched = set.take_touched();
            for s in index.update(&m, &set, touched.iter().map(String::as_str)) {
                shown[s] = index.marks(&m, &set, &tc, s);
            }
            prop_assert_eq!(&shown, &sentence_marks(&m, &set, &tc));
            // The kept document order is the sorted one.
            let mut sorted: Vec<&Annotation> = set.items().collect();
            sorted.sort_by(|a, b| {
                let (pa, pb) = (a.target.position, b.target.position);
                pa.start.cmp(&pb.start).then(pb.end.cmp(&pa.end))
                    .then(a.created.cmp(&b.created)).then(a.id.cmp(&b.id))
            });
            prop_assert_eq!(set.in_document_order(), sorted);
            // The kept tag counts equal counting them again.
            let mut counted = std::collections::BTreeMap::new();
            marginalia::domain::annotate::set::add_tag_counts(&mut counted, set.items());
            let uses = |c: &std::collections::BTreeMap<String, (String, usize)>| -> Vec<(String, usize)> {
                c.iter().map(|(k, (_, n))| (k.clone(), *n)).collect()
            };
            prop_assert_eq!(uses(&set.tag_counts()), uses(&counted));
            // Finding annotations near a place equals scanning them all.
            if let Some(t) = target(&m, (a % 2) as u8, b, a) {
                let all: Vec<&Annotation> = set.items().filter(|x| !x.orphan).collect();
                let mut over: Vec<&str> = set.overlapping(&t).iter().map(|x| x.id.as_str()).collect();
                let mut want: Vec<&str> = all.iter().filter(|x| x.target.overlaps(&t)).map(|x| x.id.as_str()).collect();
                over.sort();
                want.sort();
                prop_assert_eq!(over, want);
                let same = all.iter().filter(|x| x.target.same_place(&t)).max_by(|x, y| x.updated.cmp(&y.updated).then(x.id.cmp(&y.id)));
                prop_assert_eq!(set.at_same_place(&t).map(|x| &x.id), same.map(|x| &x.id));
                let len = |x: &Annotation| x.target.position.end - x.target.position.start;
                let under = same.copied().or_else(|| all.iter().filter(|x| x.target.contains(&t))
                    .min_by(|x, y| len(x).cmp(&len(y)).then(y.updated.cmp(&x.updated)).then(x.id.cmp(&y.id))).copied());
                prop_assert_eq!(set.under(&t).map(|x| &x.id), under.map(|x| &x.id));
            }
        }
    }
}
