//! Writes N synthetic accounts for benchmarks and load tests:
//!
//! ```sh
//! cargo run --release --example bulk_seed -- --db /tmp/big.db --accounts 10000000
//! ```
//!
//! Accounts get methods, recovery codes, a year of security events scattered in time, and a few
//! pending changes and lockouts (see `store::bulk`). All share one precomputed Argon2id hash of
//! the password `orchid-bulk-pass`. Accounts already present are kept; numbering continues
//! after them. Memory stays flat whatever N is (one batch of accounts at a time).

use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::store::Store;
use recovery_desk::store::bulk::SeedProgress;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn usage() -> ExitCode {
    eprintln!("usage: bulk_seed --db PATH --accounts N");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut db = None;
    let mut n = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--db" => db = it.next().map(PathBuf::from),
            "--accounts" => {
                n = it
                    .next()
                    .and_then(|v| v.replace(['_', ','], "").parse::<u64>().ok())
            }
            _ => return usage(),
        }
    }
    let (Some(db), Some(n)) = (db, n) else {
        return usage();
    };
    match run(&db, n) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bulk_seed: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(db: &std::path::Path, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut store = Store::open(db)?;
    let hash = secret::hash(&Secret::new("orchid-bulk-pass"), &mut OsEntropy)?;
    let now = chrono::Utc::now();
    let mut err = std::io::stderr().lock();
    let mut last = Instant::now();
    let seeded = store.bulk_seed(n, &hash, now, &mut |p: SeedProgress| {
        if last.elapsed().as_millis() < 500 && p.accounts < n {
            return;
        }
        last = Instant::now();
        let _ = write!(
            err,
            "\rsweep {:>2}/{}: {:>9} / {n} accounts  {:6.1} s",
            p.sweep + 1,
            p.sweeps,
            p.accounts,
            started.elapsed().as_secs_f64()
        );
    })?;
    writeln!(std::io::stderr())?;
    drop(store);
    println!(
        "wrote {} accounts (numbers {}–{}) with {} security events to {} in {:.1} s",
        seeded.accounts,
        seeded.first,
        seeded.first + seeded.accounts.saturating_sub(1),
        seeded.events,
        db.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
