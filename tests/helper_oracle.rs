//! The sign-in helper's oracle: every answer the desk's helper gives, over the whole grid of
//! account states, followed word for word by a simulated customer through the service.
//!
//! The grid (generated, not listed): two-step verification off/on × 0, 1 or 2 verified
//! methods × an unverified method or not × a recovery code or not × every combination of
//! locks on password, recovery code and one-time code entry × a change waiting 30 days (made
//! by someone else) or not × the three problems × everything the customer could have (knows
//! the password or not, can get codes at the verified methods or not, has the recovery code
//! or not, as far as the problem allows). Each account is built through the service API; the
//! locks are five wrong answers each, recorded through the store.
//!
//! For every cell the helper is asked, its questions answered with the customer's truth, and
//! its steps executed literally: a wait moves the clock to the time it names, "sign in with
//! your password" types the password the customer knows, "have a code sent" reads the
//! outbox, and so on. A step that asks for something the customer doesn't have, or that hits
//! a lock the advice didn't wait for, fails the cell. Then:
//! - the customer is signed in, unless the helper said nothing works;
//! - "nothing works" is said exactly when no path exists (below);
//! - the recovery code is spent only when no path without it exists;
//! - every finding is true of the account as it was built;
//! - weeks later the customer still gets in the same way (a waiting change they didn't make
//!   was dealt with).
//!
//! Whether a path exists is decided here from the SPEC's rules, not from the helper: a reset
//! needs one proof without two-step verification (a code from a reachable method, or the
//! recovery code) and with it either two different proofs or one and a 30-day wait, after
//! which the recovery code counts as the second step; a sign-in needs the password and, with
//! two-step verification, a code from a reachable method (or the recovery code where it
//! counts: with no verified method). Locks end within a day and the waiting change in 30, so
//! neither decides whether a path exists, only when. So a path exists exactly when the customer
//! can get codes, or has the recovery code, or knows the password with two-step verification
//! off; and one without spending the code exactly when they can get codes, or know the
//! password with two-step verification off.

