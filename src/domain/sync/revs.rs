//! Revisions as CouchDB's replication protocol writes them: `N-<sig>`, a
//! generation and a signature of 32 lowercase hex digits (the only form
//! every server gives back unchanged), their history (`_revisions`), and
//! which of several leaves wins, by the rule every replica applies.
//!
//! Marginalia makes a revision's signature from its parent and its content
//! (the first 128 bits of a SHA-256), so two devices making the same change
//! to the same revision make the same revision, and no conflict.

use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::fmt;

/// One revision: generation and signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rev {
    /// The generation, from 1.
    pub generation: u64,
    /// 32 lowercase hex digits.
    pub sig: String,
}

impl fmt::Display for Rev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.generation, self.sig)
    }
}

impl Ord for Rev {
    /// Higher generation first, then higher signature: the protocol's order
    /// of leaves (deletion aside, see [`winner`]).
    fn cmp(&self, other: &Self) -> Ordering {
        (self.generation, &self.sig).cmp(&(other.generation, &other.sig))
    }
}

impl PartialOrd for Rev {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Whether `s` is a signature this side writes and accepts.
fn is_sig(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Rev {
    /// Reads `N-<32 lowercase hex>`; anything else is `None` (a document
    /// with such a revision is refused, never guessed at).
    pub fn parse(s: &str) -> Option<Self> {
        let (n, sig) = s.split_once('-')?;
        if n.is_empty()
            || n.len() > 15
            || !n.bytes().all(|b| b.is_ascii_digit())
            || n.starts_with('0')
        {
            return None;
        }
        let generation: u64 = n.parse().ok()?;
        is_sig(sig).then(|| Self {
            generation,
            sig: sig.to_owned(),
        })
    }

    /// The revision after `parent` (the first when `None`) holding `body`
    /// (the document's canonical JSON, without `_id`, `_rev`, `_revisions`).
    pub fn next(parent: Option<&Rev>, body: &str) -> Self {
        let mut h = Sha256::new();
        if let Some(p) = parent {
            h.update(p.to_string().as_bytes());
        }
        h.update(b"\n");
        h.update(body.as_bytes());
        let digest = h.finalize();
        let sig: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            generation: parent.map_or(1, |p| p.generation + 1),
            sig,
        }
    }
}

/// A revision's history, newest first, as `_revisions` carries it:
/// `{"start": N, "ids": [sig N, sig N−1, …]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    /// The newest first; each one generation below the one before.
    pub revs: Vec<Rev>,
}

impl History {
    /// A history of `revs`, newest first; `None` unless they are
    /// consecutive generations.
    pub fn new(revs: Vec<Rev>) -> Option<Self> {
        let ok = !revs.is_empty()
            && revs
                .windows(2)
                .all(|w| w[1].generation + 1 == w[0].generation);
        ok.then_some(Self { revs })
    }

    /// The newest revision.
    pub fn head(&self) -> &Rev {
        &self.revs[0]
    }

