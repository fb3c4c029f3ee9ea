//! Sentence segmentation: splits one paragraph into sentences.
//!
//! The scan looks only at candidate terminators (`.` `!` `?` `…` and the
//! CJK `。` `！` `？` `．`), so it runs in one pass over the bytes. At each
//! candidate it reads the terminator run (`?!`, `...`, `. . .`), absorbs
//! closing quotes and brackets (`’ ” " ' » ) ]` …), and decides from the
//! word before and the word after whether a sentence ends there.
//!
//! Rules, in the order they apply:
//! 1. **CJK terminators** `。！？` end a sentence with or without a space.
//! 2. **No space, no boundary.** A Western terminator followed directly by
//!    a letter, digit or other mark is inside a token: decimals (`3.14`),
//!    versions (`v2.0.1`), URLs, e-mail addresses, `Jr.'s`.
//! 3. **Lowercase next word, no boundary**: `Yahoo! in`, `'fine.' she said`,
//!    `(…engineer.) at the`, `co. at noon`, `the U.S.A. last year`.
//! 4. **Inline lists.** Markers `1.` `1)` `1.)` `a.` `a)` that form a run
//!    (1 then 2, a then b) start a new sentence each, with or without
//!    punctuation before them, and their own dot never ends one. A bullet
//!    (`•`, `⁃`, `‣`, `◦`) right before a marker starts the sentence.
//! 5. **Titles** that stand before a name (Mr, Mrs, Ms, Dr, Prof, Sen, Rep,
//!    Gen, Gov, Col, Capt, Lt, Sgt, St, Mt, Rev, Hon, vs, …) never end a
//!    sentence.
//! 6. **Other abbreviations** (Inc, Corp, Ltd, Co, Jr, etc, No, Vol, Fig,
//!    p, pp, abbreviated months and weekdays, …) end a sentence only when a
//!    capitalised word follows: `Briggs & Co. It closed` splits, `Jan. 14`
//!    and `No. 5` do not.
//! 7. **Acronyms with dots** (`U.S.`, `E.U.`, `Ph.D.`) and **single capital
//!    initials** (`E.`, `I.`) end a sentence only when the next word is a
//!    common sentence opener (a pronoun, article, auxiliary, conjunction or
//!    question word: `How`, `He`, `The`, `Did`…), so `U.S. Government` and
//!    `Albert I. Jones` stay whole while `the U.S. How about you?` and
//!    `you and I. Did you` split.
//! 8. **a.m. / p.m.** end a sentence before a capitalised word unless the
//!    time opens the sentence (three words or fewer before it): `At 5 a.m.
//!    Mr. Smith went…` stays whole; `…left at 6 P.M. Mr. Smith then…` splits.
//! 9. **Ellipses.** A three-dot ellipsis (`...`, `…`, `. . .`) ends a
//!    sentence only before a capitalised word other than the pronoun `I`,
//!    and never inside brackets (`[...]`) or when it opens the sentence
//!    (words left out at its start). Four dots (`that....`, `. . . .`)
//!    end a sentence. A full stop on a word followed by a spaced ellipsis
//!    and a capital (`compounds. . . . The`) ends the sentence at the full
//!    stop; the ellipsis opens the next one.
//! 10. **Ordinal dates**: a number with a dot before a month name (German
//!     `am 3. Mai`, `24. Dezember`) does not end a sentence.
//! 11. **Otherwise** a terminator (run) followed by white space and a word
//!     that can open a sentence (a capital, a digit, an opening quote or
//!     bracket, `¿` `¡`, or a letter of a script without case) ends one.
//! 12. **French spacing**: a space before `?` `!` `:` or before a closing
//!     `»` stays inside the sentence (`Vraiment ? Oui.`).
//! 13. **Emoji** right after a sentence's end belong to that sentence
//!     (`We won! 🎉 Next…`).
//!
//! Invariant (tested): the returned spans are non-empty, trimmed, in order,
//! on char boundaries, and the text outside them is white space only, so the
//! sentences and the white space between them give back the input exactly.
//!
//! The `trivial-segmenter` cargo feature (for measuring the wasm size only,
//! see `scripts/bench`) replaces [`sentence_spans`] with a trivial splitter,
//! so that the rules below are not linked.

