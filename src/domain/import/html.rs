//! An HTML tree (from the browser's inert `DOMParser`) into blocks: only
//! the text structure survives.

use super::*;

/// A minimal HTML tree handed in by the browser edge: element names
/// (lowercase) and text. Attributes are never passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HtmlNode {
    /// An element and its children.
    Element {
        /// The tag name, lowercase.
        tag: String,
        /// The child nodes.
        children: Vec<HtmlNode>,
    },
    /// A text node.
    Text(String),
}

impl HtmlNode {
    fn tag(&self) -> Option<&str> {
        match self {
            Self::Element { tag, .. } => Some(tag),
            Self::Text(_) => None,
        }
    }

    fn children(&self) -> &[HtmlNode] {
        match self {
            Self::Element { children, .. } => children,
            Self::Text(_) => &[],
        }
    }

    fn find(&self, tag: &str) -> Option<&HtmlNode> {
        if self.tag() == Some(tag) {
            return Some(self);
        }
        self.children().iter().find_map(|c| c.find(tag))
    }

    fn text(&self, out: &mut String) {
        match self {
            Self::Text(t) => out.push_str(t),
            Self::Element { tag, children } if !dropped(tag) => {
                for c in children {
                    c.text(out);
                }
            }
            Self::Element { .. } => {}
        }
    }
}

/// Elements dropped with all their content.
fn dropped(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "picture"
            | "form"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "nav"
            | "dialog"
            | "link"
            | "meta"
            | "title"
            | "base"
            | "source"
            | "track"
            | "map"
            | "area"
            | "datalist"
            | "option"
    )
}

/// Elements whose content is inline text.
fn inline_tag(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "i"
            | "kbd"
            | "label"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "del"
            | "ins"
            | "font"
            | "big"
            | "tt"
            | "strike"
            | "nobr"
            | "wbr"
            | "br"
            | "img"
            | "ruby"
            | "rt"
            | "rp"
            | "output"
            | "meter"
            | "progress"
    )
}

/// Collapses HTML white space (space, tab, newline, CR, form feed) to one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

struct HtmlWalk {
    parsed: Parsed,
    inline: String,
}

impl HtmlWalk {
    fn flush(&mut self, kind: BlockKind) {
        let text = collapse(&std::mem::take(&mut self.inline));
        self.parsed.push(kind, &text);
    }

    fn inline_text(&mut self, node: &HtmlNode) {
        match node {
            HtmlNode::Text(t) => self.inline.push_str(t),
            HtmlNode::Element { tag, .. } if tag == "br" => self.inline.push(' '),
            HtmlNode::Element { tag, children } if !dropped(tag) => {
                for c in children {
                    self.inline_text(c);
                }
                if tag == "td" || tag == "th" {
                    self.inline.push_str(" · ");
                }
            }
            HtmlNode::Element { .. } => {}
        }
    }

    /// Walks a container: runs of inline content become blocks of `kind`.
    fn container(&mut self, node: &HtmlNode, kind: BlockKind) {
        for child in node.children() {
            match child {
                HtmlNode::Text(_) => self.inline_text(child),
                HtmlNode::Element { tag, .. } if inline_tag(tag) => self.inline_text(child),
                HtmlNode::Element { tag, .. } if dropped(tag) => {}
                HtmlNode::Element { tag, .. } => {
                    self.flush(kind);
                    self.block(tag, child, kind);
                }
            }
        }
        self.flush(kind);
    }

    fn block(&mut self, tag: &str, node: &HtmlNode, around: BlockKind) {
        let quoted = around == BlockKind::Quote;
        match tag {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = tag.as_bytes()[1] - b'0';
                self.container(
                    node,
                    if quoted {
                        BlockKind::Quote
                    } else {
                        BlockKind::Heading(level)
                    },
                );
            }
            "p" | "figcaption" | "caption" | "dt" | "dd" | "summary" | "address" => self.container(
                node,
                if quoted {
                    BlockKind::Quote
                } else {
                    BlockKind::Paragraph
                },
            ),
            "li" => self.container(
                node,
                if quoted {
                    BlockKind::Quote
                } else {
                    BlockKind::ListItem
                },
            ),
            "blockquote" => self.container(node, BlockKind::Quote),
            "pre" => {
                let mut text = String::new();
                node.text(&mut text);
                self.parsed.push(BlockKind::Code, &text);
            }
            "tr" => {
                let cells: Vec<String> = node
                    .children()
                    .iter()
                    .map(|c| {
                        let mut t = String::new();
                        c.text(&mut t);
                        collapse(&t).trim().to_owned()
                    })
                    .filter(|t| !t.is_empty())
                    .collect();
                self.parsed.push(
                    if quoted {
                        BlockKind::Quote
                    } else {
                        BlockKind::Paragraph
                    },
                    &cells.join(" · "),
                );
            }
            "hr" => {}
            _ => self.container(node, around),
        }
    }
}

/// Parses the tree of an HTML document (see the module docs).
pub fn parse_html(root: &HtmlNode) -> Parsed {
    let title = root
        .find("head")
        .and_then(|h| h.find("title"))
        .or_else(|| root.find("title"))
        .map(|t| {
            let mut s = String::new();
            for c in t.children() {
                if let HtmlNode::Text(x) = c {
                    s.push_str(x);
                }
            }
            collapse(&s).trim().to_owned()
        })
        .filter(|t| !t.is_empty());
    let body = root
        .find("article")
        .or_else(|| root.find("main"))
        .or_else(|| root.find("body"))
        .unwrap_or(root);
    let mut walk = HtmlWalk {
        parsed: Parsed::default(),
        inline: String::new(),
    };
    walk.container(body, BlockKind::Paragraph);
    let mut parsed = walk.parsed;
    let heading = parsed
        .blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Heading(_)))
        .map(|b| shorten(&b.text));
    parsed.title = title
        .map(|t| shorten(&t))
        .or(heading)
        .or_else(|| parsed.first_line_title());
    parsed
}
