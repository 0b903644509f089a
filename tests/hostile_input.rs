//! Hostile input on every text field (issue 5, item 5), through the real binary in a
//! pseudo-terminal.
//!
//! Every field of the account holder console (sign-in username; password; create account's
//! username, password and confirmation; add email; add phone; the one-time code; the recovery
//! code; the last-group confirmation; new password and its confirmation; the re-auth password;
//! the helper's username) and of the support desk (agent name, agent password, lookup) is
//! reached with real key presses and then gets, in turn:
//!
//! - a 100 KB bracketed paste, itself stuffed with escape sequences, controls, NULs, emoji,
//!   right-to-left text and combining marks: the field shows "Input capped at N characters";
//! - every C0 control that is not a key the field or screen acts on, and DEL, typed;
//! - pastes of single OSC / CSI / DCS / C1 / RIS sequences between two harmless markers: the
//!   markers show up (revealed for masked fields), the sequence never does;
//! - a paste of emoji (ZWJ sequences, flags, skin tones), Hebrew, Arabic, U+202E, zero-width
//!   characters and stacked combining marks;
//!
//! and after each, the program is alive, the frame is intact, and at the end the field is
//! cleared with Ctrl-U and the flow goes on normally (the right value typed is accepted).
//!
//! What the program wrote to the terminal is checked twice: byte by byte (none of the
//! injected sequences, no BEL, no NUL, no bidi override, no ZWJ, and the word "pwned", which
//! only ever appears inside an escape sequence we send, appears nowhere), and by replaying
//! it into a second emulator whose callbacks record any window-title, icon-name or clipboard
//! request (there must be none).
//!
//! Synchronisation is always "wait until this is on screen" against a deadline.

mod support;

use std::path::Path;
use std::time::Duration;

use support::demo::Demo;
use support::flows::{
    self, code_on_screen, confirm_code, last_group, new_password_then_sign_in, sign_out, submit,
    wait,
};
use support::pty::{DEFAULT_TIMEOUT, PtySession};

const T: Duration = DEFAULT_TIMEOUT;

/// Size of the big paste.
const PASTE_BYTES: usize = 100 * 1024;

/// One block of the big paste: a bit of everything.
const CHUNK: &str = "hostile-0123456789 \x1b]0;pwned-title\x07\x1b[2J\x1b[31m\x00\x01\x07\x08\r\n\t\x7f\
                     \u{9b}2J\u{9d}0;pwned-c1\u{9c}😀👩\u{200d}💻 שלום مرحبا \u{202e}gpj.exe e\u{301}\u{302} ";

/// Pasted one at a time between two markers, which must then show side by side.
const ESCAPES: &[&str] = &[
    "\x1b]0;pwned-title\x07",
    "\x1b]2;pwned-two\x1b\\",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1b]8;;http://pwned.example/\x1b\\",
    "\x1b[2J",
    "\x1b[31m",
    "\x1b[?1049l",
    "\x1b[6n",
    "\x1bP$qm\x1b\\",
    "\x1bc",
    "\u{9b}2J",
    "\u{9d}0;pwned-c1\u{9c}",
    "\x00\x07\x08\x0b\x0c\r\n",
];

/// Sequences (and characters) that must never appear in what the program writes once its
/// first screen is up. `\x1b]` covers every OSC: the program never sends one itself.
const NEVER_AFTER_START: &[&str] = &[
    "\x1b]", "\x1b[2J", "\x1b[31m", "\x1b[6n", "\x1bP", "\x1bc", "\u{9b}", "\u{9d}", "\u{9c}",
    "\u{202e}", "\u{200d}", "\x07", "\x00",
];

/// Emoji (ZWJ sequences, a flag, a skin tone), Hebrew, Arabic, a right-to-left override, a
/// zero-width space and stacked combining marks.
const UNICODE: &str = "😀👨\u{200d}👩\u{200d}👧\u{200d}👦🇺🇦👍🏽 שלום مرحبا \u{202e}abc\u{202c}\u{200b}e\u{301}\u{302}\u{303}Z\u{36b}\u{36a}\u{353}";

/// Typed C0 controls: all of 0x00–0x1F except those that are keys here (Ctrl-A/E move the
/// cursor and are kept: harmless; Ctrl-C quits, Tab moves focus, Enter submits, Ctrl-R
/// reveals, Ctrl-U clears, Esc goes back), then DEL (Backspace on an empty field).
fn typed_controls() -> Vec<u8> {
    let keys = [0x03, 0x09, 0x0d, 0x12, 0x15, 0x1b];
    let mut v: Vec<u8> = (0u8..0x20).filter(|b| !keys.contains(b)).collect();
    v.push(0x7f);
    v
}

