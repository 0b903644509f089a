//! The account holder's operations: rules from `domain`, storage through the store's
//! `HolderStore` + `ReadStore` traits (any backend), Argon2 from `secret`. The worker thread
//! owns one `Service`; nothing here touches a terminal.
//!
//! The service, not the screens, enforces the promises: attempts while locked are refused
//! before any hashing; privileged changes need a sign-in within the last 10 minutes; a
//! password reset needs recovery proofs gathered in this same session.

use crate::clock::SharedClock;
use crate::domain::identifier::{self, IdentifierError};
use crate::domain::lockout::{AfterFailure, Guarded};
use crate::domain::model::{AccountView, MethodKind, MethodRow, Purpose};
use crate::domain::one_time;
use crate::domain::password::{self, PasswordRuleError};
use crate::domain::pending_change;
use crate::domain::recovery_code::{self, CodeFormatError};
use crate::secret::{self, Entropy, Secret, SecretError};
use crate::store::holder::{OneTimeReservation, Reservation};
use crate::store::keyfile::constant_time_eq;
use crate::store::outbox::Message;
use crate::store::{HolderStore, ReadStore, Store, StoreError};
use chrono::{DateTime, Duration, Utc};

/// How long "Forgot username?" takes, whether or not the address is on an account: more than
/// a lookup and a sent message take, so the time says nothing about the address.
pub const USERNAME_REMINDER_TIME: std::time::Duration = std::time::Duration::from_millis(400);

/// An authenticator app being added: what the holder's app needs, shown once.
pub struct NewApp {
    /// The secret in base32, as apps take it typed.
    pub secret: Secret,
    /// The `otpauth://` URI (what the QR code holds).
    pub uri: Secret,
}

impl std::fmt::Debug for NewApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewApp { .. }")
    }
}

/// Who issues the app's codes, as the app shows it.
pub const APP_ISSUER: &str = "recovery-desk";

/// How long a sign-in counts as recent for privileged changes.
pub const REAUTH_MINUTES: i64 = 10;
/// How long recovery proofs stay valid while the holder sets a new password.
pub const GRANT_MINUTES: i64 = pending_change::PROOF_VALID_MINUTES;

/// Why an operation did not happen; each message is a sentence for the holder.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("We couldn't find an account with that username.")]
    NoSuchAccount,
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
    #[error(transparent)]
    Password(#[from] PasswordRuleError),
    #[error("For your security, enter your password again to make this change.")]
    ReauthRequired,
    #[error("You're not signed in.")]
    NotSignedIn,
    #[error("Verify your identity first.")]
    NoRecoveryProof,
    #[error("That's your current password. Choose a new one.")]
    SamePassword,
    #[error("{0}")]
    Refused(&'static str),
}

pub type Result<T> = std::result::Result<T, ServiceError>;

/// The outcome of a guessed secret (password, recovery code, one-time code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt<T> {
    Accepted(T),
    /// Wrong; this many tries before a lockout.
    Wrong {
        tries_left: u32,
    },
    /// Wrong, and this attempt started a lockout.
    LockedNow {
        until: DateTime<Utc>,
    },
    /// Refused without checking: entry is locked.
    Locked {
        until: DateTime<Utc>,
    },
    /// Refused without checking: 100 wrong answers in a row; entry stays locked until the
    /// holder gets in another way (or, for a recovery code, generates a new one).
    Blocked,
}

impl<T> Attempt<T> {
    /// The same attempt with its accepted value turned into another.
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Attempt<U> {
        match self {
            Attempt::Accepted(v) => Attempt::Accepted(f(v)),
            Attempt::Wrong { tries_left } => Attempt::Wrong { tries_left },
            Attempt::LockedNow { until } => Attempt::LockedNow { until },
            Attempt::Locked { until } => Attempt::Locked { until },
            Attempt::Blocked => Attempt::Blocked,
        }
    }

    fn from_failure(after: AfterFailure) -> Attempt<T> {
        match after {
            AfterFailure::TriesLeft(n) => Attempt::Wrong { tries_left: n },
            AfterFailure::LockedUntil(until) => Attempt::LockedNow { until },
            AfterFailure::Blocked => Attempt::Blocked,
        }
    }
}

