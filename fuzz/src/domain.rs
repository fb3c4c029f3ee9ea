//! Every path into `marginalia::domain` used by the fuzz targets, in one
//! place. The targets and [`crate::glue`] import from here only, so a move
//! of the main crate's domain modules needs this file fixed and nothing
//! else.

pub use marginalia::domain::annotate::anchor::{Anchorer, Anchoring, How};
pub use marginalia::domain::annotate::annotation::{
    Annotation, Colour, Target, TargetKind, uuid_v4,
};
pub use marginalia::domain::annotate::set::TagColours;
pub use marginalia::domain::annotate::textmap::TextMap;
pub use marginalia::domain::article::segment::sentence_spans;
pub use marginalia::domain::article::{Article, Block, BlockKind, NewArticle, RawBlock};
pub use marginalia::domain::exchange::file::{read_file, read_text};
pub use marginalia::domain::exchange::w3c::write as write_w3c;
pub use marginalia::domain::exchange::{Bundle, Entry, ExportInfo, Format, ReadFile, write_json};
pub use marginalia::domain::import::{
    HtmlNode, ImportError, Parsed, decode_bytes, parse_html, parse_markdown, parse_text,
};
