//! Export and import, natively: the formats, the round trip, the merge
//! rules of an import, re-anchoring onto another version, the all-or-nothing
//! apply, and every kind of bad file (each refused with a message naming
//! what is wrong, storage untouched).
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target};
use marginalia::domain::annotate::set::{AnnotationSet, TagColours};
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::exchange::file::read_file;
use marginalia::domain::exchange::restore::{self, Destination, LibrarySource, plan};
use marginalia::domain::exchange::{self, Bundle, ExportInfo, Format, write_json};
use marginalia::domain::import::parse_text;
use marginalia::domain::{exchange::markdown, exchange::w3c};
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::Repo;
use serde_json::{Value, json};

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(1_700_000_000_000 + ms)
}

fn article(text: &str, source: Option<&str>) -> Article {
    Article::build(
        parse_text(text),
        NewArticle {
            title: None,
            source_name: source,
        },
        t(0),
    )
    .unwrap()
}

const FERRY: &str = "Electric ferry starts service\n\nThe new electric ferry made its first crossing on Tuesday. It carried 212 passengers and 14 bicycles.\n\nThe harbour master said the vessel cost £4.2 million. Critics warned about the narrow entrance.";
const CAFE: &str = "Café notes\n\nThe café opened at dawn — 朝の六時。 A 🧑‍🚀 poster hung by the door. Nobody could explain it.";

fn uuid(n: u8) -> String {
    marginalia::domain::annotate::annotation::uuid_v4([n; 16])
}

fn on_sentences(a: &Article, n: u8, first: usize, last: usize, at: i64) -> Annotation {
    let map = TextMap::new(a);
    let target = Target::sentences(&map, first, last).unwrap();
    Annotation::new(uuid(n), &a.id, target, Colour::Yellow, t(at))
}

fn on_words(a: &Article, n: u8, words: &str, at: i64) -> Annotation {
    let map = TextMap::new(a);
    let start = map.text().find(words).unwrap();
    let start = map.text()[..start].chars().count() as u32;
    let end = start + words.chars().count() as u32;
    let target = Target::span(&map, start, end).unwrap();
    Annotation::new(uuid(n), &a.id, target, Colour::Green, t(at))
}

fn repo_with(articles: &[&Article]) -> Repo<MemoryStore> {
    let (mut repo, opened) = Repo::open(MemoryStore::new());
    let mut lib = opened.library;
    for a in articles {
        repo.add_article(&mut lib, a).unwrap();
    }
    repo
}

fn save(repo: &mut Repo<MemoryStore>, article: &str, items: Vec<Annotation>) {
    let mut set = AnnotationSet::new(article);
    for a in items {
        set.put(a);
    }
    repo.save_annotations(
        &repo.stored_library().unwrap_or_default(),
        &mut set,
        chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(1),
    )
    .unwrap();
}

fn info(complete: bool) -> ExportInfo {
    ExportInfo {
        exported: t(99_000),
        app_version: "0.1.0".into(),
        complete,
    }
}

/// A library of two articles with tags, notes, a span, non-ASCII text,
/// script in a note and a tag colour.
fn sample() -> (Repo<MemoryStore>, Article, Article) {
    let ferry = article(FERRY, Some("ferry.txt"));
    let cafe = article(CAFE, None);
    let mut repo = repo_with(&[&ferry, &cafe]);
    let mut a1 = on_sentences(&ferry, 1, 1, 2, 10);
    a1.tags = vec!["transport".into(), "war crimes".into()];
    a1.note = "Check the **passenger** count.\n\n<script>alert(1)</script>".into();
    a1.updated = t(20);
    let mut a2 = on_words(&ferry, 2, "£4.2 million", 30);
    a2.colour = Colour::Pink;
    a2.tags = vec!["<b>money</b>".into()];
    let mut a3 = on_words(&cafe, 3, "朝の六時", 40);
    a3.note = "# not a heading\n- not a list".into();
    let a4 = on_words(&cafe, 4, "🧑‍🚀 poster", 50);
    save(&mut repo, &ferry.id, vec![a1, a2]);
    save(&mut repo, &cafe.id, vec![a3, a4]);
    let mut colours = TagColours::default();
    colours.set("Transport", Some(Colour::Blue));
    repo.save_tag_colours(&colours).unwrap();
    (repo, ferry, cafe)
}