mod support;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use recovery_desk::domain::lockout::Guarded;
use recovery_desk::domain::model::{MethodKind, Purpose};
use recovery_desk::domain::sign_in_helper::{
    Answers, DeskNext, Diagnosis, Finding, Question, Route, Step, Symptom, desk_next,
};
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, CodeCheck, RecoveryCheck, ResetOutcome, Service};
use recovery_desk::store::{HolderStore, ReadStore, Store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::outbox::last_code;
use support::seams::{Seeded, TestClock, t0};

const USER: &str = "casey";
const PASSWORD: &str = "Lantern-Orchard-Pebble-31";
const THIEF: &str = "Velvet-Canyon-Rocket-88";
const NEW: &str = "Quartz-Meadow-Harbor-19";
const EMAILS: [&str; 2] = ["casey@example.com", "casey.work@example.com"];
const UNVERIFIED: &str = "+15550100999";
const TEMPORARY: &str = "casey.old@example.com";
const UTC0: FixedOffset = FixedOffset::east_opt(0).unwrap();

/// When the accounts were set up: five days before the customer calls (at `t0`), so the
/// waiting change is due 25 days after the call, not at the same moment as a new one.
fn built_at() -> DateTime<Utc> {
    t0() - Duration::days(5)
}

/// One account state of the grid, before its locks.
#[derive(Debug, Clone, Copy)]
struct Base {
    two_step: bool,
    verified: usize,
    unverified: bool,
    code: bool,
    pending: bool,
}

/// A built base: its files, and what its owner (and the thief) were handed.
struct Built {
    base: Base,
    dir: PathBuf,
    /// The active recovery code, if any (after a thief's recovery: the one it showed).
    code: Option<String>,
    /// The thief's code-alone recovery used a code (so one was last used at t0).
    code_used: bool,
}

/// Locks: password, recovery code, one-time code.
#[derive(Debug, Clone, Copy)]
struct Locks {
    password: bool,
    code: bool,
    otc: bool,
}

/// What the customer has.
#[derive(Debug, Clone, Copy)]
struct Has {
    password: bool,
    codes: bool,
    code: bool,
}

fn s(x: &str) -> Secret {
    Secret::new(x)
}

fn service(db: &Path, clock: &TestClock, seed: u64) -> Service {
    Service::new(
        Store::open(db).unwrap(),
        Box::new(Seeded::new(seed)),
        Arc::new(clock.clone()),
    )
    .with_minimal_hash_cost_for_tests()
}

fn verify_method(svc: &mut Service, id: i64, m: i64, addr: &str) {
    let code = last_code(svc.store(), addr);
    assert_eq!(
        svc.check_code(id, m, Purpose::VerifyMethod, &code).unwrap(),
        Attempt::Accepted(CodeCheck::Ok)
    );
}

fn prove(svc: &mut Service, id: i64, m: i64, addr: &str, purpose: Purpose) -> bool {
    if svc.send_code(id, m, purpose).is_err() {
        return false;
    }
    let code = last_code(svc.store(), addr);
    svc.check_code(id, m, purpose, &code).unwrap() == Attempt::Accepted(CodeCheck::Ok)
}

fn recovered(a: Attempt<RecoveryCheck>) -> Option<String> {
    match a {
        Attempt::Accepted(RecoveryCheck::Accepted { new_code }) => {
            Some(new_code.expose().to_string())
        }
        _ => None,
    }
}

/// Builds `base` through the service in a directory of its own under `root`.
fn build(root: &Path, base: Base, n: usize) -> Built {
    let dir = root.join(format!("base{n}"));
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("a.db");
    let clock = TestClock::new(built_at());
    let mut svc = service(&db, &clock, n as u64);
    let id = svc
        .create_account(USER, &s(PASSWORD), &s(PASSWORD))
        .unwrap();
    let mut methods = vec![];
    for addr in &EMAILS[..base.verified] {
        let m = svc.add_method(MethodKind::Email, addr).unwrap();
        verify_method(&mut svc, id, m, addr);
        methods.push(m);
    }
    // Two-step verification, and a change that waits, need a verified method while they are
    // set up; an account with none loses this one afterwards (as if removed long ago).
    let temporary = if base.verified == 0 && (base.two_step || base.pending) {
        let m = svc.add_method(MethodKind::Email, TEMPORARY).unwrap();
        verify_method(&mut svc, id, m, TEMPORARY);
        Some(m)
    } else {
        None
    };
    if base.two_step || base.pending {
        svc.set_two_step(true).unwrap();
    }
    let mut code = base
        .code
        .then(|| svc.generate_recovery_code().unwrap().expose().to_string());
    let mut code_used = false;
    if base.pending {
        // Someone else's recovery with one proof: the code if there is one, else a code from
        // the first verified method. It waits 30 days.
        match code.take() {
            Some(c) => {
                code = Some(recovered(svc.check_recovery_code(id, &c).unwrap()).unwrap());
                code_used = true;
            }
            None => {
                let (m, addr) = match temporary {
                    Some(m) => (m, TEMPORARY),
                    None => (methods[0], EMAILS[0]),
                };
                assert!(prove(&mut svc, id, m, addr, Purpose::Recovery));
            }
        }
        assert!(matches!(
            svc.reset_password(id, &s(THIEF), &s(THIEF)).unwrap(),
            ResetOutcome::Pending { .. }
        ));
    }
    // The day of the call: an address added an hour ago and not verified yet.
    clock.set(t0() - Duration::hours(1));
    assert_eq!(
        svc.reauthenticate(&s(PASSWORD)).unwrap(),
        Attempt::Accepted(())
    );
    if base.unverified {
        svc.add_method(MethodKind::Phone, UNVERIFIED).unwrap();
    }
    if !base.two_step && (base.pending || temporary.is_some()) {
        svc.set_two_step(false).unwrap();
    }
    svc.sign_out();
    drop(svc);
    if let Some(m) = temporary {
        Store::open(&db)
            .unwrap()
            .remove_method(id, m, t0() - Duration::hours(1))
            .unwrap();
    }
    Built {
        base,
        dir,
        code,
        code_used,
    }
}

/// Copies a built base into a fresh directory.
fn copy_of(built: &Built, to: &Path) -> PathBuf {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(&built.dir).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to.join("a.db")
}

/// What the helper says for `has`, its questions answered with the customer's truth.
fn ask(svc: &Service, id: i64, symptom: Symptom, has: Has) -> (Vec<Question>, Diagnosis) {
    let view = svc.store().account_view(id, svc.now()).unwrap();
    let mut answers = Answers::new(symptom);
    let mut asked = vec![];
    loop {
        match desk_next(&view, svc.now(), &answers, UTC0) {
            DeskNext::Ask(q) => {
                assert!(!asked.contains(&q), "asked {q:?} twice");
                asked.push(q);
                let truth = match q {
                    Question::KnowsPassword => has.password,
                    Question::CanGetCodes => has.codes,
                    Question::HasRecoveryCode => has.code,
                };
                answers.answer(q, truth);
            }
            DeskNext::Give(d) => return (asked, d),
        }
    }
}

/// The customer following the steps.
struct Customer<'a> {
    svc: Service,
    clock: &'a TestClock,
    id: i64,
    has: Has,
    /// The password they know now.
    password: Option<String>,
    /// A password set to take effect later, and when.
    later: Option<(String, DateTime<Utc>)>,
    /// The recovery code in their hands.
    code: Option<String>,
    spent_code: bool,
    cancelled_by_reset: bool,
    said_impossible: bool,
}

