//! The sign-in helper (seed page: "most issues can be identified by our sign-in helper tool").
//!
//! Two helpers, one set of questions. Both ask what they need instead of guessing: what is
//! wrong, whether the customer still knows the password, whether they can still get codes at
//! their email or phone, whether they have their recovery code.
//!
//! - The desk's [`desk_next`]: from an account's state and the answers, the next question, or
//!   the findings and the one path that works — the shortest that works now, never spending the
//!   recovery code when another path exists, waiting out a lock by its end time, saying plainly
//!   when nothing works and why. `docs/HELPER.md` has the rules as a table, and
//!   `tests/helper_oracle.rs` follows every answer over the whole grid of account states.
//! - The holder's [`holder_next`], before sign-in: the same questions, a path from the answers
//!   alone, since whoever types a username there may not own the account (SPEC §4).
//!
//! Neither ever suggests that support can reset a password or change the account: the paths
//! are all self-service. Both return data (findings, steps as enums); each console words them
//! in its own `strings.rs`, so the rules here never carry English.

use crate::domain::lockout::Guarded;
use crate::domain::model::{AccountView, MethodKind};
use crate::domain::pending_change;
use chrono::{DateTime, FixedOffset, Utc};

/// What the customer says is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symptom {
    /// "I forgot my password."
    ForgotPassword,
    /// "I can't use my email or phone any more."
    LostMethods,
    /// "I'm not sure."
    NotSure,
}

impl Symptom {
    pub const ALL: [Symptom; 3] = [
        Symptom::ForgotPassword,
        Symptom::LostMethods,
        Symptom::NotSure,
    ];
}

/// A yes/no question either helper asks ("no" covers "not sure").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Does the customer still know the password?
    KnowsPassword,
    /// Can the customer still get a code at an email address or phone number on the account?
    CanGetCodes,
    /// Does the customer have the recovery code (the desk: the one active since its date)?
    HasRecoveryCode,
}

impl Question {
    /// The order the desk asks in.
    pub const ALL: [Question; 3] = [
        Question::KnowsPassword,
        Question::CanGetCodes,
        Question::HasRecoveryCode,
    ];
}

/// What the person has said so far: a symptom, then answers in the order asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub symptom: Symptom,
    said: Vec<(Question, bool)>,
}

impl Answers {
    pub fn new(symptom: Symptom) -> Answers {
        Answers {
            symptom,
            said: vec![],
        }
    }

    /// Records the answer to `q` (a later answer to the same question replaces it).
    pub fn answer(&mut self, q: Question, yes: bool) {
        self.said.retain(|(asked, _)| *asked != q);
        self.said.push((q, yes));
    }

    /// Takes back the last answer; `false` when there was none (back to the symptom).
    pub fn undo(&mut self) -> bool {
        self.said.pop().is_some()
    }

    /// The answer given to `q`, if it was asked.
    pub fn said(&self, q: Question) -> Option<bool> {
        self.said.iter().find(|(a, _)| *a == q).map(|(_, y)| *y)
    }

    /// The answers in the order given.
    pub fn given(&self) -> &[(Question, bool)] {
        &self.said
    }
}

/// A time at the offset the caller asked for (the desk's local time).
pub type LocalTime = DateTime<FixedOffset>;

/// Why no path works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// No password, no email or phone the customer can get codes at, no recovery code:
    /// nothing can prove the account is theirs.
    NothingProvesIt,
    /// The customer knows the password, but two-step verification needs a code from an email
    /// or phone they can't reach, and there is no recovery code to recover with.
    SecondStepOutOfReach,
}

/// The path the desk's helper gives: which way in, and what it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The password (and, with two-step verification, a code from an email or phone).
    SignIn,
    /// The password, and the recovery code as the second step.
    SignInWithRecoveryCode,
    /// **Forgot password?** with codes from emails or phones: the new password works at once.
    ResetNow,
    /// **Forgot password?** with the recovery code (and a code from an email or phone when
    /// two-step verification is on): the new password works at once.
    ResetNowWithRecoveryCode,
    /// Two-step verification is on and there is one proof, a code from an email or phone: the
    /// new password takes effect after 30 days.
    ResetAfterWait,
    /// Two-step verification is on and the recovery code is the one proof: the new password
    /// takes effect after 30 days, and then the recovery code is the second step.
    ResetAfterWaitWithRecoveryCode,
    /// Nothing works; support can't help either.
    CannotRecover(Why),
}

impl Route {
    /// Whether following the path uses up the recovery code (a new one is shown).
    pub fn spends_recovery_code(self) -> bool {
        matches!(
            self,
            Route::SignInWithRecoveryCode
                | Route::ResetNowWithRecoveryCode
                | Route::ResetAfterWaitWithRecoveryCode
        )
    }
}

/// A fact about the account, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// No verified email or phone: no code can be sent.
    NoVerifiedMethod,
    /// The verified methods, each with its masked address.
    VerifiedMethods(Vec<(MethodKind, String)>),
    /// This many methods were added but never verified (they get no codes).
    UnverifiedMethods(usize),
    /// A recovery code is active since then.
    RecoveryCodeSince(LocalTime),
    /// The customer checked their saved copy of the active code then, and it was the current
    /// code (the recovery drill).
    RecoveryCodeCheckedOn(LocalTime),
    /// A recovery code was last used then (a copy from before then no longer works).
    RecoveryCodeLastUsed(LocalTime),
    NoRecoveryCode,
    /// Two-step verification is on (`true`) or off.
    TwoStep(bool),
    /// The password in force was set through recovery after its 30 days: the recovery code
    /// counts as the second step.
    RecoveryCodeIsSecondStep,
    PasswordLocked(LocalTime),
    RecoveryCodeLocked(LocalTime),
    OneTimeCodeLocked(LocalTime),
    /// A new password set through recovery takes effect then; until then the current one
    /// signs in.
    PendingTakesEffect(LocalTime),
    /// A new password set through recovery took effect then (nobody has signed in since, so
    /// it is applied at the next sign-in): the password from before no longer works.
    ChangeTookEffect(LocalTime),
    /// Two-step verification is on with one verified method left.
    TwoStepOneMethodLeft,
}

