//! The account holder console end to end: the real binary in a pseudo-terminal, keys typed,
//! text awaited on the emulated screen (never a bare sleep). One-time codes are read with the
//! binary's own `outbox` command, as a holder would read their email.

mod support;

use chrono::{Duration, Utc};
use recovery_desk::clock;
use recovery_desk::domain::recovery_code;
use recovery_desk::secret::Secret;
use recovery_desk::service::Service;
use recovery_desk::store::Store;
use recovery_desk::store::holder::Purpose;
use recovery_desk::store::read::MethodKind;
use std::path::{Path, PathBuf};
use support::pty::{DEFAULT_TIMEOUT, PtySession, holder_console, outbox_code};
use support::seams::Seeded;

const PASSWORD: &str = "first password 1";
const NEW_PASSWORD: &str = "second password 2";

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("holder.db");
    Db { _dir: dir, path }
}

/// The holder console on `db`.
fn console(db: &Path) -> PtySession {
    holder_console(db)
}

/// The recovery code shown in the box on screen (five dashed groups).
fn code_on_screen(s: &PtySession) -> String {
    let text = s.screen_text();
    text.split(|c: char| c.is_whitespace() || c == '│')
        .find(|w| w.len() == 29 && w.matches('-').count() == 4)
        .unwrap_or_else(|| panic!("no code on screen:\n{}", s.screen_dump()))
        .to_string()
}

fn last_group(code: &str) -> &str {
    code.rsplit('-').next().unwrap()
}

fn wait(s: &PtySession, text: &str) -> String {
    s.expect_text(text, DEFAULT_TIMEOUT)
}

/// Username → **Other ways to sign in** → **Use my password** → **Forgot password?** →
/// **Use a different verification option** → **I don't have any of these**, the seed page's
/// steps, up to **Do you have an account recovery code?**. `methods` is how many verified
/// methods the account has (they are listed before "I don't have any of these").
fn to_recovery_code_prompt(s: &mut PtySession, username: &str, methods: usize) {
    s.send_keys(username);
    s.enter();
    wait(s, &format!("Signing in as {username}"));
    wait(s, "2  Other ways to sign in");
    s.alt('2');
    wait(s, "1  Use my password");
    s.send_keys("1");
    wait(s, "1  Forgot password?");
    s.alt('1');
    wait(s, "Use a different verification option");
    s.send_keys(if methods == 0 { "1" } else { "2" });
    wait(s, "I don't have any of these");
    s.send_keys(&(methods + 1).to_string());
    wait(s, "Do you have an account recovery code?");
    wait(s, "Enter your 25-character recovery code.");
}

/// Types the code shown on screen's last group back and waits for the screen after.
fn confirm_code(s: &mut PtySession, then: &str) -> String {
    let code = code_on_screen(s);
    s.send_keys(&last_group(&code).to_lowercase());
    s.enter();
    wait(s, then);
    code
}

#[test]
fn create_add_email_generate_sign_out_recover_and_sign_in() {
    let db = db();
    let mut s = console(&db.path);
    // Create account.
    s.alt('1');
    wait(&s, "Choose a username and a password.");
    s.send_keys(&format!("erin\t{PASSWORD}\t{PASSWORD}"));
    s.enter();
    wait(&s, "Signed in as erin");
    // Add email, with the code from the outbox.
    s.send_keys("1");
    wait(&s, "Email address");
    s.send_keys("erin@example.com");
    s.enter();
    wait(&s, "Enter it to verify this address.");
    s.send_keys(&outbox_code(&db.path, "erin@example.com"));
    s.enter();
    wait(&s, "erin@example.com is verified.");
    // Generate a recovery code and read it off the screen.
    s.send_keys("5");
    wait(&s, "Generate a new code");
    s.send_keys("1");
    wait(
        &s,
        "As soon as you create a new recovery code, any previous",
    );
    s.enter();
    wait(&s, "Print this code and keep it in a safe place.");
    let code = confirm_code(&mut s, "Recovery code saved.");
    wait(&s, "Recovery code: Generated on");
    // Sign out.
    s.send_keys("6");
    wait(&s, "You're signed out.");
    // Recover by the seed page's steps, the code typed lower case with spaces.
    to_recovery_code_prompt(&mut s, "erin", 1);
    s.send_keys(&code.to_lowercase().replace('-', " "));
    s.enter();
    wait(&s, "Your recovery code worked and is now used up.");
    let fresh = confirm_code(&mut s, "Choose a new password.");
    assert_ne!(fresh, code);
    s.send_keys(&format!("{NEW_PASSWORD}\t{NEW_PASSWORD}"));
    s.enter();
    wait(&s, "Your password was changed. Sign in with it.");
    // Sign in with the new password.
    s.enter();
    wait(&s, "Signing in as erin");
    s.send_keys(NEW_PASSWORD);
    s.enter();
    wait(&s, "Signed in as erin");
    // The old code no longer works.
    s.send_keys("6");
    wait(&s, "You're signed out.");
    to_recovery_code_prompt(&mut s, "erin", 1);
    s.send_keys(&code);
    s.enter();
    wait(&s, "That code didn't work.");
    s.ctrl('c');
    let status = s.wait_exit(DEFAULT_TIMEOUT).expect("exits on Ctrl-C");
    assert!(status.success(), "{status}");
    // The terminal was given back: main screen, cursor shown.
    assert!(
        s.raw_output_lossy().contains("\x1b[?1049l"),
        "alternate screen not left"
    );
}

