//! A panic leaves the terminal as it was and prints no secret (issue 5, item 7).
//!
//! The debug binary has a test-only hook in `tui::terminal::init` (compiled only with
//! `debug_assertions`): with `RECOVERY_DESK_TEST_PANIC` set, it panics right after entering
//! raw mode and the alternate screen, with the variable's value in the panic payload. Here the
//! value is a marker standing for a secret. Both consoles are run that way inside a shell in
//! a pseudo-terminal, the shell then runs `stty -a` on the same terminal, and we check:
//!
//! - the binary exits with status 1 (main catches the unwind);
//! - the alternate screen was left after it was entered, bracketed paste turned off, and the
//!   emulated terminal is back on the main screen;
//! - `stty -a` afterwards shows the line discipline restored: `icanon`, `echo`, `isig`,
//!   `icrnl`, `opost` (raw mode turns them all off);
//! - the one-line "internal error" message was printed, and nothing else of the panic: the
//!   marker, the payload's words and any backtrace appear nowhere in the output.

mod support;

use std::path::Path;
use std::time::Duration;

use support::pty::{PtySession, bin_path};

const T: Duration = Duration::from_secs(20);
const MARKER: &str = "SECRET-MARKER-12345";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Runs `recovery-desk --db DB [desk]` with the panic hook armed, then `stty -a`, in one
/// shell in a pseudo-terminal; returns everything written to the terminal.
fn crash_then_stty(db: &Path, desk: bool) -> (PtySession, Vec<u8>) {
    let script = r#""$1" --db "$2" $3; echo "binary-exit=$?"; stty -a"#;
    let mode = if desk { "desk" } else { "" };
    let mut s = PtySession::builder("sh")
        .args(["-c", script, "sh"])
        .arg(bin_path())
        .arg(db)
        .arg(mode)
        .env("RECOVERY_DESK_TEST_PANIC", MARKER)
        .env("RUST_BACKTRACE", "1")
        .env("TZ", "UTC")
        .env_remove("RECOVERY_DESK_DB")
        .spawn()
        .expect("spawn sh");
    let status = s
        .wait_exit(T)
        .unwrap_or_else(|| panic!("the shell did not finish:\n{}", s.screen_dump()));
    assert!(
        status.success(),
        "stty failed: {status}\n{}",
        s.screen_dump()
    );
    let raw = s.raw_output();
    (s, raw)
}

fn check(desk: bool) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("panic.db");
    // The desk opens an existing database only (SPEC §6).
    drop(recovery_desk::store::Store::open(&db).unwrap());
    let (s, raw) = crash_then_stty(&db, desk);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let what = if desk { "desk" } else { "console" };

    // Exit status 1.
    assert!(
        text.contains("binary-exit=1"),
        "{what}: expected exit status 1:\n{text:?}"
    );

    // The alternate screen was entered, then left; bracketed paste on, then off.
    let enter = find(&raw, b"\x1b[?1049h").unwrap_or_else(|| {
        panic!("{what}: the hook did not fire after the alternate screen:\n{text:?}")
    });
    let leave = find(&raw[enter..], b"\x1b[?1049l")
        .unwrap_or_else(|| panic!("{what}: the alternate screen was never left:\n{text:?}"));
    let paste_on = find(&raw, b"\x1b[?2004h").expect("bracketed paste was enabled");
    assert!(
        find(&raw[paste_on..], b"\x1b[?2004l").is_some(),
        "{what}: bracketed paste left on:\n{text:?}"
    );
    assert!(
        !s.with_screen(|sc| sc.alternate_screen()),
        "{what}: still on the alternate screen:\n{}",
        s.screen_dump()
    );

    // The one-line message, after the terminal was restored.
    let msg = find(&raw, b"recovery-desk: internal error")
        .unwrap_or_else(|| panic!("{what}: no internal error line:\n{text:?}"));
    assert!(
        msg > enter + leave,
        "{what}: the message was printed before the terminal was restored"
    );
    let after_msg = &text[msg..];
    let line = after_msg.lines().next().unwrap_or_default();
    assert!(
        line.trim_end().ends_with("(please report it)"),
        "{what}: unexpected message line {line:?}"
    );

    // The line discipline is back: stty's flags after the crash.
    let stty = &text[text.find("binary-exit=").unwrap()..];
    let flags: Vec<&str> = stty
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|f| !f.is_empty())
        .collect();
    for flag in ["icanon", "echo", "isig", "icrnl", "opost", "iexten"] {
        assert!(
            flags.contains(&flag),
            "{what}: `{flag}` is not on after the crash (raw mode left on?):\n{stty}"
        );
        let off = format!("-{flag}");
        assert!(
            !flags.contains(&off.as_str()),
            "{what}: `{off}` after the crash:\n{stty}"
        );
    }

    // No secret, no payload, no backtrace.
    for bad in [
        MARKER,
        "forced test panic",
        "holding a secret",
        "panicked at",
        "stack backtrace",
        "RUST_BACKTRACE",
    ] {
        assert!(
            !text.contains(bad),
            "{what}: {bad:?} was printed:\n{text:?}"
        );
    }
}

#[test]
fn console_panic_restores_the_terminal_and_prints_no_secret() {
    check(false);
}

#[test]
fn desk_panic_restores_the_terminal_and_prints_no_secret() {
    check(true);
}

/// The binary itself, not through a shell: exit status 1, and the terminal it leaves behind
/// is on the main screen.
#[test]
fn panic_exit_status_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = PtySession::app()
        .arg("--db")
        .arg(dir.path().join("panic.db"))
        .env("RECOVERY_DESK_TEST_PANIC", MARKER)
        .env_remove("RECOVERY_DESK_DB")
        .spawn()
        .expect("spawn");
    let status = s.wait_exit(T).expect("exits after the panic");
    assert_eq!(status.exit_code(), 1, "{status}\n{}", s.screen_dump());
    assert!(!s.raw_output_lossy().contains(MARKER));
    assert!(!s.with_screen(|sc| sc.alternate_screen()));
    assert!(
        s.screen_text().contains("recovery-desk: internal error"),
        "{}",
        s.screen_dump()
    );
}
