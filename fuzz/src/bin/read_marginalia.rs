//! Reading a Marginalia JSON export from raw bytes (`exchange::read_file`).
//! An accepted file, written back, must be accepted again, unchanged.
use marginalia_fuzz::domain::read_file;
use marginalia_fuzz::glue::check_roundtrips;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(file) = read_file(data) {
            check_roundtrips(&file);
        }
    });
}
