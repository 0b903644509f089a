//! The sign-in helper (seed page: "most issues can be identified by our sign-in helper tool").
//!
//! Two helpers, one set of paths. The desk's `diagnose`: from an account's state and what the
//! customer says is wrong, to findings and the exact self-service path, which the agent reads to
//! the customer. The holder's `holder_next`, before sign-in: questions and a path from the
//! answers alone, since whoever types a username there may not own the account. Neither ever
//! suggests that support can reset a password or change the account: the paths are all
//! self-service.
//!
//! Both return data (cases, findings, steps as enums); each console words them in its own
//! `strings.rs`, so the rules here never carry English.

use crate::domain::lockout::Guarded;
use crate::domain::model::{AccountView, MethodKind};
use chrono::{DateTime, FixedOffset, Utc};

/// What the customer says is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symptom {
    /// "I forgot my password."
    ForgotPassword,
    /// "I can't use my email or phone any more."
    LostMethods,
    /// "I'm not sure" — diagnose from the account alone.
    NotSure,
}

impl Symptom {
    pub const ALL: [Symptom; 3] = [
        Symptom::ForgotPassword,
        Symptom::LostMethods,
        Symptom::NotSure,
    ];
}

/// The situation the helper found; decides which path it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Nothing blocks a normal sign-in.
    CanSignIn,
    /// Reset the password with a code sent to a verified email or phone.
    ForgotPasswordWithMethod,
    /// No reachable method, but an active recovery code: the seed page's steps.
    RecoverWithCode,
    /// Neither a verified method nor a recovery code.
    CannotRecover,
    /// Recovery code entry is locked until a time.
    CodeEntryLocked,
    /// Password entry is locked until a time.
    PasswordLocked,
    /// A change made through recovery is waiting to take effect.
    PendingChange,
    /// Two-step verification is on with only one verified method.
    TwoStepOneMethod,
}

/// A time at the offset the caller asked for (the desk's local time).
pub type LocalTime = DateTime<FixedOffset>;

/// One line saying what is going on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Headline {
    /// The password can be reset with a code sent to a verified method.
    ResetWithMethod,
    /// Recovery code entry is locked until then.
    CodeEntryLocked(LocalTime),
    /// No reachable method, but a recovery code: the recovery code steps.
    RecoverWithCode,
    /// No self-service proof is left.
    CannotRecover,
    /// A password change is pending until then.
    PendingChange(LocalTime),
    /// Security (one-time) code entry is locked until then.
    OneTimeCodeLocked(LocalTime),
    /// Two-step verification is off: the password alone signs in.
    PasswordAloneSignsIn,
    /// Password entry is locked until then.
    PasswordLocked(LocalTime),
    /// Two-step verification with a single method.
    TwoStepOneMethod,
    /// Nothing blocks a normal sign-in.
    NothingBlocks,
}

/// A fact about the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// No verified email or phone: no code can be sent.
    NoVerifiedMethod,
    /// The verified methods, each with its masked address.
    VerifiedMethods(Vec<(MethodKind, String)>),
    /// This many methods were added but never verified.
    UnverifiedMethods(usize),
    /// A recovery code is active since then.
    RecoveryCodeSince(LocalTime),
    /// The customer checked their saved copy of the active code then, and it was the current
    /// code (the recovery drill): the code on their paper works.
    RecoveryCodeCheckedOn(LocalTime),
    NoRecoveryCode,
    /// Two-step verification is on (`true`) or off.
    TwoStep(bool),
    PasswordLocked(LocalTime),
    RecoveryCodeLocked(LocalTime),
    OneTimeCodeLocked(LocalTime),
    /// A new password set through recovery takes effect then.
    PendingTakesEffect(LocalTime),
    /// Two-step verification is on with one verified method left.
    TwoStepOneMethodLeft,
}

