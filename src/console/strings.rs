//! Every piece of text the account holder console shows, in one place, worded after the seed
//! page (Microsoft's "account recovery code" page) so labels match it exactly.

use crate::domain::model::MethodKind;
use chrono::{DateTime, FixedOffset, Utc};

// ---------------------------------------------------------------------------------------------
// Titles

pub const TITLE_SIGN_IN: &str = "Sign in";
pub const TITLE_PASSWORD: &str = "Enter password";
pub const TITLE_OTHER_WAYS: &str = "Other ways to sign in";
pub const TITLE_SECOND_STEP: &str = "Two-step verification";
pub const TITLE_CREATE: &str = "Create account";
pub const TITLE_MANAGE: &str = "Manage how I sign in";
pub const TITLE_ADD_EMAIL: &str = "Add an email address";
pub const TITLE_ADD_PHONE: &str = "Add a phone number";
pub const TITLE_REMOVE: &str = "Remove a sign-in method";
pub const TITLE_RECOVERY_CODE: &str = "Recovery code";
pub const TITLE_CODE_SHOWN: &str = "Your new recovery code";
pub const TITLE_REAUTH: &str = "Enter your password again";
pub const TITLE_VERIFY: &str = "Verify your identity";
pub const TITLE_OPTIONS: &str = "Use a different verification option";
pub const TITLE_METHOD_CODE: &str = "Enter code";
pub const TITLE_SECOND_PROOF: &str = "Verify your identity again";
pub const TITLE_HAVE_CODE: &str = "Do you have an account recovery code?";
pub const TITLE_NEW_PASSWORD: &str = "Set a new password";
pub const TITLE_RESET_DONE: &str = "Password changed";
pub const TITLE_RESET_PENDING: &str = "Password change pending";
pub const TITLE_PENDING_NOTICE: &str = "A change is waiting";
pub const TITLE_HELPER: &str = "Can't sign in?";

// ---------------------------------------------------------------------------------------------
// Choices (labels of the seed page are exact)

pub const CREATE_ACCOUNT: &str = "Create account";
pub const CANT_SIGN_IN: &str = "Can't sign in?";
pub const FORGOT_USERNAME: &str = "Forgot username?";
pub const TITLE_ADD_APP: &str = "Add an authenticator app";
pub const ABOUT_ADD_APP: &str = "Set up an authenticator app on your phone: its codes then prove it's you, like a code sent to your email or phone.";
pub const ADD_APP_SCAN: &str =
    "Scan the QR code with your authenticator app, or type the key into it.";
pub const ADD_APP_NO_ROOM: &str = "The terminal is too small for the QR code: type the key into your authenticator app (or make the terminal larger to scan it).";
pub const ADD_APP_KEY: &str = "Key";
pub const ADD_APP_URI: &str = "Or this otpauth:// link";
pub const ADD_APP_CONFIRM: &str = "Then type the 6-digit code the app shows.";
pub const APP_ADDED: &str = "Your authenticator app is set up: its codes now prove it's you.";
pub const APP_NOT_ADDED: &str = "The authenticator app wasn't added.";
pub const TITLE_APP_CODE: &str = "Code from your authenticator app";
pub const ABOUT_APP_CODE: &str = "Type the 6-digit code your authenticator app shows now.";
pub const APP_CODE_PROMPT: &str =
    "Open your authenticator app and type the 6-digit code it shows for recovery-desk.";
pub const USE_APP: &str = "Use my authenticator app";
pub const ADD_APP: &str = "Add authenticator app";
pub const REMOVE_APP: &str = "Remove authenticator app";
pub const MANAGE_APP: &str = "Authenticator app";
pub const APP_REMOVED: &str = "The authenticator app was removed.";
/// The status column's app line.
pub fn app_added_on(day: &str) -> String {
    format!("added {day}")
}
pub const DIALOG_REMOVE_APP: &str =
    "Remove the authenticator app? Its codes will no longer prove it's you.";
pub const TITLE_FORGOT_USERNAME: &str = "Forgot username?";
pub const ABOUT_FORGOT_USERNAME: &str =
    "Get your username sent to an email address or phone number verified on your account.";
