//! Guessing limits, the same rule for recovery codes, passwords, one-time codes and agents:
//! 5 consecutive wrong answers lock that kind of entry for 15 minutes, doubling with each
//! further lockout up to 24 hours. A success resets everything. The state is persisted by the
//! store, so a restart does not reset it; attempts while locked are refused before hashing.

use chrono::{DateTime, Duration, Utc};

/// Wrong answers in a row that trigger a lockout.
pub const MAX_FAILURES: u32 = 5;
/// First lockout length.
pub const FIRST_LOCK_MINUTES: i64 = 15;
/// Longest lockout.
pub const MAX_LOCK_HOURS: i64 = 24;
/// Consecutive wrong answers after which that kind of entry stays locked until the holder
/// gets in another way (NIST SP 800-63B rev. 4 §3.2.2).
pub const MAX_CONSECUTIVE: u32 = 100;

/// What a lockout counter guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guarded {
    Password,
    RecoveryCode,
    OneTimeCode,
}

impl Guarded {
    pub const ALL: [Guarded; 3] = [
        Guarded::Password,
        Guarded::RecoveryCode,
        Guarded::OneTimeCode,
    ];
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Guarded::Password => "password",
            Guarded::RecoveryCode => "recovery_code",
            Guarded::OneTimeCode => "one_time_code",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Guarded::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// The persisted counter for one account and one kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lockout {
    /// Wrong answers since the last success or lockout.
    pub failures: u32,
    /// Lockouts since the last success (drives the doubling).
    pub lock_count: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// Wrong answers since the last success, across lockouts (the 100-failure cap).
    pub streak: u32,
}

/// What happened to an attempt's counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Still allowed; this many tries left before a lockout.
    TriesLeft(u32),
    /// This failure started a lockout.
    LockedUntil(DateTime<Utc>),
    /// This failure was the 100th in a row: entry stays locked until the holder gets in
    /// another way.
    Blocked,
}

impl Lockout {
    /// `Some(end)` while entry is locked at `now`.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }

    /// Length of the lockout number `n` (0-based): 15 min × 2^n, at most 24 h.
    pub fn lock_length(n: u32) -> Duration {
        let max = Duration::hours(MAX_LOCK_HOURS);
        if n >= 10 {
            return max;
        }
        let len = Duration::minutes(FIRST_LOCK_MINUTES * (1i64 << n));
        len.min(max)
    }

    /// Whether the 100-consecutive-failure cap is reached.
    pub fn blocked(&self) -> bool {
        self.streak >= MAX_CONSECUTIVE
    }

    /// Records a wrong answer at `now` (only called when not locked).
    pub fn fail(&mut self, now: DateTime<Utc>) -> AfterFailure {
        self.streak = self.streak.saturating_add(1);
        if self.blocked() {
            self.failures = 0;
            self.locked_until = None;
            return AfterFailure::Blocked;
        }
        self.failures += 1;
        if self.failures >= MAX_FAILURES {
            let until = now + Self::lock_length(self.lock_count);
            self.failures = 0;
            self.lock_count = self.lock_count.saturating_add(1);
            self.locked_until = Some(until);
            AfterFailure::LockedUntil(until)
        } else {
            AfterFailure::TriesLeft(MAX_FAILURES - self.failures)
        }
    }

    /// A right answer clears everything.
    pub fn succeed(&mut self) {
        *self = Lockout::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let mut l = Lockout::default();
        for left in (1..=4).rev() {
            assert_eq!(l.fail(t0()), AfterFailure::TriesLeft(left));
            assert_eq!(l.locked_at(t0()), None);
        }
        let until = t0() + Duration::minutes(15);
        assert_eq!(l.fail(t0()), AfterFailure::LockedUntil(until));
        assert_eq!(l.locked_at(t0()), Some(until));
        assert_eq!(l.locked_at(until - Duration::seconds(1)), Some(until));
        assert_eq!(l.locked_at(until), None);
    }

    #[test]
    fn lockouts_double_up_to_a_day() {
        let lens: Vec<i64> = (0..12)
            .map(|n| Lockout::lock_length(n).num_minutes())
            .collect();
        assert_eq!(
            lens,
            vec![15, 30, 60, 120, 240, 480, 960, 1440, 1440, 1440, 1440, 1440]
        );
        let mut l = Lockout::default();
        let mut now = t0();
        let mut seen = vec![];
        for _ in 0..4 {
            for _ in 0..4 {
                l.fail(now);
            }
            match l.fail(now) {
                AfterFailure::LockedUntil(u) => {
                    seen.push((u - now).num_minutes());
                    now = u;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(seen, vec![15, 30, 60, 120]);
        assert_eq!(Lockout::lock_length(u32::MAX), Duration::hours(24));
    }

    #[test]
    fn success_resets_the_doubling() {
        let mut l = Lockout::default();
        for _ in 0..5 {
            l.fail(t0());
        }
        l.succeed();
        assert_eq!(l, Lockout::default());
        for _ in 0..4 {
            l.fail(t0());
        }
        assert_eq!(
            l.fail(t0()),
            AfterFailure::LockedUntil(t0() + Duration::minutes(15))
        );
    }

    #[test]
    fn the_hundredth_consecutive_failure_blocks_until_a_success() {
        let mut l = Lockout::default();
        let mut now = t0();
        let mut last = AfterFailure::TriesLeft(5);
        for _ in 0..MAX_CONSECUTIVE {
            if let Some(u) = l.locked_at(now) {
                now = u;
            }
            last = l.fail(now);
        }
        assert_eq!(last, AfterFailure::Blocked);
        assert!(l.blocked());
        assert_eq!(l.streak, 100);
        // 99 failures are not enough.
        let mut m = Lockout {
            streak: 98,
            ..Lockout::default()
        };
        assert_ne!(m.fail(now), AfterFailure::Blocked);
        assert!(!m.blocked());
        l.succeed();
        assert!(!l.blocked());
    }

    #[test]
    fn names_round_trip() {
        for g in Guarded::ALL {
            assert_eq!(Guarded::parse(g.as_str()), Some(g));
        }
    }
}
