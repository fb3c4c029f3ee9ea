//! Sync, natively: two devices (each its own stores and library) and one
//! CouchDB stand-in with real revision trees (`storage::sync::memory`).
//! An annotation made on one reaches the other; edits made apart converge
//! by the multi-tab rules with the conflict reported; a deletion against
//! an edit; a sync cut short resumes with nothing lost or doubled; a sync
//! after one edit sends one document; a hostile document is quarantined.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::set::AnnotationSet;
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::library::Library;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::domain::sync::conflict::{Conflict, Version};
use marginalia::storage::KeyValueStore;
use marginalia::storage::bodies::MemoryBodies;
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::Repo;
use marginalia::storage::shelf::Shelf;
use marginalia::storage::sync::Remote;
use marginalia::storage::sync::engine::{Report, pending, sync_once};
use marginalia::storage::sync::memory::MemoryRemote;
use marginalia::storage::sync::state::MemorySyncStore;
use serde_json::json;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn t(s: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::seconds(1_700_000_000 + s)
}

const TEXT: &str =
    "Harbour notes\n\nThe ferry was late. The harbour was calm. Gulls circled the quay.";

struct Device {
    shelf: Shelf<MemoryStore, MemoryBodies>,
    library: Library,
    state: MemorySyncStore,
}

impl Device {
    fn new() -> Self {
        let (repo, opened) = Repo::open(MemoryStore::new());
        Self {
            shelf: Shelf::new(repo, Some(MemoryBodies::new())),
            library: opened.library,
            state: MemorySyncStore::new(),
        }
    }

    fn sync(&mut self, remote: &MemoryRemote, now: DateTime<Utc>) -> Report {
        block_on(sync_once(
            &self.shelf,
            &mut self.library,
            &self.state,
            remote,
            now,
        ))
        .expect("sync")
    }

    fn try_sync(&mut self, remote: &MemoryRemote, now: DateTime<Utc>) -> bool {
        block_on(sync_once(
            &self.shelf,
            &mut self.library,
            &self.state,
            remote,
            now,
        ))
        .is_ok()
    }

    fn article(&self) -> Article {
        block_on(self.shelf.load(&self.library.entries()[0].id)).unwrap()
    }

    fn add_article(&mut self) -> Article {
        let a = Article::build(parse_text(TEXT), NewArticle::default(), t(0)).unwrap();
        block_on(self.shelf.add(&mut self.library, &a)).unwrap();
        a
    }

    fn annotations(&self, a: &Article) -> AnnotationSet {
        self.shelf
            .repo
            .borrow()
            .stored_annotations_for(&TextMap::new(a), &a.id)
    }

    /// Makes or changes annotation `id` on sentence `s`, as the reader saves it.
    fn edit(&mut self, a: &Article, id: &str, s: u32, note: &str, at: DateTime<Utc>) {
        let map = TextMap::new(a);
        let mut set = self.annotations(a);
        let mut x = set.get(id).cloned().unwrap_or_else(|| {
            Annotation::new(
                id.into(),
                &a.id,
                Target::sentences(&map, s as usize, s as usize).unwrap(),
                Colour::Green,
                at,
            )
        });
        x.note = note.into();
        x.updated = at;
        set.put(x);
        self.shelf
            .repo
            .borrow_mut()
            .save_changes(&self.library, &mut set, &map)
            .unwrap();
    }

    fn conflict(&self, a: &Article, id: &str) -> Option<Conflict> {
        self.shelf.repo.borrow().conflict(&a.id, id).map(|(c, _)| c)
    }

    fn pending(&self) -> usize {
        block_on(pending(&self.shelf, &self.library, &self.state))
    }

    fn delete(&mut self, a: &Article, id: &str, at: DateTime<Utc>) {
        let map = TextMap::new(a);
        let mut set = self.annotations(a);
        set.remove(id, at);
        self.shelf
            .repo
            .borrow_mut()
            .save_changes(&self.library, &mut set, &map)
            .unwrap();
    }
}

/// A server and two devices that both hold one article with these
/// annotations (id, sentence, note), made on A at 10 and synced by A at
/// 11, then by B at 12.
fn synced_pair(edits: &[(&str, u32, &str)]) -> (MemoryRemote, Device, Device, Article) {
    let remote = MemoryRemote::new();
    let (mut a, mut b) = (Device::new(), Device::new());
    let art = a.add_article();
    for (id, s, note) in edits {
        a.edit(&art, id, *s, note, t(10));
    }
    a.sync(&remote, t(11));
    b.sync(&remote, t(12));
    (remote, a, b, art)
}

