//! The reader's markup as HTML text: what each sentence element says
//! about its marks, and the whole article body in one string.
//!
//! The reader builds its body from [`body_html`] in one `innerHTML`
//! assignment (the browser's parser makes 5,000 sentence elements far
//! faster than any per-element calls from wasm), then keeps each sentence
//! element in step by setting only the attributes of
//! [`sentence_attributes`] that changed. Both paths take the attribute
//! values from here, so the first render and every later repaint agree.
//!
//! Shape, per block (the automation hooks of the README):
//!
//! ```html
//! <p data-paragraph="3"><span class="s" data-sentence-id="12" tabindex="-1"
//!   data-highlight="blue" data-tags="Evidence" aria-description="…">text</span>
//!   <span class="note-mark" data-testid="note-marker" data-note-for="12" role="img"
//!   aria-label="Has a note"></span> <span class="s" …>…</span></p>
//! ```
//!
//! A partly highlighted sentence holds `<mark data-highlight="…">` pieces.
//! Consecutive list items share one `<ul>`; the article title is the
//! page's `h1`, so source headings start at `h2`. All text is escaped.

use crate::domain::annotate::marks::SentenceMarks;
use crate::domain::article::{Article, Block, BlockKind};
use std::fmt::Write;

use crate::domain::text::escape_into;

/// What a screen reader hears about a sentence beyond its text.
pub fn describe(m: &SentenceMarks) -> Option<String> {
    if m.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if let Some(c) = m.colours.first() {
        parts.push(format!("highlighted {}", c.name()));
    } else if let Some(p) = m.parts.first() {
        parts.push(format!("partly highlighted {}", p.colours[0].name()));
    }
    if !m.tags.is_empty() {
        parts.push(format!("tags: {}", m.tags.join(", ")));
    }
    if m.note {
        parts.push("has a note".into());
    }
    if m.conflict {
        parts.push("changed on two devices: see the annotations panel".into());
    }
    Some(parts.join("; "))
}

/// The attributes a sentence's marks set, each with its value or `None`
/// when absent, always the same five in the same order.
pub fn sentence_attributes(m: &SentenceMarks) -> [(&'static str, Option<String>); 5] {
    [
        (
            "data-highlight",
            m.colours.first().map(|c| c.name().to_owned()),
        ),
        (
            "data-overlap",
            m.colours.get(1).map(|c| c.name().to_owned()),
        ),
        ("data-tags", (!m.tags.is_empty()).then(|| m.tags.join(", "))),
        ("data-conflict", m.conflict.then(|| "true".to_owned())),
        ("aria-description", describe(m)),
    ]
}

/// The content of a sentence element: its text, cut into `<mark>`s where
/// parts of it are highlighted.
pub fn sentence_content<W: Write>(out: &mut W, text: &str, m: &SentenceMarks) {
    if m.parts.is_empty() {
        escape_into(out, text);
        return;
    }
    for (piece, colours) in m.pieces(text) {
        match colours.first() {
            None => escape_into(out, piece),
            Some(c) => {
                let _ = write!(out, "<mark data-highlight=\"{}\"", c.name());
                if let Some(under) = colours.get(1) {
                    let _ = write!(out, " data-overlap=\"{}\"", under.name());
                }
                let _ = out.write_char('>');
                escape_into(out, piece);
                let _ = out.write_str("</mark>");
            }
        }
    }
}

/// The note marker after sentence `i`, outside its text.
pub fn note_marker<W: Write>(out: &mut W, i: usize) {
    let _ = write!(
        out,
        "<span class=\"note-mark\" data-testid=\"note-marker\" data-note-for=\"{i}\" role=\"img\" aria-label=\"Has a note\"></span>"
    );
}

/// One sentence element (and its note marker). `cursor`: it has the
/// keyboard cursor (`tabindex="0"`; every other sentence has `-1`).
pub fn sentence_html<W: Write>(out: &mut W, i: usize, text: &str, m: &SentenceMarks, cursor: bool) {
    let _ = write!(
        out,
        "<span class=\"s\" data-sentence-id=\"{i}\" tabindex=\"{}\"",
        if cursor { "0" } else { "-1" }
    );
    for (name, value) in sentence_attributes(m) {
        if let Some(v) = value {
            let _ = write!(out, " {name}=\"");
            escape_into(out, &v);
            let _ = out.write_char('"');
        }
    }
    let _ = out.write_char('>');
    sentence_content(out, text, m);
    let _ = out.write_str("</span>");
    if m.note {
        note_marker(out, i);
    }
}

/// The sentences of a block and the whitespace between them; `first` is
/// the global index of its first sentence, `marks` every sentence's marks.
pub fn block_sentences<W: Write>(
    out: &mut W,
    block: &Block,
    first: usize,
    marks: &[SentenceMarks],
    cursor: usize,
) {
    let none = SentenceMarks::default();
    for (k, text) in block.pieces() {
        match k {
            Some(k) => {
                let i = first + k;
                sentence_html(out, i, text, marks.get(i).unwrap_or(&none), i == cursor);
            }
            None => escape_into(out, text),
        }
    }
}

fn tag_of(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Heading(0 | 1) => "h2",
        BlockKind::Heading(2) => "h3",
        BlockKind::Heading(3) => "h4",
        BlockKind::Heading(4) => "h5",
        BlockKind::Heading(_) => "h6",
        BlockKind::Paragraph => "p",
        BlockKind::ListItem => "li",
        BlockKind::Quote => "blockquote",
        BlockKind::Code => "pre",
    }
}

