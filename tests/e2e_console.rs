//! The account holder console end to end: the real binary in a pseudo-terminal, keys typed,
//! text awaited on the emulated screen (never a bare sleep). One-time codes are read with the
//! binary's own `outbox` command, as a holder would read their email.

mod support;

use chrono::{DateTime, Duration, Utc};
use recovery_desk::domain::recovery_code;
use recovery_desk::secret::Secret;
use std::path::Path;
use support::flows::{
    add_email, choose, confirm_code, create_account, generate, new_password_then_sign_in,
    password_then_code, quit, sign_out, sign_out_and_recover, submit, to_recovery_code_prompt,
    wait,
};
use support::holder::{Fixture, add_verified_email, real_time_service};
use support::outbox::outbox_code;
use support::pty::{DEFAULT_TIMEOUT, PtySession, holder_console};

const PASSWORD: &str = "first password 1";
const NEW_PASSWORD: &str = "second password 2";

/// The holder console on `db`.
fn console(db: &Path) -> PtySession {
    holder_console(db)
}

/// How `later` after `before`, and after `after`, are shown in `format`: the screen, drawn
/// between the two, shows one of them.
fn shown_between(
    before: DateTime<Utc>,
    after: DateTime<Utc>,
    later: Duration,
    format: &str,
) -> Vec<String> {
    [before, after]
        .iter()
        .map(|t| (*t + later).format(format).to_string())
        .collect()
}

#[test]
fn create_add_email_generate_sign_out_recover_and_sign_in() {
    let f = Fixture::new();
    let mut s = console(&f.db);
    create_account(&mut s, "erin", PASSWORD);
    // Add email, with the code from the outbox.
    add_email(&mut s, "erin@example.com", |a| outbox_code(&f.db, a));
    // Generate a recovery code and read it off the screen.
    let code = generate(&mut s);
    // Recover by the seed page's steps, the code typed lower case with spaces.
    let fresh = sign_out_and_recover(&mut s, "erin", &code);
    assert_ne!(fresh, code);
    // A new password, and a sign-in with it.
    new_password_then_sign_in(&mut s, "erin", NEW_PASSWORD);
    // The old code no longer works.
    sign_out(&mut s);
    to_recovery_code_prompt(&mut s, "erin", 1);
    submit(&mut s, &code, "That code didn't work.");
    // The fresh code shown after the recovery is the one stored: it recovers the account.
    submit(
        &mut s,
        &fresh,
        "Your recovery code worked and is now used up.",
    );
    quit(&mut s);
    // The terminal was given back: main screen, cursor shown.
    assert!(
        s.raw_output_lossy().contains("\x1b[?1049l"),
        "alternate screen not left"
    );
}

/// A 2SV account set up through the library on the same database file, with the real clock.
fn two_step_account(db: &Path, username: &str, email: &str) -> Secret {
    let mut svc = real_time_service(db, 11);
    let p = Secret::new(PASSWORD);
    svc.create_account(username, &p, &p).unwrap();
    add_verified_email(&mut svc, email);
    svc.set_two_step(true).unwrap();
    svc.generate_recovery_code().unwrap()
}

#[test]
fn two_step_recovery_waits_thirty_days_and_the_holder_cancels_it() {
    let f = Fixture::new();
    let code = two_step_account(&f.db, "sam", "sam@example.com");
    let mut s = console(&f.db);
    to_recovery_code_prompt(&mut s, "sam", 1);
    submit(
        &mut s,
        recovery_code::format(&code).expose(),
        "Your recovery code worked",
    );
    // Whoever ran the recovery (perhaps a thief) was shown this fresh code.
    let shown = confirm_code(&mut s, "take effect only after 30 days");
    let before = Utc::now();
    s.send_keys(&format!("{NEW_PASSWORD}\t{NEW_PASSWORD}"));
    s.enter();
    let screen = wait(
        &s,
        "Because two-step verification is on, your new password takes effect on",
    );
    let after = Utc::now();
    let due = shown_between(before, after, Duration::days(30), "%Y-%m-%d");
    assert!(
        due.iter().any(|d| screen.contains(d.as_str())),
        "no date {due:?} on screen:\n{screen}"
    );
    // Now the normal way: the current password and the second step, then cancel the change.
    s.enter();
    wait(&s, "Signing in as sam");
    password_then_code(&mut s, PASSWORD, "s•••@example.com.", || {
        outbox_code(&f.db, "sam@example.com")
    });
    wait(
        &s,
        "A new password set through account recovery takes effect on",
    );
    wait(&s, "1  Cancel this change");
    s.send_keys("1");
    wait(&s, "The change was cancelled");
    wait(&s, "that recovery issued no longer works");
    // The screen's claim holds: the code shown to whoever ran the recovery starts nothing.
    sign_out(&mut s);
    to_recovery_code_prompt(&mut s, "sam", 1);
    submit(&mut s, &shown, "There's no recovery code on this account.");
    quit(&mut s);
    let svc = real_time_service(&f.db, 1);
    assert!(svc.find("sam").unwrap().pending.is_empty());
}

