//! The holder's service on a real database file, for tests that tell a holder's or an
//! attacker's story through the service API: a private database, a hand-moved clock and seeded
//! services (the one-time codes the outbox "sent" are read with `support::outbox`).

use super::backend::Db;
use super::outbox::last_code;
use super::seams::{Seeded, TestClock, t0};
use recovery_desk::domain::model::MethodKind;
use recovery_desk::domain::model::Purpose;
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, CodeCheck, Service};
use recovery_desk::store::{HolderStore, ReadStore};
use recovery_desk::testing::Outbox;

/// What the helpers need of a store: the holder's writes, the reads, the outbox.
pub trait Store3: HolderStore + ReadStore + Outbox {}
impl<S: HolderStore + ReadStore + Outbox> Store3 for S {}
use recovery_desk::store::Store;
use recovery_desk::store::any::AnyStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The holder's service on either backend.
pub type Svc = Service<AnyStore>;

/// A private database (of the running test's backend, `support::backend`) and the clock every
/// service on it shares.
pub struct Fixture {
    pub store_db: Db,
    /// What `--db` takes: the SQLite file, or the PostgreSQL URL.
    pub db: PathBuf,
    pub clock: TestClock,
}

impl Fixture {
    pub fn new() -> Self {
        let store_db = Db::new();
        Fixture {
            db: store_db.db_arg(),
            store_db,
            clock: TestClock::new(t0()),
        }
    }

    /// A store with its own connection (as another process would have).
    pub fn store(&self) -> AnyStore {
        self.store_db.open()
    }

    /// A service with its own connection (as another process would have).
    pub fn service(&self, seed: u64) -> Svc {
        Service::new(
            self.store(),
            Box::new(Seeded::new(seed)),
            Arc::new(self.clock.clone()),
        )
    }
}

/// Adds `addr` as an email of the signed-in holder and verifies it with the code from the
/// outbox; returns the method's id.
pub fn add_verified_email<S: Store3>(svc: &mut Service<S>, addr: &str) -> i64 {
    add_verified(svc, MethodKind::Email, addr)
}

/// Adds `addr` (an email or a phone, as `kind` says) to the signed-in holder and verifies it
/// with the code from the outbox; returns the method's id.
pub fn add_verified<S: Store3>(svc: &mut Service<S>, kind: MethodKind, addr: &str) -> i64 {
    let m = svc.add_method(kind, addr).unwrap();
    let id = svc.signed_in().unwrap();
    let c = last_code(svc.store(), &address_of(svc, id, m));
    assert_eq!(
        svc.check_code(id, m, Purpose::VerifyMethod, &c).unwrap(),
        Attempt::Accepted(CodeCheck::Ok)
    );
    m
}

/// `name` with `password`, `email` verified, two-step verification on and a recovery code;
/// signed out. Returns the service, the account's id and the recovery code.
pub fn two_step_holder(
    f: &Fixture,
    seed: u64,
    name: &str,
    password: &str,
    email: &str,
) -> (Svc, i64, Secret) {
    let mut svc = f.service(seed);
    let p = Secret::new(password);
    let id = svc.create_account(name, &p, &p).unwrap();
    add_verified_email(&mut svc, email);
    svc.set_two_step(true).unwrap();
    let code = svc.generate_recovery_code().unwrap();
    svc.sign_out();
    (svc, id, code)
}

/// The address of the account's method `m`, as stored (normalised).
pub fn address_of<S: Store3>(svc: &Service<S>, id: i64, m: i64) -> String {
    svc.store()
        .methods(id)
        .unwrap()
        .into_iter()
        .find(|row| row.id == m)
        .expect("the account's method")
        .address
}

/// Sends a one-time code for `purpose` to the account's method `m` and reads it from the
/// outbox.
pub fn send_code<S: Store3>(svc: &mut Service<S>, id: i64, m: i64, purpose: Purpose) -> String {
    svc.send_code(id, m, purpose).unwrap();
    last_code(svc.store(), &address_of(svc, id, m))
}

/// Sends a code for `purpose` to method `m` and enters it: it is accepted.
pub fn prove_with_code<S: Store3>(svc: &mut Service<S>, id: i64, m: i64, purpose: Purpose) {
    let c = send_code(svc, id, m, purpose);
    assert_eq!(
        svc.check_code(id, m, purpose, &c).unwrap(),
        Attempt::Accepted(CodeCheck::Ok)
    );
}

/// One password attempt at account `id`.
pub fn try_password<S: Store3>(svc: &mut Service<S>, id: i64, password: &str) -> Attempt<bool> {
    svc.check_password(id, &Secret::new(password)).unwrap()
}

/// Signs the holder in the normal way: the password, then a code sent to `address` (a verified
/// method of the account, two-step verification on).
pub fn sign_in_normally<S: Store3>(svc: &mut Service<S>, id: i64, password: &str, address: &str) {
    assert_eq!(try_password(svc, id, password), Attempt::Accepted(true));
    let m = svc
        .verified_methods(id)
        .unwrap()
        .into_iter()
        .find(|m| m.address == address)
        .expect("a verified method at that address")
        .id;
    prove_with_code(svc, id, m, Purpose::SignIn);
    assert_eq!(svc.signed_in(), Some(id));
}

/// A service on `db` that keeps real time, as the binary beside it does.
pub fn real_time_service(db: &Path, seed: u64) -> Service {
    Service::new(
        Store::open(db).unwrap(),
        Box::new(Seeded::new(seed)),
        recovery_desk::clock::system(),
    )
}
