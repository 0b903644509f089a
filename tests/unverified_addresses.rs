//! SPEC §4, sign-in methods: "an email or phone counts only once verified. An unverified one is
//! never matched by a desk lookup, never blocks another account from adding and verifying the
//! same address (the first to verify wins; the other's unverified row is dropped), and expires
//! after 24 hours. Phones are E.164: `+` and country code required; the message says so."
//!
//! Played through the holder's service on a real database file, with a hand-moved clock.

mod support;

use chrono::Duration;
use recovery_desk::clock::Clock;
use recovery_desk::domain::identifier::Lookup;
use recovery_desk::domain::model::MethodKind;
use recovery_desk::domain::model::Purpose;
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, CodeCheck, ServiceError};
use recovery_desk::store::StoreError;
use recovery_desk::store::{HolderStore, ReadStore};
use support::holder::Svc as Service;
use support::seams::t0;

const TAKEN: &str = "That address is already used by an account.";

/// The shared holder fixture, with the desk's lookup and the outbox beside it.
struct Fixture(support::holder::Fixture);

impl std::ops::Deref for Fixture {
    type Target = support::holder::Fixture;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Fixture {
    fn new() -> Self {
        Fixture(support::holder::Fixture::new())
    }

    /// A signed-in holder of a new account `name`.
    fn holder(&self, name: &str, seed: u64) -> Service {
        let mut svc = self.service(seed);
        let p = Secret::new("plum kettle orbit");
        svc.create_account(name, &p, &p).unwrap();
        svc
    }

    /// The desk's lookup (the same query the desk runs, over a read-only connection).
    fn desk_finds(&self, lookup: &Lookup) -> Option<String> {
        recovery_desk::store::any::AnyStore::open(
            &self.store_db.target,
            recovery_desk::store::Access::ReadOnly,
        )
        .unwrap()
        .find_account(lookup)
        .unwrap()
        .map(|a| a.username)
    }

    /// The one-time codes sent to `address`, oldest first.
    fn codes_sent_to(&self, address: &str) -> Vec<String> {
        support::outbox::codes_sent_to(&self.store(), address)
    }
}

fn verify(svc: &mut Service, method: i64, code: &str) -> Result<CodeCheck, String> {
    let account = svc.signed_in().unwrap();
    match svc.check_code(account, method, Purpose::VerifyMethod, code) {
        Ok(Attempt::Accepted(c)) => Ok(c),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e.to_string()),
    }
}

fn listed(svc: &mut Service, address: &str) -> Option<bool> {
    svc.my_view()
        .unwrap()
        .methods
        .iter()
        .find(|m| m.address == address)
        .map(|m| m.verified)
}

on_both_backends! {
    /// Mallory types Jane's address into her own account and never verifies it. It squats on
    /// nothing: the desk does not find Mallory by it, Jane adds and verifies it, and Mallory's
    /// row is dropped; Mallory's code, typed afterwards, fails with a clear sentence.
    fn an_unverified_address_blocks_nobody_and_the_first_to_verify_wins() {
        let f = Fixture::new();
        let email = Lookup::Email("jane@example.com".into());

        let mut mallory = f.holder("mallory", 1);
        let squat = mallory
            .add_method(MethodKind::Email, "jane@example.com")
            .unwrap();
        assert_eq!(listed(&mut mallory, "jane@example.com"), Some(false));
        assert_eq!(
            f.desk_finds(&email),
            None,
            "an unverified address is never matched by a desk lookup"
        );

        let mut jane = f.holder("jane", 2);
        let mine = jane
            .add_method(MethodKind::Email, "Jane@Example.com")
            .expect("another account's unverified address blocks nobody");
        let codes = f.codes_sent_to("jane@example.com");
        assert_eq!(codes.len(), 2, "one code for each account's row");
        let (mallorys_code, janes_code) = (codes[0].clone(), codes[1].clone());
        assert_eq!(verify(&mut jane, mine, &janes_code), Ok(CodeCheck::Ok));

        assert_eq!(f.desk_finds(&email).as_deref(), Some("jane"));
        assert_eq!(listed(&mut jane, "jane@example.com"), Some(true));
        assert_eq!(
            listed(&mut mallory, "jane@example.com"),
            None,
            "the loser's unverified row is dropped"
        );

        // Mallory's code was right for her row, but the address is Jane's now.
        assert_eq!(
            verify(&mut mallory, squat, &mallorys_code),
            Err(TAKEN.to_string())
        );
        match mallory.add_method(MethodKind::Email, "jane@example.com") {
            Err(e) => assert_eq!(e.to_string(), TAKEN),
            Ok(id) => panic!("a verified address was added again as method {id}"),
        }
        assert_eq!(f.desk_finds(&email).as_deref(), Some("jane"));
    }
}