/// One step of the path the agent reads out, in order. Addresses are masked already. Every
/// step is something the customer does (or waits for); `tests/helper_oracle.rs` does each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Wait until then: what the path needs is locked until then.
    WaitUntil(LocalTime),
    /// Sign in with this username and the current password.
    SignInWithPassword(String),
    /// The second step: have a code sent to one of these and enter it.
    SecondStepWithCode(Vec<String>),
    /// The second step with the recovery code ("I don't have any of these: use my recovery
    /// code" when emails or phones are listed); a new code is shown.
    SecondStepWithRecoveryCode,
    /// Start signing in with this username, and on the password screen select **Forgot
    /// password?**
    ForgotPassword(String),
    /// Have a code sent to one of these and enter it.
    ProveWithCode(Vec<String>),
    /// Verify a second way: a code sent to another of these.
    ProveWithSecondMethod(Vec<String>),
    /// Verify a second way: **Use my recovery code**.
    ProveWithRecoveryCodeToo,
    /// No second proof: **I don't have another way: continue**.
    NoSecondProof,
    // The seed page's recovery steps (SPEC §1.5), in order.
    StartWithUsername(String),
    OtherWaysToSignIn,
    UsePasswordThenForgot,
    DifferentOptionThenNone,
    EnterRecoveryCode,
    /// Set a new password: it works at once.
    SetNewPasswordNow,
    /// Set a new password: two-step verification is on and there was one proof, so it takes
    /// effect then.
    SetNewPasswordFrom(LocalTime),
    /// Keep the new recovery code that is shown once: print it.
    KeepNewCode,
    /// The new password cancels the change that was waiting until then.
    ResetCancelsWaitingChange(LocalTime),
    /// The new change replaces the one that was waiting until then.
    ResetReplacesWaitingChange(LocalTime),
    /// Wait until the new password takes effect then.
    WaitForNewPassword(LocalTime),
    /// Sign in with this username and the new password.
    SignInWithNewPassword(String),
    /// Once signed in: if the customer didn't ask for the change that takes effect then,
    /// **Cancel this change** before then.
    CancelWaitingChange(LocalTime),
    /// Once signed in, in **Manage how I sign in**: remove the emails and phones the customer
    /// lost, add one they can use, and check the recovery code is kept safe.
    RepairMethods,
    /// No self-service path works, for this reason.
    NoSelfServicePath(Why),
    /// Support can't reset passwords or change accounts.
    SupportCannotReset,
    /// The customer can create a new account.
    CreateNewAccount,
}

/// The helper's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub route: Route,
    /// When the path has to wait for a lock to end first.
    pub wait: Option<LocalTime>,
    /// Facts about the account.
    pub findings: Vec<Finding>,
    /// The path, in order.
    pub steps: Vec<Step>,
}

/// What the desk's helper does next: ask a question, or give its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskNext {
    Ask(Question),
    Give(Diagnosis),
}

/// What the customer has, for one way of answering the questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Has {
    password: bool,
    codes: bool,
    recovery_code: bool,
}

/// The account's state as the rules need it.
struct Facts<'a> {
    username: &'a str,
    two_step: bool,
    methods: Vec<String>,
    code: bool,
    code_is_second_step: bool,
    pw_lock: Option<DateTime<Utc>>,
    code_lock: Option<DateTime<Utc>>,
    otc_lock: Option<DateTime<Utc>>,
    pending: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    tz: FixedOffset,
}

