//! End-to-end test harness: run a real program inside a pseudo-terminal,
//! feed its output through a `vt100` terminal emulator, and let tests type
//! keys and wait for text to appear on the emulated screen.
//!
//! Synchronisation is always done by polling the screen (or the raw output
//! log, or the child's exit status) against a deadline — never by a bare
//! sleep.
//!
//! ```ignore
//! let mut s = PtySession::builder(bin_path()).env("HOME", dir.path()).spawn()?;
//! s.wait_for("Sign-in methods", DEFAULT_TIMEOUT)?;
//! s.send_keys("q");
//! assert!(s.wait_exit(DEFAULT_TIMEOUT).unwrap().success());
//! ```

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub use portable_pty::ExitStatus;

/// Default deadline for `wait_*` calls in end-to-end tests.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default terminal width.
pub const DEFAULT_COLS: u16 = 80;
/// Default terminal height.
pub const DEFAULT_ROWS: u16 = 24;
/// How often `wait_*` re-checks its condition.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Scrollback kept by the emulator (contents() only shows the visible screen).
const SCROLLBACK: usize = 1000;

/// Path of the crate's binary, built by cargo for integration tests.
pub fn bin_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_recovery-desk"))
}

/// The holder console on `db`, local time pinned to UTC, at its first screen.
pub fn holder_console(db: &Path) -> PtySession {
    let s = PtySession::app()
        .arg("--db")
        .arg(db)
        .env("TZ", "UTC")
        .env_remove("RECOVERY_DESK_DB")
        .spawn()
        .expect("spawn the console");
    s.expect_text("Enter the username of your account.", DEFAULT_TIMEOUT);
    s
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn nz(v: u16, what: &str) -> NonZeroU16 {
    NonZeroU16::new(v).unwrap_or_else(|| panic!("terminal {what} must be non-zero"))
}

/// Builder for a [`PtySession`]: program, args, env, cwd, terminal size.
pub struct PtySessionBuilder {
    cmd: CommandBuilder,
    cwd: Option<PathBuf>,
    cols: u16,
    rows: u16,
    answer_queries: bool,
}

impl PtySessionBuilder {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let mut cmd = CommandBuilder::new(program);
        cmd.env("TERM", "xterm-256color");
        Self {
            cmd,
            cwd: None,
            cols: DEFAULT_COLS,
            rows: DEFAULT_ROWS,
            answer_queries: false,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.cmd.env_remove(key);
        self
    }

    /// Working directory. Defaults to the test process's current directory
    /// (portable-pty on its own would default to `$HOME`).
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Terminal size in columns × rows (default 80×24).
    pub fn size(mut self, cols: u16, rows: u16) -> Self {
        self.cols = cols;
        self.rows = rows;
        self
    }

    /// Whether the reader thread answers terminal queries the way a real
    /// terminal would (cursor position report `CSI 6 n`, primary device
    /// attributes `CSI c`). Off unless a test asks: the product must never
    /// need an answer (a fullscreen ratatui app that asks for the cursor
    /// position hangs on terminals that do not reply; `src/tui/terminal.rs`
    /// guards against it), and answering by default would hide that
    /// regression. vt100 itself never answers.
    pub fn answer_queries(mut self, yes: bool) -> Self {
        self.answer_queries = yes;
        self
    }

    pub fn spawn(self) -> Result<PtySession, String> {
        let Self {
            mut cmd,
            cwd,
            cols,
            rows,
            answer_queries,
        } = self;
        let cwd = match cwd {
            Some(dir) => dir,
            None => std::env::current_dir().map_err(|e| format!("current_dir: {e}"))?,
        };
        cmd.cwd(OsString::from(cwd.as_os_str()));
        let program = cmd.get_argv().first().cloned().unwrap_or_default();

        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| format!("openpty: {e:#}"))?;
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| format!("spawn {}: {e:#}", program.to_string_lossy()))?;
        // Drop our copy of the slave so reads on the master hit EOF/EIO once
        // the child (and anything it forked) has gone away.
        drop(pair.slave);
        let master = pair.master;

        let reader = master
            .try_clone_reader()
            .map_err(|e| format!("clone pty reader: {e:#}"))?;
        let writer: Arc<Mutex<Box<dyn Write + Send>>> = Arc::new(Mutex::new(
            master
                .take_writer()
                .map_err(|e| format!("take pty writer: {e:#}"))?,
        ));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            nz(rows, "rows"),
            nz(cols, "cols"),
            SCROLLBACK,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let eof = Arc::new(AtomicBool::new(false));

        let reader_thread = {
            let parser = Arc::clone(&parser);
            let raw = Arc::clone(&raw);
            let eof = Arc::clone(&eof);
            let responder = answer_queries.then(|| Arc::clone(&writer));
            thread::Builder::new()
                .name("pty-reader".into())
                .spawn(move || reader_loop(reader, parser, raw, eof, responder))
                .map_err(|e| format!("spawn reader thread: {e}"))?
        };

        Ok(PtySession {
            master,
            child,
            writer,
            parser,
            raw,
            eof,
            exit_status: None,
            _reader_thread: reader_thread,
        })
    }
}

