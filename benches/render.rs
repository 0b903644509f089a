//! Rendering (SPEC §7: any screen into a 120×40 buffer, ≤ 150 µs median). Each console and
//! desk screen is reached through the real `update` (worker requests answered synchronously,
//! as in the snapshot tests) and then drawn repeatedly: `render` into the frame plus
//! ratatui's diff, which is what every tick costs.

#[allow(dead_code)] // reading a screen; the bench uses the numbered choices
#[path = "../tests/support/screen.rs"]
mod screen;
#[allow(dead_code)] // the test seams; the bench uses some of them
#[path = "../tests/support/seams.rs"]
mod seams;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use recovery_desk::console::{Msg, State};
use recovery_desk::domain::model::MethodKind;
use recovery_desk::domain::model::Purpose;
use recovery_desk::secret::Secret;
use recovery_desk::service::Service;
use recovery_desk::store::Store;
use recovery_desk::testing::{self, Driver};
use recovery_desk::tui::Theme;
use seams::{Seeded, TestClock, t0};
use std::hint::black_box;
use std::sync::Arc;

const W: u16 = 120;
const H: u16 = 40;
const PASSWORD: &str = "correct horse";

struct Console {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    clock: TestClock,
    d: Driver<State, Service>,
}

/// The newest one-time code sent to `address` on `db`.
fn outbox_code(db: &std::path::Path, address: &str) -> String {
    recovery_desk::testing::last_code(&Store::open(db).unwrap(), address)
}

impl Console {
    /// jane: a verified email, a recovery code, two-step off; plus events to fill the screen.
    fn new() -> (Console, Secret) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("render.db");
        let clock = TestClock::new(t0());
        let mut svc = Service::new(
            Store::open(&db).unwrap(),
            Box::new(Seeded::new(7)),
            Arc::new(clock.clone()),
        );
        let pw = Secret::new(PASSWORD);
        svc.create_account("jane", &pw, &pw).unwrap();
        let m = svc
            .add_method(MethodKind::Email, "jane@example.com")
            .unwrap();
        let id = svc.signed_in().unwrap();
        svc.check_code(
            id,
            m,
            Purpose::VerifyMethod,
            &outbox_code(&db, "jane@example.com"),
        )
        .unwrap();
        for _ in 0..8 {
            svc.generate_recovery_code().unwrap();
        }
        let code = svc.generate_recovery_code().unwrap();
        svc.sign_out();
        let c = Console {
            _dir: dir,
            db,
            clock: clock.clone(),
            d: testing::console(svc, Arc::new(clock), Theme::color(), W, H),
        };
        (c, code)
    }

    fn send(&mut self, msg: Msg) {
        self.d.run(msg);
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }
    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }
    fn enter(&mut self) {
        self.key(KeyCode::Enter, KeyModifiers::NONE);
    }
    fn digit(&mut self, d: char) {
        self.key(KeyCode::Char(d), KeyModifiers::NONE);
    }
    fn alt(&mut self, d: char) {
        self.key(KeyCode::Char(d), KeyModifiers::ALT);
    }
    fn screen(&self) -> &'static str {
        self.d.app.screen.name()
    }
    /// Picks the numbered choice labelled `label` on the current screen.
    fn choose(&mut self, label: &str) {
        let text = self.text();
        let digit = screen::choice_digit(&text, label)
            .unwrap_or_else(|| panic!("no numbered choice {label:?}:\n{text}"));
        self.digit(digit);
    }
    /// Back to the empty sign-in screen, however deep the flow was.
    fn back_to_sign_in(&mut self) {
        for _ in 0..12 {
            match self.screen() {
                "SignIn" => {
                    self.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
                    return;
                }
                "Manage" => self.choose("Sign out"),
                _ => self.key(KeyCode::Esc, KeyModifiers::NONE),
            }
        }
        panic!("no way back to Sign in:\n{}", self.text());
    }
    /// The code jane's authenticator app shows now for `key`.
    fn app_code(&self, key: &str) -> String {
        use recovery_desk::clock::Clock;
        use recovery_desk::domain::totp;
        let raw = totp::from_base32(key).unwrap();
        totp::code_at_step(&raw, totp::step_at(self.clock.now().timestamp()))
    }
    fn text(&mut self) -> String {
        self.d.draw();
        self.d.text()
    }

    /// Benchmarks drawing the current screen under `name`, after checking where we are.
    fn bench(&mut self, c: &mut Criterion, name: &str, expect_screen: &str) {
        assert_eq!(self.screen(), expect_screen, "{}", self.text());
        let d = &mut self.d;
        c.bench_function(&format!("render/console/{name}"), |b| {
            b.iter(|| black_box(&mut *d).draw())
        });
    }
}

