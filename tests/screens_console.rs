//! Every screen and dialog of the account holder console at 80×24, as insta snapshots.
//!
//! The console is driven through its real `update` and `render` on a `TestBackend`, over a
//! temporary database, with the clock fixed at `t0()`, seeded randomness (so recovery codes
//! and one-time codes are the same on every run) and times shown in UTC, by the one test driver
//! (`recovery_desk::testing::Driver`): worker requests are answered synchronously by the same
//! jobs the worker thread runs.

mod support;

use chrono::{Duration, FixedOffset};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use recovery_desk::console::jobs::Request;
use recovery_desk::console::screens::Screen;
use recovery_desk::console::{Msg, State};
use recovery_desk::domain::model::MethodKind;
use recovery_desk::secret::Secret;
use recovery_desk::service::Service;
use recovery_desk::store::HolderStore;
use recovery_desk::store::Store;
use recovery_desk::testing::{self, Driver};
use recovery_desk::tui::Theme;
use std::path::PathBuf;
use std::sync::Arc;
use support::seams::{Seeded, TestClock, t0};
use zeroize::Zeroizing;

const PASSWORD: &str = "correct horse";
const NEW_PASSWORD: &str = "battery staple";

/// Secrets that must never be drawn in clear.
const NEVER_SHOWN: &[&str] = &[PASSWORD, NEW_PASSWORD, "hunter2-bad"];

struct App {
    _dir: tempfile::TempDir,
    db: PathBuf,
    clock: TestClock,
    d: Driver<State, Service>,
}

fn secret(s: &str) -> Secret {
    Secret::new(s)
}

impl App {
    fn new() -> App {
        App::with(|_, _| {})
    }

    /// A console over a database prepared by `setup` (through the service, then signed out).
    fn with(setup: impl FnOnce(&mut Service, &std::path::Path)) -> App {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("console.db");
        let clock = TestClock::new(t0());
        let mut svc = Service::new(
            Store::open(&db).unwrap(),
            Box::new(Seeded::new(7)),
            Arc::new(clock.clone()),
        );
        setup(&mut svc, &db);
        svc.sign_out();
        let d = testing::console(svc, Arc::new(clock.clone()), Theme::plain(), 80, 24);
        App {
            _dir: dir,
            db,
            clock,
            d,
        }
    }

    /// Applies `msg`, answering every request at once, then draws.
    fn send(&mut self, msg: Msg) {
        self.d.send(msg);
    }

    /// Applies `msg` and returns its requests unanswered (to see the screen while waiting).
    fn apply(&mut self, msg: Msg) -> Vec<Request> {
        self.d.apply(msg)
    }

    fn draw(&mut self) {
        self.d.draw();
    }

    fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE);
    }

    fn enter(&mut self) {
        self.key(KeyCode::Enter);
    }

    fn esc(&mut self) {
        self.key(KeyCode::Esc);
    }

    fn alt(&mut self, c: char) {
        self.key_mod(KeyCode::Char(c), KeyModifiers::ALT);
    }

    fn ctrl(&mut self, c: char) {
        self.key_mod(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    fn digit(&mut self, d: char) {
        self.key(KeyCode::Char(d));
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn paste(&mut self, text: &str) {
        self.send(Msg::Paste(Zeroizing::new(text.to_string())));
    }

    fn text(&self) -> String {
        self.d.text()
    }

    fn screen(&self) -> &'static str {
        self.d.app.screen.name()
    }

    fn expect(&self, needle: &str) {
        let t = self.text();
        assert!(t.contains(needle), "{needle:?} not on screen:\n{t}");
    }

    /// Types the recovery code, then confirms the new code shown by typing its last group.
    fn recover_with(&mut self, code: &Secret) {
        self.typed(recovery_desk::domain::recovery_code::format(code).expose());
        self.enter();
        self.confirm_shown_code();
    }

    /// On the screen showing a new code: types the code's last group, as the holder confirms
    /// they kept it.
    fn confirm_shown_code(&mut self) {
        let text = self.text();
        let line = text
            .lines()
            .find(|l| l.matches('-').count() == 4 && l.contains('│'))
            .unwrap();
        let new_code = line
            .split_whitespace()
            .find(|w| w.matches('-').count() == 4)
            .unwrap();
        let last = new_code.rsplit('-').next().unwrap().to_string();
        self.typed(&last);
        self.enter();
    }

    /// Picks the numbered choice labelled `label` on the screen (Manage's choices change with
    /// the account, so tests choose by label).
    fn choose(&mut self, label: &str) {
        let text = self.text();
        let digit = support::screen::choice_digit(&text, label)
            .unwrap_or_else(|| panic!("no numbered choice {label:?}:\n{text}"));
        self.digit(digit);
    }

    fn code_for(&self, address: &str) -> String {
        support::outbox::last_code(&Store::open(&self.db).unwrap(), address)
    }

    /// Signs `username` in with `password` (and the first method's code when asked).
    fn sign_in(&mut self, username: &str, password: &str) {
        self.typed(username);
        self.enter();
        assert_eq!(self.screen(), "Password", "{}", self.text());
        self.typed(password);
        self.enter();
        if self.screen() == "SecondStep" {
            self.digit('1');
            let address = self.svc_first_verified(username);
            let code = self.code_for(&address);
            self.typed(&code);
            self.enter();
        }
    }

    fn svc_first_verified(&self, username: &str) -> String {
        let view = self.d.jobs.find(username).unwrap();
        view.methods
            .iter()
            .find(|m| m.verified)
            .map(|m| m.address.clone())
            .unwrap()
    }
}

/// Snapshots the screen, first checking no password is drawn in clear.
macro_rules! snap {
    ($app:expr, $name:literal) => {{
        let text = $app.text();
        for s in NEVER_SHOWN {
            assert!(!text.contains(s), "secret {s:?} on screen:\n{text}");
        }
        insta::assert_snapshot!($name, $app.d.backend());
    }};
}

/// jane: a verified email, two-step verification off, a recovery code.
fn jane(svc: &mut Service) -> Secret {
    svc.create_account("jane", &secret(PASSWORD), &secret(PASSWORD))
        .unwrap();
    support::holder::add_verified(svc, MethodKind::Email, "jane@example.com");
    svc.generate_recovery_code().unwrap()
}

/// sam: email and phone verified, two-step verification on, a recovery code.
fn sam(svc: &mut Service) -> Secret {
    svc.create_account("sam", &secret(PASSWORD), &secret(PASSWORD))
        .unwrap();
    support::holder::add_verified(svc, MethodKind::Email, "sam@example.com");
    support::holder::add_verified(svc, MethodKind::Phone, "+15550100101");
    svc.set_two_step(true).unwrap();
    svc.generate_recovery_code().unwrap()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn sign_in_help_and_quit() {
    let mut app = App::new();
    snap!(app, "sign_in");
    app.key(KeyCode::F(1));
    snap!(app, "help_overlay_sign_in");
    app.esc();
    app.typed("jane");
    app.enter();
    snap!(app, "sign_in_unknown_username");
    // Esc on the first screen asks before quitting.
    app.esc();
    snap!(app, "quit_confirm");
    app.digit('2');
    assert_eq!(app.d.quits, 0);
    app.esc();
    app.enter();
    assert_eq!(app.d.quits, 1);
}

#[test]
fn too_small_and_back() {
    let mut app = App::new();
    app.d.terminal.backend_mut().resize(60, 20);
    app.send(Msg::Resize(60, 20));
    snap!(app, "too_small");
    app.d.terminal.backend_mut().resize(80, 24);
    app.send(Msg::Resize(80, 24));
    snap!(app, "too_small_recovered");
}

#[test]
fn password_screens() {
    let mut app = App::with(|svc, _| {
        jane(svc);
    });
    app.typed("jane");
    app.enter();
    app.typed(PASSWORD);
    snap!(app, "password");
    // The reveal key shows what was typed; it is hidden again for the snapshot after.
    app.ctrl('r');
    app.expect(PASSWORD);
    app.ctrl('r');
    app.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.typed("hunter2-bad");
    // While the hash runs, a spinner.
    let reqs = app.apply(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    app.draw();
    snap!(app, "password_checking_spinner");
    for r in reqs {
        let reply = app.d.answer(r);
        app.send(Msg::Reply(reply));
    }
    snap!(app, "password_wrong");
    for _ in 0..4 {
        app.typed("hunter2-bad");
        app.enter();
    }
    snap!(app, "password_locked");
    app.key(KeyCode::F(1));
    snap!(app, "help_overlay_password");
}

#[test]
fn other_ways_to_sign_in() {
    let mut app = App::with(|svc, _| {
        jane(svc);
    });
    app.typed("jane");
    app.enter();
    app.alt('2');
    assert_eq!(app.screen(), "OtherWays");
    snap!(app, "other_ways");
    app.digit('1');
    assert_eq!(app.screen(), "Password");
}

/// Issue 11, item 2: signing in with a code instead of the password. With two-step
/// verification off the code signs in; with it on, the password follows as the second step.
#[test]
fn signing_in_with_a_code_instead_of_the_password() {
    let mut app = App::with(|svc, _| {
        jane(svc);
        svc.sign_out();
        sam(svc);
    });
    app.typed("jane");
    app.enter();
    app.alt('2'); // Other ways to sign in
    app.digit('2'); // Send a code to j•••@example.com
    assert_eq!(app.screen(), "MethodCode");
    snap!(app, "code_sign_in_code");
    let code = app.code_for("jane@example.com");
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Manage", "{}", app.text());
    app.esc();
    app.enter();
    // sam: two-step verification on.
    app.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.typed("sam");
    app.enter();
    app.alt('2');
    app.digit('3'); // Send a code to +1 ••• ••• ••01
    let code = app.code_for("+15550100101");
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Password");
    app.expect("Your code worked.");
    snap!(app, "code_sign_in_then_password");
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "Manage", "{}", app.text());
}

#[test]
fn create_account_then_manage() {
    let mut app = App::new();
    app.alt('1');
    snap!(app, "create_account");
    app.typed("jane");
    app.key(KeyCode::Tab);
    app.typed(PASSWORD);
    app.key(KeyCode::Tab);
    app.typed("correct horsE");
    app.enter();
    snap!(app, "create_account_mismatch");
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "Manage");
    snap!(app, "manage_new_account");
}

/// Issue 11, item 9: the method list uses the width it has. At 80 columns a long address is
/// shortened; at 100 it is shown whole.
#[test]
fn the_method_list_lays_out_to_the_width() {
    const LONG: &str = "jane.at.work.for.acme@example.com";
    let mut app = App::with(|svc, _| {
        svc.create_account("jane", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
        support::holder::add_verified(svc, MethodKind::Email, LONG);
    });
    app.sign_in("jane", PASSWORD);
    assert!(!app.text().contains(LONG), "{}", app.text());
    app.d.terminal.backend_mut().resize(100, 30);
    app.send(Msg::Resize(100, 30));
    let text = app.text();
    assert!(text.contains(&format!("Email  {LONG}  verified")), "{text}");
    snap!(app, "manage_at_100_columns");
}

/// Issue 11, item 10: the first run on a new database says so on Sign in, offers Create
/// account and mentions --demo, instead of a bare "We couldn't find an account"; once an
/// account exists, the note is gone.
#[test]
fn a_new_database_says_so_on_sign_in() {
    let mut app = App::new();
    app.expect("This database is new: it has no accounts yet.");
    app.expect("recovery-desk --demo");
    snap!(app, "sign_in_new_database");
    app.alt('1');
    app.typed("jane");
    app.key(KeyCode::Tab);
    app.typed(PASSWORD);
    app.key(KeyCode::Tab);
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "Manage");
    app.esc();
    app.enter();
    assert_eq!(app.screen(), "SignIn");
    assert!(
        !app.text().contains("This database is new"),
        "{}",
        app.text()
    );
    // A database with accounts never shows it.
    let app = App::with(|svc, _| {
        jane(svc);
    });
    assert!(
        !app.text().contains("This database is new"),
        "{}",
        app.text()
    );
}

/// Issue 11, item 3: "Forgot username?" from Sign in. The screen after a known address and
/// after an unknown one is the same, word for word; only the known one gets a message.
#[test]
fn forgot_username_says_the_same_for_any_address() {
    let mut app = App::with(|svc, _| {
        jane(svc);
    });
    app.alt('3');
    assert_eq!(app.screen(), "ForgotUsername");
    snap!(app, "forgot_username");
    app.typed("jane@example.com");
    app.enter();
    let known = app.text();
    snap!(app, "forgot_username_sent");
    app.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    // An address of the same length, so the screens line up character for character.
    app.typed("joan@example.com");
    app.enter();
    let unknown = app.text().replace("joan@example.com", "jane@example.com");
    assert_eq!(known, unknown);
    let store = Store::open(&app.db).unwrap();
    let to_jane = store.outbox(Some("jane@example.com")).unwrap();
    assert!(
        to_jane
            .iter()
            .any(|m| m.subject == "Your username" && m.body.expose().contains("is: jane"))
    );
    assert!(store.outbox(Some("joan@example.com")).unwrap().is_empty());
    app.esc();
    assert_eq!(app.screen(), "SignIn");
}

/// Issue 11, item 4: the recovery code is read from paper, so it shows as typed; after a
/// length error the field is empty, so the code typed again is not glued to the old text.
#[test]
fn the_recovery_code_shows_as_typed_and_a_length_error_empties_the_field() {
    let mut code = None;
    let mut app = App::with(|svc, _| {
        code = Some(jane(svc));
    });
    let code = code.unwrap();
    app.typed("jane");
    app.enter();
    app.alt('1'); // Forgot password?
    app.digit('2'); // Use a different verification option
    app.digit('2'); // I don't have any of these
    assert_eq!(app.screen(), "HaveCode");
    app.typed("ABCDE-FGHJK");
    app.expect("│ABCDE-FGHJK");
    app.enter();
    app.expect("characters");
    assert!(!app.text().contains("ABCDE-FGHJK"), "{}", app.text());
    app.typed(recovery_desk::domain::recovery_code::format(&code).expose());
    app.enter();
    assert_eq!(app.screen(), "CodeShown", "{}", app.text());
}

/// Issue 11, item 6: "Check another username" starts over at the username, empty, not at
/// "What's happening?" for the account before; and a holder who said they have no recovery
/// code is never told to use it.
#[test]
fn the_helper_starts_over_cleanly_and_never_offers_a_code_said_to_be_missing() {
    let mut app = App::with(|svc, _| {
        svc.create_account("nora", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
        svc.generate_recovery_code().unwrap();
    });
    app.typed("nora");
    app.alt('2');
    app.enter();
    for symptom in ['1', '2', '3'] {
        app.digit(symptom);
        // Answer "no" to every question: no password, no codes, no recovery code.
        for _ in 0..4 {
            if !app.text().contains("2  No") {
                break;
            }
            app.digit('2');
        }
        app.expect("Check another username");
        let text = app.text();
        assert!(!text.contains("recovery code gets you in"), "{text}");
        assert!(
            !text.contains("get back in with your recovery code"),
            "{text}"
        );
        // Back to "What's happening?" for the next symptom.
        while !app.text().contains("What's happening?") {
            app.esc();
        }
    }
    // Check another username: the username, empty.
    app.digit('3');
    while app.text().contains("2  No") {
        app.digit('2');
    }
    app.digit('2');
    assert_eq!(app.screen(), "Helper");
    app.expect("Username");
    assert!(!app.text().contains("nora"), "{}", app.text());
    assert!(!app.text().contains("What's happening?"), "{}", app.text());
}

/// The code an authenticator app shows for `key` at the console's clock.
fn app_code_now(app: &App, key: &str) -> String {
    use recovery_desk::clock::Clock;
    use recovery_desk::domain::totp;
    let raw = totp::from_base32(key).unwrap();
    totp::code_at_step(&raw, totp::step_at(app.clock.now().timestamp()))
}

/// Issue 11, item 1: the authenticator app from Manage — the QR screen at 80×24 and at
/// 120×40, the code typed from the key on screen, Manage saying so, the app as the second
/// step, and a replayed code refused.
#[test]
fn an_authenticator_app_is_added_from_manage_and_is_the_second_step() {
    let mut app = App::with(|svc, _| {
        svc.create_account("jane", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
    });
    app.sign_in("jane", PASSWORD);
    app.expect("3  Add authenticator app");
    app.digit('3');
    assert_eq!(app.screen(), "AddApp", "{}", app.text());
    let key = support::screen::app_key(&app.text());
    assert_eq!(key.len(), 32, "{key}");
    snap!(app, "add_app_80x24");
    app.d.terminal.backend_mut().resize(120, 40);
    app.send(Msg::Resize(120, 40));
    snap!(app, "add_app_120x40");
    app.d.terminal.backend_mut().resize(80, 24);
    app.send(Msg::Resize(80, 24));
    let code = app_code_now(&app, &key);
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Manage", "{}", app.text());
    app.expect("Your authenticator app is set up");
    app.expect("Authenticator app  added 2026-11-25");
    snap!(app, "manage_with_app");
    // Two-step verification can go on with the app alone.
    app.digit('4');
    app.enter();
    app.expect("Two-step verification is on.");
    app.esc();
    app.enter();
    app.typed("jane");
    app.enter();
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "SecondStep");
    app.expect("1  Use my authenticator app");
    app.digit('1');
    // The code used to confirm the app, again within its 30 seconds: refused.
    app.typed(&code);
    app.enter();
    app.expect("or it was used already");
    app.clock.advance(chrono::Duration::seconds(30));
    let code = app_code_now(&app, &key);
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Manage", "{}", app.text());
}

/// Issue 11, items 1 and 2: the app's code on the one app-code screen, reached from "Other
/// ways to sign in" (instead of the password; two-step on, so the password follows) and from
/// the recovery options (one proof; the second proof is another way, never the app again).
#[test]
fn the_app_code_screen_signs_in_instead_of_the_password_and_proves_in_recovery() {
    let mut key = String::new();
    let mut app = App::with(|svc, _| {
        sam(svc);
        let new = svc.begin_add_app().unwrap();
        key = new.secret.expose().to_string();
        let raw = recovery_desk::domain::totp::from_base32(&key).unwrap();
        let step = recovery_desk::domain::totp::step_at(svc.now().timestamp());
        svc.confirm_app(&recovery_desk::domain::totp::code_at_step(&raw, step))
            .unwrap();
        svc.sign_out();
    });
    app.clock.advance(Duration::seconds(30));
    app.typed("sam");
    app.enter();
    app.alt('2'); // Other ways to sign in
    app.choose("Use my authenticator app");
    assert_eq!(app.screen(), "AppCode", "{}", app.text());
    snap!(app, "app_code_sign_in");
    let code = app_code_now(&app, &key);
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Password", "{}", app.text());
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "Manage", "{}", app.text());
    app.esc();
    app.enter();

    app.clock.advance(Duration::seconds(30));
    app.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.typed("sam");
    app.enter();
    app.alt('1'); // Forgot password?
    app.choose("Use a different verification option");
    assert_eq!(app.screen(), "Options", "{}", app.text());
    app.choose("Use my authenticator app");
    assert_eq!(app.screen(), "AppCode", "{}", app.text());
    let code = app_code_now(&app, &key);
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "SecondProof", "{}", app.text());
    assert!(
        !app.text().contains("authenticator app"),
        "the app proved once already:\n{}",
        app.text()
    );
    app.choose("Email a code to s•••@example.com");
    let c = app.code_for("sam@example.com");
    app.typed(&c);
    app.enter();
    app.typed(NEW_PASSWORD);
    app.key(KeyCode::Tab);
    app.typed(NEW_PASSWORD);
    app.enter();
    app.expect("Your password was changed. Sign in with it.");
}

