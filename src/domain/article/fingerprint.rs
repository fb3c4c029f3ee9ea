//! Content fingerprints: an article's id is the SHA-256 of its reading text.
//!
//! The fingerprint covers the block texts only, joined with a blank line, so
//! the same article pasted, or saved as `.txt` or `.md` with the same words,
//! has the same id, and anyone can recompute it from an export.

use sha2::{Digest, Sha256};

/// Length of a fingerprint in hex digits.
pub const FINGERPRINT_LEN: usize = 64;

/// The lowercase hex SHA-256 of the texts joined by `"\n\n"`.
pub fn fingerprint<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    for (i, text) in texts.into_iter().enumerate() {
        if i > 0 {
            hasher.update(b"\n\n");
        }
        hasher.update(text.as_bytes());
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(FINGERPRINT_LEN);
    for byte in digest {
        out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// Whether `s` has the shape of a fingerprint (64 lowercase hex digits).
pub fn is_fingerprint(s: &str) -> bool {
    s.len() == FINGERPRINT_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_sha256_of_blocks_joined_by_blank_line() {
        // Expected values from `printf 'a\n\nb' | sha256sum` and `printf Hello | sha256sum`.
        assert_eq!(
            fingerprint(["a", "b"]),
            "38022fd2b8dbc5cb3d2cee74e083edbf59e3d4e13d067ebcb5db633d4cff4d8c"
        );
        assert_eq!(
            fingerprint(["Hello"]),
            "185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969"
        );
    }

    #[test]
    fn fingerprint_differs_when_paragraph_split_differs() {
        assert_ne!(fingerprint(["a b"]), fingerprint(["a", "b"]));
    }

    #[test]
    fn fingerprint_has_the_documented_shape() {
        let f = fingerprint(["Hello"]);
        assert!(is_fingerprint(&f), "{f}");
        assert!(!is_fingerprint("ABC"));
        assert!(!is_fingerprint(&f.to_uppercase()));
    }
}