#[test]
fn six_wrong_codes_lock_code_entry_and_say_until_when() {
    let f = Fixture::new();
    {
        let mut svc = real_time_service(&f.db, 12);
        let p = Secret::new(PASSWORD);
        svc.create_account("lou", &p, &p).unwrap();
        svc.generate_recovery_code().unwrap();
    }
    let mut s = console(&f.db);
    to_recovery_code_prompt(&mut s, "lou", 0);
    let wrong = "00000-00000-00000-00000-00000";
    let start = Utc::now();
    for (i, expected) in [
        "4 tries left",
        "3 tries left",
        "2 tries left",
        "1 try left",
        "Code entry is locked until",
        "Code entry is locked until",
    ]
    .iter()
    .enumerate()
    {
        s.send_keys(wrong);
        s.enter();
        // The field empties once the code is taken; then the answer shows.
        s.wait_for_gone("•••••••••••••••••••••", DEFAULT_TIMEOUT)
            .unwrap_or_else(|e| panic!("try {}: {e}", i + 1));
        wait(&s, expected);
    }
    let screen = s.screen_text();
    let end = Utc::now();
    let times = shown_between(start, end, Duration::minutes(15), "%H:%M");
    assert!(
        times
            .iter()
            .any(|t| screen.contains(&format!("Code entry is locked until {t}"))),
        "expected until {times:?}:\n{screen}"
    );
    quit(&mut s);
}

/// Issue 11, item 3, end to end: "Forgot username?" from Sign in delivers the username to the
/// outbox for a verified address, and the screen reads the same for an address that is on no
/// account (the same length, so the screens line up character for character).
#[test]
fn forgotten_username_reaches_the_outbox_and_the_screen_gives_nothing_away() {
    let f = Fixture::new();
    {
        let mut svc = real_time_service(&f.db, 3);
        let p = Secret::new(PASSWORD);
        svc.create_account("erin", &p, &p).unwrap();
        add_verified_email(&mut svc, "erin@example.com");
    }
    let mut s = console(&f.db);
    wait(&s, "Forgot username?");
    s.alt('3');
    wait(&s, "Email address or phone number");
    let answer = |s: &mut PtySession, address: &str| {
        s.ctrl('u');
        s.send_keys(address);
        wait(s, address);
        s.enter();
        // The answer takes its fixed time: the spinner shows, then the words.
        wait(s, "Sending…");
        let screen = wait(s, "its username is on its way there");
        screen.replace(address, &"X".repeat(address.len()))
    };
    let known = answer(&mut s, "erin@example.com");
    let unknown = answer(&mut s, "eron@example.com");
    assert_eq!(known, unknown);
    let text = support::outbox::outbox_text(&f.db, "erin@example.com");
    assert!(text.contains("Your username"), "{text}");
    assert!(text.contains("is: erin"), "{text}");
    let none = support::outbox::outbox_text(&f.db, "eron@example.com");
    assert!(!none.contains("Your username"), "{none}");
    quit(&mut s);
}