/// Issue 11, item 11: two addresses that mask alike (`p•••@example.com`, one removed, one
/// verified) are told apart in the owner's own activity, which shows them in full; everyone
/// else (the desk, the view before sign-in) still sees them masked.
#[test]
fn the_owner_sees_their_own_addresses_in_full_in_their_activity() {
    let mut app = App::with(|svc, _| {
        svc.create_account("pat", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
        let old = support::holder::add_verified(svc, MethodKind::Email, "pat@example.com");
        support::holder::add_verified(svc, MethodKind::Email, "paula@example.com");
        svc.remove_method(old).unwrap();
    });
    app.sign_in("pat", PASSWORD);
    app.expect("Sign-in method removed (pat@example.com)");
    app.expect("Sign-in method verified (paula@example.com)");
    app.expect("Sign-in method verified (pat@example.com)");
    snap!(app, "manage_own_addresses_in_full");
    // The desk's view of the same events: masked, as before.
    let store = Store::open(&app.db).unwrap();
    let id = recovery_desk::store::ReadStore::find_account(
        &store,
        &recovery_desk::domain::identifier::Lookup::Username("pat".into()),
    )
    .unwrap()
    .unwrap()
    .id;
    let view = recovery_desk::store::ReadStore::account_view(&store, id, t0()).unwrap();
    let details: Vec<&str> = view.events.iter().map(|e| e.detail.as_str()).collect();
    assert!(details.contains(&"p•••@example.com"), "{details:?}");
    assert!(
        details
            .iter()
            .all(|d| !d.contains("pat@") && !d.contains("paula@")),
        "{details:?}"
    );
}

#[test]
fn add_verify_and_remove_methods() {
    let mut app = App::with(|svc, _| {
        svc.create_account("jane", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
    });
    app.sign_in("jane", PASSWORD);
    // Issue 11, item 8: what can't succeed is not offered, and the screen says why up front
    // (no "Turn it on?" answered by "add a method first"; no removing from nothing).
    let text = app.text();
    assert!(!text.contains("Turn two-step verification on"), "{text}");
    assert!(!text.contains("Remove a method"), "{text}");
    app.expect("Needs a verified email or phone.");
    app.digit('1');
    snap!(app, "add_email");
    app.typed("not-an-address");
    app.enter();
    snap!(app, "add_email_invalid");
    app.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.paste("jane@example.com");
    app.enter();
    snap!(app, "add_email_code");
    app.typed("000000");
    app.enter();
    snap!(app, "add_email_code_wrong");
    let code = app.code_for("jane@example.com");
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Manage");
    snap!(app, "manage_email_verified");
    app.digit('2');
    snap!(app, "add_phone");
    app.typed("+1 555 010 0199");
    app.enter();
    // Leave the phone unverified.
    app.esc();
    snap!(app, "manage_phone_not_verified");
    app.digit('3');
    snap!(app, "remove_method");
    app.digit('2');
    snap!(app, "remove_method_confirm");
    app.enter();
    assert_eq!(app.screen(), "Manage");
    snap!(app, "manage_method_removed");
    app.choose("Turn two-step verification on");
    app.enter();
    snap!(app, "manage_two_step_on");
    app.esc();
    snap!(app, "sign_out_confirm");
    app.enter();
    assert_eq!(app.screen(), "SignIn");
    snap!(app, "signed_out");
}

#[test]
fn second_step_of_signing_in() {
    let mut app = App::with(|svc, _| {
        sam(svc);
    });
    app.typed("sam");
    app.enter();
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "SecondStep");
    snap!(app, "second_step_choose");
    app.digit('2');
    snap!(app, "second_step_code");
    app.typed("123");
    app.enter();
    snap!(app, "second_step_code_malformed");
    let code = app.code_for("+15550100101");
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Manage");
    snap!(app, "manage_two_step_account");
}

#[test]
fn recovery_code_as_the_second_step_when_no_method_is_left() {
    let mut code = None;
    let mut app = App::with(|svc, db| {
        let c = jane(svc);
        svc.set_two_step(true).unwrap();
        // Her only email goes (removed at the store, as if lost long ago).
        let id = svc.signed_in().unwrap();
        let m = svc.verified_methods(id).unwrap()[0].id;
        Store::open(db).unwrap().remove_method(id, m, t0()).unwrap();
        code = Some(c);
    });
    app.typed("jane");
    app.enter();
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "SecondStep");
    snap!(app, "second_step_recovery_code");
    app.typed("ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ");
    app.enter();
    snap!(app, "second_step_recovery_code_wrong");
    let code = code.unwrap();
    app.typed(&code.expose().to_lowercase());
    app.enter();
    assert_eq!(app.screen(), "CodeShown");
}