/// Tiny scanner for terminal queries that a real terminal would answer.
#[derive(Default)]
struct QueryScanner {
    state: u8,
    params: Vec<u8>,
}

enum Query {
    CursorPosition,
    DeviceAttributes,
}

impl QueryScanner {
    fn feed(&mut self, b: u8) -> Option<Query> {
        match (self.state, b) {
            (_, 0x1b) => {
                self.state = 1;
                None
            }
            (1, b'[') => {
                self.state = 2;
                self.params.clear();
                None
            }
            (2, b'0'..=b'9') if self.params.len() < 4 => {
                self.params.push(b);
                None
            }
            (2, b'n') if self.params == b"6" => {
                self.state = 0;
                Some(Query::CursorPosition)
            }
            (2, b'c') if self.params.is_empty() || self.params == b"0" => {
                self.state = 0;
                Some(Query::DeviceAttributes)
            }
            _ => {
                self.state = 0;
                None
            }
        }
    }
}

fn reader_loop(
    mut reader: Box<dyn Read + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    eof: Arc<AtomicBool>,
    responder: Option<Arc<Mutex<Box<dyn Write + Send>>>>,
) {
    let mut buf = [0u8; 8192];
    let mut scanner = QueryScanner::default();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // EIO on Linux once the slave side is closed.
            Err(_) => break,
        };
        let chunk = &buf[..n];
        lock(&raw).extend_from_slice(chunk);
        let Some(writer) = &responder else {
            lock(&parser).process(chunk);
            continue;
        };
        // Process up to each query before answering it, so the cursor
        // position report reflects the output that preceded the query.
        let mut start = 0;
        for (i, &b) in chunk.iter().enumerate() {
            let Some(query) = scanner.feed(b) else {
                continue;
            };
            let mut p = lock(&parser);
            p.process(&chunk[start..=i]);
            start = i + 1;
            let reply = match query {
                Query::CursorPosition => {
                    let (row, col) = p.screen().cursor_position();
                    format!("\x1b[{};{}R", row + 1, col + 1)
                }
                Query::DeviceAttributes => "\x1b[?62;22c".to_string(),
            };
            drop(p);
            let mut w = lock(writer);
            let _ = w.write_all(reply.as_bytes());
            let _ = w.flush();
        }
        lock(&parser).process(&chunk[start..]);
    }
    eof.store(true, Ordering::SeqCst);
}

/// A program running in a pseudo-terminal, with an emulated screen.
pub struct PtySession {
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    eof: Arc<AtomicBool>,
    exit_status: Option<ExitStatus>,
    // Detached on drop: it ends by itself when the pty reports EOF/EIO.
    _reader_thread: thread::JoinHandle<()>,
}

impl PtySession {
    /// Start building a session for `program`.
    pub fn builder(program: impl AsRef<OsStr>) -> PtySessionBuilder {
        PtySessionBuilder::new(program)
    }

    /// Builder for the crate's own binary (`recovery-desk`).
    pub fn app() -> PtySessionBuilder {
        PtySessionBuilder::new(bin_path())
    }

    /// Spawn `program args…` in an 80×24 terminal with default settings.
    pub fn spawn<S: AsRef<OsStr>>(program: impl AsRef<OsStr>, args: &[S]) -> Result<Self, String> {
        PtySessionBuilder::new(program).args(args).spawn()
    }

    // ---------------------------------------------------------------- input

