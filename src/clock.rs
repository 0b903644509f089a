//! The clock seam: every "now" in the product comes from a `Clock`.
//!
//! Production uses [`SystemClock`]. Tests implement `Clock` themselves (a fixed or stepped
//! clock); the binary has no way to select anything but the system clock.

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A source of the current time, in UTC (stored as UTC, shown in local time).
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock shared between the UI thread and the worker.
pub type SharedClock = Arc<dyn Clock>;

/// The system clock, shared.
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}
