//! Reading article files chosen or dropped by the user, and handing HTML to
//! the domain through the browser's `DOMParser`.
//!
//! `DOMParser` builds an inert document: its scripts never run and its
//! resources are never fetched. Only element names and text nodes leave it
//! (as [`HtmlNode`]); attributes never do, and the reader renders text
//! nodes only, so no markup, handler or link from a file reaches the page.

use crate::domain::article::{Article, NewArticle};
use crate::domain::import::{self, HtmlNode, ImportError, SourceFormat};
use chrono::{DateTime, Utc};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Deepest element nesting passed on; deeper content is flattened into text.
const MAX_DEPTH: usize = 200;

/// Why a file could not become an article.
#[derive(Debug)]
pub enum FileError {
    /// The content was refused (wrong type, too large, binary, empty…).
    Import(ImportError),
    /// The browser could not read the file.
    Read(String),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Import(e) => e.fmt(f),
            Self::Read(why) => write!(f, "The file could not be read ({why})."),
        }
    }
}

/// Reads one file into an article. Nothing is stored here.
pub async fn read_article(
    file: &web_sys::File,
    added: DateTime<Utc>,
) -> Result<Article, FileError> {
    let name = file.name();
    let format = import::format_for_name(&name).map_err(FileError::Import)?;
    import::check_size(file.size() as u64).map_err(FileError::Import)?;
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| FileError::Read(e.as_string().unwrap_or_else(|| "read failed".into())))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let text = import::decode_bytes(&bytes).map_err(FileError::Import)?;
    let parsed = match format {
        SourceFormat::Text => import::parse_text(&text),
        SourceFormat::Markdown => import::parse_markdown(&text),
        SourceFormat::Html => import::parse_html(&html_tree(&text).map_err(FileError::Read)?),
    };
    Article::build(
        parsed,
        NewArticle {
            title: None,
            source_name: Some(&name),
        },
        added,
    )
    .map_err(FileError::Import)
}

/// Parses HTML with `DOMParser` into the domain's tree.
pub fn html_tree(html: &str) -> Result<HtmlNode, String> {
    let parser =
        web_sys::DomParser::new().map_err(|_| "the browser has no DOMParser".to_owned())?;
    let doc = parser
        .parse_from_string(html, web_sys::SupportedType::TextHtml)
        .map_err(|_| "the HTML could not be parsed".to_owned())?;
    let root = doc
        .document_element()
        .ok_or_else(|| "the HTML has no document element".to_owned())?;
    Ok(convert(&root, 0))
}

fn convert(node: &web_sys::Node, depth: usize) -> HtmlNode {
    match node.dyn_ref::<web_sys::Element>() {
        Some(el) if depth < MAX_DEPTH => {
            let children = node.child_nodes();
            let mut out = Vec::with_capacity(children.length() as usize);
            for i in 0..children.length() {
                let Some(child) = children.item(i) else {
                    continue;
                };
                match child.node_type() {
                    web_sys::Node::ELEMENT_NODE => out.push(convert(&child, depth + 1)),
                    web_sys::Node::TEXT_NODE | web_sys::Node::CDATA_SECTION_NODE => {
                        out.push(HtmlNode::Text(child.node_value().unwrap_or_default()))
                    }
                    _ => {}
                }
            }
            HtmlNode::Element {
                tag: el.local_name().to_ascii_lowercase(),
                children: out,
            }
        }
        // Too deep: keep the text, drop the structure.
        _ => HtmlNode::Text(node.text_content().unwrap_or_default()),
    }
}