const X: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const Y: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

#[test]
fn an_annotation_made_on_one_device_reaches_the_other_with_its_article() {
    let remote = MemoryRemote::new();
    let (mut a, mut b) = (Device::new(), Device::new());
    let art = a.add_article();
    a.edit(&art, X, 1, "late again", t(10));
    let sent = a.sync(&remote, t(11));
    assert!(sent.sent >= 3, "{sent:?}"); // article, annotation, tag colours (welcome too)
    assert!(sent.conflicts.is_empty());
    let got = b.sync(&remote, t(12));
    assert!(got.quarantined.is_empty(), "{:?}", got.quarantined);
    assert!(b.library.get(&art.id).is_some(), "the article came along");
    assert_eq!(
        b.annotations(&art).get(X).map(|x| x.note.clone()),
        Some("late again".into())
    );
    // Nothing changed since: a second round sends and takes nothing.
    assert_eq!(a.sync(&remote, t(13)).sent, 0);
    assert_eq!(b.sync(&remote, t(14)), Report::default());
}

#[test]
fn a_sync_after_one_edit_sends_one_document() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "n"), (Y, 2, "n")]);
    a.edit(&art, X, 1, "changed", t(20));
    let before = remote.calls();
    let r = a.sync(&remote, t(21));
    assert_eq!(r.sent, 1);
    assert_eq!(r.received, 0);
    // The replication log read, the change feed (A's own earlier writes,
    // so the log is written), revs_diff, bulk_docs.
    assert!(
        remote.calls() - before <= 5,
        "_local, changes, _local, revs_diff, bulk_docs: {}",
        remote.calls() - before
    );
    let r = b.sync(&remote, t(22));
    assert_eq!(r.received, 1);
    assert_eq!(r.sent, 0);
    assert_eq!(b.annotations(&art).get(X).unwrap().note, "changed");
}

#[test]
fn edits_made_apart_converge_on_the_newest_and_report_the_conflict() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "first")]);
    // Offline, both edit X; B's edit is the later one.
    a.edit(&art, X, 1, "from A", t(20));
    b.edit(&art, X, 1, "from B", t(30));
    a.sync(&remote, t(40));
    let rb = b.sync(&remote, t(41));
    assert_eq!(rb.conflicts, [format!("annotation:{}:{X}", art.id)]);
    let ra = a.sync(&remote, t(42));
    assert!(ra.received >= 1);
    for d in [&a, &b] {
        assert_eq!(d.annotations(&art).get(X).unwrap().note, "from B");
    }
    // Each pulled before pushing, so the server's history stayed one line.
    assert_eq!(
        remote.leaves(&format!("annotation:{}:{X}", art.id)).len(),
        1
    );
    let winner = remote
        .winner(&format!("annotation:{}:{X}", art.id))
        .unwrap();
    assert_eq!(winner["note"], "from B");
    // Nothing more to do on either side.
    // A's edit lost, and is kept to look at on both devices.
    for d in [&a, &b] {
        let lost = d.conflict(&art, X).expect("kept");
        assert!(
            lost.versions
                .iter()
                .any(|v| matches!(v, Version::Live(x) if x.note == "from A")),
            "{lost:?}"
        );
    }
    assert_eq!(a.sync(&remote, t(50)).sent, 0);
    assert_eq!(b.sync(&remote, t(51)).sent, 0);
}

#[test]
fn edits_made_apart_in_the_other_order_converge_too() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "first")]);
    a.edit(&art, X, 1, "from A, later", t(30));
    b.edit(&art, X, 1, "from B", t(20));
    b.sync(&remote, t(40));
    a.sync(&remote, t(41));
    b.sync(&remote, t(42));
    a.sync(&remote, t(43));
    for d in [&a, &b] {
        assert_eq!(d.annotations(&art).get(X).unwrap().note, "from A, later");
    }
    assert_eq!(
        remote
            .winner(&format!("annotation:{}:{X}", art.id))
            .unwrap()["note"],
        "from A, later"
    );
}

