//! Sync documents, natively: each kind written and read back, and
//! documents from the server treated as untrusted input: anything
//! malformed, oversized, of another kind or disagreeing with its id is
//! refused with a reason.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::set::TagColours;
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::exchange::Entry;
use marginalia::domain::import::parse_text;
use marginalia::domain::sync::conflict::{Conflict, Version};
use marginalia::domain::sync::docs::{Doc, MAX_SMALL_BYTES};
use serde_json::{Value, json};

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(1_700_000_000_000 + ms)
}

fn article() -> Article {
    Article::build(
        parse_text(
            "Café notes\n\nThe café opened at dawn — 朝の六時。 A 🧑‍🚀 poster hung by the door.",
        ),
        NewArticle {
            title: None,
            source_name: Some("cafe.txt"),
        },
        t(0),
    )
    .unwrap()
}

fn annotation(a: &Article) -> Annotation {
    let map = TextMap::new(a);
    let mut x = Annotation::new(
        "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
        &a.id,
        Target::sentences(&map, 1, 1).unwrap(),
        Colour::Blue,
        t(5),
    );
    x.tags = vec!["Évidence".into(), "open \"q\"".into()];
    x.note = "A <b>note</b>\nwith lines".into();
    x.updated = t(9);
    x
}

/// The document as the server would hand it back.
fn served(doc: &Doc) -> Value {
    let mut v = doc.body();
    v["_id"] = json!(doc.id());
    v["_rev"] = json!("1-0123456789abcdef0123456789abcdef");
    if doc.is_deleted() {
        v["_deleted"] = json!(true);
    }
    v
}

fn read(v: &Value) -> Result<Doc, String> {
    Doc::read(v, v.to_string().len()).map_err(|e| e.to_string())
}

#[test]
fn every_kind_of_document_reads_back_as_written() {
    let a = article();
    let entry = Entry::new(a.meta(), Some(a.clone()), Vec::new());
    let mut colours = TagColours::default();
    colours.set("Évidence", Some(Colour::Pink));
    for doc in [
        Doc::Article(entry),
        Doc::Annotation(Box::new(annotation(&a))),
        Doc::Deleted {
            article: a.id.clone(),
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            at: t(12),
        },
        Doc::TagColours {
            colours,
            updated: t(3),
        },
        Doc::ArticleDeleted {
            id: a.id.clone(),
            at: t(20),
        },
        Doc::Conflict(
            Conflict::new(
                &a.id,
                "0f8fad5b-d9cb-469f-a165-70867728950e",
                t(30),
                vec![
                    Version::Live(Box::new(annotation(&a))),
                    Version::Deleted(t(11)),
                ],
            )
            .unwrap(),
        ),
        Doc::ConflictDismissed {
            article: a.id.clone(),
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            at: t(40),
        },
    ] {
        assert_eq!(read(&served(&doc)), Ok(doc.clone()), "{}", doc.id());
        // The same content is the same text, whatever the order it was built in.
        assert_eq!(doc.canonical(), doc.clone().canonical());
    }
}

#[test]
fn document_ids_name_their_content() {
    let a = article();
    let x = annotation(&a);
    assert_eq!(
        Doc::Annotation(Box::new(x.clone())).id(),
        format!("annotation:{}:{}", a.id, x.id)
    );
    assert_eq!(
        Doc::Article(Entry::new(a.meta(), Some(a.clone()), vec![])).id(),
        format!("article:{}", a.id)
    );
    assert_eq!(
        Doc::TagColours {
            colours: TagColours::default(),
            updated: t(0)
        }
        .id(),
        "tag-colours"
    );
}

