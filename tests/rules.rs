//! The rules of SPEC §1 and §4, exercised through the holder's service on a real database,
//! with a hand-moved clock and a seeded generator. Every test runs on both backends
//! (`name::sqlite`, `name::postgres`: SPEC §9's one conformance suite).

mod support;

use chrono::Duration;
use recovery_desk::domain::model::MethodKind;
use recovery_desk::domain::model::Purpose;
use recovery_desk::domain::recovery_code;
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, CodeCheck, RecoveryCheck, ResetOutcome, ServiceError};
use recovery_desk::store::ReadStore;
use std::path::Path;
use support::backend::Backend;
use support::holder::{
    Fixture, Svc as Service, add_verified, add_verified_email, prove_with_code, send_code,
    sign_in_normally, try_password, two_step_holder,
};
use support::outbox::{last_code, sent_to};
use support::seams::t0;

fn s(x: &str) -> Secret {
    Secret::new(x)
}

/// jane with a password and a recovery code (no two-step), signed out: the fixture, the
/// service, her id and the code shown.
fn jane_with_code() -> (Fixture, Service, i64, Secret) {
    let f = Fixture::new();
    let mut svc = f.service(1);
    let id = svc
        .create_account("jane", &s("a long password"), &s("a long password"))
        .unwrap();
    let code = svc.generate_recovery_code().unwrap();
    svc.sign_out();
    (f, svc, id, code)
}

/// jane: "old kettle lantern", a verified email, two-step on and a recovery code; signed out.
fn two_step_jane(seed: u64) -> (Fixture, Service, i64, Secret) {
    let f = Fixture::new();
    let (svc, id, code) =
        two_step_holder(&f, seed, "jane", "old kettle lantern", "jane@example.com");
    (f, svc, id, code)
}

fn recover(svc: &mut Service, id: i64, typed: &str) -> Attempt<RecoveryCheck> {
    svc.check_recovery_code(id, typed).unwrap()
}

trait TriesLeft {
    fn tries_left(&self) -> Option<u32>;
}
impl<T> TriesLeft for Attempt<T> {
    fn tries_left(&self) -> Option<u32> {
        match self {
            Attempt::Wrong { tries_left } => Some(*tries_left),
            _ => None,
        }
    }
}