fn all_ids(repo: &Repo<MemoryStore>) -> Vec<String> {
    repo.library()
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

fn export(repo: &Repo<MemoryStore>, complete: bool) -> String {
    let bundle = restore::bundle_of(repo, &all_ids(repo), complete);
    write_json(&bundle, &info(complete))
}

fn import_into(repo: &mut Repo<MemoryStore>, file: &str) -> restore::Plan {
    let read = read_file(file.as_bytes()).unwrap();
    let p = plan(&read, repo).unwrap();
    let mut lib = repo.library();
    repo.apply_import(&mut lib, &p).unwrap();
    p
}

#[test]
fn a_complete_backup_restores_everything_into_an_empty_browser() {
    let (repo, ferry, cafe) = sample();
    let first = export(&repo, true);
    let mut empty = repo_with(&[]);
    let p = import_into(&mut empty, &first);
    assert_eq!(p.totals().added, 4);
    assert_eq!(p.restored().count(), 2);
    assert_eq!(all_ids(&empty), [cafe.id.clone(), ferry.id.clone()]);
    assert_eq!(
        empty.load_article(&ferry.id).unwrap(),
        repo.article(&ferry.id).unwrap()
    );
    assert_eq!(empty.load_tag_colours(), repo.load_tag_colours());
    let second = export(&empty, true);
    assert_eq!(first, second, "export → import → export must be identical");
}

#[test]
fn the_json_export_has_the_documented_fields() {
    let (repo, ferry, _) = sample();
    let v: Value = serde_json::from_str(&export(&repo, false)).unwrap();
    assert_eq!(v["format"], "marginalia");
    assert_eq!(v["version"], 1);
    assert_eq!(v["exported"], "2023-11-14T22:14:59Z");
    assert_eq!(v["app"]["name"], "Marginalia");
    assert_eq!(v["complete"], false);
    assert_eq!(v["tagColours"]["transport"], "blue");
    let art = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == ferry.id.as_str())
        .unwrap();
    assert_eq!(art["title"], "Electric ferry starts service");
    assert_eq!(art["sourceName"], "ferry.txt");
    assert_eq!(art["sentences"], 5);
    assert!(
        art.get("text").is_none(),
        "no text unless a complete backup"
    );
    let a = &art["annotations"][0];
    assert_eq!(a["target"]["kind"], "sentences");
    assert_eq!(a["target"]["sentences"], json!([1, 2]));
    assert_eq!(a["target"]["quote"]["type"], "TextQuoteSelector");
    assert_eq!(
        a["target"]["quote"]["exact"],
        "The new electric ferry made its first crossing on Tuesday. It carried 212 passengers and 14 bicycles."
    );
    assert_eq!(a["target"]["position"]["type"], "TextPositionSelector");
    assert_eq!(a["target"]["position"]["start"], 31);
    assert_eq!(a["tags"], json!(["transport", "war crimes"]));
    assert_eq!(a["created"], "2023-11-14T22:13:20.010Z");
    assert_eq!(a["anchored"], true);
}

#[test]
fn positions_count_code_points_not_utf16_units_or_bytes() {
    let (repo, _, cafe) = sample();
    let v: Value = serde_json::from_str(&export(&repo, true)).unwrap();
    let art = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == cafe.id.as_str())
        .unwrap();
    let text: Vec<char> = TextMap::new(&cafe).text().chars().collect();
    for a in art["annotations"].as_array().unwrap() {
        let (s, e) = (
            a["target"]["position"]["start"].as_u64().unwrap() as usize,
            a["target"]["position"]["end"].as_u64().unwrap() as usize,
        );
        let exact: String = text[s..e].iter().collect();
        assert_eq!(exact, a["target"]["quote"]["exact"].as_str().unwrap());
    }
    // Sentence spans of a backup count code points of their block.
    let block = &art["text"]["blocks"][1];
    let chars: Vec<char> = block["text"].as_str().unwrap().chars().collect();
    let [s, e] = [
        block["sentences"][1][0].as_u64().unwrap() as usize,
        block["sentences"][1][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(
        chars[s..e].iter().collect::<String>(),
        "A 🧑‍🚀 poster hung by the door."
    );
}

#[test]
fn importing_merges_by_id_newer_wins_identical_and_older_are_skipped() {
    let (mut repo, ferry, _) = sample();
    let file = export(&repo, false);
    let mut v: Value = serde_json::from_str(&file).unwrap();
    let arts = v["articles"].as_array_mut().unwrap();
    let art = arts
        .iter_mut()
        .find(|a| a["id"] == ferry.id.as_str())
        .unwrap();
    let anns = art["annotations"].as_array_mut().unwrap();
    // [0] newer note, [1] older colour change; plus a brand-new one and a
    // copy of [0]'s place and content under another id.
    anns[0]["note"] = json!("Newer note");
    anns[0]["updated"] = json!("2030-01-01T00:00:00Z");
    anns[1]["colour"] = json!("blue");
    anns[1]["updated"] = anns[1]["created"].clone();
    let mut fresh = anns[1].clone();
    fresh["id"] = json!(uuid(9));
    fresh["colour"] = json!("purple");
    let mut dup = anns[0].clone();
    dup["id"] = json!(uuid(8));
    anns.push(fresh);
    anns.push(dup);
    let text = serde_json::to_string(&v).unwrap();
    // Delete the café's first annotation here after its last change.
    let cafe_id = repo.library().entries()[0].id.clone();
    let mut cafe_set = repo.load_annotations(&cafe_id).unwrap();
    cafe_set.remove(&uuid(3), t(100_000));
    repo.save_annotations(
        &repo.stored_library().unwrap_or_default(),
        &mut cafe_set,
        chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(1),
    )
    .unwrap();

    let read = read_file(text.as_bytes()).unwrap();
    let p = plan(&read, &repo).unwrap();
    let c = p.totals();
    assert_eq!(
        (
            c.added,
            c.updated,
            c.unchanged,
            c.older,
            c.deleted_here,
            c.duplicates
        ),
        (1, 1, 1, 1, 1, 1),
        "{c:?}"
    );
    let mut lib = repo.library();
    repo.apply_import(&mut lib, &p).unwrap();
    let set = repo.load_annotations(&ferry.id).unwrap();
    assert_eq!(set.len(), 3);
    assert_eq!(set.get(&uuid(1)).unwrap().note, "Newer note");
    assert_eq!(
        set.get(&uuid(2)).unwrap().colour,
        Colour::Pink,
        "the older copy lost"
    );
    assert_eq!(set.get(&uuid(9)).unwrap().colour, Colour::Purple);
    assert!(
        repo.load_annotations(&cafe_id)
            .unwrap()
            .get(&uuid(3))
            .is_none(),
        "stays deleted"
    );
}

#[test]
fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let (repo, _, _) = sample();
    let file = export(&repo, true);
    let mut empty = repo_with(&[]);
    import_into(&mut empty, &file);
    let before = empty.store().snapshot();
    let read = read_file(file.as_bytes()).unwrap();
    let p = plan(&read, &empty).unwrap();
    assert!(!p.changes_anything(), "{:?}", p.totals());
    assert_eq!(p.totals().unchanged, 4);
    let mut lib = empty.library();
    empty.apply_import(&mut lib, &p).unwrap();
    assert_eq!(empty.store().snapshot(), before);
}