pub const FORGOT_USERNAME_INTRO: &str = "Type an email address or phone number (with + and the country code) that you verified on your account. If it is one, we send the username there.";
pub const FIELD_EMAIL_OR_PHONE: &str = "Email address or phone number";
pub const ENTER_EMAIL_OR_PHONE: &str = "Type an email address or phone number.";
/// Said after "Forgot username?", word for word the same whether or not the address is on an
/// account.
pub const USERNAME_REQUESTED: &str = "If that address is verified on an account, its username is on its way there: check your email or texts. Esc goes back to Sign in.";
pub const BUSY_SENDING: &str = "Sending…";
pub const FORGOT_PASSWORD: &str = "Forgot password?";
pub const OTHER_WAYS: &str = "Other ways to sign in";
pub const USE_MY_PASSWORD: &str = "Use my password";
pub const USE_DIFFERENT_OPTION: &str = "Use a different verification option";
pub const DONT_HAVE_ANY: &str = "I don't have any of these";
pub const HAVE_CODE_PROMPT: &str = "Do you have an account recovery code?";
pub const USE_MY_RECOVERY_CODE: &str = "Use my recovery code";
pub const NO_SECOND_PROOF: &str = "I don't have another way: continue";
pub const NO_RECOVERY_CODE: &str = "I don't have a recovery code";
pub const SEND_AGAIN: &str = "Send a new code";
pub const USE_DIFFERENT_METHOD: &str = "Use a different method";
pub const GENERATE_NEW_CODE: &str = "Generate a new code";
pub const CANCEL_THIS_CHANGE: &str = "Cancel this change";
pub const KEEP_CHANGE: &str = "Keep it and continue";
pub const SIGN_IN_NOW: &str = "Sign in";
pub const BACK_TO_SIGN_IN: &str = "Back to sign in";
pub const CHECK_ANOTHER: &str = "Check another username";

pub const ADD_EMAIL: &str = "Add email";
pub const ADD_PHONE: &str = "Add phone";
pub const REMOVE_METHOD: &str = "Remove a method";
pub const TWO_STEP_TURN_ON: &str = "Turn two-step verification on";
pub const TWO_STEP_TURN_OFF: &str = "Turn two-step verification off";
pub const RECOVERY_CODE: &str = "Recovery code";
pub const SIGN_OUT: &str = "Sign out";

pub const SYMPTOM_FORGOT: &str = "I forgot my password";
pub const SYMPTOM_LOST_METHODS: &str = "I can't use my email or phone";
pub const SYMPTOM_OTHER: &str = "Something else";

// ---------------------------------------------------------------------------------------------
// Field labels

pub const FIELD_USERNAME: &str = "Username";
pub const FIELD_PASSWORD: &str = "Password";
pub const FIELD_NEW_PASSWORD: &str = "New password";
pub const FIELD_CONFIRM_PASSWORD: &str = "Confirm password";
pub const FIELD_CODE: &str = "Code";
pub const FIELD_RECOVERY_CODE: &str = "Recovery code";
pub const FIELD_LAST_GROUP: &str = "Last group of the code";
pub const FIELD_EMAIL: &str = "Email address";
pub const FIELD_PHONE: &str = "Phone number";

// ---------------------------------------------------------------------------------------------
// Body text

pub const SIGN_IN_INTRO: &str = "Enter the username of your account.";
pub const PASSWORD_RULE: &str = "Use 8 or more characters, hard to guess, without your username.";
pub const CREATE_INTRO: &str = "Choose a username and a password.";
pub const OTHER_WAYS_INTRO: &str = "Choose how you want to sign in.";
pub const OTHER_WAYS_NOTHING: &str = "There's no verified email address or phone number and no recovery code on this account, so a forgotten password can't be reset. Select Can't sign in? to see what you can do.";
pub const OTHER_WAYS_NO_METHOD: &str = "There's no verified email address or phone number on this account. If you forgot your password, select Use my password, then Forgot password?, and use your recovery code.";
pub const SECOND_STEP_RECOVERY_CODE: &str = "No verification option is left on this account, so your recovery code is the second step. Enter it: it will be replaced by a new one, shown once.";
pub const SECOND_STEP_RECOVERY_CODE_CHOSEN: &str = "Your password was set through account recovery and has taken effect, so your recovery code counts as the second step. Enter it: it will be replaced by a new one, shown once.";
pub const USE_RECOVERY_CODE_INSTEAD: &str = "I don't have any of these: use my recovery code";
pub const SECOND_STEP_CHOOSE: &str =
    "Two-step verification is on. Where should we send your security code?";
pub const CODE_RULE: &str = "The code has 6 digits and works for 10 minutes.";
pub const VERIFY_NO_METHOD: &str =
    "There's no verified email address or phone number on this account to send a code to.";
