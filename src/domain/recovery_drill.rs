//! The recovery drill's reminder (SPEC §10): a holder who has never checked their saved
//! recovery code, or not for 180 days, is nudged to check it, so a mistyped or superseded
//! paper copy is found before they are locked out, not after.

use crate::domain::model::RecoveryStatus;
use chrono::{DateTime, Duration, Utc};

/// How long a check counts before the holder is nudged again.
pub const NUDGE_AFTER_DAYS: i64 = 180;

/// Why the holder should check their saved code now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nudge {
    /// The active code was never checked.
    NeverChecked,
    /// The active code was last checked then, 180 days ago or more.
    CheckedLongAgo(DateTime<Utc>),
}

/// The nudge for `status` at `now`; none without an active code (there is nothing to check).
pub fn nudge(status: &RecoveryStatus, now: DateTime<Utc>) -> Option<Nudge> {
    status.active_since?;
    match status.last_checked {
        None => Some(Nudge::NeverChecked),
        Some(t) if now - t >= Duration::days(NUDGE_AFTER_DAYS) => Some(Nudge::CheckedLongAgo(t)),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap()
    }

    fn status(code: bool, checked_days_ago: Option<i64>) -> RecoveryStatus {
        RecoveryStatus {
            active_since: code.then(|| now() - Duration::days(400)),
            last_used: None,
            last_checked: checked_days_ago.map(|d| now() - Duration::days(d)),
            password_from_recovery: false,
        }
    }

    #[test]
    fn a_code_never_checked_is_nudged() {
        assert_eq!(nudge(&status(true, None), now()), Some(Nudge::NeverChecked));
    }

    #[test]
    fn a_check_counts_for_180_days_to_the_second() {
        assert_eq!(nudge(&status(true, Some(0)), now()), None);
        let almost = RecoveryStatus {
            last_checked: Some(now() - Duration::days(180) + Duration::seconds(1)),
            ..status(true, None)
        };
        assert_eq!(nudge(&almost, now()), None);
        let due = now() - Duration::days(180);
        assert_eq!(
            nudge(&status(true, Some(180)), now()),
            Some(Nudge::CheckedLongAgo(due))
        );
    }

    #[test]
    fn without_a_code_there_is_nothing_to_check() {
        assert_eq!(nudge(&status(false, None), now()), None);
        assert_eq!(nudge(&status(false, Some(500)), now()), None);
    }
}
