//! Agents at the desk (SPEC §6), told as the agent's and the administrator's stories: the real
//! desk (`update`, `render` and the worker, called synchronously on `TestBackend`) together
//! with the real binary's `agent` and `audit` commands on the same database.
//!
//! - A name typed at agent sign-in that is no agent's (it may be a password typed into the
//!   wrong field) reaches no file in clear: the audit log keeps a keyed hash of it.
//! - `agent disable` ends a signed-in session within one request, whichever request it is.
//! - `agent reset-password` makes the old password stop working, and needs an enabled agent.

mod support;

use recovery_desk::desk::screens::sign_in;
use recovery_desk::store::audit::Filter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ratatui::crossterm::event::KeyCode;
use recovery_desk::desk::DeskWorker;
use recovery_desk::desk::jobs::{Job, Outcome, Request, SignInRefusal};
use recovery_desk::desk::state::{Screen, State};
use recovery_desk::desk::strings as s;
use recovery_desk::secret::Secret;
use recovery_desk::store::audit::{AuditRow, action};
use recovery_desk::store::{Store, seed};
use recovery_desk::testing::{self, Driver};
use recovery_desk::tui::Theme;
use support::cli::{ok, one_line_failure, run};
use support::seams::{Seeded, TestClock, t0};
use tempfile::TempDir;

/// The demo agent.
const AGENT: &str = "alex";
const AGENT_PASS: &str = "desk-demo-pass";

fn demo_db() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let mut store = Store::open(&path).unwrap();
    let demo = seed::demo().unwrap();
    seed::seed(&mut store, &demo, &mut Seeded::new(5), t0()).unwrap();
    (dir, path)
}

fn audit_rows(db: &Path) -> Vec<AuditRow> {
    Store::open_existing(db)
        .unwrap()
        .audit_rows(Filter::default())
        .unwrap()
}

/// The desk, driven synchronously by the one test driver: every request goes to the worker's
/// jobs and its reply straight back through `update`, as the real loop does.
struct Desk {
    d: Driver<State, DeskWorker>,
}

impl Desk {
    fn open(db: &Path) -> Desk {
        Desk {
            d: testing::desk(db, Arc::new(TestClock::new(t0())), Theme::plain(), 80, 24),
        }
    }

    fn state(&self) -> &State {
        &self.d.app
    }

    fn key(&mut self, code: KeyCode) {
        self.d.key(code);
        assert_eq!(self.d.quits, 0, "the desk quit");
    }

    fn type_text(&mut self, text: &str) {
        self.d.type_text(text);
    }

    /// Types a name and a password at the sign-in screen and submits them.
    fn sign_in(&mut self, name: &str, password: &str) {
        assert!(matches!(self.state().screen, Screen::SignIn(_)));
        if let Screen::SignIn(x) = &mut self.d.app.screen {
            x.form.field_mut(sign_in::NAME).set_value("");
            x.form.focus_field(sign_in::NAME);
        }
        self.type_text(name);
        self.key(KeyCode::Tab);
        self.type_text(password);
        self.key(KeyCode::Enter);
    }

    fn find(&mut self, what: &str) {
        assert!(
            matches!(self.state().screen, Screen::Find(_)),
            "not on find"
        );
        self.type_text(what);
        self.key(KeyCode::Enter);
    }

    /// The screen as drawn, one line per row.
    fn screen(&mut self) -> String {
        self.d.draw();
        testing::rows_text(self.d.backend().buffer())
    }

