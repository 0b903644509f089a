//! The clock seam: every "now" in the product comes from a `Clock`.
//!
//! Production uses [`SystemClock`]. Tests implement `Clock` themselves (a fixed or stepped
//! clock); a release binary has no way to select anything but the system clock. A debug build
//! (what `cargo test` runs end to end) also honours `RECOVERY_DESK_DEBUG_CLOCK_FILE`, so a
//! test can move the real binary's clock past the re-authentication window (SPEC §8).

use chrono::{DateTime, FixedOffset, Utc};
use std::sync::Arc;

/// How a display offset is named beside a time: `UTC` or `UTC+01:00`. Both consoles say it
/// with every time they show, so nobody reads a local time as another zone's.
pub fn zone_name(tz: FixedOffset) -> String {
    if tz.local_minus_utc() == 0 {
        "UTC".to_string()
    } else {
        format!("UTC{tz}")
    }
}

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

/// The environment variable naming the debug builds' clock-offset file.
pub const DEBUG_CLOCK_FILE: &str = "RECOVERY_DESK_DEBUG_CLOCK_FILE";

/// The system clock, shared. In debug builds only, when `RECOVERY_DESK_DEBUG_CLOCK_FILE` names
/// a file, the system clock moved by the whole seconds written in it (read at every call, so a
/// test can move it while the binary runs). Release builds never look at the variable.
pub fn system() -> SharedClock {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os(DEBUG_CLOCK_FILE).filter(|p| !p.is_empty()) {
        return Arc::new(debug::OffsetClock(path.into()));
    }
    Arc::new(SystemClock)
}

#[cfg(debug_assertions)]
mod debug {
    use super::Clock;
    use chrono::{DateTime, Duration, Utc};

    /// The system clock plus the offset in seconds read from a file (0 when unreadable).
    pub struct OffsetClock(pub std::path::PathBuf);

    impl Clock for OffsetClock {
        fn now(&self) -> DateTime<Utc> {
            let offset = std::fs::read_to_string(&self.0)
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .unwrap_or(0);
            Utc::now() + Duration::seconds(offset)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_offset_is_read_at_every_call() {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("offset");
            let clock = OffsetClock(file.clone());
            std::fs::write(&file, "+3600\n").unwrap();
            let d = clock.now() - Utc::now();
            assert!((d - Duration::hours(1)).num_seconds().abs() <= 1, "{d}");
            std::fs::write(&file, "-60").unwrap();
            let d = clock.now() - Utc::now();
            assert!((d + Duration::minutes(1)).num_seconds().abs() <= 1, "{d}");
            std::fs::remove_file(&file).unwrap();
            assert!((clock.now() - Utc::now()).num_seconds().abs() <= 1);
        }
    }
}
