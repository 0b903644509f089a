//! Every piece of text the support desk puts on screen, in one place (gitui's `strings.rs`),
//! so the wording can follow the seed page and be reviewed or translated together.
//!
//! Text that comes from the database is never here: it is sanitised once, where it enters the
//! view model (the worker wraps each account view in `Clean`), and drawn as it is.

use crate::domain::lockout::Guarded;
use crate::domain::model::AccountView;
use crate::domain::model::MethodKind;
use crate::domain::pending_change::WAIT_DAYS;
use crate::domain::sign_in_helper::{Diagnosis, Finding, LocalTime, Question, Route, Step, Why};

/// The policy line (SPEC §1.7), drawn at the top of every desk screen. Two rows, so that it
/// fits an 80-column terminal without an orphaned word.
pub const POLICY_LINES: [&str; 2] = [
    "Support agents can't send password reset links,",
    "or access and change account details.",
];

/// The policy as one sentence (tests look for it).
pub const POLICY: &str =
    "Support agents can't send password reset links, or access and change account details.";

// ---------------------------------------------------------------------------------------------
// Page titles

pub const TITLE_SIGN_IN: &str = "Support desk — agent sign-in";
pub const TITLE_FIND: &str = "Support desk — find an account";
pub const TITLE_ACCOUNT: &str = "Support desk — account";
pub const TITLE_HELPER: &str = "Support desk — sign-in helper";
pub const TITLE_PASSWORD: &str = "Support desk — my password";

// ---------------------------------------------------------------------------------------------
// Agent sign-in

pub const SIGN_IN_INTRO: &str = "Sign in with your support agent name and password.";
pub const AGENT_NAME: &str = "Agent name";
pub const AGENT_PASSWORD: &str = "Password";
pub const CHECKING: &str = "Checking…";
pub const NAME_EMPTY: &str = "Type your agent name.";
pub const PASSWORD_EMPTY: &str = "Type your password.";
/// The same words for an unknown name and a wrong password, so the desk never says which
/// agent names exist.
pub const WRONG_CREDENTIALS: &str = "That agent name and password don't match.";
pub fn tries_left(n: u32) -> String {
    match n {
        1 => "1 more wrong try locks sign-in for this agent name.".to_string(),
        n => format!("{n} more wrong tries lock sign-in for this agent name."),
    }
}
pub fn agent_locked(until: &str) -> String {
    format!("Too many wrong passwords: sign-in for this agent name is locked until {until}.")
}
/// Shown only after the right password, so it does not reveal which names exist.
pub const AGENT_BLOCKED: &str = "After 100 wrong passwords in a row this name is locked. An administrator can run: recovery-desk agent reset-password NAME";
pub const AGENT_DISABLED: &str =
    "This agent account is disabled. Ask your desk administrator to enable it.";
/// A signed-in agent disabled meanwhile: the desk locks at its next request.
pub const AGENT_DISABLED_SESSION: &str =
    "This agent account was disabled, so the desk is locked. Ask your desk administrator.";