#[test]
fn annotations_without_their_article_are_skipped_and_the_plan_says_so() {
    let (repo, _, _) = sample();
    let file = export(&repo, false);
    let empty = repo_with(&[]);
    let p = plan(&read_file(file.as_bytes()).unwrap(), &empty).unwrap();
    assert!(
        p.articles
            .iter()
            .all(|a| a.destination == Destination::Missing)
    );
    assert_eq!(p.totals().missing, 4);
    assert_eq!(p.totals().stored(), 0);
}

#[test]
fn annotations_for_another_version_are_reanchored_onto_it() {
    let (repo, ferry, _) = sample();
    let file = export(&repo, false);
    // The same file name, edited: a paragraph inserted before the quotes.
    let edited = FERRY.replacen(
        "\n\nThe new electric",
        "\n\nA paragraph the editors added later. It says nothing new.\n\nThe new electric",
        1,
    );
    let edited = article(&edited, Some("ferry.txt"));
    let mut other = repo_with(&[&edited]);
    let read = read_file(file.as_bytes()).unwrap();
    let p = plan(&read, &other).unwrap();
    let ferry_plan = p.articles.iter().find(|a| a.title == ferry.title).unwrap();
    assert_eq!(
        ferry_plan.destination,
        Destination::Reanchor(edited.id.clone())
    );
    assert_eq!(ferry_plan.counts.added, 2);
    assert_eq!(ferry_plan.counts.orphaned, 0);
    let mut lib = other.library();
    other.apply_import(&mut lib, &p).unwrap();
    let set = other.load_annotations(&edited.id).unwrap();
    let map = TextMap::new(&edited);
    for a in set.items() {
        assert!(!a.orphan);
        let pos = a.target.position;
        assert_eq!(map.slice(pos.start, pos.end), a.target.quote.exact);
        assert_eq!(a.article, edited.id);
    }
    assert_eq!(
        set.get(&uuid(2)).unwrap().target.quote.exact,
        "£4.2 million"
    );
}

#[test]
fn replacing_an_article_with_an_edited_version_moves_its_annotations() {
    let (mut repo, ferry, _) = sample();
    let edited = FERRY.replace("It carried 212 passengers", "It carried 213 passengers");
    let edited = article(&edited, Some("ferry-v2.txt"));
    let old_set = repo.load_annotations(&ferry.id).unwrap();
    let r = restore::replace(&ferry, &old_set, edited.clone());
    assert_eq!(r.article.title, ferry.title);
    let mut lib = repo.library();
    let stored = repo
        .replace_article(&mut lib, &ferry, edited.clone())
        .unwrap();
    assert_eq!(stored.set, r.set);
    assert!(lib.get(&ferry.id).is_none());
    assert_eq!(
        lib.entries()[1].id,
        edited.id,
        "the new version takes the old one's place"
    );
    assert!(repo.article(&ferry.id).is_none());
    assert_eq!(repo.load_annotations(&edited.id).unwrap().len(), 2);
    assert!(repo.stored_annotations(&ferry.id).is_none());
}

