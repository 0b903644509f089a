//! The recovery drill end to end (SPEC §10): the real binary in a pseudo-terminal. A holder
//! checks the code they saved, typed from paper; a superseded code is "not your current";
//! the checked code still recovers the account (checking did not spend it); and five wrong
//! checks lock code entry for recovery too.

mod support;

use support::flows::{
    choose, confirm_code, create_account, generate, new_password_then_sign_in, quit, sign_out,
    submit, to_recovery_code_prompt, wait,
};
use support::holder::Fixture;
use support::pty::holder_console;

const PASSWORD: &str = "first password 1";
const NEW_PASSWORD: &str = "second password 2";

/// The code as a holder types it from paper: lower case, spaces for dashes.
fn from_paper(code: &str) -> String {
    code.to_lowercase().replace('-', " ")
}

/// Signed in, on Manage how I sign in: Recovery code → Check a saved code.
fn to_check_screen(s: &mut support::pty::PtySession) {
    choose(s, "Recovery code");
    wait(s, "2  Check a saved code");
    s.send_keys("2");
    wait(s, "Type the recovery code you saved");
}

/// Back from Check a saved code to Manage how I sign in.
fn back_to_manage(s: &mut support::pty::PtySession) {
    s.esc();
    wait(s, "2  Check a saved code");
    s.esc();
    wait(s, "What do you want to do?");
}

#[test]
fn check_the_saved_code_then_recover_with_it_and_five_wrong_checks_lock_recovery() {
    let f = Fixture::new();
    let mut s = holder_console(&f.db);
    create_account(&mut s, "dana", PASSWORD);
    wait(&s, "Recovery code: None");
    let previous = generate(&mut s);
    let current = generate(&mut s);
    assert_ne!(previous, current);
    wait(&s, "Never checked: check your saved copy");

    // The saved code, typed from paper: it works.
    to_check_screen(&mut s);
    submit(
        &mut s,
        &from_paper(&current),
        "This code works. Keep it safe.",
    );
    let screen = s.screen_text();
    assert!(!screen.contains(&current), "the code is drawn:\n{screen}");
    // The code it replaced: not the current one, and the way out is offered.
    submit(
        &mut s,
        &from_paper(&previous),
        "This isn't your current recovery code.",
    );
    wait(&s, "1  Generate a new code");
    back_to_manage(&mut s);
    let manage = s.screen_text();
    assert!(!manage.contains("Never checked"), "{manage}");

    // Locked out later: the checked code still recovers the account (it was not spent).
    sign_out(&mut s);
    to_recovery_code_prompt(&mut s, "dana", 0);
    submit(
        &mut s,
        &from_paper(&current),
        "Your recovery code worked and is now used up.",
    );
    let fresh = confirm_code(&mut s, "Choose a new password.");
    new_password_then_sign_in(&mut s, "dana", NEW_PASSWORD);

    // Five wrong checks lock code entry, for the drill and for recovery alike.
    to_check_screen(&mut s);
    for expected in [
        "4 tries left",
        "3 tries left",
        "2 tries left",
        "1 try left",
        "code entry is now locked until",
    ] {
        submit(&mut s, &from_paper(&previous), expected);
    }
    back_to_manage(&mut s);
    sign_out(&mut s);
    to_recovery_code_prompt(&mut s, "dana", 0);
    // Even the right (fresh) code is refused unseen.
    submit(&mut s, &from_paper(&fresh), "Code entry is locked until");
    quit(&mut s);
}
