//! Writes N synthetic accounts for benchmarks and load tests:
//!
//! ```sh
//! cargo run --release --example bulk_seed -- --db /tmp/big.db --accounts 10000000
//! cargo run --release --example bulk_seed -- --db postgres://owner@host/db --key db.key --accounts 1000000
//! ```
//!
//! Accounts get methods, recovery codes, a year of security events scattered in time, and a few
//! pending changes and lockouts (see `store::bulk`). All share one precomputed Argon2id hash of
//! the password `orchid-bulk-pass`. Accounts already present are kept; numbering continues
//! after them. Memory stays flat whatever N is (one batch of accounts at a time).
//!
//! On PostgreSQL (after `recovery-desk --db URL setup`) it connects as the URL's login, the
//! database's owner, and loads each batch with `COPY`; then it runs `ANALYZE`.

use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::store::Store;
use recovery_desk::store::bulk::SeedProgress;
use recovery_desk::store::postgres::{self, PgStore};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn usage() -> ExitCode {
    eprintln!("usage: bulk_seed --db PATH|URL [--key PATH] --accounts N");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut db = None;
    let mut key = None;
    let mut n = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--db" => db = it.next().map(PathBuf::from),
            "--key" => key = it.next().map(PathBuf::from),
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
    let result = match db.to_str().filter(|d| postgres::is_url(d)) {
        Some(url) => match key {
            Some(key) => run_pg(url, &key, n),
            None => {
                eprintln!("bulk_seed: a PostgreSQL URL needs --key PATH (the key file setup made)");
                return ExitCode::from(2);
            }
        },
        None => run(&db, n),
    };
    match result {
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

/// The same accounts on PostgreSQL, one `COPY` per table and batch, from as many loaders
/// (connections) as cores, each its own range of batches and ids.
fn run_pg(url: &str, key: &std::path::Path, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut store = PgStore::open_as_owner(url, key)?;
    let hash = secret::hash(&Secret::new("orchid-bulk-pass"), &mut OsEntropy)?;
    let first = store.account_count()? as u64;
    let loaders = std::thread::available_parallelism().map_or(1, |c| c.get());
    let progress = |d: u64| {
        let secs = started.elapsed().as_secs_f64();
        eprint!(
            "\r{d:>9} / {n} accounts  {:5.1}%  {:6.0} accounts/s  {secs:6.1} s",
            d as f64 * 100.0 / n as f64,
            d as f64 / secs.max(0.001)
        );
    };
    postgres::bulk::load(
        url,
        key,
        first,
        n,
        &hash,
        chrono::Utc::now(),
        loaders,
        &progress,
    )?;
    eprintln!();
    let loaded = started.elapsed().as_secs_f64();
    store.analyze()?;
    println!(
        "wrote {n} accounts to {} in {loaded:.1} s with {loaders} loaders (ANALYZE after: {:.1} s in all)",
        store.label(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