pub const OPTIONS_INTRO: &str = "How would you like to get your security code?";
pub const HAVE_CODE_INTRO: &str = "Enter your 25-character recovery code.";
pub const HAVE_CODE_TIP: &str =
    "Tip: Recovery codes are not case-sensitive and don't require spaces or dashes.";
pub const SECOND_PROOF_INTRO: &str = "Two-step verification is on, so a second, different proof is needed to change your password right away. Without one, your new password takes effect only after 30 days.";
pub const NEW_PASSWORD_INTRO: &str = "Your identity is verified. Choose a new password.";
pub const RESET_APPLIED: &str = "Your password was changed. Sign in with it.";
pub const RESET_CANCELLED_PENDING: &str = "The password change that was waiting is cancelled: it won't replace this one. If a recovery issued a recovery code for it, that code no longer works; generate a new one once you're signed in.";
pub const RECOVERY_CODE_INTRO: &str = "A recovery code is a 25-character code that lets you get back into your account if you forget your password or lose your email or phone.";
pub const RECOVERY_CODE_NO_RETRIEVE: &str =
    "An existing code can't be shown again: if you've lost yours, generate a new one.";
pub const CODE_ADVICE: &str = "Print this code and keep it in a safe place. For security, don't store it on a device you use to sign in.";
pub const CODE_ONCE: &str =
    "This is the only time the code is shown. Any previous codes no longer work.";
pub const CODE_USED_UP: &str =
    "Your recovery code worked and is now used up. Here is your new one.";
pub const CODE_CONFIRM_ASK: &str = "To confirm you saved it, type the last group of the code (the five characters after the last dash).";
pub const REAUTH_INTRO: &str = "For your security, enter your password again to make this change.";
pub const HELPER_INTRO: &str =
    "The sign-in helper finds out what's stopping you and tells you what to do.";
pub const HELPER_WHATS_HAPPENING: &str = "What's happening?";
pub const HELPER_STEPS: &str = "What to do";
pub const MANAGE_ACTIONS: &str = "What do you want to do?";
pub const MANAGE_METHODS: &str = "Sign-in methods";
pub const MANAGE_NO_METHODS: &str = "None yet: add an email or phone.";
/// The activity heading names the zone its times are in.
pub fn manage_activity(zone: &str) -> String {
    format!("Recent activity (times in {zone})")
}
pub const MANAGE_TWO_STEP: &str = "Two-step verification";
pub const MANAGE_RECOVERY: &str = "Recovery code";
pub const ON: &str = "On";
pub const OFF: &str = "Off";
pub const NONE: &str = "None";
pub const VERIFIED: &str = "verified";
pub const NOT_VERIFIED: &str = "not verified";
pub const REMOVE_INTRO: &str = "Which sign-in method do you want to remove?";
pub const PENDING_KEEP_NOTE: &str =
    "If you made this change, you don't need to do anything. If you didn't, cancel it now.";

// ---------------------------------------------------------------------------------------------
// Dialogs

pub const DIALOG_QUIT_TITLE: &str = "Quit";
pub const DIALOG_QUIT: &str = "Quit recovery-desk?";
pub const DIALOG_SIGN_OUT_TITLE: &str = "Sign out";
pub const DIALOG_SIGN_OUT: &str = "Sign out of your account?";
pub const DIALOG_REMOVE_TITLE: &str = "Remove a sign-in method";
pub const DIALOG_TWO_STEP_TITLE: &str = "Two-step verification";
pub const DIALOG_TWO_STEP_ON: &str = "Turn two-step verification on? Signing in will then need your password and a code sent to your email or phone.";
pub const DIALOG_TWO_STEP_OFF: &str =
    "Turn two-step verification off? Your password alone will then sign you in.";
pub const DIALOG_GENERATE_TITLE: &str = "Caution";
pub const DIALOG_GENERATE: &str =
    "As soon as you create a new recovery code, any previous codes will no longer work.";