/// A 2SV account set up through the library on the same database file, with the real clock.
fn two_step_account(db: &Path, username: &str, email: &str) -> Secret {
    let mut svc = Service::new(
        Store::open(db).unwrap(),
        Box::new(Seeded::new(11)),
        clock::system(),
    );
    let p = Secret::new(PASSWORD);
    let account = svc.create_account(username, &p, &p).unwrap();
    let method = svc.add_method(MethodKind::Email, email).unwrap();
    let code = outbox_code(db, email);
    svc.check_code(account, method, Purpose::VerifyMethod, &code)
        .unwrap();
    svc.set_two_step(true).unwrap();
    svc.generate_recovery_code().unwrap()
}

#[test]
fn two_step_recovery_waits_thirty_days_and_the_holder_cancels_it() {
    let db = db();
    let code = two_step_account(&db.path, "sam", "sam@example.com");
    let mut s = console(&db.path);
    to_recovery_code_prompt(&mut s, "sam", 1);
    s.send_keys(recovery_code::format(&code).expose());
    s.enter();
    wait(&s, "Your recovery code worked");
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
    let due: Vec<String> = [before, after]
        .iter()
        .map(|t| (*t + Duration::days(30)).format("%Y-%m-%d").to_string())
        .collect();
    assert!(
        due.iter().any(|d| screen.contains(d.as_str())),
        "no date {due:?} on screen:\n{screen}"
    );
    // Now the normal way: the current password and the second step, then cancel the change.
    s.enter();
    wait(&s, "Signing in as sam");
    s.send_keys(PASSWORD);
    s.enter();
    wait(&s, "Where should we send your security code?");
    s.send_keys("1");
    wait(&s, "We sent a code to s•••@example.com.");
    s.send_keys(&outbox_code(&db.path, "sam@example.com"));
    s.enter();
    wait(
        &s,
        "A new password set through account recovery takes effect on",
    );
    wait(&s, "1  Cancel this change");
    s.send_keys("1");
    wait(&s, "The change was cancelled");
    wait(&s, "that recovery issued no longer works");
    // The screen's claim holds: the code shown to whoever ran the recovery starts nothing.
    s.send_keys("6");
    wait(&s, "You're signed out.");
    to_recovery_code_prompt(&mut s, "sam", 1);
    s.send_keys(&shown);
    s.enter();
    wait(&s, "There's no recovery code on this account.");
    s.ctrl('c');
    assert!(s.wait_exit(DEFAULT_TIMEOUT).expect("exits").success());
    let svc = Service::new(
        Store::open(&db.path).unwrap(),
        Box::new(Seeded::new(1)),
        clock::system(),
    );
    assert!(svc.find("sam").unwrap().pending.is_empty());
}

#[test]
fn six_wrong_codes_lock_code_entry_and_say_until_when() {
    let db = db();
    {
        let mut svc = Service::new(
            Store::open(&db.path).unwrap(),
            Box::new(Seeded::new(12)),
            clock::system(),
        );
        let p = Secret::new(PASSWORD);
        svc.create_account("lou", &p, &p).unwrap();
        svc.generate_recovery_code().unwrap();
    }
    let mut s = console(&db.path);
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
    let times: Vec<String> = [start, end]
        .iter()
        .map(|t| (*t + Duration::minutes(15)).format("%H:%M").to_string())
        .collect();
    assert!(
        times
            .iter()
            .any(|t| screen.contains(&format!("Code entry is locked until {t}"))),
        "expected until {times:?}:\n{screen}"
    );
    s.ctrl('c');
    assert!(s.wait_exit(DEFAULT_TIMEOUT).expect("exits").success());
}
