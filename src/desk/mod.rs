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
//!   console's worker (`tests/desk_readonly.rs` scans the source to keep it so).
//!
//! Shape (STYLE.md): [`state::State`], [`state::Msg`] and a pure [`state::update`] returning
//! [`state::Cmd`]s; a pure [`view::render`]; one channel fed by the input thread, a ticker and
//! the [`worker`] thread; [`run_loop`] is generic over the ratatui backend so tests drive the
//! whole desk on `TestBackend`.
//!
//! Files: `state.rs` (state, messages, update), `view.rs` (drawing), `screens/` (one file per
//! screen with its key table), `worker.rs` (database and Argon2 off the UI thread),
//! `strings.rs` (every word on screen).

pub mod screens;
pub mod state;
pub mod strings;
pub mod view;
pub mod worker;

use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use chrono::Local;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::Event;
use ratatui::layout::Rect;
use ratatui::{Terminal, crossterm::event::KeyEventKind};

use crate::clock::SharedClock;
use crate::tui::Theme;
use crate::tui::terminal::{TerminalGuard, spawn_input_thread, spawn_ticker};
pub use state::{Cmd, Msg, State, update};
pub use view::render;
pub use worker::{DeskWorker, Reply, Request};

/// How often the ticker reports (spinner frames, idle check).
pub const TICK: Duration = Duration::from_millis(100);

/// Most messages applied between two frames.
const MAX_BATCH: usize = 256;

/// Why the desk stopped other than by quitting.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("cannot draw on the terminal: {0}")]
    Draw(String),
    #[error("the desk's worker thread stopped unexpectedly")]
    WorkerGone,
}

/// Turns a terminal event into a message (key releases and focus events are dropped).
pub fn message_for(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// Runs the desk on the terminal until the agent quits.
pub fn run(path: &Path, clock: SharedClock) -> anyhow::Result<()> {
    // Open both connections before touching the terminal, so a bad database is reported as
    // one plain line.
    let desk_worker = DeskWorker::open(path, clock.clone())?;
    run_worker(desk_worker, clock)
}

/// Runs the desk on the terminal with a worker already opened (see [`DeskWorker::open`]).
pub fn run_worker(desk_worker: DeskWorker, clock: SharedClock) -> anyhow::Result<()> {
    let tz = *Local::now().offset();
    let mut guard = TerminalGuard::new()?;
    let size = guard.terminal().size()?;
    let mut state = State::new(
        Theme::from_env(),
        tz,
        clock.now(),
        Rect::new(0, 0, size.width, size.height),
    );
    let (tx, rx) = mpsc::channel();
    spawn_input_thread(tx.clone(), message_for)?;
    let tick_clock = clock.clone();
    spawn_ticker(tx.clone(), TICK, move || Msg::Tick(tick_clock.now()))?;
    let (requests, worker_thread) = self::worker::spawn(desk_worker, tx, Msg::Reply)?;
    let result = run_loop(guard.terminal(), &mut state, &rx, &requests, |_| {});
    // Let the worker finish what was queued (the sign-out audit row) before leaving.
    drop(requests);
    let _ = worker_thread.join();
    drop(guard);
    result.map_err(Into::into)
}

/// The loop: wait for a message, apply it (and any others already queued), carry out the
/// commands, draw. Returns when a command says quit. `after_draw` sees each frame drawn (tests
/// wait on it).
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    messages: &Receiver<Msg>,
    requests: &Sender<Request>,
    mut after_draw: impl FnMut(&Buffer),
) -> Result<(), DeskError> {
    draw(terminal, state, &mut after_draw)?;
    while let Ok(first) = messages.recv() {
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(msg) = next {
            // After any resize, even one back to the size last drawn, repaint everything: the
            // terminal may have cut or reflowed the screen meanwhile, and ratatui redraws by
            // itself only when the size differs from the last one it drew. (`resize` clears
            // without asking the terminal for the cursor position, unlike `clear`.)
            if matches!(msg, Msg::Resize(..)) {
                let size = terminal
                    .size()
                    .map_err(|e| DeskError::Draw(e.to_string()))?;
                terminal
                    .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
                    .map_err(|e| DeskError::Draw(e.to_string()))?;
            }
            for cmd in update(state, msg) {
                match cmd {
                    Cmd::Request(r) => requests.send(r).map_err(|_| DeskError::WorkerGone)?,
                    Cmd::Quit => return Ok(()),
                }
            }
            handled += 1;
            // Draw at least every so many messages, even under a flood of keys.
            next = (handled < MAX_BATCH)
                .then(|| messages.try_recv().ok())
                .flatten();
        }
        draw(terminal, state, &mut after_draw)?;
    }
    Ok(())
}

fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &State,
    after_draw: &mut impl FnMut(&Buffer),
) -> Result<(), DeskError> {
    let frame = terminal
        .draw(|f| render(state, f))
        .map_err(|e| DeskError::Draw(e.to_string()))?;
    after_draw(frame.buffer);
    Ok(())
}
