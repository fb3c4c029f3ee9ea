//! The tag manager over the in-memory store: renaming, merging and
//! deleting a tag across the library's articles, all or nothing, with its
//! colour, its undo, and per-tag statistics.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::retag::TagOp;
use marginalia::domain::annotate::set::{AnnotationSet, TagColours};
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::library::Library;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::{Repo, TAG_COLOURS_KEY, live_key};
use marginalia::storage::{KeyValueStore, ReadOnly, StorageError};

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
}

/// The time the tag operations run at: a day after the annotations.
fn now() -> DateTime<Utc> {
    t(0) + TimeDelta::days(1)
}

fn article(text: &str) -> Article {
    Article::build(parse_text(text), NewArticle::default(), t(0)).unwrap()
}

/// Two articles: `a` with annotations "a1" (towns, economy), "a2"
/// (Towns, war) and "a3" (no tags); `b` with "b1" (war, towns) and "b2"
/// (economy). Sentence i of each is annotated by the i-th annotation.
struct Lib {
    repo: Repo<MemoryStore>,
    library: Library,
    a: Article,
    b: Article,
}

fn highlight(a: &Article, id: &str, sentence: usize, at: i64, tags: &[&str]) -> Annotation {
    let map = TextMap::new(a);
    let target = Target::sentences(&map, sentence, sentence).unwrap();
    let mut x = Annotation::new(id.into(), &a.id, target, Colour::Yellow, t(at));
    x.tags = tags.iter().map(|s| (*s).to_owned()).collect();
    x
}

fn save(lib: &mut Lib, article: &Article, annotations: Vec<Annotation>) {
    let mut set = lib.repo.load_annotations(&article.id).unwrap();
    for x in annotations {
        set.put(x);
    }
    lib.repo
        .save_annotations(&lib.library, &mut set, t(1_000))
        .unwrap();
}

fn library_with(store: MemoryStore) -> Lib {
    let (mut repo, opened) = Repo::open(store);
    let mut library = opened.library;
    let a = article("Towns grow. Trade follows. Nothing here. Last one.");
    let b = article("Wars end. Markets open. Quiet again.");
    repo.add_article(&mut library, &a).unwrap();
    repo.add_article(&mut library, &b).unwrap();
    let mut lib = Lib {
        repo,
        library,
        a: a.clone(),
        b: b.clone(),
    };
    save(
        &mut lib,
        &a,
        vec![
            highlight(&a, "a1", 0, 100, &["towns", "economy"]),
            highlight(&a, "a2", 1, 200, &["Towns", "war"]),
            highlight(&a, "a3", 2, 300, &[]),
        ],
    );
    save(
        &mut lib,
        &b,
        vec![
            highlight(&b, "b1", 0, 400, &["war", "towns"]),
            highlight(&b, "b2", 1, 500, &["economy"]),
        ],
    );
    lib
}

fn library() -> Lib {
    library_with(MemoryStore::new())
}

impl Lib {
    /// The annotations of an article as the reader loads them.
    fn loaded(&mut self, which: &Article) -> AnnotationSet {
        let map = TextMap::new(which);
        let (set, problems) = self.repo.load_annotations_for(&map, &which.id);
        assert!(problems.is_empty(), "{problems:?}");
        set
    }

    fn tags(&mut self, which: &Article, id: &str) -> Vec<String> {
        let a = which.clone();
        self.loaded(&a).get(id).unwrap().tags.clone()
    }

    fn colour(&mut self, colours: &[(&str, Colour)]) {
        let mut c = TagColours::default();
        for (tag, colour) in colours {
            c.set(tag, Some(*colour));
        }
        self.repo.save_tag_colours(&c).unwrap();
    }
}

fn rename(from: &str, to: &str) -> TagOp {
    TagOp::Rename {
        from: from.into(),
        to: to.into(),
    }
}

#[test]
fn renaming_a_tag_changes_it_in_every_article() {
    let mut lib = library();
    let done = lib.repo.retag(&rename("towns", "Cities"), now()).unwrap();
    assert_eq!((done.annotations, done.articles, done.skipped), (3, 2, 0));
    let (a, b) = (lib.a.clone(), lib.b.clone());
    assert_eq!(lib.tags(&a, "a1"), ["Cities", "economy"]);
    assert_eq!(lib.tags(&a, "a2"), ["Cities", "war"]);
    assert_eq!(lib.tags(&b, "b1"), ["war", "Cities"]);
    assert_eq!(lib.tags(&b, "b2"), ["economy"]);
    let counts = lib.repo.tag_counts();
    assert!(!counts.contains_key("towns"));
    assert_eq!(counts["cities"], ("Cities".into(), 3));
}

