//! Properties of the multi-tab merge (`AnnotationSet::merge`), over
//! generated sets built by edits, deletions and restores from one shared
//! history, with times drawn from a small range so that equal timestamps
//! (the hard case) are common:
//!
//! - commutative: a ⊔ b = b ⊔ a;
//! - idempotent: a ⊔ a = a, and merging again changes nothing;
//! - associative: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c);
//! - nothing is lost: every id either side has live is live in the merge,
//!   unless a tombstone at least as new covers it, and then it is dead.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Position, Target, TargetKind};
use marginalia::domain::annotate::set::AnnotationSet;
use proptest::prelude::*;

fn t(s: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::seconds(s)
}

const IDS: &[&str] = &["a", "b", "c", "d", "e"];
const COLOURS: &[Colour] = &[Colour::Yellow, Colour::Green, Colour::Blue];

/// One step of a tab's history.
#[derive(Clone, Debug)]
enum Op {
    /// Creates (or overwrites) an annotation with this content and time.
    Put {
        id: usize,
        colour: usize,
        note: u8,
        at: i64,
    },
    /// Edits the note.
    Note { id: usize, note: u8, at: i64 },
    /// Deletes it.
    Remove { id: usize, at: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0..IDS.len();
    let at = 0i64..6;
    prop_oneof![
        (id.clone(), 0..COLOURS.len(), 0u8..3, at.clone()).prop_map(|(id, colour, note, at)| {
            Op::Put {
                id,
                colour,
                note,
                at,
            }
        }),
        (id.clone(), 0u8..3, at.clone()).prop_map(|(id, note, at)| Op::Note { id, note, at }),
        (id, at).prop_map(|(id, at)| Op::Remove { id, at }),
    ]
}

fn annotation(id: &str, colour: Colour, note: u8, at: i64) -> Annotation {
    let target = Target {
        kind: TargetKind::Sentences,
        sentences: [0, 0],
        quote: Default::default(),
        position: Position { start: 0, end: 5 },
    };
    let mut a = Annotation::new(id.into(), "art", target, colour, t(at));
    a.note = format!("note {note}");
    a
}

fn apply(set: &mut AnnotationSet, ops: &[Op]) {
    for op in ops {
        match *op {
            Op::Put {
                id,
                colour,
                note,
                at,
            } => {
                set.put(annotation(IDS[id], COLOURS[colour], note, at));
            }
            Op::Note { id, note, at } => {
                set.update(IDS[id], t(at), |a| a.note = format!("edited {note}"));
            }
            Op::Remove { id, at } => {
                set.remove(IDS[id], t(at));
            }
        }
    }
}

/// A tab's copy: a shared start, then its own edits.
fn tab() -> impl Strategy<Value = AnnotationSet> {
    (
        prop::collection::vec(op(), 0..8),
        prop::collection::vec(op(), 0..8),
    )
        .prop_map(|(shared, own)| {
            let mut s = AnnotationSet::new("art");
            apply(&mut s, &shared);
            apply(&mut s, &own);
            s
        })
}

fn merged(a: &AnnotationSet, b: &AnnotationSet) -> AnnotationSet {
    let mut m = a.clone();
    m.merge(b);
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merge_is_commutative(a in tab(), b in tab()) {
        prop_assert_eq!(merged(&a, &b), merged(&b, &a));
    }

    #[test]
    fn merge_is_idempotent(a in tab(), b in tab()) {
        prop_assert_eq!(merged(&a, &a), a.clone());
        let mut once = merged(&a, &b);
        prop_assert!(!once.merge(&b), "merging the same copy again reports no change");
        prop_assert_eq!(once, merged(&a, &b));
    }

    #[test]
    fn merge_is_associative(a in tab(), b in tab(), c in tab()) {
        prop_assert_eq!(merged(&merged(&a, &b), &c), merged(&a, &merged(&b, &c)));
    }

    #[test]
    fn merge_loses_nothing_unless_a_newer_tombstone_covers_it(a in tab(), b in tab()) {
        let m = merged(&a, &b);
        for side in [&a, &b] {
            for x in side.items() {
                let covering = [&a, &b]
                    .iter()
                    .filter_map(|s| s.deleted_at(&x.id))
                    .any(|at| at >= x.updated);
                match m.get(&x.id) {
                    Some(kept) => {
                        prop_assert!(!covering, "{} is live although a newer deletion covers it", x.id);
                        prop_assert!(kept.updated >= x.updated, "{} went back to an older copy", x.id);
                    }
                    None => {
                        prop_assert!(covering, "{} was lost", x.id);
                        prop_assert!(m.deleted_at(&x.id).is_some(), "{} vanished without a tombstone", x.id);
                    }
                }
            }
        }
    }

    #[test]
    fn the_stored_form_round_trips_any_set(a in tab()) {
        let back = AnnotationSet::from_json("art", &a.to_json().unwrap()).unwrap();
        prop_assert_eq!(back, a);
    }
}