    /// The screen with its lines joined, so a wrapped sentence can be found whole.
    fn screen_flat(&mut self) -> String {
        self.screen()
            .lines()
            .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '│'))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Every file in `dir` (the database, its WAL and shared memory, the key file).
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[test]
fn a_password_typed_as_the_agent_name_is_stored_only_as_a_keyed_hash() {
    // The agent's story: in a hurry, Alex types the password into the name field (it is made
    // of the characters a name may hold, so the desk sends it), and a password after it.
    let (dir, db) = demo_db();
    let typed = "tulip-orbit-9417";
    let mut desk = Desk::open(&db);
    desk.sign_in(typed, AGENT_PASS);
    assert!(
        desk.screen_flat().contains(s::WRONG_CREDENTIALS),
        "{}",
        desk.screen()
    );
    // Then signs in properly.
    desk.sign_in(AGENT, AGENT_PASS);
    assert!(matches!(desk.state().screen, Screen::Find(_)));

    // Not in any file, while the desk still holds its connections (the WAL is there) nor
    // after.
    assert_eq!(files_containing(dir.path(), typed), Vec::<String>::new());
    drop(desk);
    assert_eq!(files_containing(dir.path(), typed), Vec::<String>::new());

    let rows = audit_rows(&db);
    let failed: Vec<&AuditRow> = rows
        .iter()
        .filter(|r| r.action == action::SIGN_IN_FAILED)
        .collect();
    assert_eq!(failed.len(), 1, "{rows:?}");
    assert!(failed[0].agent.starts_with("unknown:"), "{:?}", failed[0]);
    assert!(
        rows.iter()
            .any(|r| r.action == action::SIGN_IN && r.agent == AGENT)
    );

    // Nor in what `audit` prints; an administrator who knows the name still finds its rows.
    let all = ok(&run(&db, &["audit"], ""));
    assert!(!all.contains(typed), "{all}");
    let by_name = ok(&run(&db, &["audit", "--agent", &typed.to_uppercase()], ""));
    // The attempt reserved before hashing, and its verdict.
    assert_eq!(by_name.lines().count(), 2, "{by_name}");
    assert!(by_name.contains("sign_in_attempt"), "{by_name}");
    assert!(by_name.contains(&failed[0].agent), "{by_name}");
    assert!(ok(&run(&db, &["audit", "verify"], "")).contains("intact"));
}

#[test]
fn an_unknown_name_is_still_locked_after_five_wrong_tries() {
    // Hashing the name must not lose the lockout counted under it.
    let (_dir, db) = demo_db();
    let mut worker = DeskWorker::open(&db, Arc::new(TestClock::new(t0()))).unwrap();
    let mut last = None;
    for id in 1..=6 {
        let reply = worker.handle(Request {
            id,
            job: Job::SignIn {
                name: "nobody-here".into(),
                password: Secret::new("whatever-it-is"),
            },
        });
        last = reply.result.ok();
    }
    assert!(
        matches!(
            last,
            Some(Outcome::SignInRefused(SignInRefusal::Locked { .. }))
        ),
        "{last:?}"
    );
    let rows = audit_rows(&db);
    assert!(rows.iter().all(|r| !r.agent.contains("nobody")), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.action == action::SIGN_IN_REFUSED && r.detail == "locked")
    );
}

/// Checks that the desk has locked because its agent was disabled, with nothing of the
/// account left on screen, and that the audit log says so.
fn assert_locked_by_disable(desk: &mut Desk, db: &Path, rows_before: usize) {
    assert!(desk.state().agent.is_none(), "still signed in");
    assert!(matches!(desk.state().screen, Screen::SignIn(_)));
    let screen = desk.screen_flat();
    assert!(
        screen.contains(s::AGENT_DISABLED_SESSION),
        "{}",
        desk.screen()
    );
    assert!(!screen.contains("pat"), "account data left on screen");
    let rows = audit_rows(db);
    let new: Vec<&str> = rows[rows_before..]
        .iter()
        .map(|r| r.action.as_str())
        .collect();
    assert_eq!(new, [action::SESSION_ENDED], "{:?}", &rows[rows_before..]);
    assert_eq!(rows.last().unwrap().agent, AGENT);
}

