//! Sentence segmenter benchmark: prints Golden Rules accuracy (when the
//! development workspace's `../shared/sbd/golden_en.json` is present) and
//! native throughput on about 1 MB of English news-like text written for
//! this benchmark. Figures only; nothing here passes or fails.
//!
//! Run: `cargo run --release --example segment_bench` (or `scripts/bench`).

use marginalia::domain::segment::sentence_spans;
use std::time::Instant;

/// A varied English text (abbreviations, numbers, quotes, lists, URLs).
const TEXT: &str = "The harbour authority said on Tuesday that the new ferry, built by Tidewater Lines Ltd., \
would enter service in May. Dr. Ana Ribeiro, who chairs the board, called it “a turning point.” \
Tickets will cost $4.50, about 12.5% less than today. Critics were not convinced... They pointed to \
delays at the U.S. yard that built the hull. “Why now?” asked one resident. Others asked why the \
council had not published its report (see p. 14). The vote is on Jan. 14 at 6 p.m. in the town hall. \
Details are at https://example.org/ferry.html. Questions go to press@example.org. The plan has three \
parts: 1. a new pier 2. a charging station 3. a second vessel. Mr. Lee, 54, runs a café on the quay. \
He said sales rose 3.2 percent last year! Version 2.0.1 of the timetable app ships next week. \
Analysts at Globex Corp. expect more routes. St. Ives Quay will be the first stop.";

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
        "Golden Rules (English): {passed}/{} = {:.2}%  (pySBD 97.92%, sentencex 89.6%, unicode-segmentation 58.3%)",
        cases.len(),
        100.0 * passed as f64 / cases.len() as f64
    );
    for f in failing {
        println!("{f}");
    }
}

fn throughput() {
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(TEXT);
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
    golden();
    throughput();
}
