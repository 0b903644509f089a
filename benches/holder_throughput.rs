//! Holder throughput (SPEC §7): as many holder sessions as there are cores regenerate their
//! recovery codes at once on one database (Argon2id, then one IMMEDIATE transaction that
//! revokes the old code, stores the new hash, writes a security event and seals a notice),
//! against the Argon2 limit — cores ÷ the time of one hash, measured in the same run. The
//! hash, not the store, must be the bottleneck: ≥ 80 % of the limit.
//!
//! ```sh
//! cargo bench --bench holder_throughput                       # 20 s of regenerations
//! cargo bench --bench holder_throughput -- --seconds 60 --sessions 2
//! ```
//!
//! Also shown, to tell the store's share from the machine's: the same number of threads
//! doing nothing but Argon2id hashes side by side (two hashes at once share the memory bus).

use recovery_desk::domain::model::{MethodKind, Purpose};
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::service::Service;
use recovery_desk::store::Store;
use std::sync::{Arc, Barrier};
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

/// `threads` threads each running `work` until `seconds` are up; returns how many times it
/// ran in all, how long that took, and the threads' minor page faults per run.
fn side_by_side(
    threads: usize,
    seconds: f64,
    make: impl Fn(usize) -> Box<dyn FnMut() + Send>,
) -> (u64, Duration, f64) {
    let start = Arc::new(Barrier::new(threads + 1));
    let deadline = Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let mut work = make(i);
            let start = start.clone();
            std::thread::spawn(move || {
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
    start.wait();
    let results: Vec<(u64, Duration, i64)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    let n: u64 = results.iter().map(|r| r.0).sum();
    let took = results.iter().map(|r| r.1).max().unwrap();
    let faults = results.iter().map(|r| r.2).sum::<i64>() as f64 / n.max(1) as f64;
    (n, took, faults)
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

fn main() {
    let mut seconds = 20.0;
    let mut sessions = std::thread::available_parallelism().map_or(2, |n| n.get());
    let cores = sessions;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|v| v.parse().ok()).expect("seconds"),
            "--sessions" => sessions = args.next().and_then(|v| v.parse().ok()).expect("a count"),
            _ => {} // `--bench`, from cargo
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("holders.db");
    drop(Store::open(&db).unwrap());

    let hash_before = one_hash(20);
    let (regenerations, took, regeneration_faults) = side_by_side(sessions, seconds, |i| {
        let mut svc = holder(&db, i);
        Box::new(move || {
            svc.generate_recovery_code().expect("regeneration failed");
        })
    });
    let hash_after = one_hash(20);
    let (hashes, hash_took, hash_faults) = side_by_side(sessions, seconds.min(10.0), |_| {
        let s = Secret::new("a recovery code, say");
        Box::new(move || {
            let _ = secret::hash(&s, &mut OsEntropy).unwrap();
        })
    });

    let hash = (hash_before + hash_after) / 2;
    let limit = cores as f64 / hash.as_secs_f64();
    let rate = regenerations as f64 / took.as_secs_f64();
    let hash_rate = hashes as f64 / hash_took.as_secs_f64();
    println!(
        "holder_throughput: one Argon2id hash (m=19456 KiB, t=2, p=1) on one thread: median {:.1} ms before, {:.1} ms after → Argon2 limit {cores} cores ÷ {:.1} ms = {limit:.1}/s",
        hash_before.as_secs_f64() * 1e3,
        hash_after.as_secs_f64() * 1e3,
        hash.as_secs_f64() * 1e3,
    );
    println!(
        "holder_throughput: {sessions} holder sessions regenerating at once for {:.1} s: {regenerations} regenerations, {rate:.1}/s = {:.0} % of the Argon2 limit (budget ≥ 80 %); {regeneration_faults:.0} page faults each",
        took.as_secs_f64(),
        rate / limit * 100.0
    );
    println!(
        "holder_throughput: {sessions} threads only hashing, side by side: {hash_rate:.1}/s = {:.0} % of the limit (what the machine allows; {hash_faults:.0} page faults each); regenerations reach {:.0} % of that",
        hash_rate / limit * 100.0,
        rate / hash_rate * 100.0
    );
}
