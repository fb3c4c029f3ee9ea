//! Where the reader's memory goes at scale (native, release profile): a
//! 100,000-word article with 5,000 annotations (sentences and exact spans,
//! a third with tags, a fifth with notes), stored through `Repo` in memory
//! and opened the way the reader opens it. A counting allocator prints the
//! bytes live after each step and the peak while it ran, which is what a
//! wasm memory (which never shrinks) is sized by.
//!
//! Run with `cargo run --release --example memory_probe`.

use chrono::{DateTime, TimeDelta, Utc};
use marginalia::domain::annotate::annotation::{Annotation, Colour, Target, uuid_v4};
use marginalia::domain::annotate::marks::{MarksIndex, SentenceMarks};
use marginalia::domain::annotate::markup;
use marginalia::domain::annotate::set::{AnnotationSet, TagColours};
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use marginalia::storage::memory::MemoryStore;
use marginalia::storage::repo::Repo;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let n = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(n, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn mb(n: usize) -> String {
    format!("{:6.2} MB", n as f64 / 1e6)
}

/// Prints what `f` leaves live and the peak above the start while it ran.
fn step<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    let after = LIVE.load(Relaxed);
    let peak = PEAK.load(Relaxed);
    println!(
        "  {label:<52} keeps {}  peak above start {}",
        mb(after.saturating_sub(before)),
        mb(peak - before)
    );
    out
}

const WORDS: &[&str] = &[
    "harbour", "ferry", "council", "plan", "report", "town", "river", "bridge", "market", "winter",
    "summer", "road", "train", "station", "engineer", "budget", "school", "library", "street",
    "house", "garden", "field", "worker", "family", "teacher", "doctor", "letter",
];

fn article_text() -> String {
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let mut paragraphs = Vec::new();
    let mut words = 0;
    while words < 100_000 {
        let mut p = Vec::new();
        for _ in 0..(3 + next() % 5) {
            let n = 8 + next() % 22;
            let s: Vec<&str> = (0..n).map(|_| WORDS[next() % WORDS.len()]).collect();
            words += n;
            let mut s = s.join(" ");
            s[..1].make_ascii_uppercase();
            p.push(format!("{s}."));
        }
        paragraphs.push(p.join(" "));
    }
    paragraphs.join("\n\n")
}

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::milliseconds(1_700_000_000_000 + ms)
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let article = Article::build(parse_text(&article_text()), NewArticle::default(), t(0)).unwrap();
    let (mut repo, opened) = Repo::open(MemoryStore::new());
    let mut lib = opened.library;
    repo.add_article(&mut lib, &article).unwrap();
    {
        let map = TextMap::new(&article);
        let mut set = AnnotationSet::new(&article.id);
        for k in 0..n {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&(k as u64).to_le_bytes());
            let i = (k * 7919) % map.len();
            let target = if k % 3 == 2 {
                let (s, _) = map.range_of(i, i).unwrap();
                Target::span(&map, s + 3, s + 20)
            } else {
                Target::sentences(&map, i, i)
            };
            let Some(target) = target else { continue };
            let mut a = Annotation::new(
                uuid_v4(bytes),
                &article.id,
                target,
                Colour::ALL[k % 6],
                t(k as i64),
            );
            if k % 4 == 0 {
                a.tags = vec![format!("topic {}", k % 12), "harbour".into()];
            }
            if k % 5 == 0 {
                a.note = format!("Note number {k}: check this against the council minutes.");
            }
            set.put(a);
        }
        repo.save_changes(&lib, &mut set, &map).unwrap();
    }
    let json = serde_json::to_string(&article).unwrap();
    drop(article);
    println!(
        "Opening a {}-sentence article ({} of text) with {} annotations:",
        TextMap::new(&serde_json::from_str(&json).unwrap()).len(),
        mb(json.len()),
        n
    );
    let start = LIVE.load(Relaxed);
    let mut overall = 0;
    let mut track = |_: ()| overall = overall.max(PEAK.load(Relaxed) - start);
    let article: Article = step("article parsed from its stored JSON", || {
        serde_json::from_str(&json).unwrap()
    });
    track(());
    let map = step("TextMap (sentences in code points)", || {
        TextMap::new(&article)
    });
    track(());
    let (set, _) = step("annotations read and decoded (AnnotationSet)", || {
        repo.load_annotations_for(&map, &article.id)
    });
    track(());
    println!(
        "    (an Annotation is {} bytes inline; its strings: {} bytes a piece on average)",
        std::mem::size_of::<Annotation>(),
        set.items()
            .map(|a| a.id.len()
                + a.article.len()
                + a.target.quote.exact.len()
                + a.target.quote.prefix.len()
                + a.target.quote.suffix.len()
                + a.note.len()
                + a.tags.iter().map(|t| t.len() + 24).sum::<usize>())
            .sum::<usize>()
            / set.len().max(1)
    );
    let index = step("MarksIndex (annotations per sentence)", || {
        MarksIndex::new(&map, &set)
    });
    track(());
    let colours = TagColours::default();
    let shown: Vec<SentenceMarks> = step("marks of every sentence (what is painted)", || {
        (0..map.len())
            .map(|k| index.marks(&map, &set, &colours, k))
            .collect()
    });
    track(());
    let html = step("the body's HTML", || markup::body_html(&article, &shown, 0));
    track(());
    let html_len = html.len();
    drop(html);
    println!("  ({} of HTML, dropped once set)", mb(html_len));
    println!(
        "  live after opening {}; peak while opening {}",
        mb(LIVE.load(Relaxed) - start),
        mb(overall)
    );
    drop((article, map, set, index, shown));
}