#[test]
fn disabling_an_agent_locks_a_signed_in_desk_at_its_next_request() {
    let (_dir, db) = demo_db();
    let mut desk = Desk::open(&db);

    // A view (reload, F5): the agent is looking at an account when the administrator
    // disables them.
    desk.sign_in(AGENT, AGENT_PASS);
    desk.find("pat");
    assert!(matches!(desk.state().screen, Screen::Account(_)));
    assert!(desk.screen().contains("pat"));
    ok(&run(&db, &["agent", "disable", AGENT], ""));
    let before = audit_rows(&db).len();
    desk.key(KeyCode::F(5));
    assert_locked_by_disable(&mut desk, &db, before);
    // The right password no longer signs in.
    desk.sign_in(AGENT, AGENT_PASS);
    assert!(desk.screen_flat().contains(s::AGENT_DISABLED));

    // A lookup.
    ok(&run(&db, &["agent", "enable", AGENT], ""));
    desk.sign_in(AGENT, AGENT_PASS);
    assert!(matches!(desk.state().screen, Screen::Find(_)));
    ok(&run(&db, &["agent", "disable", AGENT], ""));
    let before = audit_rows(&db).len();
    desk.find("pat");
    assert_locked_by_disable(&mut desk, &db, before);

    // A helper run.
    ok(&run(&db, &["agent", "enable", AGENT], ""));
    desk.sign_in(AGENT, AGENT_PASS);
    desk.find("pat");
    desk.key(KeyCode::Char('1'));
    assert!(matches!(desk.state().screen, Screen::Helper(_)));
    ok(&run(&db, &["agent", "disable", AGENT], ""));
    let before = audit_rows(&db).len();
    desk.key(KeyCode::Char('1'));
    assert_locked_by_disable(&mut desk, &db, before);
}

const DANA_FIRST: &str = "violet-canyon-harbor-2931";
const DANA_SECOND: &str = "amber-quartz-meadow-5817";

/// Adds agent dana (password `DANA_FIRST`) with the real `agent add`, and returns a desk worker
/// on `db` where dana signs in, one request id after another.
fn dana_added(db: &Path) -> impl FnMut(&str) -> Outcome {
    ok(&run(
        db,
        &["agent", "add", "dana", "--password-stdin"],
        DANA_FIRST,
    ));
    let mut worker = DeskWorker::open(db, Arc::new(TestClock::new(t0()))).unwrap();
    let mut id = 0;
    move |password: &str| {
        id += 1;
        worker
            .handle(Request {
                id,
                job: Job::SignIn {
                    name: "dana".into(),
                    password: Secret::new(password),
                },
            })
            .result
            .expect("a sign-in answer")
    }
}

#[test]
fn reset_password_replaces_the_old_one_and_needs_an_enabled_agent() {
    let (_dir, db) = demo_db();
    let (first, second) = (DANA_FIRST, DANA_SECOND);
    let mut sign_in = dana_added(&db);
    assert!(matches!(sign_in(first), Outcome::SignedIn { .. }));

    let out = ok(&run(
        &db,
        &["agent", "reset-password", "Dana", "--password-stdin"],
        &format!("{second}\n"),
    ));
    assert_eq!(
        out.trim(),
        "new password set for agent dana; the old one no longer works"
    );
    assert!(matches!(
        sign_in(first),
        Outcome::SignInRefused(SignInRefusal::Wrong { .. })
    ));
    assert!(matches!(sign_in(second), Outcome::SignedIn { .. }));

    // The password rules hold, and the current password is not a new one.
    one_line_failure(
        &run(
            &db,
            &["agent", "reset-password", "dana", "--password-stdin"],
            "short\n",
        ),
        "at least 8 characters",
    );
    one_line_failure(
        &run(
            &db,
            &["agent", "reset-password", "dana", "--password-stdin"],
            &format!("{second}\n"),
        ),
        "that is agent dana's current password",
    );
    // Without a terminal or --password-stdin there is no way to ask.
    one_line_failure(
        &run(&db, &["agent", "reset-password", "dana"], ""),
        "--password-stdin",
    );

    // A disabled agent must be enabled first: the reset is refused and changes nothing.
    ok(&run(&db, &["agent", "disable", "dana"], ""));
    one_line_failure(
        &run(
            &db,
            &["agent", "reset-password", "dana", "--password-stdin"],
            &format!("{first}\n"),
        ),
        "agent dana is disabled; enable it first (recovery-desk agent enable dana)",
    );
    assert!(matches!(
        sign_in(second),
        Outcome::SignInRefused(SignInRefusal::Disabled)
    ));
    let listed = ok(&run(&db, &["agent", "list"], ""));
    assert!(listed.contains("dana\tdisabled\t"), "{listed}");
    ok(&run(&db, &["agent", "enable", "dana"], ""));
    assert!(matches!(sign_in(second), Outcome::SignedIn { .. }));
    let listed = ok(&run(&db, &["agent", "list"], ""));
    assert!(listed.contains("dana\tactive\t"), "{listed}");

    for args in [
        &["agent", "enable", "nobody"][..],
        &["agent", "reset-password", "nobody", "--password-stdin"],
    ] {
        one_line_failure(
            &run(&db, args, &format!("{first}\n")),
            "no agent named nobody",
        );
    }
}

