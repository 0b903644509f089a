//! The shape both consoles share (STYLE.md): an [`App`] with a pure `update` and a pure
//! `view`, the one [`Msg`] type a console's channel carries, the [`Cmd`]s `update` returns,
//! the one event mapper ([`message_for`]) and the one loop ([`run`]).
//!
//! The loop blocks on the channel, applies every message already queued (so a burst of keys
//! or a paste costs one frame, not one each), carries out the commands, then draws once. It is
//! generic over the ratatui backend, so tests drive a whole console on `TestBackend` exactly as
//! the binary does on the terminal.

use std::sync::mpsc::Receiver;

use ratatui::Frame;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::layout::Rect;
use zeroize::Zeroizing;

use super::help::HelpRow;
use super::worker::{Request, Worker};

/// Most messages applied between two frames, so a flood of keys still shows progress.
pub const MAX_BATCH: usize = 256;

/// Everything that can happen to a console. `R` is its worker's reply; `T` what its ticker
/// carries (the desk's time, or nothing for the console, which reads its clock seam).
#[derive(Debug)]
pub enum Msg<R, T = ()> {
    Key(KeyEvent),
    /// Pasted text (bracketed paste); wiped when dropped, as it may be a password.
    Paste(Zeroizing<String>),
    Resize(u16, u16),
    /// The ticker: drives the spinner and the idle limit.
    Tick(T),
    /// A worker reply.
    Reply(R),
}

/// The message for a terminal event, if a console cares about it (key releases and focus
/// events are dropped). Both consoles use it, so both wipe a pasted secret.
pub fn message_for<R, T>(ev: Event) -> Option<Msg<R, T>> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Paste(text) => Some(Msg::Paste(Zeroizing::new(text))),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// What `update` asks the loop to do.
#[derive(Debug)]
pub enum Cmd<J> {
    /// Hand a request to the worker.
    Request(Request<J>),
    /// Leave (after the requests issued before it).
    Quit,
    /// Stop with this one-line error (the worker crashed).
    Fail(&'static str),
    /// Put this text on the terminal's clipboard (OSC 52). The text must be sanitised: it
    /// goes to the terminal as it is, base64-encoded.
    Clipboard(String),
}

/// A console: state changed only by `update`, drawn only by `view`.
pub trait App {
    /// The worker's job.
    type Job: Send + 'static;
    /// The worker's reply, as the channel carries it.
    type Reply;
    /// What the ticker carries.
    type Tick;
    /// Applies one message; no I/O.
    fn update(&mut self, msg: Msg<Self::Reply, Self::Tick>) -> Vec<Cmd<Self::Job>>;
    /// Draws the whole frame from a shared reference (it may remember the area it drew in).
    fn view(&self, frame: &mut Frame<'_>);
    /// The key bindings of what is on screen now, as the help overlay lists them.
    fn keys(&self) -> Vec<HelpRow>;
}

/// Why the loop stopped other than by quitting.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot draw on the terminal: {0}")]
    Draw(String),
    #[error("{0}")]
    Worker(&'static str),
}

/// The loop: draw; wait for a message; apply it and every message already queued (at most
/// [`MAX_BATCH`]), carrying out their commands; draw once; again. Returns when a command says
/// quit or every sender is gone. `after_draw` sees each frame drawn (tests wait on it).
/// `worker_gone` is the line reported when the worker no longer takes requests.
pub fn run<B: Backend + super::clipboard::Clipboard, A: App>(
    terminal: &mut Terminal<B>,
    app: &mut A,
    messages: &Receiver<Msg<A::Reply, A::Tick>>,
    worker: &Worker<A::Job>,
    worker_gone: &'static str,
    mut after_draw: impl FnMut(&A, &Buffer),
) -> Result<(), RunError> {
    draw(terminal, app, &mut after_draw)?;
    while let Ok(first) = messages.recv() {
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(msg) = next {
            // After any resize, even one back to the size last drawn, repaint everything: the
            // terminal may have cut or reflowed the screen meanwhile, and ratatui redraws by
            // itself only when the size differs from the last one it drew. (`resize` clears
            // without asking the terminal for the cursor position, unlike `clear`.)
            if matches!(msg, Msg::Resize(..)) {
                let redraw = |t: &mut Terminal<B>| -> Result<(), B::Error> {
                    let size = t.size()?;
                    t.resize(Rect::new(0, 0, size.width, size.height))
                };
                redraw(terminal).map_err(|e| RunError::Draw(e.to_string()))?;
            }
            for cmd in app.update(msg) {
                match cmd {
                    Cmd::Request(r) => {
                        if !worker.send(r) {
                            return Err(RunError::Worker(worker_gone));
                        }
                    }
                    Cmd::Quit => return Ok(()),
                    Cmd::Fail(why) => return Err(RunError::Worker(why)),
                    // Best effort: a terminal that can't take it just doesn't; the screen
                    // says how to copy by hand.
                    Cmd::Clipboard(text) => {
                        let _ = terminal.backend_mut().set_clipboard(&text);
                    }
                }
            }
            handled += 1;
            next = (handled < MAX_BATCH)
                .then(|| messages.try_recv().ok())
                .flatten();
        }
        draw(terminal, app, &mut after_draw)?;
    }
    Ok(())
}

fn draw<B: Backend, A: App>(
    terminal: &mut Terminal<B>,
    app: &A,
    after_draw: &mut impl FnMut(&A, &Buffer),
) -> Result<(), RunError> {
    let frame = terminal
        .draw(|f| app.view(f))
        .map_err(|e| RunError::Draw(e.to_string()))?;
    after_draw(app, frame.buffer);
    Ok(())
}
