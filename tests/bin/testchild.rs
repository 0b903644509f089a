//! Test-only helper processes for `tests/race.rs` and `tests/crash.rs`. Not part of the
//! product: nothing documents or installs it, and it is built only so that integration tests
//! can start it by `env!("CARGO_BIN_EXE_recovery-desk-testchild")`.
//!
//! ```text
//! recovery-desk-testchild race DB PER_ROUND    sign in as account 1, print READY; then for each
//!                                              GO line on stdin regenerate the recovery code
//!                                              PER_ROUND times and print SHOWN <code> for each,
//!                                              then SPAN <start ns> <end ns> (CLOCK_MONOTONIC,
//!                                              shared by all processes) and END
//! recovery-desk-testchild crash DB slow        print READY, then forever: pick an account
//!                                              (1..=3), print CODE <account> <code>, hash and
//!                                              commit it, print DONE <account>
//! recovery-desk-testchild crash DB fast N1,N2,N3 CODE HASH CODE HASH…
//!                                              the same, but each account cycles through the
//!                                              given pre-hashed codes, starting at index Na,
//!                                              so nearly all its time is spent in SQLite commits
//! ```
//!
//! Every line is flushed as it is written; errors are printed as `ERROR <message>` lines, so
//! the test sees them as failures.

use rand::{RngExt, SeedableRng, rngs::StdRng};
use recovery_desk::clock;
use recovery_desk::domain::recovery_code;
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::service::{Attempt, Service};
use recovery_desk::store::Access;
use recovery_desk::store::HolderStore;
use recovery_desk::store::any::{AnyStore, Target};
use std::io::{BufRead, Write};
use std::path::Path;

/// Accounts the crash child writes to (created by the test as ids 1..=3).
const CRASH_ACCOUNTS: i64 = 3;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["race", db, per_round] => race(Path::new(db), per_round.parse().expect("PER_ROUND")),
        ["guess", db, account, password] => {
            guess(Path::new(db), account.parse().expect("ACCOUNT"), password)
        }
        ["crash", db, "slow"] => crash(Path::new(db), None),
        ["crash", db, "fast", next, ref pool @ ..] if pool.len() >= 4 && pool.len() % 2 == 0 => {
            let next: Vec<usize> = next.split(',').map(|n| n.parse().expect("N")).collect();
            assert_eq!(
                next.len(),
                CRASH_ACCOUNTS as usize,
                "one start index per account"
            );
            let pool = pool
                .chunks(2)
                .map(|p| (p[0].to_string(), p[1].to_string()))
                .collect();
            crash(Path::new(db), Some((pool, next)))
        }
        _ => {
            eprintln!(
                "usage: recovery-desk-testchild race DB PER_ROUND | guess DB ACCOUNT PASSWORD | crash DB slow | crash DB fast N1,N2,N3 CODE HASH CODE HASH…"
            );
            std::process::exit(2);
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds: one clock for every process on the machine.
fn monotonic_ns() -> u128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

/// The store `db` names (a file, or a PostgreSQL URL with its key file in
/// `RECOVERY_DESK_KEY`), opened as the holder console opens it.
fn open(db: &Path) -> recovery_desk::store::Result<AnyStore> {
    let key = std::env::var_os("RECOVERY_DESK_KEY").map(std::path::PathBuf::from);
    AnyStore::open(&Target::new(db, key)?, Access::Create)
}

/// One password guess at `account`, made when GO arrives: prints EVALUATED when the guess was
/// checked (right or wrong), REFUSED when entry was locked and nothing was hashed.
fn guess(db: &Path, account: i64, password: &str) {
    let mut out = std::io::stdout().lock();
    let store = match open(db) {
        Ok(s) => s,
        Err(e) => {
            writeln!(out, "ERROR open: {e}").unwrap();
            return;
        }
    };
    let mut svc = Service::new(store, Box::new(OsEntropy), clock::system());
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line).is_err() || line.trim() != "GO" {
        return;
    }
    match svc.check_password(account, &Secret::new(password)) {
        Ok(Attempt::Locked { .. } | Attempt::Blocked) => writeln!(out, "REFUSED").unwrap(),
        Ok(_) => writeln!(out, "EVALUATED").unwrap(),
        Err(e) => writeln!(out, "ERROR {e}").unwrap(),
    }
    out.flush().unwrap();
}

fn race(db: &Path, per_round: usize) {
    let mut out = std::io::stdout().lock();
    let store = match open(db) {
        Ok(s) => s,
        Err(e) => {
            writeln!(out, "ERROR open: {e}").unwrap();
            return;
        }
    };
    let mut svc = Service::new(store, Box::new(OsEntropy), clock::system());
    match svc.check_password(1, &Secret::new("a long password")) {
        Ok(Attempt::Accepted(false)) => {}
        other => {
            writeln!(out, "ERROR sign-in: {other:?}").unwrap();
            return;
        }
    }
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    for line in std::io::stdin().lock().lines() {
        if line.unwrap() != "GO" {
            break;
        }
        let start = monotonic_ns();
        for _ in 0..per_round {
            match svc.generate_recovery_code() {
                Ok(code) => writeln!(out, "SHOWN {}", code.expose()).unwrap(),
                Err(e) => writeln!(out, "ERROR {e}").unwrap(),
            }
        }
        let end = monotonic_ns();
        writeln!(out, "SPAN {start} {end}").unwrap();
        writeln!(out, "END").unwrap();
        out.flush().unwrap();
    }
}

/// Fast mode's pre-hashed codes (code, PHC hash) and each account's first index into them.
type Pool = (Vec<(String, String)>, Vec<usize>);

fn crash(db: &Path, mut pool: Option<Pool>) {
    let mut store = open(db).unwrap();
    let mut pick = StdRng::seed_from_u64(std::process::id() as u64);
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    loop {
        let account = pick.random_range(1..=CRASH_ACCOUNTS);
        let hash = match &mut pool {
            // Each account cycles through the pool from the index the test gave, so its next
            // code always differs from its last.
            Some((pool, next)) => {
                let i = next[account as usize - 1];
                next[account as usize - 1] += 1;
                let (c, h) = &pool[i % pool.len()];
                writeln!(out, "CODE {account} {c}").unwrap();
                out.flush().unwrap();
                h.clone()
            }
            None => {
                let code = recovery_code::generate(&mut OsEntropy).unwrap();
                writeln!(out, "CODE {account} {}", code.expose()).unwrap();
                out.flush().unwrap();
                secret::hash(&code, &mut OsEntropy).unwrap()
            }
        };
        store
            .replace_recovery_code(account, &hash, chrono::Utc::now())
            .unwrap();
        writeln!(out, "DONE {account}").unwrap();
        out.flush().unwrap();
    }
}