fn console(c: &mut Criterion) {
    let (mut app, code) = Console::new();
    app.bench(c, "sign_in", "SignIn");
    app.alt('1');
    app.bench(c, "create_account", "CreateAccount");
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    app.alt('2');
    app.bench(c, "helper_username", "Helper");
    app.typed("jane");
    app.enter();
    app.digit('1');
    app.digit('1');
    app.bench(c, "helper_diagnosis", "Helper");
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    while app.screen() != "SignIn" {
        app.key(KeyCode::Esc, KeyModifiers::NONE);
    }
    app.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.typed("jane");
    app.enter();
    app.bench(c, "password", "Password");
    app.alt('2');
    app.bench(c, "other_ways", "OtherWays");
    app.digit('1');
    app.alt('1');
    app.bench(c, "verify_identity", "VerifyIdentity");
    app.digit('2');
    app.bench(c, "verification_options", "Options");
    app.digit('2');
    app.bench(c, "have_recovery_code", "HaveCode");
    app.typed(
        &recovery_desk::domain::recovery_code::format(&code)
            .expose()
            .to_lowercase(),
    );
    app.enter();
    app.bench(c, "new_code_shown", "CodeShown");
    let text = app.text();
    let shown = text
        .split_whitespace()
        .find(|w| w.matches('-').count() == 4 && w.len() == 29)
        .unwrap()
        .to_string();
    app.typed(&shown[24..]);
    app.enter();
    app.bench(c, "new_password", "NewPassword");
    app.typed("battery staple");
    app.key(KeyCode::Tab, KeyModifiers::NONE);
    app.typed("battery staple");
    app.enter();
    app.bench(c, "reset_done", "ResetDone");
    app.enter();
    app.typed("battery staple");
    app.enter();
    app.bench(c, "manage", "Manage");
    app.key(KeyCode::F(1), KeyModifiers::NONE);
    app.bench(c, "help_overlay", "Manage");
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    app.digit('1');
    app.bench(c, "add_email", "AddMethod");
    app.typed("jane.doe@example.org");
    app.enter();
    app.bench(c, "add_email_code", "AddMethod");
    let otc = outbox_code(&app.db, "jane.doe@example.org");
    app.typed(&otc);
    app.enter();
    app.choose("Remove a method");
    app.bench(c, "remove_method", "RemoveMethod");
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    app.choose("Recovery code");
    app.bench(c, "recovery_code", "RecoveryCode");
    app.digit('1');
    app.bench(c, "generate_warning", "RecoveryCode");
    app.digit('1');
    app.bench(c, "code_shown", "CodeShown");
    app.send(Msg::Resize(60, 20));
    app.d.terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
    app.bench(c, "too_small", "CodeShown");
}

/// The screens of the later issues (11 and 12): forgot username, a code instead of the
/// password, the authenticator app (added, asked for), the second step, the second proof of a
/// recovery, checking a saved code and signing in again after ten minutes.
fn console_more(c: &mut Criterion) {
    let (mut app, _) = Console::new();
    app.alt('3');
    app.bench(c, "forgot_username", "ForgotUsername");
    app.back_to_sign_in();
    app.typed("jane");
    app.enter();
    app.alt('2');
    app.choose("Send a code to j•••@example.com");
    app.bench(c, "code_sign_in", "MethodCode");
    let otc = outbox_code(&app.db, "jane@example.com");
    app.typed(&otc);
    app.enter();
    assert_eq!(app.screen(), "Manage", "{}", app.text());
    app.choose("Add authenticator app");
    app.bench(c, "add_app", "AddApp");
    let key = screen::app_key(&app.text());
    let code = app.app_code(&key);
    app.typed(&code);
    app.enter();
    app.choose("Turn two-step verification on");
    app.enter();
    app.choose("Recovery code");
    app.digit('2');
    app.bench(c, "check_code", "CheckCode");
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    app.key(KeyCode::Esc, KeyModifiers::NONE);
    // Eleven minutes since the sign-in, but active within the last ten (no idle sign-out).
    app.clock.advance(chrono::Duration::minutes(6));
    app.key(KeyCode::Down, KeyModifiers::NONE);
    app.clock.advance(chrono::Duration::minutes(5));
    app.choose("Recovery code");
    app.digit('2');
    app.bench(c, "reauth", "Reauth");
    app.back_to_sign_in();
    app.clock.advance(chrono::Duration::seconds(30));
    app.typed("jane");
    app.enter();
    app.typed(PASSWORD);
    app.enter();
    app.bench(c, "second_step", "SecondStep");
    app.choose("Use my authenticator app");
    app.bench(c, "app_code", "AppCode");
    app.back_to_sign_in();
    app.typed("jane");
    app.enter();
    app.alt('1');
    app.digit('1');
    let otc = outbox_code(&app.db, "jane@example.com");
    app.typed(&otc);
    app.enter();
    app.bench(c, "second_proof", "SecondProof");
}

