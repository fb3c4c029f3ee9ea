//! Reading an uploaded export file: its size, its encoding, and which of
//! the two formats it is, Marginalia JSON ([`crate::domain::exchange`]) or W3C
//! Web Annotation ([`crate::domain::exchange::w3c`]). It sits above both readers, so neither
//! depends on the other.

use crate::domain::exchange::json_path::{At, Bad};
use crate::domain::exchange::w3c;
use crate::domain::exchange::{MAX_IMPORT_BYTES, ReadFile, read_marginalia};
use crate::domain::import::{self, ImportError};
use serde_json::Value;

/// Reads an uploaded file: size, encoding, JSON, format, every field.
pub fn read_file(bytes: &[u8]) -> Result<ReadFile, Bad> {
    let (text, notes) = decode(bytes)?;
    let mut file = read_text(&text)?;
    file.notes.splice(0..0, notes);
    Ok(file)
}

/// Refuses files over [`MAX_IMPORT_BYTES`] before they are read.
pub fn check_import_size(bytes: u64) -> Result<(), Bad> {
    if bytes > MAX_IMPORT_BYTES {
        // Tenths of a megabyte in integers: float formatting costs wasm size.
        let tenths = bytes.saturating_mul(10) / (1024 * 1024);
        return Err(Bad::file(format!(
            "The file is {}.{} MB, over the 25 MB limit for an import. \
             It cannot be a Marginalia export.",
            tenths / 10,
            tenths % 10
        )));
    }
    Ok(())
}

/// The file's bytes as text, with notes on a byte order mark or UTF-16.
pub fn decode(bytes: &[u8]) -> Result<(String, Vec<String>), Bad> {
    check_import_size(bytes.len() as u64)?;
    let mut notes = Vec::new();
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        notes.push("The file starts with a UTF-8 byte order mark; it was ignored.".to_owned());
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        notes.push("The file is UTF-16 text; it was read as such.".to_owned());
    }
    let text = import::decode_bytes(bytes).map_err(|e| match e {
        ImportError::Binary => Bad::file(
            "This is a binary file, not JSON text (it has NUL bytes or control \
             characters; UTF-16 text needs a byte order mark). Choose a .json \
             file exported by Marginalia.",
        ),
        ImportError::Undecodable { byte_offset } => Bad::file(format!(
            "The file is not valid UTF-8 text (first bad byte at offset {byte_offset})."
        )),
        other => Bad::file(other.to_string()),
    })?;
    Ok((text, notes))
}

/// Reads an export from its text (either format).
pub fn read_text(text: &str) -> Result<ReadFile, Bad> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(Bad::file("The file is empty: there is nothing to import."));
    }
    if trimmed.starts_with('<') {
        return Err(Bad::file(
            "This is HTML or XML, not JSON. To add an article, choose a .html \
             file; to import annotations, choose a .json file exported by Marginalia.",
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(json_error)?;
    let root = At::root(&value);
    if !value.is_object() {
        return Err(root.expected("an object (a Marginalia or W3C export)"));
    }
    if root.has("@context") || value.get("type").is_some() {
        return w3c::read(root);
    }
    read_marginalia(root)
}

fn json_error(e: serde_json::Error) -> Bad {
    use serde_json::error::Category;
    let place = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Eof => Bad::file(format!(
            "The JSON ends too early ({place}): the file is cut short or incomplete."
        )),
        _ => {
            // serde_json's message ends with its own " at line L column C".
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            Bad::file(format!("The file is not valid JSON: {msg} ({place})."))
        }
    }
}