impl Customer<'_> {
    fn fail(&self, why: String) -> Result<(), String> {
        Err(why)
    }

    /// The verified methods' addresses, in the order the helper lists them.
    fn reachable(&self) -> Result<Vec<(i64, String)>, String> {
        if !self.has.codes {
            return Err(
                "told to use a code from an email or phone the customer can't reach".into(),
            );
        }
        let methods: Vec<(i64, String)> = self
            .svc
            .verified_methods(self.id)
            .unwrap()
            .into_iter()
            .map(|m| (m.id, m.address))
            .collect();
        if methods.is_empty() {
            return Err("told to use a method the account doesn't have".into());
        }
        Ok(methods)
    }

    fn code_in_hand(&self) -> Result<String, String> {
        self.code
            .clone()
            .ok_or_else(|| "told to use a recovery code the customer doesn't have".to_string())
    }

    fn password(&mut self) -> Result<Attempt<bool>, String> {
        let Some(p) = self.password.clone() else {
            return self
                .fail("told to sign in with a password the customer doesn't know".into())
                .map(|_| unreachable!());
        };
        match self.svc.check_password(self.id, &s(&p)).unwrap() {
            a @ Attempt::Accepted(_) => Ok(a),
            other => Err(format!("the password step failed: {other:?}")),
        }
    }

    fn code_from(&mut self, index: usize, purpose: Purpose) -> Result<(), String> {
        let methods = self.reachable()?;
        let (m, addr) = methods
            .get(index)
            .cloned()
            .ok_or("told to use a second method the account doesn't have")?;
        self.svc
            .send_code(self.id, m, purpose)
            .map_err(|e| format!("sending a code failed (a lock the advice ignored?): {e}"))?;
        let code = last_code(self.svc.store(), &addr);
        match self.svc.check_code(self.id, m, purpose, &code).unwrap() {
            Attempt::Accepted(CodeCheck::Ok) => Ok(()),
            other => Err(format!("a right code from {addr} was refused: {other:?}")),
        }
    }

    fn recovery_code(&mut self, second_step: bool) -> Result<(), String> {
        let code = self.code_in_hand()?;
        let a = if second_step {
            self.svc
                .second_step_with_recovery_code(self.id, &code)
                .map_err(|e| format!("the recovery code was refused as the second step: {e}"))?
        } else {
            self.svc.check_recovery_code(self.id, &code).unwrap()
        };
        match recovered(a) {
            Some(new) => {
                self.code = Some(new);
                self.spent_code = true;
                Ok(())
            }
            None => Err("the recovery code was not accepted (a lock the advice ignored?)".into()),
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), String> {
        let utc = |t: &DateTime<FixedOffset>| t.with_timezone(&Utc);
        match step {
            Step::WaitUntil(t) => {
                if utc(t) > self.svc.now() {
                    self.clock.set(utc(t));
                }
            }
            Step::SignInWithPassword(u) | Step::SignInWithNewPassword(u) => {
                assert_eq!(u, USER);
                self.svc.sign_out();
                self.password()?;
            }
            Step::SecondStepWithCode(_) => self.code_from(0, Purpose::SignIn)?,
            Step::SecondStepWithRecoveryCode => self.recovery_code(true)?,
            Step::ForgotPassword(u) | Step::StartWithUsername(u) => {
                assert_eq!(u, USER);
                self.svc.sign_out();
            }
            Step::ProveWithCode(_) => self.code_from(0, Purpose::Recovery)?,
            Step::ProveWithSecondMethod(_) => self.code_from(1, Purpose::Recovery)?,
            Step::ProveWithRecoveryCodeToo | Step::EnterRecoveryCode => {
                self.recovery_code(false)?
            }
            Step::OtherWaysToSignIn
            | Step::UsePasswordThenForgot
            | Step::DifferentOptionThenNone
            | Step::NoSecondProof
            | Step::KeepNewCode => {}
            Step::SetNewPasswordNow => match self.svc.reset_password(self.id, &s(NEW), &s(NEW)) {
                Ok(ResetOutcome::Applied { cancelled_pending }) => {
                    self.cancelled_by_reset = cancelled_pending;
                    self.password = Some(NEW.into());
                }
                other => return Err(format!("the new password did not apply at once: {other:?}")),
            },
            Step::SetNewPasswordFrom(t) => {
                match self.svc.reset_password(self.id, &s(NEW), &s(NEW)) {
                    Ok(ResetOutcome::Pending { effective_at }) if effective_at == utc(t) => {
                        self.later = Some((NEW.into(), effective_at));
                    }
                    other => {
                        return Err(format!("the new password was to wait until {t}: {other:?}"));
                    }
                }
            }
            Step::ResetCancelsWaitingChange(_) => {
                if !self.cancelled_by_reset {
                    return Err("the reset was said to cancel a waiting change, and did not".into());
                }
            }
            Step::ResetReplacesWaitingChange(t) => {
                let pending = self
                    .svc
                    .store()
                    .account_view(self.id, self.svc.now())
                    .unwrap()
                    .pending;
                if pending.iter().any(|p| p.effective_at == utc(t)) || pending.len() != 1 {
                    return Err(format!("the change said to be replaced: {pending:?}"));
                }
            }
            Step::WaitForNewPassword(t) => {
                let Some((p, at)) = self.later.take() else {
                    return Err("told to wait for a password nobody set".into());
                };
                if at != utc(t) {
                    return Err(format!("told to wait until {t}, the change is due at {at}"));
                }
                self.clock.set(at);
                self.password = Some(p);
            }
            Step::CancelWaitingChange(t) => {
                if self.svc.signed_in() != Some(self.id) {
                    return Err("told to cancel a change without being signed in".into());
                }
                let view = self.svc.my_view().unwrap();
                let Some(p) = view.pending.iter().find(|p| p.effective_at == utc(t)) else {
                    return Err(format!("no change waits until {t}"));
                };
                self.svc.cancel_pending(p.id).unwrap();
            }
            Step::RepairMethods => {
                if self.svc.signed_in() != Some(self.id) {
                    return Err("told to repair methods without being signed in".into());
                }
            }
            Step::NoSelfServicePath(_) | Step::SupportCannotReset | Step::CreateNewAccount => {
                self.said_impossible = true;
            }
        }
        Ok(())
    }

    /// Weeks later, the customer signs in the same way again: with the password they know,
    /// and a code from a reachable method or their recovery code.
    fn still_gets_in(&mut self) -> Result<(), String> {
        self.svc.sign_out();
        self.clock.advance(Duration::days(45));
        if self.password()? == Attempt::Accepted(false) {
            return Ok(());
        }
        if self.has.codes && self.reachable().is_ok() {
            self.code_from(0, Purpose::SignIn)
        } else {
            self.recovery_code(true)
        }
    }
}