#[test]
fn the_reader_loads_the_new_tags_with_updated_moved_forward() {
    let mut lib = library();
    let a = lib.a.clone();
    let before = lib.loaded(&a);
    lib.repo.retag(&rename("war", "conflict"), now()).unwrap();
    let after = lib.loaded(&a);
    let (old, new) = (before.get("a2").unwrap(), after.get("a2").unwrap());
    assert_eq!(new.tags, ["Towns", "conflict"]);
    assert_eq!(new.updated, now());
    assert!(new.updated > old.updated);
    assert_eq!(new.created, old.created);
    assert_eq!(new.target, old.target);
    // Untouched annotations keep their times.
    assert_eq!(after.get("a1"), before.get("a1"));
    assert_eq!(after.get("a3"), before.get("a3"));
    // A tab still holding the old copy takes the new one in its merge.
    let mut tab = before.clone();
    assert!(tab.merge(&after));
    assert_eq!(tab.get("a2").unwrap().tags, ["Towns", "conflict"]);
}

#[test]
fn renaming_onto_an_existing_tag_merges_them_in_its_spelling() {
    let mut lib = library();
    // "war" was first used as "war"; the rename asks for "WAR".
    let done = lib.repo.retag(&rename("economy", "WAR"), now()).unwrap();
    assert_eq!((done.annotations, done.articles), (2, 2));
    let (a, b) = (lib.a.clone(), lib.b.clone());
    assert_eq!(lib.tags(&a, "a1"), ["towns", "war"]);
    assert_eq!(lib.tags(&b, "b2"), ["war"]);
    // Renaming "towns" onto "war": b1 had both, and keeps one.
    lib.repo.retag(&rename("towns", "war"), now()).unwrap();
    assert_eq!(lib.tags(&b, "b1"), ["war"]);
    assert_eq!(lib.tags(&a, "a1"), ["war"]);
    assert_eq!(lib.tags(&a, "a2"), ["war"]);
    assert_eq!(lib.repo.tag_counts()["war"], ("war".into(), 4));
}

#[test]
fn a_case_only_rename_changes_the_spelling_everywhere() {
    let mut lib = library();
    let done = lib.repo.retag(&rename("towns", "TOWNS"), now()).unwrap();
    assert_eq!(done.annotations, 3, "a2 had \"Towns\", now \"TOWNS\" too");
    let (a, b) = (lib.a.clone(), lib.b.clone());
    assert_eq!(lib.tags(&a, "a1"), ["TOWNS", "economy"]);
    assert_eq!(lib.tags(&a, "a2"), ["TOWNS", "war"]);
    assert_eq!(lib.tags(&b, "b1"), ["war", "TOWNS"]);
    assert_eq!(lib.repo.tag_stats()[0].tag, "TOWNS");
}

#[test]
fn merging_several_tags_into_one() {
    let mut lib = library();
    let op = TagOp::Merge {
        from: vec!["war".into(), "Economy".into()],
        into: "History".into(),
    };
    let done = lib.repo.retag(&op, now()).unwrap();
    assert_eq!((done.annotations, done.articles), (4, 2));
    let (a, b) = (lib.a.clone(), lib.b.clone());
    assert_eq!(lib.tags(&a, "a1"), ["towns", "History"]);
    assert_eq!(lib.tags(&a, "a2"), ["Towns", "History"]);
    assert_eq!(lib.tags(&b, "b1"), ["History", "towns"]);
    assert_eq!(lib.tags(&b, "b2"), ["History"]);
    let stats = lib.repo.tag_stats();
    let names: Vec<(&str, usize)> = stats
        .iter()
        .map(|s| (s.tag.as_str(), s.annotations))
        .collect();
    assert_eq!(names, [("History", 4), ("towns", 3)]);
}

#[test]
fn deleting_a_tag_keeps_the_annotations() {
    let mut lib = library();
    let done = lib
        .repo
        .retag(
            &TagOp::Delete {
                tag: "ECONOMY".into(),
            },
            now(),
        )
        .unwrap();
    assert_eq!((done.annotations, done.articles), (2, 2));
    let (a, b) = (lib.a.clone(), lib.b.clone());
    assert_eq!(lib.tags(&a, "a1"), ["towns"]);
    assert!(lib.tags(&b, "b2").is_empty());
    assert_eq!(lib.loaded(&b).len(), 2, "the annotations stay");
    assert!(!lib.repo.tag_counts().contains_key("economy"));
}