impl<'a> Facts<'a> {
    fn of(view: &'a AccountView, now: DateTime<Utc>, tz: FixedOffset) -> Facts<'a> {
        let lock = |g: Guarded| {
            view.locks
                .iter()
                .find(|l| l.what == g && l.until > now)
                .map(|l| l.until)
        };
        let methods = view.verified_masked();
        Facts {
            username: &view.account.username,
            two_step: view.account.two_step,
            code_is_second_step: methods.is_empty() || view.recovery.password_from_recovery,
            methods,
            code: view.recovery.active_since.is_some(),
            pw_lock: lock(Guarded::Password),
            code_lock: lock(Guarded::RecoveryCode),
            otc_lock: lock(Guarded::OneTimeCode),
            pending: view
                .pending
                .iter()
                .filter(|p| p.effective_at > now)
                .map(|p| p.effective_at)
                .min(),
            now,
            tz,
        }
    }

    fn at(&self, t: DateTime<Utc>) -> LocalTime {
        t.with_timezone(&self.tz)
    }

    /// What the answers say, or imply: a forgotten password is not known; codes can't be
    /// got with no verified method, or when the customer lost them; there is no recovery
    /// code to have when none is active. `None`: not asked yet.
    fn known(&self, a: &Answers, q: Question) -> Option<bool> {
        let implied = match q {
            Question::KnowsPassword => (a.symptom == Symptom::ForgotPassword).then_some(false),
            Question::CanGetCodes => {
                (self.methods.is_empty() || a.symptom == Symptom::LostMethods).then_some(false)
            }
            Question::HasRecoveryCode => (!self.code).then_some(false),
        };
        implied.or_else(|| a.said(q))
    }
}

/// The desk's helper: the next question to ask about `view` at `now`, or — once every
/// question that could change the path is answered — the findings and the path, with times
/// at offset `tz`. A question is asked only when some answer to it would change the path.
pub fn desk_next(view: &AccountView, now: DateTime<Utc>, a: &Answers, tz: FixedOffset) -> DeskNext {
    let f = Facts::of(view, now, tz);
    let open: Vec<Question> = Question::ALL
        .into_iter()
        .filter(|q| f.known(a, *q).is_none())
        .collect();
    // Every way the open questions could be answered.
    let worlds: Vec<Has> = (0..1u32 << open.len())
        .map(|bits| {
            let said = |q: Question| match open.iter().position(|o| *o == q) {
                Some(i) => bits & (1 << i) != 0,
                None => f.known(a, q).unwrap_or(false),
            };
            Has {
                password: said(Question::KnowsPassword),
                codes: said(Question::CanGetCodes),
                recovery_code: said(Question::HasRecoveryCode),
            }
        })
        .collect();
    for q in &open {
        let differs = worlds.iter().any(|w| {
            let set = |v: bool| match q {
                Question::KnowsPassword => Has { password: v, ..*w },
                Question::CanGetCodes => Has { codes: v, ..*w },
                Question::HasRecoveryCode => Has {
                    recovery_code: v,
                    ..*w
                },
            };
            plan(&f, set(true)) != plan(&f, set(false))
        });
        if differs {
            return DeskNext::Ask(*q);
        }
    }
    let has = worlds[0];
    let (route, wait, steps) = plan(&f, has);
    DeskNext::Give(Diagnosis {
        route,
        wait: wait.map(|t| f.at(t)),
        findings: findings(view, &f),
        steps,
    })
}

/// Every fact that matters, whatever the path.
fn findings(view: &AccountView, f: &Facts<'_>) -> Vec<Finding> {
    let verified: Vec<_> = view.methods.iter().filter(|m| m.verified).collect();
    let mut out = vec![if verified.is_empty() {
        Finding::NoVerifiedMethod
    } else {
        Finding::VerifiedMethods(verified.iter().map(|m| (m.kind, m.masked())).collect())
    }];
    let unverified = view.methods.len() - verified.len();
    if unverified > 0 {
        out.push(Finding::UnverifiedMethods(unverified));
    }
    out.push(match view.recovery.active_since {
        Some(t) => Finding::RecoveryCodeSince(f.at(t)),
        None => Finding::NoRecoveryCode,
    });
    if let (Some(_), Some(t)) = (view.recovery.active_since, view.recovery.last_checked) {
        out.push(Finding::RecoveryCodeCheckedOn(f.at(t)));
    }
    if let Some(t) = view.recovery.last_used {
        out.push(Finding::RecoveryCodeLastUsed(f.at(t)));
    }
    out.push(Finding::TwoStep(f.two_step));
    if f.two_step && view.recovery.password_from_recovery && !verified.is_empty() {
        out.push(Finding::RecoveryCodeIsSecondStep);
    }
    if let Some(t) = f.pw_lock {
        out.push(Finding::PasswordLocked(f.at(t)));
    }
    if let Some(t) = f.code_lock {
        out.push(Finding::RecoveryCodeLocked(f.at(t)));
    }
    if let Some(t) = f.otc_lock {
        out.push(Finding::OneTimeCodeLocked(f.at(t)));
    }
    if let Some(t) = f.pending {
        out.push(Finding::PendingTakesEffect(f.at(t)));
    }
    // A change due but not applied yet (the desk only reads; the next sign-in applies it).
    if let Some(t) = view
        .pending
        .iter()
        .filter(|p| p.effective_at <= f.now)
        .map(|p| p.effective_at)
        .max()
    {
        out.push(Finding::ChangeTookEffect(f.at(t)));
    }
    if f.two_step && verified.len() == 1 {
        out.push(Finding::TwoStepOneMethodLeft);
    }
    out
}

/// The path for a customer who has `has`, the first of these that works (`docs/HELPER.md`):
/// 1. sign in with the password (and a code from an email or phone);
/// 2. reset with codes from emails or phones, at once;
/// 3. sign in with the password and the recovery code as the second step;
/// 4. reset at once with the recovery code (and a code from an email or phone);
/// 5. reset with one code from an email or phone, which waits 30 days;
/// 6. reset with the recovery code alone, which waits 30 days;
/// 7. nothing works, and why.
///
/// So the recovery code is spent only when no path without it works, and a 30-day wait only
/// when nothing works sooner. A path whose factor is locked starts by waiting for the lock's
/// end; a path that signs in with the current password must do so before a waiting change
/// replaces it.
fn plan(f: &Facts<'_>, has: Has) -> (Route, Option<DateTime<Utc>>, Vec<Step>) {
    let u = || f.username.to_string();
    let methods = || f.methods.clone();
    let reach = has.codes && !f.methods.is_empty();
    let code = has.recovery_code && f.code;
    let t = f.two_step;
    let latest = |locks: &[Option<DateTime<Utc>>]| locks.iter().flatten().copied().max();
    // The wait, as the path's first step, and when the path then starts.
    let begin = |wait: Option<DateTime<Utc>>| -> (Vec<Step>, DateTime<Utc>) {
        match wait {
            Some(w) => (vec![Step::WaitUntil(f.at(w))], w),
            None => (vec![], f.now),
        }
    };
    // A waiting change still ahead when the path starts.
    let waiting_after = |start: DateTime<Utc>| f.pending.filter(|e| *e > start);
    let seed_steps = || {
        vec![
            Step::StartWithUsername(u()),
            Step::OtherWaysToSignIn,
            Step::UsePasswordThenForgot,
            Step::DifferentOptionThenNone,
            Step::EnterRecoveryCode,
        ]
    };

    // 1. The password, and a code from an email or phone with two-step verification.
    if has.password && (!t || reach) {
        let wait = latest(&[f.pw_lock, if t { f.otc_lock } else { None }]);
        let (mut steps, start) = begin(wait);
        // The current password must sign in before a waiting change replaces it.
        if f.pending.is_none_or(|e| start < e) {
            steps.push(Step::SignInWithPassword(u()));
            if t {
                steps.push(Step::SecondStepWithCode(methods()));
            }
            if let Some(e) = waiting_after(start) {
                steps.push(Step::CancelWaitingChange(f.at(e)));
            }
            return (Route::SignIn, wait, steps);
        }
    }
    // 2. Forgot password? with codes from emails or phones (two with two-step verification).
    if reach && (!t || f.methods.len() >= 2) {
        let wait = f.otc_lock;
        let (mut steps, start) = begin(wait);
        steps.push(Step::ForgotPassword(u()));
        steps.push(Step::ProveWithCode(methods()));
        if t {
            steps.push(Step::ProveWithSecondMethod(methods()));
        }
        steps.push(Step::SetNewPasswordNow);
        if let Some(e) = waiting_after(start) {
            steps.push(Step::ResetCancelsWaitingChange(f.at(e)));
        }
        steps.push(Step::SignInWithNewPassword(u()));
        if t {
            steps.push(Step::SecondStepWithCode(methods()));
        }
        return (Route::ResetNow, wait, steps);
    }
    // 3. The password, and the recovery code as the second step.
    if has.password && t && code && f.code_is_second_step {
        let wait = latest(&[f.pw_lock, f.code_lock]);
        let (mut steps, start) = begin(wait);
        if f.pending.is_none_or(|e| start < e) {
            steps.extend([
                Step::SignInWithPassword(u()),
                Step::SecondStepWithRecoveryCode,
                Step::KeepNewCode,
            ]);
            if let Some(e) = waiting_after(start) {
                steps.push(Step::CancelWaitingChange(f.at(e)));
            }
            steps.push(Step::RepairMethods);
            return (Route::SignInWithRecoveryCode, wait, steps);
        }
    }
    // 4. Forgot password? with the recovery code, at once: alone without two-step
    //    verification, beside a code from an email or phone with it.
    if code && (!t || reach) {
        let wait = latest(&[f.code_lock, if t { f.otc_lock } else { None }]);
        let (mut steps, start) = begin(wait);
        if t {
            steps.extend([
                Step::ForgotPassword(u()),
                Step::ProveWithCode(methods()),
                Step::ProveWithRecoveryCodeToo,
            ]);
        } else {
            steps.extend(seed_steps());
        }
        steps.extend([Step::SetNewPasswordNow, Step::KeepNewCode]);
        if let Some(e) = waiting_after(start) {
            steps.push(Step::ResetCancelsWaitingChange(f.at(e)));
        }
        steps.push(Step::SignInWithNewPassword(u()));
        if t {
            steps.push(Step::SecondStepWithCode(methods()));
        } else {
            steps.push(Step::RepairMethods);
        }
        return (Route::ResetNowWithRecoveryCode, wait, steps);
    }
    // 5 and 6. Two-step verification with one proof: the new password waits 30 days.
    if t && (reach || code) {
        let wait = if reach { f.otc_lock } else { f.code_lock };
        let (mut steps, start) = begin(wait);
        let from = pending_change::effective_at(start);
        if reach {
            steps.extend([
                Step::ForgotPassword(u()),
                Step::ProveWithCode(methods()),
                Step::NoSecondProof,
                Step::SetNewPasswordFrom(f.at(from)),
            ]);
        } else {
            steps.extend(seed_steps());
            steps.extend([Step::SetNewPasswordFrom(f.at(from)), Step::KeepNewCode]);
        }
        if let Some(e) = waiting_after(start) {
            steps.push(Step::ResetReplacesWaitingChange(f.at(e)));
        }
        steps.extend([
            Step::WaitForNewPassword(f.at(from)),
            Step::SignInWithNewPassword(u()),
        ]);
        if reach {
            steps.push(Step::SecondStepWithCode(methods()));
            return (Route::ResetAfterWait, wait, steps);
        }
        steps.extend([
            Step::SecondStepWithRecoveryCode,
            Step::KeepNewCode,
            Step::RepairMethods,
        ]);
        return (Route::ResetAfterWaitWithRecoveryCode, wait, steps);
    }
    // 7. Nothing works.
    let why = if has.password && t {
        Why::SecondStepOutOfReach
    } else {
        Why::NothingProvesIt
    };
    let steps = vec![
        Step::NoSelfServicePath(why),
        Step::SupportCannotReset,
        Step::CreateNewAccount,
    ];
    (Route::CannotRecover(why), None, steps)
}

// ---------------------------------------------------------------------------------------------
// The holder's helper, before sign-in. Anyone can type any username there, so the path depends
// only on what the person answers, never on the account's state: it reveals nothing the sign-in
// screens don't (SPEC §4). Where the account's state decides (two-step verification), the step
// says "if". Account facts are for the signed-in holder and the desk (`desk_next` above).

/// The path the holder's helper gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderPath {
    /// Forgot the password, can still get codes: **Forgot password?** with a code.
    ResetWithMethod,
    /// Can't get codes but has the recovery code: the seed page's steps.
    RecoverWithCode,
    /// Knows the password, lost the methods, no recovery code: sign in, then repair the
    /// methods; with two-step verification nothing gets them past the second step.
    SignInAndRepair,
    /// Knows the password, lost the methods, has the recovery code: sign in, and if two-step
    /// verification asks for a code they can't get, the recovery code.
    SignInOrRecoverWithCode,
    /// Neither a code nor the recovery code (nor the password): no self-service proof.
    CannotRecover,
    /// Knows the password and is not sure what is wrong: what to do for each thing the
    /// sign-in screens may say.
    General,
}

