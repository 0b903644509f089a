//! Phone lookups at the support desk end to end (issue 12, items 8 and 9): the real binary in
//! a pseudo-terminal on the demo database, where sam's phone is +15550100101. An agent types
//! the number as the customer reads it out; with `desk --default-country 1` the national forms
//! find sam, the account view reads the phone out as `+1 ••• ••• ••01`, and without the option
//! a number without `+` is refused with a line saying both ways to fix it.

mod support;

use recovery_desk::store::Store;
use recovery_desk::store::audit::action;
use support::demo::Demo;
use support::pty::{DEFAULT_TIMEOUT, PtySession};

/// sam's phone, masked as the desk shows it.
const SAM_PHONE_MASKED: &str = "Phone +1 ••• ••• ••01 · verified";

fn sign_in(s: &mut PtySession) {
    s.expect_text("Agent name", DEFAULT_TIMEOUT);
    s.send_keys("alex");
    s.enter();
    s.send_keys("desk-demo-pass");
    s.enter();
    s.expect_text("Signed in as alex.", DEFAULT_TIMEOUT);
}

/// Types `number` into Find and presses Enter.
fn look_up(s: &mut PtySession, number: &str) {
    s.send_keys(number);
    s.enter();
}

/// From an account back to Find (choice 2, "Find another account").
fn find_another(s: &mut PtySession) {
    s.send_keys("2");
    s.expect_text("Signed in as alex.", DEFAULT_TIMEOUT);
}

fn quit(mut s: PtySession) {
    s.ctrl('c');
    let status = s.wait_exit(DEFAULT_TIMEOUT).expect("the desk exits");
    assert!(status.success(), "{status}");
}

#[test]
fn with_a_default_country_the_number_as_said_finds_the_account_and_shows_it_masked() {
    let demo = Demo::new();
    let mut s = demo.spawn(&["desk", "--default-country", "1"], &[]);
    sign_in(&mut s);

    // The customer reads out "one, five five five, zero one zero, zero one zero one".
    look_up(&mut s, "1-555-010-0101");
    let screen = s.expect_text("Account                 sam (#2)", DEFAULT_TIMEOUT);
    assert!(screen.contains(SAM_PHONE_MASKED), "{screen}");
    assert!(
        !screen.contains("5550100101") && !screen.contains("555 010") && !screen.contains("0101"),
        "the phone number was shown unmasked:\n{screen}"
    );

    // The same number without the country code, as said inside the country.
    find_another(&mut s);
    look_up(&mut s, "(555) 010-0101");
    let screen = s.expect_text("Account                 sam (#2)", DEFAULT_TIMEOUT);
    assert!(screen.contains(SAM_PHONE_MASKED), "{screen}");

    // Still an exact lookup: the last seven digits are another number, not a search.
    find_another(&mut s);
    look_up(&mut s, "010-0101");
    let screen = s.expect_text(
        "No account matches the phone number +1100101 exactly.",
        DEFAULT_TIMEOUT,
    );
    assert!(!screen.contains("Account                 sam"), "{screen}");
    quit(s);

    // The audit log holds every lookup, the number masked as on screen.
    let store = Store::open_read_only(&demo.demo_db()).unwrap();
    let lookups: Vec<String> = store
        .audit_rows(recovery_desk::store::audit::Filter {
            agent: Some("alex"),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|r| r.action == action::LOOKUP)
        .map(|r| r.detail)
        .collect();
    assert_eq!(
        lookups,
        [
            "phone +1 ••• ••• ••01",
            "phone +1 ••• ••• ••01",
            "phone +1 ••• •01"
        ]
    );
}

#[test]
fn without_a_default_country_a_number_without_plus_is_refused_saying_both_fixes() {
    let demo = Demo::new();
    let mut s = demo.spawn(&["desk"], &[]);
    sign_in(&mut s);

    look_up(&mut s, "5550100101");
    let screen = s.expect_text(
        "Type the phone number with + and the country code",
        DEFAULT_TIMEOUT,
    );
    // The line wraps on 80 columns; both halves are there.
    let flat = screen
        .split(|c: char| c.is_whitespace() || c == '│')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains(
            "Type the phone number with + and the country code (+44 20 7946 0018), or start the desk with --default-country."
        ),
        "{screen}"
    );
    assert!(!screen.contains("Account "), "{screen}");

    // With + the same desk finds sam.
    s.ctrl('u');
    look_up(&mut s, "+1 (555) 010-0101");
    let screen = s.expect_text("Account                 sam (#2)", DEFAULT_TIMEOUT);
    assert!(screen.contains(SAM_PHONE_MASKED), "{screen}");
    quit(s);
}

#[test]
fn a_default_country_that_is_not_a_calling_code_stops_the_desk_before_it_starts() {
    let demo = Demo::new();
    for bad in ["4", "999x", "0"] {
        let out = demo
            .command()
            .args(["--demo", "desk", "--default-country", bad])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--default-country") && err.contains("a calling code is 1 to 3 digits"),
            "{bad}: {err}"
        );
    }
}
