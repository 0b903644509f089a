//! The real binary run as a script or an administrator runs it — `--db`, arguments, standard
//! input — and what a command's result must look like.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The crate's binary with no inherited database (`RECOVERY_DESK_DB` removed) and backtraces
/// on, so that a panic could not hide from what a test reads.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recovery-desk"));
    c.env_remove("RECOVERY_DESK_DB").env("RUST_BACKTRACE", "1");
    c
}

/// `recovery-desk --db DB ARGS…` with `input` on standard input.
pub fn run(db: &Path, args: &[&str], input: &str) -> Output {
    feed(bin().arg("--db").arg(db).args(args), input)
}

/// Runs `cmd` with `input` on standard input; what it printed and how it exited.
pub fn feed(cmd: &mut Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may refuse before it reads its input (a duplicate name, say): a broken
    // pipe here is not the test failing.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

/// `recovery-desk --db DB agent ARGS… --password-stdin` with `password` typed on standard input.
pub fn agent(db: &Path, args: &[&str], password: &str) -> Output {
    let args = [&["agent"], args, &["--password-stdin"]].concat();
    run(db, &args, &format!("{password}\n"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The command succeeded; returns what it printed.
pub fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", stderr(o));
    stdout(o)
}

/// Exit 1, exactly one line on stderr, naming `what`, and no panic or backtrace.
pub fn one_line_failure(o: &Output, what: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {e}");
    assert_eq!(e.lines().count(), 1, "want one line, got: {e}");
    assert!(e.starts_with("recovery-desk: "), "{e}");
    assert!(e.contains(what), "want {what:?} in: {e}");
    assert!(
        !e.contains("panicked") && !e.contains("backtrace") && !e.contains("RUST_BACKTRACE"),
        "{e}"
    );
}

/// Every row of a one-column query, as text.
pub fn strings(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
