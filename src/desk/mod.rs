//! The support desk (`recovery-desk desk`, SPEC §6): an agent signs in, finds one account by
//! an exact identifier, sees its sign-in methods and recovery status, and runs the sign-in
//! helper to tell the customer which self-service path to take.
//!
//! **What the desk can touch.** Nothing here changes an account, by construction:
//! - there is no screen or key that resets a password, sends a link or edits an account;
//! - account data is read through a [`ReadStore`](crate::store::ReadStore), which offers
//!   queries only: a holder write does not compile (`src/store/capability.rs` proves it), and
//!   the SQLite one is a connection opened read-only, so SQLite would refuse it anyway;
//! - the only write is to the [`AuditLog`](crate::store::AuditLog); the SQLite one is a
//!   connection whose authorizer refuses every write but appending audit rows;
//! - this module imports neither the holder's service, nor the holder's store writes, nor the
//!   console's jobs (`tests/desk_readonly.rs` scans the source to keep it so).
//!
//! Runs on the framework in `tui/` ([`App`]): [`state::State`], [`state::Msg`] and a pure
//! [`state::update`] returning [`state::Cmd`]s; a pure [`view::render`]; one channel fed by the
//! input thread, a ticker and the worker thread; [`run_loop`] is the framework's one loop.
//!
//! Files: `state.rs` (state, messages, update), `view.rs` (drawing), `screens/` (one file per
//! screen with its key table), `jobs.rs` (what the worker does: database and Argon2 off the UI
//! thread), `strings.rs` (every word on screen).

pub mod jobs;
pub mod screens;
pub mod state;
pub mod strings;
pub mod view;

use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use chrono::Local;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::clock::SharedClock;
use crate::domain::phone::CallingCode;
use crate::tui::Theme;
use crate::tui::app::{App, RunError, message_for};
use crate::tui::help::HelpRow;
use crate::tui::terminal::{TerminalGuard, spawn_input_thread, spawn_ticker};
use crate::tui::worker::Worker;
pub use jobs::{DeskWorker, Job, Reply, Request};
pub use state::{Cmd, Msg, State, update};
pub use view::render;

/// How often the ticker reports (spinner frames, idle check).
pub const TICK: Duration = Duration::from_millis(100);

/// Runs the desk on the terminal until the agent quits; phone numbers looked up without `+`
/// are read in `default_country` (`desk --default-country`), if given.
pub fn run(
    path: &Path,
    clock: SharedClock,
    default_country: Option<CallingCode>,
) -> anyhow::Result<()> {
    // Open both connections before touching the terminal, so a bad database is reported as
    // one plain line.
    let desk_worker = DeskWorker::open(path, clock.clone())?;
    run_worker(desk_worker, clock, &database_label(path), default_country)
}

/// How the desk names the database it has open, on every screen: its file name (sanitised:
/// it comes from the command line).
pub fn database_label(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    crate::tui::sanitize::sanitize(&name)
}

/// How the desk names `target` on screen: the file's name, or the URL without its password.
pub fn target_label(target: &crate::store::any::Target) -> String {
    match target {
        crate::store::any::Target::File { path, .. } => database_label(path),
        crate::store::any::Target::Postgres { .. } => {
            crate::tui::sanitize::sanitize(&target.label())
        }
    }
}

/// Runs the desk on the terminal with a worker already opened (see [`DeskWorker::open`])
/// over the database named `database` (see [`database_label`]), as [`run`].
pub fn run_worker(
    desk_worker: DeskWorker,
    clock: SharedClock,
    database: &str,
    default_country: Option<CallingCode>,
) -> anyhow::Result<()> {
    let tz = *Local::now().offset();
    let (tx, rx) = mpsc::channel();
    // Declared after the channel, so it is dropped first: the worker finishes what was queued
    // (the sign-out audit row) while its replies can still be sent.
    let worker = Worker::spawn("desk-worker", desk_worker, tx.clone(), Msg::Reply)?;
    let mut guard = TerminalGuard::new()?;
    let size = guard.terminal().size()?;
    let mut state = State::new(
        Theme::from_env(),
        tz,
        clock.now(),
        Rect::new(0, 0, size.width, size.height),
    )
    .on_database(database)
    .with_default_country(default_country);
    spawn_input_thread(tx.clone(), message_for)?;
    let tick_clock = clock.clone();
    spawn_ticker(tx, TICK, move || Msg::Tick(tick_clock.now()))?;
    let result = run_loop(guard.terminal(), &mut state, &rx, &worker, |_| {});
    drop(worker);
    drop(guard);
    result.map_err(Into::into)
}

impl App for State {
    type Job = Job;
    type Reply = Reply;
    type Tick = chrono::DateTime<chrono::Utc>;

    fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        update(self, msg)
    }

    fn view(&self, frame: &mut ratatui::Frame<'_>) {
        render(self, frame)
    }

    fn keys(&self) -> Vec<HelpRow> {
        view::help_for(self)
    }
}

/// The framework's loop ([`crate::tui::app::run`]) over the desk. `after_draw` sees each frame
/// drawn (tests wait on it).
pub fn run_loop<B: Backend + crate::tui::clipboard::Clipboard>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    messages: &Receiver<Msg>,
    worker: &Worker<Job>,
    mut after_draw: impl FnMut(&Buffer),
) -> Result<(), RunError> {
    crate::tui::app::run(
        terminal,
        state,
        messages,
        worker,
        strings::WORKER_STOPPED,
        |_, b| after_draw(b),
    )
}