pub const DIALOG_LEAVE_CODE_TITLE: &str = "Not confirmed yet";
pub const DIALOG_LEAVE_CODE: &str = "Leave without confirming? This code can't be shown again.";
pub const YES: &str = "Yes";
pub const NO: &str = "No";
pub const CANCEL: &str = "Cancel";
pub const REMOVE: &str = "Remove";
pub const LEAVE: &str = "Leave";
pub const DIALOG_LEAVE_RESET_TITLE: &str = "No new password yet";
/// Leaving "Set a new password" after the recovery code was spent on it.
pub const DIALOG_LEAVE_RESET_CODE_SPENT: &str = "Leave without setting a new password? Your recovery code is used up: the new code you were just shown is the one to use next time.";
/// Leaving "Set a new password" after a code sent to an email or phone.
pub const DIALOG_LEAVE_RESET: &str =
    "Leave without setting a new password? You'll have to verify your identity again.";
pub const STAY_AND_SET: &str = "Stay and set a password";
pub const STAY: &str = "Stay";

// ---------------------------------------------------------------------------------------------
// Busy labels (shown beside the spinner)

pub const BUSY_LOOKUP: &str = "Looking up the account…";
pub const BUSY_PASSWORD: &str = "Checking your password…";
pub const BUSY_SEND: &str = "Sending a code…";
pub const BUSY_CODE: &str = "Checking the code…";
pub const BUSY_RECOVERY: &str = "Checking your recovery code…";
pub const BUSY_CREATE: &str = "Creating your account…";
pub const BUSY_GENERATE: &str = "Generating a new code…";
pub const BUSY_SAVE: &str = "Saving…";
pub const BUSY_LOAD: &str = "Loading…";

// ---------------------------------------------------------------------------------------------
// Messages

pub const ENTER_USERNAME: &str = "Enter your username.";
pub const ENTER_PASSWORD: &str = "Enter your password.";
pub const ENTER_CODE: &str = "Enter the 6 digits from the message.";
pub const ENTER_RECOVERY_CODE: &str = "Enter your recovery code.";
pub const CODE_EXPIRED: &str = "That code has expired or was used up. Select Send a new code.";
pub const NO_CODE_ON_ACCOUNT: &str = "There's no recovery code on this account.";
pub const LAST_GROUP_MISMATCH: &str =
    "That doesn't match the last group of the code. Check what you wrote down.";
pub const IDLE_SIGNED_OUT: &str = "You were signed out after 10 minutes without activity.";
pub const IDLE_RESET: &str = "We started over after 10 minutes without activity.";
pub const SIGNED_OUT: &str = "You're signed out.";
pub const WORKER_STOPPED: &str = "the account worker stopped after an internal error";
pub const NO_METHODS_TO_REMOVE: &str = "There's no sign-in method to remove.";
/// Under "Two-step verification: Off" when it can't be turned on yet (no verified method).
pub const TWO_STEP_NEEDS_METHOD: &str = "  Needs a verified email or phone.";
pub const TWO_STEP_NOW_ON: &str = "Two-step verification is on.";
pub const TWO_STEP_NOW_OFF: &str = "Two-step verification is off.";
pub const CHANGE_CANCELLED: &str = "The change was cancelled; your password stays as it was. The recovery code that recovery issued no longer works: generate a new one.";
pub const WELCOME: &str = "Your account is ready. Add an email or phone and generate a recovery code, so you can get back in if you forget your password.";
pub const CODE_LEFT_UNCONFIRMED: &str =
    "Your new recovery code is active. If you didn't save it, generate another one.";
pub const NOT_CHANGED: &str = "Your password wasn't changed.";
/// Sign in, first run on a new database (issue 11, item 10).
pub const EMPTY_DATABASE: &str = "This database is new: it has no accounts yet. Select Create account to make the first one, or quit and run recovery-desk --demo to try the demo accounts.";
/// Said on Sign in after leaving a recovery that spent the code.
pub const NOT_CHANGED_CODE_SPENT: &str =
    "Your password wasn't changed. Your recovery code was used up: use the new one you were shown.";
pub const PENDING_NOTICE_INTRO: &str = "Your account has a change that hasn't taken effect yet:";

/// Words shown for a time: local date and time, and the zone (`2026-11-25 09:30 UTC`).
/// No-break spaces join them, so wrapping never splits them.
pub fn when(t: DateTime<Utc>, tz: FixedOffset) -> String {
    format!(
        "{}\u{a0}{}",
        stamp(t, tz),
        crate::clock::zone_name(tz).replace(' ', "\u{a0}")
    )
}

/// A local date and time without the zone, for lists under a heading that names it.
pub fn stamp(t: DateTime<Utc>, tz: FixedOffset) -> String {
    t.with_timezone(&tz)
        .format("%Y-%m-%d\u{a0}%H:%M")
        .to_string()
}

