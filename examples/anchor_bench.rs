//! Re-anchoring benchmark: builds a text of about 600,000 code points from
//! the anchoring fixtures (`tests/fixtures/anchoring/*.old.txt`), each copy
//! varied (numbers replaced, about one word of four letters or more in
//! three swapped for another, one Japanese character in four replaced) so
//! that the copies are not identical; annotates about 300 places (whole sentences and spans
//! inside them); edits the text (paragraphs inserted, a word changed in
//! some paragraphs, a few paragraphs deleted); and re-anchors every
//! annotation on the edited text.
//!
//! Prints the time to index the new text, the time per annotation, the
//! kept/moved/fuzzy/orphaned counts, and checks every outcome against the
//! edits made: an anchored annotation must land in the paragraph its old
//! paragraph became, and only annotations in deleted paragraphs may be
//! orphaned. Figures only; nothing here fails the build.
//!
//! Run: `cargo run --release --example anchor_bench` (add `-- --details`
//! to list the annotations not found where expected).

use marginalia::domain::annotate::anchor::{Anchorer, Anchoring, How, Report};
use marginalia::domain::annotate::annotation::Target;
use marginalia::domain::annotate::textmap::TextMap;
use marginalia::domain::article::{Article, NewArticle};
use marginalia::domain::import::parse_text;
use std::time::Instant;

const FIXTURES: [&str; 5] = [
    include_str!("../tests/fixtures/anchoring/ferry.old.txt"),
    include_str!("../tests/fixtures/anchoring/repeated.old.txt"),
    include_str!("../tests/fixtures/anchoring/lookalike.old.txt"),
    include_str!("../tests/fixtures/anchoring/checklist.old.txt"),
    include_str!("../tests/fixtures/anchoring/multilingual.old.txt"),
];

/// Words swapped in to vary the copies.
const VOCABULARY: [&str; 48] = [
    "lantern", "orchard", "copper", "meadow", "harbour", "thistle", "pebble", "quarry", "ribbon",
    "saddle", "timber", "valley", "willow", "anchor", "beacon", "candle", "dune", "ember",
    "falcon", "granite", "hollow", "island", "juniper", "kestrel", "ledger", "marble", "nettle",
    "oyster", "parcel", "quill", "rafter", "salt", "tide", "umber", "vessel", "wharf", "yarrow",
    "zephyr", "bramble", "cinder", "drizzle", "fennel", "gable", "heron", "inlet", "jetty", "kiln",
    "lichen",
];

/// Characters swapped into unspaced (Japanese) text.
const KANJI: [char; 20] = [
    '山', '川', '海', '空', '風', '雨', '雪', '花', '鳥', '月', '星', '森', '村', '町', '道', '橋',
    '駅', '港', '島', '湖',
];

const NUMBER_WORDS: [&str; 10] = [
    "four", "six", "seven", "eight", "nine", "eleven", "nineteen", "forty", "twenty", "three",
];

/// A small deterministic generator (a linear congruential one).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

/// One copy of a paragraph, varied.
fn vary(paragraph: &str, rng: &mut Lcg) -> String {
    let mut out = String::with_capacity(paragraph.len() + 40);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, rng: &mut Lcg| {
        if word.is_empty() {
            return;
        }
        let ascii = word.chars().all(|c| c.is_ascii_alphabetic());
        if NUMBER_WORDS.contains(&word.as_str()) || word.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&(2 + rng.next(1990)).to_string());
        } else if ascii && word.len() >= 4 && rng.next(3) == 0 {
            let swap = VOCABULARY[rng.next(VOCABULARY.len())];
            if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                out.push(swap.as_bytes()[0].to_ascii_uppercase() as char);
                out.push_str(&swap[1..]);
            } else {
                out.push_str(swap);
            }
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in paragraph.chars() {
        let unspaced = ('\u{3040}'..='\u{9fff}').contains(&c);
        if unspaced && rng.next(4) == 0 {
            flush(&mut word, &mut out, rng);
            out.push(KANJI[rng.next(KANJI.len())]);
        } else if c.is_alphanumeric() && !unspaced {
            word.push(c);
        } else {
            flush(&mut word, &mut out, rng);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, rng);
    out
}

fn map(text: &str) -> TextMap {
    let article = Article::build(
        parse_text(text),
        NewArticle::default(),
        chrono::DateTime::UNIX_EPOCH,
    )
    .expect("an article");
    TextMap::new(&article)
}

/// What became of an old paragraph.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Kept(usize),
    Edited(usize),
    Deleted,
}

