//! Property: export → import into empty storage → export gives the same
//! file (apart from the export time), for generated articles and
//! annotations in text where code points, UTF-16 units and UTF-8 bytes
//! all differ (accents, combining marks, CJK, emoji, ZWJ sequences).
//! And the W3C export, imported where the articles are, gives back the
//! same annotations.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target, clean_note, uuid_v4};
use marginalia::domain::annotate::set::{AnnotationSet, TagColours};
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::exchange::file::read_file;
use marginalia::domain::exchange::restore::{LibrarySource, bundle_of, plan};
use marginalia::domain::exchange::w3c;
use marginalia::domain::exchange::{ExportInfo, write_json};
use marginalia::domain::import::parse_text;
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::Repo;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "alpha",
    "Café",
    "naïve",
    "e\u{301}toile",
    "朝の六時",
    "東京",
    "🧑‍🚀",
    "👩🏽‍💻",
    "Zürich",
    "straße",
    "😀😀",
    "Ωmega",
    "x",
    "U.S.",
    "3.5%",
    "«quoted»",
    "\"said\"",
];
const ENDS: &[&str] = &[".", "!", "?", "。", "…"];
const TAGS: &[&str] = &[
    "news",
    "Ünïcode",
    "war crimes",
    "<b>x</b>",
    "日本",
    "#hash",
    "a/b",
];

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
}

fn sentence() -> impl Strategy<Value = String> {
    (prop::collection::vec(0..WORDS.len(), 1..6), 0..ENDS.len()).prop_map(|(ws, e)| {
        let words: Vec<&str> = ws.into_iter().map(|i| WORDS[i]).collect();
        format!("{}{}", words.join(" "), ENDS[e])
    })
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(sentence(), 1..4), 1..4).prop_map(|paras| {
        paras
            .into_iter()
            .map(|p| p.join(" "))
            .collect::<Vec<_>>()
            .join("\n\n")
    })
}

/// One annotation's choices; turned into an annotation on a given article.
#[derive(Clone, Debug)]
struct Spec {
    span: bool,
    a: usize,
    b: usize,
    colour: usize,
    tags: Vec<usize>,
    note: String,
    created: i64,
    later: i64,
    orphan: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        0usize..10_000,
        0usize..10_000,
        0usize..6,
        prop::collection::vec(0..TAGS.len(), 0..3),
        prop::collection::vec(any::<char>(), 0..30),
        0i64..4_000_000_000_000,
        0i64..1_000_000,
        prop::bool::weighted(0.15),
    )
        .prop_map(
            |(span, a, b, colour, tags, note, created, later, orphan)| Spec {
                span,
                a,
                b,
                colour,
                tags,
                note: note.into_iter().collect(),
                created,
                later,
                orphan,
            },
        )
}

fn build(article: &Article, specs: &[Spec]) -> AnnotationSet {
    let map = TextMap::new(article);
    let mut set = AnnotationSet::new(&article.id);
    for (n, s) in specs.iter().enumerate() {
        let target = if s.span {
            let len = map.char_len();
            let start = (s.a as u32) % len;
            let end = start + 1 + (s.b as u32) % (len - start);
            Target::span(&map, start, end)
        } else {
            let (x, y) = (s.a % map.len(), s.b % map.len());
            Target::sentences(&map, x.min(y), x.max(y))
        };
        let Some(target) = target else { continue };
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&(n as u64 + 1).to_le_bytes());
        bytes[8..].copy_from_slice(&(s.created as u64).to_le_bytes());
        let mut a = Annotation::new(
            uuid_v4(bytes),
            &article.id,
            target,
            Colour::ALL[s.colour],
            t(s.created),
        );
        a.updated = t(s.created + s.later);
        for &i in &s.tags {
            if !a.tags.iter().any(|x| x == TAGS[i]) {
                a.tags.push(TAGS[i].to_owned());
            }
        }
        a.note = clean_note(&s.note);
        a.orphan = s.orphan;
        set.put(a);
    }
    set
}