/// A local date.
pub fn day(t: DateTime<Utc>, tz: FixedOffset) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// The end of a lockout, to the second and with the zone, so the holder is never told a time
/// at which they are still locked: the time alone when it is today (`15:16:07 UTC`), else date
/// and time.
pub fn until(t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    let (lt, ln) = (t.with_timezone(&tz), now.with_timezone(&tz));
    let time = if lt.date_naive() == ln.date_naive() {
        lt.format("%H:%M:%S").to_string()
    } else {
        lt.format("%Y-%m-%d\u{a0}%H:%M:%S").to_string()
    };
    format!(
        "{time}\u{a0}{}",
        crate::clock::zone_name(tz).replace(' ', "\u{a0}")
    )
}

pub fn signing_in_as(username: &str) -> String {
    format!("Signing in as {username}")
}

pub fn signed_in_as(username: &str) -> String {
    format!("Signed in as {username}")
}

pub fn account_line(username: &str) -> String {
    format!("Account: {username}")
}

pub fn password_wrong(tries_left: u32) -> String {
    format!(
        "That password isn't right. {} before password entry is locked for a while.",
        tries(tries_left)
    )
}

pub const PASSWORD_BLOCKED: &str = "After 100 wrong passwords in a row, password sign-in stays locked. Select Forgot password? to recover your account.";
pub const CODE_BLOCKED: &str = "After 100 wrong security codes in a row, security code entry stays locked until you sign in another way.";
pub const RECOVERY_BLOCKED: &str = "After 100 wrong recovery codes in a row, recovery code entry stays locked until you sign in and generate a new code.";

pub fn password_locked(until: &str) -> String {
    format!(
        "Too many wrong passwords: password entry is locked until {until}. If you forgot it, select Forgot password?"
    )
}

/// A wrong (or already used) code from the authenticator app.
pub fn app_code_wrong(tries_left: u32) -> String {
    format!(
        "That code isn't right, or it was used already: wait for the next one. {} before code entry locks.",
        tries(tries_left)
    )
}
pub fn code_wrong(code_tries_left: u32) -> String {
    if code_tries_left == 0 {
        "That code isn't right, and it can't be tried again. Select Send a new code.".to_string()
    } else {
        format!(
            "That code isn't right. {} on this code.",
            tries(code_tries_left)
        )
    }
}

pub fn code_locked(until: &str) -> String {
    format!("Too many wrong security codes: code entry is locked until {until}.")
}

pub fn recovery_wrong(tries_left: u32) -> String {
    format!(
        "That code didn't work. Check it and try again: {} before code entry is locked.",
        tries(tries_left)
    )
}

pub fn recovery_locked(until: &str) -> String {
    format!(
        "Code entry is locked until {until}. Attempts before then are refused, even with the right code."
    )
}

fn tries(n: u32) -> String {
    if n == 1 {
        "1 try left".to_string()
    } else {
        format!("{n} tries left")
    }
}

/// What a sign-in method is, as a list names it.
pub fn method_kind(kind: MethodKind) -> &'static str {
    match kind {
        MethodKind::Email => "Email",
        MethodKind::Phone => "Phone",
    }
}

/// The way a code reaches a method, for menus.
pub fn send_to(email: bool, masked: &str) -> String {
    if email {
        format!("Email a code to {masked}")
    } else {
        format!("Text a code to {masked}")
    }
}

pub fn new_code_sent(masked: &str) -> String {
    format!("We sent a new code to {masked}.")
}

pub fn code_sent(masked: &str) -> String {
    format!("We sent a code to {masked}. Enter it below.")
}

pub fn verify_send_first(masked: &str) -> String {
    format!("We'll send a security code to {masked} to make sure it's you.")
}

/// Other ways to sign in: a code instead of the password, to one verified method.
pub fn send_sign_in_code(masked: &str) -> String {
    format!("Send a code to {masked}")
}
/// Said on the password screen after a sign-in code, two-step verification on.
pub const CODE_THEN_PASSWORD: &str =
    "Your code worked. Two-step verification is on: enter your password to finish signing in.";
pub fn other_ways_methods(list: &str) -> String {
    format!(
        "Forgot your password? Codes can be sent to {list}: select Use my password, then Forgot password?"
    )
}

pub fn method_added(address: &str) -> String {
    format!("We sent a code to {address}. Enter it to verify this address.")
}