/// The findings the account as built must show, at t0 in UTC.
fn expected_findings(built: &Built, locks: Locks) -> Vec<Finding> {
    let b = built.base;
    let at = |t: DateTime<Utc>| t.with_timezone(&UTC0);
    let mut out = vec![if b.verified == 0 {
        Finding::NoVerifiedMethod
    } else {
        Finding::VerifiedMethods(
            EMAILS[..b.verified]
                .iter()
                .map(|a| (MethodKind::Email, MethodKind::Email.mask(a)))
                .collect(),
        )
    }];
    if b.unverified {
        out.push(Finding::UnverifiedMethods(1));
    }
    out.push(if built.code.is_some() {
        Finding::RecoveryCodeSince(at(built_at()))
    } else {
        Finding::NoRecoveryCode
    });
    if built.code_used {
        out.push(Finding::RecoveryCodeLastUsed(at(built_at())));
    }
    out.push(Finding::TwoStep(b.two_step));
    let until = at(t0() + Duration::minutes(15));
    if locks.password {
        out.push(Finding::PasswordLocked(until));
    }
    if locks.code {
        out.push(Finding::RecoveryCodeLocked(until));
    }
    if locks.otc {
        out.push(Finding::OneTimeCodeLocked(until));
    }
    if b.pending {
        out.push(Finding::PendingTakesEffect(at(
            built_at() + Duration::days(30)
        )));
    }
    if b.two_step && b.verified == 1 {
        out.push(Finding::TwoStepOneMethodLeft);
    }
    out
}