#[test]
fn a_password_reset_ends_an_agents_lockout_and_every_agent_command_is_audited() {
    let (_dir, db) = demo_db();
    let (first, second) = (DANA_FIRST, DANA_SECOND);
    let mut sign_in = dana_added(&db);
    for _ in 0..5 {
        sign_in("Wrong-Guess-Number-9");
    }
    // Locked: even the right password is refused unchecked.
    assert!(matches!(
        sign_in(first),
        Outcome::SignInRefused(SignInRefusal::Locked { .. })
    ));
    ok(&run(
        &db,
        &["agent", "reset-password", "dana", "--password-stdin"],
        &format!("{second}\n"),
    ));
    assert!(matches!(sign_in(second), Outcome::SignedIn { .. }));
    ok(&run(&db, &["agent", "disable", "dana"], ""));
    ok(&run(&db, &["agent", "enable", "dana"], ""));
    let rows = ok(&run(&db, &["audit", "--agent", "dana"], ""));
    for a in [
        "agent_added",
        "agent_password_reset",
        "agent_disabled",
        "agent_enabled",
    ] {
        assert!(rows.contains(a), "{a} missing:\n{rows}");
    }
    assert!(ok(&run(&db, &["audit", "verify"], "")).contains("intact"));
}

#[test]
fn an_unknown_agent_name_takes_as_long_to_refuse_as_a_wrong_password() {
    // The attacker's move at a desk terminal: time the refusals to learn which names are
    // agents'. An unknown name must cost the same Argon2 work as a known one.
    let (_dir, db) = demo_db();
    let mut worker = DeskWorker::open(&db, Arc::new(TestClock::new(t0()))).unwrap();
    let mut id = 0;
    let mut refuse = |name: &str| {
        id += 1;
        let started = std::time::Instant::now();
        let reply = worker.handle(Request {
            id,
            job: Job::SignIn {
                name: name.into(),
                password: Secret::new("not-the-password-1"),
            },
        });
        let took = started.elapsed();
        assert!(
            matches!(
                reply.result,
                Ok(Outcome::SignInRefused(SignInRefusal::Wrong { .. }))
            ),
            "{:?}",
            reply.result
        );
        took
    };
    // Four tries each (a fifth would lock), alternating; the fastest of each is compared, so a
    // busy machine can only slow both down.
    let (mut known, mut unknown) = (vec![], vec![]);
    for n in 0..4 {
        known.push(refuse(AGENT));
        unknown.push(refuse(&format!("not-an-agent-{n}")));
    }
    let (known, unknown) = (
        known.into_iter().min().unwrap(),
        unknown.into_iter().min().unwrap(),
    );
    eprintln!("fastest refusal: known name {known:?}, unknown name {unknown:?}");
    assert!(
        unknown * 2 >= known,
        "an unknown name was refused much faster ({unknown:?}) than a known one ({known:?})"
    );
}

// ---------------------------------------------------------------------------------------------
// An agent's own password (SPEC §6, §10)

const ALEX_NEW: &str = "copper-lantern-grove-4410";

impl Desk {
    /// From Find, the password form (Alt+2: after Look up, with no recent accounts), filled in
    /// and submitted.
    fn change_password(&mut self, current: &str, new: &str, again: &str) {
        assert!(matches!(self.state().screen, Screen::Find(_)));
        self.d.press(
            KeyCode::Char('2'),
            ratatui::crossterm::event::KeyModifiers::ALT,
        );
        assert!(
            matches!(self.state().screen, Screen::Password(_)),
            "{}",
            self.screen()
        );
        for text in [current, new, again] {
            self.type_text(text);
            self.key(KeyCode::Enter);
        }
    }