/// One step of a holder path; each console words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderStep {
    StartWithUsername,
    ChooseForgotPassword,
    GetCodeAndEnterIt,
    SecondProofIfTwoStep,
    SetNewPassword,
    OtherWaysToSignIn,
    UsePasswordThenForgot,
    DifferentOptionThenNone,
    EnterRecoveryCode,
    SetPasswordAndKeepNewCode,
    /// With two-step verification the new password waits 30 days; then sign in with it and
    /// the new recovery code as the second step.
    WaitIfTwoStepThenCodeIsSecondStep,
    SignInWithPassword,
    /// If two-step verification asks for a code that can't be got: nothing but a recovery
    /// code gets past it, and there is none.
    SecondStepNeedsRecoveryCode,
    /// If two-step verification asks for a code that can't be got: the recovery code (the
    /// seed steps, then the wait).
    IfSecondStepUnreachableRecover,
    RepairMethods,
    NoProofLeft,
    IfYouKnowThePassword,
    CreateNewAccount,
    IfLockedWait,
    IfForgottenReset,
    IfUnexpectedChangeCancel,
}

impl HolderPath {
    /// The steps, in order.
    pub fn steps(self) -> &'static [HolderStep] {
        use HolderStep::*;
        match self {
            HolderPath::ResetWithMethod => &[
                StartWithUsername,
                ChooseForgotPassword,
                GetCodeAndEnterIt,
                SecondProofIfTwoStep,
                SetNewPassword,
            ],
            HolderPath::RecoverWithCode => &[
                StartWithUsername,
                OtherWaysToSignIn,
                UsePasswordThenForgot,
                DifferentOptionThenNone,
                EnterRecoveryCode,
                SetPasswordAndKeepNewCode,
                WaitIfTwoStepThenCodeIsSecondStep,
            ],
            HolderPath::SignInAndRepair => &[
                SignInWithPassword,
                SecondStepNeedsRecoveryCode,
                RepairMethods,
            ],
            HolderPath::SignInOrRecoverWithCode => &[
                SignInWithPassword,
                IfSecondStepUnreachableRecover,
                RepairMethods,
            ],
            HolderPath::CannotRecover => &[NoProofLeft, IfYouKnowThePassword, CreateNewAccount],
            HolderPath::General => &[
                SignInWithPassword,
                IfLockedWait,
                IfForgottenReset,
                IfUnexpectedChangeCancel,
            ],
        }
    }
}