on_both_backends! {
    fn a_code_typed_lowercase_with_spaces_verifies() {
        let (_f, mut svc, id, code) = jane_with_code();
        let shown = recovery_code::format(&code);
        let typed = shown.expose().to_lowercase().replace('-', " ");
        match recover(&mut svc, id, &typed) {
            Attempt::Accepted(RecoveryCheck::Accepted { new_code }) => {
                assert_ne!(
                    new_code.expose(),
                    code.expose(),
                    "a fresh code replaces the used one"
                );
                // The fresh code shown is the one stored: it recovers the account in turn, typed
                // the same careless way.
                let typed = recovery_code::format(&new_code)
                    .expose()
                    .to_lowercase()
                    .replace('-', " ");
                assert!(matches!(
                    recover(&mut svc, id, &typed),
                    Attempt::Accepted(RecoveryCheck::Accepted { .. })
                ));
            }
            other => panic!("{other:?}"),
        }
    }

    fn generating_a_new_code_stops_the_previous_one_at_once() {
        let f = Fixture::new();
        let mut svc = f.service(2);
        svc.create_account("jane", &s("a long password"), &s("a long password"))
            .unwrap();
        let first = svc.generate_recovery_code().unwrap();
        let second = svc.generate_recovery_code().unwrap();
        let id = svc.id_of("jane").unwrap();
        assert!(matches!(
            recover(&mut svc, id, first.expose()),
            Attempt::Wrong { tries_left: 4 }
        ));
        assert!(matches!(
            recover(&mut svc, id, second.expose()),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
        // Only one code is ever active, by the database's own unique index.
        let n = f.store_db.strings(
            "SELECT count(*) FROM recovery_codes WHERE revoked_at IS NULL AND used_at IS NULL",
        );
        assert_eq!(n, ["1"]);
    }

    fn a_used_code_is_consumed() {
        let (_f, mut svc, id, code) = jane_with_code();
        assert!(matches!(
            recover(&mut svc, id, code.expose()),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
        assert!(matches!(
            recover(&mut svc, id, code.expose()),
            Attempt::Wrong { .. }
        ));
    }

    fn format_errors_are_not_guesses() {
        let (_f, mut svc, id, _code) = jane_with_code();
        for _ in 0..10 {
            assert!(matches!(
                recover(&mut svc, id, "ABCDE"),
                Attempt::Accepted(RecoveryCheck::Format(_))
            ));
        }
        assert!(matches!(
            recover(&mut svc, id, &"0".repeat(25)),
            Attempt::Wrong { tries_left: 4 }
        ));
    }

    fn the_sixth_wrong_guess_is_refused_while_locked_and_after_a_restart() {
        let (f, mut svc, id, code) = jane_with_code();
        let wrong = "0000000000000000000000000";
        for left in (1..=4).rev() {
            assert_eq!(recover(&mut svc, id, wrong).tries_left(), Some(left));
        }
        let until = match recover(&mut svc, id, wrong) {
            Attempt::LockedNow { until } => until,
            other => panic!("{other:?}"),
        };
        assert_eq!(until, t0() + Duration::minutes(15));
        // Sixth: refused, even with the right code.
        assert!(
            matches!(recover(&mut svc, id, code.expose()), Attempt::Locked { until: u } if u == until)
        );
        drop(svc);
        // A restart does not reset it.
        let mut svc = f.service(3);
        assert!(matches!(
            recover(&mut svc, id, code.expose()),
            Attempt::Locked { .. }
        ));
        // After the lock ends, the right code works and resets the counter.
        f.clock.set(until);
        assert!(matches!(
            recover(&mut svc, id, code.expose()),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
    }

    fn lockouts_double_and_passwords_follow_the_same_rule() {
        let (f, mut svc, id, _code) = jane_with_code();
        let mut lengths = vec![];
        for _ in 0..3 {
            let mut until = None;
            for _ in 0..5 {
                if let Attempt::LockedNow { until: u } = try_password(&mut svc, id, "wrong password") {
                    until = Some(u);
                }
            }
            let until = until.expect("locked after five");
            lengths.push((until - svc.now()).num_minutes());
            assert!(matches!(
                try_password(&mut svc, id, "a long password"),
                Attempt::Locked { .. }
            ));
            f.clock.set(until);
        }
        assert_eq!(lengths, vec![15, 30, 60]);
        assert!(matches!(
            try_password(&mut svc, id, "a long password"),
            Attempt::Accepted(false)
        ));
    }

    fn with_two_step_on_the_recovery_code_alone_makes_a_change_pending_for_30_days() {
        let (f, mut svc, id, code) = two_step_jane(4);

        assert!(matches!(
            recover(&mut svc, id, code.expose()),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
        let out = svc
            .reset_password(id, &s("new willow anchor"), &s("new willow anchor"))
            .unwrap();
        assert_eq!(
            out,
            ResetOutcome::Pending {
                effective_at: t0() + Duration::days(30)
            }
        );

        // Until then, the old password still signs in (the first step) and the new one doesn't.
        assert!(matches!(
            try_password(&mut svc, id, "new willow anchor"),
            Attempt::Wrong { .. }
        ));
        f.clock.advance(Duration::days(30) - Duration::seconds(1));
        let view = svc.store().account_view(id, svc.now()).unwrap();
        assert_eq!(view.pending.len(), 1);
        assert!(matches!(
            try_password(&mut svc, id, "old kettle lantern"),
            Attempt::Accepted(true)
        ));
        svc.sign_out();

        // Still pending at the last second; the next test shows it applying when due.
        assert_eq!(
            svc.store()
                .account_view(id, svc.now())
                .unwrap()
                .pending
                .len(),
            1
        );
    }

    fn a_due_change_applies_at_sign_in_and_a_cancelled_one_never_does() {
        let f = Fixture::new();
        let mut svc = f.service(6);
        let id = svc
            .create_account("jane", &s("old kettle lantern"), &s("old kettle lantern"))
            .unwrap();
        let code = svc.generate_recovery_code().unwrap();
        // 2SV on without methods is refused...
        assert!(matches!(
            svc.set_two_step(true),
            Err(ServiceError::Refused(_))
        ));
        add_verified_email(&mut svc, "jane@example.com");
        svc.set_two_step(true).unwrap();
        svc.sign_out();
        assert!(matches!(
            recover(&mut svc, id, code.expose()),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
        svc.reset_password(id, &s("new willow anchor"), &s("new willow anchor"))
            .unwrap();

        // 30 days later the change is in effect before any password check: the old password
        // no longer signs in, the new one does (with the second step), and nobody had to sign in
        // with the old one first.
        f.clock.advance(Duration::days(30));
        assert!(matches!(
            try_password(&mut svc, id, "old kettle lantern"),
            Attempt::Wrong { .. }
        ));
        assert!(
            svc.store()
                .account_view(id, svc.now())
                .unwrap()
                .pending
                .is_empty()
        );
        sign_in_normally(&mut svc, id, "new willow anchor", "jane@example.com");
    }

    fn the_holder_can_cancel_a_pending_change_by_signing_in_normally() {
        let (f, mut svc, id, code) = two_step_jane(7);
        recover(&mut svc, id, code.expose());
        svc.reset_password(id, &s("attacker pass"), &s("attacker pass"))
            .unwrap();
        // Cancelling needs a real sign-in.
        assert!(matches!(
            svc.cancel_pending(1),
            Err(ServiceError::NotSignedIn)
        ));
        sign_in_normally(&mut svc, id, "old kettle lantern", "jane@example.com");
        let pending = svc.my_view().unwrap().pending;
        assert_eq!(pending.len(), 1);
        svc.cancel_pending(pending[0].id).unwrap();
        f.clock.advance(Duration::days(31));
        assert!(svc.my_view().unwrap().pending.is_empty());
        svc.sign_out();
        assert!(matches!(
            try_password(&mut svc, id, "attacker pass"),
            Attempt::Wrong { .. }
        ));
    }

    fn without_two_step_one_proof_applies_the_password_at_once() {
        let (_f, mut svc, id, code) = jane_with_code();
        assert!(matches!(
            svc.reset_password(id, &s("new willow anchor"), &s("new willow anchor")),
            Err(ServiceError::NoRecoveryProof)
        ));
        recover(&mut svc, id, code.expose());
        assert_eq!(
            svc.reset_password(id, &s("new willow anchor"), &s("new willow anchor"))
                .unwrap(),
            ResetOutcome::Applied {
                cancelled_pending: false
            }
        );
        assert!(matches!(
            try_password(&mut svc, id, "new willow anchor"),
            Attempt::Accepted(false)
        ));
    }

    fn with_two_step_two_different_proofs_apply_at_once() {
        let (_f, mut svc, id, code) = two_step_jane(8);
        let m = svc.verified_methods(id).unwrap()[0].id;
        prove_with_code(&mut svc, id, m, Purpose::Recovery);
        recover(&mut svc, id, code.expose());
        assert_eq!(
            svc.reset_password(id, &s("new willow anchor"), &s("new willow anchor"))
                .unwrap(),
            ResetOutcome::Applied {
                cancelled_pending: false
            }
        );
    }

    fn one_time_codes_allow_three_tries_and_expire_after_ten_minutes() {
        let f = Fixture::new();
        let mut svc = f.service(9);
        let id = svc
            .create_account("jane", &s("a long password"), &s("a long password"))
            .unwrap();
        let m = svc
            .add_method(MethodKind::Email, "jane@example.com")
            .unwrap();
        for left in [2, 1, 0] {
            match svc
                .check_code(id, m, Purpose::VerifyMethod, "000000")
                .unwrap()
            {
                Attempt::Accepted(CodeCheck::Wrong {
                    code_tries_left, ..
                }) => assert_eq!(code_tries_left, left),
                other => panic!("{other:?}"),
            }
        }
        let c = last_code(svc.store(), "jane@example.com");
        assert_eq!(
            svc.check_code(id, m, Purpose::VerifyMethod, &c).unwrap(),
            Attempt::Accepted(CodeCheck::NoActiveCode)
        );
        let c = send_code(&mut svc, id, m, Purpose::VerifyMethod);
        f.clock.advance(Duration::minutes(10));
        assert_eq!(
            svc.check_code(id, m, Purpose::VerifyMethod, &c).unwrap(),
            Attempt::Accepted(CodeCheck::NoActiveCode)
        );
    }

    fn privileged_changes_need_a_recent_sign_in() {
        let f = Fixture::new();
        let mut svc = f.service(10);
        svc.create_account("jane", &s("a long password"), &s("a long password"))
            .unwrap();
        f.clock.advance(Duration::minutes(11));
        assert!(matches!(
            svc.generate_recovery_code(),
            Err(ServiceError::ReauthRequired)
        ));
        assert!(matches!(
            svc.reauthenticate(&s("wrong one!")).unwrap(),
            Attempt::Wrong { .. }
        ));
        assert!(matches!(
            svc.reauthenticate(&s("a long password")).unwrap(),
            Attempt::Accepted(())
        ));
        svc.generate_recovery_code().unwrap();
    }

    fn notices_go_to_every_verified_method_and_events_are_written() {
        let f = Fixture::new();
        let mut svc = f.service(11);
        svc.create_account("jane", &s("a long password"), &s("a long password"))
            .unwrap();
        add_verified_email(&mut svc, "jane@example.com");
        add_verified(&mut svc, MethodKind::Phone, "+1 555 010 4477");
        svc.generate_recovery_code().unwrap();
        for addr in ["jane@example.com", "+15550104477"] {
            assert!(
                sent_to(svc.store(), addr)
                    .iter()
                    .any(|m| m.subject == "A new recovery code was generated"),
                "{addr}"
            );
        }
        let kinds: Vec<String> = svc
            .my_view()
            .unwrap()
            .events
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.contains(&"recovery_code_generated".to_string()));
    }

    fn no_plaintext_secret_in_the_database_or_wal() {
        let f = Fixture::new();
        let mut svc = f.service(12);
        svc.create_account(
            "jane",
            &s("plaintext-password-marker"),
            &s("plaintext-password-marker"),
        )
        .unwrap();
        let m = svc
            .add_method(MethodKind::Email, "jane@example.com")
            .unwrap();
        let otp = last_code(svc.store(), "jane@example.com");
        let code = svc.generate_recovery_code().unwrap();
        let id = svc.signed_in().unwrap();
        svc.check_code(id, m, Purpose::VerifyMethod, &otp).unwrap();
        let mut bytes = vec![];
        match f.store_db.backend() {
            // The file and its WAL, byte for byte.
            Backend::Sqlite => {
                for ext in ["", "-wal", "-shm"] {
                    let p = format!("{}{}", f.db.display(), ext);
                    if Path::new(&p).exists() {
                        bytes.extend(std::fs::read(&p).unwrap());
                    }
                }
            }
            // Every row of every table, as the server gives it to anyone who can read it.
            Backend::Postgres => {
                for table in f.store_db.strings(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
                ) {
                    for row in f.store_db.strings(&format!("SELECT t::text FROM {table} t")) {
                        bytes.extend(row.into_bytes());
                    }
                }
            }
        }
        // Pages of a file, or rows as text: either way more than a handful of bytes.
    let least = match f.store_db.backend() {
        Backend::Sqlite => 10_000,
        Backend::Postgres => 1_000,
    };
    assert!(bytes.len() > least, "only {} bytes read", bytes.len());
        let hay = String::from_utf8_lossy(&bytes);
        for needle in [
            "plaintext-password-marker".to_string(),
            code.expose().to_string(),
            recovery_code::format(&code).expose().to_string(),
            format!("code is {otp}"),
        ] {
            assert!(
                !hay.contains(&needle),
                "found a secret in the database files"
            );
        }
    }

    fn a_proof_older_than_ten_minutes_does_not_count_as_the_second_one() {
        let (f, mut svc, id, code) = two_step_jane(31);
        let m = svc.verified_methods(id).unwrap()[0].id;
        prove_with_code(&mut svc, id, m, Purpose::Recovery);
        f.clock.advance(Duration::minutes(11));
        // The email code is stale: the recovery code is the only proof, so the change waits.
        assert!(matches!(
            recover(&mut svc, id, code.expose()),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
        assert!(matches!(
            svc.reset_password(id, &s("new willow anchor"), &s("new willow anchor"))
                .unwrap(),
            ResetOutcome::Pending { .. }
        ));
    }

    fn proofs_for_one_account_never_help_or_hinder_another() {
        let f = Fixture::new();
        let (mut svc, jane, _) =
            two_step_holder(&f, 32, "jane", "old kettle lantern", "jane@example.com");
        let (_, bob, bob_code) =
            two_step_holder(&f, 33, "bob", "quiet harbour lamp", "bob@example.com");
        let jm = svc.verified_methods(jane).unwrap()[0].id;
        prove_with_code(&mut svc, jane, jm, Purpose::Recovery);
        // Jane's proof is not bob's: one proof of his own leaves his change pending…
        assert!(matches!(
            recover(&mut svc, bob, bob_code.expose()),
            Attempt::Accepted(RecoveryCheck::Accepted { .. })
        ));
        let bm = svc.verified_methods(bob).unwrap()[0].id;
        prove_with_code(&mut svc, bob, bm, Purpose::Recovery);
        // …and his own two apply at once.
        assert_eq!(
            svc.reset_password(bob, &s("new willow anchor"), &s("new willow anchor"))
                .unwrap(),
            ResetOutcome::Applied {
                cancelled_pending: false
            }
        );
        assert_eq!(
            try_password(&mut svc, bob, "new willow anchor"),
            Attempt::Accepted(true)
        );
    }

    fn a_change_is_allowed_until_the_sign_in_is_more_than_ten_minutes_old() {
        let f = Fixture::new();
        let mut svc = f.service(34);
        svc.create_account("jane", &s("a long password"), &s("a long password"))
            .unwrap();
        f.clock.advance(Duration::minutes(10));
        assert!(!svc.needs_reauth());
        svc.generate_recovery_code().unwrap();
        f.clock.advance(Duration::seconds(1));
        assert!(svc.needs_reauth());
        assert!(matches!(
            svc.generate_recovery_code(),
            Err(ServiceError::ReauthRequired)
        ));
    }

    fn with_two_step_on_any_method_but_the_last_verified_one_can_go() {
        let (_f, mut svc, id, _) = two_step_jane(35);
        sign_in_normally(&mut svc, id, "old kettle lantern", "jane@example.com");
        let first = svc.verified_methods(id).unwrap()[0].id;
        // An address still waiting for its code can be removed while one verified method remains.
        let unverified = svc
            .add_method(MethodKind::Email, "jane.other@example.com")
            .unwrap();
        svc.remove_method(unverified).unwrap();
        // With a second verified method, the first one can go…
        let second = add_verified(&mut svc, MethodKind::Phone, "+44 7700 900123");
        svc.remove_method(first).unwrap();
        // …but not the last.
        assert!(matches!(
            svc.remove_method(second),
            Err(ServiceError::Refused(_))
        ));
        let left: Vec<i64> = svc
            .verified_methods(id)
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(left, vec![second]);
    }

    fn with_two_step_off_even_the_last_verified_method_can_go() {
        // The rule guards two-step verification only: without it, a holder may keep no method.
        let f = Fixture::new();
        let mut svc = f.service(36);
        let id = svc
            .create_account("jane", &s("a long password"), &s("a long password"))
            .unwrap();
        let only = add_verified_email(&mut svc, "jane@example.com");
        svc.remove_method(only).unwrap();
        assert!(svc.verified_methods(id).unwrap().is_empty());
    }

    fn a_right_recovery_code_starts_the_count_of_wrong_ones_over() {
        let (_f, mut svc, id, code) = jane_with_code();
        let wrong = "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ";
        let four_wrong = |svc: &mut Service| {
            for _ in 0..4 {
                let a = recover(svc, id, wrong);
                assert!(matches!(a, Attempt::Wrong { .. }), "{a:?}");
            }
        };
        four_wrong(&mut svc);
        let a = recover(&mut svc, id, code.expose());
        assert!(
            matches!(a, Attempt::Accepted(RecoveryCheck::Accepted { .. })),
            "{a:?}"
        );
        svc.sign_out();
        // The right code cleared the count: four more wrong ones still leave a try…
        four_wrong(&mut svc);
        // …and the fifth in a row locks code entry.
        let a = recover(&mut svc, id, wrong);
        assert!(matches!(a, Attempt::LockedNow { .. }), "{a:?}");
    }

    fn a_right_password_starts_the_count_of_wrong_ones_over_even_before_the_second_step() {
        // Two-step on: the right password alone does not sign jane in, but it is not a wrong
        // guess either, so it must not leave her one try from a lockout.
        let (_f, mut svc, id, _) = two_step_jane(36);
        let four_wrong = |svc: &mut Service| {
            for _ in 0..4 {
                let a = try_password(svc, id, "Wrong-Guess-Number-3");
                assert!(matches!(a, Attempt::Wrong { .. }), "{a:?}");
            }
        };
        four_wrong(&mut svc);
        assert_eq!(
            try_password(&mut svc, id, "old kettle lantern"),
            Attempt::Accepted(true)
        );
        svc.sign_out();
        four_wrong(&mut svc);
        let a = try_password(&mut svc, id, "Wrong-Guess-Number-3");
        assert!(matches!(a, Attempt::LockedNow { .. }), "{a:?}");
    }
}