/// One step of the self-service path the agent reads out. Addresses are masked already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Start signing in with this username.
    StartWithUsername(String),
    OtherWaysToSignIn,
    UsePasswordThenForgot,
    DifferentOptionThenNone,
    EnterRecoveryCode,
    SetPasswordAndKeepNewCode,
    /// Two-step verification is on: the new password waits the pending period.
    TwoStepWait,
    ChooseForgotPassword,
    /// Have a code sent to one of these (masked) addresses and enter it.
    SendCodeTo(Vec<String>),
    /// Two-step verification is on and a second proof exists: use it too.
    SecondProofNow,
    /// Two-step verification is on with no second proof: the new password waits.
    NoSecondProofWait,
    SetNewPassword,
    /// Recovery code entry is locked until then, even for the right code.
    WaitForCodeEntry(LocalTime),
    /// No proof is left, and support cannot reset or change accounts.
    NoProofLeft,
    IfPasswordKnownRepair,
    CreateNewAccount,
    /// If the customer made the pending change: it works from then.
    PendingIfTheyMadeIt(LocalTime),
    PendingIfNotCancel,
    PendingThenNewCode,
    /// Wait until then (security code entry is locked).
    WaitUntil(LocalTime),
    ThenForgotAndResend,
    /// Sign in with this username and the password.
    SignInWithPassword(String),
    RepairLostMethod,
    /// Password entry is locked until then: wait and use the right password.
    PasswordLockedWait(LocalTime),
    IfForgottenUseRecoveryCode,
    IfForgottenResetClearsLock,
    /// Sign in with this username, the password and a code sent to one of these addresses.
    SignInWithSecondStep {
        username: String,
        methods: Vec<String>,
    },
    AddSecondMethod,
    CheckCodeStored,
    GenerateAndPrintCode,
    /// Sign in the normal way (with the second step when two-step verification is on).
    SignInNormally {
        username: String,
        two_step: bool,
    },
    IfForgottenReset,
    GenerateCodeOnceSignedIn,
}

/// The helper's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub case: Case,
    /// What is going on.
    pub headline: Headline,
    /// Facts about the account.
    pub findings: Vec<Finding>,
    /// The self-service path, in order.
    pub steps: Vec<Step>,
}

/// The seed page's recovery steps, for `username`.
pub fn recovery_code_steps(username: &str, two_step: bool) -> Vec<Step> {
    let mut s = vec![
        Step::StartWithUsername(username.to_string()),
        Step::OtherWaysToSignIn,
        Step::UsePasswordThenForgot,
        Step::DifferentOptionThenNone,
        Step::EnterRecoveryCode,
        Step::SetPasswordAndKeepNewCode,
    ];
    if two_step {
        s.push(Step::TwoStepWait);
    }
    s
}

/// Diagnoses `view` at `now`; times are given in UTC.
pub fn diagnose(view: &AccountView, now: DateTime<Utc>, symptom: Symptom) -> Diagnosis {
    diagnose_in(
        view,
        now,
        symptom,
        FixedOffset::east_opt(0).expect("zero offset"),
    )
}

