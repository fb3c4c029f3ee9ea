//! When to remind the reader to make a backup: the rule, and what it
//! remembers. Everything lives in the browser, so a complete backup is the
//! only copy that survives a cleared profile.
//!
//! The reminder is due 14 days, or 200 new annotations, after the later of
//! the last complete backup and the last dismissal of the reminder. With
//! neither, it counts from the first article the reader added.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// How long after a backup (or a dismissal) the reminder comes back.
pub const REMIND_AFTER: TimeDelta = TimeDelta::days(14);
/// How many new annotations bring it back sooner.
pub const REMIND_AFTER_ANNOTATIONS: usize = 200;

/// What the library remembers about backups (stored as one small value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backups {
    /// The last export of any kind, from any page.
    #[serde(default, with = "crate::domain::time::rfc3339_opt")]
    pub last_export: Option<DateTime<Utc>>,
    /// The last complete backup (a JSON export of the library with texts).
    #[serde(default, with = "crate::domain::time::rfc3339_opt")]
    pub last_backup: Option<DateTime<Utc>>,
    /// When the reminder was last dismissed, and how many annotations the
    /// library held then, or at the last backup (whichever came later).
    #[serde(default, with = "crate::domain::time::rfc3339_opt")]
    pub since: Option<DateTime<Utc>>,
    /// Annotations in the library at `since`.
    #[serde(default)]
    pub annotations_then: usize,
}

impl Backups {
    /// Records an export at `now`; `complete` when it was a complete
    /// backup, with `annotations` in the library.
    pub fn exported(&mut self, now: DateTime<Utc>, complete: bool, annotations: usize) {
        self.last_export = Some(now);
        if complete {
            self.last_backup = Some(now);
            self.since = Some(now);
            self.annotations_then = annotations;
        }
    }

    /// Records that the reminder was dismissed at `now`.
    pub fn dismissed(&mut self, now: DateTime<Utc>, annotations: usize) {
        self.since = Some(now);
        self.annotations_then = annotations;
    }

    /// Whether to remind at `now`, with `annotations` in the library and
    /// `first_added` the time of the reader's first article (none: the
    /// library has only the welcome article, nothing to lose).
    pub fn due(
        &self,
        now: DateTime<Utc>,
        annotations: usize,
        first_added: Option<DateTime<Utc>>,
    ) -> bool {
        let Some(start) = self.since.or(first_added) else {
            return false;
        };
        now - start >= REMIND_AFTER
            || annotations.saturating_sub(self.annotations_then) >= REMIND_AFTER_ANNOTATIONS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::days(20_000 + n)
    }

    #[test]
    fn a_library_of_the_welcome_article_alone_is_never_reminded() {
        assert!(!Backups::default().due(day(100), 500, None));
    }

    #[test]
    fn without_a_backup_the_reminder_comes_14_days_after_the_first_article() {
        let b = Backups::default();
        assert!(!b.due(day(13), 10, Some(day(0))));
        assert!(b.due(day(14), 10, Some(day(0))));
        assert!(b.due(day(1), 200, Some(day(0))), "or after 200 annotations");
        assert!(!b.due(day(1), 199, Some(day(0))));
    }

    #[test]
    fn a_complete_backup_resets_it_and_another_export_does_not() {
        let mut b = Backups::default();
        b.exported(day(10), false, 50);
        assert!(
            b.due(day(14), 50, Some(day(0))),
            "a Markdown export is no backup"
        );
        assert_eq!(b.last_export, Some(day(10)));
        b.exported(day(14), true, 50);
        assert!(!b.due(day(27), 249, Some(day(0))));
        assert!(b.due(day(28), 50, Some(day(0))));
        assert!(b.due(day(15), 250, Some(day(0))));
    }

    #[test]
    fn dismissing_it_puts_it_off_by_the_same_rule() {
        let mut b = Backups::default();
        assert!(b.due(day(20), 0, Some(day(0))));
        b.dismissed(day(20), 30);
        assert!(!b.due(day(33), 229, Some(day(0))));
        assert!(b.due(day(34), 30, Some(day(0))));
        assert!(b.due(day(21), 230, Some(day(0))));
        assert_eq!(b.last_backup, None, "a dismissal is no backup");
    }

    #[test]
    fn the_stored_form_round_trips_and_an_empty_one_reads_as_default() {
        let mut b = Backups::default();
        b.exported(day(3), true, 7);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Backups>(&json).unwrap(), b);
        assert_eq!(
            serde_json::from_str::<Backups>("{}").unwrap(),
            Backups::default()
        );
    }
}