fn library(texts: &[String], specs: &[Vec<Spec>]) -> (Repo<MemoryStore>, Vec<String>) {
    let (mut repo, opened) = Repo::open(MemoryStore::new());
    let mut lib = opened.library;
    let mut ids = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let Ok(article) = Article::build(
            parse_text(text),
            NewArticle {
                title: None,
                source_name: Some("a.txt"),
            },
            t(i as i64),
        ) else {
            continue;
        };
        if repo.add_article(&mut lib, &article).is_err() || ids.contains(&article.id) {
            continue;
        }
        let mut set = build(&article, &specs[i]);
        repo.save_annotations(
            &repo.stored_library().unwrap_or_default(),
            &mut set,
            chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(1),
        )
        .unwrap();
        ids.push(article.id);
    }
    let mut colours = TagColours::default();
    colours.set("news", Some(Colour::Green));
    repo.save_tag_colours(&colours).unwrap();
    (repo, ids)
}

fn info() -> ExportInfo {
    ExportInfo {
        exported: t(1_800_000_000_000),
        app_version: "test".into(),
        complete: true,
    }
}

fn all_ids(repo: &Repo<MemoryStore>) -> Vec<String> {
    repo.library()
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn export_import_export_is_identical(
        texts in prop::collection::vec(text(), 1..3),
        specs in prop::collection::vec(prop::collection::vec(spec(), 0..8), 3),
    ) {
        let (repo, _) = library(&texts, &specs);
        let first = write_json(&bundle_of(&repo, &all_ids(&repo), true), &info());
        let (mut empty, _) = Repo::open(MemoryStore::new());
        let read = read_file(first.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let p = plan(&read, &empty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut lib = empty.library();
        empty.apply_import(&mut lib, &p).unwrap();
        let second = write_json(&bundle_of(&empty, &all_ids(&empty), true), &info());
        prop_assert_eq!(first, second);
        // And what is stored is what was there: articles, annotations, colours.
        prop_assert_eq!(all_ids(&empty), all_ids(&repo));
        for id in all_ids(&repo) {
            prop_assert_eq!(empty.article(&id), repo.article(&id));
            let mut a = empty.annotations(&id).items().cloned().collect::<Vec<_>>();
            let mut b = repo.annotations(&id).items().cloned().collect::<Vec<_>>();
            a.sort_by(|x, y| x.id.cmp(&y.id));
            b.sort_by(|x, y| x.id.cmp(&y.id));
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(empty.colours(), repo.colours());
    }

    #[test]
    fn the_w3c_export_imports_back_to_the_same_annotations(
        text in text(),
        specs in prop::collection::vec(spec(), 0..8),
    ) {
        let specs: Vec<Spec> = specs.into_iter().map(|s| Spec { orphan: false, ..s }).collect();
        let (repo, ids) = library(std::slice::from_ref(&text), &[specs]);
        let file = w3c::write(&bundle_of(&repo, &ids, false), &info(), "test");
        let article = repo.load_article_for_test(&ids[0]);
        let (mut fresh, opened) = Repo::open(MemoryStore::new());
        let mut lib = opened.library;
        fresh.add_article(&mut lib, &article).unwrap();
        let read = read_file(file.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let p = plan(&read, &fresh).map_err(|e| TestCaseError::fail(e.to_string()))?;
        fresh.apply_import(&mut lib, &p).unwrap();
        let mut a = fresh.stored_annotations(&ids[0]).map(|s| s.items().cloned().collect::<Vec<_>>()).unwrap_or_default();
        let mut b = repo.stored_annotations(&ids[0]).map(|s| s.items().cloned().collect::<Vec<_>>()).unwrap_or_default();
        a.sort_by(|x, y| x.id.cmp(&y.id));
        b.sort_by(|x, y| x.id.cmp(&y.id));
        prop_assert_eq!(a, b);
    }
}

trait LoadForTest {
    fn load_article_for_test(&self, id: &str) -> Article;
}

impl LoadForTest for Repo<MemoryStore> {
    fn load_article_for_test(&self, id: &str) -> Article {
        self.article(id).unwrap()
    }
}