/// Whether the article's first block is a heading that repeats its
/// title: then it is shown once, as the page heading (see
/// [`title_html`]), and left out of the body.
pub fn title_is_first_block(article: &Article) -> bool {
    matches!(article.blocks.first(), Some(b) if matches!(b.kind, BlockKind::Heading(_)) && b.text == article.title)
}

/// The content of the page heading: the first block's sentences when it
/// is the title, else the title as text.
pub fn title_html(article: &Article, marks: &[SentenceMarks], cursor: usize) -> String {
    let mut out = String::new();
    match article.blocks.first() {
        Some(b) if title_is_first_block(article) => block_sentences(&mut out, b, 0, marks, cursor),
        _ => escape_into(&mut out, &article.title),
    }
    out
}

/// The article body: every block (but a title block) as its element.
/// Its size is counted first, so the string is allocated once: growing
/// it would hold the old and the new buffer at once, and a wasm memory
/// keeps its largest size.
pub fn body_html(article: &Article, marks: &[SentenceMarks], cursor: usize) -> String {
    let mut size = Count(0);
    write_body(&mut size, article, marks, cursor);
    let mut out = String::with_capacity(size.0);
    write_body(&mut out, article, marks, cursor);
    out
}

/// Counts what is written.
struct Count(usize);

impl Write for Count {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Writes what [`body_html`] returns to any sink (the reader streams it
/// into a JavaScript string, so the wasm memory never holds all of it).
pub fn write_body<W: Write>(
    out: &mut W,
    article: &Article,
    marks: &[SentenceMarks],
    cursor: usize,
) {
    let skip = usize::from(title_is_first_block(article));
    let mut first = 0;
    let mut in_list = false;
    for (i, b) in article.blocks.iter().enumerate() {
        if i >= skip {
            let list = b.kind == BlockKind::ListItem;
            if list && !in_list {
                let _ = out.write_str("<ul>");
            } else if !list && in_list {
                let _ = out.write_str("</ul>");
            }
            in_list = list;
            let tag = tag_of(b.kind);
            let _ = write!(out, "<{tag} data-paragraph=\"{i}\">");
            block_sentences(out, b, first, marks, cursor);
            let _ = write!(out, "</{tag}>");
        }
        first += b.sentences.len();
    }
    if in_list {
        let _ = out.write_str("</ul>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotate::annotation::Colour;
    use crate::domain::annotate::marks::Part;
    use crate::domain::article::NewArticle;
    use crate::domain::import::parse_markdown;
    use chrono::DateTime;

    #[test]
    fn a_sentence_with_a_sync_conflict_says_so() {
        let m = SentenceMarks {
            colours: vec![Colour::Green],
            conflict: true,
            ..SentenceMarks::default()
        };
        let mut out = String::new();
        sentence_html(&mut out, 2, "Text.", &m, false);
        assert!(out.contains(" data-conflict=\"true\""), "{out}");
        assert!(out.contains("changed on two devices"), "{out}");
        let mut out = String::new();
        sentence_html(
            &mut out,
            2,
            "Text.",
            &SentenceMarks {
                conflict: false,
                ..m
            },
            false,
        );
        assert!(!out.contains("data-conflict"), "{out}");
    }

    #[test]
    fn text_and_attribute_values_are_escaped() {
        let mut out = String::new();
        escape_into(&mut out, "a < b && \"c\" > d é");
        assert_eq!(out, "a &lt; b &amp;&amp; &quot;c&quot; &gt; d é");
        let m = SentenceMarks {
            colours: vec![Colour::Blue, Colour::Pink],
            tags: vec!["<script>\"x\"".into()],
            note: true,
            parts: vec![],
            conflict: false,
        };
        let mut out = String::new();
        sentence_html(&mut out, 7, "1 < 2.", &m, true);
        assert_eq!(
            out,
            "<span class=\"s\" data-sentence-id=\"7\" tabindex=\"0\" data-highlight=\"blue\" data-overlap=\"pink\" \
             data-tags=\"&lt;script&gt;&quot;x&quot;\" aria-description=\"highlighted blue; tags: &lt;script&gt;&quot;x&quot;; has a note\">1 &lt; 2.</span>\
             <span class=\"note-mark\" data-testid=\"note-marker\" data-note-for=\"7\" role=\"img\" aria-label=\"Has a note\"></span>"
        );
    }

    #[test]
    fn highlighted_parts_become_marks_with_the_colour_underneath() {
        let m = SentenceMarks {
            parts: vec![Part {
                start: 2,
                end: 5,
                colours: vec![Colour::Orange, Colour::Green],
            }],
            ..Default::default()
        };
        let mut out = String::new();
        sentence_content(&mut out, "é <b> end", &m);
        assert_eq!(
            out,
            "é <mark data-highlight=\"orange\" data-overlap=\"green\">&lt;b&gt;</mark> end"
        );
    }

    #[test]
    fn the_body_has_every_block_list_items_grouped_and_the_title_block_apart() {
        let a = Article::build(
            parse_markdown(
                "# Title here\n\nOne. Two.\n\n- Item a.\n- Item b.\n\n## Next\n\nLast one.",
            ),
            NewArticle::default(),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        assert!(title_is_first_block(&a));
        let marks = vec![SentenceMarks::default(); a.sentence_count()];
        let body = body_html(&a, &marks, 1);
        assert_eq!(
            body,
            "<p data-paragraph=\"1\"><span class=\"s\" data-sentence-id=\"1\" tabindex=\"0\">One.</span> \
             <span class=\"s\" data-sentence-id=\"2\" tabindex=\"-1\">Two.</span></p>\
             <ul><li data-paragraph=\"2\"><span class=\"s\" data-sentence-id=\"3\" tabindex=\"-1\">Item a.</span></li>\
             <li data-paragraph=\"3\"><span class=\"s\" data-sentence-id=\"4\" tabindex=\"-1\">Item b.</span></li></ul>\
             <h3 data-paragraph=\"4\"><span class=\"s\" data-sentence-id=\"5\" tabindex=\"-1\">Next</span></h3>\
             <p data-paragraph=\"5\"><span class=\"s\" data-sentence-id=\"6\" tabindex=\"-1\">Last one.</span></p>"
        );
        assert_eq!(
            title_html(&a, &marks, 1),
            "<span class=\"s\" data-sentence-id=\"0\" tabindex=\"-1\">Title here</span>"
        );
    }
}
