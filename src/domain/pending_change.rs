//! Pending changes: with two-step verification on, a change made through recovery with the
//! recovery code alone takes effect only after 30 days. The holder can cancel it by signing in
//! the normal way; it is applied when due.

use chrono::{DateTime, Duration, Utc};

/// How long recovery proofs stay valid while the holder sets a new password.
pub const PROOF_VALID_MINUTES: i64 = 10;

/// Days a recovery-made change waits when two-step verification is on.
pub const WAIT_DAYS: i64 = 30;

/// What kind of change is waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new password set through recovery.
    PasswordReset,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::PasswordReset => "password_reset",
        }
    }
}

/// When a change requested at `requested` takes effect.
pub fn effective_at(requested: DateTime<Utc>) -> DateTime<Utc> {
    requested + Duration::days(WAIT_DAYS)
}

/// Whether a change that takes effect at `effective` is due at `now`.
pub fn is_due(effective: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= effective
}

/// Whether recovery must make its change pending rather than apply it now: with 2SV on, a
/// password reset needs two different proofs to apply at once.
pub fn must_wait(two_step_on: bool, proofs: usize) -> bool {
    two_step_on && proofs < 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn thirty_days_exactly() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap();
        let e = effective_at(t);
        assert_eq!(e, Utc.with_ymd_and_hms(2026, 12, 25, 9, 30, 0).unwrap());
        assert!(!is_due(e, t));
        assert!(!is_due(e, e - Duration::seconds(1)));
        assert!(is_due(e, e));
    }

    #[test]
    fn waiting_rule() {
        assert!(!must_wait(false, 1));
        assert!(must_wait(true, 1));
        assert!(!must_wait(true, 2));
    }
}