pub fn method_verified(address: &str) -> String {
    format!("{address} is verified. Codes can be sent there now.")
}

pub fn method_not_verified(address: &str) -> String {
    format!("{address} wasn't verified. Add it again to get a new code.")
}

pub fn method_removed(address: &str) -> String {
    format!("{address} was removed.")
}

pub fn remove_question(address: &str) -> String {
    format!("Remove {address}? Codes will no longer be sent there.")
}

pub fn generated_on(date: &str) -> String {
    format!("Generated on {date}")
}

pub fn code_saved(date: &str) -> String {
    format!("Recovery code saved. Generated on {date}.")
}

pub fn pending_line(effective: &str) -> String {
    format!("A new password set through account recovery takes effect on {effective}.")
}

pub fn pending_banner(effective: &str) -> String {
    format!(
        "A new password set through account recovery takes effect on {effective}. If you didn't do this, select Cancel this change."
    )
}

pub fn reset_pending(effective: &str) -> String {
    format!("Because two-step verification is on, your new password takes effect on {effective}.")
}

pub const RESET_PENDING_MORE: &str = "Until then your current password still signs you in. A notice went to every verified email address and phone number on the account; if you didn't ask for this, sign in the normal way and select Cancel this change.";

pub fn new_password_pending_note() -> &'static str {
    "Because two-step verification is on and only one proof was given, the new password will take effect only after 30 days."
}

pub fn choose_digits(n: usize, alt: bool) -> String {
    let range = if n <= 1 {
        "1".to_string()
    } else {
        format!("1–{}", n.min(9))
    };
    if alt { format!("Alt-{range}") } else { range }
}

pub const HELP_CHOOSE: &str = "Choose by number (Alt + number while typing)";

/// A security event kind, in words.
pub fn event_label(kind: &str) -> &'static str {
    use crate::domain::model::event;
    match kind {
        event::ACCOUNT_CREATED => "Account created",
        event::SIGNED_IN => "Signed in",
        event::PASSWORD_CHANGED => "Password changed",
        event::CODE_GENERATED => "New recovery code generated",
        event::CODE_USED => "Recovery code used",
        event::RECOVERED => "Account recovered",
        event::LOCKED => "Entry locked after wrong tries",
        event::METHOD_ADDED => "Sign-in method added",
        event::METHOD_VERIFIED => "Sign-in method verified",
        event::METHOD_REMOVED => "Sign-in method removed",
        event::TWO_STEP_ON => "Two-step verification on",
        event::TWO_STEP_OFF => "Two-step verification off",
        event::CHANGE_PENDING => "Password change pending",
        event::CHANGE_CANCELLED => "Pending change cancelled",
        event::CHANGE_APPLIED => "Pending change applied",
        event::CODE_CHECKED => EVENT_CODE_CHECKED,
        event::USERNAME_SENT => "Username sent (Forgot username?)",
        event::APP_ADDED => "Authenticator app added",
        event::APP_REMOVED => "Authenticator app removed",
        _ => "Account event",
    }
}

/// A question of the sign-in helper (before sign-in it asks; it never looks at the account).
pub fn helper_question(q: crate::domain::sign_in_helper::Question) -> &'static str {
    use crate::domain::sign_in_helper::Question;
    match q {
        Question::CanGetCodes => {
            "Can you still get a code at an email address or phone number on your account?"
        }
        Question::HasRecoveryCode => "Do you have your recovery code?",
        Question::KnowsPassword => "Do you still know your password?",
    }
}

/// The sign-in helper's headline for a path.
pub fn helper_headline(path: crate::domain::sign_in_helper::HolderPath) -> &'static str {
    use crate::domain::sign_in_helper::HolderPath;
    match path {
        HolderPath::ResetWithMethod => {
            "You can reset your password with a code sent to your email or phone."
        }
        HolderPath::RecoverWithCode => {
            "You can get back in with your recovery code: follow the steps below."
        }
        HolderPath::SignInAndRepair => {
            "Your password still signs you in: then set up new ways to get codes."
        }
        HolderPath::SignInOrRecoverWithCode => {
            "Sign in with your password; if you're asked for a code you can't get, your recovery code gets you in."
        }
        HolderPath::CannotRecover => {
            "Without a code or your recovery code, nothing can prove the account is yours."
        }
        HolderPath::General => "What to try, depending on what the sign-in screens tell you.",
    }
}

