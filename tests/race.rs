//! Races (issue 5, item 2): two processes regenerate the same account's recovery code at the
//! same time, 100 rounds. After each round exactly one code is active, it is one of the codes
//! shown to a user, and no "database is locked" error reached anyone.
//!
//! The two processes are `recovery-desk-testchild race` (tests/bin/testchild.rs): each signs
//! in through the holder service (as the console does), says READY, and on each GO line
//! regenerates the code a few times. Both get GO together; each reports the CLOCK_MONOTONIC
//! span its regenerations took, so the test proves the two really ran at the same time.
//!
//! Both backends (SPEC §9): on PostgreSQL the same two processes each hold a connection of
//! their own; and eight processes guessing one account's password after four failures get
//! exactly one guess evaluated, on either backend.

mod support;

use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::store::HolderStore;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;
use support::backend::Db;

const PER_CHILD: usize = 3;
/// How long a child may take to answer before the test calls it stuck.
const DEADLINE: Duration = Duration::from_secs(60);

/// One racing process and the lines it prints.
struct Racer {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

/// What a racer reported for one round.
struct Round {
    shown: Vec<String>,
    errors: Vec<String>,
    /// CLOCK_MONOTONIC nanoseconds: first regeneration started, last one returned.
    span: (u128, u128),
}

impl Racer {
    fn spawn(db: &Db) -> Racer {
        Racer::start(db, &["race", &PER_CHILD.to_string()])
    }

    /// The test child doing `what` (its first word) on `db`, the rest of `what` after `DB`.
    fn start(db: &Db, what: &[&str]) -> Racer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_recovery-desk-testchild"))
            .arg(what[0])
            .arg(db.db_arg())
            .args(&what[1..])
            .env("RECOVERY_DESK_KEY", db.key())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Racer {
            child,
            stdin,
            lines,
        }
    }