/// A one-time code's own limits, beyond the account-wide counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    Ok,
    /// Wrong; tries left on this code.
    Wrong {
        code_tries_left: u32,
        tries_left: u32,
    },
    /// No usable code (expired, used up, or never sent): ask for a new one.
    NoActiveCode,
    /// Not six digits.
    Malformed,
}

/// A recovery code check's extra outcomes.
#[derive(Debug)]
pub enum RecoveryCheck {
    /// Accepted: the old code is spent, and this is its successor, shown once.
    Accepted {
        new_code: Secret,
    },
    Format(CodeFormatError),
    /// The account has no active recovery code.
    NoCode,
}

/// What the recovery drill found (SPEC §10). A wrong code is an [`Attempt::Wrong`] (or
/// [`Attempt::LockedNow`]): it counts on the recovery code's lockout like a recovery guess.
/// Nothing about the stored code comes back: not the code, not a part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillCheck {
    /// The typed code is the current recovery code. It is not spent: it still works.
    Works,
    Format(CodeFormatError),
    /// The account has no active recovery code.
    NoCode,
}

/// What a password reset did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The new password works now. `cancelled_pending`: an older change that was waiting
    /// was cancelled (it would otherwise have replaced this password on its date).
    Applied {
        cancelled_pending: bool,
    },
    Pending {
        effective_at: DateTime<Utc>,
    },
}

pub use crate::domain::model::Proof;

#[derive(Debug, Clone)]
struct Grant {
    account_id: i64,
    proofs: Vec<Proof>,
    at: DateTime<Utc>,
    /// The recovery code a recovery in this grant issued (shown to whoever ran it).
    issued_code: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
struct Session {
    account_id: i64,
    last_auth: DateTime<Utc>,
}

/// The holder's operations over one store: anything that is both a [`HolderStore`] and a
/// [`ReadStore`] (the SQLite [`Store`] by default).
pub struct Service<S = Store> {
    store: S,
    entropy: Box<dyn Entropy>,
    clock: SharedClock,
    session: Option<Session>,
    grant: Option<Grant>,
    /// Password accepted, waiting for the second step.
    half_signed_in: Option<i64>,
    /// A sign-in code accepted on an account with two-step verification on: its password is
    /// the second step.
    code_first: Option<i64>,
    /// Argon2's cost for the hashes this service writes: OWASP's, always, in the product.
    cost: secret::Cost,
}

impl<S: HolderStore + ReadStore> std::fmt::Debug for Service<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.store)
            .finish()
    }
}

impl<S: HolderStore + ReadStore> Service<S> {
    pub fn new(store: S, entropy: Box<dyn Entropy>, clock: SharedClock) -> Self {
        Service {
            store,
            entropy,
            clock,
            session: None,
            grant: None,
            half_signed_in: None,
            code_first: None,
            cost: secret::Cost::OWASP,
        }
    }

    /// The same service writing hashes at Argon2's smallest cost: for tests that walk
    /// thousands of accounts (the helper's oracle). Only in the test driver's build.
    #[cfg(feature = "testing")]
    pub fn with_minimal_hash_cost_for_tests(mut self) -> Self {
        self.cost = secret::Cost::TESTS_ONLY_MINIMAL;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The signed-in account, if any.
    pub fn signed_in(&self) -> Option<i64> {
        self.session.map(|s| s.account_id)
    }

    fn hash(&mut self, s: &Secret) -> Result<String> {
        Ok(secret::hash_at(self.cost, s, self.entropy.as_mut())?)
    }

    fn account_id(&self, username: &str) -> Result<i64> {
        let u = identifier::username(username)?;
        self.store
            .account_by_username(&u)?
            .map(|a| a.id)
            .ok_or(ServiceError::NoSuchAccount)
    }

    /// Creates an account and signs it in.
    pub fn create_account(
        &mut self,
        username: &str,
        pass: &Secret,
        confirm: &Secret,
    ) -> Result<i64> {
        let u = identifier::username(username)?;
        password::check(pass, confirm, &u)?;
        if self.store.account_by_username(&u)?.is_some() {
            return Err(StoreError::Conflict("That username is taken. Try another.").into());
        }
        let h = self.hash(pass)?;
        let now = self.now();
        let id = self.store.create_account(&u, &h, now)?;
        self.session = Some(Session {
            account_id: id,
            last_auth: now,
        });
        Ok(id)
    }

    /// Looks up the account a username names (first step of signing in or recovering).
    pub fn find(&self, username: &str) -> Result<AccountView> {
        let id = self.account_id(username)?;
        Ok(self.store.account_view(id, self.now())?)
    }

    /// The account's verified methods (where codes can be sent).
    pub fn verified_methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        Ok(self
            .store
            .methods(account_id)?
            .into_iter()
            .filter(|m| m.verified)
            .collect())
    }