    /// `_revisions` as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "start": self.head().generation,
            "ids": self.revs.iter().map(|r| r.sig.as_str()).collect::<Vec<_>>(),
        })
    }

    /// Reads `_revisions`; `None` for anything malformed (a wrong signature,
    /// a start below the number of ids).
    pub fn from_json(v: &serde_json::Value) -> Option<Self> {
        let start = v.get("start")?.as_u64()?;
        let ids = v.get("ids")?.as_array()?;
        if ids.is_empty() || (ids.len() as u64) > start {
            return None;
        }
        let revs = ids
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let sig = s.as_str()?;
                is_sig(sig).then(|| Rev {
                    generation: start - i as u64,
                    sig: sig.to_owned(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self { revs })
    }

    /// This history with `rev` on top (its parent must be the head).
    pub fn push(&self, rev: Rev) -> Option<Self> {
        (rev.generation == self.head().generation + 1).then(|| {
            let mut revs = Vec::with_capacity(self.revs.len() + 1);
            revs.push(rev);
            revs.extend(self.revs.iter().cloned());
            Self { revs }
        })
    }

    /// At most the newest `n` (servers keep a bounded history anyway).
    pub fn truncated(mut self, n: usize) -> Self {
        self.revs.truncate(n.max(1));
        self
    }
}

/// The winning leaf among `leaves` (revision, deleted), as every replica
/// picks it: a live leaf beats a deleted one, then the higher generation,
/// then the higher signature. `None` when there is no leaf.
pub fn winner(leaves: &[(Rev, bool)]) -> Option<usize> {
    (0..leaves.len()).max_by(|&a, &b| {
        let (ra, da) = &leaves[a];
        let (rb, db) = &leaves[b];
        (!da, ra).cmp(&(!db, rb))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(s: &str) -> Rev {
        Rev::parse(s).unwrap()
    }

    #[test]
    fn revisions_read_back_and_odd_ones_are_refused() {
        let r = rev("3-0123456789abcdef0123456789abcdef");
        assert_eq!(r.generation, 3);
        assert_eq!(r.to_string(), "3-0123456789abcdef0123456789abcdef");
        for bad in [
            "",
            "3",
            "-0123456789abcdef0123456789abcdef",
            "03-0123456789abcdef0123456789abcdef",
            "0-0123456789abcdef0123456789abcdef",
            "3-0123456789ABCDEF0123456789abcdef",
            "3-0123456789abcdef",
            "3-0123456789abcdef0123456789abcdeg",
            "x-0123456789abcdef0123456789abcdef",
            "3-0123456789abcdef0123456789abcdef0",
        ] {
            assert!(Rev::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_same_change_to_the_same_revision_is_the_same_revision() {
        let a = Rev::next(None, r#"{"note":"x"}"#);
        assert_eq!(a.generation, 1);
        assert!(is_sig(&a.sig));
        assert_eq!(a, Rev::next(None, r#"{"note":"x"}"#));
        let b = Rev::next(Some(&a), r#"{"note":"y"}"#);
        assert_eq!(b.generation, 2);
        assert_ne!(b, Rev::next(Some(&a), r#"{"note":"z"}"#));
        assert_ne!(
            b,
            Rev::next(Some(&Rev::next(None, "{}")), r#"{"note":"y"}"#)
        );
        assert_eq!(Rev::parse(&b.to_string()), Some(b));
    }

    #[test]
    fn a_history_round_trips_as_revisions_json() {
        let a = Rev::next(None, "1");
        let b = Rev::next(Some(&a), "2");
        let h = History::new(vec![a.clone()])
            .unwrap()
            .push(b.clone())
            .unwrap();
        let json = h.to_json();
        assert_eq!(json["start"], 2);
        assert_eq!(json["ids"][0], b.sig.as_str());
        assert_eq!(History::from_json(&json), Some(h.clone()));
        assert!(History::new(vec![b.clone(), b.clone()]).is_none());
        assert!(h.push(a).is_none(), "not the next generation");
        for bad in [
            serde_json::json!({"start": 1, "ids": []}),
            serde_json::json!({"start": 1, "ids": ["ab", "cd"]}),
            serde_json::json!({"start": 2, "ids": ["nothex"]}),
            serde_json::json!({"ids": [b.sig]}),
        ] {
            assert!(History::from_json(&bad).is_none(), "{bad}");
        }
        assert_eq!(h.truncated(1).revs.len(), 1);
    }

    #[test]
    fn the_winner_is_live_then_the_longest_then_the_highest() {
        let r1 = rev("2-00000000000000000000000000000001");
        let r2 = rev("2-00000000000000000000000000000002");
        let r3 = rev("3-00000000000000000000000000000000");
        assert_eq!(winner(&[(r1.clone(), false), (r2.clone(), false)]), Some(1));
        assert_eq!(winner(&[(r3.clone(), false), (r2.clone(), false)]), Some(0));
        assert_eq!(
            winner(&[(r3.clone(), true), (r1.clone(), false)]),
            Some(1),
            "live beats deleted"
        );
        assert_eq!(winner(&[(r3, true), (r2, true)]), Some(0));
        assert_eq!(winner(&[]), None);
    }
}