    /// The next line, waiting at most [`DEADLINE`].
    fn line(&self) -> String {
        match self.lines.recv_timeout(DEADLINE) {
            Ok(l) => l,
            Err(RecvTimeoutError::Timeout) => panic!("a racer printed nothing for {DEADLINE:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("a racer exited early"),
        }
    }

    fn go(&mut self) {
        writeln!(self.stdin, "GO").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Everything up to the round's END line.
    fn round(&self) -> Round {
        let mut r = Round {
            shown: vec![],
            errors: vec![],
            span: (0, 0),
        };
        loop {
            let l = self.line();
            if l == "END" {
                return r;
            } else if let Some(code) = l.strip_prefix("SHOWN ") {
                r.shown.push(code.to_string());
            } else if let Some(span) = l.strip_prefix("SPAN ") {
                let (a, b) = span.split_once(' ').unwrap();
                r.span = (a.parse().unwrap(), b.parse().unwrap());
            } else {
                r.errors.push(l);
            }
        }
    }
}

/// Whether the two time spans share some instant.
fn overlap(a: (u128, u128), b: (u128, u128)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

on_both_backends! {
fn two_processes_regenerating_leave_exactly_one_shown_code_active() {
    let db = Db::new();
    {
        let mut store = db.open();
        let pw = secret::hash(&Secret::new("a long password"), &mut OsEntropy).unwrap();
        assert_eq!(
            store
                .create_account("racer", &pw, chrono::Utc::now())
                .unwrap(),
            1
        );
    }
    let rounds: usize = std::env::var("RD_RACE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let (mut a, mut b) = (Racer::spawn(&db), Racer::spawn(&db));
    for r in [&a, &b] {
        let l = r.line();
        assert_eq!(l, "READY", "a racer could not start");
    }
    let mut overlapping = 0;
    for round in 0..rounds {
        a.go();
        b.go();
        let (ra, rb) = (a.round(), b.round());
        assert!(
            ra.errors.is_empty() && rb.errors.is_empty(),
            "round {round}: errors reached a user: {:?} {:?}",
            ra.errors,
            rb.errors
        );
        assert_eq!(
            (ra.shown.len(), rb.shown.len()),
            (PER_CHILD, PER_CHILD),
            "round {round}"
        );
        let active = db.strings(
            "SELECT code_hash FROM recovery_codes WHERE account_id = 1 AND revoked_at IS NULL AND used_at IS NULL",
        );
        assert_eq!(
            active.len(),
            1,
            "round {round}: {} active codes",
            active.len()
        );
        // The winner is the last code one of the two showed.
        let (last_a, last_b) = (ra.shown.last().unwrap(), rb.shown.last().unwrap());
        let won_a = secret::verify(&Secret::new(last_a.as_str()), &active[0]).unwrap();
        let won_b = secret::verify(&Secret::new(last_b.as_str()), &active[0]).unwrap();
        assert!(
            won_a ^ won_b,
            "round {round}: the active code is not the last one shown"
        );
        if overlap(ra.span, rb.span) {
            overlapping += 1;
        }
    }
    // Both got GO together, so their regenerations run side by side unless something
    // serialises the two processes (or the test stops racing them).
    assert!(
        overlapping * 2 >= rounds,
        "the two processes overlapped in time in only {overlapping} of {rounds} rounds"
    );
    drop(a.stdin);
    drop(b.stdin);
    assert!(a.child.wait().unwrap().success());
    assert!(b.child.wait().unwrap().success());
    println!(
        "{rounds} rounds of two concurrent processes x {PER_CHILD} regenerations: exactly one shown code active after each, no error reached a user; the two overlapped in time in {overlapping} rounds"
    );
}

/// Eight processes at one account's password, after four wrong ones: all released at once,
/// exactly one guess is evaluated (the fifth wrong one locks entry); the seven others are
/// refused before anything is hashed, whatever they typed (one holds the right password).
fn eight_processes_guessing_after_four_failures_get_one_evaluation() {
    let db = Db::new();
    let right = "a long password";
    let id = {
        let mut store = db.open();
        let pw = secret::hash(&Secret::new(right), &mut OsEntropy).unwrap();
        let id = store.create_account("target", &pw, chrono::Utc::now()).unwrap();
        for _ in 0..4 {
            let after = store
                .record_failure(id, recovery_desk::domain::lockout::Guarded::Password, chrono::Utc::now())
                .unwrap();
            assert!(matches!(after, recovery_desk::domain::lockout::AfterFailure::TriesLeft(_)));
        }
        id
    };
    let id_arg = id.to_string();
    let mut racers: Vec<Racer> = (0..8)
        .map(|i| {
            let typed = if i == 7 { right } else { "Wrong-Guess-Number-2" };
            Racer::start(&db, &["guess", &id_arg, typed])
        })
        .collect();
    for r in &racers {
        assert_eq!(r.line(), "READY", "a guesser could not start");
    }
    for r in &mut racers {
        r.go();
    }
    let said: Vec<String> = racers.iter().map(Racer::line).collect();
    let evaluated = said.iter().filter(|l| *l == "EVALUATED").count();
    let refused = said.iter().filter(|l| *l == "REFUSED").count();
    assert_eq!((evaluated, refused), (1, 7), "{said:?}");
    // The store agrees: five failures in a row, one lockout.
    let streak = db.strings(&format!(
        "SELECT streak FROM lockouts WHERE kind = 'password' AND account_id = {id}"
    ));
    let lock_count = db.strings(&format!(
        "SELECT lock_count FROM lockouts WHERE kind = 'password' AND account_id = {id}"
    ));
    // The right password, if it was the one evaluated, clears the count instead.
    assert!(
        (streak == ["5"] && lock_count == ["1"]) || (streak == ["0"] && lock_count == ["0"]),
        "streak {streak:?}, locks {lock_count:?}"
    );
    for mut r in racers {
        drop(r.stdin);
        assert!(r.child.wait().unwrap().success());
    }
}
}
