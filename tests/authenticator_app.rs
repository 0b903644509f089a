//! Authenticator apps (SPEC §10, issue 11 item 1), told as the holder's story and the thief's
//! moves through the service on a real database file, codes computed the way a phone app
//! computes them (RFC 6238) from the secret the holder was shown.

mod support;

use chrono::Duration;
use recovery_desk::domain::model::{MethodKind, Purpose};
use recovery_desk::domain::totp;
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, CodeCheck, ResetOutcome, ServiceError};
use recovery_desk::store::ReadStore;
use support::holder::Svc as Service;
use support::holder::{Fixture, add_verified, prove_with_code};

const PASSWORD: &str = "quartz lantern meadow";
const NEW_PASSWORD: &str = "copper violin harbor";

/// What the holder's phone shows now for `secret` (base32, as shown on screen).
fn app_code(svc: &Service, secret: &str) -> String {
    let raw = totp::from_base32(secret).unwrap();
    totp::code_at_step(&raw, totp::step_at(svc.now().timestamp()))
}

/// pat, signed in, with a verified email and an authenticator app added and confirmed;
/// returns the service, the account id and the app's secret as shown.
fn pat_with_app(f: &Fixture) -> (Service, i64, String) {
    let mut svc = f.service(5);
    let p = Secret::new(PASSWORD);
    svc.create_account("pat", &p, &p).unwrap();
    add_verified(&mut svc, MethodKind::Email, "pat@example.com");
    let id = svc.signed_in().unwrap();
    let new = svc.begin_add_app().unwrap();
    let secret = new.secret.expose().to_string();
    assert!(new.uri.expose().contains(&format!("secret={secret}")));
    let code = app_code(&svc, &secret);
    assert_eq!(
        svc.confirm_app(&code).unwrap(),
        Attempt::Accepted(CodeCheck::Ok)
    );
    (svc, id, secret)
}

/// The next 30-second step, so a fresh code exists (the one used is never taken again).
fn next_step(f: &Fixture) {
    f.clock.advance(Duration::seconds(totp::STEP_SECONDS));
}

on_both_backends! {
    fn adding_an_app_takes_a_current_code_and_tells_the_holder() {
        let f = Fixture::new();
        let (svc, id, _) = pat_with_app(&f);
        let view = svc.store().account_view(id, svc.now()).unwrap();
        assert_eq!(view.app.map(|a| a.added_at), Some(svc.now()));
        assert!(
            view.events
                .iter()
                .any(|e| e.kind == "authenticator_app_added")
        );
        let notices = svc.store().outbox(Some("pat@example.com")).unwrap();
        assert!(
            notices
                .iter()
                .any(|m| m.subject == "An authenticator app was added")
        );
    }
}

on_both_backends! {
    fn a_wrong_code_does_not_add_the_app() {
        let f = Fixture::new();
        let mut svc = f.service(5);
        let p = Secret::new(PASSWORD);
        svc.create_account("pat", &p, &p).unwrap();
        let id = svc.signed_in().unwrap();
        let new = svc.begin_add_app().unwrap();
        let right = app_code(&svc, new.secret.expose());
        let wrong = if right == "000000" {
            "111111"
        } else {
            "000000"
        };
        assert!(matches!(
            svc.confirm_app(wrong).unwrap(),
            Attempt::Accepted(CodeCheck::Wrong { .. })
        ));
        assert_eq!(svc.store().account_view(id, svc.now()).unwrap().app, None);
    }
}

