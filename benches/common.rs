//! Shared by the benches: the synthetic database, built once and reused.
//!
//! Its size is `RD_BENCH_ACCOUNTS` (1,000,000 unless set; `_` and `,` allowed), its path
//! `RD_BENCH_DB` or else `target/bench-<N>.db`. A database with fewer accounts is topped up
//! with the same seeder as `examples/bulk_seed.rs`.

use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::store::Store;
use std::path::PathBuf;

pub const MILLION: u64 = 1_000_000;

/// The number of accounts the benches run among: `RD_BENCH_ACCOUNTS`, or a million.
pub fn accounts() -> u64 {
    std::env::var("RD_BENCH_ACCOUNTS")
        .ok()
        .map(|v| {
            v.replace(['_', ','], "")
                .parse()
                .expect("RD_BENCH_ACCOUNTS is a number of accounts")
        })
        .unwrap_or(MILLION)
}

/// `1,000,000` for reports.
#[allow(dead_code)] // not every bench reports the size
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The bench database with `accounts()` synthetic accounts, built or topped up on first use
/// (about 20 s a million in release).
pub fn bench_db() -> PathBuf {
    let n = accounts();
    let path = std::env::var_os("RD_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-{n}.db"))
        });
    let mut store = Store::open(&path).expect("open the bench database");
    let have = store.account_count().expect("count accounts") as u64;
    if have < n {
        eprintln!(
            "seeding {} up to {} accounts (once)…",
            path.display(),
            thousands(n)
        );
        let hash = secret::hash(&Secret::new("orchid-bulk-pass"), &mut OsEntropy).unwrap();
        store
            .bulk_seed(n - have, &hash, chrono::Utc::now(), &mut |_| {})
            .expect("seed the bench database");
    }
    path
}