#[test]
fn an_op_that_matches_nothing_writes_nothing() {
    let mut lib = library();
    let before = lib.repo.store().snapshot();
    for op in [
        rename("absent", "new"),
        rename("war", "war"),
        TagOp::Delete {
            tag: "absent".into(),
        },
    ] {
        let done = lib.repo.retag(&op, now()).unwrap();
        assert!(done.is_empty(), "{op:?}");
        assert_eq!(lib.repo.store().snapshot(), before);
    }
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let mut lib = library();
    let before = lib.repo.store().snapshot();
    let op = rename("war", "   ");
    let err = op.check().unwrap_err();
    assert_eq!(
        lib.repo.retag(&op, now()),
        Err(StorageError::Other(err.to_string()))
    );
    assert_eq!(lib.repo.store().snapshot(), before);
}

#[test]
fn colours_are_carried_to_the_new_name_and_dropped_with_a_deleted_tag() {
    let mut lib = library();
    lib.colour(&[("Towns", Colour::Blue), ("war", Colour::Pink)]);
    let done = lib.repo.retag(&rename("towns", "cities"), now()).unwrap();
    assert_eq!(done.colours_before.get("towns"), Some(Colour::Blue));
    let colours = lib.repo.load_tag_colours();
    assert_eq!(colours.get("cities"), Some(Colour::Blue));
    assert_eq!(colours.get("towns"), None);
    assert_eq!(colours, done.colours_after);
    lib.repo
        .retag(&TagOp::Delete { tag: "War".into() }, now())
        .unwrap();
    let colours = lib.repo.load_tag_colours();
    assert_eq!(colours.get("war"), None);
    assert_eq!(colours.iter().count(), 1);
}

#[test]
fn an_unreadable_colours_value_is_never_written_over() {
    let mut lib = library();
    lib.repo
        .store_mut()
        .set(TAG_COLOURS_KEY, "{not json")
        .unwrap();
    let done = lib
        .repo
        .retag(&TagOp::Delete { tag: "war".into() }, now())
        .unwrap();
    assert_eq!(done.annotations, 2);
    assert_eq!(
        lib.repo.store().get(TAG_COLOURS_KEY).unwrap().as_deref(),
        Some("{not json")
    );
    lib.repo.undo_retag(&done, now()).unwrap();
    assert_eq!(
        lib.repo.store().get(TAG_COLOURS_KEY).unwrap().as_deref(),
        Some("{not json")
    );
}

#[test]
fn an_unreadable_record_is_skipped_and_left_as_it_was() {
    let mut lib = library();
    let key = live_key(&lib.a.id, "junk");
    lib.repo.store_mut().set(&key, "[1,\"towns\"").unwrap();
    let done = lib.repo.retag(&rename("towns", "cities"), now()).unwrap();
    assert_eq!((done.annotations, done.skipped), (3, 1));
    assert_eq!(
        lib.repo.store().get(&key).unwrap().as_deref(),
        Some("[1,\"towns\"")
    );
}

#[test]
fn a_write_failing_half_way_leaves_storage_exactly_as_it_was() {
    let op = TagOp::Merge {
        from: vec!["towns".into(), "war".into()],
        into: "places".into(),
    };
    // Three records (a1, a2, b1) and the colours: fail the first, a middle
    // and the last write.
    for ok in [0, 2, 3] {
        let mut lib = library();
        lib.colour(&[("war", Colour::Green)]);
        let before = lib.repo.store().snapshot();
        lib.repo.store_mut().fail_one_set_after(ok);
        assert_eq!(
            lib.repo.retag(&op, now()),
            Err(StorageError::QuotaExceeded),
            "failing after {ok} writes"
        );
        assert_eq!(lib.repo.store().snapshot(), before, "after {ok} writes");
        // Nothing was half done: the same operation then succeeds.
        let done = lib.repo.retag(&op, now()).unwrap();
        assert_eq!(done.annotations, 3);
    }
}