#[test]
fn a_failed_import_leaves_storage_exactly_as_it_was() {
    let (repo, _, _) = sample();
    let file = export(&repo, true);
    let mut empty = repo_with(&[]);
    let before = empty.store().snapshot();
    let read = read_file(file.as_bytes()).unwrap();
    let p = plan(&read, &empty).unwrap();
    // The third write fails, as a full localStorage would.
    let mut lib = empty.library();
    empty.store_mut().fail_one_set_after(2);
    assert!(empty.apply_import(&mut lib, &p).is_err());
    assert_eq!(empty.store().snapshot(), before);
    assert!(lib.is_empty());
}

#[test]
fn the_w3c_export_is_an_annotation_collection_with_the_three_motivations() {
    let (repo, ferry, _) = sample();
    let bundle = restore::bundle_of(&repo, std::slice::from_ref(&ferry.id), false);
    let v: Value = serde_json::from_str(&w3c::write(&bundle, &info(false), &ferry.title)).unwrap();
    assert_eq!(v["@context"], "http://www.w3.org/ns/anno.jsonld");
    assert_eq!(v["type"], "AnnotationCollection");
    assert_eq!(v["total"], 2);
    let first = &v["first"]["items"][0];
    assert_eq!(first["type"], "Annotation");
    assert_eq!(first["id"], format!("urn:uuid:{}", uuid(1)));
    assert_eq!(
        first["motivation"],
        json!(["highlighting", "tagging", "commenting"])
    );
    let bodies = first["body"].as_array().unwrap();
    assert_eq!(
        bodies[0],
        json!({"type": "TextualBody", "purpose": "tagging", "value": "transport"})
    );
    assert_eq!(bodies[2]["purpose"], "commenting");
    assert_eq!(
        first["target"]["source"]["id"],
        format!("urn:marginalia:article:{}", ferry.id)
    );
    assert_eq!(first["target"]["selector"][0]["type"], "TextQuoteSelector");
    assert_eq!(
        first["target"]["selector"][1]["type"],
        "TextPositionSelector"
    );
    assert_eq!(first["target"]["selector"][1]["start"], 31);
    assert_eq!(first["target"]["styleClass"], "marginalia-yellow");
    assert_eq!(first["modified"], "2023-11-14T22:13:20.020Z");
}

#[test]
fn a_w3c_export_imports_back_to_the_same_annotations() {
    let (mut repo, ferry, cafe) = sample();
    let ids = all_ids(&repo);
    let bundle = restore::bundle_of(&repo, &ids, false);
    let file = w3c::write(&bundle, &info(false), "library");
    let mut fresh = repo_with(&[&ferry, &cafe]);
    let p = import_into(&mut fresh, &file);
    assert_eq!(p.format, Format::W3c);
    assert_eq!(p.totals().added, 4);
    for id in &ids {
        assert_eq!(
            fresh.load_annotations(id).unwrap().items().len(),
            repo.load_annotations(id).unwrap().len()
        );
        let mut a: Vec<Annotation> = fresh
            .load_annotations(id)
            .unwrap()
            .items()
            .cloned()
            .collect::<Vec<_>>();
        let mut b: Vec<Annotation> = repo
            .load_annotations(id)
            .unwrap()
            .items()
            .cloned()
            .collect::<Vec<_>>();
        a.sort_by(|x, y| x.id.cmp(&y.id));
        b.sort_by(|x, y| x.id.cmp(&y.id));
        assert_eq!(a, b, "W3C round trip of {id}");
    }
}

#[test]
fn the_markdown_export_quotes_tags_and_notes_with_markup_escaped() {
    let (repo, ferry, _) = sample();
    let bundle = restore::bundle_of(&repo, std::slice::from_ref(&ferry.id), false);
    let md = markdown::write(&bundle, &info(false));
    assert!(md.starts_with("# Electric ferry starts service\n"), "{md}");
    assert!(
        md.contains("> The new electric ferry made its first crossing on Tuesday."),
        "{md}"
    );
    assert!(
        md.contains("#transport #war-crimes · yellow · 2023-11-14"),
        "{md}"
    );
    assert!(
        md.contains("Check the \\*\\*passenger\\*\\* count.\n\n\\<script\\>alert(1)\\</script\\>"),
        "{md}"
    );
    assert!(md.contains("#bmoney/b · pink"), "{md}");
    assert!(!md.contains("<script>"));
}

// ---- bad files ----

fn valid_file() -> Value {
    let (repo, _, _) = sample();
    serde_json::from_str(&export(&repo, true)).unwrap()
}

