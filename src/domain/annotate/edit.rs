//! What each reader action does to which annotation: the rules behind
//! `h`, the digits, `t`, `n`, Delete and "Attach to selection", as pure
//! functions over an [`AnnotationSet`].
//!
//! Each takes the selection's target, the time of the edit and, where an
//! annotation may be created, a [`New`] (its id and article, from the
//! caller's edge), and returns an [`Edit`]: the label undo shows and the
//! [`Change`]s to record. An empty edit changed nothing. The reader's
//! `Annot` only gathers the inputs, records the edit in the history and
//! updates the page.

use crate::domain::annotate::annotation::{
    Annotation, Colour, Target, clean_note, merge_tags, parse_tags,
};
use crate::domain::annotate::set::{AnnotationSet, Change};
use chrono::{DateTime, Utc};

/// What one action changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edit {
    /// What undo calls it ("highlight", "recolour", "tag", …).
    pub label: &'static str,
    /// The annotations before and after; empty when nothing changed.
    pub changes: Vec<Change>,
}

impl Edit {
    /// An edit of these changes.
    pub fn of(label: &'static str, changes: impl IntoIterator<Item = Change>) -> Self {
        Self {
            label,
            changes: changes.into_iter().collect(),
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// What a new annotation would be made of: its id (a fresh UUID from the
/// edge), its article, and the colour it gets when the action names none.
pub struct New {
    /// The id it gets.
    pub id: String,
    /// The article it belongs to.
    pub article: String,
    /// The current colour.
    pub colour: Colour,
}

impl New {
    fn make(self, target: Target, colour: Option<Colour>, now: DateTime<Utc>) -> Annotation {
        Annotation::new(
            self.id,
            &self.article,
            target,
            colour.unwrap_or(self.colour),
            now,
        )
    }
}

/// `h` and `1`–`6`: highlights `target` in `colour`. An annotation at
/// exactly the same place (the newest, if several) is recoloured instead,
/// so pressing another digit never stacks a second highlight.
pub fn highlight(
    set: &mut AnnotationSet,
    target: Target,
    colour: Colour,
    now: DateTime<Utc>,
    new: New,
) -> Edit {
    match set.at_same_place(&target).map(|a| a.id.clone()) {
        Some(id) => Edit::of("recolour", set.update(&id, now, |a| a.colour = colour)),
        None => Edit::of("highlight", [set.put(new.make(target, Some(colour), now))]),
    }
}

/// `t` then Enter: adds the tags typed in `input` (comma-separated; the
/// spelling of a tag already in `known` is kept) to the annotation under
/// `target`, or highlights `target` with them in the current colour.
pub fn add_tags(
    set: &mut AnnotationSet,
    target: Target,
    input: &str,
    known: &[String],
    now: DateTime<Utc>,
    new: New,
) -> Edit {
    let tags = parse_tags(input);
    if tags.is_empty() {
        return Edit::default();
    }
    match set.under(&target).map(|a| a.id.clone()) {
        Some(id) => Edit::of(
            "tag",
            set.update(&id, now, |a| a.tags = merge_tags(&a.tags, &tags, known)),
        ),
        None => {
            let mut a = new.make(target, None, now);
            a.tags = merge_tags(&[], &tags, known);
            Edit::of("tag", [set.put(a)])
        }
    }
}

/// `n` then Ctrl+Enter: sets the note of the annotation under `target`
/// (an empty note clears it), or highlights `target` with the note; an
/// empty note on bare text creates nothing.
pub fn set_note(
    set: &mut AnnotationSet,
    target: Target,
    text: &str,
    now: DateTime<Utc>,
    new: New,
) -> Edit {
    let note = clean_note(text);
    match set.under(&target).map(|a| a.id.clone()) {
        Some(id) => Edit::of("note", set.update(&id, now, |a| a.note = note)),
        None if note.trim().is_empty() => Edit::default(),
        None => {
            let mut a = new.make(target, None, now);
            a.note = note;
            Edit::of("note", [set.put(a)])
        }
    }
}

/// Delete or Backspace: removes the annotation under `target`, or else
/// every annotation `target` overlaps.
pub fn delete_at(set: &mut AnnotationSet, target: &Target, now: DateTime<Utc>) -> Edit {
    let ids: Vec<String> = match set.under(target) {
        Some(a) => vec![a.id.clone()],
        None => set
            .overlapping(target)
            .into_iter()
            .map(|a| a.id.clone())
            .collect(),
    };
    Edit::of(
        "delete",
        ids.iter()
            .filter_map(|id| set.remove(id, now))
            .collect::<Vec<_>>(),
    )
}

/// "Attach to selection": an orphan takes `target`'s place and quote and
/// is shown in the text again.
pub fn attach(set: &mut AnnotationSet, id: &str, target: Target, now: DateTime<Utc>) -> Edit {
    Edit::of(
        "attach",
        set.update(id, now, |a| {
            a.target = target;
            a.orphan = false;
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotate::annotation::{Position, TargetKind};
    use chrono::TimeDelta;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::seconds(s)
    }

    fn at(start: u32, end: u32) -> Target {
        Target {
            kind: TargetKind::Span,
            sentences: [0, 0],
            quote: Default::default(),
            position: Position { start, end },
        }
    }

    fn new(id: &str) -> New {
        New {
            id: id.into(),
            article: "art".into(),
            colour: Colour::Green,
        }
    }

    #[test]
    fn highlighting_the_same_place_again_recolours_instead_of_stacking() {
        let mut s = AnnotationSet::new("art");
        let e = highlight(&mut s, at(0, 5), Colour::Yellow, t(1), new("a"));
        assert_eq!((e.label, s.len()), ("highlight", 1));
        let e = highlight(&mut s, at(0, 5), Colour::Blue, t(2), new("b"));
        assert_eq!((e.label, s.len()), ("recolour", 1));
        assert_eq!(s.get("a").unwrap().colour, Colour::Blue);
        // The same colour again changes nothing.
        assert!(highlight(&mut s, at(0, 5), Colour::Blue, t(3), new("c")).is_empty());
        // A different place is a new highlight, even inside the first.
        let e = highlight(&mut s, at(1, 3), Colour::Pink, t(4), new("d"));
        assert_eq!((e.label, s.len()), ("highlight", 2));
    }

    #[test]
    fn tags_go_to_the_annotation_under_the_selection_else_make_a_highlight() {
        let mut s = AnnotationSet::new("art");
        highlight(&mut s, at(0, 50), Colour::Yellow, t(1), new("big"));
        // Inside the highlight: tagged, no new annotation.
        let e = add_tags(
            &mut s,
            at(10, 20),
            "navy, Navy ,  ",
            &["NAVY".into()],
            t(2),
            new("x"),
        );
        assert_eq!((e.label, s.len()), ("tag", 1));
        assert_eq!(
            s.get("big").unwrap().tags,
            ["NAVY"],
            "one tag, in the known spelling"
        );
        // Outside: a highlight in the current colour, with the tags.
        add_tags(&mut s, at(60, 70), "army", &[], t(3), new("y"));
        let y = s.get("y").unwrap();
        assert_eq!(
            (y.colour, y.tags.clone()),
            (Colour::Green, vec!["army".to_owned()])
        );
        // Nothing typed: nothing happens.
        assert!(add_tags(&mut s, at(80, 90), " , ", &[], t(4), new("z")).is_empty());
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn a_note_goes_to_the_annotation_under_the_selection_and_an_empty_one_creates_nothing() {
        let mut s = AnnotationSet::new("art");
        assert!(set_note(&mut s, at(0, 5), "   ", t(1), new("a")).is_empty());
        assert!(s.is_empty());
        set_note(&mut s, at(0, 5), "first thought  \n", t(2), new("a"));
        assert_eq!(s.get("a").unwrap().note, "first thought");
        set_note(&mut s, at(0, 5), "", t(3), new("b"));
        assert_eq!(
            (s.len(), s.get("a").unwrap().note.as_str()),
            (1, ""),
            "cleared, kept"
        );
    }

    #[test]
    fn delete_removes_the_annotation_under_the_selection_else_all_it_overlaps() {
        let mut s = AnnotationSet::new("art");
        highlight(&mut s, at(0, 50), Colour::Yellow, t(1), new("big"));
        highlight(&mut s, at(10, 20), Colour::Blue, t(2), new("small"));
        highlight(&mut s, at(45, 60), Colour::Pink, t(3), new("tail"));
        // Inside "small": only it goes.
        let e = delete_at(&mut s, &at(12, 15), t(4));
        assert_eq!(
            e.changes.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["small"]
        );
        // Across the end of "big" into "tail": under nothing, so both go.
        let e = delete_at(&mut s, &at(40, 70), t(5));
        assert_eq!(e.changes.len(), 2);
        assert!(s.is_empty());
        assert!(delete_at(&mut s, &at(0, 5), t(6)).is_empty());
    }

    #[test]
    fn attaching_an_orphan_gives_it_the_selection_and_shows_it_again() {
        let mut s = AnnotationSet::new("art");
        highlight(&mut s, at(0, 5), Colour::Yellow, t(1), new("a"));
        s.update("a", t(2), |a| a.orphan = true);
        assert!(s.under(&at(20, 30)).is_none(), "an orphan is under nothing");
        let e = attach(&mut s, "a", at(20, 30), t(3));
        assert_eq!(e.label, "attach");
        let a = s.get("a").unwrap();
        assert!(!a.orphan);
        assert_eq!(a.target.position, Position { start: 20, end: 30 });
        assert!(attach(&mut s, "missing", at(0, 1), t(4)).is_empty());
    }
}