#![cfg_attr(feature = "trivial-segmenter", allow(dead_code))]

use std::ops::Range;

/// Titles that stand before a name; they never end a sentence.
const TITLES: &[&str] = &[
    "adm", "atty", "brig", "capt", "cmdr", "col", "cpl", "dr", "fr", "ft", "gen", "gov", "hon",
    "lt", "maj", "messrs", "mlle", "mme", "mr", "mrs", "ms", "msgr", "mt", "pres", "prof", "rep",
    "rev", "sen", "sgt", "sr", "st", "supt", "v", "vs",
];

/// Abbreviations that end a sentence only before a capitalised word.
const OTHER_ABBREVIATIONS: &[&str] = &[
    "al", "approx", "apr", "art", "aug", "ave", "bros", "ca", "cf", "ch", "co", "corp", "dec",
    "dept", "e.g", "esp", "esq", "est", "etc", "feb", "fig", "figs", "fri", "i.e", "inc", "jan",
    "jr", "jul", "jun", "llc", "ltd", "mar", "min", "mon", "no", "nos", "nov", "nr", "n°", "oct",
    "op", "p", "plc", "pp", "rd", "sat", "sec", "sep", "sept", "sun", "thu", "thur", "thurs",
    "tue", "tues", "univ", "vol", "vols", "wed",
];

/// Words that commonly open an English sentence (lowercase, sorted).
const OPENERS: &[&str] = &[
    "a",
    "after",
    "all",
    "also",
    "although",
    "an",
    "and",
    "are",
    "as",
    "at",
    "because",
    "before",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "during",
    "each",
    "even",
    "every",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "is",
    "it",
    "its",
    "let",
    "many",
    "meanwhile",
    "more",
    "most",
    "my",
    "no",
    "not",
    "now",
    "on",
    "once",
    "one",
    "only",
    "or",
    "our",
    "please",
    "several",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "to",
    "two",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "yes",
    "yet",
    "you",
    "your",
];

/// Month names (lowercase) that follow ordinal dates in German and others.
const MONTHS: &[&str] = &[
    "april",
    "august",
    "dezember",
    "februar",
    "januar",
    "juli",
    "juni",
    "jänner",
    "mai",
    "märz",
    "november",
    "oktober",
    "september",
];

fn contains(list: &[&str], word: &str) -> bool {
    list.binary_search(&word).is_ok()
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '’'
            | '”'
            | '»'
            | '›'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '〉'
            | '》'
            | '】'
    )
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '‘'
            | '“'
            | '«'
            | '‹'
            | '('
            | '['
            | '{'
            | '¿'
            | '¡'
            | '「'
            | '『'
            | '（'
            | '„'
    )
}

fn is_bullet(c: char) -> bool {
    matches!(c, '•' | '⁃' | '‣' | '◦' | '▪' | '●')
}

fn is_cjk_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '．')
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F | 0x200D | 0x20E3 | 0xE0020..=0xE007F)
}

/// Whether a character has case (so "not uppercase" means lowercase).
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase()
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at)?.chars().next_back()
}

/// Byte ranges of the sentences of `text`, in order (see the module docs).
#[cfg(not(feature = "trivial-segmenter"))]
pub fn sentence_spans(text: &str) -> Vec<Range<usize>> {
    rule_spans(text)
}

