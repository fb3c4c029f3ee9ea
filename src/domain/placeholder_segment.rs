pub fn sentence_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let s = text.len() - text.trim_start().len();
    let e = text.trim_end().len();
    if e > s { vec![s..e] } else { vec![] }
}
