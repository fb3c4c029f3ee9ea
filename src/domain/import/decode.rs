//! Decoding a file's bytes to text: UTF-8 (a BOM dropped) or UTF-16 with
//! a BOM; binary and undecodable input are refused with where and why.

use super::ImportError;

/// Decodes a file's bytes to text (see the module docs).
pub fn decode_bytes(bytes: &[u8]) -> Result<String, ImportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    let (bytes, base) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3),
        None => (bytes, 0),
    };
    if bytes.contains(&0) {
        return Err(ImportError::Binary);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if controls * 10 > head.len() {
        return Err(ImportError::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(ImportError::Undecodable {
            byte_offset: base + e.valid_up_to(),
        }),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ImportError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ImportError::Undecodable {
            byte_offset: bytes.len() + 1,
        });
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    // Code units read so far: a character beyond the BMP takes two.
    let mut units_before = 0;
    for c in char::decode_utf16(units) {
        match c {
            Ok('\0') => return Err(ImportError::Binary),
            Ok(c) => {
                out.push(c);
                units_before += c.len_utf16();
            }
            Err(_) => {
                return Err(ImportError::Undecodable {
                    byte_offset: 2 + units_before * 2,
                });
            }
        }
    }
    Ok(out)
}