#[test]
fn a_full_storage_refuses_the_rename_and_changes_nothing() {
    let lib = library();
    let used = lib.repo.store().used();
    let mut store = MemoryStore::with_quota(used + 8);
    for (k, v) in lib.repo.store().snapshot() {
        store.set(&k, &v).unwrap();
    }
    let (mut repo, _) = Repo::open(store);
    let before = repo.store().snapshot();
    let long = "a much longer name for this tag";
    assert_eq!(
        repo.retag(&rename("towns", long), now()),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(repo.store().snapshot(), before);
}

#[test]
fn a_read_only_library_refuses_and_writes_nothing() {
    let mut lib = library();
    let done = lib.repo.retag(&rename("war", "conflict"), now()).unwrap();
    let store = lib.repo.store().clone();
    let (mut repo, _) = Repo::open_held(store, Some(ReadOnly::Bodies));
    let before = repo.store().snapshot();
    assert_eq!(
        repo.retag(&rename("towns", "cities"), now()),
        Err(StorageError::ReadOnly(ReadOnly::Bodies))
    );
    assert_eq!(
        repo.undo_retag(&done, now()),
        Err(StorageError::ReadOnly(ReadOnly::Bodies))
    );
    assert_eq!(repo.store().snapshot(), before);
    assert_eq!(repo.tag_stats().len(), 3, "statistics still read");
}

#[test]
fn undo_restores_the_tags_and_the_colours() {
    let mut lib = library();
    lib.colour(&[("war", Colour::Pink), ("economy", Colour::Blue)]);
    let a = lib.a.clone();
    let original = lib.loaded(&a);
    let colours = lib.repo.load_tag_colours();
    let op = TagOp::Merge {
        from: vec!["war".into(), "economy".into()],
        into: "history".into(),
    };
    let done = lib.repo.retag(&op, now()).unwrap();
    assert_eq!(
        lib.repo.load_tag_colours().get("history"),
        Some(Colour::Pink)
    );
    let later = now() + TimeDelta::minutes(1);
    let undone = lib.repo.undo_retag(&done, later).unwrap();
    assert_eq!((undone.restored, undone.edited, undone.gone), (4, 0, 0));
    assert!(undone.colours_restored && undone.colours_kept.is_empty());
    assert_eq!(lib.repo.load_tag_colours(), colours);
    let back = lib.loaded(&a);
    for id in ["a1", "a2", "a3"] {
        assert_eq!(back.get(id).unwrap().tags, original.get(id).unwrap().tags);
    }
    assert_eq!(back.get("a1").unwrap().updated, later);
    let b = lib.b.clone();
    assert_eq!(lib.tags(&b, "b1"), ["war", "towns"]);
    assert_eq!(lib.tags(&b, "b2"), ["economy"]);
    // Undoing again finds nothing as the operation left it.
    let again = lib.repo.undo_retag(&done, later).unwrap();
    assert_eq!((again.restored, again.edited), (0, 4));
}

#[test]
fn undo_leaves_a_record_edited_or_deleted_since_alone() {
    let mut lib = library();
    let done = lib.repo.retag(&rename("towns", "cities"), now()).unwrap();
    // Since then, a1 got a note in the reader and b1 was deleted.
    let a = lib.a.clone();
    let mut set = lib.loaded(&a);
    let later = now() + TimeDelta::seconds(5);
    set.update("a1", later, |x| x.note = "written after".into())
        .unwrap();
    lib.repo
        .save_annotations(&lib.library.clone(), &mut set, later)
        .unwrap();
    let b = lib.b.clone();
    let mut set = lib.loaded(&b);
    set.remove("b1", later).unwrap();
    lib.repo
        .save_annotations(&lib.library.clone(), &mut set, later)
        .unwrap();
    let edited_raw = lib.repo.store().get(&live_key(&a.id, "a1")).unwrap();
    let undone = lib.repo.undo_retag(&done, later).unwrap();
    assert_eq!((undone.restored, undone.edited, undone.gone), (1, 1, 1));
    assert_eq!(
        lib.repo.store().get(&live_key(&a.id, "a1")).unwrap(),
        edited_raw
    );
    let a1 = lib.loaded(&a).get("a1").unwrap().clone();
    assert_eq!(
        (a1.tags.as_slice(), a1.note.as_str()),
        (
            ["cities".to_owned(), "economy".to_owned()].as_slice(),
            "written after"
        )
    );
    assert_eq!(lib.tags(&a, "a2"), ["Towns", "war"]);
    assert!(lib.loaded(&b).get("b1").is_none(), "stays deleted");
}

#[test]
fn an_undo_failing_half_way_changes_nothing() {
    let mut lib = library();
    lib.colour(&[("towns", Colour::Blue)]);
    let done = lib.repo.retag(&rename("towns", "cities"), now()).unwrap();
    let before = lib.repo.store().snapshot();
    lib.repo.store_mut().fail_one_set_after(2);
    assert_eq!(
        lib.repo.undo_retag(&done, now()),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(lib.repo.store().snapshot(), before);
    assert_eq!(lib.repo.undo_retag(&done, now()).unwrap().restored, 3);
}

#[test]
fn tag_statistics_count_annotations_articles_and_uses() {
    let lib = library();
    let stats = lib.repo.tag_stats();
    let rows: Vec<(&str, usize, usize)> = stats
        .iter()
        .map(|s| (s.tag.as_str(), s.annotations, s.articles))
        .collect();
    assert_eq!(
        rows,
        [("towns", 3, 2), ("economy", 2, 2), ("war", 2, 2)],
        "by count, then name; the spelling of the oldest use"
    );
    let towns = &stats[0];
    assert_eq!(towns.first_used, t(100));
    assert_eq!(towns.last_used, t(400));
}
