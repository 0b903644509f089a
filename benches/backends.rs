//! SQLite and PostgreSQL side by side, in one run (SPEC §7, §9):
//! - bulk seed: 1,000,000 accounts into PostgreSQL with `COPY` (budget 60 s; SQLite's is the
//!   `bulk_seed` example's figure);
//! - desk lookup among 1,000,000 (exact lookup plus the whole account view, over the desk's
//!   own connection: SQLite read-only, PostgreSQL as the desk role over the local socket):
//!   median and p99 of 20,000 random lookups (budgets: 200 µs SQLite warm, 1 ms PostgreSQL);
//! - holder throughput: as many holder sessions as cores, each regenerating recovery codes
//!   for 10 s; regenerations per second against the Argon2 limit (cores ÷ one hash's time),
//!   budget ≥ 80 % on both.
//!
//! `cargo bench --bench backends`. SQLite uses `$RD_BENCH_DB` when set, else a new file
//! seeded (and timed) in this run. PostgreSQL uses `$RD_BENCH_PG_URL` with `$RD_BENCH_PG_KEY` (a database `setup`
//! made, seeded here when it has fewer than 1,000,000 accounts); without them a throwaway
//! cluster is started (Debian's binaries, a Unix socket, `fsync = off`: the seed and the
//! writes are faster than on a durable server; the lookups are reads either way).

#[path = "common.rs"]
mod common;

use rand::{RngExt, SeedableRng, rngs::StdRng};
use recovery_desk::domain::identifier::Lookup;
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::service::{Attempt, Service};
use recovery_desk::store::any::{AnyStore, Target};
use recovery_desk::store::bulk::Synthetic;
use recovery_desk::store::postgres::PgStore;
use recovery_desk::store::{Access, ReadStore};
use std::time::{Duration, Instant};

const LOOKUPS: usize = 20_000;
const THROUGHPUT_FOR: Duration = Duration::from_secs(10);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The PostgreSQL database to measure, seeded to a million accounts, and the cluster when
/// this run started one.
fn postgres_target() -> (
    Target,
    Option<recovery_desk::testing::pg::Cluster>,
    Option<tempfile::TempDir>,
) {
    let (url, key, cluster, dir) = match (
        std::env::var("RD_BENCH_PG_URL"),
        std::env::var("RD_BENCH_PG_KEY"),
    ) {
        (Ok(url), Ok(key)) => (url, key.into(), None, None),
        _ => {
            let cluster = recovery_desk::testing::pg::Cluster::start()
                .unwrap_or_else(|e| panic!("a PostgreSQL cluster for the bench: {e}"));
            let name = cluster.create_database().unwrap();
            let dir = tempfile::tempdir().unwrap();
            let key = dir.path().join("bench.key");
            let url = cluster.url(&name);
            PgStore::setup(&url, &key, &Default::default()).unwrap();
            (url, key, Some(cluster), Some(dir))
        }
    };
    let mut owner = PgStore::open_as_owner(&url, &key).unwrap();
    let have = owner.account_count().unwrap() as u64;
    if have < common::MILLION {
        let hash = secret::hash(&Secret::new("orchid-bulk-pass"), &mut OsEntropy).unwrap();
        let started = Instant::now();
        let loaders = std::thread::available_parallelism().map_or(1, |n| n.get());
        recovery_desk::store::postgres::bulk::load(
            &url,
            &key,
            have,
            common::MILLION - have,
            &hash,
            chrono::Utc::now(),
            loaders,
            &|_| {},
        )
        .unwrap();
        let load = started.elapsed();
        owner.analyze().unwrap();
        println!(
            "bulk seed  postgresql: {} accounts in {:.1} s with COPY from {} loaders ({:.1} s with ANALYZE; budget 60 s)",
            common::MILLION - have,
            load.as_secs_f64(),
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            started.elapsed().as_secs_f64()
        );
    }
    (Target::Postgres { url, key }, cluster, dir)
}

/// Median and p99 of random desk lookups (lookup + whole view) over the desk's connection.
fn lookups(target: &Target) -> (Duration, Duration) {
    let store = AnyStore::open(target, Access::ReadOnly).unwrap();
    let now = chrono::Utc::now();
    let mut rng = StdRng::seed_from_u64(42);
    let mut lat = Vec::with_capacity(LOOKUPS);
    for i in 0..LOOKUPS + 500 {
        let n = rng.random_range(0..common::MILLION);
        let s = Synthetic::nth(n);
        let typed = match i % 4 {
            0 => s.username.to_uppercase(),
            1 => s.email.unwrap_or(s.username),
            2 => s.phone.unwrap_or(s.username),
            _ => format!("#{}", n + 1),
        };
        let l = Lookup::parse(&typed).unwrap();
        let started = Instant::now();
        let account = store.find_account(&l).unwrap().expect("found");
        std::hint::black_box(store.account_view(account.id, now).unwrap());
        // The first 500 warm the caches.
        if i >= 500 {
            lat.push(started.elapsed());
        }
    }
    lat.sort();
    (percentile(&lat, 0.5), percentile(&lat, 0.99))
}

