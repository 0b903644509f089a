//! Self-tests for the pty harness in `tests/support/pty.rs`, using `/bin/sh`
//! rather than the crate's binary.

mod support;

use std::time::Duration;

use support::pty::{DEFAULT_TIMEOUT, PtySession, fkey_seq};

fn sh(script: &str) -> PtySession {
    PtySession::spawn("/bin/sh", &["-c", script]).expect("spawn /bin/sh")
}

#[test]
fn echo_round_trip() {
    let mut s = sh(r#"printf "hello\n"; read x; printf "got:%s\n" "$x""#);
    s.wait_for("hello", DEFAULT_TIMEOUT).unwrap();
    s.send_keys("abc\r");
    let screen = s.wait_for("got:abc", DEFAULT_TIMEOUT).unwrap();
    assert!(screen.contains("hello"), "{screen}");
    let status = s.wait_exit(DEFAULT_TIMEOUT).expect("sh exits");
    assert!(status.success(), "{status}");
}

#[test]
fn wait_for_timeout_reports_screen() {
    let s = sh(r#"printf "visible-marker\n"; read x"#);
    s.wait_for("visible-marker", DEFAULT_TIMEOUT).unwrap();
    let err = s
        .wait_for("never-appears", Duration::from_millis(300))
        .expect_err("text must not appear");
    assert!(err.contains("never-appears"), "{err}");
    assert!(err.contains("timed out"), "{err}");
    assert!(err.contains("visible-marker"), "{err}");
    assert!(err.contains("--- screen 80x24"), "{err}");
}

#[test]
fn wait_for_fails_fast_when_output_ends() {
    let s = sh(r#"printf "bye\n""#);
    let err = s
        .wait_for("never-appears", DEFAULT_TIMEOUT)
        .expect_err("text must not appear");
    assert!(err.contains("program output ended"), "{err}");
    assert!(err.contains("bye"), "{err}");
}

#[test]
fn wait_for_any_reports_which() {
    let s = sh(r#"printf "second\n"; read x"#);
    let (idx, screen) = s
        .wait_for_any(&["first", "second"], DEFAULT_TIMEOUT)
        .unwrap();
    assert_eq!(idx, 1, "{screen}");
}

#[test]
fn wait_until_and_wait_for_gone() {
    let mut s = sh(r#"printf "AAA"; read x; printf "\033[H\033[2J\033[1mBBB\033[0m"; read y"#);
    s.wait_for("AAA", DEFAULT_TIMEOUT).unwrap();
    s.enter();
    s.wait_for_gone("AAA", DEFAULT_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e}"));
    s.wait_until(
        |screen| {
            let text = screen.contents();
            let Some(row) = text.lines().position(|l| l.contains("BBB")) else {
                return false;
            };
            let col = text.lines().nth(row).unwrap().find("BBB").unwrap();
            screen
                .cell(row as u16, col as u16)
                .is_some_and(|c| c.bold() && c.contents() == "B")
        },
        DEFAULT_TIMEOUT,
    )
    .unwrap();
}

#[test]
fn resize_changes_pty_and_screen() {
    let mut s = sh("read x; stty size");
    assert_eq!(s.size(), (80, 24));
    s.resize(100, 30);
    assert_eq!(s.size(), (100, 30));
    s.enter();
    s.wait_for("30 100", DEFAULT_TIMEOUT).unwrap();
}

#[test]
fn custom_size_env_and_cwd() {
    let dir = tempfile::tempdir().unwrap();
    let s = PtySession::builder("/bin/sh")
        .args([
            "-c",
            r#"stty size; printf "T=%s V=%s\n" "$TERM" "$HARNESS_VAR"; pwd; read x"#,
        ])
        .env("HARNESS_VAR", "xyz")
        .cwd(dir.path())
        .size(120, 40)
        .spawn()
        .unwrap();
    s.wait_for("40 120", DEFAULT_TIMEOUT).unwrap();
    s.wait_for("T=xterm-256color V=xyz", DEFAULT_TIMEOUT)
        .unwrap();
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    s.wait_for(name, DEFAULT_TIMEOUT).unwrap();
    assert_eq!(s.size(), (120, 40));
}

#[test]
fn raw_log_captures_escape_sequences() {
    let mut s = sh(r#"printf "\033[1mBOLD\033[0m plain\n""#);
    s.wait_for("BOLD plain", DEFAULT_TIMEOUT).unwrap();
    assert!(s.wait_exit(DEFAULT_TIMEOUT).is_some());
    s.wait_for_raw(b"\x1b[1mBOLD\x1b[0m", DEFAULT_TIMEOUT)
        .unwrap();
    let raw = s.raw_output();
    assert!(
        raw.windows(4).any(|w| w == b"\x1b[1m"),
        "{:?}",
        s.raw_output_lossy()
    );
    assert!(!s.screen_text().contains('\x1b'));
    assert!(s.with_screen(|scr| scr.cell(0, 0).unwrap().bold()));
}

/// Every key helper reaches the program as the documented byte sequence.
#[test]
fn key_helpers_send_expected_bytes() {
    let mut expected: Vec<u8> = Vec::new();
    expected.extend_from_slice(b"\r\x1b\t\x1b[Z\x1b[A\x1b[B\x1b[D\x1b[C");
    expected.extend_from_slice(&[0x03]);
    expected.extend_from_slice(b"\x1bx");
    expected.extend_from_slice(fkey_seq(1).as_bytes());
    expected.extend_from_slice(fkey_seq(5).as_bytes());
    expected.extend_from_slice(fkey_seq(12).as_bytes());
    expected.extend_from_slice(b"\x1b[200~hi\x1b[201~");
    let script = format!(
        "stty raw -echo; printf 'ready\\r\\n'; head -c {} | od -An -tx1; printf 'END\\r\\n'",
        expected.len()
    );
    let mut s = sh(&script);
    s.wait_for("ready", DEFAULT_TIMEOUT).unwrap();
    s.enter();
    s.esc();
    s.tab();
    s.backtab();
    s.up();
    s.down();
    s.left();
    s.right();
    s.ctrl('c');
    s.alt('x');
    s.f(1);
    s.f(5);
    s.f(12);
    s.paste("hi");
    s.wait_for("END", DEFAULT_TIMEOUT).unwrap();
    s.wait_exit(DEFAULT_TIMEOUT).expect("sh exits");

    let raw = s.raw_output_lossy();
    let body = raw
        .split_once("ready")
        .and_then(|(_, rest)| rest.split_once("END"))
        .map(|(body, _)| body)
        .unwrap_or_else(|| panic!("markers missing in {raw:?}"));
    let got: Vec<u8> = body
        .split_whitespace()
        .map(|t| u8::from_str_radix(t, 16).unwrap_or_else(|_| panic!("bad token {t:?}")))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn answers_cursor_position_query_when_asked() {
    // The harness answers queries only for a test that asks (see `answer_queries`).
    let s = PtySession::builder("/bin/sh")
        .args([
            "-c",
            r#"stty raw -echo; printf "\033[5;10H\033[6n"; head -c 7 | tr '\033' E; read x"#,
        ])
        .answer_queries(true)
        .spawn()
        .expect("spawn /bin/sh");
    s.wait_for("E[5;10R", DEFAULT_TIMEOUT).unwrap();
}

#[test]
fn exit_status_and_kill() {
    let mut s = sh("exit 3");
    let status = s.wait_exit(DEFAULT_TIMEOUT).expect("exits");
    assert_eq!(status.exit_code(), 3);
    assert!(!s.is_alive());

    let mut s = sh(r#"printf "waiting\n"; read x"#);
    s.wait_for("waiting", DEFAULT_TIMEOUT).unwrap();
    assert!(s.is_alive());
    assert!(s.wait_exit(Duration::from_millis(100)).is_none());
    let status = s.kill().expect("killed child is reaped");
    assert!(!status.success(), "{status}");
    assert!(!s.is_alive());
}