/// As [`diagnose`], with times given at offset `tz`.
pub fn diagnose_in(
    view: &AccountView,
    now: DateTime<Utc>,
    symptom: Symptom,
    tz: FixedOffset,
) -> Diagnosis {
    let at = |t: DateTime<Utc>| t.with_timezone(&tz);
    let username = view.account.username.as_str();
    let two_step = view.account.two_step;
    let verified: Vec<_> = view.methods.iter().filter(|m| m.verified).collect();
    let unverified = view.methods.len() - verified.len();
    let has_code = view.recovery.active_since.is_some();
    let lock = |g: Guarded| {
        view.locks
            .iter()
            .find(|l| l.what == g && l.until > now)
            .map(|l| l.until)
    };
    let pw_lock = lock(Guarded::Password);
    let code_lock = lock(Guarded::RecoveryCode);
    let otc_lock = lock(Guarded::OneTimeCode);
    let pending = view.pending.iter().find(|p| p.effective_at > now);

    // Findings: every fact that matters, whatever the case.
    let mut findings = vec![];
    findings.push(if verified.is_empty() {
        Finding::NoVerifiedMethod
    } else {
        Finding::VerifiedMethods(verified.iter().map(|m| (m.kind, m.masked())).collect())
    });
    if unverified > 0 {
        findings.push(Finding::UnverifiedMethods(unverified));
    }
    findings.push(match view.recovery.active_since {
        Some(t) => Finding::RecoveryCodeSince(at(t)),
        None => Finding::NoRecoveryCode,
    });
    if let (Some(_), Some(t)) = (view.recovery.active_since, view.recovery.last_checked) {
        findings.push(Finding::RecoveryCodeCheckedOn(at(t)));
    }
    findings.push(Finding::TwoStep(two_step));
    if let Some(t) = pw_lock {
        findings.push(Finding::PasswordLocked(at(t)));
    }
    if let Some(t) = code_lock {
        findings.push(Finding::RecoveryCodeLocked(at(t)));
    }
    if let Some(t) = otc_lock {
        findings.push(Finding::OneTimeCodeLocked(at(t)));
    }
    if let Some(p) = pending {
        findings.push(Finding::PendingTakesEffect(at(p.effective_at)));
    }
    if two_step && verified.len() == 1 {
        findings.push(Finding::TwoStepOneMethodLeft);
    }

    let methods: Vec<String> = verified.iter().map(|m| m.masked()).collect();
    let reset_with_method = |findings: Vec<Finding>| {
        let mut steps = vec![
            Step::StartWithUsername(username.to_string()),
            Step::ChooseForgotPassword,
            Step::SendCodeTo(methods.clone()),
        ];
        if two_step {
            steps.push(if has_code || verified.len() > 1 {
                Step::SecondProofNow
            } else {
                Step::NoSecondProofWait
            });
        }
        steps.push(Step::SetNewPassword);
        Diagnosis {
            case: Case::ForgotPasswordWithMethod,
            headline: Headline::ResetWithMethod,
            findings,
            steps,
        }
    };
    let with_code = |findings: Vec<Finding>| match code_lock {
        Some(t) => Diagnosis {
            case: Case::CodeEntryLocked,
            headline: Headline::CodeEntryLocked(at(t)),
            findings,
            steps: {
                let mut s = vec![Step::WaitForCodeEntry(at(t))];
                s.extend(recovery_code_steps(username, two_step));
                s
            },
        },
        None => Diagnosis {
            case: Case::RecoverWithCode,
            headline: Headline::RecoverWithCode,
            findings,
            steps: recovery_code_steps(username, two_step),
        },
    };
    let cannot = |findings: Vec<Finding>| Diagnosis {
        case: Case::CannotRecover,
        headline: Headline::CannotRecover,
        findings,
        steps: vec![
            Step::NoProofLeft,
            Step::IfPasswordKnownRepair,
            Step::CreateNewAccount,
        ],
    };

    // A pending change explains most "my password changed" calls: it comes first when the
    // customer is not sure what is wrong.
    if let (Some(p), Symptom::NotSure) = (pending, symptom) {
        return Diagnosis {
            case: Case::PendingChange,
            headline: Headline::PendingChange(at(p.effective_at)),
            findings,
            steps: vec![
                Step::PendingIfTheyMadeIt(at(p.effective_at)),
                Step::PendingIfNotCancel,
                Step::PendingThenNewCode,
            ],
        };
    }

    match symptom {
        Symptom::ForgotPassword => {
            if !verified.is_empty() && otc_lock.is_none() {
                reset_with_method(findings)
            } else if has_code {
                with_code(findings)
            } else if !verified.is_empty() {
                let until = at(otc_lock.unwrap_or(now));
                Diagnosis {
                    case: Case::ForgotPasswordWithMethod,
                    headline: Headline::OneTimeCodeLocked(until),
                    findings,
                    steps: vec![Step::WaitUntil(until), Step::ThenForgotAndResend],
                }
            } else {
                cannot(findings)
            }
        }
        Symptom::LostMethods => {
            if has_code {
                with_code(findings)
            } else if !two_step {
                Diagnosis {
                    case: Case::CanSignIn,
                    headline: Headline::PasswordAloneSignsIn,
                    findings,
                    steps: vec![
                        Step::SignInWithPassword(username.to_string()),
                        Step::RepairLostMethod,
                    ],
                }
            } else {
                cannot(findings)
            }
        }
        Symptom::NotSure => {
            if verified.is_empty() && !has_code {
                cannot(findings)
            } else if let Some(t) = pw_lock {
                Diagnosis {
                    case: Case::PasswordLocked,
                    headline: Headline::PasswordLocked(at(t)),
                    findings,
                    steps: vec![
                        Step::PasswordLockedWait(at(t)),
                        if verified.is_empty() {
                            Step::IfForgottenUseRecoveryCode
                        } else {
                            Step::IfForgottenResetClearsLock
                        },
                    ],
                }
            } else if code_lock.is_some() || verified.is_empty() {
                with_code(findings)
            } else if two_step && verified.len() == 1 {
                Diagnosis {
                    case: Case::TwoStepOneMethod,
                    headline: Headline::TwoStepOneMethod,
                    findings,
                    steps: vec![
                        Step::SignInWithSecondStep {
                            username: username.to_string(),
                            methods: methods.clone(),
                        },
                        Step::AddSecondMethod,
                        if has_code {
                            Step::CheckCodeStored
                        } else {
                            Step::GenerateAndPrintCode
                        },
                    ],
                }
            } else {
                let mut steps = vec![
                    Step::SignInNormally {
                        username: username.to_string(),
                        two_step,
                    },
                    Step::IfForgottenReset,
                ];
                if !has_code {
                    steps.push(Step::GenerateCodeOnceSignedIn);
                }
                Diagnosis {
                    case: Case::CanSignIn,
                    headline: Headline::NothingBlocks,
                    findings,
                    steps,
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The holder's helper, before sign-in. Anyone can type any username there, so the path depends
// only on what the person answers, never on the account's state: it reveals nothing the sign-in
// screens don't (SPEC §4). Account facts are for the signed-in holder and the desk
// (`diagnose` above).

/// A yes/no question the holder's helper asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Can you still get a code at an email address or phone number on your account?
    CanGetCodes,
    /// Do you have your recovery code?
    HasRecoveryCode,
    /// Do you still know your password?
    KnowsPassword,
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

    fn said(&self, q: Question) -> Option<bool> {
        self.said.iter().find(|(a, _)| *a == q).map(|(_, y)| *y)
    }
}

/// The path the holder's helper gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderPath {
    /// Forgot the password, can still get codes: **Forgot password?** with a code.
    ResetWithMethod,
    /// Can't get codes but has the recovery code: the seed page's steps.
    RecoverWithCode,
    /// Lost the methods but knows the password: sign in, then repair the methods.
    SignInAndRepair,
    /// Neither a code nor the recovery code (nor the password): no self-service proof.
    CannotRecover,
    /// Not sure: what to do for each thing the sign-in screens may say.
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
    WaitIfTwoStep,
    SignInWithPassword,
    SecondStepNeedsRecoveryCode,
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
                WaitIfTwoStep,
            ],
            HolderPath::SignInAndRepair => &[
                SignInWithPassword,
                SecondStepNeedsRecoveryCode,
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
    match a.symptom {
        Symptom::ForgotPassword => branch(
            Q::CanGetCodes,
            Next::Give(P::ResetWithMethod),
            branch(
                Q::HasRecoveryCode,
                Next::Give(P::RecoverWithCode),
                Next::Give(P::CannotRecover),
            ),
        ),
        Symptom::LostMethods => branch(
            Q::HasRecoveryCode,
            Next::Give(P::RecoverWithCode),
            branch(
                Q::KnowsPassword,
                Next::Give(P::SignInAndRepair),
                Next::Give(P::CannotRecover),
            ),
        ),
        Symptom::NotSure => Next::Give(P::General),
    }
}

#[cfg(test)]
mod tests {
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
                last_used: None,
                last_checked: None,
            },
            locks: vec![],
            pending: vec![],
            events: vec![],
        }
    }

    const EMAIL: (MethodKind, &str, bool) = (MethodKind::Email, "jane@example.com", true);
    const PHONE: (MethodKind, &str, bool) = (MethodKind::Phone, "+15550100112", true);

    /// Locks `what` on `v` for `minutes` from now; returns until when.
    fn lock(v: &mut AccountView, what: Guarded, minutes: i64) -> DateTime<Utc> {
        let until = now() + Duration::minutes(minutes);
        v.locks.push(LockRow { what, until });
        until
    }

    fn utc(t: DateTime<Utc>) -> LocalTime {
        t.fixed_offset()
    }

    #[test]
    fn can_sign_in_normally() {
        let d = diagnose(&view(false, &[EMAIL], true), now(), Symptom::NotSure);
        assert_eq!(d.case, Case::CanSignIn);
        assert_eq!(d.headline, Headline::NothingBlocks);
        assert_eq!(
            d.steps,
            [
                Step::SignInNormally {
                    username: "jane".into(),
                    two_step: false
                },
                Step::IfForgottenReset,
            ]
        );
    }

    #[test]
    fn forgot_password_with_a_reachable_method() {
        let d = diagnose(
            &view(false, &[EMAIL], false),
            now(),
            Symptom::ForgotPassword,
        );
        assert_eq!(d.case, Case::ForgotPasswordWithMethod);
        assert_eq!(
            d.steps,
            [
                Step::StartWithUsername("jane".into()),
                Step::ChooseForgotPassword,
                Step::SendCodeTo(vec!["j•••@example.com".into()]),
                Step::SetNewPassword,
            ]
        );
        assert!(!format!("{d:?}").contains("jane@example.com"));
    }

    #[test]
    fn no_reachable_method_but_a_code_gives_the_seed_steps_in_order() {
        let d = diagnose(&view(false, &[], true), now(), Symptom::NotSure);
        assert_eq!(d.case, Case::RecoverWithCode);
        assert_eq!(d.steps, recovery_code_steps("jane", false));
        assert_eq!(
            d.steps,
            [
                Step::StartWithUsername("jane".into()),
                Step::OtherWaysToSignIn,
                Step::UsePasswordThenForgot,
                Step::DifferentOptionThenNone,
                Step::EnterRecoveryCode,
                Step::SetPasswordAndKeepNewCode,
            ]
        );
        // Lost methods with a code: the same path, and two-step makes the change wait.
        let d = diagnose(
            &view(true, &[(MethodKind::Phone, "+15550100112", false)], true),
            now(),
            Symptom::LostMethods,
        );
        assert_eq!(d.case, Case::RecoverWithCode);
        assert_eq!(d.steps.last(), Some(&Step::TwoStepWait));
        assert!(d.findings.contains(&Finding::UnverifiedMethods(1)));
    }

    #[test]
    fn neither_method_nor_code_cannot_be_recovered_and_says_why() {
        for s in [Symptom::ForgotPassword, Symptom::NotSure] {
            let d = diagnose(&view(false, &[], false), now(), s);
            assert_eq!(d.case, Case::CannotRecover, "{s:?}");
            assert_eq!(d.headline, Headline::CannotRecover);
            assert_eq!(d.steps[0], Step::NoProofLeft);
            assert!(d.findings.contains(&Finding::NoVerifiedMethod));
            assert!(d.findings.contains(&Finding::NoRecoveryCode));
        }
        // Lost methods but still knows the password: with two-step off, the password alone
        // signs in; with it on, nothing can pass the second step.
        let d = diagnose(&view(false, &[], false), now(), Symptom::LostMethods);
        assert_eq!(d.case, Case::CanSignIn);
        assert_eq!(d.headline, Headline::PasswordAloneSignsIn);
        let d = diagnose(
            &view(
                true,
                &[(MethodKind::Email, "jane@example.com", false)],
                false,
            ),
            now(),
            Symptom::LostMethods,
        );
        assert_eq!(d.case, Case::CannotRecover);
    }

    #[test]
    fn code_entry_locked_until_t() {
        let mut v = view(false, &[], true);
        let until = lock(&mut v, Guarded::RecoveryCode, 15);
        let d = diagnose(&v, now(), Symptom::LostMethods);
        assert_eq!(d.case, Case::CodeEntryLocked);
        assert_eq!(d.headline, Headline::CodeEntryLocked(utc(until)));
        assert_eq!(d.steps[0], Step::WaitForCodeEntry(utc(until)));
        // Expired locks don't count.
        let d = diagnose(&v, until, Symptom::LostMethods);
        assert_eq!(d.case, Case::RecoverWithCode);
    }

    #[test]
    fn times_are_given_at_the_callers_offset() {
        let mut v = view(false, &[], true);
        let until = lock(&mut v, Guarded::RecoveryCode, 15);
        let tz = FixedOffset::east_opt(3600).unwrap();
        let d = diagnose_in(&v, now(), Symptom::LostMethods, tz);
        let Headline::CodeEntryLocked(t) = d.headline else {
            panic!("{:?}", d.headline)
        };
        assert_eq!(t.offset(), &tz);
        assert_eq!(t, until);
    }

    #[test]
    fn password_locked_until_t() {
        let mut v = view(false, &[EMAIL], true);
        let until = lock(&mut v, Guarded::Password, 30);
        let d = diagnose(&v, now(), Symptom::NotSure);
        assert_eq!(d.case, Case::PasswordLocked);
        assert_eq!(d.headline, Headline::PasswordLocked(utc(until)));
        assert!(d.findings.contains(&Finding::PasswordLocked(utc(until))));
        assert_eq!(
            d.steps,
            [
                Step::PasswordLockedWait(utc(until)),
                Step::IfForgottenResetClearsLock
            ]
        );
    }

    #[test]
    fn pending_change_due_on_d() {
        let mut v = view(true, &[EMAIL], true);
        let due = now() + Duration::days(30);
        v.pending.push(PendingRow {
            id: 1,
            kind: "password_reset".into(),
            requested_at: now(),
            effective_at: due,
        });
        let d = diagnose(&v, now(), Symptom::NotSure);
        assert_eq!(d.case, Case::PendingChange);
        assert_eq!(d.headline, Headline::PendingChange(utc(due)));
        assert!(d.steps.contains(&Step::PendingIfNotCancel));
        assert!(d.findings.contains(&Finding::PendingTakesEffect(utc(due))));
    }

    #[test]
    fn a_change_due_now_has_taken_effect_and_is_not_announced_as_pending() {
        // At its effective time the change applies (at the next sign-in, before the password
        // is checked): the helper must not tell the customer it is still to come.
        let mut v = view(true, &[EMAIL], true);
        let due = now();
        v.pending.push(PendingRow {
            id: 1,
            kind: "password_reset".into(),
            requested_at: now() - Duration::days(30),
            effective_at: due,
        });
        let d = diagnose(&v, due, Symptom::NotSure);
        assert_ne!(d.case, Case::PendingChange);
        assert!(
            !d.findings
                .iter()
                .any(|f| matches!(f, Finding::PendingTakesEffect(_)))
        );
    }

    #[test]
    fn two_step_with_one_method_left() {
        let d = diagnose(&view(true, &[PHONE], true), now(), Symptom::NotSure);
        assert_eq!(d.case, Case::TwoStepOneMethod);
        assert!(d.findings.contains(&Finding::TwoStepOneMethodLeft));
        assert_eq!(
            d.steps[0],
            Step::SignInWithSecondStep {
                username: "jane".into(),
                methods: vec!["•••••••••12".into()]
            }
        );
    }

    #[test]
    fn two_step_forgot_password_mentions_the_second_proof() {
        let d = diagnose(
            &view(true, &[EMAIL, PHONE], true),
            now(),
            Symptom::ForgotPassword,
        );
        assert_eq!(d.case, Case::ForgotPasswordWithMethod);
        assert!(d.steps.contains(&Step::SecondProofNow));
        assert!(d.findings.contains(&Finding::VerifiedMethods(vec![
            (MethodKind::Email, "j•••@example.com".into()),
            (MethodKind::Phone, "•••••••••12".into()),
        ])));
    }

    #[test]
    fn two_step_reset_waits_only_without_a_second_proof() {
        let second = |methods: &[(MethodKind, &str, bool)], code: bool| {
            let d = diagnose(&view(true, methods, code), now(), Symptom::ForgotPassword);
            assert_eq!(d.case, Case::ForgotPasswordWithMethod);
            d.steps
        };
        // The recovery code, or another method, is a second proof: no wait.
        assert!(second(&[EMAIL], true).contains(&Step::SecondProofNow));
        assert!(second(&[EMAIL, PHONE], false).contains(&Step::SecondProofNow));
        // One method and no code: the new password waits.
        let alone = second(&[EMAIL], false);
        assert!(alone.contains(&Step::NoSecondProofWait), "{alone:?}");
        assert!(!alone.contains(&Step::SecondProofNow));
    }

    #[test]
    fn unverified_methods_are_a_finding_only_when_there_are_some() {
        let unverified = (MethodKind::Email, "jane.new@example.com", false);
        let d = diagnose(
            &view(false, &[EMAIL, unverified], true),
            now(),
            Symptom::NotSure,
        );
        assert!(d.findings.contains(&Finding::UnverifiedMethods(1)));
        let d = diagnose(&view(false, &[EMAIL], true), now(), Symptom::NotSure);
        assert!(
            !d.findings
                .iter()
                .any(|f| matches!(f, Finding::UnverifiedMethods(_)))
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
            (lost, &[(Q::HasRecoveryCode, true)], P::RecoverWithCode),
            (
                lost,
                &[(Q::HasRecoveryCode, false), (Q::KnowsPassword, true)],
                P::SignInAndRepair,
            ),
            (
                lost,
                &[(Q::HasRecoveryCode, false), (Q::KnowsPassword, false)],
                P::CannotRecover,
            ),
        ];
        for (symptom, said, given) in table {
            assert_eq!(
                path(*symptom, said),
                Next::Give(*given),
                "{symptom:?} {said:?}"
            );
        }
        assert_eq!(path(Symptom::NotSure, &[]), Next::Give(P::General));
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