on_both_backends! {
    /// Two accounts hold unverified rows for one phone and verify in turn (two processes on one
    /// database): the first wins; the second is told the address is taken, not a constraint error.
    fn verifying_an_address_another_account_verified_meanwhile_fails_cleanly() {
        let f = Fixture::new();
        let now = t0();
        let mut a = f.store();
        let mut b = f.store();
        let ann = a
            .create_account("ann", "$argon2id$placeholder", now)
            .unwrap();
        let bob = b
            .create_account("bob", "$argon2id$placeholder", now)
            .unwrap();
        let anns = a
            .add_method(ann, MethodKind::Phone, "+15550100777", now)
            .unwrap();
        let bobs = b
            .add_method(bob, MethodKind::Phone, "+15550100777", now)
            .expect("an unverified phone blocks nobody");
        a.verify_method(ann, anns, now).unwrap();
        match b.verify_method(bob, bobs, now) {
            Err(StoreError::Conflict(m)) => assert_eq!(m, TAKEN),
            other => panic!("{other:?}"),
        }
        assert!(b.methods(bob).unwrap().is_empty(), "bob's row was dropped");
        assert_eq!(
            f.desk_finds(&Lookup::Phone("+15550100777".into()))
                .as_deref(),
            Some("ann")
        );
    }
}

/// An address left unverified lapses after 24 hours: no longer shown, no longer verifiable;
/// adding it again starts over.
#[test]
fn an_unverified_address_expires_after_24_hours() {
    let f = Fixture::new();
    let mut jane = f.holder("jane", 3);
    let id = jane
        .add_method(MethodKind::Phone, "+1 555 010 4477")
        .unwrap();
    let account = jane.signed_in().unwrap();

    // A minute before the 24 hours are up it is still there, waiting.
    f.clock.advance(Duration::hours(24) - Duration::minutes(1));
    assert_eq!(listed(&mut jane, "+15550104477"), Some(false));
    // At 24 hours it is gone from the holder's screens and from the desk's view…
    f.clock.advance(Duration::minutes(1));
    assert_eq!(listed(&mut jane, "+15550104477"), None);
    let desk_view = recovery_desk::store::any::AnyStore::open(
        &f.store_db.target,
        recovery_desk::store::Access::ReadOnly,
    )
    .unwrap()
    .account_view(account, f.clock.now())
    .unwrap();
    assert!(desk_view.methods.is_empty(), "{:?}", desk_view.methods);
    // …and cannot be verified, even with a fresh code.
    jane.send_code(account, id, Purpose::VerifyMethod).unwrap();
    let code = f.codes_sent_to("+15550104477").pop().unwrap();
    let refused = verify(&mut jane, id, &code).unwrap_err();
    assert!(refused.contains("within 24 hours"), "{refused}");
    assert_eq!(listed(&mut jane, "+15550104477"), None);

    // Adding it again (after typing the password again: a day has passed) starts a new
    // verification, which works.
    assert!(matches!(
        jane.reauthenticate(&Secret::new("plum kettle orbit")),
        Ok(Attempt::Accepted(()))
    ));
    let again = jane
        .add_method(MethodKind::Phone, "+1 555 010 4477")
        .unwrap();
    assert_ne!(again, id, "a lapsed row is not revived");
    let code = f.codes_sent_to("+15550104477").pop().unwrap();
    assert_eq!(verify(&mut jane, again, &code), Ok(CodeCheck::Ok));
    assert_eq!(listed(&mut jane, "+15550104477"), Some(true));
}

on_both_backends! {
    /// A phone number without `+` and a country code is ambiguous: refused, and the message says
    /// what is missing.
    fn a_phone_without_a_country_code_is_refused_and_the_message_says_so() {
        let f = Fixture::new();
        let mut jane = f.holder("jane", 4);
        for typed in ["555-0100", "555 010 4477", "(555) 010-4477"] {
            match jane.add_method(MethodKind::Phone, typed) {
                Err(ServiceError::Identifier(e)) => {
                    let m = e.to_string();
                    assert!(m.contains("+ and the country code"), "{typed}: {m}");
                }
                other => panic!("{typed}: {other:?}"),
            }
        }
        assert!(jane.my_view().unwrap().methods.is_empty());
        assert!(Lookup::parse("555-0100").is_err());
        assert_eq!(
            Lookup::parse("+1 555 0100 777").unwrap(),
            Lookup::Phone("+15550100777".into())
        );
    }
}