fn edited(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = valid_file();
    f(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// Every bad file: refused with a message containing `expect`, and the
/// storage of a library with articles and annotations is untouched.
fn refused(name: &str, bytes: &[u8], expect: &str) {
    let (repo, _, _) = sample();
    let before = repo.store().snapshot();
    let message = match read_file(bytes) {
        Err(e) => e.to_string(),
        Ok(read) => match plan(&read, &repo) {
            Err(e) => e.to_string(),
            Ok(p) => panic!("{name}: accepted: {:?}", p.totals()),
        },
    };
    assert!(
        message.contains(expect),
        "{name}: message {message:?} lacks {expect:?}"
    );
    assert_eq!(repo.store().snapshot(), before, "{name}: storage changed");
}

#[test]
fn every_malformed_file_is_refused_with_a_message_naming_the_problem() {
    let full = serde_json::to_vec(&valid_file()).unwrap();
    let a0 = "$.articles[0]";
    let n0 = "$.articles[0].annotations[0]";
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
    png.extend_from_slice(&[0u8; 64]);
    let utf16_no_bom: Vec<u8> = "{\"format\":1}"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let mut deep = "[".repeat(200);
    deep.push_str(&"]".repeat(200));
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("empty file", vec![], "empty".into()),
        ("white space only", b"  \n\t ".to_vec(), "empty".into()),
        ("truncated JSON", full[..full.len() / 2].to_vec(), "ends too early".into()),
        ("not JSON at all", b"Dear diary, today I read".to_vec(), "not valid JSON".into()),
        ("trailing garbage", [full.clone(), b" ]]".to_vec()].concat(), "not valid JSON".into()),
        ("HTML named .json", b"<!doctype html><html><body>Not JSON</body></html>".to_vec(), "HTML".into()),
        ("binary file", png, "binary".into()),
        ("UTF-16 without a byte order mark", utf16_no_bom, "byte order mark".into()),
        ("invalid UTF-8", b"{\"format\": \"marginalia\xff\"}".to_vec(), "not valid UTF-8".into()),
        ("50 MB file", vec![b' '; 50 * 1024 * 1024], "50.0 MB, over the 25 MB limit".into()),
        ("nested too deeply", deep.into_bytes(), "recursion limit".into()),
        ("top level is an array", b"[1, 2]".to_vec(), "$: expected an object".into()),
        ("no format field", edited(|v| { v.as_object_mut().unwrap().remove("format"); }), "not a Marginalia export".into()),
        ("another format", edited(|v| v["format"] = json!("hypothesis")), "$.format: expected \"marginalia\"".into()),
        ("version missing", edited(|v| { v.as_object_mut().unwrap().remove("version"); }), "the field \"version\" is missing".into()),
        ("version as a string", edited(|v| v["version"] = json!("1")), "$.version: expected a whole number, found a string".into()),
        ("future version", edited(|v| v["version"] = json!(2)), "newer Marginalia (format version 2)".into()),
        ("version 0", edited(|v| v["version"] = json!(0)), "no format version 0".into()),
        ("fractional version", edited(|v| v["version"] = json!(1.5)), "$.version: expected a whole number, found 1.5".into()),
        ("exported not a time", edited(|v| v["exported"] = json!("yesterday")), "$.exported: \"yesterday\" is not an RFC 3339 time".into()),
        ("articles not an array", edited(|v| v["articles"] = json!({})), "$.articles: expected an array, found an object".into()),
        ("article id missing", edited(|v| { v["articles"][0].as_object_mut().unwrap().remove("id"); }), format!("{a0}: the field \"id\" is missing")),
        ("article id not a fingerprint", edited(|v| v["articles"][0]["id"] = json!("kursk")), format!("{a0}.id: \"kursk\" is not an article id")),
        ("duplicate article", edited(|v| { let a = v["articles"][0].clone(); v["articles"].as_array_mut().unwrap().push(a); }), "appears twice".into()),
        ("text does not match the id", edited(|v| {
            let b = &mut v["articles"][0]["text"]["blocks"][0]["text"];
            let s = b.as_str().unwrap().to_uppercase();
            *b = json!(s);
        }), format!("{a0}.text: the text does not match the article id")),
        ("block kind unknown", edited(|v| v["articles"][0]["text"]["blocks"][0]["kind"] = json!("table")), "\"table\" is not a block kind".into()),
        ("sentence span outside its block", edited(|v| v["articles"][0]["text"]["blocks"][1]["sentences"][0] = json!([0, 9999])), "is not a sentence of this block".into()),
        ("annotations missing", edited(|v| { v["articles"][0].as_object_mut().unwrap().remove("annotations"); }), format!("{a0}: the field \"annotations\" is missing")),
        ("annotation id not a UUID", edited(|v| v["articles"][0]["annotations"][0]["id"] = json!("1")), format!("{n0}.id: \"1\" is not a UUID")),
        ("duplicate annotation id", edited(|v| { let id = v["articles"][0]["annotations"][0]["id"].clone(); v["articles"][1]["annotations"][0]["id"] = id; }), "the annotation id".into()),
        ("negative position", edited(|v| v["articles"][0]["annotations"][0]["target"]["position"]["start"] = json!(-4)), format!("{n0}.target.position.start: must not be negative, found -4")),
        ("end before start", edited(|v| v["articles"][0]["annotations"][0]["target"]["position"]["end"] = json!(0)), "must be after the start".into()),
        ("position past the end of the text", edited(|v| {
            let a = &mut v["articles"][0]["annotations"][0]["target"]["position"];
            let len = a["end"].as_u64().unwrap() - a["start"].as_u64().unwrap();
            a["start"] = json!(100_000); a["end"] = json!(100_000 + len);
        }), "past the end of the article's text".into()),
        ("position not holding the quote", edited(|v| {
            let a = &mut v["articles"][0]["annotations"][0]["target"]["position"];
            a["start"] = json!(a["start"].as_u64().unwrap() + 1); a["end"] = json!(a["end"].as_u64().unwrap() + 1);
        }), "is not the quoted text".into()),
        ("position length differs from the quote", edited(|v| v["articles"][0]["annotations"][0]["target"]["position"]["end"] = json!(1_000_000)), "but the quoted text has".into()),
        ("empty quote", edited(|v| v["articles"][0]["annotations"][0]["target"]["quote"]["exact"] = json!("")), "the quoted text must not be empty".into()),
        ("unknown colour", edited(|v| v["articles"][0]["annotations"][0]["colour"] = json!("red")), format!("{n0}.colour: \"red\" is not a colour")),
        ("tags not a list", edited(|v| v["articles"][0]["annotations"][0]["tags"] = json!("a, b")), format!("{n0}.tags: expected an array, found a string")),
        ("a tag not a string", edited(|v| v["articles"][0]["annotations"][0]["tags"] = json!([7])), format!("{n0}.tags[0]: expected a string, found a number")),
        ("a tag too long", edited(|v| v["articles"][0]["annotations"][0]["tags"] = json!(["x".repeat(61)])), "at most 60 characters".into()),
        ("note not a string", edited(|v| v["articles"][0]["annotations"][0]["note"] = json!(null)), format!("{n0}.note: expected a string, found null")),
        ("note too long", edited(|v| v["articles"][0]["annotations"][0]["note"] = json!("n".repeat(20_001))), "at most 20000 characters".into()),
        ("created not RFC 3339", edited(|v| v["articles"][0]["annotations"][0]["created"] = json!("25/11/2026")), format!("{n0}.created: \"25/11/2026\" is not an RFC 3339 time")),
        ("updated before created", edited(|v| v["articles"][0]["annotations"][0]["updated"] = json!("2001-01-01T00:00:00Z")), format!("{n0}.updated: it is before \"created\"")),
        ("target kind unknown", edited(|v| v["articles"][0]["annotations"][0]["target"]["kind"] = json!("page")), "is not a target kind".into()),
        ("tag colour unknown", edited(|v| v["tagColours"] = json!({"x": "red"})), "$.tagColours.x: \"red\" is not a colour".into()),
        ("W3C without the context", br#"{"@context": "http://example.org/ctx", "type": "AnnotationCollection"}"#.to_vec(), "context http://www.w3.org/ns/anno.jsonld is missing".into()),
        ("W3C annotation not from Marginalia", br#"{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection", "first": {"items": [{"type": "Annotation", "id": "http://example.org/anno1"}]}}"#.to_vec(), "$.first.items[0].id: \"http://example.org/anno1\" is not an id Marginalia writes".into()),
    ];
    assert!(cases.len() >= 30);
    for (name, bytes, expect) in &cases {
        refused(name, bytes, expect);
    }
    println!(
        "{} malformed files refused, storage untouched each time",
        cases.len()
    );
}

#[test]
fn a_byte_order_mark_or_utf16_is_read_and_mentioned() {
    let (repo, _, _) = sample();
    let file = export(&repo, true);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(file.as_bytes());
    let read = read_file(&bom).unwrap();
    assert!(read.notes[0].contains("byte order mark"));
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(file.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let read16 = read_file(&utf16).unwrap();
    assert!(read16.notes[0].contains("UTF-16"));
    assert_eq!(read.bundle, read16.bundle);
}

#[test]
fn script_and_html_in_notes_and_tags_import_as_plain_text() {
    let (repo, ferry, _) = sample();
    let file = export(&repo, true);
    let mut empty = repo_with(&[]);
    import_into(&mut empty, &file);
    let set = empty.load_annotations(&ferry.id).unwrap();
    assert!(
        set.get(&uuid(1))
            .unwrap()
            .note
            .ends_with("<script>alert(1)</script>")
    );
    assert_eq!(set.get(&uuid(2)).unwrap().tags, ["<b>money</b>"]);
}

#[test]
fn bundle_and_file_names_follow_the_article() {
    assert_eq!(
        exchange::file_name(Some("Electric ferry starts service"), "2026-11-25", "json"),
        "marginalia-electric-ferry-starts-service-2026-11-25.json"
    );
    let b = Bundle::default();
    assert!(write_json(&b, &info(false)).contains("\"articles\": []"));
}

#[test]
fn a_replacement_takes_in_annotations_saved_after_its_preview() {
    let (mut repo, ferry, _) = sample();
    let edited = article(&FERRY.replace("212", "213"), Some("ferry-v2.txt"));
    let preview = restore::replace(
        &ferry,
        &repo.load_annotations(&ferry.id).unwrap(),
        edited.clone(),
    );
    // Another tab highlights a sentence while the preview is open.
    let mut set = repo.load_annotations(&ferry.id).unwrap();
    set.put(on_sentences(&ferry, 9, 4, 4, 50));
    let lib = repo.library();
    repo.save_annotations(&lib, &mut set, t(60)).unwrap();
    let mut lib = repo.library();
    let stored = repo
        .replace_article(&mut lib, &ferry, edited.clone())
        .unwrap();
    assert_eq!(stored.set.len(), preview.set.len() + 1);
    let moved = repo.load_annotations(&edited.id).unwrap();
    let late = moved
        .get(&uuid(9))
        .expect("the late highlight moved with the article");
    assert!(!late.orphan);
    assert_eq!(late.article, edited.id);
}

#[test]
fn a_replacement_keeps_unreadable_old_annotations_in_a_backup_key() {
    use marginalia::storage::KeyValueStore;
    use marginalia::storage::repo::live_key;
    let (mut repo, ferry, _) = sample();
    let key = live_key(&ferry.id, "unreadable-one");
    repo.store_mut().set(&key, "{not json").unwrap();
    let edited = article(&FERRY.replace("212", "213"), Some("ferry-v2.txt"));
    let mut lib = repo.library();
    repo.replace_article(&mut lib, &ferry, edited).unwrap();
    let snapshot = repo.store().snapshot();
    assert!(
        !snapshot.contains_key(&key),
        "the old key is gone with its article"
    );
    let backups: Vec<&String> = snapshot
        .iter()
        .filter(|(k, _)| k.starts_with("marginalia:backup:"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(
        backups,
        ["{not json"],
        "the unreadable value is kept, not dropped"
    );
}

#[test]
fn a_replacement_of_an_article_deleted_meanwhile_is_refused() {
    let (mut repo, ferry, _) = sample();
    let edited = article(&FERRY.replace("212", "213"), Some("ferry-v2.txt"));
    let mut lib = repo.library();
    repo.delete_article(&mut lib.clone(), &ferry.id).unwrap();
    let before = repo.store().snapshot();
    let err = repo.replace_article(&mut lib, &ferry, edited).unwrap_err();
    assert_eq!(
        err,
        marginalia::storage::StorageError::ArticleGone(ferry.id.clone())
    );
    assert_eq!(repo.store().snapshot(), before);
}

#[test]
fn the_import_preview_says_per_article_and_in_total_what_importing_does() {
    use marginalia::domain::exchange::preview::import_preview;
    let (repo, _, _) = sample();
    // A complete backup into an empty library: both articles restored.
    let empty = repo_with(&[]);
    let p = plan(&read_file(export(&repo, true).as_bytes()).unwrap(), &empty).unwrap();
    let v = import_preview("backup.json", &p);
    assert_eq!(v.title, "Import backup.json");
    assert_eq!(
        v.hint,
        "Marginalia JSON. Nothing is stored until you press Import."
    );
    assert_eq!(
        v.summary,
        "Adds 4 annotations. Restores 2 articles. Adds 1 tag colour."
    );
    assert_eq!(v.rows.len(), 2);
    assert!(
        v.rows
            .iter()
            .all(|(_, text)| text.starts_with(" — restored from the file. Adds 2 annotations")),
        "{:?}",
        v.rows
    );
    assert_eq!((v.confirm, v.disabled), ("Import", false));
    // The same file again where it came from: nothing to do.
    let p = plan(&read_file(export(&repo, false).as_bytes()).unwrap(), &repo).unwrap();
    let v = import_preview("again.json", &p);
    assert_eq!((v.confirm, v.disabled), ("Nothing to import", true));
    assert!(
        v.summary.contains("skips 4 (4 already here)"),
        "{}",
        v.summary
    );
}

#[test]
fn the_replace_preview_counts_how_the_annotations_were_found() {
    use marginalia::domain::exchange::preview::replace_preview;
    let (mut repo, ferry, _) = sample();
    let edited = article(
        &FERRY.replace(
            "It carried 212 passengers and 14 bicycles.",
            "Its load went unrecorded.",
        ),
        Some("v2.txt"),
    );
    let r = restore::replace(&ferry, &repo.load_annotations(&ferry.id).unwrap(), edited);
    let v = replace_preview("v2.txt", &r);
    assert_eq!(v.title, format!("Replace “{}” with v2.txt", ferry.title));
    assert_eq!(
        v.ids,
        ["replace-summary", "replace-confirm", "replace-cancel"]
    );
    // The two-sentence highlight lost one sentence: matched approximately;
    // the quote after the edit moved with its text.
    assert_eq!(
        v.summary,
        "2 annotations: 1 moved with their text, 1 matched approximately."
    );
}

/// Splits RFC 4180 CSV (CRLF rows, quoted fields with doubled quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "rows end in CRLF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        row.is_empty() && field.is_empty(),
        "the last row ends in CRLF"
    );
    rows
}

#[test]
fn the_csv_export_has_one_row_per_annotation_quoted_for_spreadsheets() {
    use marginalia::domain::exchange::analysis::{CSV_HEADER, Offsets, write_csv};
    let (repo, ferry, _) = sample();
    let bundle = restore::bundle_of(&repo, &all_ids(&repo), false);
    let csv = write_csv(&bundle, Offsets::CodePoints);
    assert!(csv.starts_with('\u{feff}'), "a UTF-8 byte order mark");
    let rows = parse_csv(&csv['\u{feff}'.len_utf8()..]);
    assert_eq!(rows[0], CSV_HEADER);
    assert_eq!(rows.len(), 5, "a header and 4 annotations");
    let first = rows.iter().find(|r| r[2] == uuid(1)).unwrap();
    assert_eq!(first[0], ferry.id);
    assert_eq!(first[1], "Electric ferry starts service");
    assert_eq!(first[4], "transport; war crimes");
    assert_eq!(
        first[5],
        "Check the **passenger** count.\n\n<script>alert(1)</script>"
    );
    assert_eq!(first[6], "yellow");
    assert_eq!(first[7], "sentences");
    assert_eq!(first[12], "yes");
    let money = rows.iter().find(|r| r[2] == uuid(2)).unwrap();
    assert_eq!(money[3], "£4.2 million");
    assert_eq!((money[6].as_str(), money[7].as_str()), ("pink", "span"));
    let early = rows.iter().find(|r| r[2] == uuid(3)).unwrap();
    assert_eq!(early[3], "朝の六時");
    assert_eq!(early[5], "# not a heading\n- not a list");
}

#[test]
fn csv_and_jsonl_offsets_slice_the_text_in_code_points_or_in_utf16_units() {
    use marginalia::domain::exchange::analysis::{Offsets, write_csv, write_jsonl};
    let (repo, _, cafe) = sample();
    let bundle = restore::bundle_of(&repo, &all_ids(&repo), true);
    let text = TextMap::new(&cafe).text().to_owned();
    let cps: Vec<char> = text.chars().collect();
    let units: Vec<u16> = text.encode_utf16().collect();
    for unit in [Offsets::CodePoints, Offsets::Utf16] {
        let slice = |s: usize, e: usize| match unit {
            Offsets::CodePoints => cps[s..e].iter().collect::<String>(),
            Offsets::Utf16 => String::from_utf16(&units[s..e]).unwrap(),
        };
        let jsonl = write_jsonl(&bundle, unit);
        let lines: Vec<Value> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "one line per article");
        let line = lines.iter().find(|l| l["text"] == text.as_str()).unwrap();
        let mut labels: Vec<(String, String)> = line["label"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let (s, e) = (
                    l[0].as_u64().unwrap() as usize,
                    l[1].as_u64().unwrap() as usize,
                );
                (slice(s, e), l[2].as_str().unwrap().to_owned())
            })
            .collect();
        labels.sort();
        // Untagged annotations are labelled with their colour.
        assert_eq!(
            labels,
            [
                ("朝の六時".to_owned(), "green".to_owned()),
                ("🧑‍🚀 poster".to_owned(), "green".to_owned())
            ]
        );
        let csv = write_csv(&bundle, unit);
        let rows = parse_csv(&csv['\u{feff}'.len_utf8()..]);
        let poster = rows.iter().find(|r| r[2] == uuid(4)).unwrap();
        let (s, e): (usize, usize) = (poster[10].parse().unwrap(), poster[11].parse().unwrap());
        assert_eq!(slice(s, e), "🧑‍🚀 poster");
    }
    // A tagged annotation gives a label per tag.
    let ferry_line = write_jsonl(&bundle, Offsets::CodePoints);
    let ferry: Value =
        serde_json::from_str(ferry_line.lines().find(|l| l.contains("ferry")).unwrap()).unwrap();
    let mut tags: Vec<&str> = ferry["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[2].as_str().unwrap())
        .collect();
    tags.sort();
    assert_eq!(tags, ["<b>money</b>", "transport", "war crimes"]);
    // Without the texts, a JSONL export has nothing to label, and UTF-16
    // offsets cannot be worked out.
    let bare = restore::bundle_of(&repo, &all_ids(&repo), false);
    assert_eq!(write_jsonl(&bare, Offsets::CodePoints), "");
    let rows = parse_csv(&write_csv(&bare, Offsets::Utf16)['\u{feff}'.len_utf8()..]);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[10].is_empty() && r[11].is_empty())
    );
}
