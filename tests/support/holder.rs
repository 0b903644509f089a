//! The holder's service on a real database file, for tests that tell a holder's or an
//! attacker's story through the service API: a private database, a hand-moved clock, seeded
//! services, and the one-time codes the outbox "sent".

use super::seams::{Seeded, TestClock, t0};
use recovery_desk::service::{Attempt, CodeCheck, Service};
use recovery_desk::store::Store;
use recovery_desk::store::holder::Purpose;
use recovery_desk::store::read::MethodKind;
use std::path::PathBuf;
use std::sync::Arc;

/// A private database file and the clock every service on it shares.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub db: PathBuf,
    pub clock: TestClock,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Fixture {
            db: dir.path().join("holder.db"),
            _dir: dir,
            clock: TestClock::new(t0()),
        }
    }

    /// A service with its own connection (as another process would have).
    pub fn service(&self, seed: u64) -> Service {
        Service::new(
            Store::open(&self.db).unwrap(),
            Box::new(Seeded::new(seed)),
            Arc::new(self.clock.clone()),
        )
    }
}

/// The newest six-digit code the outbox sent to `addr`.
pub fn last_code(store: &Store, addr: &str) -> String {
    codes_sent_to(store, addr)
        .pop()
        .unwrap_or_else(|| panic!("no security code was sent to {addr}"))
}

/// Every six-digit code the outbox sent to `addr`, oldest first.
pub fn codes_sent_to(store: &Store, addr: &str) -> Vec<String> {
    store
        .outbox(Some(addr))
        .unwrap()
        .iter()
        .filter(|m| m.subject == "Your security code")
        .map(|m| {
            m.body
                .expose()
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .expect("a six-digit code in the message")
                .to_string()
        })
        .collect()
}

/// Adds `addr` as an email of the signed-in holder and verifies it with the code from the
/// outbox; returns the method's id.
pub fn add_verified_email(svc: &mut Service, addr: &str) -> i64 {
    let m = svc.add_method(MethodKind::Email, addr).unwrap();
    let id = svc.signed_in().unwrap();
    let c = last_code(svc.store(), addr);
    assert_eq!(
        svc.check_code(id, m, Purpose::VerifyMethod, &c).unwrap(),
        Attempt::Accepted(CodeCheck::Ok)
    );
    m
}

/// Signs the holder in the normal way: the password, then a code sent to `address` (a verified
/// method of the account, two-step verification on).
pub fn sign_in_normally(svc: &mut Service, id: i64, password: &str, address: &str) {
    assert_eq!(
        svc.check_password(id, &recovery_desk::secret::Secret::new(password))
            .unwrap(),
        Attempt::Accepted(true)
    );
    let m = svc
        .verified_methods(id)
        .unwrap()
        .into_iter()
        .find(|m| m.address == address)
        .expect("a verified method at that address")
        .id;
    svc.send_code(id, m, Purpose::SignIn).unwrap();
    let c = last_code(svc.store(), address);
    assert_eq!(
        svc.check_code(id, m, Purpose::SignIn, &c).unwrap(),
        Attempt::Accepted(CodeCheck::Ok)
    );
    assert_eq!(svc.signed_in(), Some(id));
}
