//! Reading a W3C Web Annotation (JSON-LD) export through
//! `exchange::read_text`. An accepted file, written back, must be accepted
//! again, unchanged.
use marginalia_fuzz::domain::read_text;
use marginalia_fuzz::glue::{check_roundtrips, text_of};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(file) = read_text(&text_of(data)) {
            check_roundtrips(&file);
        }
    });
}
