//! Exports for analysis: CSV for spreadsheets and JSONL in doccano's shape
//! for corpus labelling.
//!
//! - **CSV** (RFC 4180): one row per annotation, a header first, CRLF line
//!   ends, a field quoted when it holds a comma, a quote, CR or LF (quotes
//!   doubled), and a UTF-8 byte order mark so that spreadsheets read the
//!   text as UTF-8. A field that starts with `=`, `+`, `-`, `@`, a tab or
//!   CR gets a leading `'`, so a spreadsheet shows it instead of running
//!   it as a formula.
//! - **JSONL**: one line per article that has its text,
//!   `{"text": …, "label": [[start, end, "tag"], …]}`. An annotation gives
//!   one label per tag, or one named after its colour when it has none;
//!   unanchored annotations are left out (their places are not in this
//!   text).
//!
//! Offsets are in Unicode code points of the article text (its blocks
//! joined by a blank line), as Marginalia stores them, or in UTF-16 code
//! units (what JavaScript strings count) with [`Offsets::Utf16`].

use crate::domain::annotate::textmap::TextMap;
use crate::domain::exchange::{Bundle, Entry};
use crate::domain::time::format_rfc3339;

/// The unit of start and end offsets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Offsets {
    /// Unicode code points (Python's `str` indices).
    #[default]
    CodePoints,
    /// UTF-16 code units (JavaScript's string indices).
    Utf16,
}

/// Code point offsets → UTF-16 offsets for one text.
struct Units {
    /// UTF-16 offset of each code point that is outside the BMP, with the
    /// code point's index: offsets between them shift by one per pair.
    astral: Vec<u32>,
}

impl Units {
    fn of(text: &str) -> Self {
        let astral = text
            .chars()
            .enumerate()
            .filter(|(_, c)| c.len_utf16() == 2)
            .map(|(i, _)| i as u32)
            .collect();
        Self { astral }
    }

    fn convert(&self, cp: u32, unit: Offsets) -> u32 {
        match unit {
            Offsets::CodePoints => cp,
            Offsets::Utf16 => cp + self.astral.partition_point(|&i| i < cp) as u32,
        }
    }
}

/// The article's text as the offsets count it, when the entry has it.
fn text_of(e: &Entry) -> Option<String> {
    e.text.as_ref().map(|a| TextMap::new(a).text().to_owned())
}

fn csv_field(out: &mut String, value: &str) {
    let guarded = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if guarded || value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if guarded {
            out.push('\'');
        }
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn csv_row(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, f);
    }
    out.push_str("\r\n");
}

/// The header of [`write_csv`].
pub const CSV_HEADER: [&str; 13] = [
    "article_id",
    "article_title",
    "annotation_id",
    "quote",
    "tags",
    "note",
    "colour",
    "kind",
    "created",
    "updated",
    "start",
    "end",
    "anchored",
];

/// The CSV of every annotation in `bundle`. UTF-16 offsets need the
/// article's text: without it (an export that is not complete) they are
/// left empty.
pub fn write_csv(bundle: &Bundle, unit: Offsets) -> String {
    let mut out = String::from("\u{feff}");
    csv_row(&mut out, &CSV_HEADER);
    for e in &bundle.articles {
        let units = text_of(e).map(|t| Units::of(&t));
        for a in &e.annotations {
            let (start, end) = match (unit, &units) {
                (Offsets::CodePoints, _) => (
                    a.target.position.start.to_string(),
                    a.target.position.end.to_string(),
                ),
                (Offsets::Utf16, Some(u)) if !a.orphan => (
                    u.convert(a.target.position.start, unit).to_string(),
                    u.convert(a.target.position.end, unit).to_string(),
                ),
                (Offsets::Utf16, _) => (String::new(), String::new()),
            };
            csv_row(
                &mut out,
                &[
                    &e.meta.id,
                    &e.meta.title,
                    &a.id,
                    &a.target.quote.exact,
                    &a.tags.join("; "),
                    &a.note,
                    a.colour.name(),
                    a.target.kind.name(),
                    &format_rfc3339(&a.created),
                    &format_rfc3339(&a.updated),
                    &start,
                    &end,
                    if a.orphan { "no" } else { "yes" },
                ],
            );
        }
    }
    out
}

/// One line per article with its text: doccano's sequence-labelling shape.
/// Articles without their text (an export that is not complete) are left
/// out; the caller asks for the texts.
pub fn write_jsonl(bundle: &Bundle, unit: Offsets) -> String {
    let mut out = String::new();
    for e in &bundle.articles {
        let Some(text) = text_of(e) else { continue };
        let units = Units::of(&text);
        let mut labels = Vec::new();
        for a in e.annotations.iter().filter(|a| !a.orphan) {
            let start = units.convert(a.target.position.start, unit);
            let end = units.convert(a.target.position.end, unit);
            if a.tags.is_empty() {
                labels.push(serde_json::json!([start, end, a.colour.name()]));
            }
            for t in &a.tags {
                labels.push(serde_json::json!([start, end, t]));
            }
        }
        let line = serde_json::json!({ "text": text, "label": labels });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_count_a_pair_for_each_character_beyond_the_bmp() {
        let u = Units::of("a😀b😀c");
        assert_eq!(u.convert(0, Offsets::Utf16), 0);
        assert_eq!(u.convert(1, Offsets::Utf16), 1);
        assert_eq!(u.convert(2, Offsets::Utf16), 3);
        assert_eq!(u.convert(4, Offsets::Utf16), 6);
        assert_eq!(u.convert(5, Offsets::Utf16), 7);
        assert_eq!(u.convert(4, Offsets::CodePoints), 4);
        // é and 東 are one UTF-16 unit each, like one code point.
        assert_eq!(Units::of("é東x").convert(3, Offsets::Utf16), 3);
    }

    #[test]
    fn csv_fields_are_quoted_as_rfc_4180_says_and_formulas_are_defused() {
        let mut out = String::new();
        csv_row(
            &mut out,
            &[
                "plain",
                "a,b",
                "say \"hi\"",
                "two\nlines",
                "=SUM(A1)",
                "-5",
                "café 東京",
            ],
        );
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=SUM(A1)\",\"'-5\",café 東京\r\n"
        );
    }
}