#[test]
fn a_deletion_against_a_later_edit_keeps_the_edit_and_against_an_earlier_one_deletes() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "x"), (Y, 2, "y")]);
    // X: deleted on A at 20, edited on B at 30 (the edit wins).
    // Y: deleted on A at 30, edited on B at 20 (the deletion wins).
    a.delete(&art, X, t(20));
    a.delete(&art, Y, t(30));
    b.edit(&art, X, 1, "kept", t(30));
    b.edit(&art, Y, 2, "lost", t(20));
    a.sync(&remote, t(40));
    b.sync(&remote, t(41));
    a.sync(&remote, t(42));
    b.sync(&remote, t(43));
    for d in [&a, &b] {
        let set = d.annotations(&art);
        assert_eq!(set.get(X).map(|x| x.note.clone()), Some("kept".into()));
        assert!(set.get(Y).is_none());
        assert!(set.deleted_at(Y).is_some());
    }
}

#[test]
fn a_sync_cut_short_resumes_with_nothing_lost_or_doubled() {
    let remote = MemoryRemote::new();
    let (mut a, mut b) = (Device::new(), Device::new());
    let art = a.add_article();
    let ids: Vec<String> = (0..250u32)
        .map(|i| format!("{:08x}-d9cb-469f-a165-{:012x}", i, i))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        a.edit(&art, id, (i % 3) as u32 + 1, &format!("n{i}"), t(10));
    }
    assert!(a.sync(&remote, t(11)).sent > 250);
    // B's pull is cut off after a few calls, then resumes.
    remote.fail_after(3);
    assert!(!b.try_sync(&remote, t(12)));
    remote.set_down(false);
    let partial = b.annotations(&art).len();
    assert!(partial < 250, "{partial}");
    b.sync(&remote, t(13));
    let set = b.annotations(&art);
    assert_eq!(set.len(), 250);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(set.get(id).unwrap().note, format!("n{i}"));
    }
    assert_eq!(b.sync(&remote, t(14)).sent, 0, "nothing to send back");
}

#[test]
fn a_thousand_annotations_go_in_a_bounded_number_of_calls() {
    let remote = MemoryRemote::new();
    let (mut a, mut b) = (Device::new(), Device::new());
    let art = a.add_article();
    for i in 0..1000u32 {
        a.edit(
            &art,
            &format!("{:08x}-d9cb-469f-a165-{:012x}", i, i),
            i % 3 + 1,
            "n",
            t(10),
        );
    }
    let before = remote.calls();
    a.sync(&remote, t(11));
    let push_calls = remote.calls() - before;
    let before = remote.calls();
    b.sync(&remote, t(12));
    let pull_calls = remote.calls() - before;
    // About 1,003 documents in pages of 100: a push is 2 calls a page, a
    // pull 3 (changes, bulk_get, the replication log), plus the log read.
    assert!(push_calls <= 2 * 11 + 2, "push: {push_calls}");
    assert!(pull_calls <= 3 * 11 + 2, "pull: {pull_calls}");
    assert_eq!(b.annotations(&art).len(), 1000);
}

#[test]
fn a_hostile_document_is_quarantined_and_changes_nothing() {
    let remote = MemoryRemote::new();
    let mut a = Device::new();
    let art = a.add_article();
    a.edit(&art, X, 1, "x", t(10));
    a.sync(&remote, t(11));
    let before = a.shelf.repo.borrow().store().snapshot();
    // Someone writes a forged annotation, and a document of no known kind.
    let id = format!("annotation:{}:{Y}", art.id);
    let forged = json!({"_id": id, "_rev": "1-00000000000000000000000000000001",
        "_revisions": {"start": 1, "ids": ["00000000000000000000000000000001"]},
        "type": "annotation", "article": art.id, "id": Y, "colour": "<img onerror=x>"});
    let odd = json!({"_id": "_design/x", "_rev": "1-00000000000000000000000000000002",
        "_revisions": {"start": 1, "ids": ["00000000000000000000000000000002"]}, "views": {}});
    assert!(
        block_on(remote.bulk_docs(&[forged, odd]))
            .unwrap()
            .is_empty()
    );
    let r = a.sync(&remote, t(12));
    assert_eq!(r.quarantined.len(), 2, "{:?}", r.quarantined);
    assert!(
        r.quarantined.iter().any(|(i, _)| *i == id),
        "{:?}",
        r.quarantined
    );
    assert!(r.quarantined.iter().any(|(i, _)| i == "_design/x"));
    assert_eq!(
        a.shelf.repo.borrow().store().snapshot(),
        before,
        "nothing stored changed"
    );
    let _ = a.article();
}

