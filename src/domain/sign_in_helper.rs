//! The sign-in helper (seed page: "most issues can be identified by our sign-in helper tool").
//!
//! A pure diagnosis from an account's state, and what the customer says is wrong, to findings
//! and the exact self-service path to take. Used by the holder's "Can't sign in?" screen and
//! by the support desk, which reads the steps to the customer. It never suggests that support
//! can reset a password or change the account: the paths are all self-service.

use crate::domain::lockout::Guarded;
use crate::domain::pending_change::WAIT_DAYS;
use crate::store::read::AccountView;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::read::{
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
}
