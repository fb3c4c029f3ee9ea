//! Markdown: block structure (headings, paragraphs, lists, quotes, code,
//! tables) and inline markup dropped from the reading text.

use super::*;

/// Parses Markdown (see the module docs).
pub fn parse_markdown(text: &str) -> Parsed {
    let text = normalize_newlines(text);
    let mut lines: Vec<&str> = text.lines().collect();
    let mut parsed = Parsed::default();
    let mut front_title = None;
    if lines.first().map(|l| l.trim_end()) == Some("---")
        && let Some(end) = lines
            .iter()
            .skip(1)
            .position(|l| matches!(l.trim_end(), "---" | "..."))
    {
        for l in &lines[1..=end] {
            if let Some(v) = l.strip_prefix("title:") {
                let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
                // Judged after inline markup is dropped: `<b></b>` is no title.
                let title = shorten(&inline(v));
                if !title.is_empty() {
                    front_title = Some(title);
                }
            }
        }
        lines.drain(..=end + 1);
    }
    md_blocks(&lines, &mut parsed, false);
    let heading = parsed
        .blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Heading(_)))
        .map(|b| shorten(&b.text));
    parsed.title = front_title
        .or(heading)
        .or_else(|| parsed.first_line_title());
    parsed
}

fn indent_of(line: &str) -> usize {
    line.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// `line` without up to `columns` columns of leading spaces and tabs (a
/// tab counts 4). Whitespace that would go past `columns` stays, so no
/// character of the line is ever lost.
fn strip_indent(line: &str, columns: usize) -> &str {
    let mut width = 0;
    for (at, c) in line.char_indices() {
        let w = match c {
            ' ' => 1,
            '\t' => 4,
            _ => return &line[at..],
        };
        if width + w > columns {
            return &line[at..];
        }
        width += w;
    }
    ""
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let t = line.trim_start();
    if indent_of(line) > 3 {
        return None;
    }
    let level = t.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut content = rest.trim();
    let stripped = content.trim_end_matches('#');
    if stripped.is_empty() || stripped.ends_with([' ', '\t']) {
        content = stripped.trim_end();
    }
    Some((level as u8, content))
}

fn thematic_break(line: &str) -> bool {
    if indent_of(line) > 3 {
        return false;
    }
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3
        && (t.chars().all(|c| c == '-')
            || t.chars().all(|c| c == '*')
            || t.chars().all(|c| c == '_'))
}

fn fence(line: &str) -> Option<(char, usize)> {
    if indent_of(line) > 3 {
        return None;
    }
    let t = line.trim_start();
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3 && !(c == '`' && t[n..].contains('`'))).then_some((c, n))
}

/// A list marker: returns the content after it.
fn list_item(line: &str) -> Option<&str> {
    // Nested items are indented further; any depth is accepted.
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix(['-', '*', '+']) {
        if rest.starts_with([' ', '\t']) {
            return Some(rest.trim_start());
        }
        return None;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &t[digits..];
        if let Some(rest) = rest.strip_prefix(['.', ')'])
            && (rest.starts_with([' ', '\t']) || rest.is_empty())
        {
            return Some(rest.trim_start());
        }
    }
    None
}

fn link_definition(line: &str) -> bool {
    let t = line.trim_start();
    if indent_of(line) > 3 || !t.starts_with('[') {
        return false;
    }
    match t.find("]:") {
        Some(at) => at > 1 && !t[1..at].contains(']'),
        None => false,
    }
}

fn table_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.len() > 1
}