#[test]
fn hostile_or_malformed_documents_are_refused_with_a_reason() {
    let ann_id = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
    let a = article();
    let good_annotation = served(&Doc::Annotation(Box::new(annotation(&a))));
    let good_article = served(&Doc::Article(Entry::new(a.meta(), Some(a.clone()), vec![])));
    let with = |base: &Value, f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!({"type": "annotation"}), "_id"),
        (
            with(&good_annotation, &|v| v["type"] = json!("article")),
            "type",
        ),
        (
            with(&good_annotation, &|v| v["article"] = json!("0".repeat(64))),
            "article differs",
        ),
        (
            with(&good_annotation, &|v| {
                v["_id"] = json!(format!(
                    "annotation:{}:1b4e28ba-2fa1-41d2-883f-0016d3cca427",
                    a.id
                ))
            }),
            "annotation id differs",
        ),
        (
            with(&good_annotation, &|v| {
                v["_id"] = json!("annotation:nocolon")
            }),
            "annotation:<article id>",
        ),
        (
            with(&good_annotation, &|v| v["colour"] = json!("<script>")),
            "colour",
        ),
        (
            with(&good_annotation, &|v| v["tags"] = json!([1, 2])),
            "tags",
        ),
        (
            with(&good_annotation, &|v| v["note"] = json!({"x": 1})),
            "note",
        ),
        (
            with(&good_article, &|v| {
                let t = v["text"]["blocks"][1]["text"]
                    .as_str()
                    .unwrap()
                    .replace("dawn", "dusk");
                v["text"]["blocks"][1]["text"] = json!(t);
            }),
            "does not match",
        ),
        (
            with(&good_article, &|v| {
                v.as_object_mut().unwrap().remove("text");
            }),
            "text",
        ),
        (
            with(&good_article, &|v| v["_deleted"] = json!(true)),
            "deleted",
        ),
        (
            json!({"_id": "article:x", "type": "article", "_deleted": true, "deleted": "2026-01-01T00:00:00Z"}),
            "fingerprint",
        ),
        (
            json!({"_id": format!("conflict:{}:{}", a.id, ann_id), "type": "annotation"}),
            "type \"conflict\"",
        ),
        (
            json!({"_id": format!("conflict:{}:x", a.id), "type": "conflict"}),
            "UUID",
        ),
        (
            json!({"_id": format!("conflict:{}:{}", a.id, ann_id), "type": "conflict", "article": a.id, "annotation": ann_id, "found": "2026-01-01T00:00:00Z", "versions": []}),
            "no version",
        ),
        (
            json!({"_id": format!("conflict:{}:{}", a.id, ann_id), "type": "conflict", "article": a.id, "annotation": ann_id, "found": "2026-01-01T00:00:00Z", "versions": [good_annotation.clone()]}),
            "another annotation",
        ),
        (
            json!({"_id": format!("conflict:{}:{}", a.id, ann_id), "type": "conflict", "article": a.id, "annotation": "0f8fad5b-d9cb-469f-a165-70867728950f", "found": "2026-01-01T00:00:00Z", "versions": [{"deleted": "2026-01-01T00:00:00Z"}]}),
            "another annotation",
        ),
        (
            json!({"_id": format!("conflict:{}:{}", a.id, ann_id), "type": "conflict", "article": a.id, "annotation": ann_id, "found": "2026-01-01T00:00:00Z", "versions": [{"deleted": "soon"}]}),
            "RFC 3339",
        ),
        (
            with(&good_article, &|v| {
                v["_id"] = json!(format!("article:{}", "a".repeat(64)))
            }),
            "differs",
        ),
        (
            json!({"_id": "_design/evil", "type": "annotation", "views": {}}),
            "not one this app writes",
        ),
        (
            json!({"_id": "tag-colours", "type": "tag-colours", "colours": {"x": "mauve"}, "updated": "2026-01-01T00:00:00Z"}),
            "colour",
        ),
        (
            json!({"_id": format!("annotation:{}:x", a.id), "type": "annotation", "article": a.id, "_deleted": true, "deleted": "2026-01-01T00:00:00Z"}),
            "UUID",
        ),
        (
            json!({"_id": format!("annotation:{}:0f8fad5b-d9cb-469f-a165-70867728950e", a.id), "type": "annotation", "article": a.id, "_deleted": true, "deleted": "yesterday"}),
            "deleted",
        ),
    ];
    for (doc, why) in cases {
        let err = read(&doc).expect_err(&doc.to_string());
        assert!(err.contains(why), "{why:?} not in {err:?}");
    }
    // Oversized, whatever it holds.
    let err = Doc::read(&good_annotation, MAX_SMALL_BYTES + 1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("bytes"), "{err}");
}
