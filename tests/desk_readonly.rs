//! The desk's promise: (1) its source names no account-writing code (a second line behind the
//! types: the doc tests of `src/store/capability.rs` prove a holder write does not compile on
//! what the desk holds), (2) the connection refuses writes (a unit test in the same file), (3) a
//! storm of random input through the real desk (update, render and worker) leaves every account
//! table byte-identical while the audit log grows and stays intact.
//!
//! The authorizer of the desk's one writable connection (`AuditLog`) is proved by the unit test
//! `authorizer_refuses_account_writes_but_appends_audit` in `src/store/audit.rs`, which can
//! reach the raw connection; nothing is exposed just for tests.

mod support;

use recovery_desk::desk::screens::sign_in;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, FixedOffset};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use recovery_desk::desk::DeskWorker;
use recovery_desk::desk::state::{Msg, Screen, State};
use recovery_desk::store::audit::Verdict;
use recovery_desk::store::{Store, seed};
use recovery_desk::testing::Driver;
use recovery_desk::tui::Theme;
use support::seams::{Seeded, TestClock, t0};

// ---------------------------------------------------------------------------------------------
// 1. The source

/// Paths and identifiers the desk's source must never contain: the holder's service and
/// store writes, the console (and so its jobs), any write-capable `Store` constructor or method, raw
/// SQL.
const FORBIDDEN: &[&str] = &[
    "crate::service",
    "service::",
    "Service",
    "store::holder",
    "holder::",
    "crate::worker",
    "crate::console",
    "console::",
    "crate::{",
    "consume_",
    "one_time_code_used",
    "reserve_attempt",
    "reserve_one_time_code",
    "confirm_failure",
    "issue_one_time_code",
    "enable_agent",
    "set_agent_password",
    "open_existing",
    "open_with(",
    "Access::ReadWrite",
    "record_",
    "replace_recovery_code",
    "set_password",
    "cancel_pending",
    "add_method",
    "remove_method",
    "verify_method",
    "set_two_step",
    "create_",
    "apply_",
    "audit_append",
    "add_agent",
    "disable_agent",
    "rusqlite",
    "Connection",
    "execute(",
    "execute_batch",
    "ensure_demo",
    "seed::",
];

fn desk_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = vec![];
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/desk"),
        &mut out,
    );
    out.sort();
    out
}

#[test]
fn desk_source_names_no_account_writing_code() {
    let files = desk_sources();
    assert!(
        files.len() >= 8,
        "expected the desk's files, found {files:?}"
    );
    let mut problems = vec![];
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for bad in FORBIDDEN {
                if line.contains(bad) {
                    problems.push(format!("{}:{}: {bad}: {line}", file.display(), n + 1));
                }
            }
            // The writing store type may not be named at all (`ReadStore` is what the desk
            // holds).
            if names_the_writing_store(line) {
                problems.push(format!("{}:{}: Store: {line}", file.display(), n + 1));
            }
            // `jobs::` may only name the desk's own jobs (`self::`/`super::`/`desk::`).
            let mut from = 0;
            while let Some(i) = line[from..].find("jobs::") {
                let at = from + i;
                let before = &line[..at];
                let own = before.ends_with("self::")
                    || before.ends_with("super::")
                    || before.ends_with("desk::");
                let bare_own_module = before.ends_with("use ")
                    || before.ends_with("pub use ")
                    || before.trim().is_empty();
                if !own && !bare_own_module {
                    problems.push(format!("{}:{}: jobs:: {line}", file.display(), n + 1));
                }
                from = at + "jobs::".len();
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Whether `line` names the writing `Store` type as a word (not `ReadStore`, `StoreError`).
fn names_the_writing_store(line: &str) -> bool {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| word == "Store")
}

#[test]
fn the_scan_would_catch_an_import() {
    assert!(names_the_writing_store(
        "let s = crate::store::Store::open(path)?;"
    ));
    assert!(names_the_writing_store(
        "use crate::store::{Store, StoreError};"
    ));
    assert!(!names_the_writing_store(
        "let s = ReadStore::open(path)?; Err(StoreError::NotFound(_))"
    ));
    // The scan is only worth something if it fires on the real thing.
    let sample = "use crate::service::Service;\nuse crate::domain::model::event;\nstore.set_two_step(1, true, now)";
    let hits: Vec<&&str> = FORBIDDEN.iter().filter(|b| sample.contains(**b)).collect();
    assert!(hits.len() >= 4, "{hits:?}");
}

// ---------------------------------------------------------------------------------------------
// 2. The read-only connection

fn demo_db(dir: &Path) -> PathBuf {
    let path = dir.join("desk.db");
    let mut store = Store::open(&path).unwrap();
    let demo = seed::demo().unwrap();
    seed::seed(&mut store, &demo, &mut Seeded::new(11), t0()).unwrap();
    path
}

// The connection itself: `store::capability::tests::the_desks_connection_refuses_every_write`
// writes through the very connection a `ReadStore` holds (the crate can reach it; nothing is
// exposed for tests), and the doc tests in `src/store/capability.rs` prove that no holder write
// compiles on what the desk holds.

// ---------------------------------------------------------------------------------------------
// 3. A storm through the whole desk

const DEMO_LOOKUPS: &[&str] = &[
    "pat",
    "sam@example.com",
    "nora",
    "cody@example.com",
    "lou",
    "penny",
    "vera",
    "+1 555 010 0199",
    "#3",
    "#999",
];

fn random_text(rng: &mut StdRng) -> String {
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "7",
        " ",
        "@",
        "#",
        "?",
        "\x1b[2J",
        "\x1b]0;x\x07",
        "\n",
        "\t",
        "é",
        "•",
        "\u{202e}",
        "pat",
        "alex",
        "desk-demo-pass",
    ];
    let n = rng.random_range(0..12);
    (0..n)
        .map(|_| PIECES[rng.random_range(0..PIECES.len())])
        .collect()
}