    /// From an empty Find: Esc asks to sign out, Enter does.
    fn sign_out(&mut self) {
        assert!(matches!(self.state().screen, Screen::Find(_)));
        self.key(KeyCode::Esc);
        self.key(KeyCode::Enter);
        assert!(matches!(self.state().screen, Screen::SignIn(_)));
    }
}

/// The agent's story: Alex changes the desk password, proving the current one. The session
/// goes on; from the next sign-in only the new one works; the new one is in no file in clear
/// and its hash is not printed by `audit`; the administrator's reset still wins afterwards.
#[test]
fn an_agent_changes_their_own_password_and_the_old_one_stops_working() {
    let (dir, db) = demo_db();
    let mut desk = Desk::open(&db);
    desk.sign_in(AGENT, AGENT_PASS);
    desk.change_password(AGENT_PASS, ALEX_NEW, ALEX_NEW);
    assert!(matches!(desk.state().screen, Screen::Find(_)));
    assert!(
        desk.screen_flat().contains(s::PASSWORD_CHANGED),
        "{}",
        desk.screen()
    );
    desk.find("pat");
    assert!(matches!(desk.state().screen, Screen::Account(_)));
    desk.key(KeyCode::Esc);
    desk.sign_out();

    desk.sign_in(AGENT, AGENT_PASS);
    assert!(desk.screen_flat().contains(s::WRONG_CREDENTIALS));
    desk.sign_in(AGENT, ALEX_NEW);
    assert!(matches!(desk.state().screen, Screen::Find(_)));
    desk.sign_out();

    assert!(files_containing(dir.path(), ALEX_NEW).is_empty());
    let listed = ok(&run(&db, &["audit", "--agent", AGENT], ""));
    let row = listed
        .lines()
        .find(|l| l.contains("\tagent_password_changed\t"))
        .expect("the change is audited");
    assert!(row.contains("hash withheld"), "{row}");
    assert!(!listed.contains("$argon2"), "{listed}");

    // The administrator's tools know it: the desk-set password is the current one.
    one_line_failure(
        &run(
            &db,
            &["agent", "reset-password", AGENT, "--password-stdin"],
            &format!("{ALEX_NEW}\n"),
        ),
        "that is agent alex's current password",
    );
    ok(&run(
        &db,
        &["agent", "reset-password", AGENT, "--password-stdin"],
        &format!("{DANA_SECOND}\n"),
    ));
    desk.sign_in(AGENT, ALEX_NEW);
    assert!(desk.screen_flat().contains(s::WRONG_CREDENTIALS));
    desk.sign_in(AGENT, DANA_SECOND);
    assert!(matches!(desk.state().screen, Screen::Find(_)));
    desk.sign_out();
}

/// The thief's move at an unlocked desk: guess the current password to set one of their own.
/// Each wrong guess counts as a failed sign-in; the fifth ends the session and locks the name,
/// and nothing was changed.
#[test]
fn wrong_current_passwords_count_as_failed_sign_ins_and_end_the_session() {
    let (_dir, db) = demo_db();
    let mut desk = Desk::open(&db);
    desk.sign_in(AGENT, AGENT_PASS);
    for tries_left in (1..=4).rev() {
        let guess = format!("thief-guess-{tries_left}");
        if !matches!(desk.state().screen, Screen::Password(_)) {
            desk.change_password(&guess, ALEX_NEW, ALEX_NEW);
        } else {
            for text in [guess.as_str(), ALEX_NEW, ALEX_NEW] {
                desk.type_text(text);
                desk.key(KeyCode::Enter);
            }
        }
        let flat = desk.screen_flat();
        assert!(matches!(desk.state().screen, Screen::Password(_)), "{flat}");
        assert!(
            flat.contains(&s::wrong_current_password(tries_left)),
            "{flat}"
        );
    }
    for text in ["thief-guess-0", ALEX_NEW, ALEX_NEW] {
        desk.type_text(text);
        desk.key(KeyCode::Enter);
    }
    assert!(matches!(desk.state().screen, Screen::SignIn(_)));
    assert!(desk.state().agent.is_none());
    assert!(
        desk.screen_flat()
            .contains("you were signed out, and sign-in is locked until"),
        "{}",
        desk.screen()
    );
    // Locked: even the right password is refused now, and the thief's was never set.
    desk.sign_in(AGENT, AGENT_PASS);
    assert!(
        desk.screen_flat().contains("is locked until"),
        "{}",
        desk.screen()
    );
    let rows = audit_rows(&db);
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == action::AGENT_PASSWORD_CHANGE_FAILED)
            .count(),
        5
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.action == action::AGENT_PASSWORD_CHANGED)
    );
}