on_both_backends! {
    fn the_app_is_the_second_step_and_a_code_is_taken_once() {
        let f = Fixture::new();
        let (mut svc, id, secret) = pat_with_app(&f);
        svc.set_two_step(true).unwrap();
        svc.sign_out();
        next_step(&f);
        assert_eq!(
            svc.check_password(id, &Secret::new(PASSWORD)).unwrap(),
            Attempt::Accepted(true)
        );
        let code = app_code(&svc, &secret);
        assert_eq!(
            svc.check_app_code(id, Purpose::SignIn, &code).unwrap(),
            Attempt::Accepted(CodeCheck::Ok)
        );
        assert_eq!(svc.signed_in(), Some(id));
        // The thief who saw it over the shoulder, within the same 30 seconds: refused.
        svc.sign_out();
        svc.check_password(id, &Secret::new(PASSWORD)).unwrap();
        assert!(matches!(
            svc.check_app_code(id, Purpose::SignIn, &code).unwrap(),
            Attempt::Accepted(CodeCheck::Wrong { .. })
        ));
        assert_eq!(svc.signed_in(), None);
        // Without the password first, an app code is no second step.
        svc.sign_out();
        next_step(&f);
        let code = app_code(&svc, &secret);
        assert!(matches!(
            svc.check_app_code(id, Purpose::SignIn, &code),
            Err(ServiceError::NotSignedIn)
        ));
    }
}

on_both_backends! {
    fn a_clock_a_step_off_is_taken_and_two_steps_off_is_not() {
        let f = Fixture::new();
        let (mut svc, id, secret) = pat_with_app(&f);
        svc.sign_out();
        let raw = totp::from_base32(&secret).unwrap();
        let step = totp::step_at(svc.now().timestamp());
        // Two steps ahead of the server: refused; one step ahead (next step): taken.
        let far = totp::code_at_step(&raw, step + 2);
        assert!(matches!(
            svc.check_app_code(id, Purpose::CodeSignIn, &far).unwrap(),
            Attempt::Accepted(CodeCheck::Wrong { .. })
        ));
        let near = totp::code_at_step(&raw, step + 1);
        assert_eq!(
            svc.check_app_code(id, Purpose::CodeSignIn, &near).unwrap(),
            Attempt::Accepted(CodeCheck::Ok)
        );
        assert_eq!(
            svc.signed_in(),
            Some(id),
            "two-step off: the app code signs in"
        );
    }
}

on_both_backends! {
    fn wrong_app_codes_lock_like_any_one_time_code() {
        let f = Fixture::new();
        let (mut svc, id, secret) = pat_with_app(&f);
        svc.sign_out();
        let mut last = None;
        for _ in 0..5 {
            last = Some(
                svc.check_app_code(id, Purpose::CodeSignIn, "000001")
                    .unwrap(),
            );
        }
        assert!(matches!(last, Some(Attempt::LockedNow { .. })), "{last:?}");
        next_step(&f);
        let right = app_code(&svc, &secret);
        assert!(matches!(
            svc.check_app_code(id, Purpose::CodeSignIn, &right).unwrap(),
            Attempt::Locked { .. }
        ));
    }
}

on_both_backends! {
    /// A reset with two proofs, the app one of them, applies at once (two-step on).
    fn the_app_is_a_reset_proof() {
        let f = Fixture::new();
        let (mut svc, id, secret) = pat_with_app(&f);
        svc.set_two_step(true).unwrap();
        svc.sign_out();
        next_step(&f);
        let code = app_code(&svc, &secret);
        assert_eq!(
            svc.check_app_code(id, Purpose::Recovery, &code).unwrap(),
            Attempt::Accepted(CodeCheck::Ok)
        );
        let email = svc.verified_methods(id).unwrap()[0].id;
        prove_with_code(&mut svc, id, email, Purpose::Recovery);
        let p = Secret::new(NEW_PASSWORD);
        let done = svc.reset_password(id, &p, &p).unwrap();
        assert!(matches!(done, ResetOutcome::Applied { .. }), "{done:?}");
    }
}

on_both_backends! {
    fn removing_the_app_needs_a_recent_sign_in_and_keeps_two_step_reachable() {
        let f = Fixture::new();
        let mut svc = f.service(5);
        let p = Secret::new(PASSWORD);
        svc.create_account("tess", &p, &p).unwrap();
        let new = svc.begin_add_app().unwrap();
        let code = app_code(&svc, new.secret.expose());
        svc.confirm_app(&code).unwrap();
        // The app alone lets two-step verification go on.
        svc.set_two_step(true).unwrap();
        let e = svc.remove_app().unwrap_err();
        assert!(matches!(e, ServiceError::Refused(_)), "{e:?}");
        svc.set_two_step(false).unwrap();
        f.clock.advance(Duration::minutes(11));
        assert!(matches!(
            svc.remove_app(),
            Err(ServiceError::ReauthRequired)
        ));
        svc.reauthenticate(&p).unwrap();
        svc.remove_app().unwrap();
        let id = svc.signed_in().unwrap();
        assert_eq!(svc.store().account_view(id, svc.now()).unwrap().app, None);
    }
}

