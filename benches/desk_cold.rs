//! Desk lookup with a cold cache (SPEC §7: ≤ 5 ms p99 right after the OS page cache was
//! dropped), and the pages one lookup reads.
//!
//! ```sh
//! cargo bench --bench desk_cold                          # among 1,000,000 accounts
//! cargo bench --bench desk_cold -- --accounts 10000000   # or RD_BENCH_ACCOUNTS=10000000
//! cargo bench --bench desk_cold -- --samples 200         # cold lookups per kind (100)
//! ```
//!
//! One read-only connection, as the desk holds, looks random accounts up (seeded generator)
//! by username, email, phone and id, and reads everything the account view shows.
//! - **Pages read**: before each of 1,000 lookups per kind the connection's page cache is
//!   emptied, and SQLite's count of pages read into it is taken around the lookup: every
//!   b-tree page the lookup touches, from the file or the WAL.
//! - **Cold**: before each timed lookup the connection's page cache is emptied and, as root,
//!   `sync; echo 3 > /proc/sys/vm/drop_caches` is done, so every page comes from the disk
//!   (not root: `posix_fadvise(DONTNEED)` on the database files instead, and it says so).
//!   The bytes the process read from the disk (`/proc/self/io`) are reported beside.

#[path = "common.rs"]
mod common;

use rand::{RngExt, SeedableRng, rngs::StdRng};
use recovery_desk::domain::identifier::Lookup;
use recovery_desk::store::ReadStore;
use recovery_desk::store::Store;
use recovery_desk::store::bulk::Synthetic;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const KINDS: [&str; 4] = ["username", "email", "phone", "account_id"];
const PAGE_SAMPLES: usize = 1000;

/// A random account with this kind of identifier, and the identifier as an agent types it.
fn pick(rng: &mut StdRng, accounts: u64, kind: &str) -> (u64, String) {
    loop {
        let n = rng.random_range(0..accounts);
        let s = Synthetic::nth(n);
        let typed = match kind {
            "username" => Some(s.username.to_uppercase()),
            "email" => s.email,
            "phone" => s.phone,
            _ => Some(format!("#{}", n + 1)),
        };
        if let Some(t) = typed {
            return (n, t);
        }
    }
}

fn lookup(store: &Store, typed: &str) {
    let now = chrono::Utc::now();
    let l = Lookup::parse(typed).unwrap();
    let account = store.find_account(&l).unwrap().expect("found");
    black_box(store.account_view(account.id, now).unwrap());
}

/// Bytes this process has had read from storage (`read_bytes` of `/proc/self/io`).
fn disk_read_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("read_bytes: "))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

#[derive(Clone, Copy, PartialEq)]
enum Dropping {
    DropCaches,
    Fadvise,
}

/// Empties the OS page cache: all of it as root, else the database files' pages.
fn drop_os_cache(db: &Path) -> Dropping {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    if std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok() {
        return Dropping::DropCaches;
    }
    use std::os::fd::AsRawFd;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(f) = std::fs::File::open(PathBuf::from(p)) {
            // SAFETY: a valid open descriptor; DONTNEED only drops clean cached pages.
            unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        }
    }
    Dropping::Fadvise
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let mut samples = 100usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--accounts" => {
                // SAFETY: set before any thread starts.
                unsafe { std::env::set_var("RD_BENCH_ACCOUNTS", args.next().expect("a number")) };
            }
            "--samples" => samples = args.next().and_then(|v| v.parse().ok()).expect("a number"),
            _ => {} // `--bench`, from cargo
        }
    }
    let accounts = common::accounts();
    let db = common::bench_db();
    let size = common::thousands(accounts);
    let store = Store::open_read_only(&db).unwrap();
    let mut rng = StdRng::seed_from_u64(13);
    // Statements prepared, as in a desk that has looked someone up before.
    for kind in KINDS {
        let (_, typed) = pick(&mut rng, accounts, kind);
        lookup(&store, &typed);
    }

    println!("desk_cold among {size} accounts ({})", db.display());
    for kind in KINDS {
        let mut pages = vec![];
        for _ in 0..PAGE_SAMPLES {
            let (_, typed) = pick(&mut rng, accounts, kind);
            store.release_page_cache();
            let before = store.pages_read();
            lookup(&store, &typed);
            pages.push(store.pages_read() - before);
        }
        pages.sort();
        println!(
            "  pages/{kind}: pages read per lookup + view: mean {:.1}, median {}, p99 {}, max {} ({PAGE_SAMPLES} lookups)",
            pages.iter().sum::<i64>() as f64 / pages.len() as f64,
            pages[pages.len() / 2],
            pages[(pages.len() - 1) * 99 / 100],
            pages.last().unwrap()
        );
    }

    let mut all = vec![];
    let mut how = Dropping::DropCaches;
    for kind in KINDS {
        let mut times = vec![];
        let mut bytes = 0u64;
        let mut pages = 0i64;
        for _ in 0..samples {
            let (_, typed) = pick(&mut rng, accounts, kind);
            store.release_page_cache();
            how = drop_os_cache(&db);
            let (b0, p0) = (disk_read_bytes(), store.pages_read());
            let started = Instant::now();
            lookup(&store, &typed);
            times.push(started.elapsed());
            bytes += disk_read_bytes() - b0;
            pages += store.pages_read() - p0;
        }
        all.extend_from_slice(&times);
        times.sort();
        println!(
            "  cold/{kind}: median {}, p90 {}, p99 {}, max {}; per lookup {:.1} pages, {:.0} KiB read from disk ({samples} lookups)",
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.9)),
            ms(pct(&times, 0.99)),
            ms(*times.last().unwrap()),
            pages as f64 / samples as f64,
            bytes as f64 / 1024.0 / samples as f64
        );
    }
    all.sort();
    println!(
        "  cold/all: median {}, p90 {}, p99 {}, max {} ({} lookups, each right after {}; budget 5 ms p99)",
        ms(pct(&all, 0.5)),
        ms(pct(&all, 0.9)),
        ms(pct(&all, 0.99)),
        ms(*all.last().unwrap()),
        all.len(),
        match how {
            Dropping::DropCaches => "sync; echo 3 > /proc/sys/vm/drop_caches",
            Dropping::Fadvise => "posix_fadvise(DONTNEED) on the database files (not root)",
        }
    );
}