/// The thief's move with the database file but not the key file: append a "password
/// changed" row carrying a hash of their own. It does not verify, so it signs no one in, and
/// `audit verify` names it.
#[test]
fn a_change_row_forged_without_the_key_file_signs_no_one_in() {
    let (_dir, db) = demo_db();
    let thief = "thief-chosen-pass-7781";
    let hash =
        recovery_desk::secret::hash(&Secret::new(thief), &mut recovery_desk::secret::OsEntropy)
            .unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let (id, prev): (i64, String) = conn
            .query_row(
                "SELECT coalesce(max(id), 0) + 1, coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '') FROM audit_log",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        conn.execute(
            "INSERT INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash)
             VALUES (?1, '2026-11-25T09:30:00Z', 'alex', 'agent_password_changed', NULL, ?2, ?3, 'forged')",
            rusqlite::params![id, hash, prev],
        )
        .unwrap();
    }
    let mut desk = Desk::open(&db);
    desk.sign_in(AGENT, thief);
    assert!(
        desk.state().agent.is_none(),
        "the forged password signed in"
    );
    let verify = run(&db, &["audit", "verify"], "");
    assert_eq!(verify.status.code(), Some(1));
}

/// The new password's other rules and the same-password case are said on the form, and
/// nothing is changed.
#[test]
fn the_same_password_is_refused_and_the_form_says_so() {
    let (_dir, db) = demo_db();
    let mut desk = Desk::open(&db);
    desk.sign_in(AGENT, AGENT_PASS);
    desk.change_password(AGENT_PASS, AGENT_PASS, AGENT_PASS);
    assert!(matches!(desk.state().screen, Screen::Password(_)));
    assert!(
        desk.screen_flat().contains(s::PASSWORD_UNCHANGED),
        "{}",
        desk.screen()
    );
    // Esc goes back to Find; the old password still signs in.
    desk.key(KeyCode::Esc);
    desk.sign_out();
    desk.sign_in(AGENT, AGENT_PASS);
    assert!(matches!(desk.state().screen, Screen::Find(_)));
    // Proving the current password ended the failed-attempt count, as a sign-in does.
    assert!(
        audit_rows(&db)
            .iter()
            .any(|r| r.action == action::AGENT_PASSWORD_UNCHANGED)
    );
}

/// Proving the current password for a change ends the count of wrong ones, as a sign-in
/// does: four wrong, a change, then one wrong leaves four more tries, not none.
#[test]
fn a_password_change_starts_the_wrong_password_count_over() {
    let (_dir, db) = demo_db();
    let mut desk = Desk::open(&db);
    desk.sign_in(AGENT, AGENT_PASS);
    desk.change_password("thief-guess-1", ALEX_NEW, ALEX_NEW);
    for guess in ["thief-guess-2", "thief-guess-3", "thief-guess-4"] {
        for text in [guess, ALEX_NEW, ALEX_NEW] {
            desk.type_text(text);
            desk.key(KeyCode::Enter);
        }
    }
    assert!(desk.screen_flat().contains(&s::wrong_current_password(1)));
    for text in [AGENT_PASS, ALEX_NEW, ALEX_NEW] {
        desk.type_text(text);
        desk.key(KeyCode::Enter);
    }
    assert!(desk.screen_flat().contains(s::PASSWORD_CHANGED));
    desk.change_password("thief-guess-5", DANA_FIRST, DANA_FIRST);
    assert!(
        desk.screen_flat().contains(&s::wrong_current_password(4)),
        "{}",
        desk.screen()
    );
}