on_both_backends! {
    /// An app the holder began to add but never confirmed is no way in: its codes sign no one in
    /// and prove nothing, until a current code confirms it.
    fn an_app_not_yet_confirmed_is_no_way_in() {
        let f = Fixture::new();
        let mut svc = f.service(5);
        let p = Secret::new(PASSWORD);
        svc.create_account("ivo", &p, &p).unwrap();
        add_verified(&mut svc, MethodKind::Email, "ivo@example.com");
        let id = svc.signed_in().unwrap();
        let new = svc.begin_add_app().unwrap();
        let secret = new.secret.expose().to_string();
        svc.sign_out();
        for purpose in [Purpose::CodeSignIn, Purpose::Recovery] {
            let code = app_code(&svc, &secret);
            assert_eq!(
                svc.check_app_code(id, purpose, &code).unwrap(),
                Attempt::Accepted(CodeCheck::NoActiveCode),
                "{purpose:?}"
            );
        }
        assert_eq!(svc.signed_in(), None);
    }
}

on_both_backends! {
    /// With no email or phone, the recovery code is the second step of a sign-in (SPEC §4) — but
    /// not while an app is there to be the second step; removing the app makes it one again.
    fn the_recovery_code_is_no_second_step_while_an_app_is() {
        let f = Fixture::new();
        let mut svc = f.service(5);
        let p = Secret::new(PASSWORD);
        svc.create_account("una", &p, &p).unwrap();
        let id = svc.signed_in().unwrap();
        assert!(svc.recovery_code_is_second_step(id).unwrap());
        let new = svc.begin_add_app().unwrap();
        let code = app_code(&svc, new.secret.expose());
        svc.confirm_app(&code).unwrap();
        assert!(!svc.recovery_code_is_second_step(id).unwrap());
        svc.remove_app().unwrap();
        assert!(svc.recovery_code_is_second_step(id).unwrap());
    }
}

/// The thief with the database file: the secret is nowhere in it, in any form.
#[test]
fn the_secret_is_sealed_in_the_database() {
    let f = Fixture::new();
    let (svc, _, secret) = pat_with_app(&f);
    drop(svc);
    let raw = totp::from_base32(&secret).unwrap();
    for file in ["holder.db", "holder.db-wal"] {
        let Ok(bytes) = std::fs::read(f.db.with_file_name(file)) else {
            continue;
        };
        assert!(
            !bytes.windows(raw.len()).any(|w| w == raw.as_slice()),
            "{file}"
        );
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{file}"
        );
    }
}

on_both_backends! {
    /// Two consoles holding the same code, racing: the store takes a step once, in one statement,
    /// whatever each read before (the second is refused even if its check passed).
    fn the_store_takes_a_step_once_whoever_asks_first() {
        use recovery_desk::store::HolderStore;
        let f = Fixture::new();
        let (svc, id, _) = pat_with_app(&f);
        drop(svc);
        let mut a = f.store();
        let mut b = f.store();
        let app = a.live_app(id).unwrap().unwrap();
        let next = app.last_step + 1;
        let now = recovery_desk::clock::Clock::now(&f.clock);
        assert!(a.use_app_step(id, app.id, next, now).unwrap());
        assert!(
            !b.use_app_step(id, app.id, next, now).unwrap(),
            "the same step twice"
        );
        assert!(
            !b.use_app_step(id, app.id, next - 1, now).unwrap(),
            "an older step"
        );
        assert!(b.use_app_step(id, app.id, next + 1, now).unwrap());
    }
}
