//! The holder console's steps, typed into the real binary in a pseudo-terminal
//! (`support::pty`) as the seed page words them. Each step waits for the screen it leads to,
//! never for a bare sleep.

use super::pty::{DEFAULT_TIMEOUT, PtySession};

/// Waits until `text` is on screen; panics with the screen if it does not come.
pub fn wait(s: &PtySession, text: &str) -> String {
    s.expect_text(text, DEFAULT_TIMEOUT)
}

/// Types `text`, presses Enter and waits until `then` is on screen.
pub fn submit(s: &mut PtySession, text: &str, then: &str) -> String {
    s.send_keys(text);
    s.enter();
    wait(s, then)
}

/// The recovery code shown in the box on screen (five dashed groups).
pub fn code_on_screen(s: &PtySession) -> String {
    let text = s.screen_text();
    text.split(|c: char| c.is_whitespace() || c == '│')
        .find(|w| w.chars().count() == 29 && w.matches('-').count() == 4)
        .unwrap_or_else(|| panic!("no code on screen:\n{}", s.screen_dump()))
        .to_string()
}

pub fn last_group(code: &str) -> &str {
    code.rsplit('-').next().unwrap()
}

/// Types the last group of the code on screen back (lower case) and waits for `then`;
/// returns the code.
pub fn confirm_code(s: &mut PtySession, then: &str) -> String {
    let code = code_on_screen(s);
    submit(s, &last_group(&code).to_lowercase(), then);
    code
}

/// The username typed on the first screen: the password screen.
pub fn password_screen(s: &mut PtySession, username: &str) {
    submit(s, username, &format!("Signing in as {username}"));
}

/// From the password screen: **Other ways to sign in** → **Use my password** → **Forgot
/// password?** → **Use a different verification option** → **I don't have any of these**, up
/// to **Do you have an account recovery code?**. `methods` is how many verified methods the
/// account has (they are listed before "I don't have any of these").
pub fn password_to_recovery_code_prompt(s: &mut PtySession, methods: usize) {
    s.alt('2');
    wait(s, "1  Use my password");
    s.send_keys("1");
    wait(s, "1  Forgot password?");
    s.alt('1');
    wait(s, "Use a different verification option");
    s.send_keys(if methods == 0 { "1" } else { "2" });
    // The methods, the authenticator app if there is one, then "I don't have any of these".
    choose(s, "I don't have any of these");
    wait(s, "Do you have an account recovery code?");
    wait(s, "Enter your 25-character recovery code.");
}

/// Username → the seed page's steps → the recovery code prompt.
pub fn to_recovery_code_prompt(s: &mut PtySession, username: &str, methods: usize) {
    password_screen(s, username);
    wait(s, "2  Other ways to sign in");
    password_to_recovery_code_prompt(s, methods);
}

/// On the first screen: create `username` with `password`; signed in.
pub fn create_account(s: &mut PtySession, username: &str, password: &str) {
    s.alt('1');
    wait(s, "Choose a username and a password.");
    submit(
        s,
        &format!("{username}\t{password}\t{password}"),
        &format!("Signed in as {username}"),
    );
}

/// Signed in: adds `email` and verifies it with the code `read_code` finds sent there;
/// returns that code.
pub fn add_email(
    s: &mut PtySession,
    email: &str,
    read_code: impl FnOnce(&str) -> String,
) -> String {
    s.send_keys("1");
    wait(s, "Email address");
    submit(s, email, "Enter it to verify this address.");
    let code = read_code(email);
    submit(s, &code, &format!("{email} is verified."));
    code
}

/// Picks the numbered choice labelled `label` on the screen (menus change with the account,
/// so flows choose by label, not by a fixed number).
pub fn choose(s: &mut PtySession, label: &str) {
    let screen = wait(s, label);
    let digit = super::screen::choice_digit(&screen, label)
        .unwrap_or_else(|| panic!("no numbered choice {label:?}:\n{screen}"));
    s.send_keys(&digit.to_string());
}

/// Signed in: generates a new recovery code and confirms it; returns it.
pub fn generate(s: &mut PtySession) -> String {
    choose(s, "Recovery code");
    wait(s, "Generate a new code");
    s.send_keys("1");
    wait(s, "As soon as you create a new recovery code, any previous");
    s.enter();
    wait(s, "Print this code and keep it in a safe place.");
    let code = confirm_code(s, "Recovery code saved.");
    wait(s, "Recovery code: Generated on");
    code
}

/// Signed in (no two-step): signs out and recovers with `code` typed from paper (lower case,
/// spaces for dashes), up to **Choose a new password.**; returns the fresh code shown.
pub fn sign_out_and_recover(s: &mut PtySession, username: &str, code: &str) -> String {
    sign_out(s);
    to_recovery_code_prompt(s, username, 1);
    submit(
        s,
        &code.to_lowercase().replace('-', " "),
        "Your recovery code worked and is now used up.",
    );
    confirm_code(s, "Choose a new password.")
}

pub fn sign_out(s: &mut PtySession) {
    choose(s, "Sign out");
    wait(s, "You're signed out.");
}

/// On **Choose a new password.** (no two-step): sets `password`, then signs in with it.
pub fn new_password_then_sign_in(s: &mut PtySession, username: &str, password: &str) {
    submit(
        s,
        &format!("{password}\t{password}"),
        "Your password was changed. Sign in with it.",
    );
    s.enter();
    wait(s, &format!("Signing in as {username}"));
    submit(s, password, &format!("Signed in as {username}"));
}

/// On the password screen of a two-step account: `password`, then the first method's code,
/// which goes to `masked` and which `read_code` finds; returns that code.
pub fn password_then_code(
    s: &mut PtySession,
    password: &str,
    masked: &str,
    read_code: impl FnOnce() -> String,
) -> String {
    submit(s, password, "Where should we send your security code?");
    s.send_keys("1");
    wait(s, &format!("We sent a code to {masked}"));
    let code = read_code();
    s.send_keys(&code);
    s.enter();
    code
}

/// Ctrl-C: the program exits with success.
pub fn quit(s: &mut PtySession) {
    s.ctrl('c');
    let status = s.wait_exit(DEFAULT_TIMEOUT).expect("exits on Ctrl-C");
    assert!(status.success(), "{status}\n{}", s.screen_dump());
}
