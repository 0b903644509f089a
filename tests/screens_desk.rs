//! Snapshots of every support-desk screen at 80×24 on `TestBackend`, with a fixed clock and
//! times shown in UTC, over a demo database seeded with a seeded generator. The desk's real
//! `update`, `render` and worker run here; the worker is called synchronously so every
//! snapshot is deterministic. Each snapshot also checks that the policy line is on screen.

mod support;

use recovery_desk::store::AgentAdmin;
use recovery_desk::store::audit::Filter;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::Duration;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use recovery_desk::desk::state::{Msg, Screen, State};
use recovery_desk::desk::strings::POLICY_LINES;
use recovery_desk::desk::{DeskWorker, Request};
use recovery_desk::domain::lockout::Guarded;
use recovery_desk::store::audit::action;
use recovery_desk::store::{Store, seed};
use recovery_desk::testing::{self, Driver};
use recovery_desk::tui::Theme;
use support::seams::{Seeded, TestClock, t0};
use tempfile::TempDir;

/// The seeded demo database, built once and copied for each test.
fn seeded() -> &'static Path {
    static DB: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seed.db");
        let mut store = Store::open(&path).unwrap();
        let demo = seed::demo().unwrap();
        seed::seed(&mut store, &demo, &mut Seeded::new(7), t0()).unwrap();
        // A second agent, disabled, with the password "wren-demo-pass".
        let hash = recovery_desk::secret::hash(
            &recovery_desk::secret::Secret::new("wren-demo-pass"),
            &mut Seeded::new(8),
        )
        .unwrap();
        store.add_agent("dana", &hash, t0()).unwrap();
        store.disable_agent("dana").unwrap();
        drop(store);
        (dir, path)
    });
    path
}

/// Raw SQL against a test's own copy of the database (the desk itself can't write).
fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

fn account_id(path: &Path, username: &str) -> i64 {
    raw(path)
        .query_row(
            "SELECT id FROM accounts WHERE username = ?1",
            [username],
            |r| r.get(0),
        )
        .unwrap()
}

struct Desk {
    _dir: TempDir,
    path: PathBuf,
    clock: TestClock,
    drv: Driver<State, DeskWorker>,
}

impl Desk {
    fn new() -> Desk {
        Self::prepared(|_| {})
    }