#[test]
fn a_conflict_on_the_server_is_resolved_there_by_the_merge_rules() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "agreed")]);
    a.edit(&art, X, 1, "newest", t(30));
    a.sync(&remote, t(31));
    // A third device wrote an older edit on the same parent: a conflict.
    let id = format!("annotation:{}:{X}", art.id);
    let leaf = remote.winner(&id).unwrap();
    let mut rogue = leaf.clone();
    let parent = remote.leaves(&id)[0].clone();
    let head = marginalia::domain::sync::revs::Rev::parse(&parent).unwrap();
    // The sibling of A's newest revision: same parent as it.
    let history = marginalia::domain::sync::revs::History::from_json(
        &block_on(remote.bulk_get(&[(id.clone(), parent.clone())])).unwrap()[0]
            .as_ref()
            .unwrap()["_revisions"],
    )
    .unwrap();
    let base = marginalia::domain::sync::revs::History::new(history.revs[1..].to_vec()).unwrap();
    let sibling = marginalia::domain::sync::revs::Rev::next(Some(base.head()), "rogue");
    let h = base.push(sibling).unwrap();
    rogue["note"] = json!("older rogue edit");
    rogue["updated"] = json!("2023-11-14T22:13:40Z");
    rogue["_rev"] = json!(h.head().to_string());
    rogue["_revisions"] = h.to_json();
    assert!(block_on(remote.bulk_docs(&[rogue])).unwrap().is_empty());
    assert_eq!(remote.leaves(&id).len(), 2, "in conflict");
    let _ = head;
    b.sync(&remote, t(40));
    a.sync(&remote, t(41));
    for d in [&a, &b] {
        assert_eq!(d.annotations(&art).get(X).unwrap().note, "newest");
    }
    // One live leaf, holding the merge's winner; the other closed.
    let live: Vec<String> = remote.leaves(&id);
    assert_eq!(remote.winner(&id).unwrap()["note"], "newest");
    assert!(live.len() >= 2);
    // The rogue edit lost, and is kept to look at on both devices.
    for d in [&a, &b] {
        let lost = d.conflict(&art, X).expect("kept");
        assert!(
            lost.versions
                .iter()
                .any(|v| matches!(v, Version::Live(x) if x.note == "older rogue edit")),
            "{lost:?}"
        );
    }
    assert_eq!(a.sync(&remote, t(50)).sent, 0);
    assert_eq!(b.sync(&remote, t(51)).sent, 0);
}

/// Both devices edit X apart (A at 20, B at 30) and sync: A, B, A.
fn conflicted() -> (MemoryRemote, Device, Device, Article) {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "first")]);
    a.edit(&art, X, 1, "from A", t(20));
    b.edit(&art, X, 1, "from B", t(30));
    a.sync(&remote, t(40));
    b.sync(&remote, t(41));
    a.sync(&remote, t(42));
    (remote, a, b, art)
}

#[test]
fn the_losing_version_is_kept_on_both_devices_until_dismissed_on_one() {
    let (remote, mut a, mut b, art) = conflicted();
    for d in [&a, &b] {
        assert_eq!(d.annotations(&art).get(X).unwrap().note, "from B");
        let c = d.conflict(&art, X).expect("the conflict is kept");
        assert_eq!(c.versions.len(), 1, "{c:?}");
        assert!(matches!(&c.versions[0], Version::Live(x) if x.note == "from A"));
    }
    // Nothing more to send: both hold the same conflict.
    assert_eq!(a.sync(&remote, t(43)).sent, 0);
    assert_eq!(b.sync(&remote, t(44)).sent, 0);
    // Dismissed on A: one document out, and gone from B too.
    assert!(
        a.shelf
            .repo
            .borrow_mut()
            .remove_conflict(&art.id, X)
            .unwrap()
    );
    assert_eq!(a.pending(), 1);
    assert_eq!(a.sync(&remote, t(50)).sent, 1);
    assert_eq!(a.pending(), 0);
    b.sync(&remote, t(51));
    assert!(b.conflict(&art, X).is_none());
    assert_eq!(b.annotations(&art).get(X).unwrap().note, "from B");
    assert_eq!(b.sync(&remote, t(52)).sent, 0);
    assert_eq!(a.sync(&remote, t(53)), Report::default());
}

