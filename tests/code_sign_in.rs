//! Signing in with a code instead of the password (SPEC §10, issue 11 item 2), told as the
//! holder's story and the thief's moves through the service on a real database file: with
//! two-step verification off a code to a verified method signs in; with it on, the code is one
//! of the two steps and the password the other; the one-time code rules and lockout hold.

mod support;

use recovery_desk::domain::model::{MethodKind, Purpose};
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, CodeCheck, ServiceError};
use support::holder::Svc as Service;
use support::holder::{Fixture, add_verified, send_code};

const PASSWORD: &str = "quartz lantern meadow";

/// A holder `name` with a verified email (and two-step verification as `two_step`), signed
/// out; returns the service, the account id and the email's method id.
fn holder(f: &Fixture, name: &str, two_step: bool) -> (Service, i64, i64) {
    let mut svc = f.service(9);
    let p = Secret::new(PASSWORD);
    svc.create_account(name, &p, &p).unwrap();
    let m = add_verified(&mut svc, MethodKind::Email, &format!("{name}@example.com"));
    if two_step {
        svc.set_two_step(true).unwrap();
    }
    let id = svc.signed_in().unwrap();
    svc.sign_out();
    (svc, id, m)
}

fn try_code(svc: &mut Service, id: i64, m: i64, code: &str) -> Attempt<CodeCheck> {
    svc.check_code(id, m, Purpose::CodeSignIn, code).unwrap()
}

on_both_backends! {
    fn with_two_step_off_a_code_signs_in() {
        let f = Fixture::new();
        let (mut svc, id, m) = holder(&f, "pat", false);
        let code = send_code(&mut svc, id, m, Purpose::CodeSignIn);
        assert_eq!(
            try_code(&mut svc, id, m, &code),
            Attempt::Accepted(CodeCheck::Ok)
        );
        assert_eq!(svc.signed_in(), Some(id));
        // Spent: the same code does not sign in again.
        svc.sign_out();
        assert_eq!(
            try_code(&mut svc, id, m, &code),
            Attempt::Accepted(CodeCheck::NoActiveCode)
        );
        assert_eq!(svc.signed_in(), None);
    }
}

on_both_backends! {
    fn with_two_step_on_the_code_is_one_step_and_the_password_the_other() {
        let f = Fixture::new();
        let (mut svc, id, m) = holder(&f, "sam", true);
        let code = send_code(&mut svc, id, m, Purpose::CodeSignIn);
        assert!(
            !svc.awaits_password_after_code(id),
            "a code sent is not yet a step"
        );
        assert_eq!(
            try_code(&mut svc, id, m, &code),
            Attempt::Accepted(CodeCheck::Ok)
        );
        assert_eq!(svc.signed_in(), None, "a code alone is one step");
        assert!(svc.awaits_password_after_code(id));
        assert!(
            !svc.awaits_password_after_code(id + 1),
            "the step belongs to sam's account alone"
        );
        assert_eq!(
            svc.check_password(id, &Secret::new(PASSWORD)).unwrap(),
            Attempt::Accepted(false),
            "the password completes the sign-in"
        );
        assert_eq!(svc.signed_in(), Some(id));
        // Without a code first, the password alone still asks for the second step.
        svc.sign_out();
        assert_eq!(
            svc.check_password(id, &Secret::new(PASSWORD)).unwrap(),
            Attempt::Accepted(true)
        );
        assert_eq!(svc.signed_in(), None);
    }
}

on_both_backends! {
    /// The thief's move: a code for their own account (two-step on), then the stolen password of
    /// someone else's — the code says nothing about the other account.
    fn a_code_for_one_account_is_no_step_for_another() {
        let f = Fixture::new();
        let (mut svc, mine, m) = holder(&f, "mallory", true);
        let (_, victim, _) = holder(&f, "victim", true);
        let code = send_code(&mut svc, mine, m, Purpose::CodeSignIn);
        try_code(&mut svc, mine, m, &code);
        assert_eq!(
            svc.check_password(victim, &Secret::new(PASSWORD)).unwrap(),
            Attempt::Accepted(true),
            "the victim's second step is still asked for"
        );
        assert_eq!(svc.signed_in(), None);
    }
}

on_both_backends! {
    fn a_sign_in_code_serves_no_other_purpose_and_no_other_the_sign_in() {
        let f = Fixture::new();
        let (mut svc, id, m) = holder(&f, "pat", false);
        let code = send_code(&mut svc, id, m, Purpose::CodeSignIn);
        assert_eq!(
            svc.check_code(id, m, Purpose::Recovery, &code).unwrap(),
            Attempt::Accepted(CodeCheck::NoActiveCode)
        );
        let recovery = send_code(&mut svc, id, m, Purpose::Recovery);
        let r = try_code(&mut svc, id, m, &recovery);
        assert!(
            matches!(r, Attempt::Accepted(CodeCheck::Wrong { .. })),
            "a recovery code is a wrong sign-in code: {r:?}"
        );
        assert_eq!(svc.signed_in(), None);
    }
}

on_both_backends! {
    fn wrong_codes_lock_code_entry_and_an_unverified_address_gets_no_code() {
        let f = Fixture::new();
        let (mut svc, id, m) = holder(&f, "pat", false);
        let mut last = None;
        for _ in 0..5 {
            // A fresh code each time (each code allows 3 tries): the account's count locks.
            send_code(&mut svc, id, m, Purpose::CodeSignIn);
            last = Some(try_code(&mut svc, id, m, "000000"));
        }
        assert!(matches!(last, Some(Attempt::LockedNow { .. })), "{last:?}");
        let e = svc.send_code(id, m, Purpose::CodeSignIn).unwrap_err();
        assert!(matches!(e, ServiceError::Refused(_)), "{e:?}");
        // An address added but not verified can't receive a sign-in code.
        let f2 = Fixture::new();
        let mut svc = f2.service(3);
        let p = Secret::new(PASSWORD);
        svc.create_account("cody", &p, &p).unwrap();
        let unverified = svc
            .add_method(MethodKind::Email, "cody@example.com")
            .unwrap();
        let id = svc.signed_in().unwrap();
        svc.sign_out();
        let e = svc
            .send_code(id, unverified, Purpose::CodeSignIn)
            .unwrap_err();
        assert!(matches!(e, ServiceError::Refused(_)), "{e:?}");
    }
}
