//! The one synchronous driver for tests and benches (cargo feature `testing`): either console
//! on ratatui's `TestBackend`, through its real `update` and `view`, with every worker request
//! answered at once by the same [`Jobs`] the worker thread runs. The clock and the random
//! generator are whatever the caller built the app and its jobs with (the tests' fixed clock
//! and seeded generator, `tests/support/seams.rs`).

use std::collections::VecDeque;
use std::path::Path;

use chrono::{FixedOffset, Offset, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

pub mod pg;

use crate::clock::SharedClock;
use crate::desk::DeskWorker;
use crate::service::Service;
use crate::tui::Theme;
use crate::tui::app::{App, Cmd, Msg};
use crate::tui::worker::{self, Jobs, ReplyOf, Request};

/// The holder console over `service`, its clock `clock` (the one `service` was built with),
/// in UTC, on a `width`×`height` test terminal: sized and drawn as the binary starts.
pub fn console<S: crate::store::HolderStore + crate::store::ReadStore + HasAccounts + 'static>(
    service: Service<S>,
    clock: SharedClock,
    theme: Theme,
    width: u16,
    height: u16,
) -> Driver<crate::console::State, Service<S>> {
    let mut state = crate::console::State::new(theme, utc(), clock);
    state.ctx.empty_database = !service.store().has_accounts().unwrap_or(false);
    let mut d = Driver::new(state, service, Box::new, width, height);
    d.send(Msg::Resize(width, height));
    d
}

/// The support desk over the database at `db` (its key file beside it) with `clock`, in UTC,
/// on a `width`×`height` test terminal.
pub fn desk(
    db: &Path,
    clock: SharedClock,
    theme: Theme,
    width: u16,
    height: u16,
) -> Driver<crate::desk::State, DeskWorker> {
    let now = clock.now();
    let worker = DeskWorker::open(db, clock)
        .unwrap_or_else(|e| panic!("opening the desk over {}: {e}", db.display()));
    let state = crate::desk::State::new(theme, utc(), now, Rect::new(0, 0, width, height))
        .on_database(crate::desk::database_label(db));
    Driver::new(state, worker, |r| r, width, height)
}

fn utc() -> FixedOffset {
    Utc.fix()
}

/// A console and its jobs, driven one message at a time.
pub struct Driver<A: App, H: Jobs<Job = A::Job>> {
    pub app: A,
    pub jobs: H,
    pub terminal: Terminal<TestBackend>,
    /// How many times the app asked to quit.
    pub quits: usize,
    /// What the app put on the clipboard (OSC 52), in order.
    pub clipboard: Vec<String>,
    wrap: fn(ReplyOf<H>) -> A::Reply,
}

impl<A: App, H: Jobs<Job = A::Job>> Driver<A, H> {
    /// `app` over `jobs` on a `width`×`height` test terminal; `wrap` turns a reply into what
    /// the app's channel carries (as the worker's `spawn` does). Draws once.
    pub fn new(app: A, jobs: H, wrap: fn(ReplyOf<H>) -> A::Reply, width: u16, height: u16) -> Self {
        let terminal = Terminal::new(TestBackend::new(width, height))
            .unwrap_or_else(|e| panic!("a test terminal: {e}"));
        let mut d = Driver {
            app,
            jobs,
            terminal,
            quits: 0,
            clipboard: vec![],
            wrap,
        };
        d.draw();
        d
    }

    /// Applies `msg`, answering every request at once (in order), then draws, as the loop
    /// does after a batch.
    pub fn send(&mut self, msg: Msg<A::Reply, A::Tick>) {
        self.run(msg);
        self.draw();
    }

    /// Applies `msg`, answering every request at once (in order), without drawing (a storm
    /// of messages drawn now and then, as a flood is in the loop).
    pub fn run(&mut self, msg: Msg<A::Reply, A::Tick>) {
        let mut queue = VecDeque::from([msg]);
        while let Some(m) = queue.pop_front() {
            for request in self.apply(m) {
                let reply = self.answer(request);
                queue.push_back(Msg::Reply(reply));
            }
        }
    }