#[test]
fn restoring_the_losing_version_makes_it_the_annotation_everywhere() {
    let (remote, mut a, mut b, art) = conflicted();
    let c = b.conflict(&art, X).unwrap();
    let restored = c.versions[0].restored(t(60)).unwrap();
    let map = TextMap::new(&art);
    let mut set = b.annotations(&art);
    set.put(restored);
    b.shelf
        .repo
        .borrow_mut()
        .save_changes(&b.library, &mut set, &map)
        .unwrap();
    b.shelf
        .repo
        .borrow_mut()
        .remove_conflict(&art.id, X)
        .unwrap();
    assert_eq!(b.pending(), 2, "the annotation and the dismissal");
    b.sync(&remote, t(61));
    a.sync(&remote, t(62));
    for d in [&a, &b] {
        assert_eq!(d.annotations(&art).get(X).unwrap().note, "from A");
        assert!(d.conflict(&art, X).is_none());
    }
}

#[test]
fn a_deletion_against_an_edit_keeps_the_lost_side_too() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "x")]);
    a.delete(&art, X, t(30));
    b.edit(&art, X, 1, "edited, then lost", t(20));
    a.sync(&remote, t(40));
    b.sync(&remote, t(41));
    a.sync(&remote, t(42));
    for d in [&a, &b] {
        assert!(d.annotations(&art).get(X).is_none());
        let c = d.conflict(&art, X).expect("kept");
        assert!(matches!(&c.versions[0], Version::Live(x) if x.note == "edited, then lost"));
    }
}

#[test]
fn the_same_edit_made_on_two_devices_is_no_conflict() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "x")]);
    a.edit(&art, X, 1, "same", t(20));
    b.edit(&art, X, 1, "same", t(20));
    a.sync(&remote, t(40));
    let r = b.sync(&remote, t(41));
    assert!(r.conflicts.is_empty(), "{r:?}");
    assert!(b.conflict(&art, X).is_none());
}

#[test]
fn an_article_deleted_on_one_device_is_deleted_on_the_others() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "x")]);
    assert!(b.library.get(&art.id).is_some());
    assert!(block_on(a.shelf.delete(&mut a.library, &art.id)).unwrap());
    assert_eq!(a.pending(), 1, "the article's deletion");
    assert_eq!(a.sync(&remote, t(20)).sent, 1);
    b.sync(&remote, t(21));
    assert!(b.library.get(&art.id).is_none(), "deleted on B too");
    assert!(
        b.shelf
            .repo
            .borrow()
            .store()
            .scan("marginalia:a:")
            .unwrap()
            .is_empty()
    );
    assert_eq!(b.sync(&remote, t(22)).sent, 0);
    assert_eq!(a.sync(&remote, t(23)).sent, 0);
    // A third device never takes it in.
    let mut c = Device::new();
    c.sync(&remote, t(24));
    assert!(c.library.get(&art.id).is_none());
}

#[test]
fn an_article_deleted_elsewhere_stays_where_it_was_annotated_since() {
    let (remote, mut a, mut b, art) = synced_pair(&[(X, 1, "x")]);
    assert!(block_on(a.shelf.delete(&mut a.library, &art.id)).unwrap());
    b.edit(&art, Y, 2, "new on B", t(20));
    a.sync(&remote, t(30));
    b.sync(&remote, t(31));
    assert!(b.library.get(&art.id).is_some(), "kept: it has unsent work");
    assert_eq!(b.annotations(&art).get(Y).unwrap().note, "new on B");
    // And it comes back to A, with what B made.
    a.sync(&remote, t(32));
    assert!(a.library.get(&art.id).is_some());
    assert_eq!(a.annotations(&art).get(Y).unwrap().note, "new on B");
}

#[test]
fn a_replaced_database_gets_everything_again_under_the_same_revisions() {
    let remote = MemoryRemote::new();
    let mut a = Device::new();
    let art = a.add_article();
    a.edit(&art, X, 1, "x", t(10));
    a.sync(&remote, t(11));
    a.sync(&remote, t(12));
    let id = format!("annotation:{}:{X}", art.id);
    let rev = remote.leaves(&id);
    // The database is emptied and made again: no documents, no log.
    let fresh = MemoryRemote::new();
    let r = a.sync(&fresh, t(20));
    assert!(r.sent >= 3, "{r:?}");
    assert_eq!(fresh.leaves(&id), rev, "the same revision, not a new one");
    let mut b = Device::new();
    b.sync(&fresh, t(21));
    assert_eq!(b.annotations(&art).get(X).unwrap().note, "x");
    // The log agrees again: nothing more is offered.
    assert_eq!(a.sync(&fresh, t(22)).sent, 0);
}
