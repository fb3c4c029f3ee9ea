//! Case-insensitive comparison without Unicode's full case tables.
//!
//! `str::to_lowercase` links about 10 KB of tables into the wasm bundle.
//! Tags and filter text only need "the same word in another case" to
//! match, so [`fold`] lowercases by arithmetic the scripts news prose is
//! mostly written in: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
//! Other characters compare as they are.

/// The lowercase form of one character, for the scripts listed above.
pub fn fold_char(c: char) -> char {
    let u = c as u32;
    let l = match u {
        0x41..=0x5A => u + 0x20,
        // Latin-1 capitals, except the multiplication sign.
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        // Dotted capital I: its full lowercase is two characters.
        0x130 => 0x69,
        // Latin Extended-A: capitals at even code points…
        0x100..=0x137 | 0x14A..=0x177 if u.is_multiple_of(2) => u + 1,
        // …then at odd ones.
        0x139..=0x148 | 0x179..=0x17E if u % 2 == 1 => u + 1,
        0x178 => 0xFF,
        // Greek capitals (0x3A2 is unassigned).
        0x391..=0x3A9 if u != 0x3A2 => u + 0x20,
        0x386 => 0x3AC,
        0x388..=0x38A => u + 0x25,
        0x38C => 0x3CC,
        0x38E | 0x38F => u + 0x3F,
        // Cyrillic.
        0x400..=0x40F => u + 0x50,
        0x410..=0x42F => u + 0x20,
        _ => u,
    };
    char::from_u32(l).unwrap_or(c)
}

/// `s` folded to lowercase (see the module docs).
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// Base letters of U+00E0..=U+00FF (after [`fold_char`]); `*` marks a
/// character that is its own base (÷, þ). ASCII, so indexed by byte.
const LATIN1_BASE: &[u8; 32] = b"aaaaaaaceeeeiiiidnooooo*ouuuuy*y";
/// Base letters of U+0100..=U+017F (Latin Extended-A), all ASCII, so
/// indexed by byte.
const EXTENDED_A_BASE: &str = concat!(
    "aaaaaa",
    "cccccccc",
    "dddd",
    "eeeeeeeeee",
    "gggggggg",
    "hhhh",
    "iiiiiiiiii",
    "ii",
    "jj",
    "kkk",
    "llllllllll",
    "nnnnnn",
    "n",
    "nn",
    "oooooo",
    "oo",
    "rrrrrr",
    "ssssssss",
    "tttttt",
    "uuuuuuuuuuuu",
    "ww",
    "yyy",
    "zzzzzz",
    "s"
);

/// `c` folded ([`fold_char`]) and, for the Latin letters with diacritics
/// of Latin-1 and Latin Extended-A, its base letter: `É` → `e`, `ł` → `l`.
pub fn base_char(c: char) -> char {
    let c = fold_char(c);
    let u = c as u32;
    let table = match u {
        0xE0..=0xFF => Some(LATIN1_BASE[(u - 0xE0) as usize])
            .filter(|b| *b != b'*')
            .map(char::from),
        0x100..=0x17F => EXTENDED_A_BASE
            .as_bytes()
            .get((u - 0x100) as usize)
            .map(|b| char::from(*b)),
        _ => None,
    };
    table.unwrap_or(c)
}

/// `s` folded to lowercase without diacritics (see [`base_char`]), for
/// matching and sorting that ignore case and accents. One char per char.
pub fn fold_accents(s: &str) -> String {
    s.chars().map(base_char).collect()
}

/// Whether two strings are equal ignoring case.
pub fn eq_folded(a: &str, b: &str) -> bool {
    a.chars().map(fold_char).eq(b.chars().map(fold_char))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_matches_std_lowercase_on_the_scripts_it_covers() {
        let ranges = [0x20u32..0x7F, 0xC0..0x180, 0x386..0x3AA, 0x400..0x430];
        for r in ranges {
            for u in r {
                let Some(c) = char::from_u32(u) else { continue };
                let std: String = c.to_lowercase().collect();
                if std.chars().count() == 1 {
                    assert_eq!(fold_char(c).to_string(), std, "U+{u:04X}");
                }
            }
        }
    }

    #[test]
    fn accents_fold_to_their_base_letters_one_char_for_one() {
        assert_eq!(EXTENDED_A_BASE.len(), 128);
        assert!(EXTENDED_A_BASE.is_ascii());
        assert_eq!(
            fold_accents("Le CAFÉ à Montréal, Łódź, Øre"),
            "le cafe a montreal, lodz, ore"
        );
        assert_eq!(fold_accents("Straße 東京 ÷"), "straße 東京 ÷");
        for u in 0xC0..0x180u32 {
            let c = char::from_u32(u).unwrap();
            assert_eq!(fold_accents(&c.to_string()).chars().count(), 1);
        }
    }

    #[test]
    fn fold_leaves_other_scripts_alone() {
        assert_eq!(fold("東京 ÉCOLE Ωmega ДОМ"), "東京 école ωmega дом");
        assert!(eq_folded("Économie", "économie"));
        assert!(!eq_folded("economy", "économie"));
    }
}