    /// Reserves the attempt first (refused while locked; otherwise counted as a failure in
    /// one transaction), then evaluates it; a success clears the count. Any number of racing
    /// sessions together get at most 5 evaluated guesses per lock window.
    fn guarded<T>(
        &mut self,
        account_id: i64,
        what: Guarded,
        check: impl FnOnce(&mut Self) -> Result<Option<T>>,
    ) -> Result<Attempt<T>> {
        let now = self.now();
        let after = match self.store.reserve_attempt(account_id, what, now)? {
            Reservation::Locked(until) => return Ok(Attempt::Locked { until }),
            Reservation::Blocked => return Ok(Attempt::Blocked),
            Reservation::Go(after) => after,
        };
        match check(self)? {
            Some(v) => {
                self.store.record_success(account_id, what)?;
                Ok(Attempt::Accepted(v))
            }
            None => {
                self.store.confirm_failure(account_id, what, after, now)?;
                Ok(Attempt::from_failure(after))
            }
        }
    }

    /// Password step of signing in. A pending change that is due is applied first, so from
    /// its date the new password signs in and the old one does not. `Accepted(true)` means a
    /// second step is needed.
    pub fn check_password(&mut self, account_id: i64, pass: &Secret) -> Result<Attempt<bool>> {
        self.store.apply_due_changes(account_id, self.now())?;
        let a = self.guarded(account_id, Guarded::Password, |me| {
            // Read after the reservation: the hash current when the guess is evaluated.
            let phc = me.store.password_hash(account_id)?;
            Ok(secret::verify(pass, &phc)?.then_some(()))
        })?;
        if !matches!(a, Attempt::Accepted(())) {
            return Ok(a.map(|()| false));
        }
        if self.store.account(account_id)?.two_step && self.code_first != Some(account_id) {
            self.half_signed_in = Some(account_id);
            Ok(Attempt::Accepted(true))
        } else {
            // Two-step verification off, or the password is the second step after a code.
            self.complete_sign_in(account_id)?;
            Ok(Attempt::Accepted(false))
        }
    }

    /// Whether the recovery code counts as the second step of a sign-in (SPEC §4): when the
    /// account has no verified method left, or when its password was set by a change made
    /// through recovery that waited its 30 days — the wait was the check, and a holder who
    /// lost their email and phone gets back in with the code that recovery showed them.
    pub fn recovery_code_is_second_step(&self, account_id: i64) -> Result<bool> {
        Ok(
            (self.verified_methods(account_id)?.is_empty() && !self.has_app(account_id)?)
                || self.store.password_from_waited_change(account_id)?,
        )
    }

    /// Second step of signing in with the recovery code, where it counts as one
    /// ([`Service::recovery_code_is_second_step`]): the code is spent and a fresh one
    /// returned, shown once.
    pub fn second_step_with_recovery_code(
        &mut self,
        account_id: i64,
        typed: &str,
    ) -> Result<Attempt<RecoveryCheck>> {
        if self.half_signed_in != Some(account_id) {
            return Err(ServiceError::NotSignedIn);
        }
        if !self.recovery_code_is_second_step(account_id)? {
            return Err(ServiceError::Refused(
                "Use a code sent to one of your verification options.",
            ));
        }
        let (a, _) = self.spend_recovery_code(account_id, typed)?;
        if let Attempt::Accepted(RecoveryCheck::Accepted { .. }) = &a {
            self.complete_sign_in(account_id)?;
        }
        Ok(a)
    }