/// What the holder's helper does next: ask a question, or give a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Ask(Question),
    Give(HolderPath),
}

/// The next question, or the path, from the answers alone.
pub fn holder_next(a: &Answers) -> Next {
    use HolderPath as P;
    use Question as Q;
    // Asks `q` until it is answered, then goes on to `yes` or `no`.
    let branch = |q: Q, yes: Next, no: Next| match a.said(q) {
        None => Next::Ask(q),
        Some(true) => yes,
        Some(false) => no,
    };
    // Without the password: codes first, then the recovery code.
    let without_password = || {
        branch(
            Q::CanGetCodes,
            Next::Give(P::ResetWithMethod),
            branch(
                Q::HasRecoveryCode,
                Next::Give(P::RecoverWithCode),
                Next::Give(P::CannotRecover),
            ),
        )
    };
    match a.symptom {
        Symptom::ForgotPassword => without_password(),
        Symptom::LostMethods => branch(
            Q::KnowsPassword,
            branch(
                Q::HasRecoveryCode,
                Next::Give(P::SignInOrRecoverWithCode),
                Next::Give(P::SignInAndRepair),
            ),
            branch(
                Q::HasRecoveryCode,
                Next::Give(P::RecoverWithCode),
                Next::Give(P::CannotRecover),
            ),
        ),
        Symptom::NotSure => branch(Q::KnowsPassword, Next::Give(P::General), without_password()),
    }
}

