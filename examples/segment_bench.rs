//! Sentence segmenter benchmark: prints Golden Rules accuracy and the
//! failing cases (when the development workspace's
//! `../shared/sbd/golden_en.json` is present) and native throughput on
//! about 1 MB of English news-like text written for this benchmark
//! (`segment_bench_text.txt`). Figures only; nothing here passes or fails.
//! `scripts/bench` adds the wasm throughput (`tests/wasm_segment_bench.rs`)
//! and the segmenter's share of the wasm size.
//!
//! Run: `cargo run --release --example segment_bench` (or `scripts/bench`).
//! With `--features trivial-segmenter` it measures the trivial splitter
//! instead, a baseline.

use marginalia::domain::article::segment::sentence_spans;
use std::time::Instant;

/// A varied English paragraph (abbreviations, numbers, quotes, lists,
/// URLs), repeated to about 1 MB. `tests/wasm_segment_bench.rs` times the
/// same text in the browser.
const TEXT: &str = include_str!("segment_bench_text.txt");

fn golden() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/sbd/golden_en.json");
    let Ok(raw) = std::fs::read_to_string(&path) else {
        println!(
            "Golden Rules: skipped (../shared/sbd/golden_en.json is only in the development workspace)"
        );
        return;
    };
    let json: serde_json::Value = serde_json::from_str(&raw).expect("valid JSON");
    let cases = json["cases"].as_array().expect("cases");
    let mut failing = Vec::new();
    for case in cases {
        let text = case["text"].as_str().unwrap_or_default();
        let expected: Vec<&str> = case["expected"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let got: Vec<&str> = sentence_spans(text).into_iter().map(|r| &text[r]).collect();
        if got != expected {
            failing.push(format!("  #{} {}: got {got:?}", case["id"], case["title"]));
        }
    }
    let passed = cases.len() - failing.len();
    println!(
        "Golden Rules (English): {passed}/{} = {:.2}%\n  (others: pySBD 97.92%, sentencex 89.6%, blingfire 75.0%, \
         unicode-segmentation 58.3%, NLTK punkt 56.3%, srx/LanguageTool 54.2%, spaCy 52-54%)",
        cases.len(),
        100.0 * passed as f64 / cases.len() as f64
    );
    if failing.is_empty() {
        println!("  failing cases: none");
    }
    for f in failing {
        println!("{f}");
    }
}

fn throughput() {
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(TEXT.trim_end());
        text.push(' ');
    }
    let mut rates = Vec::new();
    let mut sentences = 0;
    for _ in 0..15 {
        let start = Instant::now();
        sentences = std::hint::black_box(sentence_spans(std::hint::black_box(&text))).len();
        rates.push(text.len() as f64 / start.elapsed().as_secs_f64() / 1e6);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "Native throughput on {:.2} MB ({sentences} sentences): median {:.0} MB/s (min {:.0}, max {:.0}, 15 runs)",
        text.len() as f64 / 1e6,
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1]
    );
}

fn main() {
    if cfg!(feature = "trivial-segmenter") {
        println!("(feature trivial-segmenter: these are the trivial splitter's figures)");
    }
    golden();
    throughput();
}
