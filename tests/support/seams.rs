//! Test seams: a clock the test moves by hand and a seeded generator. The binary cannot
//! select either; tests hand them to the library through the same traits production uses.

use chrono::{DateTime, Duration, TimeZone, Utc};
use recovery_desk::clock::Clock;
use std::sync::{Arc, Mutex};

/// The fixed instant tests start at.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap()
}

/// A clock that stands still until the test advances it.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn new(t: DateTime<Utc>) -> Self {
        TestClock(Arc::new(Mutex::new(t)))
    }
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A seeded generator (the library's, behind the `testing` feature).
pub use recovery_desk::secret::testing::Seeded;