/// Byte ranges of the sentences of `text`: the trivial splitter of the
/// `trivial-segmenter` feature, which exists only to measure what the rules
/// add to the wasm. A sentence ends after `.`, `!` or `?` followed by white
/// space; the spans are trimmed. Same invariants as the real segmenter,
/// none of its accuracy.
#[cfg(feature = "trivial-segmenter")]
pub fn sentence_spans(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let ends: Vec<usize> = (1..bytes.len())
        .filter(|&i| matches!(bytes[i - 1], b'.' | b'!' | b'?') && bytes[i].is_ascii_whitespace())
        .collect();
    spans_from_ends(text, &ends)
}

/// The rule-based segmenter (see the module docs).
fn rule_spans(text: &str) -> Vec<Range<usize>> {
    let lists = list_markers(text);
    let mut ends: Vec<usize> = Vec::new();
    let bytes = text.as_bytes();
    let mut sentence_start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        let candidate = matches!(b, b'.' | b'!' | b'?')
            || (b == 0xE2 && text[i..].starts_with('…'))
            || (b == 0xEF || b == 0xE3) && char_at(text, i).is_some_and(is_cjk_terminator);
        if !candidate {
            i += 1;
            continue;
        }
        if lists.marker_dots.binary_search(&i).is_ok() {
            i += 1;
            continue;
        }
        match decide(text, i, sentence_start) {
            Step::Boundary(end, next) => {
                ends.push(end);
                sentence_start = next;
                i = next.max(i + 1);
            }
            Step::Skip(next) => i = next.max(i + 1),
        }
    }
    spans_from_ends(text, &merge_sorted(&lists.breaks, &ends))
}

/// Merges two ascending lists into one, without repeats.
fn merge_sorted(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        if out.last() != Some(&next) {
            out.push(next);
        }
    }
    out
}

fn spans_from_ends(text: &str, ends: &[usize]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for &end in ends.iter().chain(std::iter::once(&text.len())) {
        if end <= start {
            continue;
        }
        let piece = &text[start..end];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed_end = start + piece.trim_end().len();
        if start + lead < trimmed_end {
            out.push(start + lead..trimmed_end);
        }
        start = end;
    }
    out
}

enum Step {
    /// A sentence ends at `.0` (exclusive); scanning resumes at `.1`.
    Boundary(usize, usize),
    /// No boundary; resume at the given byte.
    Skip(usize),
}

/// The terminator run starting at `at`: where it ends, how many dots it
/// has, whether it has `?`/`!`, and whether it is a spaced ellipsis.
struct Run {
    end: usize,
    dots: usize,
    bang: bool,
    first_dot_attached: bool,
}

fn read_run(text: &str, at: usize) -> Run {
    let mut end = at;
    let mut dots = 0;
    let mut bang = false;
    let first_dot_attached = char_before(text, at).is_some_and(|c| !c.is_whitespace());
    loop {
        match char_at(text, end) {
            Some('.') => {
                dots += 1;
                end += 1;
            }
            Some('…') => {
                dots += 3;
                end += '…'.len_utf8();
            }
            Some('!' | '?' | '‽') => {
                bang = true;
                end += 1;
            }
            // Spaced ellipsis: ". . ." continues the run.
            Some(' ') if dots > 0 && !bang && char_at(text, end + 1) == Some('.') => end += 1,
            _ => break,
        }
    }
    Run {
        end,
        dots,
        bang,
        first_dot_attached,
    }
}

/// The word before byte `at`, without leading openers, e.g. `U.S`, `Dr`, `5`.
fn word_before(text: &str, at: usize) -> &str {
    let head = &text[..at];
    let start = head.rfind(|c: char| c.is_whitespace()).map_or(0, |p| {
        p + head[p..].chars().next().map_or(1, char::len_utf8)
    });
    head[start..].trim_start_matches(|c: char| is_opener(c) || is_bullet(c) || c == '—' || c == '-')
}