/// One step of the sign-in helper's path; `username` is what the person typed.
pub fn helper_step(step: crate::domain::sign_in_helper::HolderStep, username: &str) -> String {
    use crate::domain::pending_change::WAIT_DAYS;
    use crate::domain::sign_in_helper::HolderStep as S;
    match step {
        S::StartWithUsername => format!("Start signing in and enter the username {username}."),
        S::ChooseForgotPassword => "On the password screen, select Forgot password?".into(),
        S::GetCodeAndEnterIt => "Choose where to send a code, and enter its 6 digits (the code works for 10 minutes).".into(),
        S::SecondProofIfTwoStep => format!("If two-step verification is on, you're asked to verify a second way too (another email or phone, or your recovery code). With one proof only, the new password takes effect after {WAIT_DAYS} days."),
        S::SetNewPassword => "Set a new password.".into(),
        S::OtherWaysToSignIn => "Select Other ways to sign in.".into(),
        S::UsePasswordThenForgot => "Select Use my password, then Forgot password?".into(),
        S::DifferentOptionThenNone => "Select Use a different verification option, then I don't have any of these.".into(),
        S::EnterRecoveryCode => "At Do you have an account recovery code?, enter the code. Upper or lower case, spaces and dashes don't matter.".into(),
        S::SetPasswordAndKeepNewCode => "Once the code is accepted, set a new password. A new recovery code is shown once: print it and keep it somewhere safe.".into(),
        S::WaitIfTwoStepThenCodeIsSecondStep => format!("If two-step verification is on, the new password takes effect only after {WAIT_DAYS} days. Then sign in with it: if you can't get a code for the second step, select I don't have any of these: use my recovery code, and enter the new recovery code you were shown."),
        S::SignInWithPassword => format!("Sign in with the username {username} and your password."),
        S::SecondStepNeedsRecoveryCode => "If you're asked for a code for two-step verification and can't get one, only a recovery code could get you in, and you don't have one: no self-service path is left, and support can't reset passwords or change accounts.".into(),
        S::IfSecondStepUnreachableRecover => format!("If you're asked for a code for two-step verification and can't get one: if I don't have any of these: use my recovery code is offered, use it. If it isn't, go back and recover with your recovery code (Other ways to sign in, Use my password, Forgot password?, Use a different verification option, I don't have any of these). The new password takes effect after {WAIT_DAYS} days; then sign in with it and use the new recovery code you were shown as the second step."),
        S::RepairMethods => "Once signed in, in Manage how I sign in, remove what you lost, add a new email or phone, and generate a new recovery code.".into(),
        S::NoProofLeft => "No other self-service path can prove it, and support can't reset passwords or change accounts.".into(),
        S::IfYouKnowThePassword => "If you still know your password, sign in, add and verify an email or phone, and generate a recovery code in Manage how I sign in.".into(),
        S::CreateNewAccount => "Otherwise the account can't be recovered; you can create a new account.".into(),
        S::IfLockedWait => "If the sign-in screen says entry is locked, wait until the time it shows, then try again.".into(),
        S::IfForgottenReset => "If you've forgotten your password, select Forgot password? on the password screen.".into(),
        S::IfUnexpectedChangeCancel => "If you were told a password change is pending and it wasn't you, sign in with your current password and select Cancel this change.".into(),
    }
}

pub fn reauth_locked(until: &str) -> String {
    format!("Too many wrong passwords: password entry is locked until {until}.")
}

// The recovery drill (SPEC §10): check a saved code without spending it.
pub const CHECK_SAVED_CODE: &str = "Check a saved code";
pub const TITLE_CHECK_CODE: &str = "Check a saved code";
pub const CHECK_CODE_INTRO: &str = "Type the recovery code you saved, as it is written on your copy, to make sure it works. Checking it doesn't use it up.";
pub const CHECK_CODE_WORKS: &str = "This code works. Keep it safe.";
pub const BUSY_CHECK_SAVED: &str = "Checking your saved code…";
pub const NO_CODE_TO_CHECK: &str =
    "There's no recovery code on this account. Select Generate a new code to make one.";
