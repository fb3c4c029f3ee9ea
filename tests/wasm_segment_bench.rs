//! Benchmark, not a test: the sentence segmenter's throughput compiled to
//! wasm, in headless Chromium, on the same ~1 MB text as the native
//! `examples/segment_bench.rs`. It prints figures through `console.log`
//! and asserts nothing about time.
//!
//! Not one of the `tests/web_*.rs` files that `scripts/test` runs; run by
//! `scripts/bench`, in the release profile (the app's `opt-level = "z"`
//! and fat LTO; the app's final `wasm-opt -Oz` pass is not applied here):
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test --release \
//!   --target wasm32-unknown-unknown --test wasm_segment_bench -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use marginalia::domain::article::segment::sentence_spans;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TEXT: &str = include_str!("../examples/segment_bench_text.txt");
const WARM_UP: usize = 5;
const RUNS: usize = 25;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`, in milliseconds.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

#[wasm_bindgen_test]
fn segmenter_throughput_in_wasm() {
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(TEXT.trim_end());
        text.push(' ');
    }
    // Warm-up runs first: the engine compiles the wasm in tiers.
    let sentences = sentence_spans(&text).len();
    for _ in 0..WARM_UP {
        std::hint::black_box(sentence_spans(std::hint::black_box(&text)));
    }
    let mut rates = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = performance_now();
        let n = std::hint::black_box(sentence_spans(std::hint::black_box(&text))).len();
        let ms = performance_now() - start;
        assert_eq!(n, sentences);
        rates.push(text.len() as f64 / (ms / 1e3) / 1e6);
    }
    rates.sort_by(f64::total_cmp);
    console_log!(
        "Wasm throughput (Chromium) on {:.2} MB ({sentences} sentences): median {:.0} MB/s (min {:.0}, max {:.0}, {RUNS} runs)",
        text.len() as f64 / 1e6,
        rates[RUNS / 2],
        rates[0],
        rates[RUNS - 1]
    );
}