    /// A sign-in code (sent, or from the app) was right: with two-step verification off that
    /// signs in; with it on, the password is the second step.
    fn signed_in_by_code(&mut self, account_id: i64) -> Result<()> {
        if self.store.account(account_id)?.two_step {
            self.code_first = Some(account_id);
            Ok(())
        } else {
            self.complete_sign_in(account_id)
        }
    }

    fn complete_sign_in(&mut self, account_id: i64) -> Result<()> {
        let now = self.now();
        self.store.apply_due_changes(account_id, now)?;
        self.store.record_sign_in(account_id, now)?;
        self.session = Some(Session {
            account_id,
            last_auth: now,
        });
        self.half_signed_in = None;
        self.code_first = None;
        Ok(())
    }

    /// Sends a one-time code to one of the account's methods.
    pub fn send_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
    ) -> Result<String> {
        let m = self
            .store
            .methods(account_id)?
            .into_iter()
            .find(|m| m.id == method_id)
            .ok_or(StoreError::NotFound("sign-in method"))?;
        if purpose != Purpose::VerifyMethod && !m.verified {
            return Err(ServiceError::Refused("That method isn't verified yet."));
        }
        let now = self.now();
        let lock = self.store.lockout(account_id, Guarded::OneTimeCode)?;
        if lock.blocked() || lock.locked_at(now).is_some() {
            return Err(ServiceError::Refused(
                "Too many wrong security codes. Try again later.",
            ));
        }
        let code = one_time::generate(self.entropy.as_mut())?;
        let h = self
            .store
            .one_time_mac(account_id, method_id, purpose, &code)?;
        let body = Secret::new(format!(
            "Your recovery-desk security code is {}. It works for {} minutes. Nobody from support will ever ask you for it.",
            code.expose(),
            one_time::VALID_MINUTES
        ));
        let msg = Message {
            channel: m.kind,
            address: m.address.clone(),
            subject: "Your security code".into(),
            body,
        };
        self.store
            .issue_one_time_code(account_id, method_id, purpose, &h, &msg, now)?;
        Ok(m.masked())
    }

    /// Checks a one-time code typed for a method: accepted only for the account and method
    /// it was sent to, and for its purpose. The guess is reserved (a try of that code and a
    /// failure on the account) before the comparison.
    pub fn check_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        typed: &str,
    ) -> Result<Attempt<CodeCheck>> {
        let Some(code) = one_time::normalise(typed) else {
            return Ok(Attempt::Accepted(CodeCheck::Malformed));
        };
        if purpose == Purpose::SignIn && self.half_signed_in != Some(account_id) {
            return Err(ServiceError::NotSignedIn);
        }
        let now = self.now();
        let (row, after, code_tries_left) = match self
            .store
            .reserve_one_time_code(account_id, method_id, purpose, now)?
        {
            OneTimeReservation::Locked(until) => return Ok(Attempt::Locked { until }),
            OneTimeReservation::Blocked => return Ok(Attempt::Blocked),
            OneTimeReservation::NoActiveCode => {
                return Ok(Attempt::Accepted(CodeCheck::NoActiveCode));
            }
            OneTimeReservation::Go {
                row,
                after,
                code_tries_left,
            } => (row, after, code_tries_left),
        };
        let mac = self
            .store
            .one_time_mac(account_id, method_id, purpose, &code)?;
        if constant_time_eq(&mac, &row.code_hash)
            && self.store.one_time_code_used(account_id, row.id, now)?
        {
            match purpose {
                Purpose::VerifyMethod => self.store.verify_method(account_id, method_id, now)?,
                Purpose::SignIn => self.complete_sign_in(account_id)?,
                Purpose::CodeSignIn => self.signed_in_by_code(account_id)?,
                Purpose::Recovery => self.add_proof(account_id, Proof::MethodCode(method_id)),
            }
            return Ok(Attempt::Accepted(CodeCheck::Ok));
        }
        self.store
            .confirm_failure(account_id, Guarded::OneTimeCode, after, now)?;
        Ok(match after {
            AfterFailure::TriesLeft(n) => Attempt::Accepted(CodeCheck::Wrong {
                code_tries_left,
                tries_left: n,
            }),
            other => Attempt::from_failure(other),
        })
    }

    fn add_proof(&mut self, account_id: i64, p: Proof) {
        let now = self.now();
        match &mut self.grant {
            Some(g)
                if g.account_id == account_id && now - g.at <= Duration::minutes(GRANT_MINUTES) =>
            {
                if !g.proofs.contains(&p) {
                    g.proofs.push(p);
                }
            }
            _ => {
                self.grant = Some(Grant {
                    account_id,
                    proofs: vec![p],
                    at: now,
                    issued_code: None,
                })
            }
        }
    }

    /// The proofs gathered so far for `account_id` (for screens deciding what to ask next).
    pub fn proofs(&self, account_id: i64) -> Vec<Proof> {
        let now = self.now();
        self.grant
            .as_ref()
            .filter(|g| {
                g.account_id == account_id && now - g.at <= Duration::minutes(GRANT_MINUTES)
            })
            .map(|g| g.proofs.clone())
            .unwrap_or_default()
    }

    /// Checks a typed recovery code. A format error is not a guess and costs nothing; a right
    /// code is consumed and a fresh one generated at once (shown once by the caller).
    pub fn check_recovery_code(
        &mut self,
        account_id: i64,
        typed: &str,
    ) -> Result<Attempt<RecoveryCheck>> {
        let (a, issued) = self.spend_recovery_code(account_id, typed)?;
        if let (Attempt::Accepted(RecoveryCheck::Accepted { .. }), Some(id)) = (&a, issued) {
            self.add_proof(account_id, Proof::RecoveryCode);
            if let Some(g) = &mut self.grant {
                g.issued_code = Some(id);
            }
        }
        Ok(a)
    }

    /// Verifies and spends the active recovery code, storing its successor; returns the
    /// successor's row id when accepted.
    fn spend_recovery_code(
        &mut self,
        account_id: i64,
        typed: &str,
    ) -> Result<(Attempt<RecoveryCheck>, Option<i64>)> {
        let canonical = match recovery_code::normalise(typed) {
            Ok(c) => c,
            Err(e) => return Ok((Attempt::Accepted(RecoveryCheck::Format(e)), None)),
        };
        if self.store.active_recovery_code(account_id)?.is_none() {
            return Ok((Attempt::Accepted(RecoveryCheck::NoCode), None));
        }
        let mut issued = None;
        let a = self.guarded(account_id, Guarded::RecoveryCode, |me| {
            let Some((code_id, phc)) = me.store.active_recovery_code(account_id)? else {
                return Ok(None);
            };
            if !secret::verify(&canonical, &phc)? {
                return Ok(None);
            }
            let successor = recovery_code::generate(me.entropy.as_mut())?;
            let h = me.hash(&successor)?;
            match me
                .store
                .consume_recovery_code(account_id, code_id, &h, me.now())?
            {
                Some(id) => {
                    issued = Some(id);
                    Ok(Some(successor))
                }
                None => Err(ServiceError::Refused(
                    "That code was replaced a moment ago. Use the newest code.",
                )),
            }
        })?;
        Ok((
            a.map(|new_code| RecoveryCheck::Accepted { new_code }),
            issued,
        ))
    }

    /// Sets a new password after recovery. With two-step verification on and fewer than two
    /// different proofs, the change waits 30 days.
    pub fn reset_password(
        &mut self,
        account_id: i64,
        pass: &Secret,
        confirm: &Secret,
    ) -> Result<ResetOutcome> {
        let proofs = self.proofs(account_id);
        if proofs.is_empty() {
            return Err(ServiceError::NoRecoveryProof);
        }
        let account = self.store.account(account_id)?;
        password::check(pass, confirm, &account.username)?;
        if secret::verify(pass, &self.store.password_hash(account_id)?)? {
            return Err(ServiceError::SamePassword);
        }
        let h = self.hash(pass)?;
        let now = self.now();
        let issued_code = self.grant.as_ref().and_then(|g| g.issued_code);
        self.grant = None;
        if pending_change::must_wait(account.two_step, proofs.len()) {
            // One proof: the notice names it (a code sent to which address, or the
            // recovery code).
            let (_, effective_at) =
                self.store
                    .create_pending_password(account_id, &h, issued_code, proofs[0], now)?;
            Ok(ResetOutcome::Pending { effective_at })
        } else {
            let cancelled_pending = self.store.set_password(account_id, &h, true, now)?;
            Ok(ResetOutcome::Applied { cancelled_pending })
        }
    }

    fn session_for_change(&self) -> Result<Session> {
        let s = self.session.ok_or(ServiceError::NotSignedIn)?;
        if self.now() - s.last_auth > Duration::minutes(REAUTH_MINUTES) {
            return Err(ServiceError::ReauthRequired);
        }
        Ok(s)
    }

    /// Succeeds when the holder signed in within the last 10 minutes (`ReauthRequired`
    /// otherwise): the console asks for the password before the drill asks for a code.
    pub fn require_recent_sign_in(&self) -> Result<()> {
        self.session_for_change().map(|_| ())
    }

    /// The recovery drill (SPEC §10): the signed-in holder (re-authenticated within 10
    /// minutes) types a saved code to learn whether it is the current one. The guess is
    /// reserved on the recovery code's own counter before it is hashed, exactly as in
    /// recovery, so the drill is no free guessing oracle; the typed code is compared with the
    /// stored Argon2 hash and never stored. A right code is **not** spent, and no proof or
    /// session is granted. Either answer writes a security event and tells every verified
    /// method. A format error is said at once and costs nothing.
    pub fn check_saved_recovery_code(&mut self, typed: &str) -> Result<Attempt<DrillCheck>> {
        let account_id = self.session_for_change()?.account_id;
        let canonical = match recovery_code::normalise(typed) {
            Ok(c) => c,
            Err(e) => return Ok(Attempt::Accepted(DrillCheck::Format(e))),
        };
        if self.store.active_recovery_code(account_id)?.is_none() {
            return Ok(Attempt::Accepted(DrillCheck::NoCode));
        }
        self.guarded(account_id, Guarded::RecoveryCode, |me| {
            // Read after the reservation: the code current when the guess is evaluated.
            let matched = match me.store.active_recovery_code(account_id)? {
                Some((code_id, phc)) if secret::verify(&canonical, &phc)? => Some(code_id),
                _ => None,
            };
            let current = me
                .store
                .record_recovery_code_check(account_id, matched, me.now())?;
            Ok(current.then_some(DrillCheck::Works))
        })
    }

    /// Whether a privileged change would need the password again now.
    pub fn needs_reauth(&self) -> bool {
        matches!(self.session_for_change(), Err(ServiceError::ReauthRequired))
    }

    /// Re-authentication: the password again, under the same lockout.
    pub fn reauthenticate(&mut self, pass: &Secret) -> Result<Attempt<()>> {
        let s = self.session.ok_or(ServiceError::NotSignedIn)?;
        self.store.apply_due_changes(s.account_id, self.now())?;
        let a = self.guarded(s.account_id, Guarded::Password, |me| {
            let phc = me.store.password_hash(s.account_id)?;
            Ok(secret::verify(pass, &phc)?.then_some(()))
        })?;
        if matches!(a, Attempt::Accepted(())) {
            let now = self.now();
            if let Some(s) = &mut self.session {
                s.last_auth = now;
            }
        }
        Ok(a)
    }

    pub fn sign_out(&mut self) {
        self.session = None;
        self.grant = None;
        self.half_signed_in = None;
        self.code_first = None;
    }

    /// Whether a sign-in code was accepted for `account_id` and its password is awaited as
    /// the second step.
    pub fn awaits_password_after_code(&self, account_id: i64) -> bool {
        self.code_first == Some(account_id)
    }

    /// The signed-in holder's view (applies due changes first).
    pub fn my_view(&mut self) -> Result<AccountView> {
        let s = self.session.ok_or(ServiceError::NotSignedIn)?;
        let now = self.now();
        self.store.apply_due_changes(s.account_id, now)?;
        let mut view = self.store.account_view(s.account_id, now)?;
        // The owner sees their own addresses in full in their activity.
        view.events = self
            .store
            .own_events(s.account_id, view.events.len().max(1))?;
        Ok(view)
    }

    /// Generates a new recovery code; every earlier code stops working at once.
    pub fn generate_recovery_code(&mut self) -> Result<Secret> {
        let s = self.session_for_change()?;
        let code = recovery_code::generate(self.entropy.as_mut())?;
        let h = self.hash(&code)?;
        self.store
            .replace_recovery_code(s.account_id, &h, self.now())?;
        Ok(code)
    }

    /// Starts adding an authenticator app (a recent sign-in needed): a new 160-bit secret is
    /// sealed under the key file and handed back once, with its `otpauth://` URI. The app
    /// counts only once a current code from it is typed ([`Service::confirm_app`]).
    pub fn begin_add_app(&mut self) -> Result<NewApp> {
        let s = self.session_for_change()?;
        let mut raw = zeroize::Zeroizing::new([0u8; crate::domain::totp::SECRET_BYTES]);
        self.entropy.fill(raw.as_mut())?;
        self.store.add_app(s.account_id, raw.as_ref(), self.now())?;
        let username = self.store.account(s.account_id)?.username;
        let b32 = crate::domain::totp::base32(raw.as_ref());
        let uri = crate::domain::totp::otpauth_uri(APP_ISSUER, &username, &b32);
        Ok(NewApp {
            secret: Secret::new(b32),
            uri: Secret::new(uri),
        })
    }

    /// Confirms the app being added with a current code from it: then it is a verified way to
    /// prove it's you (second step, code sign-in, reset proofs).
    pub fn confirm_app(&mut self, typed: &str) -> Result<Attempt<CodeCheck>> {
        let s = self.session_for_change()?;
        self.app_code(s.account_id, typed, false)
    }

    /// A code from the account's verified authenticator app, for `purpose`: the second step of
    /// a sign-in, a sign-in instead of the password, or a reset proof. Same lockout as every
    /// one-time code; a code is taken once (a replay is a wrong code).
    pub fn check_app_code(
        &mut self,
        account_id: i64,
        purpose: Purpose,
        typed: &str,
    ) -> Result<Attempt<CodeCheck>> {
        if purpose == Purpose::SignIn && self.half_signed_in != Some(account_id) {
            return Err(ServiceError::NotSignedIn);
        }
        if purpose == Purpose::VerifyMethod {
            return Err(ServiceError::Refused("That isn't a use of an app code."));
        }
        let a = self.app_code(account_id, typed, true)?;
        if a == Attempt::Accepted(CodeCheck::Ok) {
            match purpose {
                Purpose::SignIn => self.complete_sign_in(account_id)?,
                Purpose::CodeSignIn => self.signed_in_by_code(account_id)?,
                Purpose::Recovery => self.add_proof(account_id, Proof::App),
                Purpose::VerifyMethod => {}
            }
        }
        Ok(a)
    }

    /// Checks a code of the live app (`verified` says which: the one in use, or the one being
    /// added), reserved against the one-time code lockout before the comparison.
    fn app_code(
        &mut self,
        account_id: i64,
        typed: &str,
        verified: bool,
    ) -> Result<Attempt<CodeCheck>> {
        if one_time::normalise(typed).is_none() {
            return Ok(Attempt::Accepted(CodeCheck::Malformed));
        }
        match self.store.live_app(account_id)? {
            Some(app) if app.verified == verified => {}
            _ => return Ok(Attempt::Accepted(CodeCheck::NoActiveCode)),
        }
        let unix = self.now().timestamp();
        let a = self.guarded(account_id, Guarded::OneTimeCode, |me| {
            // Read after the reservation: the last step as it is when the guess is evaluated.
            let Some(app) = me.store.live_app(account_id)? else {
                return Ok(None);
            };
            match crate::domain::totp::check(&app.secret, typed, unix, app.last_step) {
                crate::domain::totp::Check::Step(step) => {
                    let now = me.now();
                    Ok(me
                        .store
                        .use_app_step(account_id, app.id, step, now)?
                        .then_some(()))
                }
                _ => Ok(None),
            }
        })?;
        Ok(match a {
            Attempt::Accepted(()) => Attempt::Accepted(CodeCheck::Ok),
            Attempt::Wrong { tries_left } => Attempt::Accepted(CodeCheck::Wrong {
                code_tries_left: tries_left,
                tries_left,
            }),
            other => other.map(|()| CodeCheck::Ok),
        })
    }

    /// Removes the authenticator app (a recent sign-in needed); with two-step verification on
    /// it can't go when nothing else would give the second step.
    pub fn remove_app(&mut self) -> Result<()> {
        let s = self.session_for_change()?;
        let Some(app) = self.store.live_app(s.account_id)? else {
            return Err(StoreError::NotFound("authenticator app").into());
        };
        let account = self.store.account(s.account_id)?;
        if account.two_step && app.verified && self.verified_methods(s.account_id)?.is_empty() {
            return Err(ServiceError::Refused(
                "Two-step verification needs a way to get codes. Add an email or phone first, or turn two-step verification off.",
            ));
        }
        self.store.remove_app(s.account_id, app.id, self.now())?;
        Ok(())
    }

    /// Whether the account has a verified authenticator app.
    pub fn has_app(&self, account_id: i64) -> Result<bool> {
        Ok(self.store.live_app(account_id)?.is_some_and(|a| a.verified))
    }

    /// "Forgot username?": the typed email address or phone number (E.164, with `+`) is
    /// normalised and, when it is a verified address of an account, that account's username is
    /// sent there. The answer is the same, and takes [`USERNAME_REMINDER_TIME`], whether or not
    /// it is: only the owner of the address learns the username. A malformed address is said
    /// at once (it tells nothing about any account).
    pub fn send_username(&mut self, typed: &str) -> Result<()> {
        let started = std::time::Instant::now();
        let (kind, address) = if typed.contains('@') {
            (MethodKind::Email, identifier::email(typed)?)
        } else {
            (MethodKind::Phone, identifier::phone(typed)?)
        };
        let sent = self.store.send_username(kind, &address, self.now());
        if let Some(rest) = USERNAME_REMINDER_TIME.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
        sent?;
        Ok(())
    }

    /// Adds an email or phone and sends it a verification code. Returns the method id.
    pub fn add_method(&mut self, kind: MethodKind, address: &str) -> Result<i64> {
        let s = self.session_for_change()?;
        let normalised = match kind {
            MethodKind::Email => identifier::email(address)?,
            MethodKind::Phone => identifier::phone(address)?,
        };
        let id = self
            .store
            .add_method(s.account_id, kind, &normalised, self.now())?;
        self.send_code(s.account_id, id, Purpose::VerifyMethod)?;
        Ok(id)
    }

    /// Removes a method; the last verified one can't go while two-step verification is on.
    pub fn remove_method(&mut self, method_id: i64) -> Result<()> {
        let s = self.session_for_change()?;
        let account = self.store.account(s.account_id)?;
        let verified = self.verified_methods(s.account_id)?;
        if account.two_step
            && verified.len() == 1
            && verified[0].id == method_id
            && !self.has_app(s.account_id)?
        {
            return Err(ServiceError::Refused(
                "Two-step verification needs a verified method. Add another first, or turn two-step verification off.",
            ));
        }
        self.store
            .remove_method(s.account_id, method_id, self.now())?;
        Ok(())
    }

    /// Turns two-step verification on (needs a verified method) or off.
    pub fn set_two_step(&mut self, on: bool) -> Result<()> {
        let s = self.session_for_change()?;
        if on && self.verified_methods(s.account_id)?.is_empty() && !self.has_app(s.account_id)? {
            return Err(ServiceError::Refused(
                "Add and verify an email address or phone number first.",
            ));
        }
        self.store.set_two_step(s.account_id, on, self.now())?;
        Ok(())
    }

    /// Cancels a pending change: allowed to a holder who signed in the normal way.
    pub fn cancel_pending(&mut self, change_id: i64) -> Result<()> {
        let s = self.session.ok_or(ServiceError::NotSignedIn)?;
        self.store
            .cancel_pending(s.account_id, change_id, self.now())?;
        Ok(())
    }

    /// Used by tests and tools: an account's id by username.
    pub fn id_of(&self, username: &str) -> Result<i64> {
        self.account_id(username)
    }
}
