//! Contention (issue 5, item 3): 8 desk lookup loops and 2 account holder loops on one
//! database file. The holders regenerate a fixed number of codes each; the desks start with
//! them and keep reading until both holders are done, so every write happens beside 8
//! readers. No request may fail; p50/p99 latencies are printed.
//!
//! The desk loops read exactly as the desk does (a read-only connection, exact lookup, then
//! the whole account view); the holder loops sign in and regenerate recovery codes (Argon2 and
//! an IMMEDIATE write transaction each).
//!
//! Both backends (SPEC §9): on PostgreSQL the desks read as the desk role.

mod support;

use recovery_desk::clock;
use recovery_desk::domain::identifier::Lookup;
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::service::{Attempt, Service};
use recovery_desk::store::any::AnyStore;
use recovery_desk::store::{Access, HolderStore, ReadStore};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use support::backend::Db;

const ACCOUNTS: usize = 200;
const DESKS: usize = 8;
const HOLDERS: usize = 2;

/// Counts a holder loop out when dropped (on return or panic).
struct Done(Arc<AtomicUsize>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Release);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

on_both_backends! {
fn desk_and_holders_share_one_database_without_failures() {
    // Regenerations per holder (Argon2 + an IMMEDIATE write each).
    let per_holder: usize = std::env::var("RD_CONTENTION_REGENERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let db = Db::new();
    let target = db.target.clone();
    {
        let mut store = db.open();
        let pw = secret::hash(&Secret::new("a long password"), &mut OsEntropy).unwrap();
        let now = chrono::Utc::now();
        for i in 0..ACCOUNTS {
            let id = store
                .create_account(&format!("user{i:04}"), &pw, now)
                .unwrap();
            store.replace_recovery_code(id, &pw, now).unwrap();
        }
    }
    // Holders still writing; every loop starts at the barrier, once all are set up.
    let writing = Arc::new(AtomicUsize::new(HOLDERS));
    let start = Arc::new(Barrier::new(DESKS + HOLDERS));
    let mut desks = vec![];
    for t in 0..DESKS {
        let (target, writing, start) = (target.clone(), writing.clone(), start.clone());
        desks.push(std::thread::spawn(move || {
            start.wait();
            let store = AnyStore::open(&target, Access::ReadOnly).unwrap();
            let mut lat = vec![];
            let mut i = t;
            while writing.load(Ordering::Acquire) > 0 {
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
    for h in 0..HOLDERS {
        let (target, writing, start) = (target.clone(), writing.clone(), start.clone());
        holders.push(std::thread::spawn(move || {
            start.wait();
            // Counts this holder out when it returns or panics, so the desks always stop.
            let _done = Done(writing);
            let mut svc = Service::new(
                AnyStore::open(&target, Access::Create).unwrap(),
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
            for _ in 0..per_holder {
                let started = Instant::now();
                svc.generate_recovery_code().expect("regeneration failed");
                lat.push(started.elapsed());
            }
            lat
        }));
    }
    let started = Instant::now();
    let mut desk: Vec<Duration> = desks
        .into_iter()
        .flat_map(|t| t.join().expect("a desk loop failed"))
        .collect();
    let mut holder: Vec<Duration> = holders
        .into_iter()
        .flat_map(|t| t.join().expect("a holder loop failed"))
        .collect();
    let secs = started.elapsed().as_secs_f64();
    desk.sort();
    holder.sort();
    assert_eq!(holder.len(), HOLDERS * per_holder);
    // The desks read all the time the holders wrote (a few thousand lookups a second each).
    assert!(
        desk.len() > 1000,
        "too little reading beside the writes: {} lookups",
        desk.len()
    );
    println!(
        "{secs:.1} s, {DESKS} desk + {HOLDERS} holder loops, 0 failures: desk lookup+view n={} p50={:?} p99={:?} max={:?}; holder regenerate n={} p50={:?} p99={:?} max={:?}",
        desk.len(),
        percentile(&desk, 0.5),
        percentile(&desk, 0.99),
        desk.last().unwrap(),
        holder.len(),
        percentile(&holder, 0.5),
        percentile(&holder, 0.99),
        holder.last().unwrap(),
    );
    println!("backend: {:?}", db.backend());
}
}
