//! Contention (issue 5, item 3): 8 desk lookup loops and 2 account holder loops on one
//! database file for 20 seconds. No request may fail; p50/p99 latencies are printed.
//!
//! The desk loops read exactly as the desk does (a read-only connection, exact lookup, then
//! the whole account view); the holder loops sign in and regenerate recovery codes (Argon2 and
//! an IMMEDIATE write transaction each).

use recovery_desk::clock;
use recovery_desk::domain::identifier::Lookup;
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::service::{Attempt, Service};
use recovery_desk::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[test]
fn desk_and_holders_share_one_file_without_failures() {
    let secs: u64 = std::env::var("RD_CONTENTION_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("contention.db");
    {
        let mut store = Store::open(&db).unwrap();
        let pw = secret::hash(&Secret::new("a long password"), &mut OsEntropy).unwrap();
        let now = chrono::Utc::now();
        for i in 0..ACCOUNTS {
            let id = store
                .create_account(&format!("user{i:04}"), &pw, now)
                .unwrap();
            store.replace_recovery_code(id, &pw, now).unwrap();
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut desks = vec![];
    for t in 0..8 {
        let (db, stop) = (db.clone(), stop.clone());
        desks.push(std::thread::spawn(move || {
            let store = Store::open_read_only(&db).unwrap();
            let mut lat = vec![];
            let mut i = t;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let lookup = Lookup::parse(&format!("user{:04}", i % ACCOUNTS)).unwrap();
                let account = store
                    .find_account(&lookup)
                    .expect("lookup failed")
                    .expect("account exists");
                let view = store
                    .account_view(account.id, chrono::Utc::now())
                    .expect("view failed");
                assert!(view.recovery.active_since.is_some());
                lat.push(started.elapsed());
                i += 7;
            }
            lat
        }));
    }
    let mut holders = vec![];
    for h in 0..2 {
        let (db, stop) = (db.clone(), stop.clone());
        holders.push(std::thread::spawn(move || {
            let mut svc = Service::new(
                Store::open(&db).unwrap(),
                Box::new(OsEntropy),
                clock::system(),
            );
            let id = (h + 1) as i64;
            assert!(matches!(
                svc.check_password(id, &Secret::new("a long password"))
                    .unwrap(),
                Attempt::Accepted(false)
            ));
            let mut lat = vec![];
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                svc.generate_recovery_code().expect("regeneration failed");
                lat.push(started.elapsed());
            }
            lat
        }));
    }
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    let mut desk: Vec<Duration> = desks
        .into_iter()
        .flat_map(|t| t.join().expect("a desk loop failed"))
        .collect();
    let mut holder: Vec<Duration> = holders
        .into_iter()
        .flat_map(|t| t.join().expect("a holder loop failed"))
        .collect();
    desk.sort();
    holder.sort();
    assert!(
        desk.len() > 1000 && holder.len() > 20,
        "too little work done: {} / {}",
        desk.len(),
        holder.len()
    );
    println!(
        "{secs} s, 8 desk + 2 holder loops, 0 failures: desk lookup+view n={} p50={:?} p99={:?} max={:?}; holder regenerate n={} p50={:?} p99={:?} max={:?}",
        desk.len(),
        percentile(&desk, 0.5),
        percentile(&desk, 0.99),
        desk.last().unwrap(),
        holder.len(),
        percentile(&holder, 0.5),
        percentile(&holder, 0.99),
        holder.last().unwrap(),
    );
}