    /// A desk over a fresh copy of the demo database, changed first by `prepare`.
    fn prepared(prepare: impl FnOnce(&Path)) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        std::fs::copy(seeded(), &path).unwrap();
        // The key file travels with the database (the desk needs its audit key).
        let key = |db: &Path| recovery_desk::store::keyfile::default_path(db);
        std::fs::copy(key(seeded()), key(&path)).unwrap();
        prepare(&path);
        let clock = TestClock::new(t0());
        let drv = testing::desk(&path, Arc::new(clock.clone()), Theme::plain(), 80, 24);
        Desk {
            _dir: dir,
            path,
            clock,
            drv,
        }
    }

    /// Applies a message and carries out its commands, answering requests synchronously.
    fn send(&mut self, msg: Msg) {
        self.drv.send(msg);
    }

    /// Applies a message but keeps its requests unanswered (to see the spinner).
    fn send_unanswered(&mut self, msg: Msg) -> Vec<Request> {
        self.drv.apply(msg)
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn ctrl(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    fn alt(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)));
    }

    fn type_str(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn enter(&mut self) {
        self.key(KeyCode::Enter);
    }

    fn sign_in_as(&mut self, name: &str, password: &str) {
        self.type_str(name);
        self.enter();
        self.type_str(password);
        self.enter();
    }

    fn sign_in(&mut self) {
        self.sign_in_as("alex", "desk-demo-pass");
        assert!(
            matches!(self.drv.app.screen, Screen::Find(_)),
            "{}",
            self.text()
        );
    }

    fn find(&mut self, what: &str) {
        self.type_str(what);
        self.enter();
    }

    /// Signs in and opens the account `what` finds.
    fn open(&mut self, what: &str) {
        self.sign_in();
        self.find(what);
        assert!(
            matches!(self.drv.app.screen, Screen::Account(_)),
            "{}",
            self.text()
        );
    }

    /// Opens the account and runs the helper with the problem numbered `symptom`, then
    /// answers its questions in order: `'1'` yes, `'2'` no.
    fn helper(&mut self, what: &str, symptom: char, answers: &[char]) {
        self.open(what);
        self.key(KeyCode::Char('1'));
        self.key(KeyCode::Char(symptom));
        for a in answers {
            self.key(KeyCode::Char(*a));
        }
    }

    fn draw(&mut self) {
        self.drv.draw();
    }

    fn text(&mut self) -> String {
        self.draw();
        recovery_desk::testing::rows_text(self.drv.backend().buffer())
    }

    /// Draws, checks the policy line is on screen, and returns the backend to snapshot.
    fn screen(&mut self) -> &TestBackend {
        let text = self.text();
        for line in POLICY_LINES {
            assert!(text.contains(line), "policy line missing:\n{text}");
        }
        self.drv.terminal.backend()
    }

    fn resize(&mut self, w: u16, h: u16) {
        self.drv.terminal.backend_mut().resize(w, h);
        self.send(Msg::Resize(w, h));
    }

    fn audit(&self) -> Vec<recovery_desk::store::audit::AuditRow> {
        Store::open_read_only(&self.path)
            .unwrap()
            .audit_rows(Filter::default())
            .unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// Agent sign-in

#[test]
fn sign_in_empty() {
    let mut d = Desk::new();
    insta::assert_snapshot!(d.screen());
}

#[test]
fn sign_in_checking_shows_a_spinner() {
    let mut d = Desk::new();
    d.type_str("alex");
    d.enter();
    d.type_str("desk-demo-pass");
    let cmds = d.send_unanswered(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(cmds.len(), 1);
    assert!(d.drv.app.busy());
    insta::assert_snapshot!(d.screen());
}

#[test]
fn sign_in_wrong_password() {
    let mut d = Desk::new();
    d.sign_in_as("alex", "wrong-password");
    insta::assert_snapshot!(d.screen());
    // An unknown name gets exactly the same words.
    let mut u = Desk::new();
    u.sign_in_as("nobody", "wrong-password");
    assert_eq!(notice(&d), notice(&u));
    assert!(notice(&d).unwrap().contains("don't match"));
}

fn notice(d: &Desk) -> Option<String> {
    match &d.drv.app.screen {
        Screen::SignIn(s) => s.notice.as_ref().map(|n| format!("{n:?}")),
        _ => None,
    }
}

#[test]
fn sign_in_locked_after_five_wrong_passwords() {
    let mut d = Desk::new();
    d.type_str("alex");
    d.enter();
    for _ in 0..5 {
        d.type_str("wrong-password");
        d.enter();
    }
    insta::assert_snapshot!(d.screen());
    // Still locked with the right password, and refused before hashing.
    d.type_str("desk-demo-pass");
    d.enter();
    assert!(matches!(d.drv.app.screen, Screen::SignIn(_)));
    assert!(
        notice(&d)
            .unwrap()
            .contains("locked until 2026-11-25 09:45"),
        "{:?}",
        notice(&d)
    );
    let rows = d.audit();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            action::SIGN_IN_ATTEMPT,
            action::SIGN_IN_FAILED,
            action::SIGN_IN_ATTEMPT,
            action::SIGN_IN_FAILED,
            action::SIGN_IN_ATTEMPT,
            action::SIGN_IN_FAILED,
            action::SIGN_IN_ATTEMPT,
            action::SIGN_IN_FAILED,
            action::SIGN_IN_ATTEMPT,
            action::SIGN_IN_FAILED,
            action::SIGN_IN_REFUSED
        ]
    );
    // After the lock ends the right password works.
    d.clock.advance(Duration::minutes(15));
    d.send(Msg::Tick(t0() + Duration::minutes(15)));
    d.type_str("desk-demo-pass");
    d.enter();
    assert!(matches!(d.drv.app.screen, Screen::Find(_)), "{}", d.text());
}

#[test]
fn sign_in_disabled_agent() {
    let mut d = Desk::new();
    d.sign_in_as("dana", "wren-demo-pass");
    insta::assert_snapshot!(d.screen());
    // With a wrong password a disabled agent looks like anyone else.
    let mut w = Desk::new();
    w.sign_in_as("dana", "wrong-password");
    assert!(w.text().contains("don't match"));
}

#[test]
fn sign_in_bad_name_and_reveal() {
    let mut d = Desk::new();
    d.type_str("Al Ex");
    d.key(KeyCode::Tab);
    d.type_str("secret-pass");
    d.ctrl('r');
    d.enter();
    insta::assert_snapshot!(d.screen());
}

#[test]
fn disabled_while_signed_in_locks_the_desk() {
    let mut d = Desk::new();
    d.open("pat");
    raw(&d.path)
        .execute("UPDATE agents SET disabled = 1 WHERE name = 'alex'", [])
        .unwrap();
    // The next request (a reload) finds the agent disabled.
    d.key(KeyCode::F(5));
    assert!(d.drv.app.agent.is_none());
    insta::assert_snapshot!(d.screen());
    let last = d.audit().pop().unwrap();
    assert_eq!(
        (last.agent.as_str(), last.action.as_str()),
        ("alex", action::SESSION_ENDED)
    );
}

#[test]
fn idle_five_minutes_locks_the_desk() {
    let mut d = Desk::new();
    d.open("pat");
    d.send(Msg::Tick(t0() + Duration::minutes(4)));
    assert!(matches!(d.drv.app.screen, Screen::Account(_)));
    d.send(Msg::Tick(t0() + Duration::minutes(5)));
    assert!(d.drv.app.agent.is_none());
    insta::assert_snapshot!(d.screen());
    let last = d.audit().pop().unwrap();
    assert_eq!(
        (last.agent.as_str(), last.action.as_str()),
        ("alex", action::IDLE_LOCK)
    );
}

#[test]
fn the_idle_lock_counts_down_its_last_minute_and_a_key_stops_it() {
    let mut d = Desk::new();
    d.open("pat");
    d.send(Msg::Tick(
        t0() + Duration::minutes(3) + Duration::seconds(59),
    ));
    assert!(!d.text().contains("Locks in"), "{}", d.text());
    d.send(Msg::Tick(
        t0() + Duration::minutes(4) + Duration::seconds(18),
    ));
    assert!(
        d.text().contains("Locks in 42 s: press a key to stay"),
        "{}",
        d.text()
    );
    insta::assert_snapshot!(d.screen());
    // A key is activity: the countdown goes, and the lock is five minutes away again.
    d.key(KeyCode::Down);
    assert!(!d.text().contains("Locks in"));
    d.send(Msg::Tick(t0() + Duration::minutes(5)));
    assert!(d.drv.app.agent.is_some());
}

#[test]
fn after_an_idle_lock_the_same_agent_gets_the_open_account_back_read_again() {
    let mut d = Desk::new();
    d.open("pat");
    let id = account_id(&d.path, "pat");
    d.send(Msg::Tick(t0() + Duration::minutes(5)));
    assert!(d.drv.app.agent.is_none());
    let views_before = d
        .audit()
        .iter()
        .filter(|r| r.action == action::VIEW)
        .count();
    // The lock screen offers alex's name; the password is typed again.
    d.type_str("desk-demo-pass");
    d.enter();
    assert!(
        matches!(&d.drv.app.screen, Screen::Account(a) if a.view.account.id == id),
        "{}",
        d.text()
    );
    let rows = d.audit();
    let views: Vec<_> = rows.iter().filter(|r| r.action == action::VIEW).collect();
    assert_eq!(
        views.len(),
        views_before + 1,
        "the account was read again, audited"
    );
    assert_eq!(views.last().unwrap().account_id, Some(id));
    // A sign-out forgets it: the next sign-in starts at Find.
    d.send(Msg::Tick(t0() + Duration::minutes(6)));
    d.key(KeyCode::Char('3'));
    d.enter();
    assert!(
        matches!(d.drv.app.screen, Screen::SignIn(_)),
        "{}",
        d.text()
    );
    assert_eq!(d.drv.app.resume, None);
}

// ---------------------------------------------------------------------------------------------
// Find an account

#[test]
fn find_empty() {
    let mut d = Desk::new();
    d.sign_in();
    insta::assert_snapshot!(d.screen());
}

#[test]
fn find_not_found() {
    let mut d = Desk::new();
    d.sign_in();
    d.find("Pat@Exmaple.com");
    insta::assert_snapshot!(d.screen());
    let last = d.audit().pop().unwrap();
    assert_eq!(last.action, action::LOOKUP);
    assert_eq!(last.account_id, None);
    assert_eq!(last.detail, "email p•••@exmaple.com");
}

#[test]
fn find_bad_input() {
    let mut d = Desk::new();
    d.sign_in();
    d.find("#forty-two");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn find_paste_is_capped() {
    let mut d = Desk::new();
    d.sign_in();
    d.send(Msg::Paste(
        format!("{}\x1b[2J@example.com", "a".repeat(300)).into(),
    ));
    insta::assert_snapshot!(d.screen());
}

#[test]
fn find_menu_focused() {
    let mut d = Desk::new();
    d.sign_in();
    d.key(KeyCode::Tab);
    d.type_str("inc-20417");
    insta::assert_snapshot!("find_case_focused", d.screen());
    d.key(KeyCode::Tab);
    insta::assert_snapshot!(d.screen());
}

/// An agent working through many calls: Find keeps the newest four accounts, and every
/// choice, Sign out included, stays on an 80×24 screen.
#[test]
fn the_recent_accounts_are_the_newest_four_and_every_choice_fits() {
    let mut d = Desk::new();
    d.sign_in();
    for who in ["pat", "sam", "nora", "vera", "lou"] {
        d.find(who);
        assert!(
            matches!(d.drv.app.screen, Screen::Account(_)),
            "{who}: {}",
            d.text()
        );
        d.key(KeyCode::Esc);
    }
    let text = d.text();
    for (n, label) in [
        (2, "lou"),
        (3, "vera"),
        (4, "nora"),
        (5, "sam"),
        (6, "Change my password"),
        (7, "Sign out"),
    ] {
        assert!(
            text.contains(&format!("{n}  {label}"))
                || text.contains(&format!("{n}  Open {label} (")),
            "{n} {label}:\n{text}"
        );
    }
    assert!(!text.contains("Open pat"), "{text}");
    insta::assert_snapshot!("find_with_four_recent_accounts", d.screen());
}

/// SPEC §10: the desk shows that an account has an authenticator app and since when, and
/// nothing else about it.
#[test]
fn an_authenticator_app_is_shown_with_its_date_only() {
    use recovery_desk::domain::totp;
    use recovery_desk::secret::Secret;
    use recovery_desk::service::Service;
    let mut key = String::new();
    let mut d = Desk::prepared(|p| {
        let clock = TestClock::new(t0());
        let mut svc = Service::new(
            Store::open(p).unwrap(),
            Box::new(Seeded::new(11)),
            Arc::new(clock.clone()),
        );
        let pat = svc.id_of("pat").unwrap();
        svc.check_password(pat, &Secret::new("otter-demo-pass"))
            .unwrap();
        let new = svc.begin_add_app().unwrap();
        key = new.secret.expose().to_string();
        let raw = totp::from_base32(&key).unwrap();
        let code = totp::code_at_step(&raw, totp::step_at(t0().timestamp()));
        svc.confirm_app(&code).unwrap();
    });
    d.open("pat");
    let text = d.text();
    assert!(
        text.contains("Authenticator app · added 2026-11-25 09:30"),
        "{text}"
    );
    assert!(!text.contains(&key[..8]), "{text}");
    insta::assert_snapshot!("account_with_authenticator_app", d.screen());
}

#[test]
fn password_form_and_its_refusals() {
    let mut d = Desk::new();
    d.sign_in();
    d.alt('2');
    assert!(
        matches!(d.drv.app.screen, Screen::Password(_)),
        "{}",
        d.text()
    );
    insta::assert_snapshot!("password_empty", d.screen());
    for text in [
        "not-my-password",
        "copper-lantern-grove-4410",
        "copper-lantern-grove-4410",
    ] {
        d.type_str(text);
        d.enter();
    }
    insta::assert_snapshot!("password_wrong_current", d.screen());
    for text in ["desk-demo-pass", "alex-the-agent", "alex-the-agent"] {
        d.type_str(text);
        d.enter();
    }
    insta::assert_snapshot!("password_breaks_a_rule", d.screen());
    for text in [
        "desk-demo-pass",
        "copper-lantern-grove-4410",
        "copper-lantern-grove-4410",
    ] {
        d.type_str(text);
        d.enter();
    }
    assert!(matches!(d.drv.app.screen, Screen::Find(_)), "{}", d.text());
    insta::assert_snapshot!("password_changed", d.screen());
}

/// The agent's story: a ticket number typed with the lookup names the case on every screen
/// after it, and the lookup, the view and the helper run are filed under it; the next lookup
/// keeps it until the agent changes it, and a sign-out forgets it.
#[test]
fn a_case_typed_with_a_lookup_is_shown_and_files_every_row_that_follows() {
    let mut d = Desk::new();
    d.sign_in();
    d.type_str("pat");
    d.key(KeyCode::Tab);
    d.type_str("inc-20417");
    d.enter();
    assert!(
        matches!(d.drv.app.screen, Screen::Account(_)),
        "{}",
        d.text()
    );
    let text = d.text();
    assert!(text.contains("alex · case INC-20417 · read-only"), "{text}");
    insta::assert_snapshot!("account_in_a_case", d.screen());
    d.key(KeyCode::Char('1'));
    d.key(KeyCode::Char('3'));
    // The helper's longer title leaves room at 80 columns for the name and "read-only" only;
    // at 100 the case is back.
    d.resize(100, 30);
    assert!(
        d.text().contains("alex · case INC-20417 · read-only"),
        "{}",
        d.text()
    );
    d.resize(80, 24);
    let rows = d.audit();
    let filed: Vec<&str> = rows
        .iter()
        .filter(|r| r.case_ref.as_deref() == Some("INC-20417"))
        .map(|r| r.action.as_str())
        .collect();
    assert_eq!(filed, [action::LOOKUP, action::VIEW, action::HELPER]);
    // Back to Find: the case is filled in and the next lookup is filed under it too.
    for _ in 0..4 {
        if matches!(d.drv.app.screen, Screen::Find(_)) {
            break;
        }
        d.key(KeyCode::Esc);
    }
    assert!(d.text().contains("│INC-20417"), "{}", d.text());
    d.find("nora");
    let last = d.audit().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.case_ref.as_deref()),
        (action::VIEW, Some("INC-20417"))
    );
    // A sign-out forgets it: the next agent starts with no case.
    d.key(KeyCode::Esc);
    d.key(KeyCode::Esc);
    d.enter();
    d.sign_in();
    let text = d.text();
    assert!(!text.contains("INC-20417"), "{text}");
    d.find("pat");
    assert_eq!(d.audit().pop().unwrap().case_ref, None);
}