fn main() {
    let pool: Vec<&str> = FIXTURES
        .iter()
        .flat_map(|f| f.split("\n\n"))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut rng = Lcg(0x5eed);
    let mut old_paragraphs: Vec<String> = Vec::new();
    let mut chars = 0usize;
    while chars < 600_000 {
        for p in &pool {
            let v = vary(p, &mut rng);
            chars += v.chars().count() + 2;
            old_paragraphs.push(v);
        }
    }
    // The edits: a paragraph inserted before every 25th, a word changed
    // in every third, every 61st deleted.
    let mut new_paragraphs: Vec<String> = Vec::new();
    let mut fates: Vec<Fate> = Vec::new();
    let (mut inserted, mut edited, mut deleted) = (0, 0, 0);
    for (i, p) in old_paragraphs.iter().enumerate() {
        if i % 25 == 24 {
            new_paragraphs.push(format!(
                "A note added in revision {i}: the {} by the {} was checked again and found as described.",
                VOCABULARY[rng.next(VOCABULARY.len())],
                VOCABULARY[rng.next(VOCABULARY.len())]
            ));
            inserted += 1;
        }
        if i % 61 == 60 {
            fates.push(Fate::Deleted);
            deleted += 1;
            continue;
        }
        if i % 3 == 1 {
            // Change one word of four letters or more, picked at random.
            let mut words: Vec<String> = p.split(' ').map(str::to_owned).collect();
            let long: Vec<usize> = (0..words.len())
                .filter(|&k| {
                    words[k].len() >= 4 && words[k].chars().all(|c| c.is_ascii_alphabetic())
                })
                .collect();
            if !long.is_empty() {
                words[long[rng.next(long.len())]] = "altered".to_owned();
                new_paragraphs.push(words.join(" "));
                fates.push(Fate::Edited(new_paragraphs.len() - 1));
                edited += 1;
                continue;
            }
        }
        new_paragraphs.push(p.clone());
        fates.push(Fate::Kept(new_paragraphs.len() - 1));
    }
    let old_text = old_paragraphs.join("\n\n");
    let new_text = new_paragraphs.join("\n\n");
    let old = map(&old_text);
    let new = map(&new_text);
    println!(
        "old text: {} code points, {} paragraphs, {} sentences",
        old.char_len(),
        old_paragraphs.len(),
        old.len()
    );
    println!(
        "new text: {} code points ({inserted} paragraphs inserted, {edited} with a word changed, {deleted} deleted)",
        new.char_len()
    );

    // About 300 annotations on sentences picked at random, every other
    // one a span inside the sentence.
    let mut picked: Vec<usize> = (0..300).map(|_| rng.next(old.len())).collect();
    picked.sort_unstable();
    picked.dedup();
    let mut targets: Vec<Target> = Vec::new();
    for (n, &i) in picked.iter().enumerate() {
        let place = old.sentence(i).expect("a sentence");
        let t = if n % 2 == 1 && place.end - place.start > 20 {
            Target::span(&old, place.start + 4, place.end - 5)
        } else {
            Target::sentences(&old, i, i)
        };
        targets.extend(t);
    }

    let started = Instant::now();
    let anchorer = Anchorer::new(&new);
    let indexing = started.elapsed();
    let mut report = Report::default();
    let mut slowest = std::time::Duration::ZERO;
    let mut outcomes = Vec::with_capacity(targets.len());
    let all = Instant::now();
    for t in &targets {
        let one = Instant::now();
        let outcome = anchorer.find(t);
        slowest = slowest.max(one.elapsed());
        report.add(&outcome);
        outcomes.push(outcome);
    }
    let finding = all.elapsed();

    // Check every outcome against the edits; `--details` lists the ones
    // not where expected.
    let details = std::env::args().any(|a| a == "--details");
    let (mut right, mut wrong, mut expected_orphans, mut lost) = (0, 0, 0, 0);
    let mut fuzzy_in_edited = 0;
    for (t, outcome) in targets.iter().zip(&outcomes) {
        let block = old
            .sentence(t.sentences[0] as usize)
            .expect("a sentence")
            .block as usize;
        let fate = fates[block];
        match (outcome, fate) {
            (Anchoring::Orphaned { .. }, Fate::Deleted) => expected_orphans += 1,
            (Anchoring::Orphaned { reason }, _) => {
                lost += 1;
                if details {
                    println!(
                        "orphaned ({reason}), paragraph edited: {}: {:?}",
                        matches!(fate, Fate::Edited(_)),
                        t.quote
                    );
                }
            }
            (Anchoring::Anchored { .. }, Fate::Deleted) => {
                wrong += 1;
                if details {
                    println!("anchored though its paragraph was deleted: {:?}", t.quote);
                }
            }
            (Anchoring::Anchored { target, how, .. }, Fate::Kept(b) | Fate::Edited(b)) => {
                let got = new
                    .sentence(target.sentences[0] as usize)
                    .expect("a sentence")
                    .block as usize;
                if got == b {
                    right += 1;
                    if *how == How::Fuzzy && matches!(fate, Fate::Edited(_)) {
                        fuzzy_in_edited += 1;
                    }
                } else {
                    wrong += 1;
                    if details {
                        println!("{how:?} to paragraph {got}, expected {b}: {:?}", t.quote);
                    }
                }
            }
        }
    }

    let per = finding.as_secs_f64() * 1e6 / targets.len() as f64;
    println!("annotations: {}", targets.len());
    println!("index the new text: {:.1} ms", indexing.as_secs_f64() * 1e3);
    println!(
        "re-anchor all: {:.1} ms, {per:.0} µs per annotation (slowest {:.0} µs)",
        finding.as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e6
    );
    println!(
        "kept {}, moved {}, fuzzy {} ({fuzzy_in_edited} in edited paragraphs), orphaned {}",
        report.kept, report.moved, report.fuzzy, report.orphaned
    );
    println!(
        "checked against the edits: {right} in the right paragraph, {wrong} in a wrong one, \
         {expected_orphans} orphaned with their deleted paragraph, {lost} orphaned though their paragraph remains"
    );
}
