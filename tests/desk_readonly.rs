//! The desk's promise: (1) what the desk holds cannot write an account (the doc tests of
//! `src/store/capability.rs` prove a holder write does not compile on `ReadStore`/`AuditLog`),
//! and its source reaches nothing else of the crate: every `crate::` path under `src/desk/` is
//! on an allowlist (the domain, the framework, the clock, secrets, and from the store only the
//! read-only and audit capabilities), so the desk cannot build a writing store for itself;
//! (2) the connection refuses writes (a unit test in the same file; on PostgreSQL the server
//! itself, `the_desk_role_may_not_write_an_account_table_postgresql_refuses_it` here), (3) a
//! storm of random input through the real desk (update, render and worker) leaves every account
//! table byte-identical while the audit log grows and stays intact, on both backends.
//!
//! The authorizer of the desk's one writable connection (`AuditLog`) is proved by the unit test
//! `authorizer_refuses_account_writes_but_appends_audit` in `src/store/audit.rs`, which can
//! reach the raw connection; nothing is exposed just for tests.

mod support;

use recovery_desk::desk::screens::sign_in;
use recovery_desk::store::audit::Filter;
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
use recovery_desk::store::seed;
use recovery_desk::testing::Driver;
use recovery_desk::tui::Theme;
use support::backend::Db;
use support::seams::{Seeded, TestClock, t0};

// ---------------------------------------------------------------------------------------------
// 1. The source

/// The modules of the crate the desk may use freely: its own, the rules, the framework, the
/// clock and secrets.
const OPEN_MODULES: &[&str] = &["desk", "domain", "tui", "clock", "secret"];

/// The only things the desk may name from `store`: the read-only and audit capabilities, the
/// SQLite types that implement them, the error, the audit's action names.
const FROM_STORE: &[&str] = &[
    "store::ReadStore",
    "store::AuditLog",
    "store::ReadOnlyStore",
    "store::StoreError",
    "store::audit::SqliteAuditLog",
    "store::audit::AgentReservation",
    "store::audit::Entry",
    "store::audit::action",
    "store::postgres::PgReadOnly",
    "store::postgres::PgAuditLog",
    "store::any::Target",
];

