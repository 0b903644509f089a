//! Guessing (issue 5, item 4; the 100-failure cap of SPEC §4): 1,000 wrong recovery codes against
//! one account. The 100th wrong code in a row blocks entry until a new code. Lockouts start
//! at the sixth attempt and escalate; the right code is refused while locked; the lock survives
//! a restart; Argon2 runs at most 5 times per lock window, because attempts while locked are
//! refused before any hashing.
//!
//! It reads the process-wide Argon2 counter, so its two runs (SPEC §9: `::sqlite` and
//! `::postgres`, one body) take turns.

mod support;

use recovery_desk::secret::{Secret, argon2_runs};
use recovery_desk::service::{Attempt, RecoveryCheck, Service};
use std::sync::{Arc, Mutex};
use support::backend::Db;
use support::seams::{Seeded, TestClock, t0};

/// The Argon2 counter is one per process: one run at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

on_both_backends! {
fn a_thousand_wrong_codes() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let db = Db::new();
    let clock = TestClock::new(t0());
    let open = |seed| {
        Service::new(
            db.open(),
            Box::new(Seeded::new(seed)),
            Arc::new(clock.clone()),
        )
    };
    let mut svc = open(1);
    let pw = Secret::new("a long password");
    let id = svc.create_account("target", &pw, &pw).unwrap();
    let code = svc.generate_recovery_code().unwrap();
    svc.sign_out();

    let wrong = "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ";
    let mut locks = vec![]; // (attempt number that locked, lock length in minutes)
    let mut hashes_in_window = 0u64;
    let mut max_hashes_in_window = 0u64;
    let mut refused = 0;
    let mut first_refusal = None;
    let mut first_block = None;
    for n in 1..=1000u32 {
        let before = argon2_runs();
        let a = svc.check_recovery_code(id, wrong).unwrap();
        hashes_in_window += argon2_runs() - before;
        match a {
            Attempt::Wrong { .. } => {}
            Attempt::LockedNow { until } => {
                locks.push((n, (until - svc.now()).num_minutes()));
                max_hashes_in_window = max_hashes_in_window.max(hashes_in_window);
                hashes_in_window = 0;
            }
            Attempt::Locked { until } => {
                refused += 1;
                first_refusal.get_or_insert(n);
                // Refused before hashing.
                assert_eq!(argon2_runs(), before, "a locked attempt ran Argon2");
                // The right code is refused too while locked.
                let before = argon2_runs();
                assert!(matches!(
                    svc.check_recovery_code(id, code.expose()).unwrap(),
                    Attempt::Locked { .. }
                ));
                assert_eq!(argon2_runs(), before);
                // Every 3rd lock window, prove the lock survives a restart.
                if locks.len() % 3 == 0 {
                    drop(svc);
                    svc = open(n as u64);
                    assert!(matches!(
                        svc.check_recovery_code(id, code.expose()).unwrap(),
                        Attempt::Locked { .. }
                    ));
                }
                // Let the window pass; the next attempt is allowed again.
                clock.set(until);
            }
            Attempt::Blocked => {
                // The 100th wrong code in a row blocks; every later attempt is refused
                // before hashing, even the right code, however long one waits.
                if first_block.is_some() {
                    assert_eq!(argon2_runs(), before, "a blocked attempt ran Argon2");
                    assert!(matches!(
                        svc.check_recovery_code(id, code.expose()).unwrap(),
                        Attempt::Blocked
                    ));
                    clock.advance(chrono::Duration::days(1));
                }
                first_block.get_or_insert(n);
            }
            Attempt::Accepted(other) => panic!("a wrong code was accepted: {other:?}"),
        }
    }
    // 100 evaluated wrong codes, with 19 refusals (one after each of the 19 lockouts).
    assert_eq!(first_block, Some(119));
    assert_eq!(first_refusal, Some(6), "the sixth attempt must be refused");
    assert_eq!(locks[0], (5, 15));
    let lengths: Vec<i64> = locks.iter().map(|l| l.1).take(8).collect();
    assert_eq!(lengths, vec![15, 30, 60, 120, 240, 480, 960, 1440]);
    assert!(
        locks.iter().skip(7).all(|l| l.1 == 1440),
        "capped at 24 hours"
    );
    assert!(
        max_hashes_in_window <= 5,
        "Argon2 ran {max_hashes_in_window} times in one window"
    );
    println!(
        "1000 wrong codes: {} lockouts, {refused} attempts refused before hashing, at most {max_hashes_in_window} Argon2 runs per window",
        locks.len()
    );
    assert_eq!(locks.len(), 19);
    // Only a new code (generated after signing in another way) ends the block, and it works.
    assert!(svc.check_password(id, &pw).unwrap() == Attempt::Accepted(false));
    let fresh = svc.generate_recovery_code().unwrap();
    svc.sign_out();
    assert!(matches!(
        svc.check_recovery_code(id, fresh.expose()).unwrap(),
        Attempt::Accepted(RecoveryCheck::Accepted { .. })
    ));
}
}
