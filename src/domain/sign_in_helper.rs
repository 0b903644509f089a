//! The sign-in helper (seed page: "most issues can be identified by our sign-in helper tool").
//!
//! Two helpers, one set of paths. The desk's `diagnose`: from an account's state and what the
//! customer says is wrong, to findings and the exact self-service path, which the agent reads to
//! the customer. The holder's `holder_next`, before sign-in: questions and a path from the
//! answers alone, since whoever types a username there may not own the account. Neither ever
//! suggests that support can reset a password or change the account: the paths are all
//! self-service.

use crate::domain::lockout::Guarded;
use crate::domain::model::AccountView;
use crate::domain::pending_change::WAIT_DAYS;
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
    pub fn label(self) -> &'static str {
        match self {
            Symptom::ForgotPassword => "I forgot my password",
            Symptom::LostMethods => "I can't use my email or phone",
            Symptom::NotSure => "Something else / not sure",
        }
    }
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

/// The helper's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub case: Case,
    /// One line: what is going on.
    pub headline: String,
    /// Facts about the account, each a sentence.
    pub findings: Vec<String>,
    /// The self-service path, in order, worded to be read out.
    pub steps: Vec<String>,
}

/// How times are shown (the caller's local offset).
fn when(t: DateTime<Utc>, tz: FixedOffset) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

fn day(t: DateTime<Utc>, tz: FixedOffset) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// The seed page's recovery steps, for `username`.
pub fn recovery_code_steps(username: &str, two_step: bool) -> Vec<String> {
    let mut s = vec![
        format!("Start signing in and enter the username {username}."),
        "Select Other ways to sign in.".to_string(),
        "Select Use my password, then Forgot password?".to_string(),
        "Select Use a different verification option, then I don't have any of these.".to_string(),
        "At Do you have an account recovery code?, enter the code. Upper or lower case, spaces and dashes don't matter.".to_string(),
        "Once the code is accepted, set a new password. A new recovery code is shown once: print it and keep it somewhere safe.".to_string(),
    ];
    if two_step {
        s.push(format!(
            "Two-step verification is on, so the new password takes effect only after {WAIT_DAYS} days."
        ));
    }
    s
}

/// Diagnoses `view` at `now`; times are worded in `tz`.
pub fn diagnose(view: &AccountView, now: DateTime<Utc>, symptom: Symptom) -> Diagnosis {
    diagnose_in(
        view,
        now,
        symptom,
        FixedOffset::east_opt(0).expect("zero offset"),
    )
}