pub const IDLE_LOCKED: &str = "Locked after 5 minutes without activity. Sign in again.";
pub const SIGNED_OUT: &str = "Signed out.";
pub fn bad_agent_name(reason: &str) -> String {
    let mut s = reason.to_string();
    if let Some(first) = s.get(0..1) {
        let upper = first.to_ascii_uppercase();
        s.replace_range(0..1, &upper);
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Find an account

pub fn signed_in_as(agent: &str) -> String {
    format!("Signed in as {agent}.")
}
pub const FIND_INTRO: &str = "One exact username, email, phone or account id (#42): no browsing, no partial match. A case or ticket typed beside it goes in the audit log.";
pub const FIND_FIELD: &str = "Username, email, phone or #id";
pub const CASE_FIELD: &str = "Case/ticket (optional)";
pub const FIND_CHOICES: [&str; 2] = ["Look up", "Sign out"];
/// A recent lookup of this session, offered again on Find.
pub fn reopen(label: &str) -> String {
    format!("Open {label} again")
}
/// The account menu's way back to the account open before this one.
pub fn back_to(label: &str) -> String {
    format!("Back to {label}")
}
/// How a recent account is named: `pat (#1)`.
pub fn account_label(username: &str, id: i64) -> String {
    format!("{username} (#{id})")
}
pub const LOOKING_UP: &str = "Looking up…";
/// Find's choice for the agent's own password, before Sign out.
pub const FIND_CHANGE_PASSWORD: &str = "Change my password";

// ---------------------------------------------------------------------------------------------
// The agent's own password

pub const PASSWORD_INTRO: &str = "Your current desk password, then the new one twice: at least 8 characters, not a common one, not containing your agent name. It works from your next sign-in.";
pub const CURRENT_PASSWORD: &str = "Current password";
pub const NEW_PASSWORD: &str = "New password";
pub const NEW_PASSWORD_AGAIN: &str = "New password again";
/// Which field is empty, by field.
pub const PASSWORD_FIELD_EMPTY: [&str; 3] = [
    "Type your current password.",
    "Type the new password.",
    "Type the new password again.",
];
pub const CHANGING_PASSWORD: &str = "Changing your password…";
pub const PASSWORD_CONTAINS_NAME: &str = "Your password can't contain your agent name.";
pub const PASSWORD_CHANGED: &str =
    "Your desk password was changed. Use the new one from your next sign-in.";
pub const PASSWORD_UNCHANGED: &str =
    "That is your current password. Choose a new one. Nothing was changed.";
pub fn wrong_current_password(tries_left: u32) -> String {
    format!(
        "That isn't your current password. Nothing was changed. {}",
        self::tries_left(tries_left)
    )
}
/// Too many wrong current passwords: the session ends, as after as many wrong sign-ins.
pub fn password_change_locked(until: &str) -> String {
    format!("Too many wrong passwords: you were signed out, and sign-in is locked until {until}.")
}
pub fn not_found(what: &str) -> String {
    format!("No account matches {what} exactly.")
}
pub fn lookup_kind(kind: LookupKind) -> &'static str {
    match kind {
        LookupKind::Username => "the username",
        LookupKind::Email => "the email address",
        LookupKind::Phone => "the phone number",
        LookupKind::AccountId => "the account id",
    }
}

/// What kind of identifier a lookup was, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKind {
    Username,
    Email,
    Phone,
    AccountId,
}

// ---------------------------------------------------------------------------------------------
// Account view

pub const ACCOUNT_CHOICES: [&str; 3] =
    ["Run the sign-in helper", "Find another account", "Sign out"];