fn random_key(rng: &mut StdRng) -> KeyEvent {
    let none = KeyModifiers::NONE;
    let (code, mods) = match rng.random_range(0..100) {
        0..=34 => {
            let c = b"abcdefghijklmnopqrstuvwxyz0123456789?@#.- "[rng.random_range(0..42)] as char;
            (KeyCode::Char(c), none)
        }
        35..=44 => (
            KeyCode::Char(char::from(b'1' + rng.random_range(0..9u8))),
            none,
        ),
        45..=50 => (KeyCode::Enter, none),
        51..=56 => (KeyCode::Esc, none),
        57..=60 => (KeyCode::Tab, none),
        61..=62 => (KeyCode::BackTab, KeyModifiers::SHIFT),
        63..=66 => (KeyCode::Up, none),
        67..=70 => (KeyCode::Down, none),
        71..=72 => (KeyCode::Left, none),
        73..=74 => (KeyCode::Right, none),
        75..=76 => (KeyCode::PageUp, none),
        77..=78 => (KeyCode::PageDown, none),
        79 => (KeyCode::Home, none),
        80 => (KeyCode::End, none),
        81..=84 => (KeyCode::F(rng.random_range(1..=12)), none),
        85..=86 => (KeyCode::Backspace, none),
        87 => (KeyCode::Delete, none),
        88..=91 => (
            KeyCode::Char(char::from(b'1' + rng.random_range(0..9u8))),
            KeyModifiers::ALT,
        ),
        92..=94 => (
            KeyCode::Char(['r', 'u', 'a', 'e', 'x'][rng.random_range(0..5)]),
            KeyModifiers::CONTROL,
        ),
        // Ctrl-C (quit) about once in a hundred keys, so the storm also restarts the desk.
        _ if rng.random_bool(0.2) => (KeyCode::Char('c'), KeyModifiers::CONTROL),
        _ => (KeyCode::Char('l'), KeyModifiers::CONTROL),
    };
    KeyEvent::new(code, mods)
}

struct Storm {
    drv: Driver<State, DeskWorker>,
    clock: TestClock,
}

impl Storm {
    fn fresh_state(&self) -> State {
        State::new(
            Theme::plain(),
            FixedOffset::east_opt(3600).unwrap(),
            self_now(&self.clock),
            Rect::new(0, 0, 80, 24),
        )
    }

