//! The HTML edge in a real browser: `DOMParser` into the core's tree.
#![cfg(target_arch = "wasm32")]

use marginalia::domain::article::BlockKind;
use marginalia::domain::import::{HtmlNode, parse_html};
use marginalia::ui::files::html_tree;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn pwned() -> JsValue {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("__pwned")).unwrap()
}

fn tags(node: &HtmlNode, out: &mut Vec<String>) {
    if let HtmlNode::Element { tag, children } = node {
        out.push(tag.clone());
        for c in children {
            tags(c, out);
        }
    }
}

#[wasm_bindgen_test]
fn hostile_html_is_parsed_inertly_and_only_text_survives() {
    let html = r#"<html><head><title>T</title><script>window.__pwned = 1</script></head>
        <body onload="window.__pwned = 2"><p>Safe <img src="x" onerror="window.__pwned = 3">text.</p>
        <a href="javascript:window.__pwned = 4">link</a><svg onload="window.__pwned = 5"></svg></body></html>"#;
    let tree = html_tree(html).unwrap();
    let parsed = parse_html(&tree);
    assert!(pwned().is_undefined(), "a script ran: {:?}", pwned());
    let texts: Vec<(BlockKind, &str)> = parsed
        .blocks
        .iter()
        .map(|b| (b.kind, b.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (BlockKind::Paragraph, "Safe text."),
            (BlockKind::Paragraph, "link")
        ]
    );
    assert_eq!(parsed.title.as_deref(), Some("T"));
    // Element names and text only: the tree type has no room for attributes.
    let mut names = Vec::new();
    tags(&tree, &mut names);
    assert!(names.contains(&"img".to_owned()) && names.contains(&"script".to_owned()));
}

#[wasm_bindgen_test]
fn very_deep_nesting_keeps_its_text_without_overflowing() {
    let depth = 5000;
    let html = format!(
        "<html><body>{}Deep text.{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let tree = html_tree(&html).unwrap();
    let parsed = parse_html(&tree);
    assert_eq!(parsed.blocks.len(), 1);
    assert_eq!(parsed.blocks[0].text, "Deep text.");
}

#[wasm_bindgen_test]
fn entities_and_scripts_inside_text_stay_text() {
    let tree = html_tree("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>").unwrap();
    let parsed = parse_html(&tree);
    assert_eq!(parsed.blocks[0].text, "<script>alert(1)</script> & more");
    assert!(pwned().is_undefined());
}