/// As [`diagnose`], with times shown at offset `tz`.
pub fn diagnose_in(
    view: &AccountView,
    now: DateTime<Utc>,
    symptom: Symptom,
    tz: FixedOffset,
) -> Diagnosis {
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
        "No verified email address or phone number: no code can be sent.".to_string()
    } else {
        let list: Vec<String> = verified
            .iter()
            .map(|m| format!("{} {}", m.kind.label(), m.masked()))
            .collect();
        format!("Verified sign-in methods: {}.", list.join(", "))
    });
    if unverified > 0 {
        findings.push(format!(
            "{unverified} method(s) added but never verified; codes are not sent there."
        ));
    }
    findings.push(match view.recovery.active_since {
        Some(t) => format!("Recovery code: active since {}.", day(t, tz)),
        None => "No recovery code.".to_string(),
    });
    findings.push(if two_step {
        "Two-step verification is on.".to_string()
    } else {
        "Two-step verification is off.".to_string()
    });
    if let Some(t) = pw_lock {
        findings.push(format!(
            "Password entry is locked until {} (too many wrong passwords).",
            when(t, tz)
        ));
    }
    if let Some(t) = code_lock {
        findings.push(format!(
            "Recovery code entry is locked until {} (too many wrong codes).",
            when(t, tz)
        ));
    }
    if let Some(t) = otc_lock {
        findings.push(format!(
            "Security code entry is locked until {} (too many wrong codes).",
            when(t, tz)
        ));
    }
    if let Some(p) = pending {
        findings.push(format!(
            "A new password set through recovery takes effect on {}.",
            when(p.effective_at, tz)
        ));
    }
    if two_step && verified.len() == 1 {
        findings
            .push("Two-step verification is on with only one verified method left.".to_string());
    }

    let method_list = verified
        .iter()
        .map(|m| m.masked())
        .collect::<Vec<_>>()
        .join(" or ");
    let reset_with_method = |findings: Vec<String>| {
        let mut steps = vec![
            format!("Start signing in and enter the username {username}."),
            "On the password screen, select Forgot password?".to_string(),
            format!(
                "Have a code sent to {method_list}, and enter the 6 digits (the code works for 10 minutes)."
            ),
        ];
        if two_step {
            steps.push(if has_code || verified.len() > 1 {
                "Two-step verification is on: verify a second way too (another method or the recovery code), so the new password applies at once.".to_string()
            } else {
                format!("Two-step verification is on and there is no second proof, so the new password takes effect after {WAIT_DAYS} days.")
            });
        }
        steps.push("Set a new password.".to_string());
        Diagnosis {
            case: Case::ForgotPasswordWithMethod,
            headline: "The customer can reset the password with a code sent to a verified method."
                .to_string(),
            findings,
            steps,
        }
    };
    let with_code = |findings: Vec<String>| {
        match code_lock {
        Some(t) => Diagnosis {
            case: Case::CodeEntryLocked,
            headline: format!("Recovery code entry is locked until {}.", when(t, tz)),
            findings,
            steps: {
                let mut s = vec![format!(
                    "Wait until {}; attempts before then are refused, even with the right code.",
                    when(t, tz)
                )];
                s.extend(recovery_code_steps(username, two_step));
                s
            },
        },
        None => Diagnosis {
            case: Case::RecoverWithCode,
            headline: "No reachable method, but the account has a recovery code: follow the recovery code steps.".to_string(),
            findings,
            steps: recovery_code_steps(username, two_step),
        },
    }
    };
    let cannot = |findings: Vec<String>| {
        Diagnosis {
        case: Case::CannotRecover,
        headline: "Support cannot recover this account.".to_string(),
        findings,
        steps: vec![
            "There is no verified email or phone and no recovery code, so no self-service path can prove the customer owns the account — and support can't reset passwords or change accounts.".to_string(),
            "If the customer still knows the password, they can sign in, add and verify an email or phone, and generate a recovery code in Manage how I sign in.".to_string(),
            "Otherwise the account can't be recovered; the customer can create a new account.".to_string(),
        ],
    }
    };

    // A pending change explains most "my password changed" calls: it comes first when the
    // customer is not sure what is wrong.
    if let (Some(p), Symptom::NotSure) = (pending, symptom) {
        return Diagnosis {
            case: Case::PendingChange,
            headline: format!("A password change is pending until {}.", when(p.effective_at, tz)),
            findings,
            steps: vec![
                format!(
                    "If the customer made the change: the new password works from {}; until then the current password still signs in.",
                    when(p.effective_at, tz)
                ),
                "If they didn't: sign in the normal way with the current password (and the second step), open Manage how I sign in, and select Cancel this change.".to_string(),
                "Then generate a new recovery code: the one used for the change no longer works.".to_string(),
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
                Diagnosis {
                    case: Case::ForgotPasswordWithMethod,
                    headline: format!(
                        "Security code entry is locked until {}.",
                        when(otc_lock.unwrap_or(now), tz)
                    ),
                    findings,
                    steps: vec![
                        format!("Wait until {}.", when(otc_lock.unwrap_or(now), tz)),
                        "Then select Forgot password? and have a new code sent.".to_string(),
                    ],
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
                    headline: "Two-step verification is off: the password alone signs in.".to_string(),
                    findings,
                    steps: vec![
                        format!("Sign in with the username {username} and the password."),
                        "In Manage how I sign in, remove the lost method, add a new email or phone, and generate a recovery code.".to_string(),
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
                let mut steps = vec![format!(
                    "Password entry is locked until {}. Wait until then and sign in with the right password.",
                    when(t, tz)
                )];
                steps.push(if verified.is_empty() {
                    "If the password is forgotten, use the recovery code steps (Other ways to sign in, Use my password, Forgot password?, …).".to_string()
                } else {
                    "If the password is forgotten, select Forgot password? and have a code sent; the reset also clears the lock.".to_string()
                });
                Diagnosis {
                    case: Case::PasswordLocked,
                    headline: format!("Password entry is locked until {}.", when(t, tz)),
                    findings,
                    steps,
                }
            } else if code_lock.is_some() || verified.is_empty() {
                with_code(findings)
            } else if two_step && verified.len() == 1 {
                Diagnosis {
                    case: Case::TwoStepOneMethod,
                    headline: "Two-step verification is on with a single method: losing it would leave only the recovery code.".to_string(),
                    findings,
                    steps: vec![
                        format!(
                            "Sign in with the username {username}, the password, and the code sent to {method_list}."
                        ),
                        "In Manage how I sign in, add a second email or phone.".to_string(),
                        if has_code {
                            "Check the recovery code is stored safely; if not, generate a new one.".to_string()
                        } else {
                            "Generate a recovery code and print it.".to_string()
                        },
                    ],
                }
            } else {
                Diagnosis {
                    case: Case::CanSignIn,
                    headline: "Nothing on the account blocks a normal sign-in.".to_string(),
                    findings,
                    steps: {
                        let mut s = vec![format!(
                            "Sign in with the username {username} and the password{}.",
                            if two_step {
                                ", then the code sent for the second step"
                            } else {
                                ""
                            }
                        )];
                        s.push("If the password is forgotten, select Forgot password? and have a code sent.".to_string());
                        if !has_code {
                            s.push(
                                "Once signed in, generate a recovery code in Manage how I sign in."
                                    .to_string(),
                            );
                        }
                        s
                    },
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
            },
            locks: vec![],
            pending: vec![],
            events: vec![],
        }
    }

    const EMAIL: (MethodKind, &str, bool) = (MethodKind::Email, "jane@example.com", true);
    const PHONE: (MethodKind, &str, bool) = (MethodKind::Phone, "+15550100112", true);

    #[test]
    fn can_sign_in_normally() {
        let d = diagnose(&view(false, &[EMAIL], true), now(), Symptom::NotSure);
        assert_eq!(d.case, Case::CanSignIn);
        assert!(d.steps[0].contains("username jane"));
    }

    #[test]
    fn forgot_password_with_a_reachable_method() {
        let d = diagnose(
            &view(false, &[EMAIL], false),
            now(),
            Symptom::ForgotPassword,
        );
        assert_eq!(d.case, Case::ForgotPasswordWithMethod);
        assert!(d.steps.iter().any(|s| s.contains("Forgot password?")));
        assert!(
            d.steps.iter().any(|s| s.contains("j•••@example.com")),
            "{:?}",
            d.steps
        );
        assert!(!d.steps.iter().any(|s| s.contains("jane@example.com")));
    }

    #[test]
    fn no_reachable_method_but_a_code_gives_the_seed_steps_in_order() {
        let d = diagnose(&view(false, &[], true), now(), Symptom::NotSure);
        assert_eq!(d.case, Case::RecoverWithCode);
        let all = d.steps.join("\n");
        let order = [
            "Other ways to sign in",
            "Use my password",
            "Forgot password?",
            "Use a different verification option",
            "I don't have any of these",
            "Do you have an account recovery code?",
        ];
        let mut at = 0;
        for label in order {
            let i = all[at..]
                .find(label)
                .unwrap_or_else(|| panic!("{label} missing or out of order"));
            at += i;
        }
        // Lost methods with a code: the same path.
        let d = diagnose(
            &view(true, &[(MethodKind::Phone, "+15550100112", false)], true),
            now(),
            Symptom::LostMethods,
        );
        assert_eq!(d.case, Case::RecoverWithCode);
        assert!(d.steps.last().unwrap().contains("30 days"));
    }

    #[test]
    fn neither_method_nor_code_cannot_be_recovered_and_says_why() {
        for s in [Symptom::ForgotPassword, Symptom::NotSure] {
            let d = diagnose(&view(false, &[], false), now(), s);
            assert_eq!(d.case, Case::CannotRecover, "{s:?}");
            assert_eq!(d.headline, "Support cannot recover this account.");
            assert!(d.steps[0].contains("no verified email or phone and no recovery code"));
        }
        // Lost methods but still knows the password: with two-step off, the password alone
        // signs in; with it on, nothing can pass the second step.
        let d = diagnose(&view(false, &[], false), now(), Symptom::LostMethods);
        assert_eq!(d.case, Case::CanSignIn);
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
        v.locks.push(LockRow {
            what: Guarded::RecoveryCode,
            until: now() + Duration::minutes(15),
        });
        let d = diagnose(&v, now(), Symptom::LostMethods);
        assert_eq!(d.case, Case::CodeEntryLocked);
        assert!(d.headline.contains("2026-11-25 09:45"), "{}", d.headline);
        // Expired locks don't count.
        let d = diagnose(&v, now() + Duration::minutes(15), Symptom::LostMethods);
        assert_eq!(d.case, Case::RecoverWithCode);
    }

    #[test]
    fn password_locked_until_t() {
        let mut v = view(false, &[EMAIL], true);
        v.locks.push(LockRow {
            what: Guarded::Password,
            until: now() + Duration::minutes(30),
        });
        let d = diagnose(&v, now(), Symptom::NotSure);
        assert_eq!(d.case, Case::PasswordLocked);
        assert!(d.headline.contains("10:00"));
    }

    #[test]
    fn pending_change_due_on_d() {
        let mut v = view(true, &[EMAIL], true);
        v.pending.push(PendingRow {
            id: 1,
            kind: "password_reset".into(),
            requested_at: now(),
            effective_at: now() + Duration::days(30),
        });
        let d = diagnose(&v, now(), Symptom::NotSure);
        assert_eq!(d.case, Case::PendingChange);
        assert!(d.headline.contains("2026-12-25"), "{}", d.headline);
        assert!(d.steps.iter().any(|s| s.contains("Cancel this change")));
        assert!(d.findings.iter().any(|f| f.contains("2026-12-25")));
    }

    #[test]
    fn two_step_with_one_method_left() {
        let d = diagnose(&view(true, &[PHONE], true), now(), Symptom::NotSure);
        assert_eq!(d.case, Case::TwoStepOneMethod);
        assert!(
            d.findings
                .iter()
                .any(|f| f.contains("only one verified method"))
        );
        assert!(d.steps.iter().any(|s| s.contains("•••••••••12")));
    }

    #[test]
    fn two_step_forgot_password_mentions_the_second_proof() {
        let d = diagnose(
            &view(true, &[EMAIL, PHONE], true),
            now(),
            Symptom::ForgotPassword,
        );
        assert_eq!(d.case, Case::ForgotPasswordWithMethod);
        assert!(d.steps.iter().any(|s| s.contains("verify a second way")));
    }

    #[test]
    fn no_path_ever_says_support_will_reset() {
        for two in [false, true] {
            for m in [&[][..], &[EMAIL], &[EMAIL, PHONE]] {
                for code in [false, true] {
                    for s in Symptom::ALL {
                        let d = diagnose(&view(two, m, code), now(), s);
                        let text = format!("{} {:?}", d.headline, d.steps).to_lowercase();
                        assert!(!text.contains("support will"), "{text}");
                        assert!(!text.contains("reset link"), "{text}");
                    }
                }
            }
        }
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
        assert_eq!(
            path(forgot, &[(Q::CanGetCodes, true)]),
            Next::Give(P::ResetWithMethod)
        );
        assert_eq!(
            path(
                forgot,
                &[(Q::CanGetCodes, false), (Q::HasRecoveryCode, true)]
            ),
            Next::Give(P::RecoverWithCode)
        );
        assert_eq!(
            path(
                forgot,
                &[(Q::CanGetCodes, false), (Q::HasRecoveryCode, false)]
            ),
            Next::Give(P::CannotRecover)
        );
        assert_eq!(
            path(lost, &[(Q::HasRecoveryCode, true)]),
            Next::Give(P::RecoverWithCode)
        );
        assert_eq!(
            path(
                lost,
                &[(Q::HasRecoveryCode, false), (Q::KnowsPassword, true)]
            ),
            Next::Give(P::SignInAndRepair)
        );
        assert_eq!(
            path(
                lost,
                &[(Q::HasRecoveryCode, false), (Q::KnowsPassword, false)]
            ),
            Next::Give(P::CannotRecover)
        );
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