/// The next word from byte `at` (no leading white space), without openers.
fn word_after(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let rest = rest.trim_start_matches(is_opener);
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// ASCII lowercase: every table entry is ASCII (or has no case change, like
/// `n°`, `mai`), and `str::to_lowercase` would add its Unicode tables to the
/// wasm bundle.
fn lower(word: &str) -> String {
    word.to_ascii_lowercase()
}

fn decide(text: &str, at: usize, sentence_start: usize) -> Step {
    let first = char_at(text, at).unwrap_or('.');
    // Rule 1: CJK terminators.
    if is_cjk_terminator(first) {
        let mut end = at + first.len_utf8();
        while let Some(c) = char_at(text, end) {
            if is_cjk_terminator(c) || is_closer(c) || matches!(c, '!' | '?') {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        return Step::Boundary(end, end);
    }
    let run = read_run(text, at);
    let mut end = run.end;
    // Closing quotes and brackets belong to the sentence (also French "« … »" spacing).
    loop {
        match char_at(text, end) {
            Some(c) if is_closer(c) => end += c.len_utf8(),
            Some(c @ (' ' | '\u{A0}' | '\u{202F}'))
                if char_at(text, end + c.len_utf8()) == Some('»') =>
            {
                end += c.len_utf8();
            }
            _ => break,
        }
    }
    // Rule 2: no white space after, no boundary.
    let Some(after) = char_at(text, end) else {
        return Step::Skip(end);
    };
    if !after.is_whitespace() {
        return Step::Skip(end);
    }
    // Skip white space, absorbing emoji (rule 13).
    let mut next = end;
    let mut sentence_end = end;
    loop {
        match char_at(text, next) {
            Some(c) if c.is_whitespace() => next += c.len_utf8(),
            Some(c) if is_emoji(c) => {
                while let Some(e) = char_at(text, next)
                    .filter(|e| is_emoji(*e) || matches!(*e as u32, 0x1F3FB..=0x1F3FF))
                {
                    next += e.len_utf8();
                }
                sentence_end = next;
            }
            _ => break,
        }
    }
    let Some(n) = char_at(text, next) else {
        return Step::Skip(next);
    };
    let word = word_before(text, at);
    let next_word = word_after(text, next);
    let first_of_next = next_word.chars().next();
    let opens = |c: Option<char>| match c {
        Some(c) => c.is_uppercase() || c.is_ascii_digit() || (c.is_alphabetic() && !is_cased(c)),
        None => false,
    };
    let next_opens = opens(first_of_next) || matches!(n, '¿' | '¡') || is_bullet(n);
    // Rule 3: a lowercase word continues the sentence.
    if !next_opens {
        return Step::Skip(next);
    }
    // Rule 9: ellipses.
    if run.dots >= 3 && !run.bang {
        let spaced_after_word = run.first_dot_attached && text[at..run.end].starts_with(". .");
        if spaced_after_word && run.dots >= 4 {
            // "compounds. . . . The": the first dot ends the sentence.
            return Step::Boundary(at + 1, at + 1);
        }
        // Inside brackets, or opening the sentence, an ellipsis marks words left out.
        if matches!(char_before(text, at), Some('[' | '('))
            || text[sentence_start..at].trim().is_empty()
        {
            return Step::Skip(next);
        }
        if run.dots >= 4 {
            return Step::Boundary(sentence_end, next);
        }
        return if next_word == "I" || !first_of_next.is_some_and(char::is_uppercase) {
            Step::Skip(next)
        } else {
            Step::Boundary(sentence_end, next)
        };
    }
    if run.bang || run.dots != 1 {
        return Step::Boundary(sentence_end, next);
    }
    // A single full stop: look at the word before it.
    let w = lower(word.trim_end_matches('.'));
    let next_is_capital =
        first_of_next.is_some_and(|c| c.is_uppercase() || (c.is_alphabetic() && !is_cased(c)));
    let next_is_opener =
        contains(OPENERS, &lower(next_word)) || matches!(n, '"' | '“' | '‘' | '¿' | '¡');
    // Rule 10: ordinal dates.
    if !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()) && contains(MONTHS, &lower(next_word))
    {
        return Step::Skip(next);
    }
    // Rule 8: a.m. / p.m.
    if w == "a.m" || w == "p.m" {
        let words_before = text[sentence_start..at]
            .split_whitespace()
            .count()
            .saturating_sub(1);
        return if next_is_capital && words_before > 3 {
            Step::Boundary(sentence_end, next)
        } else {
            Step::Skip(next)
        };
    }
    // Rule 5: titles.
    if contains(TITLES, &w) {
        return Step::Skip(next);
    }
    // Rule 6: other abbreviations.
    if contains(OTHER_ABBREVIATIONS, &w) {
        return if next_is_capital {
            Step::Boundary(sentence_end, next)
        } else {
            Step::Skip(next)
        };
    }
    // Rule 7: acronyms with dots and single capital initials.
    let acronym = w.contains('.')
        && w.split('.')
            .all(|p| p.chars().count() <= 2 && p.chars().all(char::is_alphabetic));
    let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    if acronym || initial {
        return if next_is_opener {
            Step::Boundary(sentence_end, next)
        } else {
            Step::Skip(next)
        };
    }
    // Rule 11.
    Step::Boundary(sentence_end, next)
}

struct Lists {
    /// Byte offsets where a list item starts a new sentence.
    breaks: Vec<usize>,
    /// Byte offsets of dots that belong to list markers (sorted).
    marker_dots: Vec<usize>,
}

/// Finds inline list markers that form runs (rule 4).
fn list_markers(text: &str) -> Lists {
    struct Marker {
        start: usize,
        dot: Option<usize>,
        value: u32,
        letter: bool,
        style: u8,
    }
    let mut markers = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Cheap byte tests first: a marker is a digit, or a letter right before `.` or `)`.
        let b = bytes[i];
        let shaped = b.is_ascii_digit()
            || (b.is_ascii_lowercase() && matches!(bytes.get(i + 1), Some(b'.' | b')')));
        let at_token = shaped
            && (i == 0
                || bytes[i - 1].is_ascii_whitespace()
                || (bytes[i - 1] >= 0x80
                    && char_before(text, i).is_some_and(|c| c.is_whitespace() || is_bullet(c))));
        if !at_token {
            i += 1;
            continue;
        }
        let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        let (value, letter, len) = if (1..=3).contains(&digits) {
            (
                text[i..i + digits].parse::<u32>().unwrap_or(0),
                false,
                digits,
            )
        } else if bytes[i].is_ascii_lowercase() {
            (u32::from(bytes[i] - b'a') + 1, true, 1)
        } else {
            i += 1;
            continue;
        };
        let rest = &bytes[i + len..];
        let (style, mlen, dot) = if rest.starts_with(b".)") {
            (0u8, 2, Some(i + len))
        } else if rest.starts_with(b")") {
            (1, 1, None)
        } else if rest.starts_with(b".") {
            (2, 1, Some(i + len))
        } else {
            i += 1;
            continue;
        };
        let after = i + len + mlen;
        let followed = char_at(text, after).is_some_and(char::is_whitespace)
            && text[after..]
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if followed {
            markers.push(Marker {
                start: i,
                dot,
                value,
                letter,
                style,
            });
        }
        i = after;
    }
    let mut lists = Lists {
        breaks: Vec::new(),
        marker_dots: Vec::new(),
    };
    for (k, m) in markers.iter().enumerate() {
        let same = |o: &Marker| o.style == m.style && o.letter == m.letter;
        let in_run = markers[k + 1..]
            .iter()
            .any(|o| same(o) && o.value == m.value + 1)
            || markers[..k]
                .iter()
                .any(|o| same(o) && o.value + 1 == m.value);
        if !in_run {
            continue;
        }
        if let Some(d) = m.dot {
            lists.marker_dots.push(d);
        }
        // The sentence starts at the marker, or at a bullet just before it.
        let mut start = m.start;
        let head = text[..start].trim_end();
        if let Some(c) = head.chars().next_back().filter(|c| is_bullet(*c)) {
            start = head.len() - c.len_utf8();
        }
        if !text[..start].trim().is_empty() {
            lists.breaks.push(start);
        }
    }
    // Markers were found left to right, so breaks and dots are ascending.
    lists
}

// The rules' tests; the trivial splitter does not pass them.
#[cfg(all(test, not(feature = "trivial-segmenter")))]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentence_spans(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for list in [TITLES, OTHER_ABBREVIATIONS, OPENERS, MONTHS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn a_french_closing_quote_after_any_space_belongs_to_the_sentence() {
        for space in [" ", "\u{A0}", "\u{202F}"] {
            let text = format!("Il dit «{space}Viens{space}!{space}» Puis il part.");
            assert_eq!(
                split(&text),
                [
                    format!("Il dit «{space}Viens{space}!{space}»").as_str(),
                    "Puis il part."
                ],
                "space U+{:04X}",
                space.chars().next().unwrap() as u32
            );
        }
    }

    #[test]
    fn plain_full_stops_question_and_exclamation_marks_end_sentences() {
        assert_eq!(
            split("The rain stopped. We walked home? Yes! Finally."),
            ["The rain stopped.", "We walked home?", "Yes!", "Finally."]
        );
    }

    #[test]
    fn honorific_before_name_does_not_split() {
        assert_eq!(
            split("We met Prof. Alvarez and Sen. Brooks. Gen. Ortiz was late."),
            [
                "We met Prof. Alvarez and Sen. Brooks.",
                "Gen. Ortiz was late."
            ]
        );
        assert_eq!(
            split("Mrs. Lee thanked Dr. Okafor."),
            ["Mrs. Lee thanked Dr. Okafor."]
        );
    }

    #[test]
    fn month_ending_a_sentence_splits_but_abbreviated_month_before_a_day_does_not() {
        assert_eq!(
            split("The unit was formed in May. Dr. Smith arrived later."),
            ["The unit was formed in May.", "Dr. Smith arrived later."]
        );
        assert_eq!(
            split("The vote is on Jan. 14 in the hall."),
            ["The vote is on Jan. 14 in the hall."]
        );
    }

    #[test]
    fn company_suffix_mid_sentence_and_at_sentence_end() {
        assert_eq!(
            split("Acme Corp. announced a deal with Zenith Inc. on Monday."),
            ["Acme Corp. announced a deal with Zenith Inc. on Monday."]
        );
        assert_eq!(
            split("Shares fell at Globex Ltd. Analysts were surprised."),
            ["Shares fell at Globex Ltd.", "Analysts were surprised."]
        );
    }

    #[test]
    fn am_pm_at_sentence_end_and_mid_sentence() {
        assert_eq!(
            split("The shop opens at 9 a.m. Customers queue early."),
            ["The shop opens at 9 a.m.", "Customers queue early."]
        );
        assert_eq!(
            split("By 7 p.m. Officer Diaz had left."),
            ["By 7 p.m. Officer Diaz had left."]
        );
        assert_eq!(
            split("We close at 6 p.m. on Sundays."),
            ["We close at 6 p.m. on Sundays."]
        );
    }

    #[test]
    fn dotted_acronym_at_sentence_end_splits_before_a_sentence_opener() {
        assert_eq!(
            split("She moved to Washington, D.C. It was a hard year."),
            ["She moved to Washington, D.C.", "It was a hard year."]
        );
        assert_eq!(
            split("The U.K. Parliament voted."),
            ["The U.K. Parliament voted."]
        );
        assert_eq!(
            split("Prices rose in the U.S. for a year."),
            ["Prices rose in the U.S. for a year."]
        );
    }

    #[test]
    fn initials_do_not_split() {
        assert_eq!(
            split("J. R. R. Tolkien wrote it. C. S. Lewis read it."),
            ["J. R. R. Tolkien wrote it.", "C. S. Lewis read it."]
        );
    }

    #[test]
    fn numbers_decimals_money_percentages_and_versions_stay_whole() {
        assert_eq!(
            split("Pi is 3.14 and tea costs $4.50. Growth hit 12.5% in v2.0.1 builds."),
            [
                "Pi is 3.14 and tea costs $4.50.",
                "Growth hit 12.5% in v2.0.1 builds."
            ]
        );
        assert_eq!(
            split("Sales reached 2019. 2020 was worse."),
            ["Sales reached 2019.", "2020 was worse."]
        );
    }

    #[test]
    fn ellipses_mid_sentence_and_at_sentence_end() {
        assert_eq!(
            split("Well ... maybe not. He waited… Then he left."),
            ["Well ... maybe not.", "He waited…", "Then he left."]
        );
        assert_eq!(
            split("It was . . . odd. I left...."),
            ["It was . . . odd.", "I left...."]
        );
        assert_eq!(
            split("The text [...] goes on."),
            ["The text [...] goes on."]
        );
        // A full stop, then a spaced ellipsis opening the next sentence.
        assert_eq!(
            split("The storm ended. . . . Boats went out again."),
            ["The storm ended.", ". . . Boats went out again."]
        );
    }

    #[test]
    fn quotes_and_parentheses_after_terminal_punctuation() {
        assert_eq!(
            split("He said, “Stop.” Then he left."),
            ["He said, “Stop.”", "Then he left."]
        );
        assert_eq!(
            split("(See below.) Next comes the table."),
            ["(See below.)", "Next comes the table."]
        );
        assert_eq!(
            split("She said 'fine.' and left."),
            ["She said 'fine.' and left."]
        );
        assert_eq!(
            split("They called it the ‘final push.’ Critics disagreed."),
            ["They called it the ‘final push.’", "Critics disagreed."]
        );
    }

    #[test]
    fn urls_and_email_addresses_stay_whole() {
        assert_eq!(
            split(
                "Write to press.office@news.example.org. Visit https://news.example.org/a.b?c=d. Thanks."
            ),
            [
                "Write to press.office@news.example.org.",
                "Visit https://news.example.org/a.b?c=d.",
                "Thanks."
            ]
        );
    }

    #[test]
    fn inline_numbered_and_lettered_lists_split_per_item() {
        // Markers before lowercase words are not list items: the sentence stays whole.
        assert_eq!(
            split("Bring 1) a map 2) a torch 3) water."),
            ["Bring 1) a map 2) a torch 3) water."]
        );
        // A lone number is not a list.
        assert_eq!(
            split("He finished 1. Then he rested."),
            ["He finished 1.", "Then he rested."]
        );
        assert_eq!(
            split("1. Boil water 2. Add the tea 3. Wait"),
            ["1. Boil water", "2. Add the tea", "3. Wait"]
        );
        assert_eq!(split("a) Rice b) Beans"), ["a) Rice", "b) Beans"]);
        assert_eq!(split("• 1. Left • 2. Right"), ["• 1. Left", "• 2. Right"]);
    }

    #[test]
    fn question_and_exclamation_runs_end_one_sentence() {
        assert_eq!(
            split("Really?! Yes. What?? No!!! Fine."),
            ["Really?!", "Yes.", "What??", "No!!!", "Fine."]
        );
        assert_eq!(
            split("It launched on Yahoo! in 1999."),
            ["It launched on Yahoo! in 1999."]
        );
    }

    #[test]
    fn cjk_terminals_need_no_space() {
        assert_eq!(
            split("今日は晴れです。明日は雨です！本当？"),
            ["今日は晴れです。", "明日は雨です！", "本当？"]
        );
        assert_eq!(
            split("他说：「好。」然后走了。"),
            ["他说：「好。」", "然后走了。"]
        );
    }

    #[test]
    fn spanish_inverted_marks_open_a_sentence() {
        assert_eq!(
            split("¿Qué hora es? Son las tres. ¡Qué tarde! ¿Vienes?"),
            ["¿Qué hora es?", "Son las tres.", "¡Qué tarde!", "¿Vienes?"]
        );
    }

    #[test]
    fn german_ordinal_dates_do_not_split() {
        assert_eq!(
            split("Am 3. Mai beginnt die Messe. Sie endet am 24. Dezember."),
            ["Am 3. Mai beginnt die Messe.", "Sie endet am 24. Dezember."]
        );
    }

    #[test]
    fn french_spacing_before_marks_and_guillemets() {
        assert_eq!(
            split("Vraiment ? Oui. Il a dit « Non. » Puis il est parti !"),
            [
                "Vraiment ?",
                "Oui.",
                "Il a dit « Non. »",
                "Puis il est parti !"
            ]
        );
    }

    #[test]
    fn emoji_between_sentences_stay_with_the_first() {
        assert_eq!(
            split("Great news! 🎉 We won. Next 👩‍👩‍👧 family day."),
            ["Great news! 🎉", "We won.", "Next 👩‍👩‍👧 family day."]
        );
    }

    #[test]
    fn pronoun_i_after_an_ellipsis_does_not_open_a_sentence_but_i_after_a_full_stop_can() {
        assert_eq!(
            split("and then . . . I forgot."),
            ["and then . . . I forgot."]
        );
        assert_eq!(
            split("It was you and I. Did it matter?"),
            ["It was you and I.", "Did it matter?"]
        );
    }

    #[test]
    fn whitespace_only_and_empty_text_have_no_sentences() {
        assert!(sentence_spans("").is_empty());
        assert!(sentence_spans(" \n\t ").is_empty());
    }

    /// A small deterministic generator of varied text.
    fn generated_texts() -> Vec<String> {
        let pieces = [
            "Dr.",
            "Smith",
            "said",
            "“Stop.”",
            "It",
            "ended.",
            "U.S.",
            "3.14",
            "é",
            "日本語。",
            "🎉",
            "👩‍👩‍👧",
            "...",
            "…",
            "?!",
            "a.m.",
            "(see",
            "note.)",
            "1.",
            "2)",
            "¿Qué?",
            "«",
            "»",
            "\n",
            "  ",
            "\t",
            "'",
            "\"",
            "e-mail@x.org.",
            "Zürich.",
            "ﬁn",
            "\u{A0}",
            "I.",
            "x",
            "Co.",
            "—",
        ];
        let mut seed = 0x2545F491u32;
        let mut out = Vec::new();
        for _ in 0..3000 {
            let mut s = String::new();
            let n = (seed % 25) as usize;
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                s.push_str(pieces[(seed as usize) % pieces.len()]);
                if !seed.is_multiple_of(3) {
                    s.push(' ');
                }
            }
            out.push(s);
        }
        out
    }

    #[test]
    fn no_character_is_lost_or_changed_on_generated_text() {
        for text in generated_texts() {
            let spans = sentence_spans(&text);
            let mut at = 0;
            let mut rebuilt = String::new();
            for r in &spans {
                assert!(r.start < r.end, "{text:?}");
                assert!(r.start >= at, "{text:?}");
                assert!(
                    text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                    "{text:?}"
                );
                let gap = &text[at..r.start];
                assert!(
                    gap.chars().all(char::is_whitespace),
                    "{text:?} lost {gap:?}"
                );
                let s = &text[r.clone()];
                assert_eq!(s, s.trim(), "{text:?}");
                rebuilt.push_str(gap);
                rebuilt.push_str(s);
                at = r.end;
            }
            assert!(text[at..].chars().all(char::is_whitespace), "{text:?}");
            rebuilt.push_str(&text[at..]);
            assert_eq!(rebuilt, text);
        }
    }
}
