//! The recovery drill (SPEC §10, last bullet), from the outside: a signed-in holder checks the
//! recovery code they saved without spending it; a thief with a signed-in session and a list
//! of candidate codes gets no more guesses than recovery itself allows (SPEC §4), however many
//! sessions race; nothing typed is stored, and nothing is granted.

mod support;

use chrono::Duration;
use recovery_desk::domain::lockout::Guarded;
use recovery_desk::domain::model::event;
use recovery_desk::domain::recovery_code;
use recovery_desk::domain::recovery_drill::{self, Nudge};
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, DrillCheck, RecoveryCheck, ServiceError};
use recovery_desk::store::HolderStore;
use std::path::Path;
use std::sync::{Arc, Barrier};
use support::holder::Svc as Service;
use support::holder::{Fixture, add_verified_email};
use support::outbox::{sent_since, sent_to};

const PASSWORD: &str = "first password 1";

/// `pat`, signed in, with a verified email and a recovery code: the service, the account id
/// and the code.
fn pat(f: &Fixture, seed: u64) -> (Service, i64, Secret) {
    let mut svc = f.service(seed);
    let p = Secret::new(PASSWORD);
    let id = svc.create_account("pat", &p, &p).unwrap();
    add_verified_email(&mut svc, "pat@example.com");
    let code = svc.generate_recovery_code().unwrap();
    (svc, id, code)
}

/// The code as a holder types it from paper: lower case, spaces for dashes.
fn from_paper(code: &Secret) -> String {
    recovery_code::format(code)
        .expose()
        .to_lowercase()
        .replace('-', " ")
}

/// A code of the right shape that is not `code`.
fn wrong_code(code: &Secret, n: u32) -> String {
    let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let c: String = (0..25)
        .map(|i| char::from(alphabet[((n as usize) * 7 + i * 3) % 32]))
        .collect();
    assert_ne!(c, code.expose());
    c
}

fn evaluated<T>(a: &Attempt<T>) -> bool {
    matches!(
        a,
        Attempt::Accepted(_) | Attempt::Wrong { .. } | Attempt::LockedNow { .. }
    )
}

/// Signs `pat` in on a fresh service (another terminal); no two-step verification.
fn signed_in(f: &Fixture, seed: u64, id: i64) -> Service {
    let mut svc = f.service(seed);
    assert_eq!(
        svc.check_password(id, &Secret::new(PASSWORD)).unwrap(),
        Attempt::Accepted(false)
    );
    svc
}