#[test]
fn lookups_by_every_identifier_find_the_same_account_and_audit_masked() {
    let mut d = Desk::new();
    d.sign_in();
    let sam = account_id(&d.path, "sam");
    for what in [
        "SAM",
        "sam@example.com",
        "+1 555 010 0101",
        &format!("#{sam}"),
    ] {
        d.find(what);
        match &d.drv.app.screen {
            Screen::Account(a) => assert_eq!(a.view.account.id, sam, "{what}"),
            _ => panic!("{what}: {}", d.text()),
        }
        d.key(KeyCode::Char('2'));
    }
    let rows = d.audit();
    let lookups: Vec<&str> = rows
        .iter()
        .filter(|r| r.action == action::LOOKUP)
        .map(|r| r.detail.as_str())
        .collect();
    assert_eq!(
        lookups,
        [
            "username sa•••",
            "email s•••@example.com",
            "phone +1 ••• ••• ••01",
            &format!("account #{sam}")
        ]
    );
    assert!(
        rows.iter()
            .filter(|r| r.action == action::LOOKUP)
            .all(|r| r.account_id == Some(sam))
    );
    assert_eq!(rows.iter().filter(|r| r.action == action::VIEW).count(), 4);
    for r in &rows {
        assert!(!r.detail.contains("sam@example.com") && !r.detail.contains("5550100101"));
    }
    // No partial matches.
    d.find("sa");
    assert!(matches!(d.drv.app.screen, Screen::Find(_)));
    d.key(KeyCode::Esc);
    d.find("sam@example");
    assert!(matches!(d.drv.app.screen, Screen::Find(_)));
}

