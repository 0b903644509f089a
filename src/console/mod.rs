//! The account holder console (the default mode): sign in, **Manage how I sign in**, generate a
//! recovery code, and recover an account with one.
//!
//! Elm-style: a [`State`], messages ([`Msg`]) from one channel fed by the input thread, a
//! ticker and the [`worker`](crate::worker) thread; [`update`] changes the state and returns
//! commands ([`Cmd`]) without doing I/O; [`render`] draws from a shared reference. The loop,
//! [`run_loop`], is generic over the ratatui backend, so tests drive the whole console on a
//! `TestBackend` exactly as the binary does on the terminal.
//!
//! - `state.rs`: the state, messages and commands; `update.rs`: the update function.
//! - `view.rs`: rendering; `keys.rs`: actions, key bindings and the form focus ring.
//! - `strings.rs`: every word on screen; `screens/`: one file per screen.

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
use crate::store::{Store, StoreError};
use crate::tui::Theme;
use crate::tui::terminal::{TerminalGuard, spawn_input_thread, spawn_ticker};
use crate::worker::Worker;
use chrono::Offset;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How often the ticker sends [`Msg::Tick`]: the spinner's frame rate, and so the longest
/// gap between frames while Argon2 runs (SPEC §7 allows 100 ms).
pub const TICK: Duration = Duration::from_millis(50);

/// Why the console stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot use the terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("cannot draw on the terminal: {0}")]
    Draw(String),
    #[error("{0}")]
    Worker(&'static str),
}

/// Runs the console on the terminal over the database at `path`.
pub fn run(path: &Path, clock: SharedClock) -> anyhow::Result<()> {
    Ok(run_console(path, clock)?)
}

fn run_console(path: &Path, clock: SharedClock) -> Result<(), ConsoleError> {
    // Open the store before touching the terminal, so a failure prints as one plain line.
    let store = Store::open(path)?;
    let service = Service::new(store, Box::new(OsEntropy), clock.clone());
    let tz = chrono::Local::now().offset().fix();
    let (tx, rx) = mpsc::channel();
    let worker = Worker::spawn(service, tx.clone(), |r| Msg::Worker(Box::new(r)))?;
    let mut guard = TerminalGuard::new()?;
    spawn_input_thread(tx.clone(), Msg::from_event)?;
    spawn_ticker(tx.clone(), TICK, || Msg::Tick)?;
    let size = guard.terminal().size()?;
    let _ = tx.send(Msg::Resize(size.width, size.height));
    drop(tx);
    let mut state = State::new(Theme::from_env(), tz, clock);
    run_loop(guard.terminal(), &mut state, &rx, &worker, |_, _| {})
}

/// The loop: draw, wait for one message, update, carry out the commands; again. Returns when
/// a command says quit (or every sender is gone). `after_draw` sees each frame (tests count
/// frames with it).
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    rx: &Receiver<Msg>,
    worker: &Worker,
    mut after_draw: impl FnMut(&State, &Terminal<B>),
) -> Result<(), ConsoleError> {
    loop {
        terminal
            .draw(|f| render(state, f))
            .map_err(|e| ConsoleError::Draw(e.to_string()))?;
        after_draw(state, terminal);
        let Ok(msg) = rx.recv() else {
            return Ok(());
        };
        // After any resize, even one back to the size last drawn, repaint everything: the
        // terminal may have cut or reflowed what was on screen meanwhile, and ratatui only
        // redraws by itself when the size it sees differs from the last one. (`resize`
        // clears without asking the terminal for the cursor position, unlike `clear`.)
        if matches!(msg, Msg::Resize(..)) {
            let redraw = |t: &mut Terminal<B>| -> Result<(), B::Error> {
                let size = t.size()?;
                t.resize(Rect::new(0, 0, size.width, size.height))
            };
            redraw(terminal).map_err(|e| ConsoleError::Draw(e.to_string()))?;
        }
        for cmd in update(state, msg) {
            match cmd {
                Cmd::Send(request) => {
                    if !worker.send(request) {
                        return Err(ConsoleError::Worker(strings::WORKER_STOPPED));
                    }
                }
                Cmd::Quit => return Ok(()),
                Cmd::Fail(why) => return Err(ConsoleError::Worker(why)),
            }
        }
    }
}
