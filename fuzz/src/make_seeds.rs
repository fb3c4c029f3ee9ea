//! Writes the seed corpora in `seeds/<target>/` (run once, by hand:
//! `cargo run --release --bin make_seeds`; the files are committed). The
//! texts are a few short ones written here (the project's article
//! fixtures join the importers' seeds when `scripts/fuzz` runs, so they
//! are not copied here); the exports are made with the app's own writers.
use marginalia_fuzz::domain::{
    Annotation, Article, Bundle, Colour, Entry, ExportInfo, NewArticle, TagColours, Target,
    TextMap, parse_markdown, parse_text, uuid_v4, write_json, write_w3c,
};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> Vec<u8> {
    let p = root().join("../tests/fixtures").join(path);
    fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn put(target: &str, name: &str, bytes: &[u8]) {
    let dir = root().join("seeds").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

fn time(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s, 0).unwrap()
}

const SHORT: &str = "The ferry left at 6 a.m. sharp. Dr. Okafor counted 3.5 knots, i.e. slow!\n\n\
Was it late? «Non !» dit-il. 東京に着いた。次の日… 🎉 Next came U.S. Route 1.";

const MARKDOWN: &str = "---\ntitle: \"Seeds\"\n---\n# A heading\n\nSome *emphasis*, `code` and a \
[link](http://x.org \"t\").\n\n- one\n- two\n  1. nested\n\n> quoted line\n> more\n\n    indented code\n\n\
```rust\nfn main() {}\n```\n\nSetext\n------\n\n[ref]: http://x.org\n\nText with &amp; &#233; \\* <b>tag</b>.\n";

/// An article with a few annotations: whole sentences, a span with tags
/// and a note, and an orphan.
fn entry(article: Article, n: u8) -> Entry {
    let map = TextMap::new(&article);
    let mut out = Vec::new();
    let mut targets = vec![Target::sentences(&map, 0, 0), Target::span(&map, 2, 9)];
    if map.len() > 2 {
        targets.push(Target::sentences(&map, 1, 2));
    }
    for (i, t) in targets.into_iter().flatten().enumerate() {
        let mut bytes = [n; 16];
        bytes[0] = i as u8;
        let mut a = Annotation::new(
            uuid_v4(bytes),
            &article.id,
            t,
            Colour::ALL[i % 6],
            time(1_790_000_000 + i as i64),
        );
        if i == 1 {
            a.tags = vec!["news".into(), "Ünïcode".into()];
            a.note = "A note.\nTwo lines.".into();
            a.updated = time(1_790_100_000);
        }
        if i == 2 {
            a.orphan = true;
        }
        out.push(a);
    }
    Entry::new(article.meta(), Some(article), out)
}

fn article(text: &str, markdown: bool, added: i64) -> Article {
    let parsed = if markdown {
        parse_markdown(text)
    } else {
        parse_text(text)
    };
    let new = NewArticle {
        title: None,
        source_name: Some("seed.txt"),
    };
    Article::build(parsed, new, time(added)).unwrap()
}

fn exports() {
    let mut colours = TagColours::default();
    colours.set("news", Some(Colour::Green));
    let one = Bundle {
        articles: vec![entry(article(SHORT, false, 1_780_000_000), 1)],
        tag_colours: colours.clone(),
    };
    let two = Bundle {
        articles: vec![
            entry(article(MARKDOWN, true, 1_780_000_000), 2),
            entry(
                article("Short one. Two sentences here.", false, 1_780_000_500),
                3,
            ),
        ],
        tag_colours: TagColours::default(),
    };
    let info = |complete| ExportInfo {
        exported: time(1_796_083_200),
        app_version: "0.1.0".into(),
        complete,
    };
    put(
        "read_marginalia",
        "complete.json",
        write_json(&one, &info(true)).as_bytes(),
    );
    put(
        "read_marginalia",
        "annotations-only.json",
        write_json(&two, &info(false)).as_bytes(),
    );
    put(
        "read_marginalia",
        "kinds.json",
        write_json(&two, &info(true)).as_bytes(),
    );
    let empty =
        r#"{"format":"marginalia","version":1,"exported":"2026-12-01T00:00:00Z","articles":[]}"#;
    put("read_marginalia", "empty.json", empty.as_bytes());
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(empty.as_bytes());
    put("read_marginalia", "bom.json", &bom);
    put(
        "read_w3c",
        "one.jsonld",
        write_w3c(&one, &info(true), "Seeds").as_bytes(),
    );
    put(
        "read_w3c",
        "two.jsonld",
        write_w3c(&two, &info(false), "library").as_bytes(),
    );
    let page =
        r#"{"@context":"http://www.w3.org/ns/anno.jsonld","type":"AnnotationPage","items":[]}"#;
    put("read_w3c", "page.jsonld", page.as_bytes());
}

fn texts() {
    put(
        "import_txt",
        "lines.txt",
        b"Headline on one line\r\nA second line.\rA third.\n",
    );
    put("import_txt", "short.txt", SHORT.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "UTF-16 text. With a second sentence.\n\nAnd a paragraph.".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    put("import_txt", "utf16le.txt", &utf16);
    put("import_md", "kinds.md", MARKDOWN.as_bytes());
    let small = "<html><head><title>T</title></head><body><main><h2>H</h2><p>A <b>b</b><br>c.</p>\
<ul><li>one</li></ul><blockquote><p>q</p></blockquote><pre>  x\n  y</pre>\
<table><tr><td>1</td><th>2</th></tr></table><script>no</script></main></body></html>";
    put("import_html", "small.html", small.as_bytes());
    put("segment", "short.txt", SHORT.as_bytes());
    let rules = "Mr. Smith went to Washington. He arrived on Jan. 14 at 5 p.m. and left. \
Call 1. first 2. second. The U.S. Government agreed. Albert I. Jones came... Then he left. \
Wait [...] here.... Four dots. Vraiment ? Oui. v2.0.1 is out. See fig. 3. am 3. Mai war es.";
    put("segment", "rules.txt", rules.as_bytes());
    put(
        "segment",
        "cjk.txt",
        "今日は晴れ。明日は雨！本当？ 한국어 문장입니다. 끝.".as_bytes(),
    );
}

fn anchoring() {
    for name in [
        "checklist",
        "ferry",
        "lookalike",
        "multilingual",
        "repeated",
    ] {
        let mut bytes = fixture(&format!("anchoring/{name}.old.txt"));
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(&fixture(&format!("anchoring/{name}.new.txt")));
        put("anchor", &format!("{name}.pair"), &bytes);
    }
    // Edits of a short text: delete, insert, swap case, copy, move.
    let mut bytes = SHORT.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(&[0, 0x40, 0, 5, 1, 0x80, 0, 4]);
    bytes.extend_from_slice(b"new ");
    bytes.extend_from_slice(&[2, 0x10, 0, 10, 3, 0xC0, 0, 30, 0x20, 0, 4, 0x30, 0, 40]);
    put("anchor", "edits.bin", &bytes);
    let mut same = SHORT.as_bytes().to_vec();
    same.push(0);
    put("anchor", "unchanged.bin", &same);
}

fn main() {
    let seeds = root().join("seeds");
    if Path::new(&seeds).exists() {
        fs::remove_dir_all(&seeds).unwrap();
    }
    texts();
    exports();
    anchoring();
}
