use super::article::{BlockKind, RawBlock};
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
pub enum SourceFormat {
    Text,
    Markdown,
    Html,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    Empty,
    TooLarge { bytes: u64 },
    Binary,
    Undecodable { byte_offset: usize },
    Unsupported { extension: String },
}
impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
impl std::error::Error for ImportError {}
pub fn format_for_name(_n: &str) -> Result<SourceFormat, ImportError> {
    Ok(SourceFormat::Text)
}
pub fn check_size(_b: u64) -> Result<(), ImportError> {
    Ok(())
}
pub fn decode_bytes(b: &[u8]) -> Result<String, ImportError> {
    String::from_utf8(b.to_vec()).map_err(|_| ImportError::Binary)
}
pub struct Parsed {
    pub title: Option<String>,
    pub blocks: Vec<RawBlock>,
}
pub fn parse_text(t: &str) -> Parsed {
    Parsed {
        title: t.lines().next().map(str::to_owned),
        blocks: t
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| RawBlock::new(BlockKind::Paragraph, l.trim()))
            .collect(),
    }
}
pub fn parse_markdown(t: &str) -> Parsed {
    parse_text(t)
}
pub enum HtmlNode {
    Element {
        tag: String,
        children: Vec<HtmlNode>,
    },
    Text(String),
}
pub fn parse_html(_r: &HtmlNode) -> Parsed {
    Parsed {
        title: None,
        blocks: vec![],
    }
}
pub fn title_from_file_name(n: &str) -> String {
    n.to_owned()
}
pub fn word_count(t: &str) -> usize {
    t.split_whitespace().count()
}
