//! Start to first full frame on the bench database (SPEC §7: ≤ 50 ms; `RD_BENCH_ACCOUNTS`
//! accounts, 1,000,000 unless set): the release binary is started in a pseudo-terminal, for
//! the account console and for the desk, and the clock stops when the first screen's text is
//! complete.
//!
//! `cargo bench --bench startup` (30 runs each; `RD_BENCH_DB` overrides the database).

#[path = "common.rs"]
mod common;
#[path = "pty_probe.rs"]
mod pty_probe;

use pty_probe::{Probe, median_p90};
use std::time::Duration;

fn measure(db: &str, args: &[&str], text: &str, runs: usize) -> (Duration, Duration, Duration) {
    let mut times = vec![];
    for _ in 0..runs {
        let mut full = vec!["--db", db];
        full.extend_from_slice(args);
        let p = Probe::spawn(&full, &[("TZ", "UTC")]);
        let at = p.wait_for(text, Duration::from_secs(10));
        times.push(at - p.started);
    }
    let (m, p90) = median_p90(&mut times);
    (m, p90, *times.last().unwrap())
}

fn main() {
    let db = common::bench_db();
    let db = db.to_str().unwrap().to_string();
    let runs = 30;
    // Warm the page cache the way a desk that has been running all day would have it.
    let _ = measure(&db, &[], "Create account", 3);
    for (name, args, text) in [
        ("console", &[][..], "Can't sign in?"),
        ("desk", &["desk"][..], "Support agents"),
    ] {
        let (m, p90, max) = measure(&db, args, text, runs);
        println!(
            "startup/{name}: first full frame on {} accounts: median {:.1} ms, p90 {:.1} ms, max {:.1} ms ({runs} runs; budget 50 ms)",
            common::thousands(common::accounts()),
            m.as_secs_f64() * 1e3,
            p90.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    }
}