/// Regenerations per second with `sessions` holders at once, each its own connection, each
/// signed in to one synthetic account without two-step verification.
fn throughput(target: &Target, sessions: usize) -> f64 {
    let ids: Vec<i64> = (0..common::MILLION)
        .filter(|n| !Synthetic::nth(*n).two_step)
        .take(sessions)
        .map(|n| n as i64 + 1)
        .collect();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(sessions));
    let handles: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (target, barrier) = (target.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut svc = Service::new(
                    AnyStore::open(&target, Access::Existing).unwrap(),
                    Box::new(OsEntropy),
                    recovery_desk::clock::system(),
                );
                // Every synthetic account has this password.
                assert_eq!(
                    svc.check_password(id, &Secret::new("orchid-bulk-pass"))
                        .unwrap(),
                    Attempt::Accepted(false)
                );
                barrier.wait();
                let started = Instant::now();
                let mut n = 0u64;
                while started.elapsed() < THROUGHPUT_FOR {
                    svc.generate_recovery_code().unwrap();
                    n += 1;
                }
                n as f64 / started.elapsed().as_secs_f64()
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

/// Hashes per second with `threads` threads doing nothing but Argon2id for the same time the
/// holders run.
fn hashes_per_second(threads: usize) -> f64 {
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(|| {
                let started = Instant::now();
                let mut n = 0u64;
                while started.elapsed() < THROUGHPUT_FOR {
                    secret::hash(&Secret::new("a long password"), &mut OsEntropy).unwrap();
                    n += 1;
                }
                n as f64 / started.elapsed().as_secs_f64()
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // SQLite: $RD_BENCH_DB as it is, or a new file seeded (and timed) now.
    let _sqlite_dir;
    let sqlite = match std::env::var_os("RD_BENCH_DB") {
        Some(_) => Target::new(&common::bench_db(), None).unwrap(),
        None => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("bench-1m.db");
            let mut store = recovery_desk::store::Store::open(&path).unwrap();
            let hash = secret::hash(&Secret::new("orchid-bulk-pass"), &mut OsEntropy).unwrap();
            let now = chrono::Utc::now();
            let started = Instant::now();
            store
                .bulk_seed(common::MILLION, &hash, now, &mut |_| {})
                .unwrap();
            println!(
                "bulk seed      sqlite: {} accounts in {:.1} s (budget 60 s)",
                common::MILLION,
                started.elapsed().as_secs_f64()
            );
            _sqlite_dir = dir;
            Target::new(&path, None).unwrap()
        }
    };
    let (postgres, _cluster, _dir) = postgres_target();
    // One hash's time, alone: the Argon2 limit is cores ÷ this.
    let one = {
        let started = Instant::now();
        for _ in 0..10 {
            secret::hash(&Secret::new("a long password"), &mut OsEntropy).unwrap();
        }
        started.elapsed() / 10
    };
    let limit = cores as f64 / one.as_secs_f64();
    // The same hashes on every core at once, nothing else: what this machine gives Argon2
    // right now (another process on a shared machine lowers it; the store is not in it).
    let parallel = hashes_per_second(cores);
    println!(
        "argon2id: one hash {:.1} ms; limit with {cores} cores {limit:.1} hashes/s; {cores} threads hashing only: {parallel:.1} hashes/s",
        one.as_secs_f64() * 1e3
    );
    for (name, target) in [("sqlite", &sqlite), ("postgresql", &postgres)] {
        let (p50, p99) = lookups(target);
        println!(
            "desk lookup {name:>10}: median {:.0} µs, p99 {:.0} µs over {LOOKUPS} lookups among 1,000,000",
            p50.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6
        );
    }
    for (name, target) in [("sqlite", &sqlite), ("postgresql", &postgres)] {
        let rate = throughput(target, cores);
        println!(
            "holder     {name:>10}: {cores} sessions, {rate:.1} regenerations/s = {:.0} % of the Argon2 limit (budget 80 %), {:.0} % of hashing only",
            rate * 100.0 / limit,
            rate * 100.0 / parallel
        );
    }
}
