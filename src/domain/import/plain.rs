//! Plain text: paragraphs separated by blank lines, or one per line when
//! there is no blank line at all.

use super::*;

/// Parses plain text (see the module docs).
pub fn parse_text(text: &str) -> Parsed {
    let text = normalize_newlines(text);
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    let mut parsed = Parsed::default();
    let (Some(first), Some(last)) = (first, last) else {
        return parsed;
    };
    let body = &lines[first..=last];
    let has_blank = body.iter().any(|l| l.trim().is_empty());
    if has_blank {
        let mut para = String::new();
        for line in body {
            if line.trim().is_empty() {
                parsed.push(BlockKind::Paragraph, &para);
                para.clear();
            } else {
                para.push_str(line);
                para.push('\n');
            }
        }
        parsed.push(BlockKind::Paragraph, &para);
    } else {
        for line in body {
            parsed.push(BlockKind::Paragraph, line);
        }
    }
    parsed.title = parsed.first_line_title();
    parsed
}