fn table_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn table_cells(line: &str) -> String {
    let t = line.trim().trim_start_matches('|').trim_end_matches('|');
    t.split('|')
        .map(|c| inline(c.trim()))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn html_block(line: &str) -> bool {
    let t = line.trim_start();
    indent_of(line) <= 3
        && t.starts_with('<')
        && t[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
}

/// Starts a new block (so it interrupts a paragraph).
fn starts_block(line: &str) -> bool {
    atx_heading(line).is_some()
        || thematic_break(line)
        || fence(line).is_some()
        || line.trim_start().starts_with('>')
        || list_item(line).is_some()
        || html_block(line)
}

fn md_blocks(lines: &[&str], out: &mut Parsed, in_quote: bool) {
    let para_kind = if in_quote {
        BlockKind::Quote
    } else {
        BlockKind::Paragraph
    };
    let mut i = 0;
    let mut after_blank = true;
    while i < lines.len() {
        let line = lines[i];
        if is_blank(line) {
            after_blank = true;
            i += 1;
            continue;
        }
        if let Some((c, n)) = fence(line) {
            let mut code = String::new();
            i += 1;
            let indent = indent_of(line);
            while i < lines.len() {
                if let Some((c2, n2)) = fence(lines[i])
                    && c2 == c
                    && n2 >= n
                    && lines[i].trim().chars().all(|x| x == c)
                {
                    i += 1;
                    break;
                }
                code.push_str(strip_indent(lines[i], indent));
                code.push('\n');
                i += 1;
            }
            out.push(BlockKind::Code, &code);
            after_blank = false;
            continue;
        }
        if after_blank && indent_of(line) >= 4 && !in_quote {
            let mut code = String::new();
            while i < lines.len() && (indent_of(lines[i]) >= 4 || is_blank(lines[i])) {
                let l = lines[i];
                let mut drop = 0;
                let mut width = 0;
                for ch in l.chars() {
                    if width >= 4 {
                        break;
                    }
                    match ch {
                        ' ' => width += 1,
                        '\t' => width = 4,
                        _ => break,
                    }
                    drop += 1;
                }
                code.push_str(&l[drop.min(l.len())..]);
                code.push('\n');
                i += 1;
            }
            out.push(BlockKind::Code, &code);
            after_blank = false;
            continue;
        }
        if let Some((level, content)) = atx_heading(line) {
            out.push(
                if in_quote {
                    BlockKind::Quote
                } else {
                    BlockKind::Heading(level)
                },
                &inline(content),
            );
            i += 1;
            after_blank = false;
            continue;
        }
        if thematic_break(line) {
            i += 1;
            after_blank = true;
            continue;
        }
        if line.trim_start().starts_with('>') {
            let mut inner = Vec::new();
            while i < lines.len() && !is_blank(lines[i]) {
                let t = lines[i].trim_start();
                if let Some(rest) = t.strip_prefix('>') {
                    inner.push(rest.strip_prefix(' ').unwrap_or(rest));
                } else if starts_block(lines[i]) {
                    break;
                } else {
                    inner.push(lines[i]); // lazy continuation
                }
                i += 1;
            }
            md_blocks(&inner, out, true);
            after_blank = false;
            continue;
        }
        if let Some(first) = list_item(line) {
            let mut text = first.to_owned();
            i += 1;
            while i < lines.len()
                && !is_blank(lines[i])
                && list_item(lines[i]).is_none()
                && !starts_block(lines[i])
            {
                text.push('\n');
                text.push_str(lines[i].trim());
                i += 1;
            }
            // Continuation paragraphs indented under the item stay in it.
            while i + 1 < lines.len()
                && is_blank(lines[i])
                && indent_of(lines[i + 1]) >= 2
                && list_item(lines[i + 1]).is_none()
                && !is_blank(lines[i + 1])
            {
                i += 1;
                while i < lines.len() && !is_blank(lines[i]) && list_item(lines[i]).is_none() {
                    text.push('\n');
                    text.push_str(lines[i].trim());
                    i += 1;
                }
            }
            let kind = if in_quote {
                BlockKind::Quote
            } else {
                BlockKind::ListItem
            };
            out.push(kind, &inline(&text));
            after_blank = false;
            continue;
        }
        if link_definition(line) {
            i += 1;
            continue;
        }
        if table_row(line) && lines.get(i + 1).is_some_and(|l| table_separator(l)) {
            while i < lines.len() && table_row(lines[i]) {
                if !table_separator(lines[i]) {
                    out.push(para_kind, &table_cells(lines[i]));
                }
                i += 1;
            }
            after_blank = false;
            continue;
        }
        // A paragraph, perhaps a setext heading.
        let mut text = String::new();
        while i < lines.len() && !is_blank(lines[i]) {
            let l = lines[i];
            if !text.is_empty() {
                let t = l.trim();
                if !t.is_empty() && t.chars().all(|c| c == '=') {
                    out.push(
                        if in_quote {
                            para_kind
                        } else {
                            BlockKind::Heading(1)
                        },
                        &inline(&text),
                    );
                    text.clear();
                    i += 1;
                    break;
                }
                if !t.is_empty() && t.chars().all(|c| c == '-') && !in_quote {
                    out.push(BlockKind::Heading(2), &inline(&text));
                    text.clear();
                    i += 1;
                    break;
                }
                if starts_block(l) && !html_block(l) {
                    break;
                }
            }
            if !text.is_empty() {
                // Hard line breaks (two trailing spaces or a backslash) become a space too.
                text.push('\n');
            }
            let l = l.trim();
            text.push_str(l.strip_suffix('\\').unwrap_or(l));
            i += 1;
        }
        if !text.is_empty() {
            out.push(para_kind, &inline(&text));
        }
        after_blank = false;
    }
}

/// Removes inline Markdown: the reading text only.
pub fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '\\' if i + 1 < chars.len() && chars[i + 1] == '\n' => {
                out.push('\n');
                i += 2;
            }
            '`' => {
                let n = run(&chars, i, '`');
                match find_run(&chars, i + n, '`', n) {
                    Some(end) => {
                        let code: String = chars[i + n..end].iter().collect();
                        let code = code.replace('\n', " ");
                        let trimmed =
                            if code.starts_with(' ') && code.ends_with(' ') && code.trim() != "" {
                                &code[1..code.len() - 1]
                            } else {
                                code.as_str()
                            };
                        out.push_str(trimmed);
                        i = end + n;
                    }
                    None => {
                        out.extend(&chars[i..i + n]);
                        i += n;
                    }
                }
            }
            '!' if chars.get(i + 1) == Some(&'[') => match link_at(&chars, i + 1) {
                Some((label, end)) => {
                    out.push_str(&inline(&label));
                    i = end;
                }
                None => {
                    out.push('!');
                    i += 1;
                }
            },
            '[' => match link_at(&chars, i) {
                Some((label, end)) => {
                    out.push_str(&inline(&label));
                    i = end;
                }
                None => {
                    out.push('[');
                    i += 1;
                }
            },
            '<' => match autolink_or_tag(&chars, i) {
                Some((keep, end)) => {
                    out.push_str(&keep);
                    i = end;
                }
                None => {
                    out.push('<');
                    i += 1;
                }
            },
            '&' => match entity(&chars, i) {
                Some((ch, end)) => {
                    out.push(ch);
                    i = end;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            },
            '*' | '_' | '~' => {
                let n = run(&chars, i, c);
                if is_delimiter(&chars, i, n, c) {
                    i += n;
                } else {
                    out.extend(&chars[i..i + n]);
                    i += n;
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn run(chars: &[char], at: usize, c: char) -> usize {
    chars[at..].iter().take_while(|x| **x == c).count()
}

fn find_run(chars: &[char], from: usize, c: char, n: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == c {
            let m = run(chars, i, c);
            if m == n {
                return Some(i);
            }
            i += m;
        } else {
            i += 1;
        }
    }
    None
}

/// Whether a run of `*`, `_` or `~` is emphasis markup (a flanking
/// delimiter with a matching partner), not a literal character.
fn is_delimiter(chars: &[char], at: usize, n: usize, c: char) -> bool {
    if c == '~' && n != 2 && n != 1 {
        return false;
    }
    let before = at.checked_sub(1).map(|j| chars[j]);
    let after = chars.get(at + n).copied();
    let left_flanking = after.is_some_and(|a| !a.is_whitespace());
    let right_flanking = before.is_some_and(|b| !b.is_whitespace());
    if !left_flanking && !right_flanking {
        return false; // "2 * 3"
    }
    // Underscores inside a word (snake_case) are never emphasis.
    if c == '_'
        && before.is_some_and(char::is_alphanumeric)
        && after.is_some_and(char::is_alphanumeric)
    {
        return false;
    }
    if left_flanking && !right_flanking {
        // An opener needs a closer later.
        let mut j = at + n;
        while j < chars.len() {
            if chars[j] == c {
                let m = run(chars, j, c);
                if chars[j - 1] != ' '
                    && !(c == '_' && chars.get(j + m).is_some_and(|x| x.is_alphanumeric()))
                {
                    return true;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        return false;
    }
    if right_flanking && !left_flanking {
        // A closer needs an opener earlier.
        return chars[..at]
            .iter()
            .rposition(|x| *x == c)
            .is_some_and(|j| chars.get(j + 1).is_some_and(|x| !x.is_whitespace()));
    }
    // Both sides are text ("a*b*c"): emphasis only for `*` with a partner.
    c == '*' && (chars[at + n..].contains(&c) || chars[..at].contains(&c))
}

/// `[label](dest "title")`, `[label][ref]`, `[label][]` or a shortcut
/// `[label]` followed by nothing link-like is left alone. Returns the label
/// and the index after the link.
fn link_at(chars: &[char], at: usize) -> Option<(String, usize)> {
    let mut depth = 0;
    let mut j = at;
    let close = loop {
        match chars.get(j)? {
            '\\' => j += 1,
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break j;
                }
            }
            _ => {}
        }
        j += 1;
    };
    let label: String = chars[at + 1..close].iter().collect();
    match chars.get(close + 1) {
        Some('(') => {
            let mut depth = 0;
            let mut k = close + 1;
            loop {
                match chars.get(k)? {
                    '\\' => k += 1,
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some((label, k + 1));
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
        }
        Some('[') => {
            let end = chars[close + 2..].iter().position(|c| *c == ']')? + close + 2;
            Some((label, end + 1))
        }
        _ => None,
    }
}

fn autolink_or_tag(chars: &[char], at: usize) -> Option<(String, usize)> {
    let end = chars[at..].iter().take(2048).position(|c| *c == '>')? + at;
    let inner: String = chars[at + 1..end].iter().collect();
    if inner.is_empty() || inner.contains('<') {
        return None;
    }
    if (inner.contains("://") || inner.starts_with("mailto:"))
        && !inner.contains(char::is_whitespace)
    {
        return Some((inner.trim_start_matches("mailto:").to_owned(), end + 1));
    }
    if inner.contains('@') && !inner.contains(char::is_whitespace) && !inner.starts_with('/') {
        return Some((inner, end + 1));
    }
    let first = inner.chars().next()?;
    if first.is_ascii_alphabetic() || first == '/' || first == '!' {
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty() || first == '!' {
            // `<br>` separates words.
            let keep = if name.eq_ignore_ascii_case("br") {
                " "
            } else {
                ""
            };
            return Some((keep.to_owned(), end + 1));
        }
    }
    None
}

/// A character reference: `&amp;`, `&#38;`, `&#x26;` and common names.
fn entity(chars: &[char], at: usize) -> Option<(char, usize)> {
    let end = chars[at..].iter().take(12).position(|c| *c == ';')? + at;
    let name: String = chars[at + 1..end].iter().collect();
    let c = if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(n)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{FFFD}')
    } else {
        match name.as_str() {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{A0}',
            "mdash" => '—',
            "ndash" => '–',
            "hellip" => '…',
            "lsquo" => '‘',
            "rsquo" => '’',
            "ldquo" => '“',
            "rdquo" => '”',
            "copy" => '©',
            _ => return None,
        }
    };
    Some((c, end + 1))
}