/// Issue 11, item 2, end to end: a holder with two-step verification off signs in with a code
/// emailed to them instead of the password, the code read with the binary's `outbox`.
#[test]
fn sign_in_with_an_emailed_code() {
    let f = Fixture::new();
    {
        let mut svc = real_time_service(&f.db, 4);
        let p = Secret::new(PASSWORD);
        svc.create_account("erin", &p, &p).unwrap();
        add_verified_email(&mut svc, "erin@example.com");
    }
    let mut s = console(&f.db);
    submit(&mut s, "erin", "Enter password");
    s.alt('2');
    wait(&s, "Send a code to e•••@example.com");
    s.send_keys("2");
    wait(&s, "We sent a code to e•••@example.com");
    let code = outbox_code(&f.db, "erin@example.com");
    submit(&mut s, &code, "Manage how I sign in");
    quit(&mut s);
}

/// Issue 11, item 1, end to end: add an authenticator app, read the key off the screen, compute
/// the code as a phone would, confirm it; turn two-step verification on; sign out; sign in
/// with the password and a code from the app. The code already used is refused (no replay);
/// the next one, 60 seconds on by the debug binary's clock, signs in.
#[test]
fn an_authenticator_app_from_the_key_on_screen_signs_in_as_the_second_step() {
    use recovery_desk::domain::totp;
    use recovery_desk::store::ReadStore;
    let f = Fixture::new();
    {
        let mut svc = real_time_service(&f.db, 6);
        let p = Secret::new(PASSWORD);
        svc.create_account("erin", &p, &p).unwrap();
    }
    let offset = f.db.with_file_name("clock-offset");
    std::fs::write(&offset, "0").unwrap();
    let mut s = PtySession::app()
        .arg("--db")
        .arg(&f.db)
        .env("TZ", "UTC")
        .env_remove("RECOVERY_DESK_DB")
        .env(recovery_desk::clock::DEBUG_CLOCK_FILE, &offset)
        .spawn()
        .expect("spawn the console");
    wait(&s, "Enter the username of your account.");
    submit(&mut s, "erin", "Enter password");
    submit(&mut s, PASSWORD, "3  Add authenticator app");
    s.send_keys("3");
    let screen = wait(&s, "Then type the 6-digit code");
    // The two rows of four-letter groups under "Key", right of the QR code.
    let key = support::screen::app_key(&screen);
    assert_eq!(key.len(), 32, "{screen}");
    let raw = totp::from_base32(&key).unwrap();
    let code_at = |offset: i64| {
        totp::code_at_step(&raw, totp::step_at(chrono::Utc::now().timestamp() + offset))
    };
    let first = code_at(0);
    submit(&mut s, &first, "Your authenticator app is set up");
    s.send_keys("4");
    wait(&s, "Turn two-step verification on?");
    s.enter();
    wait(&s, "Two-step verification is on.");
    sign_out(&mut s);
    submit(&mut s, "erin", "Enter password");
    submit(&mut s, PASSWORD, "Use my authenticator app");
    s.send_keys("1");
    wait(&s, "Open your authenticator app");
    // The code that confirmed the app, again: refused.
    submit(&mut s, &first, "or it was used already");
    std::fs::write(&offset, "60").unwrap();
    submit(&mut s, &code_at(60), "Manage how I sign in");
    // Item 2: the app's code instead of the password; two-step is on, so the password follows.
    sign_out(&mut s);
    submit(&mut s, "erin", "Enter password");
    s.alt('2');
    wait(&s, "Other ways to sign in");
    choose(&mut s, "Use my authenticator app");
    wait(&s, "Open your authenticator app");
    std::fs::write(&offset, "120").unwrap();
    submit(&mut s, &code_at(120), "Enter password");
    submit(&mut s, PASSWORD, "Manage how I sign in");
    // Removing the app: two-step off first (the app is erin's only second step), then remove.
    choose(&mut s, "Turn two-step verification off");
    wait(&s, "Turn two-step verification off?");
    s.enter();
    wait(&s, "Turn two-step verification on");
    choose(&mut s, "Remove authenticator app");
    wait(&s, "Remove the authenticator app?");
    s.enter();
    wait(&s, "The authenticator app was removed.");
    quit(&mut s);
    let store = recovery_desk::store::sqlite::ReadOnlyStore::open(&f.db).unwrap();
    let erin = store.account_by_username("erin").unwrap().unwrap();
    let view = store.account_view(erin.id, Utc::now()).unwrap();
    assert_eq!(view.app, None, "the app is gone from the database");
}
