//! Sign-in methods (email, phone): an address counts only once verified, and an unverified
//! one lapses after 24 hours (SPEC §4).

use chrono::{DateTime, Duration, Utc};

/// How long an added address may wait for its verification.
pub const UNVERIFIED_HOURS: i64 = 24;

/// The moment an unverified address added at `added_at` lapses.
pub fn unverified_expires_at(added_at: DateTime<Utc>) -> DateTime<Utc> {
    added_at + Duration::hours(UNVERIFIED_HOURS)
}

/// Whether an unverified address added at `added_at` has lapsed at `now`.
pub fn unverified_expired(added_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= unverified_expires_at(added_at)
}

/// The oldest `added_at` of an unverified address still alive at `now`.
pub fn unverified_alive_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(UNVERIFIED_HOURS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lapses_after_24_hours() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap();
        assert!(!unverified_expired(
            t,
            t + Duration::hours(24) - Duration::seconds(1)
        ));
        assert!(unverified_expired(t, t + Duration::hours(24)));
        assert_eq!(unverified_alive_since(t + Duration::hours(24)), t);
    }
}
