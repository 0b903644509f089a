//! Terminal setup and teardown, the panic hook that restores the screen without printing
//! secrets, and the input and tick threads that feed a console's message channel.

use std::io::{self, IsTerminal, Stdout, Write};
use std::panic::{self, Location};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};

/// The terminal type both consoles draw on.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Whether [`init`] has changed the terminal and [`restore`] has not yet undone it. Keeps
/// [`restore`] idempotent and stops it writing escape sequences into piped output when the
/// terminal was never set up (e.g. a panic in the `outbox` command).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Whether standard output is a terminal (the consoles refuse to start otherwise).
pub fn stdout_is_tty() -> bool {
    io::stdout().is_terminal()
}

/// Puts the terminal in raw mode on the alternate screen with bracketed paste, and returns a
/// ratatui terminal drawing to standard output. On failure everything already changed is
/// undone. Pair it with [`restore`], or use [`TerminalGuard`].
pub fn init() -> io::Result<Tui> {
    ACTIVE.store(true, Ordering::SeqCst);
    let setup = || -> io::Result<Tui> {
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        // Clear with a plain escape sequence: `Terminal::clear` would first ask the terminal
        // for the cursor position and wait for the answer, delaying the first frame (and
        // failing outright on a terminal that never answers).
        execute!(
            stdout,
            EnterAlternateScreen,
            EnableBracketedPaste,
            Clear(ClearType::All)
        )?;
        // Test-only hook (tests/panic_restore.rs): with RECOVERY_DESK_TEST_PANIC set, panic
        // right here, in raw mode on the alternate screen, with the variable's value in the
        // payload, to prove that the panic hook restores the terminal and never prints the
        // payload. Compiled into debug builds only (the tests run the debug binary); a
        // release build has no such hook.
        #[cfg(debug_assertions)]
        if let Some(v) = std::env::var_os("RECOVERY_DESK_TEST_PANIC") {
            panic!(
                "forced test panic holding a secret: {}",
                v.to_string_lossy()
            )
        }
        Terminal::new(CrosstermBackend::new(stdout))
    };
    setup().inspect_err(|_| {
        // Best effort: the setup error is the one worth reporting.
        let _ = restore();
    })
}

/// Puts the terminal back as it was: bracketed paste off, main screen, cursor shown, raw mode
/// off. Safe to call any number of times, and does nothing if [`init`] was not called. Every
/// step is tried; the first error is returned.
pub fn restore() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let mut stdout = io::stdout();
    let steps = [
        execute!(stdout, DisableBracketedPaste),
        execute!(stdout, LeaveAlternateScreen),
        execute!(stdout, cursor::Show),
        disable_raw_mode(),
        stdout.flush(),
    ];
    steps.into_iter().collect()
}

/// Owns the terminal for a console's lifetime and restores it when dropped, including when
/// unwinding from a panic.
pub struct TerminalGuard {
    terminal: Tui,
}

impl TerminalGuard {
    /// Sets the terminal up with [`init`].
    pub fn new() -> io::Result<Self> {
        Ok(Self { terminal: init()? })
    }

    /// The terminal to draw on.
    pub fn terminal(&mut self) -> &mut Tui {
        &mut self.terminal
    }
}

impl std::fmt::Debug for TerminalGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalGuard").finish_non_exhaustive()
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // Nothing useful can be done with an error while dropping.
        let _ = restore();
    }
}

/// The one line printed when the program panics. The panic's payload is never included: it
/// could hold a password or a recovery code.
pub fn panic_message(location: Option<&Location<'_>>) -> String {
    match location {
        Some(loc) => format!(
            "recovery-desk: internal error at {}:{} (please report it)",
            loc.file(),
            loc.line()
        ),
        None => "recovery-desk: internal error (please report it)".to_owned(),
    }
}

/// Replaces the panic hook: restore the terminal, then print only [`panic_message`] to
/// standard error. The default hook is not called, so neither the payload nor a backtrace is
/// printed.
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let _ = restore();
        let mut stderr = io::stderr().lock();
        let _ = writeln!(stderr, "{}", panic_message(info.location()));
    }));
}

/// Starts a thread that reads terminal events for ever and sends those `map` turns into
/// messages. It ends when a send fails (the receiver is gone) or the terminal can no longer
/// be read. Because reading blocks, it notices a dropped receiver only at the next event.
/// Fails only if the operating system cannot start a thread.
pub fn spawn_input_thread<M: Send + 'static>(
    tx: Sender<M>,
    map: impl Fn(Event) -> Option<M> + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new().name("input".into()).spawn(move || {
        while let Ok(ev) = event::read() {
            if let Some(msg) = map(ev)
                && tx.send(msg).is_err()
            {
                break;
            }
        }
    })
}

/// Starts a thread that sends `make()` every `every` until the receiver is gone.
/// Fails only if the operating system cannot start a thread.
pub fn spawn_ticker<M: Send + 'static>(
    tx: Sender<M>,
    every: Duration,
    make: impl Fn() -> M + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new().name("ticker".into()).spawn(move || {
        loop {
            thread::sleep(every);
            if tx.send(make()).is_err() {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    #[test]
    fn panic_message_names_the_location_only() {
        let loc = Location::caller();
        let msg = panic_message(Some(loc));
        assert_eq!(
            msg,
            format!(
                "recovery-desk: internal error at {}:{} (please report it)",
                loc.file(),
                loc.line()
            )
        );
        assert!(msg.contains("src/tui/terminal.rs"));
        assert_eq!(
            panic_message(None),
            "recovery-desk: internal error (please report it)"
        );
    }

    #[test]
    fn restore_without_init_is_a_no_op() {
        // Must not write escape sequences (stdout may be a pipe) nor fail, however often.
        assert!(restore().is_ok());
        assert!(restore().is_ok());
    }

    #[test]
    fn ticker_sends_ticks_and_stops_when_receiver_drops() {
        let (tx, rx) = mpsc::channel();
        let handle = spawn_ticker(tx, Duration::from_millis(5), || 7u8).expect("spawn");
        let deadline = Duration::from_secs(5);
        assert_eq!(rx.recv_timeout(deadline), Ok(7));
        assert_eq!(rx.recv_timeout(deadline), Ok(7));
        drop(rx);
        let start = Instant::now();
        while !handle.is_finished() {
            assert!(start.elapsed() < deadline, "ticker did not stop");
            thread::sleep(Duration::from_millis(5));
        }
        assert!(handle.join().is_ok());
    }
}