    /// Write raw bytes to the terminal (as if typed), then flush.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let mut w = lock(&self.writer);
        w.write_all(bytes).expect("write to pty");
        w.flush().expect("flush pty");
    }

    /// Write a string to the terminal verbatim (escape sequences included).
    pub fn send_keys(&mut self, s: &str) {
        self.send_bytes(s.as_bytes());
    }

    /// Enter / Return (`\r`, what a terminal sends).
    pub fn enter(&mut self) {
        self.send_keys("\r");
    }

    /// A lone ESC. crossterm reports Esc when no further bytes follow in
    /// the same read, so don't send another key in the same `send_keys`.
    pub fn esc(&mut self) {
        self.send_keys("\x1b");
    }

    pub fn tab(&mut self) {
        self.send_keys("\t");
    }

    /// Shift+Tab.
    pub fn backtab(&mut self) {
        self.send_keys("\x1b[Z");
    }

    pub fn backspace(&mut self) {
        self.send_keys("\x7f");
    }

    pub fn delete(&mut self) {
        self.send_keys("\x1b[3~");
    }

    pub fn up(&mut self) {
        self.send_keys("\x1b[A");
    }

    pub fn down(&mut self) {
        self.send_keys("\x1b[B");
    }

    pub fn right(&mut self) {
        self.send_keys("\x1b[C");
    }

    pub fn left(&mut self) {
        self.send_keys("\x1b[D");
    }

    pub fn home(&mut self) {
        self.send_keys("\x1b[H");
    }

    pub fn end(&mut self) {
        self.send_keys("\x1b[F");
    }

    pub fn page_up(&mut self) {
        self.send_keys("\x1b[5~");
    }

    pub fn page_down(&mut self) {
        self.send_keys("\x1b[6~");
    }

    /// Ctrl+`c` (letters case-insensitive, plus `@ [ \ ] ^ _ ? space`).
    pub fn ctrl(&mut self, c: char) {
        self.send_bytes(&[ctrl_byte(c)]);
    }

    /// Alt+`c` (ESC prefix).
    pub fn alt(&mut self, c: char) {
        self.send_keys(&format!("\x1b{c}"));
    }

    /// Function key F1–F12 (xterm encodings).
    pub fn f(&mut self, n: u8) {
        self.send_keys(fkey_seq(n));
    }

    /// Bracketed paste of `s` (`ESC[200~ … ESC[201~`).
    pub fn paste(&mut self, s: &str) {
        self.send_keys(&format!("\x1b[200~{s}\x1b[201~"));
    }

    /// Resize both the emulated screen and the pty (the child gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        // Emulator first, so output drawn in response to SIGWINCH lands on a
        // screen of the new size.
        lock(&self.parser).set_size(nz(rows, "rows"), nz(cols, "cols"));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
    }

    // --------------------------------------------------------------- output

    /// Visible screen text (`vt100::Screen::contents`).
    pub fn screen_text(&self) -> String {
        lock(&self.parser).screen().contents()
    }

    /// Run `f` against the current emulated screen (cells, attributes, cursor…).
    pub fn with_screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(lock(&self.parser).screen())
    }

    /// Screen as (cols, rows).
    pub fn size(&self) -> (u16, u16) {
        let (rows, cols) = lock(&self.parser).screen().size();
        (cols.get(), rows.get())
    }

    /// Cursor position as (row, col), 0-based.
    pub fn cursor_position(&self) -> (u16, u16) {
        lock(&self.parser).screen().cursor_position()
    }

    /// Every byte the process has written to the terminal so far.
    pub fn raw_output(&self) -> Vec<u8> {
        lock(&self.raw).clone()
    }

    /// [`raw_output`](Self::raw_output), lossily decoded as UTF-8.
    pub fn raw_output_lossy(&self) -> String {
        String::from_utf8_lossy(&lock(&self.raw)).into_owned()
    }

    /// Number of raw bytes received so far (a mark for `raw_output()[mark..]`).
    pub fn raw_len(&self) -> usize {
        lock(&self.raw).len()
    }

    /// Whether the pty has reported end of output (child and its
    /// descendants have closed the terminal).
    pub fn output_ended(&self) -> bool {
        self.eof.load(Ordering::SeqCst)
    }

    /// A framed, row-numbered dump of the screen for failure messages.
    pub fn screen_dump(&self) -> String {
        let p = lock(&self.parser);
        dump_screen(p.screen())
    }

    // ---------------------------------------------------------------- waits

    /// Poll until the screen contains `text`. Ok(screen text) on success;
    /// Err(message including the full screen) on timeout or if the program's
    /// output ended without the text appearing.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Result<String, String> {
        self.wait_until_described(&format!("text {text:?}"), timeout, |s| {
            s.contents().contains(text)
        })
    }

    /// Poll until the screen contains any of `texts`; Ok((index, screen)).
    pub fn wait_for_any(
        &self,
        texts: &[&str],
        timeout: Duration,
    ) -> Result<(usize, String), String> {
        let mut found = None;
        let screen = self.wait_until_described(&format!("any of {texts:?}"), timeout, |s| {
            let contents = s.contents();
            found = texts.iter().position(|t| contents.contains(t));
            found.is_some()
        })?;
        Ok((found.expect("matched"), screen))
    }

    /// Poll until the screen no longer contains `text`.
    pub fn wait_for_gone(&self, text: &str, timeout: Duration) -> Result<String, String> {
        self.wait_until_described_opts(
            &format!("text {text:?} to disappear"),
            timeout,
            false,
            |s| !s.contents().contains(text),
        )
    }

    /// Poll until `pred(screen)` holds.
    pub fn wait_until(
        &self,
        pred: impl FnMut(&vt100::Screen) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        self.wait_until_described("predicate", timeout, pred)
    }

    /// Like [`wait_until`](Self::wait_until) with a description for the
    /// failure message.
    pub fn wait_until_described(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl FnMut(&vt100::Screen) -> bool,
    ) -> Result<String, String> {
        self.wait_until_described_opts(what, timeout, true, pred)
    }

    fn wait_until_described_opts(
        &self,
        what: &str,
        timeout: Duration,
        fail_on_eof: bool,
        mut pred: impl FnMut(&vt100::Screen) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            // Read the EOF flag *before* checking: the reader sets it only
            // after processing its final bytes, so a check that follows an
            // observed EOF has seen all output there will ever be.
            let ended = self.output_ended();
            {
                let p = lock(&self.parser);
                if pred(p.screen()) {
                    return Ok(p.screen().contents());
                }
            }
            if ended && fail_on_eof {
                return Err(self.failure(what, timeout, "program output ended"));
            }
            if Instant::now() >= deadline {
                return Err(self.failure(what, timeout, "timed out"));
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// Like [`wait_for`](Self::wait_for) but panics with the screen dump.
    pub fn expect_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_for(text, timeout)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Poll until the raw output log contains `needle` (e.g. an escape
    /// sequence such as `"\x1b[?1049l"`).
    pub fn wait_for_raw(&self, needle: &[u8], timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let ended = self.output_ended();
            if contains_bytes(&lock(&self.raw), needle) {
                return Ok(());
            }
            if ended || Instant::now() >= deadline {
                let why = if ended {
                    "program output ended"
                } else {
                    "timed out"
                };
                return Err(self.failure(
                    &format!("raw bytes {:?}", String::from_utf8_lossy(needle)),
                    timeout,
                    why,
                ));
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    fn failure(&self, what: &str, timeout: Duration, why: &str) -> String {
        let exit = match &self.exit_status {
            Some(s) => format!("; child exited: {s}"),
            None => String::new(),
        };
        format!(
            "waiting for {what}: {why} (timeout {timeout:?}{exit})\n{}",
            self.screen_dump()
        )
    }

    // ------------------------------------------------------------ lifecycle

    /// OS process id of the child, if known.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Non-blocking: the exit status if the child has exited.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        if self.exit_status.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            self.exit_status = Some(status);
        }
        self.exit_status.clone()
    }

    pub fn is_alive(&mut self) -> bool {
        self.try_exit_status().is_none()
    }

    /// Wait up to `timeout` for the child to exit. On exit, also waits
    /// (within the same deadline) for the reader to drain the remaining
    /// output, so the screen reflects everything the child wrote.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.try_exit_status() {
                break status;
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(POLL_INTERVAL);
        };
        while !self.output_ended() && Instant::now() < deadline {
            thread::sleep(POLL_INTERVAL);
        }
        Some(status)
    }

    /// Kill the child (SIGHUP, then SIGKILL after a short grace period) and
    /// reap it. No-op if it already exited.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        if let Some(status) = self.try_exit_status() {
            return Some(status);
        }
        let _ = self.child.kill();
        self.wait_exit(Duration::from_secs(5))
    }
}

