//! TEMPORARY stub: replaced by the real re-anchoring module.
use super::annotation::Target;
use super::textmap::TextMap;

/// How an annotation was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How { Kept, Moved, Fuzzy }

/// The outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchoring {
    Anchored { target: Target, how: How, score: u16 },
    Orphaned { reason: String },
}

/// Finds targets in a new text.
pub struct Anchorer<'a> { map: &'a TextMap }

impl<'a> Anchorer<'a> {
    pub fn new(map: &'a TextMap) -> Self { Self { map } }
    pub fn find(&self, old: &Target) -> Anchoring {
        let p = old.position;
        if p.end <= self.map.char_len() && self.map.slice(p.start, p.end) == old.quote.exact {
            if let Some(t) = Target::span(self.map, p.start, p.end) {
                return Anchoring::Anchored { target: t, how: How::Kept, score: 1000 };
            }
        }
        Anchoring::Orphaned { reason: "not found".into() }
    }
}
