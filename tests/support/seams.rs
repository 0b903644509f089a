//! Test seams: a clock the test moves by hand and a seeded generator. The binary cannot
//! select either; tests hand them to the library through the same traits production uses.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use recovery_desk::clock::Clock;
use recovery_desk::secret::{Entropy, SecretError};
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

/// A seeded generator.
pub struct Seeded(StdRng);

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Seeded(StdRng::seed_from_u64(seed))
    }
}

impl Entropy for Seeded {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError> {
        self.0.fill_bytes(buf);
        Ok(())
    }
}