#[test]
fn generate_a_recovery_code() {
    let mut app = App::with(|svc, _| {
        svc.create_account("jane", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
        support::holder::add_verified(svc, MethodKind::Email, "jane@example.com");
    });
    app.sign_in("jane", PASSWORD);
    app.choose("Recovery code");
    snap!(app, "recovery_code_none");
    app.enter();
    snap!(app, "recovery_code_warning");
    app.enter();
    assert_eq!(app.screen(), "CodeShown");
    snap!(app, "recovery_code_shown");
    app.typed("ZZZZZ");
    app.enter();
    snap!(app, "recovery_code_confirm_mismatch");
    app.esc();
    snap!(app, "recovery_code_leave_confirm");
    app.digit('2');
    // Type the last group back, lower case (look-alikes and case don't matter).
    let last: String = {
        let Screen::CodeShown(_) = &app.d.app.screen else {
            panic!("not on the code screen")
        };
        let text = app.text();
        let line = text
            .lines()
            .find(|l| l.matches('-').count() == 4 && l.contains('│'))
            .expect("code line")
            .to_string();
        let code: String = line
            .split_whitespace()
            .find(|w| w.matches('-').count() == 4)
            .unwrap()
            .to_string();
        code.rsplit('-').next().unwrap().to_lowercase()
    };
    let shown = app.text();
    // Until it is confirmed, the code screen holds the code.
    let Screen::CodeShown(screen) = &app.d.app.screen else {
        panic!("not on the code screen")
    };
    assert!(screen.holds_code());
    app.typed(&last);
    app.enter();
    assert_eq!(app.screen(), "Manage");
    snap!(app, "manage_code_generated");
    // The code is gone from the screen and from the state.
    let code_line = shown
        .lines()
        .find(|l| l.matches('-').count() == 4 && l.contains('│'))
        .unwrap()
        .to_string();
    let code = code_line
        .split_whitespace()
        .find(|w| w.matches('-').count() == 4)
        .unwrap();
    assert!(!app.text().contains(code));
    let held = state_in_clear(&app.d.app);
    // (The dump reaches the state: the signed-in account and the note are in it.)
    assert!(
        held.contains("jane") && held.contains("Recovery code saved"),
        "{held}"
    );
    for form in [code.to_string(), code.replace('-', "")] {
        assert!(
            !held.contains(&form),
            "the state still holds the code: {held}"
        );
    }
}

/// Everything the console state keeps in clear text after a code was confirmed on Manage
/// how I sign in: the screen, the note, the dialog, the signed-in holder's account view and
/// the job kept for a retry. (`State`'s own `Debug` is a summary, and a `Secret` never
/// prints, so neither could show a code.)
fn state_in_clear(state: &State) -> String {
    let Screen::Manage(screen) = &state.screen else {
        panic!("expected Manage how I sign in, on {}", state.screen.name())
    };
    let ctx = &state.ctx;
    format!(
        "{screen:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        ctx.note, ctx.dialog, ctx.session, ctx.retry
    )
}

/// jane on Manage, active all along (no idle sign-out), but her sign-in is 11 minutes old.
fn jane_signed_in_eleven_minutes_ago() -> App {
    let mut app = App::with(|svc, _| {
        jane(svc);
    });
    app.sign_in("jane", PASSWORD);
    app.clock.advance(Duration::minutes(6));
    app.key(KeyCode::Down);
    app.clock.advance(Duration::minutes(5));
    app.send(Msg::Tick(()));
    app
}

#[test]
fn reauthentication_after_ten_minutes() {
    let mut app = jane_signed_in_eleven_minutes_ago();
    app.choose("Recovery code");
    app.enter();
    app.enter();
    assert_eq!(app.screen(), "Reauth");
    snap!(app, "reauth");
    app.typed("hunter2-bad");
    app.enter();
    snap!(app, "reauth_wrong");
    app.typed(PASSWORD);
    app.enter();
    // The change is retried at once.
    assert_eq!(app.screen(), "CodeShown");
}

#[test]
fn idle_sign_out() {
    let mut app = App::with(|svc, _| {
        jane(svc);
    });
    app.sign_in("jane", PASSWORD);
    app.clock.advance(Duration::minutes(9));
    app.send(Msg::Tick(()));
    assert_eq!(app.screen(), "Manage");
    app.clock.advance(Duration::minutes(1));
    app.send(Msg::Tick(()));
    assert_eq!(app.screen(), "SignIn");
    snap!(app, "idle_signed_out");
}

/// The holder's story (issue 11, item 5): the code was accepted and spent, and a stray Esc on
/// "Set a new password" must not throw the recovery away without asking. Stay is highlighted;
/// leaving says the new code is the one to use next.
#[test]
fn leaving_a_new_password_after_the_code_was_spent_asks_first() {
    let mut code = None;
    let mut app = App::with(|svc, _| {
        code = Some(jane(svc));
    });
    let code = code.unwrap();
    app.typed("jane");
    app.enter();
    app.alt('2'); // Other ways to sign in
    app.digit('1'); // Use my password
    app.alt('1'); // Forgot password?
    app.digit('2'); // Use a different verification option
    app.digit('2'); // I don't have any of these
    app.recover_with(&code);
    assert_eq!(app.screen(), "NewPassword");
    app.esc();
    assert_eq!(app.screen(), "NewPassword");
    snap!(app, "new_password_leave_asks");
    // Enter takes the highlighted choice: stay.
    app.enter();
    assert_eq!(app.screen(), "NewPassword");
    app.esc();
    app.digit('1');
    assert_eq!(app.screen(), "SignIn");
    app.expect("Your recovery code was used up: use the new");
}

#[test]
fn recovery_with_a_code_without_two_step() {
    let mut code = None;
    let mut app = App::with(|svc, _| {
        code = Some(jane(svc));
    });
    let code = code.unwrap();
    // The seed page's labels, in order.
    app.typed("jane");
    app.enter();
    app.alt('2'); // Other ways to sign in
    app.digit('1'); // Use my password
    app.alt('1'); // Forgot password?
    assert_eq!(app.screen(), "VerifyIdentity");
    snap!(app, "verify_identity");
    app.digit('2'); // Use a different verification option
    snap!(app, "verification_options");
    app.digit('2'); // I don't have any of these
    assert_eq!(app.screen(), "HaveCode");
    snap!(app, "have_recovery_code");
    app.typed("abcde");
    app.enter();
    snap!(app, "have_recovery_code_format_error");
    app.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.typed("00000 00000 00000 00000 00000");
    app.enter();
    snap!(app, "have_recovery_code_wrong");
    let typed = recovery_desk::domain::recovery_code::format(&code)
        .expose()
        .to_lowercase()
        .replace('-', " ");
    app.typed(&typed);
    app.enter();
    assert_eq!(app.screen(), "CodeShown");
    snap!(app, "recovery_new_code_shown");
    app.confirm_shown_code();
    assert_eq!(app.screen(), "NewPassword");
    snap!(app, "new_password");
    app.typed("short");
    app.key(KeyCode::Tab);
    app.typed("short");
    app.enter();
    snap!(app, "new_password_too_short");
    app.typed(NEW_PASSWORD);
    app.key(KeyCode::Tab);
    app.typed(NEW_PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "ResetDone");
    snap!(app, "reset_applied");
    app.enter();
    assert_eq!(app.screen(), "Password");
    app.typed(NEW_PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "Manage");
}

#[test]
fn recovery_code_entry_locks_after_five_wrong_codes() {
    let mut app = App::with(|svc, _| {
        jane(svc);
    });
    app.typed("jane");
    app.enter();
    app.alt('1');
    app.digit('2');
    app.digit('2');
    for _ in 0..5 {
        app.typed("00000-00000-00000-00000-00000");
        app.enter();
    }
    snap!(app, "have_recovery_code_locked");
    app.expect("Code entry is locked until 09:45");
}

#[test]
fn recovery_with_two_step_on_waits_thirty_days_and_can_be_cancelled() {
    let mut code = None;
    let mut app = App::with(|svc, _| {
        code = Some(sam(svc));
    });
    let code = code.unwrap();
    app.typed("sam");
    app.enter();
    app.alt('2');
    app.digit('1');
    app.alt('1');
    app.digit('2');
    app.digit('3'); // email, phone, I don't have any of these
    app.recover_with(&code);
    snap!(app, "new_password_pending_note");
    app.typed(NEW_PASSWORD);
    app.key(KeyCode::Tab);
    app.typed(NEW_PASSWORD);
    app.enter();
    snap!(app, "reset_pending");
    app.expect("2026-12-25\u{a0}09:30\u{a0}UTC.");
    // The holder signs in the normal way and is told at once.
    app.enter();
    app.typed(PASSWORD);
    app.enter();
    app.digit('1');
    let c = app.code_for("sam@example.com");
    app.typed(&c);
    app.enter();
    assert_eq!(app.screen(), "PendingNotice");
    snap!(app, "pending_notice");
    app.digit('2');
    assert_eq!(app.screen(), "Manage");
    snap!(app, "manage_pending_change");
    app.choose("Cancel this change");
    snap!(app, "manage_change_cancelled");
    assert!(app.d.jobs.find("sam").unwrap().pending.is_empty());
}

#[test]
fn recovery_with_two_proofs_applies_at_once() {
    let mut code = None;
    let mut app = App::with(|svc, _| {
        code = Some(sam(svc));
    });
    let code = code.unwrap();
    app.typed("sam");
    app.enter();
    app.alt('1'); // Forgot password?
    app.digit('1'); // Email a code to s•••@example.com
    assert_eq!(app.screen(), "MethodCode");
    snap!(app, "recovery_method_code");
    let c = app.code_for("sam@example.com");
    app.typed(&c);
    app.enter();
    assert_eq!(app.screen(), "SecondProof");
    snap!(app, "second_proof");
    app.digit('2'); // Use my recovery code
    app.recover_with(&code);
    app.typed(NEW_PASSWORD);
    app.key(KeyCode::Tab);
    app.typed(NEW_PASSWORD);
    app.enter();
    app.expect("Your password was changed. Sign in with it.");
}

#[test]
fn a_reset_with_two_proofs_says_the_change_that_was_waiting_is_cancelled() {
    let mut app = App::with(|svc, _| {
        let code = sam(svc);
        svc.sign_out();
        // Someone with sam's recovery code made a change that waits 30 days.
        let id = svc.id_of("sam").unwrap();
        svc.check_recovery_code(id, code.expose()).unwrap();
        svc.reset_password(
            id,
            &secret("Velvet-Canyon-Rocket-88"),
            &secret("Velvet-Canyon-Rocket-88"),
        )
        .unwrap();
    });
    app.typed("sam");
    app.enter();
    app.alt('1'); // Forgot password?
    app.digit('1'); // Email a code to s•••@example.com
    let c = app.code_for("sam@example.com");
    app.typed(&c);
    app.enter();
    assert_eq!(app.screen(), "SecondProof");
    app.digit('1'); // Text a code to +1 ••• ••• ••01
    let c = app.code_for("+15550100101");
    app.typed(&c);
    app.enter();
    assert_eq!(app.screen(), "NewPassword");
    app.typed(NEW_PASSWORD);
    app.key(KeyCode::Tab);
    app.typed(NEW_PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "ResetDone");
    snap!(app, "reset_applied_cancelled_pending");
    // What the screen says is so: nothing waits any more, and the new password is in force.
    assert!(app.d.jobs.find("sam").unwrap().pending.is_empty());
    app.clock.advance(Duration::days(31));
    app.send(Msg::Tick(()));
    app.typed("sam");
    app.enter();
    app.typed(NEW_PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "SecondStep");
}

#[test]
fn the_recovery_code_is_offered_as_the_second_step_once_a_recovery_change_took_effect() {
    let mut fresh = None;
    let mut app = App::with(|svc, _| {
        let code = sam(svc);
        svc.sign_out();
        // sam lost his email and phone: he recovered with his code alone, 30 days ago.
        let id = svc.id_of("sam").unwrap();
        match svc.check_recovery_code(id, code.expose()).unwrap() {
            recovery_desk::service::Attempt::Accepted(
                recovery_desk::service::RecoveryCheck::Accepted { new_code },
            ) => fresh = Some(new_code),
            other => panic!("{other:?}"),
        }
        svc.reset_password(id, &secret(NEW_PASSWORD), &secret(NEW_PASSWORD))
            .unwrap();
    });
    app.clock.advance(Duration::days(30));
    // The console sat idle meanwhile (as the real one's ticks would tell it).
    app.send(Msg::Tick(()));
    app.typed("sam");
    app.enter();
    app.typed(NEW_PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "SecondStep", "{}", app.text());
    snap!(app, "second_step_choose_with_recovery_code");
    app.digit('3'); // I don't have any of these: use my recovery code
    snap!(app, "second_step_recovery_code_chosen");
    app.esc();
    app.expect("Where should we send your security code?");
    app.digit('3');
    app.typed(fresh.unwrap().expose());
    app.enter();
    assert_eq!(app.screen(), "CodeShown");
}

#[test]
fn sign_in_helper() {
    let mut app = App::with(|svc, _| {
        svc.create_account("nora", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
        svc.generate_recovery_code().unwrap();
    });
    app.typed("nora");
    app.alt('2');
    snap!(app, "helper_username");
    app.enter();
    snap!(app, "helper_whats_happening");
    app.digit('2');
    snap!(app, "helper_question");
    app.digit('2');
    app.expect("Do you have your recovery code?");
    app.digit('1');
    snap!(app, "helper_diagnosis");
    let text = app.text();
    assert!(!text.contains("customer"), "{text}");
    // Esc takes the last answer back; other answers, another path.
    app.esc();
    app.expect("Do you have your recovery code?");
    app.digit('2');
    snap!(app, "helper_cannot_recover");
    app.key(KeyCode::F(1));
    snap!(app, "help_overlay_helper");
}

/// While Argon2 runs on the worker thread, the loop keeps drawing: frames arrive at the tick
/// rate, never more than 100 ms apart (SPEC §7), and the stale replies of earlier requests
/// are dropped.
#[test]
fn frames_keep_arriving_while_a_hash_runs() {
    use recovery_desk::console::jobs::{Job, Worker};
    use recovery_desk::console::{TICK, run_loop};
    use recovery_desk::tui::terminal::spawn_ticker;
    use std::sync::mpsc;
    use std::time::Instant;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frames.db");
    let clock = TestClock::new(t0());
    let mut setup = Service::new(
        Store::open(&db).unwrap(),
        Box::new(Seeded::new(5)),
        Arc::new(clock.clone()),
    );
    let id = setup
        .create_account("jane", &secret(PASSWORD), &secret(PASSWORD))
        .unwrap();
    drop(setup);

    let (tx, rx) = mpsc::channel();
    let svc = Service::new(
        Store::open(&db).unwrap(),
        Box::new(Seeded::new(6)),
        Arc::new(clock.clone()),
    );
    let worker = Worker::spawn("worker", svc, tx.clone(), |r| Msg::Reply(Box::new(r))).unwrap();
    let _ticker = spawn_ticker(tx.clone(), TICK, || Msg::Tick(())).unwrap();
    let mut state = State::new(
        Theme::plain(),
        FixedOffset::east_opt(0).unwrap(),
        Arc::new(clock.clone()),
    );
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let key = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut frames: Vec<(Instant, bool, &'static str)> = vec![];
    let mut step = 0;
    let script = tx.clone();
    drop(tx);
    run_loop(&mut term, &mut state, &rx, &worker, |st, _| {
        frames.push((Instant::now(), st.is_busy(), st.screen.name()));
        match step {
            0 => {
                for c in "jane".chars() {
                    script.send(key(KeyCode::Char(c))).unwrap();
                }
                script.send(key(KeyCode::Enter)).unwrap();
                step = 1;
            }
            1 if st.screen.name() == "Password" && !st.is_busy() => {
                // Requests nobody waits for, queued ahead of the console's own: the worker
                // spends a few hashes on them first, and their replies must be dropped as stale.
                for n in 0..4 {
                    assert!(worker.send(Request {
                        id: 1000 + n,
                        job: Job::CheckPassword {
                            account_id: id,
                            password: secret(PASSWORD),
                        },
                    }));
                }
                for c in PASSWORD.chars() {
                    script.send(key(KeyCode::Char(c))).unwrap();
                }
                script.send(key(KeyCode::Enter)).unwrap();
                step = 2;
            }
            2 if st.screen.name() == "Manage" => {
                script
                    .send(Msg::Key(KeyEvent::new(
                        KeyCode::Char('c'),
                        KeyModifiers::CONTROL,
                    )))
                    .unwrap();
                step = 3;
            }
            _ => {}
        }
    })
    .unwrap();
    assert_eq!(step, 3, "the script did not finish");
    // The frames drawn while the password check ran (the console waited on the worker).
    let start = frames
        .iter()
        .position(|f| f.1 && f.2 == "Password")
        .expect("a frame while checking the password");
    let end = start
        + frames[start..]
            .iter()
            .position(|f| !f.1)
            .expect("the check ended");
    let waiting = &frames[start..=end];
    assert!(
        waiting.len() >= 3,
        "only {} frames while hashing",
        waiting.len()
    );
    let worst = waiting.windows(2).map(|w| w[1].0 - w[0].0).max().unwrap();
    assert!(
        worst <= std::time::Duration::from_millis(100),
        "a gap of {worst:?} between frames while hashing"
    );
    assert_eq!(state.screen.name(), "Manage");
}

/// The code as a holder types it from paper: lower case, spaces for dashes.
fn from_paper(code: &Secret) -> String {
    recovery_desk::domain::recovery_code::format(code)
        .expose()
        .to_lowercase()
        .replace('-', " ")
}

/// The recovery drill (SPEC §10): Manage how I sign in nudges while the code was never
/// checked; Recovery code → Check a saved code; the two answers, a format error, the lock;
/// the last check shown, and the nudge gone. The typed code is never drawn back.
#[test]
fn check_a_saved_recovery_code() {
    let mut saved = None;
    let mut app = App::with(|svc, _| saved = Some(jane(svc)));
    let code = saved.unwrap();
    app.sign_in("jane", PASSWORD);
    app.expect("Never checked: check your saved copy");
    app.choose("Recovery code");
    assert_eq!(app.screen(), "RecoveryCode");
    snap!(app, "drill_recovery_code_menu");
    app.digit('2');
    assert_eq!(app.screen(), "CheckCode");
    snap!(app, "drill_check_code");
    // Typed from paper, it shows as typed (to compare with the copy) until it is taken.
    app.typed(&from_paper(&code));
    app.expect(&from_paper(&code));
    snap!(app, "drill_check_code_typed");
    app.enter();
    snap!(app, "drill_check_code_works");
    let shown = app.text();
    for form in [
        code.expose().to_string(),
        from_paper(&code),
        recovery_desk::domain::recovery_code::format(&code)
            .expose()
            .to_string(),
    ] {
        assert!(!shown.contains(&form), "the code is drawn:\n{shown}");
    }
    app.typed("00000-00000-00000-00000-00000");
    app.enter();
    snap!(app, "drill_check_code_not_current");
    app.typed("abcde");
    app.enter();
    snap!(app, "drill_check_code_format_error");
    for _ in 0..4 {
        app.typed("00000-00000-00000-00000-00000");
        app.enter();
    }
    snap!(app, "drill_check_code_locked");
    app.esc();
    assert_eq!(app.screen(), "RecoveryCode");
    app.expect("Last checked: 2026-11-25\u{a0}09:30");
    app.esc();
    assert_eq!(app.screen(), "Manage");
    let text = app.text();
    assert!(!text.contains("Never checked"), "{text}");
    assert!(text.contains("Recovery code checked"), "{text}");
}

/// More than 10 minutes after signing in, the password comes before the code is asked for.
#[test]
fn checking_a_saved_code_asks_for_the_password_after_ten_minutes() {
    let mut app = jane_signed_in_eleven_minutes_ago();
    app.choose("Recovery code");
    app.digit('2');
    assert_eq!(app.screen(), "Reauth");
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "CheckCode");
}

/// A code last checked 180 days ago or more: Manage how I sign in says when, and asks again.
#[test]
fn manage_nudges_when_the_last_check_is_180_days_old() {
    let mut app = App::with(|svc, _| {
        let code = jane(svc);
        svc.check_saved_recovery_code(code.expose()).unwrap();
    });
    app.clock.advance(Duration::days(181));
    app.send(Msg::Tick(()));
    app.sign_in("jane", PASSWORD);
    assert_eq!(app.screen(), "Manage");
    snap!(app, "drill_manage_checked_long_ago");
}

// ---------------------------------------------------------------------------------------------
// Hostile text from the database

/// An email address as a hostile writer of the database could leave it: a right-to-left
/// override first, a colour escape, a zero-width space, a window-title sequence and an override
/// inside the domain. Sanitised it reads `evil@example.com`, masked `e•••@example.com` (masking
/// the raw text first would keep the override as the "first letter" and show `•••@…`).
const HOSTILE_EMAIL: &str = "\u{202e}\x1b[31me\u{200b}vil\x1b]0;pwned\x07@exa\u{202e}mple.com";

/// A username with a title sequence, a clear-screen and a right-to-left override.
const HOSTILE_USERNAME: &str = "pat\x1b]0;pwned\x07\x1b[2Jrick\u{202e}";

/// A security event's detail with a clipboard write, a bell and a zero-width joiner.
const HOSTILE_DETAIL: &str = "\x1b]52;c;cHduZWQ=\x07from\u{200d} \u{2066}here\x1b[0m";

/// Fails if anything from the hostile text above reached the screen: a control character, an
/// invisible or bidi character in any cell, or what is left of an escape sequence drawn as text.
fn assert_drawn_harmlessly(app: &App, step: &str) {
    for cell in app.d.backend().buffer().content() {
        let bad = cell.symbol().chars().find(|&c| {
            c.is_control()
                || matches!(
                    c,
                    '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                )
        });
        assert!(
            bad.is_none(),
            "{step}: {bad:?} reached the screen:\n{}",
            app.text()
        );
    }
    let text = app.text();
    for residue in ["pwned", "[31m", "[2J", "]0;", "]52;", "[0m", "cHduZWQ"] {
        assert!(
            !text.contains(residue),
            "{step}: {residue:?} of an escape sequence on screen:\n{text}"
        );
    }
}

#[test]
fn hostile_database_text_is_drawn_harmlessly_on_every_console_screen() {
    let mut app = App::with(|svc, db| {
        svc.create_account("pat", &secret(PASSWORD), &secret(PASSWORD))
            .unwrap();
        support::holder::add_verified(svc, MethodKind::Email, "pat@example.com");
        support::holder::add_verified(svc, MethodKind::Phone, "+15550100101");
        svc.set_two_step(true).unwrap();
        svc.generate_recovery_code().unwrap();
        let c = rusqlite::Connection::open(db).unwrap();
        c.execute(
            "UPDATE sign_in_methods SET address = ?1 WHERE kind = 'email'",
            [HOSTILE_EMAIL],
        )
        .unwrap();
        c.execute(
            "INSERT INTO security_events (account_id, at, kind, detail) \
             SELECT id, '2026-11-25T09:30:00.000Z', 'signed_in', ?1 FROM accounts",
            [HOSTILE_DETAIL],
        )
        .unwrap();
    });
    let masked = "e•••@example.com";

    // Before sign-in, every screen that names a method shows it masked, sanitised first.
    app.typed("pat");
    app.enter();
    assert_eq!(app.screen(), "Password");
    app.alt('1');
    assert_eq!(app.screen(), "VerifyIdentity");
    assert_drawn_harmlessly(&app, "verify identity");
    app.expect(&format!("We'll send a security code to {masked}"));
    app.expect(&format!("Email a code to {masked}"));
    app.digit('2');
    assert_eq!(app.screen(), "Options");
    assert_drawn_harmlessly(&app, "options");
    app.expect(&format!("Email a code to {masked}"));
    app.digit('1');
    assert_eq!(app.screen(), "MethodCode");
    assert_drawn_harmlessly(&app, "method code");
    app.expect(&format!("We sent a code to {masked}"));
    app.alt('1');
    assert_drawn_harmlessly(&app, "method code, sent again");
    app.expect(&format!("We sent a new code to {masked}"));
    app.esc();
    app.esc();
    app.esc();
    assert_eq!(app.screen(), "Password");
    app.alt('2');
    assert_eq!(app.screen(), "OtherWays");
    assert_drawn_harmlessly(&app, "other ways");
    app.expect(masked);
    app.digit('1');
    assert_eq!(app.screen(), "Password");

    // The second step of signing in, by the email.
    app.typed(PASSWORD);
    app.enter();
    assert_eq!(app.screen(), "SecondStep");
    assert_drawn_harmlessly(&app, "second step");
    app.expect(&format!("Email a code to {masked}"));
    app.digit('1');
    assert_drawn_harmlessly(&app, "second step, code sent");
    app.expect(&format!("We sent a code to {masked}"));
    let code = app.code_for(HOSTILE_EMAIL);
    app.typed(&code);
    app.enter();
    assert_eq!(app.screen(), "Manage");
    assert_drawn_harmlessly(&app, "manage");
    app.expect("evil@example.com");
    app.expect("Signed in (from here)");

    // The username changes under the session: the next reply's view brings it.
    rusqlite::Connection::open(&app.db)
        .unwrap()
        .execute("UPDATE accounts SET username = ?1", [HOSTILE_USERNAME])
        .unwrap();
    app.choose("Turn two-step verification off");
    app.enter();
    assert_drawn_harmlessly(&app, "manage, two-step turned off");
    app.expect("Signed in as patrick");
    app.choose("Remove a method");
    assert_eq!(app.screen(), "RemoveMethod");
    assert_drawn_harmlessly(&app, "remove method");
    app.expect("evil@example.com");
    app.digit('1');
    assert_drawn_harmlessly(&app, "remove method, confirm");
    app.expect("evil@example.com");
    app.enter();
    assert_eq!(app.screen(), "Manage");
    assert_drawn_harmlessly(&app, "manage, method removed");
}