/// The big paste: [`CHUNK`] repeated to 100 KB.
fn big_paste() -> String {
    let mut p = String::with_capacity(PASTE_BYTES + CHUNK.len());
    while p.len() < PASTE_BYTES {
        p.push_str(CHUNK);
    }
    p
}

/// Whether some row of the screen has a box cell (between `│`s) holding exactly `text`.
fn field_shows(screen: &str, text: &str) -> bool {
    screen
        .lines()
        .any(|l| l.split('│').any(|cell| cell.trim() == text))
}

/// The program is alive, has not reported an internal error, and its frame is whole.
fn assert_sane(s: &mut PtySession, field: &str, step: &str) {
    assert!(
        s.is_alive(),
        "{field}: the program died after {step}:\n{}",
        s.screen_dump()
    );
    let screen = s.screen_text();
    assert!(
        !screen.contains("internal error"),
        "{field}: internal error after {step}:\n{screen}"
    );
    let first = screen.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("┌ recovery-desk"),
        "{field}: the frame's top row is damaged after {step}:\n{}",
        s.screen_dump()
    );
}

/// Shows a masked field's value while `f` runs (Ctrl-R toggles it); unmasked fields as is.
fn revealed<R>(s: &mut PtySession, masked: bool, f: impl FnOnce(&mut PtySession) -> R) -> R {
    if masked {
        s.ctrl('r');
    }
    let r = f(s);
    if masked {
        s.ctrl('r');
    }
    r
}