/// One cell: a fresh copy of the base, its locks, the helper, the customer. `Ok` carries the
/// route given; `Err` what went wrong.
fn cell(
    built: &Built,
    locks: Locks,
    symptom: Symptom,
    has: Has,
    dir: &Path,
) -> Result<Route, String> {
    let db = copy_of(built, dir);
    let clock = TestClock::new(t0());
    let svc = service(&db, &clock, 99);
    let id = svc.id_of(USER).unwrap();
    {
        let mut store = Store::open(&db).unwrap();
        for (on, what) in [
            (locks.password, Guarded::Password),
            (locks.code, Guarded::RecoveryCode),
            (locks.otc, Guarded::OneTimeCode),
        ] {
            for _ in 0..5 {
                if on {
                    store.record_failure(id, what, t0()).unwrap();
                }
            }
        }
    }
    let (asked, d) = ask(&svc, id, symptom, has);
    let findings = expected_findings(built, locks);
    if d.findings != findings {
        return Err(format!(
            "findings {:?}, the account shows {findings:?}",
            d.findings
        ));
    }
    // Questions implied by the problem are never asked.
    if symptom == Symptom::ForgotPassword && asked.contains(&Question::KnowsPassword)
        || symptom == Symptom::LostMethods && asked.contains(&Question::CanGetCodes)
    {
        return Err(format!("asked what the problem already said: {asked:?}"));
    }
    let mut c = Customer {
        svc,
        clock: &clock,
        id,
        has,
        password: has.password.then(|| PASSWORD.to_string()),
        later: None,
        code: if has.code { built.code.clone() } else { None },
        spent_code: false,
        cancelled_by_reset: false,
        said_impossible: false,
    };
    for (i, step) in d.steps.iter().enumerate() {
        c.step(step)
            .map_err(|e| format!("step {} {step:?}: {e}\nsteps {:#?}", i + 1, d.steps))?;
    }

    let reach = has.codes && built.base.verified > 0;
    let holds = has.code && built.code.is_some();
    let exists = reach || holds || (has.password && !built.base.two_step);
    let two_step = built.base.two_step;
    // Without the code and without a 30-day wait: a sign-in, or a reset that applies at once.
    let as_soon_without_code =
        has.password && (!two_step || reach) || reach && (!two_step || built.base.verified >= 2);
    if c.said_impossible == exists {
        return Err(format!(
            "said impossible: {}, a path exists: {exists}",
            c.said_impossible
        ));
    }
    if c.spent_code && as_soon_without_code {
        return Err("spent the recovery code though a path without it works as soon".into());
    }
    if c.spent_code != d.route.spends_recovery_code() {
        return Err(format!(
            "route {:?} but code spent: {}",
            d.route, c.spent_code
        ));
    }
    if !c.said_impossible {
        if c.svc.signed_in() != Some(id) {
            return Err(format!("not signed in after the steps {:#?}", d.steps));
        }
        c.still_gets_in()
            .map_err(|e| format!("weeks later: {e}\nsteps {:#?}", d.steps))?;
    }
    Ok(d.route)
}

