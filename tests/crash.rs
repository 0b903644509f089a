//! Crash safety (issue 5, item 1): a child process regenerates recovery codes in a loop and is
//! killed with SIGKILL at random moments, at least 200 times. After each kill the database
//! passes `PRAGMA integrity_check`, every account has exactly one active code, and the code
//! the child last announced — or the one before it — verifies.
//!
//! The child is `recovery-desk-testchild crash` (tests/bin/testchild.rs): it says READY once
//! its store is open, then announces each code, hashes and commits it, and confirms it, so a
//! kill can land anywhere between the two. The test waits for READY (no fixed start-up sleep)
//! and then kills at a random moment within the child's work cycle; one kill in eight lands
//! during start-up instead, at a random moment before READY.

use rand::{RngExt, SeedableRng, rngs::StdRng};
use recovery_desk::domain::recovery_code;
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::store::HolderStore;
use recovery_desk::store::Store;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

const ACCOUNTS: i64 = 3;
/// How long a child may take to say READY before the test calls it stuck.
const DEADLINE: Duration = Duration::from_secs(60);

fn active(store: &Store, account: i64) -> Vec<String> {
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.prepare("SELECT code_hash FROM recovery_codes WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL")
        .unwrap()
        .query_map([account], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn kills() -> usize {
    std::env::var("RD_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Argon2 verification, remembered: after most kills an account's active hash is the one
/// already checked, and a (code, hash) pair always gives the same answer.
struct Verifier(HashMap<(String, String), bool>, usize);

impl Verifier {
    fn verifies(&mut self, code: &str, hash: &str) -> bool {
        *self
            .0
            .entry((code.to_string(), hash.to_string()))
            .or_insert_with(|| {
                self.1 += 1;
                secret::verify(&Secret::new(code), hash).unwrap()
            })
    }
}

#[test]
fn codes_survive_sigkill_at_random_moments() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    // Each account starts with one known code.
    // Per account: the last code known to be committed.
    let mut confirmed: HashMap<i64, String> = HashMap::new();
    let mut committed_unconfirmed = 0;
    {
        let mut store = Store::open(&db).unwrap();
        for a in 1..=ACCOUNTS {
            let pw = recovery_desk::secret::hash(&Secret::new("a long password"), &mut OsEntropy)
                .unwrap();
            let id = store
                .create_account(&format!("crash{a}"), &pw, chrono::Utc::now())
                .unwrap();
            assert_eq!(id, a);
            let code = recovery_code::generate(&mut OsEntropy).unwrap();
            store
                .replace_recovery_code(
                    a,
                    &secret::hash(&code, &mut OsEntropy).unwrap(),
                    chrono::Utc::now(),
                )
                .unwrap();
            confirmed.insert(a, code.expose().to_string());
        }
    }
    // Fast children commit these pre-hashed codes, so they start at once and nearly all their
    // time is spent inside SQLite commits.
    let pool: Vec<(String, String)> = (0..2)
        .map(|_| {
            let c = recovery_code::generate(&mut OsEntropy).unwrap();
            let h = secret::hash(&c, &mut OsEntropy).unwrap();
            (c.expose().to_string(), h)
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let mut verifier = Verifier(HashMap::new(), 0);
    let started = Instant::now();
    let (mut mid_commit, mut in_start_up) = (0, 0);
    // How long children took to say READY (for kills during start-up).
    let mut start_ups: Vec<Duration> = vec![];
    for k in 0..kills() {
        let fast = k % 2 == 1;
        let spawned = Instant::now();
        let mut command = Command::new(env!("CARGO_BIN_EXE_recovery-desk-testchild"));
        command.arg("crash").arg(&db);
        if fast {
            // Each account starts at the pool code after its active one, so the first code a
            // fast child announces for it always differs from the last one confirmed.
            let next: Vec<String> = (1..=ACCOUNTS)
                .map(|a| {
                    let i = pool.iter().position(|(c, _)| *c == confirmed[&a]);
                    i.map_or(0, |i| i + 1).to_string()
                })
                .collect();
            command.arg("fast").arg(next.join(","));
            for (c, h) in &pool {
                command.arg(c).arg(h);
            }
        } else {
            command.arg("slow");
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        let reader = std::thread::spawn(move || {
            let mut lines = vec![];
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(l.clone());
                lines.push(l);
            }
            lines
        });
        if k % 8 == 4 && !start_ups.is_empty() {
            // During start-up: a random moment before a typical child says READY.
            start_ups.sort();
            let typical = start_ups[start_ups.len() / 2];
            std::thread::sleep(typical.mul_f64(rng.random_range(0.0..1.0)));
            in_start_up += 1;
        } else {
            let next = || match rx.recv_timeout(DEADLINE) {
                Ok(l) => l,
                Err(RecvTimeoutError::Timeout) => panic!("the child was silent for {DEADLINE:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("the child died on its own"),
            };
            while next() != "READY" {}
            start_ups.push(spawned.elapsed());
            // A random moment: after a random number of committed codes (a fast child's first
            // commit is slower than the rest), a random part of one work cycle later (some
            // 25 µs of SQLite when fast; an Argon2 hash, then a commit, when slow).
            let (done, within) = if fast {
                (0..50, 0..60)
            } else {
                (0..2, 0..40_000)
            };
            for _ in 0..rng.random_range(done) {
                while !next().starts_with("DONE ") {}
            }
            std::thread::sleep(Duration::from_micros(rng.random_range(within)));
        }
        unsafe {
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        child.wait().unwrap();
        let lines: Vec<String> = reader
            .join()
            .unwrap()
            .into_iter()
            .filter(|l| l.starts_with("CODE ") || l.starts_with("DONE "))
            .collect();
        if lines.last().is_some_and(|l| l.starts_with("CODE")) {
            mid_commit += 1;
        }
        // Per account: the code announced but not confirmed committed, if the kill came
        // between announcing and confirming.
        let mut unconfirmed: HashMap<i64, String> = HashMap::new();
        for l in &lines {
            if let Some(rest) = l.strip_prefix("CODE ") {
                let (a, c) = rest.split_once(' ').unwrap();
                unconfirmed.insert(a.parse().unwrap(), c.to_string());
            } else if let Some(a) = l.strip_prefix("DONE ") {
                let a: i64 = a.trim().parse().unwrap();
                let c = unconfirmed.remove(&a).unwrap();
                confirmed.insert(a, c);
            }
        }
        let store = Store::open(&db).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
        for a in 1..=ACCOUNTS {
            let hashes = active(&store, a);
            assert_eq!(
                hashes.len(),
                1,
                "account {a} has {} active codes",
                hashes.len()
            );
            let last = confirmed.get(&a).unwrap().clone();
            match unconfirmed.get(&a) {
                // Killed mid-way: the new code (committed, not yet confirmed) or the last
                // confirmed one — never neither, never both.
                Some(newer) => {
                    let n = verifier.verifies(newer, &hashes[0]);
                    let o = verifier.verifies(&last, &hashes[0]);
                    assert!(
                        n ^ o,
                        "account {a}: active code is neither the last shown nor the one before it"
                    );
                    if n {
                        committed_unconfirmed += 1;
                        confirmed.insert(a, newer.clone());
                    }
                }
                None => assert!(
                    verifier.verifies(&last, &hashes[0]),
                    "account {a}: the last shown code does not verify"
                ),
            }
        }
    }
    println!(
        "{} SIGKILLs in {:.1} s ({in_start_up} during start-up; {mid_commit} landed between announcing and confirming a code; {committed_unconfirmed} of those had committed; {} Argon2 verifications): integrity ok, exactly one active code per account every time",
        kills(),
        started.elapsed().as_secs_f64(),
        verifier.1,
    );
}