pub const LAST_CHECKED: &str = "Last checked";
pub const EVENT_CODE_CHECKED: &str = "Recovery code checked";
/// The Manage screen's nudge under the recovery code status (at most 38 columns).
pub const NUDGE_NEVER_CHECKED: &str = "  Never checked: check your saved copy";
pub fn nudge_checked_long_ago(day: &str) -> String {
    format!("  Last checked {day}: check again")
}
/// A wrong saved code, and what to do about it.
pub fn check_code_not_current(tries_left: u32) -> String {
    format!(
        "This isn't your current recovery code. If you can't find the right one, select Generate a new code and keep the new one safe. {} before code entry is locked.",
        tries(tries_left)
    )
}
/// A wrong saved code that locked code entry.
pub fn check_code_not_current_locked(until: &str) -> String {
    format!(
        "This isn't your current recovery code, and code entry is now locked until {until}. Then check again, or select Generate a new code."
    )
}

// ---------------------------------------------------------------------------------------------
// What each screen is for: the first line of its help overlay (issue 11, item 9)

pub const ABOUT_SIGN_IN: &str = "Start here: type your username to sign in, create an account, or get help if you can't sign in.";
pub const ABOUT_PASSWORD: &str =
    "Type your password to sign in; if you forgot it, this is where you start getting back in.";
pub const ABOUT_OTHER_WAYS: &str =
    "Choose another way to prove it's you: your password, or a code sent to your email or phone.";
pub const ABOUT_SECOND_STEP: &str =
    "Two-step verification is on: prove it's you a second way to finish signing in.";
pub const ABOUT_CREATE: &str =
    "Make a new account: a username and a password you don't use anywhere else.";
pub const ABOUT_MANAGE: &str = "Your account's sign-in methods, two-step verification and recovery code, and what you can change.";
pub const ABOUT_ADD_EMAIL: &str =
    "Add an email address: a code is sent there, and it counts once you type that code back.";
pub const ABOUT_REMOVE: &str =
    "Remove an email address or phone number you no longer use; you're told at every address.";
pub const ABOUT_RECOVERY_CODE: &str = "Your recovery code gets you back in without your password: make a new one, or check the one you saved.";
pub const ABOUT_CODE_SHOWN: &str =
    "Your new recovery code, shown only this once: save it on paper before you leave this screen.";
pub const ABOUT_REAUTH: &str =
    "This change needs a recent sign-in: type your password again to go on.";
pub const ABOUT_VERIFY: &str =
    "Prove the account is yours with a code sent to one of its verified addresses.";
pub const ABOUT_OPTIONS: &str =
    "Choose where the security code goes, or say you have none of these.";
pub const ABOUT_METHOD_CODE: &str = "Type the six-digit code that was just sent to you.";
pub const ABOUT_SECOND_PROOF: &str = "Two-step verification is on: a second proof lets the new password work at once instead of after 30 days.";
pub const ABOUT_HAVE_CODE: &str =
    "Type your saved recovery code to get back into your account without your password.";
pub const ABOUT_NEW_PASSWORD: &str =
    "Your identity is verified: choose the password you'll sign in with from now on.";
pub const ABOUT_RESET_DONE: &str = "What happened to your password, and what to do next.";
pub const ABOUT_PENDING_NOTICE: &str =
    "A change to your account is waiting to take effect: cancel it here if it wasn't you.";
pub const ABOUT_HELPER: &str =
    "Answer a few questions and get the steps that will get you back in.";
pub const ABOUT_CHECK_CODE: &str =
    "Check that the recovery code you saved still works, without using it up.";
pub const ABOUT_ADD_PHONE: &str =
    "Add a phone number: a code is texted there, and it counts once you type that code back.";
pub const ABOUT_RESET_PENDING: &str =
    "Your new password is waiting: when it takes effect, and how to stop it if it wasn't you.";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Issue 11, item 7: every time the holder reads carries its zone, and a lock's end is
    /// given to the second, so nobody is told a time at which they are still locked.
    #[test]
    fn times_name_their_zone_and_lock_ends_their_second() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 9, 44, 59).unwrap();
        let utc = FixedOffset::east_opt(0).unwrap();
        let cet = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(when(t, utc), "2026-11-25\u{a0}09:44\u{a0}UTC");
        assert_eq!(when(t, cet), "2026-11-25\u{a0}10:44\u{a0}UTC+01:00");
        assert_eq!(until(t, t, utc), "09:44:59\u{a0}UTC");
        assert_eq!(
            until(t, t - chrono::Duration::days(1), cet),
            "2026-11-25\u{a0}10:44:59\u{a0}UTC+01:00"
        );
        assert_eq!(stamp(t, cet), "2026-11-25\u{a0}10:44");
        assert_eq!(manage_activity("UTC"), "Recent activity (times in UTC)");
    }
}
