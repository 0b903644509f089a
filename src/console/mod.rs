//! The account holder console (the default mode): sign in, **Manage how I sign in**, generate a
//! recovery code, and recover an account with one.
//!
//! Runs on the framework in `tui/` ([`App`](crate::tui::app::App)): a [`State`], messages
//! ([`Msg`]) from one channel fed by the input thread, a ticker and the worker thread;
//! [`update`] changes the state and returns commands ([`Cmd`]) without doing I/O; [`render`]
//! draws from a shared reference; [`run_loop`] is the framework's one loop.
//!
//! - `state.rs`: the state, messages and commands; `update.rs`: the update function.
//! - `jobs.rs`: what the worker thread does with the service (every database call).
//! - `view.rs`: rendering; `keys.rs`: actions, key bindings and the form focus ring.
//! - `strings.rs`: every word on screen; `screens/`: one file per screen.

pub mod jobs;
pub mod keys;
pub mod screens;
pub mod state;
pub mod strings;
pub mod update;
pub mod view;

pub use state::{Cmd, Ctx, Msg, State};
pub use update::update;
pub use view::render;

use crate::clock::SharedClock;
use crate::secret::OsEntropy;
use crate::service::Service;
use crate::store::any::{AnyStore, Target};
use crate::store::{Access, StoreError};
use crate::tui::Theme;
use crate::tui::app::{App, RunError, message_for};
use crate::tui::help::HelpRow;
use crate::tui::terminal::{TerminalGuard, spawn_input_thread, spawn_ticker};
use chrono::Offset;
use jobs::Worker;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How often the ticker sends [`Msg::Tick`](crate::tui::app::Msg::Tick): the spinner's frame
/// rate, and so the longest gap between frames while Argon2 runs (SPEC §7 allows 100 ms).
pub const TICK: Duration = Duration::from_millis(50);

/// Why the console stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot use the terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Runs the console on the terminal over the database at `path` (an SQLite file).
pub fn run(path: &Path, clock: SharedClock) -> anyhow::Result<()> {
    let target = Target::new(path, None)?;
    Ok(run_console(&target, clock)?)
}

/// Runs the console on the terminal over `target`, either backend.
pub fn run_target(target: &Target, clock: SharedClock) -> anyhow::Result<()> {
    Ok(run_console(target, clock)?)
}

fn run_console(target: &Target, clock: SharedClock) -> Result<(), ConsoleError> {
    // Open the store before touching the terminal, so a failure prints as one plain line.
    let store = AnyStore::open(target, Access::Create)?;
    let empty = !store.has_accounts()?;
    let service = Service::new(store, Box::new(OsEntropy), clock.clone());
    let tz = chrono::Local::now().offset().fix();
    let (tx, rx) = mpsc::channel();
    let worker = Worker::spawn("worker", service, tx.clone(), |r| Msg::Reply(Box::new(r)))?;
    let mut guard = TerminalGuard::new()?;
    spawn_input_thread(tx.clone(), message_for)?;
    spawn_ticker(tx.clone(), TICK, || Msg::Tick(()))?;
    let size = guard.terminal().size()?;
    let _ = tx.send(Msg::Resize(size.width, size.height));
    drop(tx);
    let mut state = State::new(Theme::from_env(), tz, clock);
    state.ctx.empty_database = empty;
    Ok(run_loop(
        guard.terminal(),
        &mut state,
        &rx,
        &worker,
        |_, _| {},
    )?)
}

impl App for State {
    type Job = jobs::Job;
    type Reply = Box<jobs::Reply>;
    type Tick = ();

    fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        update(self, msg)
    }

    fn view(&self, frame: &mut ratatui::Frame<'_>) {
        render(self, frame)
    }

    fn keys(&self) -> Vec<HelpRow> {
        view::help_rows(self)
    }
}

/// The framework's loop ([`crate::tui::app::run`]) over the console. `after_draw` sees each
/// frame (tests count frames with it).
pub fn run_loop<B: Backend + crate::tui::clipboard::Clipboard>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    rx: &Receiver<Msg>,
    worker: &Worker<jobs::Job>,
    after_draw: impl FnMut(&State, &Buffer),
) -> Result<(), RunError> {
    crate::tui::app::run(
        terminal,
        state,
        rx,
        worker,
        strings::WORKER_STOPPED,
        after_draw,
    )
}