#[cfg(test)]
mod tests {
    //! The rules case by case; `tests/helper_oracle.rs` follows every answer over the whole
    //! grid of account states through the service.
    use super::*;
    use crate::domain::model::{
        AccountRow, LockRow, MethodKind, MethodRow, PendingRow, RecoveryStatus,
    };
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap()
    }

    fn view(two_step: bool, methods: &[(MethodKind, &str, bool)], code: bool) -> AccountView {
        AccountView {
            account: AccountRow {
                id: 7,
                username: "jane".into(),
                two_step,
                created_at: now(),
                password_changed_at: now(),
            },
            app: None,
            methods: methods
                .iter()
                .enumerate()
                .map(|(i, (k, a, v))| MethodRow {
                    id: i as i64 + 1,
                    kind: *k,
                    address: a.to_string(),
                    verified: *v,
                    added_at: now(),
                })
                .collect(),
            recovery: RecoveryStatus {
                active_since: code.then(|| now() - Duration::days(3)),
                ..RecoveryStatus::default()
            },
            locks: vec![],
            pending: vec![],
            events: vec![],
        }
    }

    const EMAIL: (MethodKind, &str, bool) = (MethodKind::Email, "jane@example.com", true);
    const PHONE: (MethodKind, &str, bool) = (MethodKind::Phone, "+15550100112", true);
    const UTC0: FixedOffset = FixedOffset::east_opt(0).unwrap();

    /// Locks `what` on `v` for `minutes` from now; returns until when.
    fn lock(v: &mut AccountView, what: Guarded, minutes: i64) -> DateTime<Utc> {
        let until = now() + Duration::minutes(minutes);
        v.locks.push(LockRow { what, until });
        until
    }

    fn utc(t: DateTime<Utc>) -> LocalTime {
        t.fixed_offset()
    }

    /// Answers the questions in order, checking each is the one asked; returns what comes next.
    fn walk(v: &AccountView, symptom: Symptom, said: &[(Question, bool)]) -> DeskNext {
        let mut a = Answers::new(symptom);
        for (q, yes) in said {
            assert_eq!(
                desk_next(v, now(), &a, UTC0),
                DeskNext::Ask(*q),
                "{symptom:?} {said:?}"
            );
            a.answer(*q, *yes);
        }
        desk_next(v, now(), &a, UTC0)
    }

    fn given(next: DeskNext) -> Diagnosis {
        match next {
            DeskNext::Give(d) => d,
            DeskNext::Ask(q) => panic!("still asks {q:?}"),
        }
    }

    use Question::{CanGetCodes as CODES, HasRecoveryCode as HAS_CODE, KnowsPassword as KNOWS};

    /// An authenticator app is a way to get codes (SPEC §10): with two-step verification on
    /// and no email or phone, a customer who knows the password and has the app signs in; the
    /// question names the app, and without it the second step is out of reach.
    #[test]
    fn an_authenticator_app_is_a_way_to_get_codes() {
        use crate::domain::model::AppRow;
        let mut v = view(true, &[], false);
        let without = given(walk(&v, Symptom::NotSure, &[(KNOWS, true)]));
        assert!(
            matches!(without.route, Route::CannotRecover(_)),
            "{without:?}"
        );
        v.app = Some(AppRow {
            id: 1,
            added_at: now(),
        });
        assert_eq!(v.verified_masked(), ["their authenticator app"]);
        let with = given(walk(&v, Symptom::NotSure, &[(KNOWS, true), (CODES, true)]));
        assert_eq!(with.route, Route::SignIn, "{with:?}");
    }

    #[test]
    fn nora_who_knows_her_password_signs_in_and_keeps_her_code() {
        // No email or phone, a recovery code, two-step off (the demo's nora).
        let v = view(false, &[], true);
        let d = given(walk(&v, Symptom::NotSure, &[(KNOWS, true)]));
        assert_eq!(d.route, Route::SignIn);
        assert_eq!(d.steps, [Step::SignInWithPassword("jane".into())]);
        assert!(!d.route.spends_recovery_code());
        // Without the password: the recovery code, by the seed page's steps in order.
        let d = given(walk(
            &v,
            Symptom::NotSure,
            &[(KNOWS, false), (HAS_CODE, true)],
        ));
        assert_eq!(d.route, Route::ResetNowWithRecoveryCode);
        assert_eq!(
            d.steps[..5],
            [
                Step::StartWithUsername("jane".into()),
                Step::OtherWaysToSignIn,
                Step::UsePasswordThenForgot,
                Step::DifferentOptionThenNone,
                Step::EnterRecoveryCode,
            ]
        );
        let d = given(walk(
            &v,
            Symptom::NotSure,
            &[(KNOWS, false), (HAS_CODE, false)],
        ));
        assert_eq!(d.route, Route::CannotRecover(Why::NothingProvesIt));
    }

    #[test]
    fn a_question_is_asked_only_when_an_answer_could_change_the_path() {
        // Lost methods, no code: only the password can matter.
        let v = view(false, &[EMAIL], false);
        let d = given(walk(&v, Symptom::LostMethods, &[(KNOWS, true)]));
        assert_eq!(d.route, Route::SignIn);
        // Forgot the password: whether codes can be got, then nothing else (no code).
        let d = given(walk(&v, Symptom::ForgotPassword, &[(CODES, true)]));
        assert_eq!(d.route, Route::ResetNow);
        assert_eq!(
            d.steps,
            [
                Step::ForgotPassword("jane".into()),
                Step::ProveWithCode(vec!["j•••@example.com".into()]),
                Step::SetNewPasswordNow,
                Step::SignInWithNewPassword("jane".into()),
            ]
        );
        assert!(!format!("{d:?}").contains("jane@example.com"));
    }

    #[test]
    fn the_recovery_code_is_not_spent_when_the_password_signs_in() {
        // Two-step on, email reachable, a code: knowing the password is the whole path.
        let v = view(true, &[EMAIL], true);
        let d = given(walk(&v, Symptom::NotSure, &[(KNOWS, true), (CODES, true)]));
        assert_eq!(d.route, Route::SignIn);
        assert_eq!(
            d.steps,
            [
                Step::SignInWithPassword("jane".into()),
                Step::SecondStepWithCode(vec!["j•••@example.com".into()]),
            ]
        );
    }

    #[test]
    fn two_step_with_lost_methods_and_a_code_recovers_and_waits_then_the_code_is_the_second_step() {
        let v = view(true, &[EMAIL], true);
        let d = given(walk(
            &v,
            Symptom::LostMethods,
            &[(KNOWS, true), (HAS_CODE, true)],
        ));
        assert_eq!(d.route, Route::ResetAfterWaitWithRecoveryCode);
        let from = utc(now() + Duration::days(30));
        assert!(d.steps.contains(&Step::SetNewPasswordFrom(from)));
        assert_eq!(
            d.steps[d.steps.len() - 5..],
            [
                Step::WaitForNewPassword(from),
                Step::SignInWithNewPassword("jane".into()),
                Step::SecondStepWithRecoveryCode,
                Step::KeepNewCode,
                Step::RepairMethods,
            ]
        );
        // Without the code: plainly nothing, and why.
        let d = given(walk(
            &v,
            Symptom::LostMethods,
            &[(KNOWS, true), (HAS_CODE, false)],
        ));
        assert_eq!(d.route, Route::CannotRecover(Why::SecondStepOutOfReach));
    }

    #[test]
    fn once_a_recovery_change_took_effect_the_code_is_the_second_step_at_once() {
        let mut v = view(true, &[EMAIL], true);
        v.recovery.password_from_recovery = true;
        let d = given(walk(
            &v,
            Symptom::LostMethods,
            &[(KNOWS, true), (HAS_CODE, true)],
        ));
        assert_eq!(d.route, Route::SignInWithRecoveryCode);
        assert!(d.findings.contains(&Finding::RecoveryCodeIsSecondStep));
    }

    #[test]
    fn a_locked_password_waits_until_the_lock_ends_to_the_second() {
        let mut v = view(false, &[EMAIL], false);
        let until = lock(&mut v, Guarded::Password, 15);
        let d = given(walk(&v, Symptom::NotSure, &[(KNOWS, true)]));
        assert_eq!(d.route, Route::SignIn);
        assert_eq!(d.wait, Some(utc(until)));
        assert_eq!(
            d.steps,
            [
                Step::WaitUntil(utc(until)),
                Step::SignInWithPassword("jane".into())
            ]
        );
        assert!(d.findings.contains(&Finding::PasswordLocked(utc(until))));
    }

    #[test]
    fn a_locked_one_time_code_makes_the_reset_wait_and_a_locked_recovery_code_is_not_offered_now() {
        let mut v = view(false, &[EMAIL], true);
        let otc = lock(&mut v, Guarded::OneTimeCode, 15);
        let code = lock(&mut v, Guarded::RecoveryCode, 30);
        let d = given(walk(&v, Symptom::ForgotPassword, &[(CODES, true)]));
        assert_eq!(d.route, Route::ResetNow);
        assert_eq!(d.steps[0], Step::WaitUntil(utc(otc)));
        let d = given(walk(
            &v,
            Symptom::ForgotPassword,
            &[(CODES, false), (HAS_CODE, true)],
        ));
        assert_eq!(d.route, Route::ResetNowWithRecoveryCode);
        assert_eq!(d.steps[0], Step::WaitUntil(utc(code)));
    }

    #[test]
    fn a_waiting_change_is_cancelled_by_the_holder_who_signs_in_before_its_date() {
        let mut v = view(true, &[EMAIL], true);
        let due = now() + Duration::days(20);
        v.pending.push(PendingRow {
            id: 1,
            kind: "password_reset".into(),
            requested_at: now() - Duration::days(10),
            effective_at: due,
        });
        let d = given(walk(&v, Symptom::NotSure, &[(KNOWS, true), (CODES, true)]));
        assert_eq!(d.route, Route::SignIn);
        assert_eq!(d.steps.last(), Some(&Step::CancelWaitingChange(utc(due))));
        // A reset with two proofs cancels it by itself, and says so.
        let mut v2 = view(true, &[EMAIL, PHONE], false);
        v2.pending = v.pending.clone();
        let d = given(walk(&v2, Symptom::ForgotPassword, &[(CODES, true)]));
        assert_eq!(d.route, Route::ResetNow);
        assert!(d.steps.contains(&Step::ResetCancelsWaitingChange(utc(due))));
    }

    #[test]
    fn a_lock_ending_now_has_ended() {
        let mut v = view(false, &[EMAIL], false);
        v.locks.push(LockRow {
            what: Guarded::Password,
            until: now(),
        });
        let d = given(walk(&v, Symptom::NotSure, &[(KNOWS, true)]));
        assert_eq!(d.wait, None);
        assert_eq!(d.steps, [Step::SignInWithPassword("jane".into())]);
        assert!(
            !d.findings
                .iter()
                .any(|f| matches!(f, Finding::PasswordLocked(_)))
        );
    }

    #[test]
    fn a_change_due_now_has_taken_effect_and_is_not_announced_as_waiting() {
        let mut v = view(true, &[EMAIL], true);
        v.pending.push(PendingRow {
            id: 1,
            kind: "password_reset".into(),
            requested_at: now() - Duration::days(30),
            effective_at: now(),
        });
        let d = given(walk(&v, Symptom::NotSure, &[(KNOWS, true), (CODES, true)]));
        assert_eq!(d.route, Route::SignIn);
        assert!(
            !d.steps
                .iter()
                .any(|s| matches!(s, Step::CancelWaitingChange(_)))
        );
        assert!(
            !d.findings
                .iter()
                .any(|f| matches!(f, Finding::PendingTakesEffect(_)))
        );
        assert!(d.findings.contains(&Finding::ChangeTookEffect(utc(now()))));
    }

    /// A change due `minutes` from now, made by someone else.
    fn waiting(v: &mut AccountView, minutes: i64) -> DateTime<Utc> {
        let due = now() + Duration::minutes(minutes);
        v.pending.push(PendingRow {
            id: 1,
            kind: "password_reset".into(),
            requested_at: due - Duration::days(30),
            effective_at: due,
        });
        due
    }

    #[test]
    fn a_sign_in_that_must_wait_past_a_waiting_change_is_not_offered() {
        // The password is locked until the very moment the change takes effect: by then the
        // customer's password is no longer the password, so the path is a reset now.
        let mut v = view(false, &[EMAIL], false);
        lock(&mut v, Guarded::Password, 15);
        let due = waiting(&mut v, 15);
        // Knowing the password can't help, so it isn't asked.
        let d = given(walk(&v, Symptom::NotSure, &[(CODES, true)]));
        assert_eq!(d.route, Route::ResetNow);
        assert!(d.steps.contains(&Step::ResetCancelsWaitingChange(utc(due))));
        // A minute more and the sign-in is in time.
        let mut v = view(false, &[EMAIL], false);
        lock(&mut v, Guarded::Password, 15);
        let due = waiting(&mut v, 16);
        let d = given(walk(&v, Symptom::NotSure, &[(KNOWS, true)]));
        assert_eq!(d.route, Route::SignIn);
        assert_eq!(d.steps.last(), Some(&Step::CancelWaitingChange(utc(due))));
    }

    #[test]
    fn the_recovery_code_as_second_step_is_offered_only_before_a_waiting_change() {
        // No verified method (the code counts), two-step on, the password known.
        let mut v = view(true, &[], true);
        lock(&mut v, Guarded::Password, 15);
        let due = waiting(&mut v, 20 * 24 * 60);
        let d = given(walk(
            &v,
            Symptom::NotSure,
            &[(KNOWS, true), (HAS_CODE, true)],
        ));
        assert_eq!(d.route, Route::SignInWithRecoveryCode);
        assert!(d.steps.contains(&Step::CancelWaitingChange(utc(due))));
        let mut v = view(true, &[], true);
        lock(&mut v, Guarded::Password, 15);
        waiting(&mut v, 15);
        let d = given(walk(
            &v,
            Symptom::NotSure,
            &[(KNOWS, true), (HAS_CODE, true)],
        ));
        assert_ne!(d.route, Route::SignInWithRecoveryCode);
    }

    #[test]
    fn a_change_that_takes_effect_while_a_reset_waits_for_its_lock_is_not_said_to_be_cancelled() {
        let mut v = view(false, &[EMAIL], false);
        lock(&mut v, Guarded::OneTimeCode, 15);
        waiting(&mut v, 15);
        let d = given(walk(&v, Symptom::ForgotPassword, &[(CODES, true)]));
        assert_eq!(d.route, Route::ResetNow);
        assert!(
            !d.steps
                .iter()
                .any(|s| matches!(s, Step::ResetCancelsWaitingChange(_)))
        );
    }

    #[test]
    fn times_are_given_at_the_callers_offset() {
        let mut v = view(false, &[], true);
        let until = lock(&mut v, Guarded::RecoveryCode, 15);
        let plus2 = FixedOffset::east_opt(2 * 3600).unwrap();
        let mut a = Answers::new(Symptom::ForgotPassword);
        a.answer(HAS_CODE, true);
        let DeskNext::Give(d) = desk_next(&v, now(), &a, plus2) else {
            panic!("asks more");
        };
        let local = until.with_timezone(&plus2);
        assert_eq!(d.wait, Some(local));
        assert_eq!(local.format("%H:%M:%S").to_string(), "11:45:00");
    }

    #[test]
    fn unverified_methods_are_a_finding_only_when_there_are_some() {
        let v = view(false, &[EMAIL], false);
        let d = given(walk(&v, Symptom::ForgotPassword, &[(CODES, true)]));
        assert!(
            !d.findings
                .iter()
                .any(|f| matches!(f, Finding::UnverifiedMethods(_)))
        );
        let v = view(
            false,
            &[EMAIL, (MethodKind::Phone, "+15550100112", false)],
            false,
        );
        let d = given(walk(&v, Symptom::ForgotPassword, &[(CODES, true)]));
        assert!(d.findings.contains(&Finding::UnverifiedMethods(1)));
        // Codes go to the verified one only.
        assert!(
            d.steps
                .contains(&Step::ProveWithCode(vec!["j•••@example.com".into()]))
        );
    }

    #[test]
    fn the_holder_path_follows_the_answers() {
        use HolderPath as P;
        use Question as Q;
        let path = |symptom: Symptom, said: &[(Q, bool)]| {
            let mut a = Answers::new(symptom);
            for (q, y) in said {
                assert_eq!(holder_next(&a), Next::Ask(*q), "{symptom:?} {said:?}");
                a.answer(*q, *y);
            }
            holder_next(&a)
        };
        let forgot = Symptom::ForgotPassword;
        let lost = Symptom::LostMethods;
        let unsure = Symptom::NotSure;
        // The symptom, what the holder said, and the path they are given.
        type Row<'a> = (Symptom, &'a [(Q, bool)], P);
        let table: &[Row] = &[
            (forgot, &[(Q::CanGetCodes, true)], P::ResetWithMethod),
            (
                forgot,
                &[(Q::CanGetCodes, false), (Q::HasRecoveryCode, true)],
                P::RecoverWithCode,
            ),
            (
                forgot,
                &[(Q::CanGetCodes, false), (Q::HasRecoveryCode, false)],
                P::CannotRecover,
            ),
            (
                lost,
                &[(Q::KnowsPassword, true), (Q::HasRecoveryCode, true)],
                P::SignInOrRecoverWithCode,
            ),
            (
                lost,
                &[(Q::KnowsPassword, true), (Q::HasRecoveryCode, false)],
                P::SignInAndRepair,
            ),
            (
                lost,
                &[(Q::KnowsPassword, false), (Q::HasRecoveryCode, true)],
                P::RecoverWithCode,
            ),
            (
                lost,
                &[(Q::KnowsPassword, false), (Q::HasRecoveryCode, false)],
                P::CannotRecover,
            ),
            (unsure, &[(Q::KnowsPassword, true)], P::General),
            (
                unsure,
                &[(Q::KnowsPassword, false), (Q::CanGetCodes, true)],
                P::ResetWithMethod,
            ),
        ];
        for (symptom, said, given) in table {
            assert_eq!(
                path(*symptom, said),
                Next::Give(*given),
                "{symptom:?} {said:?}"
            );
        }
        // Taking an answer back asks the question again.
        let mut a = Answers::new(forgot);
        a.answer(Q::CanGetCodes, false);
        assert!(a.undo());
        assert_eq!(holder_next(&a), Next::Ask(Q::CanGetCodes));
        assert!(!a.undo());
    }

    #[test]
    fn the_recovery_code_path_keeps_the_seed_steps_in_order() {
        use HolderStep::*;
        let steps = HolderPath::RecoverWithCode.steps();
        let at = |s: HolderStep| steps.iter().position(|x| *x == s).unwrap();
        assert!(at(StartWithUsername) < at(OtherWaysToSignIn));
        assert!(at(OtherWaysToSignIn) < at(UsePasswordThenForgot));
        assert!(at(UsePasswordThenForgot) < at(DifferentOptionThenNone));
        assert!(at(DifferentOptionThenNone) < at(EnterRecoveryCode));
        assert!(at(EnterRecoveryCode) < at(SetPasswordAndKeepNewCode));
    }
}