    /// Applies `msg` (requests answered at once, nothing drawn); a quit restarts the desk.
    fn send(&mut self, msg: Msg) {
        let quits = self.drv.quits;
        self.drv.run(msg);
        if self.drv.quits > quits {
            self.drv.app = self.fresh_state();
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
}

fn self_now(clock: &TestClock) -> chrono::DateTime<chrono::Utc> {
    use recovery_desk::clock::Clock;
    clock.now()
}

#[test]
fn random_input_storm_changes_no_account_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(dir.path());
    let before = Store::open_read_only(&path)
        .unwrap()
        .account_tables_digest()
        .unwrap();
    let audit_before = Store::open_read_only(&path)
        .unwrap()
        .audit_rows(None, None)
        .unwrap()
        .len();

    let clock = TestClock::new(t0());
    let worker = DeskWorker::open(&path, Arc::new(clock.clone())).unwrap();
    let state = State::new(
        Theme::plain(),
        FixedOffset::east_opt(3600).unwrap(),
        t0(),
        Rect::new(0, 0, 80, 24),
    );
    let mut storm = Storm {
        drv: Driver::new(state, worker, |r| r, 80, 24),
        clock: clock.clone(),
    };
    let mut rng = StdRng::seed_from_u64(0xde5c_5eed);
    let mut seen_account = 0;
    let mut seen_helper = 0;
    const MESSAGES: usize = 20_000;
    for i in 0..MESSAGES {
        // Now and then steer the desk somewhere interesting, so the storm reaches every screen.
        if i % 100 == 0 {
            storm.drv.app.help = false;
            storm.drv.app.dialog = None;
            match &mut storm.drv.app.screen {
                Screen::SignIn(s) => {
                    // Wrong random passwords may have locked alex out: wait the lock out.
                    clock.advance(Duration::hours(25));
                    s.form.field_mut(sign_in::NAME).set_value("alex");
                    s.form
                        .field_mut(sign_in::PASSWORD)
                        .set_value("desk-demo-pass");
                    s.form.focus_field(sign_in::PASSWORD);
                    storm.send(Msg::Tick(self_now(&clock)));
                    storm.key(KeyCode::Enter);
                }
                Screen::Find(f) => {
                    let what = DEMO_LOOKUPS[rng.random_range(0..DEMO_LOOKUPS.len())];
                    f.form.field_mut(0).set_value(what);
                    f.form.focus_field(0);
                    storm.key(KeyCode::Enter);
                }
                Screen::Account(_) => {
                    storm.key(KeyCode::Char('1'));
                    storm.key(KeyCode::Char(char::from(b'1' + rng.random_range(0..3u8))));
                }
                Screen::Helper(_) => {}
            }
        }
        let msg = match rng.random_range(0..100) {
            0..=88 => Msg::Key(random_key(&mut rng)),
            89..=93 => Msg::Paste(random_text(&mut rng).into()),
            94..=97 => {
                let step = if rng.random_bool(0.05) {
                    Duration::minutes(6)
                } else {
                    Duration::milliseconds(rng.random_range(0..2_000))
                };
                clock.advance(step);
                Msg::Tick(self_now(&clock))
            }
            _ => {
                let (w, h) = (rng.random_range(20..140), rng.random_range(5..50));
                Msg::Resize(w, h)
            }
        };
        storm.send(msg);
        match &storm.drv.app.screen {
            Screen::Account(_) => seen_account += 1,
            Screen::Helper(_) => seen_helper += 1,
            _ => {}
        }
        if i % 97 == 0 {
            let size = storm.drv.app.size;
            storm
                .drv
                .terminal
                .backend_mut()
                .resize(size.width.max(1), size.height.max(1));
            storm.drv.draw();
        }
    }
    assert!(
        seen_account > 0 && seen_helper > 0,
        "the storm never reached the account screens"
    );

    // Checking the chain needs the key file, so this one connection is read-write.
    let store = Store::open_existing(&path).unwrap();
    assert_eq!(
        store.account_tables_digest().unwrap(),
        before,
        "an account table changed"
    );
    let rows = store.audit_rows(None, None).unwrap();
    assert!(
        rows.len() > audit_before + 10,
        "few audit rows: {}",
        rows.len()
    );
    assert!(matches!(
        store.audit_verify().unwrap(),
        Verdict::Intact { .. }
    ));
    for action in ["sign_in", "lookup", "view", "helper"] {
        assert!(rows.iter().any(|r| r.action == action), "no {action} row");
    }
    eprintln!(
        "storm: {MESSAGES} messages, {} audit rows, {} quits, account {seen_account}, helper {seen_helper}",
        rows.len(),
        storm.drv.quits
    );
}