/// The desk over the seeded demo database (agent alex), driven like its snapshot tests.
struct Desk {
    _dir: tempfile::TempDir,
    d: Driver<recovery_desk::desk::State, recovery_desk::desk::DeskWorker>,
}

impl Desk {
    fn new() -> Desk {
        use recovery_desk::store::seed;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let mut store = Store::open(&path).unwrap();
        seed::seed(
            &mut store,
            &seed::demo().unwrap(),
            &mut Seeded::new(7),
            t0(),
        )
        .unwrap();
        drop(store);
        let clock = Arc::new(TestClock::new(t0()));
        Desk {
            _dir: dir,
            d: testing::desk(&path, clock, Theme::color(), W, H),
        }
    }

    fn send(&mut self, msg: recovery_desk::desk::state::Msg) {
        self.d.send(msg);
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(recovery_desk::desk::state::Msg::Key(KeyEvent::new(
            code, mods,
        )));
    }

    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
        self.key(KeyCode::Enter, KeyModifiers::NONE);
    }

    /// Back to Find, however many questions the helper asked.
    fn back_to_find(&mut self) {
        for _ in 0..8 {
            self.d.draw();
            if self.d.text().contains("Username, email, phone or #id") {
                return;
            }
            self.key(KeyCode::Esc, KeyModifiers::NONE);
        }
        panic!("no way back to Find:\n{}", self.d.text());
    }

    fn bench(&mut self, c: &mut Criterion, name: &str, expect: &str) {
        self.d.draw();
        let text = self.d.text();
        assert!(text.contains(expect), "{expect:?} not on screen:\n{text}");
        let d = &mut self.d;
        c.bench_function(&format!("render/desk/{name}"), |b| {
            b.iter(|| black_box(&mut *d).draw())
        });
    }
}

fn desk(c: &mut Criterion) {
    let mut d = Desk::new();
    d.bench(c, "sign_in", "Agent name");
    d.typed("alex");
    d.typed("desk-demo-pass");
    d.bench(c, "find", "Username, email, phone or #id");
    d.typed("sam@example.com");
    d.bench(c, "account_two_step", "Two-step verification");
    d.key(KeyCode::F(1), KeyModifiers::NONE);
    d.bench(c, "help_overlay", "Help");
    d.key(KeyCode::Esc, KeyModifiers::NONE);
    d.key(KeyCode::Char('1'), KeyModifiers::NONE);
    d.bench(c, "helper_question", "What is the customer");
    d.key(KeyCode::Char('1'), KeyModifiers::NONE);
    d.bench(c, "helper_can_get_a_code", "Can the customer get a code");
    d.key(KeyCode::Char('1'), KeyModifiers::NONE);
    d.bench(c, "helper_forgot_password", "Forgot password?");
    d.back_to_find();
    d.typed("penny");
    d.bench(c, "account_pending_change", "penny");
    d.key(KeyCode::Char('1'), KeyModifiers::NONE);
    d.key(KeyCode::Char('3'), KeyModifiers::NONE);
    d.bench(c, "helper_knows_password", "still know their password");
    d.key(KeyCode::Char('1'), KeyModifiers::NONE);
    d.key(KeyCode::Char('1'), KeyModifiers::NONE);
    d.bench(c, "helper_pending_change", "A password change is waiting");
    // Find again, with the accounts looked up listed, and the agent's own password form.
    d.back_to_find();
    d.bench(c, "find_recent", "penny");
    let text = d.d.text();
    let digit = screen::choice_digit(&text, "Change my password")
        .unwrap_or_else(|| panic!("no Change my password:\n{text}"));
    d.key(KeyCode::Char(digit), KeyModifiers::ALT);
    d.bench(c, "change_my_password", "Current password");
}

/// What every frame costs before a screen draws anything: ratatui's buffer reset, the diff
/// against the last frame and the test backend, at 120×40 with nothing drawn.
fn framework(c: &mut Criterion) {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    c.bench_function("render/terminal_only", |b| {
        b.iter(|| {
            t.draw(|_| {}).unwrap();
        })
    });
}

criterion_group!(benches, framework, console, console_more, desk);
criterion_main!(benches);
