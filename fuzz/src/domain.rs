//! Every path into `marginalia::domain` used by the fuzz targets, in one
//! place. The targets and [`crate::glue`] import from here only, so a move
//! of the main crate's domain modules (for example into sub-folders) needs
//! this file fixed and nothing else.

pub use marginalia::domain::anchor::{Anchorer, Anchoring, How};
pub use marginalia::domain::annotation::{Annotation, Colour, Target, TargetKind, uuid_v4};
pub use marginalia::domain::annotations::TagColours;
pub use marginalia::domain::article::{Article, Block, BlockKind, NewArticle, RawBlock};
pub use marginalia::domain::exchange::{
    Bundle, Entry, ExportInfo, Format, ReadFile, read_file, read_text, sort_for_export, write_json,
};
pub use marginalia::domain::import::{
    HtmlNode, ImportError, Parsed, decode_bytes, parse_html, parse_markdown, parse_text,
};
pub use marginalia::domain::segment::sentence_spans;
pub use marginalia::domain::textmap::TextMap;
pub use marginalia::domain::w3c::write as write_w3c;