// ---------------------------------------------------------------------------------------------
// Account view

#[test]
fn account_pat_plain() {
    let mut d = Desk::new();
    d.open("pat@example.com");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn account_sam_two_step() {
    let mut d = Desk::new();
    d.open("sam");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn account_nora_code_only() {
    let mut d = Desk::new();
    d.open("nora");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn account_cody_no_code() {
    let mut d = Desk::new();
    d.open("cody");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn account_lou_locked() {
    let mut d = Desk::new();
    d.open("lou");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn account_penny_pending() {
    let mut d = Desk::new();
    d.open("penny");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn account_vera_nothing() {
    let mut d = Desk::new();
    d.open("vera");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn account_tess_scrolled_to_the_end() {
    let mut d = Desk::new();
    d.open("tess");
    d.key(KeyCode::End);
    insta::assert_snapshot!(d.screen());
    d.key(KeyCode::PageUp);
    d.key(KeyCode::PageUp);
    assert!(d.text().contains("Account                 tess"));
}

#[test]
fn account_view_shows_an_unverified_method_and_last_code_use() {
    let mut d = Desk::prepared(|p| {
        let c = raw(p);
        let pat: i64 = c
            .query_row("SELECT id FROM accounts WHERE username = 'pat'", [], |r| {
                r.get(0)
            })
            .unwrap();
        c.execute(
            "INSERT INTO sign_in_methods (account_id, kind, address, verified, added_at) VALUES (?1, 'phone', '+15550100177', 0, '2026-11-25T09:30:00.000Z')",
            [pat],
        )
        .unwrap();
        c.execute(
            "UPDATE recovery_codes SET used_at = '2026-11-25T09:00:00.000Z' WHERE account_id = ?1",
            [pat],
        )
        .unwrap();
    });
    d.open("pat");
    insta::assert_snapshot!(d.screen());
}

// ---------------------------------------------------------------------------------------------
// Sign-in helper: the question and one result per case

#[test]
fn helper_question() {
    let mut d = Desk::new();
    d.open("pat");
    d.key(KeyCode::Char('1'));
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_asks_whether_the_customer_knows_the_password() {
    let mut d = Desk::new();
    d.helper("pat", '3', &[]);
    assert!(
        d.text()
            .contains("Does the customer still know their password?")
    );
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_can_sign_in() {
    // pat knows the password; two-step is off: the password is the whole path, and the
    // recovery code is not asked about.
    let mut d = Desk::new();
    d.helper("pat", '3', &['1']);
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_nora_who_knows_her_password_keeps_her_code() {
    let mut d = Desk::new();
    d.helper("nora", '3', &['1']);
    let text = d.text();
    assert!(
        text.contains("Sign in with the username nora and your password."),
        "{text}"
    );
    assert!(!text.contains("recovery code"), "{text}");
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_forgot_password_with_method() {
    let mut d = Desk::new();
    d.helper("pat", '1', &[]);
    insta::assert_snapshot!("helper_asks_whether_codes_can_be_got", d.screen());
    d.key(KeyCode::Char('1'));
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_recover_with_code() {
    let mut d = Desk::new();
    d.helper("nora", '2', &['2']);
    insta::assert_snapshot!("helper_asks_for_the_recovery_code", d.screen());
    d.key(KeyCode::Char('1'));
    insta::assert_snapshot!(d.screen());
    // The seed page's steps, all of them (scrolled to the end).
    d.key(KeyCode::End);
    insta::assert_snapshot!("helper_recover_with_code_end", d.screen());
}

#[test]
fn helper_cannot_recover() {
    let mut d = Desk::new();
    d.helper("vera", '3', &['2']);
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_code_entry_locked() {
    let mut d = Desk::prepared(|p| {
        raw(p)
            .execute(
                "INSERT OR REPLACE INTO lockouts (account_id, kind, failures, lock_count, locked_until) SELECT id, ?1, 0, 1, '2026-11-25T09:45:00.000Z' FROM accounts WHERE username = 'nora'",
                [Guarded::RecoveryCode.as_str()],
            )
            .unwrap();
    });
    d.helper("nora", '2', &['2', '1']);
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_pending_change() {
    let mut d = Desk::new();
    d.helper("penny", '3', &['1', '1']);
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_two_step_lost_method_with_code_waits_thirty_days() {
    let mut d = Desk::new();
    d.helper("tess", '2', &['1', '1']);
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_password_locked() {
    let mut d = Desk::new();
    d.helper("lou", '3', &['1']);
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_runs_are_audited_and_menu_leads_back() {
    let mut d = Desk::new();
    d.helper("vera", '3', &['2']);
    let rows = d.audit();
    let details: Vec<&str> = rows[rows.len() - 2..]
        .iter()
        .map(|r| r.detail.as_str())
        .collect();
    assert_eq!(
        details,
        [
            "symptom not_sure; asks knows_password",
            "symptom not_sure; knows_password no; path cannot_recover_nothing_proves_it"
        ]
    );
    let last = rows.last().unwrap();
    assert_eq!(last.action, action::HELPER);
    assert_eq!(last.account_id, Some(account_id(&d.path, "vera")));
    // Esc takes the last answer back: the question again, with that answer selected.
    d.key(KeyCode::Esc);
    assert!(d.text().contains("› 2  No, or not sure"), "{}", d.text());
    assert!(
        d.text()
            .contains("Does the customer still know their password?")
    );
    // Esc again: the problem; once more: the account.
    d.key(KeyCode::Esc);
    assert!(d.text().contains("What is the customer's problem?"));
    d.key(KeyCode::Esc);
    assert!(matches!(d.drv.app.screen, Screen::Account(_)));
    // On the result, 1 asks again, 2 goes back to the account, 3 finds another.
    for k in ['1', '3', '2'] {
        d.key(KeyCode::Char(k));
    }
    d.key(KeyCode::Char('1'));
    assert!(d.text().contains("What is the customer's problem?"));
    d.key(KeyCode::Esc);
    d.key(KeyCode::Char('1'));
    d.key(KeyCode::Char('3'));
    d.key(KeyCode::Char('2'));
    d.key(KeyCode::Char('2'));
    assert!(matches!(d.drv.app.screen, Screen::Account(_)));
    d.key(KeyCode::Char('1'));
    d.key(KeyCode::Char('3'));
    d.key(KeyCode::Char('2'));
    d.key(KeyCode::Char('3'));
    assert!(matches!(d.drv.app.screen, Screen::Find(_)));
}

// ---------------------------------------------------------------------------------------------
// Help, dialogs, sizes, hostile data

#[test]
fn help_on_sign_in() {
    let mut d = Desk::new();
    d.key(KeyCode::F(1));
    insta::assert_snapshot!(d.screen());
    d.key(KeyCode::Esc);
    assert!(!d.drv.app.help);
}

#[test]
fn help_on_account() {
    let mut d = Desk::new();
    d.open("pat");
    d.key(KeyCode::Char('?'));
    insta::assert_snapshot!(d.screen());
}

#[test]
fn quit_dialog() {
    let mut d = Desk::new();
    d.key(KeyCode::Esc);
    insta::assert_snapshot!(d.screen());
    d.key(KeyCode::Char('2'));
    assert!(d.drv.app.dialog.is_none() && d.drv.quits == 0);
    d.key(KeyCode::Esc);
    d.enter();
    assert!(d.drv.quits > 0);
}

#[test]
fn sign_out_dialog() {
    let mut d = Desk::new();
    d.sign_in();
    d.key(KeyCode::Esc);
    insta::assert_snapshot!(d.screen());
    d.enter();
    assert!(d.drv.app.agent.is_none());
    assert!(d.text().contains("Signed out."));
    assert_eq!(d.audit().pop().unwrap().action, action::SIGN_OUT);
}

#[test]
fn ctrl_c_quits_and_signs_out() {
    let mut d = Desk::new();
    d.open("pat");
    d.ctrl('c');
    assert!(d.drv.quits > 0);
    assert_eq!(d.audit().pop().unwrap().action, action::SIGN_OUT);
}

#[test]
fn too_small_then_recovers() {
    let mut d = Desk::new();
    d.sign_in();
    d.resize(60, 20);
    insta::assert_snapshot!(d.screen());
    d.resize(80, 24);
    assert!(d.text().contains("no browsing"));
}

#[test]
fn alt_digit_chooses_while_typing() {
    let mut d = Desk::new();
    d.sign_in();
    d.type_str("12");
    d.alt('3');
    assert!(d.drv.app.agent.is_none(), "Alt-3 signs out");
}

const HOSTILE_NAME: &str = "evil\x1b]0;pwned\x07\x1b[2Jname\u{202e}";

#[test]
fn hostile_account_draws_harmlessly() {
    let mut d = Desk::prepared(|p| {
        let c = raw(p);
        c.execute(
            "INSERT INTO accounts (username, password_hash, two_step, created_at, password_changed_at) VALUES (?1, 'x', 0, '2026-11-25T09:30:00.000Z', '2026-11-25T09:30:00.000Z')",
            [HOSTILE_NAME],
        )
        .unwrap();
        let id = c.last_insert_rowid();
        c.execute(
            "INSERT INTO sign_in_methods (account_id, kind, address, verified, added_at) VALUES (?1, 'email', ?2, 1, '2026-11-25T09:30:00.000Z')",
            rusqlite::params![id, "\x1b[31mx@evil.example"],
        )
        .unwrap();
        // A pending change whose stored kind carries escapes and a control character.
        c.execute(
            "INSERT INTO pending_changes (account_id, kind, new_password_hash, requested_at, effective_at) VALUES (?1, ?2, 'x', '2026-11-25T09:30:00.000Z', '2026-12-25T09:30:00.000Z')",
            rusqlite::params![id, "\x1b]0;pwned\x07odd\x08change\x1b[2J"],
        )
        .unwrap();
        for i in 0..25 {
            c.execute(
                "INSERT INTO security_events (account_id, at, kind, detail) VALUES (?1, '2026-11-25T09:30:00.000Z', ?2, ?3)",
                rusqlite::params![id, format!("odd\x07kind_{i}"), "\x1b]52;c;cGF5bG9hZA==\x07clipboard"],
            )
            .unwrap();
        }
    });
    d.sign_in();
    let id: i64 = raw(&d.path)
        .query_row("SELECT max(id) FROM accounts", [], |r| r.get(0))
        .unwrap();
    d.find(&format!("#{id}"));
    let text = d.text();
    // The pending change is listed, its kind cleaned (the title sequence removed whole).
    assert!(text.contains("oddchange"), "{text}");
    assert!(!text.contains("pwned"), "{text}");
    // The OSC title sequence and the clear-screen are removed whole, the override dropped.
    assert!(
        text.contains("Account                 evilname (#"),
        "{text}"
    );
    for cell in d.drv.terminal.backend().buffer().content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}'),
            "a control character reached the screen: {:?}",
            cell.symbol()
        );
    }
    insta::assert_snapshot!(d.screen());
    d.key(KeyCode::Char('1'));
    d.key(KeyCode::Char('3'));
    d.key(KeyCode::Char('1'));
    for cell in d.drv.terminal.backend().buffer().content() {
        assert!(!cell.symbol().chars().any(|c| c.is_control()));
    }
    insta::assert_snapshot!("hostile_account_helper", d.screen());
}

#[test]
fn keys_are_ignored_while_a_request_runs_and_stale_replies_are_dropped() {
    let mut d = Desk::new();
    d.sign_in();
    d.type_str("pat");
    let cmds = d.send_unanswered(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let Some(req) = cmds.into_iter().next() else {
        panic!("no request");
    };
    d.type_str("xyz");
    if let Screen::Find(f) = &d.drv.app.screen {
        assert_eq!(f.form.field(0).value(), "pat");
    }
    // The idle lock ends the session while the lookup runs: its reply is stale.
    d.send(Msg::Tick(t0() + Duration::minutes(6)));
    let reply = d.drv.answer(req);
    d.send(Msg::Reply(reply));
    assert!(
        matches!(d.drv.app.screen, Screen::SignIn(_)),
        "a stale reply changed the screen"
    );
}

// ---------------------------------------------------------------------------------------------
// The recovery drill (SPEC §10): when the customer last checked their saved code

/// nora checked her saved code when the desk's clock says now (the holder console's recovery
/// drill).
fn nora_checked_her_code() -> Desk {
    Desk::prepared(|p| {
        let nora = account_id(p, "nora");
        let n = raw(p)
            .execute(
                "UPDATE recovery_codes SET checked_at = '2026-11-25T09:30:00.000Z' WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL",
                [nora],
            )
            .unwrap();
        assert_eq!(n, 1);
    })
}

#[test]
fn account_view_shows_when_the_code_was_last_checked() {
    let mut d = nora_checked_her_code();
    d.open("nora");
    assert!(d.text().contains("Last checked 2026-11-25"), "{}", d.text());
    insta::assert_snapshot!(d.screen());
}

#[test]
fn helper_says_when_the_customer_checked_the_code() {
    let mut d = nora_checked_her_code();
    d.helper("nora", '2', &['2', '1']);
    // The findings follow the steps (scrolled to the end).
    d.key(KeyCode::End);
    assert!(
        d.text()
            .contains("The customer checked the code on 2026-11-25"),
        "{}",
        d.text()
    );
    insta::assert_snapshot!(
        "helper_says_when_the_customer_checked_the_code_end",
        d.screen()
    );
}

#[test]
fn every_screen_says_who_is_signed_in_that_the_desk_only_reads_and_which_database() {
    // At 80 columns the note is as long as fits beside each title; wider, it says it all.
    let mut d = Desk::new();
    assert!(d.text().contains("read-only · desk.db"), "{}", d.text());
    d.sign_in();
    assert!(
        d.text().contains("alex · read-only · desk.db"),
        "{}",
        d.text()
    );
    d.resize(120, 30);
    assert!(
        d.text().contains("Signed in as alex · read-only · desk.db"),
        "{}",
        d.text()
    );
    d.find("pat");
    d.key(KeyCode::Char('1'));
    assert!(d.text().contains("Signed in as alex · read-only · desk.db"));
}

#[test]
fn the_database_name_from_the_command_line_is_shown_sanitised() {
    let label = recovery_desk::desk::database_label(Path::new("/tmp/evil\u{1b}]0;pwned\u{7}.db"));
    assert!(!label.chars().any(|c| c.is_control()), "{label:?}");
    assert!(label.ends_with(".db"), "{label:?}");
}

#[test]
fn this_sessions_accounts_are_offered_again_and_the_previous_one_is_one_key_away() {
    let mut d = Desk::new();
    d.open("pat");
    // Find another: pat is offered again.
    d.key(KeyCode::Char('2'));
    assert!(d.text().contains("Open pat (#1) again"), "{}", d.text());
    d.find("nora");
    // nora's account offers the way back to pat, before Sign out.
    let text = d.text();
    assert!(text.contains("3  Back to pat (#1)"), "{text}");
    assert!(text.contains("4  Sign out"), "{text}");
    insta::assert_snapshot!("account_with_a_way_back", d.screen());
    let pat = account_id(&d.path, "pat");
    let views = |d: &Desk| {
        d.audit()
            .iter()
            .filter(|r| r.action == action::VIEW && r.account_id == Some(pat))
            .count()
    };
    let before = views(&d);
    d.key(KeyCode::Char('3'));
    assert!(
        matches!(&d.drv.app.screen, Screen::Account(a) if a.view.account.id == pat),
        "{}",
        d.text()
    );
    // Read again and audited; and now nora is the way back.
    assert_eq!(views(&d), before + 1);
    assert!(d.text().contains("Back to nora (#3)"), "{}", d.text());
    // Find lists both, newest first; a digit on the menu reopens one.
    d.key(KeyCode::Char('2'));
    // Past the identifier and the case, to the choices.
    d.key(KeyCode::Tab);
    d.key(KeyCode::Tab);
    insta::assert_snapshot!("find_with_recent_accounts", d.screen());
    d.key(KeyCode::Char('3'));
    assert!(
        matches!(&d.drv.app.screen, Screen::Account(a) if a.view.account.id == account_id(&d.path, "nora")),
        "{}",
        d.text()
    );
    // Signing out forgets them.
    d.key(KeyCode::Char('4'));
    d.enter();
    d.sign_in();
    assert!(!d.text().contains("again"), "{}", d.text());
    assert!(d.drv.app.recent.is_empty());
}

#[test]
fn the_steps_go_to_the_clipboard_as_the_agent_reads_them() {
    let mut d = Desk::new();
    d.helper("nora", '3', &['1']);
    d.key(KeyCode::Char('4'));
    assert_eq!(
        d.drv.clipboard,
        ["1. Sign in with the username nora and your password."]
    );
    assert!(
        d.text()
            .contains("Steps sent to your clipboard (OSC 52); if none arrive"),
        "{}",
        d.text()
    );
    insta::assert_snapshot!("helper_steps_copied", d.screen());
    // A hostile username reaches the clipboard harmless: no control character at all.
    let mut d = Desk::prepared(|p| {
        raw(p)
            .execute(
                "UPDATE accounts SET username = 'ev\u{1b}]52;c;AAAA\u{7}il' WHERE username = 'nora'",
                [],
            )
            .unwrap();
    });
    d.helper("#3", '3', &['1']);
    d.key(KeyCode::Char('4'));
    let text = d.drv.clipboard.join("\n");
    assert!(!text.is_empty());
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
}
