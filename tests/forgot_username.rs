//! "Forgot username?" (SPEC §10, issue 11 item 3), told as the holder's story and the
//! stranger's move through the service on a real database file: the username goes only to a
//! verified, current address of the account; the answer — and the time it takes — is the same
//! whether or not the address is on an account; one reminder per address per ten minutes.

mod support;

use chrono::Duration;
use recovery_desk::domain::model::MethodKind;
use recovery_desk::secret::Secret;
use recovery_desk::service::USERNAME_REMINDER_TIME;
use recovery_desk::store::holder::USERNAME_SUBJECT;
use std::time::Instant;
use support::holder::Svc as Service;
use support::holder::{Fixture, add_verified};
use support::outbox::sent_to;

const PASSWORD: &str = "quartz lantern meadow";

/// pat, with a verified email and phone, an unverified second email, and a removed one.
fn pat(f: &Fixture) -> Service {
    let mut svc = f.service(1);
    let p = Secret::new(PASSWORD);
    svc.create_account("pat", &p, &p).unwrap();
    add_verified(&mut svc, MethodKind::Email, "pat@example.com");
    add_verified(&mut svc, MethodKind::Phone, "+15550100101");
    svc.add_method(MethodKind::Email, "pat.unverified@example.com")
        .unwrap();
    let old = add_verified(&mut svc, MethodKind::Email, "pat.old@example.com");
    svc.remove_method(old).unwrap();
    svc.sign_out();
    svc
}

/// The "Your username" messages sent to `address`.
fn reminders(svc: &Service, address: &str) -> Vec<String> {
    sent_to(svc.store(), address)
        .into_iter()
        .filter(|m| m.subject == USERNAME_SUBJECT)
        .map(|m| m.body.expose().to_string())
        .collect()
}

#[test]
fn the_username_goes_to_a_verified_address_typed_any_way() {
    let f = Fixture::new();
    let mut svc = pat(&f);
    svc.send_username("  Pat@Example.COM ").unwrap();
    let sent = reminders(&svc, "pat@example.com");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("is: pat"), "{}", sent[0]);
    svc.send_username("+1 (555) 010-0101").unwrap();
    assert_eq!(reminders(&svc, "+15550100101").len(), 1);
    // The owner sees it in their activity.
    let id = svc.id_of("pat").unwrap();
    let view = recovery_desk::store::ReadStore::account_view(svc.store(), id, svc.now()).unwrap();
    assert!(view.events.iter().any(|e| e.kind == "username_sent"));
}

on_both_backends! {
    /// The stranger's move: an unverified address they added themselves, a removed one, or any
    /// address at all — nothing is sent, and nothing in the answer differs.
    fn nothing_goes_to_an_unverified_removed_or_unknown_address_and_the_answer_is_the_same() {
        let f = Fixture::new();
        let mut svc = pat(&f);
        for address in [
            "pat.unverified@example.com",
            "pat.old@example.com",
            "nobody@example.com",
            "+15550100199",
        ] {
            let answer = svc.send_username(address);
            assert!(answer.is_ok(), "{address}: {answer:?}");
            assert!(reminders(&svc, address).is_empty(), "{address}");
        }
        // A malformed address is said at once: it tells nothing about any account.
        let e = svc.send_username("5550100101").unwrap_err().to_string();
        assert!(e.contains("country code"), "{e}");
        assert!(svc.send_username("not an address").is_err());
    }
}

on_both_backends! {
    fn known_and_unknown_addresses_take_the_same_time() {
        let f = Fixture::new();
        let mut svc = pat(&f);
        let time = |svc: &mut Service, address: &str| {
            let t = Instant::now();
            svc.send_username(address).unwrap();
            t.elapsed()
        };
        for _ in 0..2 {
            let known = time(&mut svc, "pat@example.com");
            let unknown = time(&mut svc, "stranger@example.com");
            for d in [known, unknown] {
                assert!(d >= USERNAME_REMINDER_TIME, "{d:?}");
                assert!(d < USERNAME_REMINDER_TIME * 3, "{d:?}");
            }
            let gap = known.abs_diff(unknown);
            assert!(
                gap < std::time::Duration::from_millis(150),
                "{known:?} vs {unknown:?}"
            );
        }
    }
}

on_both_backends! {
    fn one_reminder_per_address_per_ten_minutes() {
        let f = Fixture::new();
        let mut svc = pat(&f);
        for _ in 0..3 {
            svc.send_username("pat@example.com").unwrap();
        }
        assert_eq!(reminders(&svc, "pat@example.com").len(), 1);
        f.clock
            .advance(Duration::minutes(10) + Duration::seconds(1));
        svc.send_username("pat@example.com").unwrap();
        assert_eq!(reminders(&svc, "pat@example.com").len(), 2);
    }
}