/// Clears the focused field and waits until it shows `marker` alone (proof that everything
/// sent before has been handled, and that the field holds exactly that).
fn clear_and_mark(s: &mut PtySession, masked: bool, marker: &str) {
    s.ctrl('u');
    s.send_keys(marker);
    revealed(s, masked, |s| {
        s.wait_until_described(&format!("field holding only {marker:?}"), T, |sc| {
            field_shows(&sc.contents(), marker)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    });
    // Hidden again before going on (the reveal marker leaves the screen).
    if masked {
        s.wait_until_described("the field masked again", T, |sc| {
            !field_shows(&sc.contents(), marker)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Everything hostile, into the focused, empty field `name` (at most `cap` characters).
/// Leaves the field empty and focused.
fn hostile(s: &mut PtySession, name: &str, cap: usize, masked: bool) {
    let capped = format!("Input capped at {cap} characters");

    // 1. A 100 KB paste full of escapes, controls, emoji and RTL text: capped, said so.
    s.paste(&big_paste());
    s.wait_for(&capped, T)
        .unwrap_or_else(|e| panic!("{name}: 100 KB paste not capped: {e}"));
    assert_sane(s, name, "a 100 KB paste");
    if !masked {
        // The sanitised text is what is shown: the first characters of the chunk.
        let screen = s.screen_text();
        assert!(
            screen.contains("hostile-0123"),
            "{name}: pasted text not shown:\n{screen}"
        );
    }
    s.ctrl('u');
    s.wait_for_gone(&capped, T)
        .unwrap_or_else(|e| panic!("{name}: Ctrl-U did not clear the capped field: {e}"));

    // 2. Typed control characters insert nothing.
    s.send_bytes(&typed_controls());
    s.send_keys("zq9");
    revealed(s, masked, |s| {
        s.wait_until_described(&format!("{name} holding only \"zq9\""), T, |sc| {
            field_shows(&sc.contents(), "zq9")
        })
        .unwrap_or_else(|e| panic!("control characters got into {name}: {e}"));
    });
    assert_sane(s, name, "typed control characters");

    // 3. Escape sequences, one per paste, between two markers: the markers arrive together.
    for (i, esc) in ESCAPES.iter().enumerate() {
        s.ctrl('u');
        let (a, b) = (format!("m{i}a"), format!("m{i}b"));
        s.paste(&format!("{a}{esc}{b}"));
        let want = format!("{a}{b}");
        revealed(s, masked, |s| {
            s.wait_until_described(&format!("{name} holding {want:?}"), T, |sc| {
                field_shows(&sc.contents(), &want)
            })
            .unwrap_or_else(|e| panic!("escape {esc:?} in {name}: {e}"));
        });
        assert_sane(s, name, &format!("pasting {esc:?}"));
    }

    // 4. Emoji, right-to-left text, bidi overrides, zero-width characters, combining marks;
    //    pasted, then typed.
    for (mark, pasted, input, shown) in [
        ("u1", true, UNICODE, "😀"),
        ("u2", false, "é😀ש\u{202e}x\u{301}", "é😀ש"),
    ] {
        let step = if pasted { "pasting" } else { "typing" };
        let step = format!("{step} emoji and right-to-left text");
        clear_and_mark(s, masked, mark);
        s.ctrl('u');
        if pasted {
            s.paste(input);
        } else {
            s.send_keys(input);
        }
        revealed(s, masked, |s| {
            s.wait_for(shown, T)
                .unwrap_or_else(|e| panic!("{name}: {step}: not shown: {e}"));
        });
        assert_sane(s, name, &step);
    }

    // 5. The field still works: cleared, it holds exactly what is typed next.
    clear_and_mark(s, masked, "ok7");
    s.ctrl('u');
    revealed(s, masked, |s| {
        s.wait_until_described(&format!("{name} empty"), T, |sc| {
            !field_shows(&sc.contents(), "ok7")
        })
        .unwrap_or_else(|e| panic!("{e}"));
    });
}

/// Window-title, icon-name and clipboard requests seen by a terminal replaying the output.
#[derive(Default)]
struct Recorder {
    requests: Vec<String>,
}

impl vt100::Callbacks for Recorder {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.requests
            .push(format!("title {:?}", String::from_utf8_lossy(title)));
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.requests
            .push(format!("icon {:?}", String::from_utf8_lossy(name)));
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8], data: &[u8]) {
        self.requests
            .push(format!("clipboard {:?}", String::from_utf8_lossy(data)));
    }
    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8]) {
        self.requests.push("clipboard read".into());
    }
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        let p: Vec<_> = params.iter().map(|p| String::from_utf8_lossy(p)).collect();
        self.requests.push(format!("osc {p:?}"));
    }
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.requests.push("bell".into());
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Checks everything the program wrote: `raw` from its start, `start` the offset where its
/// first screen was complete (before any input of ours).
fn assert_nothing_echoed(raw: &[u8], start: usize) {
    if let Some(at) = find(raw, b"pwned") {
        let from = at.saturating_sub(40);
        panic!(
            "injected text came back out at byte {at}: {:?}",
            String::from_utf8_lossy(&raw[from..(at + 40).min(raw.len())])
        );
    }
    let after = &raw[start..];
    for bad in NEVER_AFTER_START {
        if let Some(at) = find(after, bad.as_bytes()) {
            let at = start + at;
            let from = at.saturating_sub(40);
            panic!(
                "{bad:?} was written to the terminal at byte {at}: {:?}",
                String::from_utf8_lossy(&raw[from..(at + 40).min(raw.len())])
            );
        }
    }
    // The leave-alternate-screen sequence only ever comes at exit, as the very last screen
    // change: never while the program runs.
    let leave = b"\x1b[?1049l";
    if let Some(at) = find(after, leave) {
        let rest = &after[at + leave.len()..];
        assert!(
            find(rest, b"\x1b[?1049h").is_none(),
            "the alternate screen was left and re-entered while running"
        );
    }
    let mut p = vt100::Parser::new_with_callbacks(
        std::num::NonZeroU16::new(24).unwrap(),
        std::num::NonZeroU16::new(80).unwrap(),
        0,
        Recorder::default(),
    );
    p.process(raw);
    assert!(
        p.callbacks().requests.is_empty(),
        "the program asked the terminal for: {:?}",
        p.callbacks().requests
    );
}

fn quit(mut s: PtySession) -> Vec<u8> {
    flows::quit(&mut s);
    s.raw_output()
}

/// Username → Other ways to sign in → Use my password → Forgot password? → Use a different
/// verification option → I don't have any of these, with hostile input on the password.
fn hostile_password_and_recovery_code(s: &mut PtySession, username: &str) {
    flows::password_screen(s, username);
    wait(s, "1  Forgot password?");
    hostile(s, "password", 128, true);
    flows::password_to_recovery_code_prompt(s, 1);
    hostile(s, "recovery code", 64, false); // shown as typed (SPEC §5)
}

#[test]
fn every_console_field_survives_hostile_input() {
    let demo = Demo::new();
    let mut s = demo.spawn(&[], &[]);
    wait(&s, "Enter the username of your account.");
    let start = s.raw_len();

    // Sign in: the username.
    hostile(&mut s, "sign-in username", 32, false);

    // Create account: username, password, confirmation.
    s.alt('1');
    wait(&s, "Choose a username and a password.");
    hostile(&mut s, "create-account username", 32, false);
    s.tab();
    hostile(&mut s, "create-account password", 128, true);
    s.tab();
    hostile(&mut s, "create-account confirmation", 128, true);
    s.backtab();
    s.backtab();
    submit(
        &mut s,
        "hilda\tferret lamp pass 1\tferret lamp pass 1",
        "Signed in as hilda",
    );

    // Add email, then the one-time code sent there.
    s.send_keys("1");
    wait(&s, "Email address");
    hostile(&mut s, "email address", 254, false);
    submit(
        &mut s,
        "hilda@example.com",
        "Enter it to verify this address.",
    );
    hostile(&mut s, "one-time code", 12, true);
    submit(
        &mut s,
        &demo.outbox_code("hilda@example.com"),
        "hilda@example.com is verified.",
    );

    // Add phone (left with Esc after the hostile input).
    s.send_keys("2");
    wait(&s, "Phone number");
    hostile(&mut s, "phone number", 32, false);
    s.esc();
    wait(&s, "What do you want to do?");

    // Generate a recovery code; the last-group confirmation.
    flows::choose(&mut s, "Recovery code");
    wait(&s, "Generate a new code");
    s.send_keys("1");
    wait(&s, "As soon as you create a new recovery code");
    s.enter();
    wait(&s, "Print this code and keep it in a safe place.");
    let code = code_on_screen(&s);
    hostile(&mut s, "last group", 16, false);
    submit(&mut s, last_group(&code), "Recovery code saved.");

    // Sign out; the password, then the recovery code on the way to recovery.
    sign_out(&mut s);
    hostile_password_and_recovery_code(&mut s, "hilda");
    submit(
        &mut s,
        &code,
        "Your recovery code worked and is now used up.",
    );
    // New password and its confirmation.
    confirm_code(&mut s, "Choose a new password.");
    hostile(&mut s, "new password", 128, true);
    s.tab();
    hostile(&mut s, "new password confirmation", 128, true);
    s.backtab();
    new_password_then_sign_in(&mut s, "hilda", "ferret lamp pass 2");

    // Sign out; Can't sign in? and its username.
    sign_out(&mut s);
    s.alt('2');
    wait(&s, "The sign-in helper finds out what's stopping you");
    s.ctrl('u');
    hostile(&mut s, "helper username", 32, false);
    submit(&mut s, "hilda", "What's happening?");

    let raw = quit(s);
    assert_nothing_echoed(&raw, start);
}

fn set_offset(file: &Path, seconds: i64) {
    std::fs::write(file, format!("{seconds:+}\n")).unwrap();
}

/// The re-auth password field only shows once the sign-in is more than 10 minutes old. The
/// debug binary's clock seam (`RECOVERY_DESK_DEBUG_CLOCK_FILE`, compiled into debug builds
/// only) moves its clock, in two six-minute steps with a key press between them so the
/// 10-minute idle sign-out does not fire first.
#[test]
fn reauth_password_survives_hostile_input() {
    let demo = Demo::new();
    let offset = demo.dir.path().join("clock-offset");
    set_offset(&offset, 0);
    let env = [(
        recovery_desk::clock::DEBUG_CLOCK_FILE,
        offset.to_str().unwrap(),
    )];
    let mut s = demo.spawn(&[], &env);
    wait(&s, "Enter the username of your account.");
    let start = s.raw_len();
    flows::password_screen(&mut s, "pat");
    submit(&mut s, "otter-demo-pass", "Signed in as pat");
    for step in [360, 720] {
        set_offset(&offset, step);
        // A key press counts as activity (Tab moves the selection and back).
        s.tab();
        s.backtab();
        s.f(1);
        wait(&s, "closes help");
        s.esc();
        s.wait_for_gone("closes help", T).unwrap();
    }
    s.send_keys("2");
    wait(&s, "Phone number");
    submit(
        &mut s,
        "+1 555 0100 777",
        "For your security, enter your password again",
    );
    hostile(&mut s, "re-auth password", 128, true);
    submit(
        &mut s,
        "otter-demo-pass",
        "Enter it to verify this address.",
    );
    let raw = quit(s);
    assert_nothing_echoed(&raw, start);
}

#[test]
fn every_desk_field_survives_hostile_input() {
    let demo = Demo::new();
    let mut s = demo.spawn(&["desk"], &[]);
    wait(&s, "Agent name");
    let start = s.raw_len();
    hostile(&mut s, "agent name", 32, false);
    s.send_keys("alex");
    s.enter();
    hostile(&mut s, "agent password", 128, true);
    submit(&mut s, "desk-demo-pass", "Signed in as alex.");
    hostile(&mut s, "lookup", 254, false);
    submit(&mut s, "pat", "pat (#1)");
    let raw = quit(s);
    assert_nothing_echoed(&raw, start);
}