/// Every path `text` names from the crate root (`crate::a::b`, and `use crate::a::{b, c::d}`
/// expanded to `a::b` and `a::c::d`), without the `crate::`.
fn crate_paths(text: &str) -> Vec<String> {
    fn tree(chars: &[char], at: &mut usize, prefix: &str, out: &mut Vec<String>) {
        let mut path = prefix.to_string();
        loop {
            let start = *at;
            while *at < chars.len() && (chars[*at].is_alphanumeric() || chars[*at] == '_') {
                *at += 1;
            }
            let word: String = chars[start..*at].iter().collect();
            if !word.is_empty() {
                if !path.is_empty() {
                    path.push_str("::");
                }
                path.push_str(&word);
            }
            let rest: String = chars[*at..chars.len().min(*at + 2)].iter().collect();
            if rest == "::" {
                *at += 2;
                if chars.get(*at) == Some(&'{') {
                    *at += 1;
                    loop {
                        while chars
                            .get(*at)
                            .is_some_and(|c| c.is_whitespace() || *c == ',')
                        {
                            *at += 1;
                        }
                        if chars.get(*at).is_none_or(|c| *c == '}') {
                            *at += 1;
                            return;
                        }
                        tree(chars, at, &path, out);
                    }
                }
                continue;
            }
            out.push(path);
            return;
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut at = 0;
    while at + 7 <= chars.len() {
        if chars[at..at + 7].iter().collect::<String>() == "crate::" {
            at += 7;
            if chars.get(at) == Some(&'{') {
                // `use crate::{a, b}`: the tree starts at the root.
                at += 1;
                loop {
                    while chars
                        .get(at)
                        .is_some_and(|c| c.is_whitespace() || *c == ',')
                    {
                        at += 1;
                    }
                    if chars.get(at).is_none_or(|c| *c == '}') {
                        break;
                    }
                    tree(&chars, &mut at, "", &mut out);
                }
            } else {
                tree(&chars, &mut at, "", &mut out);
            }
        } else {
            at += 1;
        }
    }
    out
}

/// Every `.rs` file under `src/desk/`.
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

/// Whether the desk may name `path` (a path from the crate root, without `crate::`).
fn allowed(path: &str) -> bool {
    let root = path.split("::").next().unwrap_or("");
    OPEN_MODULES.contains(&root)
        || FROM_STORE
            .iter()
            .any(|ok| path == *ok || path.starts_with(&format!("{ok}::")))
}

/// What else could reach outside the allowlist: the crate by its own name, the database
/// driver, and climbing out of `src/desk/` with `super`.
const OTHER_WAYS_OUT: &[&str] = &["recovery_desk::", "rusqlite", "super::super::super"];

#[test]
fn desk_source_names_only_the_read_and_audit_capabilities() {
    let files = desk_sources();
    assert!(
        files.len() >= 8,
        "expected the desk's files, found {files:?}"
    );
    let mut problems = vec![];
    let mut named = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for path in crate_paths(&text) {
            named += 1;
            if !allowed(&path) {
                problems.push(format!("{}: crate::{path}", file.display()));
            }
        }
        for way in OTHER_WAYS_OUT {
            if text.contains(way) {
                problems.push(format!("{}: {way}", file.display()));
            }
        }
        // `src/desk/mod.rs` is the one file whose `super` is the crate root.
        if file.ends_with("desk/mod.rs") && text.contains("super::") {
            problems.push(format!("{}: super::", file.display()));
        }
    }
    assert!(named > 50, "the scan found only {named} crate paths");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scan_would_catch_a_way_to_the_holder_writes() {
    let refused = |src: &str| -> Vec<String> {
        crate_paths(src)
            .into_iter()
            .filter(|p| !allowed(p))
            .collect()
    };
    // What the reviewer tried, and its neighbours.
    assert_eq!(
        refused("let s = crate::store::Store::open_existing(path)?;"),
        ["store::Store::open_existing"]
    );
    assert_eq!(
        refused("use crate::store::{ReadStore, Store, StoreError};"),
        ["store::Store"]
    );
    assert_eq!(
        refused("use crate::{desk::jobs, service::Service};\nuse crate::console::jobs::Job;"),
        ["service::Service", "console::jobs::Job"]
    );
    assert_eq!(
        refused("use crate::store::{audit::{action, SqliteAuditLog}, holder::HolderStore};"),
        ["store::holder::HolderStore"]
    );
    assert_eq!(
        refused("use crate::store::HolderStore;"),
        ["store::HolderStore"]
    );
    // What the desk does name passes.
    assert!(
        refused(
            "use crate::store::{AuditLog, ReadOnlyStore, ReadStore, StoreError};\n\
             use crate::store::audit::{AgentReservation, SqliteAuditLog, action};\n\
             crate::tui::default_is_new!(Find); use crate::domain::model::{\n    AccountView,\n};"
        )
        .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// 2. The read-only connection

/// The demo accounts and agent on a new database of the running test's backend.
fn demo_db() -> Db {
    let db = Db::new();
    let demo = seed::demo().unwrap();
    seed::seed(&mut db.open(), &demo, &mut Seeded::new(11), t0()).unwrap();
    db
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

on_both_backends! {
fn random_input_storm_changes_no_account_table() {
    let db = demo_db();
    let before = db.open().account_tables_digest().unwrap();
    let audit_before = db.open().audit_rows(Filter::default()).unwrap().len();

    let clock = TestClock::new(t0());
    let worker = DeskWorker::open_target(&db.target, Arc::new(clock.clone())).unwrap();
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
                    // Now and then filed under a case, as an agent on a ticket would.
                    let case = ["", "inc-7", "CS0042"][rng.random_range(0..3)];
                    f.form.field_mut(1).set_value(case);
                    f.form.focus_field(0);
                    storm.key(KeyCode::Enter);
                }
                Screen::Password(_) => storm.key(KeyCode::Esc),
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
    let store = db.open();
    assert_eq!(
        store.account_tables_digest().unwrap(),
        before,
        "an account table changed"
    );
    let rows = store.audit_rows(Filter::default()).unwrap();
    assert!(
        rows.len() > audit_before + 10,
        "few audit rows: {}",
        rows.len()
    );
    assert!(matches!(
        store.audit_verify().unwrap(),
        Verdict::Intact { .. }
    ));
    assert!(
        rows.iter().any(|r| r.case_ref.as_deref() == Some("INC-7")),
        "no row was filed under a case"
    );
    for action in ["sign_in", "lookup", "view", "helper"] {
        assert!(rows.iter().any(|r| r.action == action), "no {action} row");
    }
    eprintln!(
        "storm on {:?}: {MESSAGES} messages, {} audit rows, {} quits, account {seen_account}, helper {seen_helper}",
        db.backend(),
        rows.len(),
        storm.drv.quits
    );
}
}

/// SPEC §6 layer 2 and §9 on PostgreSQL: the desk connects as the desk role, and the server
/// itself refuses that role every UPDATE, DELETE, TRUNCATE and INSERT on an account table (and
/// any change to an audit row but appending), with its own permission error. Both ways the
/// desk may come in: a login that acts as the role (what `desk` does), and the role's own login.
#[test]
fn the_desk_role_may_not_write_an_account_table_postgresql_refuses_it() {
    use recovery_desk::store::StoreError;
    use recovery_desk::store::postgres::PgReadOnly;
    use recovery_desk::store::postgres::schema::DESK_ROLE;
    use recovery_desk::store::schema::ACCOUNT_TABLES;
    let Some(pg) = recovery_desk::testing::pg::fresh_database() else {
        return;
    };
    let db = pg.target();
    {
        let mut store =
            recovery_desk::store::any::AnyStore::open(&db, recovery_desk::store::Access::Existing)
                .unwrap();
        let demo = seed::demo().unwrap();
        seed::seed(&mut store, &demo, &mut Seeded::new(3), t0()).unwrap();
    }
    let own_login = recovery_desk::testing::pg::with_shared(|c| c.url_as(&pg.name, DESK_ROLE))
        .expect("the shared cluster");
    for url in [pg.url.clone(), own_login] {
        let desk = PgReadOnly::open(&url).unwrap();
        let before = desk.account_tables_digest().unwrap();
        let mut refused = 0;
        for table in ACCOUNT_TABLES {
            let column = match *table {
                "accounts" | "agents" => "id",
                "event_methods" => "event_id",
                _ => "account_id",
            };
            for sql in [
                format!("UPDATE {table} SET {column} = {column}"),
                format!("DELETE FROM {table}"),
                format!("TRUNCATE {table}"),
                format!("INSERT INTO {table} SELECT * FROM {table}"),
            ] {
                match desk.execute_as_desk(&sql) {
                    Err(StoreError::Refused(why)) => {
                        assert!(why.contains("permission denied"), "{sql}: {why}");
                        refused += 1;
                    }
                    other => panic!("{sql} as the desk role: {other:?}"),
                }
            }
        }
        assert_eq!(refused, ACCOUNT_TABLES.len() * 4);
        // The audit log is appended to, never changed.
        for sql in [
            "UPDATE audit_log SET detail = ''",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "DELETE FROM audit_head",
            "UPDATE audit_head SET mac = ''",
        ] {
            assert!(
                matches!(desk.execute_as_desk(sql), Err(StoreError::Refused(_))),
                "{sql}"
            );
        }
        assert_eq!(desk.account_tables_digest().unwrap(), before);
    }
}
