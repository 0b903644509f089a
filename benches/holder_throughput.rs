//! Holder throughput (SPEC §7): as many holder sessions as there are cores regenerate their
//! recovery codes at once on one database (Argon2id, then one IMMEDIATE transaction that
//! revokes the old code, stores the new hash, writes a security event and seals a notice),
//! against the Argon2 limit — cores ÷ the time of one hash, measured in the same run. The
//! hash, not the store, must be the bottleneck: ≥ 80 % of the limit.
//!
//! ```sh
//! cargo bench --bench holder_throughput                          # 5 rounds
//! cargo bench --bench holder_throughput -- --rounds 10 --seconds 6 --sessions 2
//! ```
//!
//! Also shown, to tell the store's share from the machine's: the same number of threads
//! doing nothing but Argon2id hashes side by side (two hashes at once share the memory bus
//! and the last-level cache). The three take turns, round after round, so that whatever else
//! the machine runs falls on all of them.

use recovery_desk::domain::model::{MethodKind, Purpose};
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::service::Service;
use recovery_desk::store::Store;
use std::sync::Barrier;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The median time of one Argon2id hash on one thread (`n` hashes after one warm-up).
fn one_hash(n: usize) -> Duration {
    let s = Secret::new("a recovery code, say");
    let _ = secret::hash(&s, &mut OsEntropy).unwrap();
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                let _ = secret::hash(&s, &mut OsEntropy).unwrap();
                t.elapsed()
            })
            .collect(),
    )
}

/// Each worker on a thread of its own, side by side, until `seconds` are up; returns how many
/// times they ran in all, how long that took, and their minor page faults in all.
fn side_by_side<W: FnMut() + Send>(workers: &mut [W], seconds: f64) -> (u64, Duration, i64) {
    let start = Barrier::new(workers.len());
    let deadline = Duration::from_secs_f64(seconds);
    let results: Vec<(u64, Duration, i64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .iter_mut()
            .map(|work| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    let t = Instant::now();
                    let faults = minor_faults();
                    let mut n = 0u64;
                    while t.elapsed() < deadline {
                        work();
                        n += 1;
                    }
                    (n, t.elapsed(), minor_faults() - faults)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let n = results.iter().map(|r| r.0).sum();
    let took = results.iter().map(|r| r.1).max().unwrap();
    (n, took, results.iter().map(|r| r.2).sum())
}

/// Minor page faults of the calling thread so far.
fn minor_faults() -> i64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage.ru_minflt
    }
}

/// A signed-in holder with a verified email (so each regeneration also seals a notice).
fn holder(db: &std::path::Path, i: usize) -> Service {
    let mut svc = Service::new(
        Store::open(db).unwrap(),
        Box::new(OsEntropy),
        recovery_desk::clock::system(),
    );
    let pw = Secret::new(PASSWORD);
    let id = svc.create_account(&format!("holder{i}"), &pw, &pw).unwrap();
    let address = format!("holder{i}@example.com");
    let m = svc.add_method(MethodKind::Email, &address).unwrap();
    let code = recovery_desk::testing::last_code(svc.store(), &address);
    svc.check_code(id, m, Purpose::VerifyMethod, &code).unwrap();
    svc.generate_recovery_code().unwrap();
    svc
}

/// Runs of one kind of work, added up over the rounds.
#[derive(Default)]
struct Tally {
    runs: u64,
    seconds: f64,
    faults: i64,
}

impl Tally {
    fn add(&mut self, (runs, took, faults): (u64, Duration, i64)) -> f64 {
        self.runs += runs;
        self.seconds += took.as_secs_f64();
        self.faults += faults;
        runs as f64 / took.as_secs_f64()
    }
    fn rate(&self) -> f64 {
        self.runs as f64 / self.seconds
    }
    fn faults_each(&self) -> f64 {
        self.faults as f64 / self.runs.max(1) as f64
    }
}

fn main() {
    let mut rounds = 5;
    let mut seconds = 4.0;
    let mut sessions = std::thread::available_parallelism().map_or(2, |n| n.get());
    let cores = sessions;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().and_then(|v| v.parse().ok()).expect("a count"),
            "--seconds" => seconds = args.next().and_then(|v| v.parse().ok()).expect("seconds"),
            "--sessions" => sessions = args.next().and_then(|v| v.parse().ok()).expect("a count"),
            _ => {} // `--bench`, from cargo
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("holders.db");
    drop(Store::open(&db).unwrap());
    let mut holders: Vec<Service> = (0..sessions).map(|i| holder(&db, i)).collect();
    let mut regenerate: Vec<_> = holders
        .iter_mut()
        .map(|svc| {
            move || {
                svc.generate_recovery_code().expect("regeneration failed");
            }
        })
        .collect();
    let mut hash_only: Vec<_> = (0..sessions)
        .map(|_| {
            let s = Secret::new("a recovery code, say");
            move || {
                let _ = secret::hash(&s, &mut OsEntropy).unwrap();
            }
        })
        .collect();

    // The phases take turns, so that whatever else the machine does falls on all of them.
    let mut singles = vec![];
    let (mut regenerations, mut hashes) = (Tally::default(), Tally::default());
    for round in 1..=rounds {
        let single = one_hash(10);
        singles.push(single);
        let r = regenerations.add(side_by_side(&mut regenerate, seconds));
        let h = hashes.add(side_by_side(&mut hash_only, seconds));
        let limit = cores as f64 / single.as_secs_f64();
        println!(
            "holder_throughput: round {round}: one hash {:.1} ms (limit {limit:.1}/s); {sessions} sessions regenerating {r:.1}/s ({:.0} %); {sessions} threads hashing {h:.1}/s ({:.0} %)",
            single.as_secs_f64() * 1e3,
            r / limit * 100.0,
            h / limit * 100.0,
        );
    }
    let hash = median(singles);
    let limit = cores as f64 / hash.as_secs_f64();
    let (rate, hash_rate) = (regenerations.rate(), hashes.rate());
    println!(
        "holder_throughput: one Argon2id hash (m=19456 KiB, t=2, p=1) on one thread: median {:.1} ms over {rounds} rounds → Argon2 limit {cores} cores ÷ {:.1} ms = {limit:.1}/s",
        hash.as_secs_f64() * 1e3,
        hash.as_secs_f64() * 1e3,
    );
    println!(
        "holder_throughput: {sessions} holder sessions regenerating at once, {rounds} × {seconds} s: {} regenerations, {rate:.1}/s = {:.0} % of the Argon2 limit (budget ≥ 80 %); {:.0} page faults each",
        regenerations.runs,
        rate / limit * 100.0,
        regenerations.faults_each(),
    );
    println!(
        "holder_throughput: {sessions} threads only hashing, side by side, {rounds} × {seconds} s: {hash_rate:.1}/s = {:.0} % of the limit (what the machine allows; {:.0} page faults each); regenerations reach {:.0} % of that",
        hash_rate / limit * 100.0,
        hashes.faults_each(),
        rate / hash_rate * 100.0
    );
}
