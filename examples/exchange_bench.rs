//! Export and import at scale (native, release profile): a library of 50
//! articles with 100 annotations each (5,000 in all), exported as a
//! complete backup, read back, planned and applied into empty storage.
//! Prints the file size and the time of each step (median of 5 runs).
//!
//! Run with `cargo run --release --example exchange_bench`.

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target, uuid_v4};
use marginalia::domain::annotate::set::AnnotationSet;
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::exchange::file::read_file;
use marginalia::domain::exchange::restore::{LibrarySource, bundle_of, plan};
use marginalia::domain::exchange::{ExportInfo, write_json};
use marginalia::domain::import::parse_text;
use marginalia::domain::{exchange::markdown, exchange::w3c};
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::Repo;
use std::time::Instant;

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(1_700_000_000_000 + ms)
}

fn text(n: usize) -> String {
    (0..40)
        .map(|p| {
            (0..4)
                .map(|s| format!("Article {n} paragraph {p} sentence {s} says something about the café and 東京 🚢."))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let (mut repo, opened) = Repo::open(MemoryStore::new());
    let mut lib = opened.library;
    for n in 0..50 {
        let a = Article::build(parse_text(&text(n)), NewArticle::default(), t(n as i64)).unwrap();
        repo.add_article(&mut lib, &a).unwrap();
        let map = TextMap::new(&a);
        let mut set = AnnotationSet::new(&a.id);
        for k in 0..100usize {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&((n * 1000 + k) as u64).to_le_bytes());
            let target = Target::sentences(&map, k % map.len(), k % map.len()).unwrap();
            let mut ann = Annotation::new(
                uuid_v4(bytes),
                &a.id,
                target,
                Colour::ALL[k % 6],
                t(k as i64),
            );
            ann.tags = vec![format!("tag{}", k % 7)];
            ann.note = format!("Note {k} on article {n}.");
            set.put(ann);
        }
        repo.save_annotations(
            &repo.stored_library().unwrap_or_default(),
            &mut set,
            chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(1),
        )
        .unwrap();
    }
    let ids: Vec<String> = repo
        .library()
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    let info = ExportInfo {
        exported: t(0),
        app_version: "bench".into(),
        complete: true,
    };
    let (mut export, mut read, mut planned, mut apply, mut w3c_t, mut md_t) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut size = 0;
    for _ in 0..5 {
        let s = Instant::now();
        let file = write_json(&bundle_of(&repo, &ids, true), &info);
        export.push(s.elapsed().as_secs_f64() * 1000.0);
        size = file.len();
        let s = Instant::now();
        let r = read_file(file.as_bytes()).unwrap();
        read.push(s.elapsed().as_secs_f64() * 1000.0);
        let (mut empty, opened) = Repo::open(MemoryStore::new());
        let mut lib = opened.library;
        let s = Instant::now();
        let p = plan(&r, &empty).unwrap();
        planned.push(s.elapsed().as_secs_f64() * 1000.0);
        let s = Instant::now();
        empty.apply_import(&mut lib, &p).unwrap();
        apply.push(s.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(p.totals().added, 5000);
        let bundle = bundle_of(&repo, &ids, false);
        let s = Instant::now();
        let _ = w3c::write(&bundle, &info, "library");
        w3c_t.push(s.elapsed().as_secs_f64() * 1000.0);
        let s = Instant::now();
        let _ = markdown::write(&bundle, &info);
        md_t.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "library: 50 articles, 5,000 annotations; complete backup {} KB",
        size / 1024
    );
    println!(
        "export (bundle + JSON):     median {:.1} ms",
        median(export)
    );
    println!("read + check the file:      median {:.1} ms", median(read));
    println!(
        "plan into empty storage:    median {:.1} ms",
        median(planned)
    );
    println!("apply (all or nothing):     median {:.1} ms", median(apply));
    println!("W3C JSON-LD export:         median {:.1} ms", median(w3c_t));
    println!("Markdown export:            median {:.1} ms", median(md_t));
}
