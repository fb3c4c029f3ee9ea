//! The Markdown export, for reading annotations in note tools.
//!
//! Per article: a heading with its title, then each annotation in document
//! order as a block quote of the quoted text, a line with its `#tags`,
//! colour and date, and the note below. Orphans follow under "Unanchored".
//!
//! Nothing the reader typed can change the structure: in titles, quotes
//! and notes every character with a meaning in CommonMark or in common
//! note tools (`\ ` * _ [ ] < > # | ~ & $ % =`) is escaped with a
//! backslash, as are list and heading markers at the start of a line, and
//! leading white space (which would make a code block) is dropped. A tag
//! keeps its letters, digits, `_`, `-` and `/`, white space becomes `-`,
//! and anything else is left out, so `#tag` is always one tag.

use crate::domain::annotate::annotation::Annotation;
use crate::domain::exchange::{Bundle, Entry, ExportInfo};
use crate::domain::time::format_rfc3339;
use std::fmt::Write;

/// Escapes one line of text so it is shown as it is.
pub fn escape_line(line: &str) -> String {
    let line = line.trim_start();
    let mut out = String::with_capacity(line.len() + 8);
    // A list or heading marker at the start: "-", "+", "1." or "1)".
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let mut marker_at = None;
    if line.starts_with(['-', '+']) {
        marker_at = Some(0);
    } else if digits > 0 && line[digits..].starts_with(['.', ')']) {
        marker_at = Some(digits);
    }
    for (i, c) in line.char_indices() {
        if Some(i) == marker_at
            || matches!(
                c,
                '\\' | '`'
                    | '*'
                    | '_'
                    | '['
                    | ']'
                    | '<'
                    | '>'
                    | '#'
                    | '|'
                    | '~'
                    | '&'
                    | '$'
                    | '%'
                    | '='
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text that may have several lines; runs of blank lines become
/// one paragraph break.
pub fn escape_block(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut blank = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            blank = !lines.is_empty();
            continue;
        }
        if blank {
            lines.push(String::new());
            blank = false;
        }
        lines.push(escape_line(line));
    }
    lines
}

/// A tag as a `#tag` (see the module docs); `None` when nothing is left.
pub fn hashtag(tag: &str) -> Option<String> {
    let mut out = String::new();
    for c in tag.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '/') {
            out.push(c);
        } else if c.is_whitespace() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        return None;
    }
    // Note tools do not take an all-digit tag.
    if out.chars().all(|c| c.is_ascii_digit()) {
        return Some(format!("#tag-{out}"));
    }
    Some(format!("#{out}"))
}

fn annotation(out: &mut String, a: &Annotation) {
    for line in escape_block(&a.target.quote.exact) {
        if line.is_empty() {
            out.push_str(">\n");
        } else {
            let _ = writeln!(out, "> {line}");
        }
    }
    out.push('\n');
    let tags: Vec<String> = a.tags.iter().filter_map(|t| hashtag(t)).collect();
    let mut meta = Vec::new();
    if !tags.is_empty() {
        meta.push(tags.join(" "));
    }
    meta.push(a.colour.name().to_owned());
    meta.push(format_rfc3339(&a.updated)[..10].to_owned());
    let _ = writeln!(out, "{}\n", meta.join(" · "));
    let note = escape_block(&a.note);
    if !note.is_empty() {
        for line in note {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }
}

fn article(out: &mut String, e: &Entry, level: &str) {
    let _ = writeln!(out, "{level} {}\n", escape_line(&e.meta.title));
    let n = e.annotations.len();
    let mut about = format!("{n} annotation{}", if n == 1 { "" } else { "s" });
    if let Some(s) = &e.meta.source_name {
        about = format!("{} · {about}", escape_line(s));
    }
    let _ = writeln!(out, "*{about}*\n");
    let (placed, orphans): (Vec<&Annotation>, Vec<&Annotation>) =
        e.annotations.iter().partition(|a| !a.orphan);
    for (i, a) in placed.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n\n");
        }
        annotation(out, a);
    }
    if !orphans.is_empty() {
        let _ = writeln!(
            out,
            "{level}# Unanchored\n\n*Their text was not found in the current version of the article.*\n"
        );
        for a in orphans {
            annotation(out, a);
        }
    }
}

/// The bundle as Markdown. One article is the document's title; a
/// library export has a title of its own and a section per article.
pub fn write(bundle: &Bundle, info: &ExportInfo) -> String {
    let mut out = String::new();
    let date = &format_rfc3339(&info.exported)[..10];
    match bundle.articles.as_slice() {
        [one] => {
            article(&mut out, one, "#");
            let _ = writeln!(out, "*Exported from Marginalia on {date}.*");
        }
        many => {
            let total: usize = many.iter().map(|e| e.annotations.len()).sum();
            let _ = writeln!(
                out,
                "# Marginalia library\n\n*Exported on {date} · {} articles · {total} annotations*\n",
                many.len()
            );
            for e in many.iter().filter(|e| !e.annotations.is_empty()) {
                article(&mut out, e, "##");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_characters_are_escaped_and_leading_markers_neutralised() {
        assert_eq!(escape_line("# not a heading"), "\\# not a heading");
        assert_eq!(escape_line("- item"), "\\- item");
        assert_eq!(escape_line("+ item"), "\\+ item");
        assert_eq!(escape_line("12. item"), "12\\. item");
        assert_eq!(escape_line("3) item"), "3\\) item");
        assert_eq!(escape_line("    code"), "code");
        assert_eq!(escape_line("> quote"), "\\> quote");
        assert_eq!(
            escape_line("<script>x</script>"),
            "\\<script\\>x\\</script\\>"
        );
        assert_eq!(escape_line("[link](http://x)"), "\\[link\\](http://x)");
        assert_eq!(
            escape_line("a*b*_c_ `d` ~~e~~ | $x$ %%c%% ==h=="),
            "a\\*b\\*\\_c\\_ \\`d\\` \\~\\~e\\~\\~ \\| \\$x\\$ \\%\\%c\\%\\% \\=\\=h\\=\\="
        );
        assert_eq!(escape_line("U.S. 3.5 - fine"), "U.S. 3.5 - fine");
        assert_eq!(escape_line("&amp;"), "\\&amp;");
        assert_eq!(escape_line("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn notes_keep_paragraphs_but_not_runs_of_blank_lines() {
        assert_eq!(
            escape_block("one\n\n\n\ntwo\nthree\n\n"),
            ["one", "", "two", "three"]
        );
        assert!(escape_block("  \n ").is_empty());
    }

    #[test]
    fn tags_become_single_hashtags() {
        assert_eq!(hashtag("war crimes").as_deref(), Some("#war-crimes"));
        assert_eq!(hashtag("C++").as_deref(), Some("#C"));
        assert_eq!(hashtag("<b>bold</b>").as_deref(), Some("#bbold/b"));
        assert_eq!(hashtag("2024").as_deref(), Some("#tag-2024"));
        assert_eq!(hashtag("été/juin").as_deref(), Some("#été/juin"));
        assert_eq!(hashtag("###"), None);
    }
}
