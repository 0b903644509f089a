//! Shared by the benches: the million-account database, built once and reused.

use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::store::Store;
use recovery_desk::store::bulk::Synthetic;
use std::path::PathBuf;

pub const MILLION: u64 = 1_000_000;

/// `$RD_BENCH_DB`, or `target/bench-1m.db`, holding a million synthetic accounts (built on
/// first use: about 20 s in release).
pub fn million_db() -> PathBuf {
    let path = std::env::var_os("RD_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-1m.db"));
    let mut store = Store::open(&path).expect("open the bench database");
    let have = store.account_count().expect("count accounts") as u64;
    if have < MILLION {
        eprintln!(
            "building {} with {MILLION} accounts (once)…",
            path.display()
        );
        let hash = secret::hash(&Secret::new("orchid-bulk-pass"), &mut OsEntropy).unwrap();
        let now = chrono::Utc::now();
        let mut n = have;
        while n < MILLION {
            let take = 10_000.min(MILLION - n);
            let batch: Vec<Synthetic> = (n..n + take).map(Synthetic::nth).collect();
            store.bulk_insert(&batch, &hash, now).expect("bulk insert");
            n += take;
        }
    }
    path
}