on_both_backends! {
    fn a_saved_code_typed_from_paper_works_and_still_recovers_the_account() {
        let f = Fixture::new();
        let (mut svc, id, code) = pat(&f, 1);
        assert_eq!(
            svc.check_saved_recovery_code(&from_paper(&code)).unwrap(),
            Attempt::Accepted(DrillCheck::Works)
        );
        // Checked again: it still works (it was not spent).
        assert_eq!(
            svc.check_saved_recovery_code(code.expose()).unwrap(),
            Attempt::Accepted(DrillCheck::Works)
        );
        // Locked out later, the holder recovers with that very code.
        svc.sign_out();
        let mut other = f.service(2);
        assert!(matches!(
            other.check_recovery_code(id, &from_paper(&code)).unwrap(),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
    }
}

on_both_backends! {
    fn a_superseded_code_is_not_current_and_the_new_one_is() {
        let f = Fixture::new();
        let (mut svc, _, old) = pat(&f, 3);
        let new = svc.generate_recovery_code().unwrap();
        assert_eq!(
            svc.check_saved_recovery_code(&from_paper(&old)).unwrap(),
            Attempt::Wrong { tries_left: 4 }
        );
        // A right check starts the wrong count over, as in recovery.
        assert_eq!(
            svc.check_saved_recovery_code(&from_paper(&new)).unwrap(),
            Attempt::Accepted(DrillCheck::Works)
        );
        assert_eq!(
            svc.check_saved_recovery_code(old.expose()).unwrap(),
            Attempt::Wrong { tries_left: 4 }
        );
    }
}

on_both_backends! {
    fn the_drill_grants_no_proof_and_no_session() {
        let f = Fixture::new();
        let (mut svc, id, code) = pat(&f, 4);
        svc.check_saved_recovery_code(code.expose()).unwrap();
        assert!(svc.proofs(id).is_empty());
        let np = Secret::new("a brand new password 9");
        assert!(matches!(
            svc.reset_password(id, &np, &np),
            Err(ServiceError::NoRecoveryProof)
        ));
        // Signed out, the drill is not there at all, and it signs nobody in.
        svc.sign_out();
        assert!(matches!(
            svc.check_saved_recovery_code(code.expose()),
            Err(ServiceError::NotSignedIn)
        ));
        assert_eq!(svc.signed_in(), None);
    }
}

on_both_backends! {
    fn after_ten_minutes_the_password_comes_first_and_nothing_is_counted_before_it() {
        let f = Fixture::new();
        let (mut svc, id, code) = pat(&f, 5);
        assert!(svc.require_recent_sign_in().is_ok());
        f.clock.advance(Duration::minutes(11));
        assert!(matches!(
            svc.require_recent_sign_in(),
            Err(ServiceError::ReauthRequired)
        ));
        for _ in 0..7 {
            assert!(matches!(
                svc.check_saved_recovery_code(&wrong_code(&code, 1)),
                Err(ServiceError::ReauthRequired)
            ));
        }
        assert_eq!(
            svc.store()
                .lockout(id, Guarded::RecoveryCode)
                .unwrap()
                .failures,
            0
        );
        assert_eq!(
            svc.reauthenticate(&Secret::new(PASSWORD)).unwrap(),
            Attempt::Accepted(())
        );
        assert!(svc.require_recent_sign_in().is_ok());
        assert_eq!(
            svc.check_saved_recovery_code(&wrong_code(&code, 1))
                .unwrap(),
            Attempt::Wrong { tries_left: 4 }
        );
    }
}

on_both_backends! {
    fn a_format_error_is_said_and_costs_no_try() {
        let f = Fixture::new();
        let (mut svc, _, code) = pat(&f, 6);
        for typo in ["abcde", "ABCDE-FGHJK-MNPQR-STVWX-YZ01U", ""] {
            assert!(
                matches!(
                    svc.check_saved_recovery_code(typo).unwrap(),
                    Attempt::Accepted(DrillCheck::Format(_))
                ),
                "{typo:?}"
            );
        }
        assert_eq!(
            svc.check_saved_recovery_code(&wrong_code(&code, 2))
                .unwrap(),
            Attempt::Wrong { tries_left: 4 }
        );
    }
}

on_both_backends! {
    fn without_a_code_there_is_nothing_to_check() {
        let f = Fixture::new();
        let mut svc = f.service(7);
        let p = Secret::new(PASSWORD);
        svc.create_account("nia", &p, &p).unwrap();
        assert_eq!(
            svc.check_saved_recovery_code("00000-00000-00000-00000-00000")
                .unwrap(),
            Attempt::Accepted(DrillCheck::NoCode)
        );
    }
}

on_both_backends! {
    /// The thief's move: a signed-in session (a laptop left open) and a list of candidate codes,
    /// the real one among them. The drill is no oracle: five guesses are evaluated, then code
    /// entry is locked for the drill and for recovery alike, and the real code is refused unseen.
    fn a_thief_with_a_session_and_a_list_gets_five_guesses_then_recovery_is_locked_too() {
        let f = Fixture::new();
        let (mut svc, id, code) = pat(&f, 8);
        let mut list: Vec<String> = (0..12).map(|n| wrong_code(&code, n)).collect();
        list.insert(7, from_paper(&code));
        let results: Vec<_> = list
            .iter()
            .map(|c| svc.check_saved_recovery_code(c).unwrap())
            .collect();
        assert_eq!(
            results.iter().filter(|a| evaluated(a)).count(),
            5,
            "{results:?}"
        );
        assert!(
            matches!(results[4], Attempt::LockedNow { .. }),
            "{results:?}"
        );
        assert!(
            !results.contains(&Attempt::Accepted(DrillCheck::Works)),
            "the real code was evaluated while locked: {results:?}"
        );
        // Recovery shares the counter: the right code is refused unseen there too.
        let mut other = f.service(9);
        assert!(matches!(
            other.check_recovery_code(id, code.expose()).unwrap(),
            Attempt::Locked { .. }
        ));
        // After the lock window the holder's code still works: nothing was spent.
        f.clock.advance(Duration::minutes(16));
        svc.reauthenticate(&Secret::new(PASSWORD)).unwrap();
        assert_eq!(
            svc.check_saved_recovery_code(code.expose()).unwrap(),
            Attempt::Accepted(DrillCheck::Works)
        );
    }
}

on_both_backends! {
    /// Two signed-in sessions racing (two terminals, each its own connection), recovery guesses
    /// from a third place racing too: together they get at most five evaluated guesses.
    fn racing_sessions_and_recovery_together_get_at_most_five_guesses() {
        let f = Fixture::new();
        let (_svc, id, code) = pat(&f, 10);
        let sessions: Vec<Service> = (0..2).map(|i| signed_in(&f, 20 + i, id)).collect();
        let barrier = Arc::new(Barrier::new(3));
        let mut handles = vec![];
        for (i, mut svc) in sessions.into_iter().enumerate() {
            let b = barrier.clone();
            let guesses: Vec<String> = (0..6)
                .map(|n| wrong_code(&code, 10 * i as u32 + n))
                .collect();
            handles.push(std::thread::spawn(move || {
                b.wait();
                guesses
                    .iter()
                    .map(|g| evaluated(&svc.check_saved_recovery_code(g).unwrap()))
                    .filter(|e| *e)
                    .count()
            }));
        }
        {
            let b = barrier.clone();
            let mut svc = f.service(30);
            let guesses: Vec<String> = (0..6).map(|n| wrong_code(&code, 100 + n)).collect();
            handles.push(std::thread::spawn(move || {
                b.wait();
                guesses
                    .iter()
                    .map(|g| evaluated(&svc.check_recovery_code(id, g).unwrap()))
                    .filter(|e| *e)
                    .count()
            }));
        }
        let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 5);
    }
}

on_both_backends! {
    /// Every check is told to every verified method and written as a security event, whatever
    /// it found; the notice never carries the code.
    fn every_check_is_announced_and_recorded() {
        let f = Fixture::new();
        let (mut svc, _, code) = pat(&f, 11);
        let mark = sent_to(svc.store(), "pat@example.com").len();
        svc.check_saved_recovery_code(&from_paper(&code)).unwrap();
        svc.check_saved_recovery_code(&wrong_code(&code, 3))
            .unwrap();
        let checked = sent_since(
            svc.store(),
            "pat@example.com",
            mark,
            "Your recovery code was checked",
        );
        assert_eq!(checked.len(), 2);
        assert!(checked[0].body.expose().contains("it is your current code"));
        assert!(checked[1].body.expose().contains("isn't your current code"));
        for m in &checked {
            let body = m.body.expose().to_uppercase().replace([' ', '-'], "");
            assert!(!body.contains(code.expose()));
        }
        let events: Vec<_> = svc
            .my_view()
            .unwrap()
            .events
            .into_iter()
            .filter(|e| e.kind == event::CODE_CHECKED)
            .collect();
        assert_eq!(events.len(), 2);
    }
}

on_both_backends! {
    /// The time of the last right check is kept with the code (the desk and the nudge read it);
    /// a wrong check does not set it, and a new code starts unchecked.
    fn the_last_check_is_remembered_until_a_new_code_is_generated() {
        let f = Fixture::new();
        let (mut svc, _, code) = pat(&f, 12);
        let at = |svc: &mut Service| svc.my_view().unwrap().recovery.last_checked;
        assert_eq!(at(&mut svc), None);
        svc.check_saved_recovery_code(&wrong_code(&code, 4))
            .unwrap();
        assert_eq!(at(&mut svc), None);
        f.clock.advance(Duration::minutes(3));
        let checked_at = svc.now();
        svc.check_saved_recovery_code(&from_paper(&code)).unwrap();
        assert_eq!(at(&mut svc), Some(checked_at));
        let now = svc.now();
        assert_eq!(
            recovery_drill::nudge(&svc.my_view().unwrap().recovery, now),
            None
        );
        // 180 days on, the holder is nudged again.
        f.clock.advance(Duration::days(180));
        let now = svc.now();
        assert_eq!(
            recovery_drill::nudge(&svc.my_view().unwrap().recovery, now),
            Some(Nudge::CheckedLongAgo(checked_at))
        );
        svc.reauthenticate(&Secret::new(PASSWORD)).unwrap();
        svc.generate_recovery_code().unwrap();
        assert_eq!(at(&mut svc), None);
    }
}

fn database_bytes(db: &Path) -> String {
    let mut bytes = vec![];
    for ext in ["", "-wal", "-shm"] {
        let p = format!("{}{}", db.display(), ext);
        if Path::new(&p).exists() {
            bytes.extend(std::fs::read(&p).unwrap());
        }
    }
    assert!(bytes.len() > 10_000);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The check compares with the stored Argon2id hash and stores nothing typed: the hash is
/// the same before and after, and no form of the typed codes is in the database or its WAL.
#[test]
fn the_check_compares_with_the_stored_hash_and_stores_no_typed_code() {
    let f = Fixture::new();
    let (mut svc, id, code) = pat(&f, 13);
    let (code_id, phc) = svc.store().active_recovery_code(id).unwrap().unwrap();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    let wrong = wrong_code(&code, 5);
    svc.check_saved_recovery_code(&from_paper(&code)).unwrap();
    svc.check_saved_recovery_code(&wrong).unwrap();
    assert_eq!(
        svc.store().active_recovery_code(id).unwrap(),
        Some((code_id, phc))
    );
    let hay = database_bytes(&f.db);
    for needle in [
        code.expose().to_string(),
        recovery_code::format(&code).expose().to_string(),
        from_paper(&code),
        wrong.clone(),
        recovery_code::format(&Secret::new(wrong.as_str()))
            .expose()
            .to_string(),
    ] {
        assert!(
            !hay.contains(&needle),
            "a typed code is in the database files"
        );
    }
}