pub const LOADING: &str = "Loading…";
pub const L_ACCOUNT: &str = "Account";
pub const L_CREATED: &str = "Created";
pub const L_PASSWORD_CHANGED: &str = "Password changed";
pub const L_TWO_STEP: &str = "Two-step verification";
pub const L_RECOVERY: &str = "Recovery code";
pub const L_METHODS: &str = "Sign-in methods";
/// The account view's line for an authenticator app (SPEC §10: only that and its date).
pub fn authenticator_app(added: &str) -> String {
    format!("Authenticator app · added {added}")
}
pub const L_LOCKOUTS: &str = "Lockouts";
pub const L_PENDING: &str = "Pending changes";
pub fn events_heading(offset: &str) -> String {
    format!("Recent security events (newest first, times in {offset})")
}
pub const ON: &str = "On";
pub const OFF: &str = "Off";
pub const NONE: &str = "None";
pub const VERIFIED: &str = "verified";
pub const UNVERIFIED: &str = "not verified";
pub const NO_EVENTS: &str = "No security events.";
pub fn recovery_active(since: &str) -> String {
    format!("Active since {since}")
}
pub fn recovery_last_used(at: &str) -> String {
    format!("Last used {at}")
}
pub fn recovery_last_checked(at: &str) -> String {
    format!("Last checked {at}")
}
pub fn recovery_none_last_used(at: &str) -> String {
    format!("None (the last code was used {at})")
}
pub fn locked_until(what: Guarded, until: &str) -> String {
    let what = match what {
        Guarded::Password => "Password",
        Guarded::RecoveryCode => "Recovery code",
        Guarded::OneTimeCode => "Security code",
    };
    format!("{what} entry locked until {until}")
}
pub fn pending_change(kind: &str, effective: &str, requested: &str) -> String {
    format!(
        "{} — takes effect {effective} (requested {requested})",
        pending_kind(kind)
    )
}
/// Words for a pending change kind as stored; an unknown kind is shown as stored.
pub fn pending_kind(kind: &str) -> String {
    match kind {
        "password_reset" => "New password set through account recovery".to_string(),
        other => other.replace('_', " "),
    }
}
pub fn method_kind(email: bool) -> &'static str {
    if email { "Email" } else { "Phone" }
}
/// Words for a security event kind as stored; an unknown kind is shown as stored.
pub fn event_kind(kind: &str) -> String {
    let words = match kind {
        "account_created" => "Account created",
        "signed_in" => "Signed in",
        "password_changed" => "Password changed",
        "recovery_code_generated" => "New recovery code generated",
        "recovery_code_used" => "Recovery code used",
        "account_recovered" => "Account recovered",
        "lockout" => "Entry locked after wrong attempts",
        "method_added" => "Sign-in method added",
        "method_verified" => "Sign-in method verified",
        "method_removed" => "Sign-in method removed",
        "two_step_on" => "Two-step verification turned on",
        "two_step_off" => "Two-step verification turned off",
        "change_pending" => "Change pending",
        "change_cancelled" => "Pending change cancelled",
        "change_applied" => "Pending change applied",
        "recovery_code_checked" => "Recovery code checked",
        "username_sent" => "Username sent (Forgot username?)",
        "authenticator_app_added" => "Authenticator app added",
        "authenticator_app_removed" => "Authenticator app removed",
        other => return other.replace('_', " "),
    };
    words.to_string()
}
/// The top border's note — who is signed in, that the desk only reads, which database — from
/// the longest wording to the shortest; the desk shows the first that fits.
pub fn where_am_i(agent: Option<&str>, database: &str, case: Option<&str>) -> Vec<String> {
    let db = (!database.is_empty()).then(|| format!(" · {database}"));
    let db = db.as_deref().unwrap_or("");
    // The case goes before the database: the audit rows are filed under it.
    let (case, bare) = match case {
        Some(c) => (format!(" · case {c}"), format!(" · {c}")),
        None => (String::new(), String::new()),
    };
    match agent {
        Some(a) => vec![
            format!("Signed in as {a}{case} · read-only{db}"),
            format!("{a}{case} · read-only{db}"),
            format!("{a}{case} · read-only"),
            format!("{a}{bare} · read-only"),
            format!("{a} · read-only"),
        ],
        None => vec![format!("read-only{db}"), "read-only".to_string()],
    }
}
/// The idle lock's countdown in its last minute, longest wording first.
pub fn locks_in(secs: i64) -> Vec<String> {
    vec![
        format!("Locks in {secs} s: press a key to stay"),
        format!("Locks in {secs} s"),
    ]
}
pub fn scroll_position(first: usize, last: usize, total: usize) -> String {
    format!("Lines {first}–{last} of {total} · PgUp/PgDn scroll")
}

// ---------------------------------------------------------------------------------------------
// Sign-in helper

pub const HELPER_QUESTION: &str = "What is the customer's problem?";
pub const HELPER_SYMPTOMS: [&str; 3] = [
    "Forgot my password",
    "Can't use my email or phone",
    "Not sure / something else",
];
pub const DIAGNOSING: &str = "Checking the account…";
pub fn helper_for(username: &str, id: i64) -> String {
    format!("Sign-in helper for {username} (#{id})")
}
pub fn helper_result_heading(username: &str, id: i64, symptom: &str) -> String {
    format!("{username} (#{id}) · Customer's problem: {symptom}")
}
pub const FINDINGS: &str = "What the account shows";
pub const STEPS: &str = "Read this to the customer";
pub const HELPER_RESULT_CHOICES: [&str; 4] = [
    "Ask about a different problem",
    "Back to the account",
    "Find another account",
    "Copy the steps",
];
pub const STEPS_COPIED: &str =
    "Steps sent to your clipboard (OSC 52); if none arrive, select them instead.";

/// The yes/no answers to a helper question.
pub const HELPER_ANSWERS: [&str; 2] = ["Yes", "No, or not sure"];

/// A helper question, worded for the agent, with what the account shows (the masked
/// addresses codes go to; the date the active recovery code was made).
pub fn helper_question(q: Question, view: &AccountView) -> String {
    match q {
        Question::KnowsPassword => "Does the customer still know their password?".into(),
        Question::CanGetCodes => {
            format!(
                "Can the customer get a code at {} right now?",
                view.verified_masked().join(" or ")
            )
        }
        Question::HasRecoveryCode => match view.recovery.active_since {
            Some(t) => format!(
                "Does the customer have the recovery code made on {}? (A copy of an older code no longer works.)",
                t.format("%Y-%m-%d")
            ),
            None => "Does the customer have a recovery code?".into(),
        },
    }
}