impl Drop for PtySession {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn dump_screen(screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    let (crow, ccol) = screen.cursor_position();
    let mut out = format!(
        "--- screen {}x{} (cursor row {crow}, col {ccol}{}) ---\n",
        cols.get(),
        rows.get(),
        if screen.alternate_screen() {
            ", alternate screen"
        } else {
            ""
        }
    );
    for (i, row) in screen.rows(0, cols.get()).enumerate() {
        out.push_str(&format!("{i:>3}|{row}\n"));
    }
    out.push_str("--- end of screen ---");
    out
}

/// Byte sent for Ctrl+`c`.
pub fn ctrl_byte(c: char) -> u8 {
    match c.to_ascii_lowercase() {
        l @ 'a'..='z' => l as u8 - b'a' + 1,
        '@' | ' ' | '2' => 0x00,
        '[' | '3' => 0x1b,
        '\\' | '4' => 0x1c,
        ']' | '5' => 0x1d,
        '^' | '6' => 0x1e,
        '_' | '7' | '/' => 0x1f,
        '?' | '8' => 0x7f,
        other => panic!("no control code for {other:?}"),
    }
}

/// xterm escape sequence for function key F`n` (1–12).
pub fn fkey_seq(n: u8) -> &'static str {
    match n {
        1 => "\x1bOP",
        2 => "\x1bOQ",
        3 => "\x1bOR",
        4 => "\x1bOS",
        5 => "\x1b[15~",
        6 => "\x1b[17~",
        7 => "\x1b[18~",
        8 => "\x1b[19~",
        9 => "\x1b[20~",
        10 => "\x1b[21~",
        11 => "\x1b[23~",
        12 => "\x1b[24~",
        _ => panic!("no function key F{n}"),
    }
}