    /// Presses `code` with `mods` (answering and drawing, as [`Driver::send`]).
    pub fn press(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    /// Presses `code` alone.
    pub fn key(&mut self, code: KeyCode) {
        self.press(code, KeyModifiers::NONE);
    }

    /// Types `text` one key at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Applies `msg` and returns its requests unanswered (to see a screen while it waits).
    pub fn apply(&mut self, msg: Msg<A::Reply, A::Tick>) -> Vec<Request<A::Job>> {
        let mut out = vec![];
        for cmd in self.app.update(msg) {
            match cmd {
                Cmd::Request(r) => out.push(r),
                Cmd::Quit => self.quits += 1,
                Cmd::Fail(why) => panic!("the console failed: {why}"),
                Cmd::Clipboard(text) => self.clipboard.push(text),
            }
        }
        out
    }

    /// Runs `request` on the jobs, as the worker thread would.
    pub fn answer(&mut self, request: Request<A::Job>) -> A::Reply {
        (self.wrap)(worker::answer(&mut self.jobs, request))
    }

    /// Draws the app.
    pub fn draw(&mut self) {
        let app = &self.app;
        self.terminal
            .draw(|f| app.view(f))
            .unwrap_or_else(|e| panic!("drawing on the test terminal: {e}"));
    }

    /// The test terminal (for `insta::assert_snapshot!(driver.backend())`).
    pub fn backend(&self) -> &TestBackend {
        self.terminal.backend()
    }

    /// What is on the test terminal, as text.
    pub fn text(&self) -> String {
        self.terminal.backend().to_string()
    }
}

/// The cells of `buf`, one line per row (no borders or quotes added), for tests that search
/// the screen for words.
pub fn rows_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// How the service words a one-time code: "Your recovery-desk security code is 123456. …".
const CODE_MARKER: &str = "security code is ";

/// Every one-time code in `text` (message bodies, or what the `outbox` command prints), oldest
/// first: the one place tests and benches read codes out of the outbox.
pub fn codes_in(text: &str) -> Vec<String> {
    text.match_indices(CODE_MARKER)
        .map(|(at, _)| {
            let code = text[at + CODE_MARKER.len()..]
                .chars()
                .take(6)
                .collect::<String>();
            assert!(
                code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
                "not a six-digit code after {CODE_MARKER:?}: {code:?}"
            );
            code
        })
        .collect()
}

/// Every one-time code the outbox of `store` sent to `addr`, oldest first.
pub fn codes_sent_to(store: &impl Outbox, addr: &str) -> Vec<String> {
    store
        .outbox(Some(addr))
        .unwrap_or_else(|e| panic!("reading the outbox: {e}"))
        .iter()
        .flat_map(|m| codes_in(m.body.expose()))
        .collect()
}

/// The newest one-time code the outbox of `store` sent to `addr`.
pub fn last_code(store: &impl Outbox, addr: &str) -> String {
    codes_sent_to(store, addr)
        .pop()
        .unwrap_or_else(|| panic!("no security code was sent to {addr}"))
}

/// What can read the outbox back, on either backend.
pub trait Outbox {
    fn outbox(&self, to: Option<&str>) -> crate::store::Result<Vec<crate::store::outbox::Sent>>;
}

impl Outbox for crate::store::Store {
    fn outbox(&self, to: Option<&str>) -> crate::store::Result<Vec<crate::store::outbox::Sent>> {
        crate::store::Store::outbox(self, to)
    }
}

impl Outbox for crate::store::any::AnyStore {
    fn outbox(&self, to: Option<&str>) -> crate::store::Result<Vec<crate::store::outbox::Sent>> {
        crate::store::any::AnyStore::outbox(self, to)
    }
}

/// Whether a store holds any account (the console's "new database" line), on either backend.
pub trait HasAccounts {
    fn has_accounts(&self) -> crate::store::Result<bool>;
}

impl HasAccounts for crate::store::Store {
    fn has_accounts(&self) -> crate::store::Result<bool> {
        crate::store::Store::has_accounts(self)
    }
}

impl HasAccounts for crate::store::any::AnyStore {
    fn has_accounts(&self) -> crate::store::Result<bool> {
        crate::store::any::AnyStore::has_accounts(self)
    }
}