/// A question's short name, for the answers line.
pub fn helper_question_short(q: Question) -> &'static str {
    match q {
        Question::KnowsPassword => "knows the password",
        Question::CanGetCodes => "can get codes",
        Question::HasRecoveryCode => "has the recovery code",
    }
}

/// The answers so far, on one line: "knows the password: yes · can get codes: no".
pub fn helper_answers(given: &[(Question, bool)]) -> String {
    given
        .iter()
        .map(|(q, yes)| {
            format!(
                "{}: {}",
                helper_question_short(*q),
                if *yes { "yes" } else { "no" }
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A time in the helper's words, to the second, with its offset from UTC (the offset the
/// diagnosis was asked for).
fn helper_when(t: &LocalTime) -> String {
    super::screens::exact(t.with_timezone(&chrono::Utc), *t.offset())
}

/// The helper's headline for a path, in words.
pub fn helper_headline(d: &Diagnosis) -> String {
    let then = |what: &str| match &d.wait {
        Some(t) => format!("{what}, from {} (a lock ends then).", helper_when(t)),
        None => format!("{what}, now."),
    };
    match d.route {
        Route::SignIn => then("The customer can sign in with their password"),
        Route::SignInWithRecoveryCode => then("The customer can sign in with their password and their recovery code"),
        Route::ResetNow => then("The customer can reset the password with codes sent to their email or phone"),
        Route::ResetNowWithRecoveryCode => then("The customer can reset the password with their recovery code"),
        Route::ResetAfterWait => format!("The customer can reset the password with a code sent to their email or phone; with two-step verification on and one proof, the new password takes effect after {WAIT_DAYS} days."),
        Route::ResetAfterWaitWithRecoveryCode => format!("The customer can recover with their recovery code; with two-step verification on, the new password takes effect after {WAIT_DAYS} days, and then the recovery code is the second step."),
        Route::CannotRecover(Why::NothingProvesIt) => "Support cannot recover this account: nothing the customer has can prove it is theirs.".into(),
        Route::CannotRecover(Why::SecondStepOutOfReach) => "Support cannot recover this account: two-step verification needs a code the customer can't get, and they have no recovery code.".into(),
    }
}

/// One finding of the helper, as a sentence.
pub fn helper_finding(f: &Finding) -> String {
    match f {
        Finding::NoVerifiedMethod => {
            "No verified email address or phone number: no code can be sent.".into()
        }
        Finding::VerifiedMethods(list) => {
            let list: Vec<String> = list
                .iter()
                .map(|(kind, masked)| {
                    format!("{} {masked}", method_kind(*kind == MethodKind::Email))
                })
                .collect();
            format!("Verified sign-in methods: {}.", list.join(", "))
        }
        Finding::UnverifiedMethods(n) => {
            format!("{n} method(s) added but never verified; codes are not sent there.")
        }
        Finding::RecoveryCodeSince(t) => {
            format!("Recovery code: active since {}.", t.format("%Y-%m-%d"))
        }
        Finding::RecoveryCodeCheckedOn(t) => format!(
            "The customer checked the code on {}: their saved copy was the current code then.",
            t.format("%Y-%m-%d")
        ),
        Finding::RecoveryCodeLastUsed(t) => format!(
            "A recovery code was last used on {}; a copy of a code from before then no longer works.",
            t.format("%Y-%m-%d")
        ),
        Finding::NoRecoveryCode => "No recovery code.".into(),
        Finding::TwoStep(true) => "Two-step verification is on.".into(),
        Finding::TwoStep(false) => "Two-step verification is off.".into(),
        Finding::RecoveryCodeIsSecondStep => "The password was set through recovery and has taken effect: the recovery code counts as the second step.".into(),
        Finding::PasswordLocked(t) => format!(
            "Password entry is locked until {} (too many wrong passwords).",
            helper_when(t)
        ),
        Finding::RecoveryCodeLocked(t) => format!(
            "Recovery code entry is locked until {} (too many wrong codes).",
            helper_when(t)
        ),
        Finding::OneTimeCodeLocked(t) => format!(
            "Security code entry is locked until {} (too many wrong codes).",
            helper_when(t)
        ),
        Finding::PendingTakesEffect(t) => format!(
            "A new password set through recovery takes effect on {}; until then the current password signs in.",
            helper_when(t)
        ),
        Finding::ChangeTookEffect(t) => format!(
            "A new password set through recovery took effect on {}: the password from before no longer works.",
            helper_when(t)
        ),
        Finding::TwoStepOneMethodLeft => {
            "Two-step verification is on with only one verified method left.".into()
        }
    }
}

/// One step of the helper's path, worded to be read out to the customer.
pub fn helper_step(step: &Step) -> String {
    match step {
        Step::WaitUntil(t) => format!(
            "Wait until {}: what this path needs is locked until then, and tries before then are refused even when right.",
            helper_when(t)
        ),
        Step::SignInWithPassword(u) => format!("Sign in with the username {u} and your password."),
        Step::SecondStepWithCode(methods) => format!(
            "For two-step verification, have a code sent to {} and enter its 6 digits.",
            methods.join(" or ")
        ),
        Step::SecondStepWithRecoveryCode => "For two-step verification, select I don't have any of these: use my recovery code (asked at once if no email or phone is listed), and enter the recovery code.".into(),
        Step::ForgotPassword(u) => format!("Start signing in with the username {u}, and on the password screen select Forgot password?"),
        Step::ProveWithCode(methods) => format!(
            "Have a code sent to {}, and enter its 6 digits (it works for 10 minutes).",
            methods.join(" or ")
        ),
        Step::ProveWithSecondMethod(methods) => format!(
            "Asked to verify again, have a code sent to the other one of {}, and enter it.",
            methods.join(" and ")
        ),
        Step::ProveWithRecoveryCodeToo => "Asked to verify again, select Use my recovery code and enter it.".into(),
        Step::NoSecondProof => "Asked to verify again, select I don't have another way: continue.".into(),
        Step::StartWithUsername(u) => format!("Start signing in and enter the username {u}."),
        Step::OtherWaysToSignIn => "Select Other ways to sign in.".into(),
        Step::UsePasswordThenForgot => "Select Use my password, then Forgot password?".into(),
        Step::DifferentOptionThenNone => "Select Use a different verification option, then I don't have any of these.".into(),
        Step::EnterRecoveryCode => "At Do you have an account recovery code?, enter the code. Upper or lower case, spaces and dashes don't matter.".into(),
        Step::SetNewPasswordNow => "Set a new password. It works at once.".into(),
        Step::SetNewPasswordFrom(t) => format!(
            "Set a new password. Two-step verification is on and that was one proof, so it takes effect {WAIT_DAYS} days after it is set (on {} if set now); until then the current password stays.",
            helper_when(t)
        ),
        Step::KeepNewCode => "A new recovery code is shown once: print it and keep it somewhere safe. The old one no longer works.".into(),
        Step::ResetCancelsWaitingChange(t) => format!(
            "The new password cancels the change that was waiting until {}.",
            helper_when(t)
        ),
        Step::ResetReplacesWaitingChange(t) => format!(
            "This replaces the change that was waiting until {}.",
            helper_when(t)
        ),
        Step::WaitForNewPassword(t) => format!(
            "Wait the {WAIT_DAYS} days (until {} if the password was set now): then the new password is in force.",
            helper_when(t)
        ),
        Step::SignInWithNewPassword(u) => format!("Sign in with the username {u} and the new password."),
        Step::CancelWaitingChange(t) => format!(
            "A password change is waiting until {}. If the customer didn't ask for it: once signed in, open Manage how I sign in and select Cancel this change before then.",
            helper_when(t)
        ),
        Step::RepairMethods => "Once signed in, in Manage how I sign in: remove any email or phone the customer lost, and add and verify one they can use.".into(),
        Step::NoSelfServicePath(Why::NothingProvesIt) => "Without the password, a code from a verified email or phone, or the recovery code, no self-service path can prove the account is the customer's.".into(),
        Step::NoSelfServicePath(Why::SecondStepOutOfReach) => "The password alone is not enough: two-step verification needs a code from an email or phone the customer can't get, and there is no recovery code to recover with.".into(),
        Step::SupportCannotReset => "Support can't reset passwords or change accounts, so support can't get the customer in either.".into(),
        Step::CreateNewAccount => "The customer can create a new account.".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Dialogs, help, errors

pub const QUIT_TITLE: &str = "Quit";
pub const QUIT_QUESTION: &str = "Quit the support desk?";
pub const QUIT_CHOICES: [&str; 2] = ["Quit", "Stay"];
pub const SIGN_OUT_TITLE: &str = "Sign out";
pub const SIGN_OUT_QUESTION: &str = "Sign out of the support desk?";
pub const SIGN_OUT_CHOICES: [&str; 2] = ["Sign out", "Stay"];
/// The digits that choose among `n` numbered items: `1–4`.
pub fn digits(n: usize) -> String {
    match n {
        0 | 1 => "1".to_string(),
        n => format!("1–{}", n.min(9)),
    }
}
pub fn choose_hint(count: usize) -> String {
    match count {
        0 | 1 => "1 Choose".to_string(),
        n => format!("1–{} Choose", n.min(9)),
    }
}
pub const FOOTER_HELP: &str = "F1 Help";
/// What the digits do, for the help overlay.
pub fn digits_label(n: usize) -> String {
    format!(
        "Choose a numbered item (Alt-{} while typing in a field)",
        digits(n)
    )
}
pub fn store_failed(reason: &str) -> String {
    format!("The desk could not do that: {reason}")
}
pub const AUDIT_FAILED: &str = "The audit log could not be written, so nothing was shown. Try again, or tell your administrator.";

// ---------------------------------------------------------------------------------------------
// Key labels (help overlay and footer)

pub const K_HELP: &str = "Help (? when not typing)";
pub const K_QUIT: &str = "Quit (signs out)";
pub const K_SUBMIT_SIGN_IN: &str = "Next field / sign in";
pub const K_NEXT_FIELD: &str = "Next field";
pub const K_PREV_FIELD: &str = "Previous field";
pub const K_REVEAL: &str = "Show or hide the password";
pub const K_QUIT_DIALOG: &str = "Quit…";
pub const K_LOOK_UP: &str = "Look up / select";
pub const K_MOVE: &str = "Move";
pub const K_MOVE_BACK: &str = "Move back";
pub const K_CLEAR_OR_SIGN_OUT: &str = "Clear the field, or sign out…";
pub const K_SELECT: &str = "Select";
pub const K_SCROLL_UP: &str = "Scroll up";
pub const K_SCROLL_DOWN: &str = "Scroll down";
pub const K_TOP: &str = "Top";
pub const K_BOTTOM: &str = "Bottom";
pub const K_RELOAD: &str = "Reload the account";
pub const K_BACK_TO_FIND: &str = "Back to find an account";
pub const K_CANCEL_TO_FIND: &str = "Cancel, back to find an account";
pub const K_CHANGE_PASSWORD: &str = "Next field, or change the password";
pub const K_BACK_TO_ACCOUNT: &str = "Back to the account";
pub const K_BACK_TO_QUESTION: &str = "Back to the question";
pub const K_DIALOG_CANCEL: &str = "Cancel";

// The footer's short words for the keys above (the footer shows the keys before them).
pub const H_SIGN_IN: &str = "Sign in";
pub const H_NEXT: &str = "Next";
pub const H_SHOW_PASSWORD: &str = "Show password";
pub const H_QUIT: &str = "Quit";
pub const H_LOOK_UP: &str = "Look up";
pub const H_MOVE: &str = "Move";
pub const H_CLEAR_OR_SIGN_OUT: &str = "Clear / sign out";
pub const H_SELECT: &str = "Select";
pub const H_SCROLL: &str = "Scroll";
pub const H_RELOAD: &str = "Reload";
pub const H_BACK: &str = "Back";
pub const H_CHANGE_PASSWORD: &str = "Next / change";

/// Said when the desk stops because its worker hit an internal error.
pub const WORKER_STOPPED: &str = "the desk's worker stopped after an internal error";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_policy_rows_are_the_policy() {
        assert_eq!(POLICY_LINES.join(" "), POLICY);
        assert!(POLICY_LINES.iter().all(|l| l.chars().count() <= 76));
    }

    /// Every path the helper can give, worded: headline, steps and findings.
    fn every_diagnosis_worded() -> Vec<String> {
        use crate::domain::model::{
            AccountRow, AccountView, LockRow, MethodRow, PendingRow, RecoveryStatus,
        };
        use crate::domain::sign_in_helper::{Answers, DeskNext, Symptom, desk_next};
        use chrono::{Duration, TimeZone, Utc};
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap();
        let method = |id: i64, kind, address: &str| MethodRow {
            id,
            kind,
            address: address.into(),
            verified: true,
            added_at: now,
        };
        let all = [
            method(1, MethodKind::Email, "jane@example.com"),
            method(2, MethodKind::Phone, "+15550100112"),
        ];
        let mut out = vec![];
        for two_step in [false, true] {
            for methods in [&all[..0], &all[..1], &all[..]] {
                for code in [false, true] {
                    for locked in [false, true] {
                        for pending in [false, true] {
                            let until = now + Duration::minutes(15);
                            let view = AccountView {
                                account: AccountRow {
                                    id: 7,
                                    username: "jane".into(),
                                    two_step,
                                    created_at: now,
                                    password_changed_at: now,
                                },
                                app: None,
                                methods: methods.to_vec(),
                                recovery: RecoveryStatus {
                                    active_since: code.then_some(now),
                                    last_used: None,
                                    last_checked: None,
                                    password_from_recovery: false,
                                },
                                locks: if locked {
                                    [
                                        Guarded::Password,
                                        Guarded::RecoveryCode,
                                        Guarded::OneTimeCode,
                                    ]
                                    .map(|what| LockRow { what, until })
                                    .to_vec()
                                } else {
                                    vec![]
                                },
                                pending: if pending {
                                    vec![PendingRow {
                                        id: 1,
                                        kind: "password_reset".into(),
                                        requested_at: now,
                                        effective_at: now + Duration::days(30),
                                    }]
                                } else {
                                    vec![]
                                },
                                events: vec![],
                            };
                            // Every symptom, and every answer to every question asked.
                            // (answers, how many were given: the walk's own count).
                            let mut open: Vec<(Answers, usize)> = Symptom::ALL
                                .into_iter()
                                .map(|sym| (Answers::new(sym), 0))
                                .collect();
                            while let Some((a, depth)) = open.pop() {
                                match desk_next(
                                    &view,
                                    now,
                                    &a,
                                    chrono::FixedOffset::east_opt(0).unwrap(),
                                ) {
                                    DeskNext::Ask(q) => {
                                        // Three questions at most: the walk ends.
                                        assert!(depth < 3, "{q:?} asked again");
                                        out.push(helper_question(q, &view));
                                        for yes in [true, false] {
                                            let mut b = a.clone();
                                            b.answer(q, yes);
                                            open.push((b, depth + 1));
                                        }
                                    }
                                    DeskNext::Give(d) => {
                                        out.push(helper_headline(&d));
                                        out.extend(d.steps.iter().map(helper_step));
                                        out.extend(d.findings.iter().map(helper_finding));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn no_path_ever_says_support_will_reset() {
        for text in every_diagnosis_worded() {
            let text = text.to_lowercase();
            assert!(!text.contains("support will"), "{text}");
            assert!(!text.contains("reset link"), "{text}");
        }
    }

    #[test]
    fn the_helper_words_times_names_and_masked_addresses() {
        let all = every_diagnosis_worded().join("\n");
        for expected in [
            "Start signing in and enter the username jane.",
            "Have a code sent to j•••@example.com or +1 ••• ••• ••12, and enter its 6 digits",
            "Verified sign-in methods: Email j•••@example.com, Phone +1 ••• ••• ••12.",
            "Recovery code entry is locked until 2026-11-25 09:45:00 UTC",
            "Recovery code: active since 2026-11-25.",
            "A password change is waiting until 2026-12-25 09:30:00 UTC.",
            "Sign in with the username jane and your password.",
            "Can the customer get a code at j•••@example.com or +1 ••• ••• ••12 right now?",
            "Does the customer have the recovery code made on 2026-11-25?",
            "Wait until 2026-11-25 09:45:00 UTC",
        ] {
            assert!(all.contains(expected), "{expected}");
        }
        assert!(!all.contains("jane@example.com"));
    }

    #[test]
    fn agent_name_reasons_become_sentences() {
        assert_eq!(
            bad_agent_name("an agent name has 2 to 32 characters"),
            "An agent name has 2 to 32 characters."
        );
    }
}