/// Every cell of one base: locks × problems × what the customer has.
fn cells_of(built: &Built, scratch: &Path) -> (BTreeMap<String, usize>, Vec<String>, usize) {
    let b = built.base;
    let mut counts = BTreeMap::new();
    let mut failures = vec![];
    let mut n = 0;
    let bools = [false, true];
    for bits in 0..8u8 {
        let locks = Locks {
            password: bits & 1 != 0,
            code: bits & 2 != 0,
            otc: bits & 4 != 0,
        };
        for symptom in Symptom::ALL {
            for password in bools {
                for codes in bools {
                    for code in bools {
                        // What the problem rules out, and what the account can't give.
                        if symptom == Symptom::ForgotPassword && password
                            || symptom == Symptom::LostMethods && codes
                            || b.verified == 0 && codes
                            || built.code.is_none() && code
                        {
                            continue;
                        }
                        let has = Has {
                            password,
                            codes,
                            code,
                        };
                        n += 1;
                        let dir = scratch.join(format!("cell{n}"));
                        match cell(built, locks, symptom, has, &dir) {
                            Ok(route) => *counts.entry(format!("{route:?}")).or_insert(0) += 1,
                            Err(e) => {
                                failures.push(format!("{b:?} {locks:?} {symptom:?} {has:?}: {e}"))
                            }
                        }
                        let _ = std::fs::remove_dir_all(&dir);
                    }
                }
            }
        }
    }
    (counts, failures, n)
}

/// Scratch space in memory where the machine has it (thousands of small databases).
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::Builder::new()
            .prefix("helper-oracle")
            .tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

#[test]
fn every_answer_of_the_helper_works_when_followed_word_for_word() {
    let root = scratch();
    let mut bases = vec![];
    for two_step in [false, true] {
        for verified in 0..=2 {
            for unverified in [false, true] {
                for code in [false, true] {
                    for pending in [false, true] {
                        bases.push(Base {
                            two_step,
                            verified,
                            unverified,
                            code,
                            pending,
                        });
                    }
                }
            }
        }
    }
    let built: Vec<Built> = bases
        .iter()
        .enumerate()
        .map(|(n, b)| build(root.path(), *b, n))
        .collect();

    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let results: Vec<(BTreeMap<String, usize>, Vec<String>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let built = &built;
                let root = root.path();
                scope.spawn(move || {
                    let scratch = root.join(format!("thread{t}"));
                    std::fs::create_dir(&scratch).unwrap();
                    built
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|b| cells_of(b, &scratch))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = vec![];
    let mut cells = 0;
    for (c, f, n) in results {
        for (k, v) in c {
            *counts.entry(k).or_insert(0) += v;
        }
        failures.extend(f);
        cells += n;
    }
    println!(
        "helper oracle: {} account states ({} bases × 8 lock combinations), {cells} cells",
        built.len() * 8,
        built.len()
    );
    for (route, n) in &counts {
        println!("  {route:<45} {n}");
    }
    println!("  false or failing answers: {}", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {cells} answers failed; the first ten:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n\n")
    );
    // The grid reached every route the helper has.
    assert_eq!(counts.len(), 8, "{counts:?}");
}
