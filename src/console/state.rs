//! The console's state outside the current screen ([`Ctx`]), its messages ([`Msg`]) and the
//! side effects `update` asks the loop to carry out ([`Cmd`]).

use super::jobs::{Job, Reply};
use crate::clock::SharedClock;
use crate::domain::model::AccountView;
use crate::tui::Theme;
use crate::tui::sanitize::Clean;
use crate::tui::worker::Requests;
use chrono::{DateTime, Duration, FixedOffset, Utc};

use super::screens::Screen;

/// Idle time after which the holder is signed out (SPEC §5).
pub const IDLE_MINUTES: i64 = 10;

/// Everything that can happen to the console (a worker reply is boxed: it carries an
/// account view).
pub type Msg = crate::tui::app::Msg<Box<Reply>>;

/// A side effect for the loop.
pub type Cmd = crate::tui::app::Cmd<Job>;

pub use crate::tui::note::{Note, NoteKind};

/// The signed-in holder: their account as last loaded, its text already sanitised.
#[derive(Debug, Clone)]
pub struct Session {
    pub view: Clean<AccountView>,
}

impl Session {
    pub fn username(&self) -> &str {
        &self.view.account.username
    }
}

/// A yes/no question over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogKind {
    Quit,
    SignOut,
    RemoveMethod {
        method_id: i64,
        address: Clean<String>,
    },
    TwoStep {
        on: bool,
    },
    Generate,
    LeaveCode,
    RemoveApp,
    /// Leaving "Set a new password" after identity was verified; `code_spent` when the
    /// recovery code was used up on it.
    LeaveReset {
        code_spent: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogState {
    pub kind: DialogKind,
    pub selected: usize,
}

/// Everything but the current screen.
pub struct Ctx {
    pub theme: Theme,
    /// Where times are shown (local at start-up; UTC in tests).
    pub tz: FixedOffset,
    pub clock: SharedClock,
    pub session: Option<Session>,
    /// The ids handed out and the request waited for.
    pub requests: Requests,
    pub note: Option<Note>,
    /// Set when a note is written during the current message, so a screen change keeps it.
    pub(crate) note_fresh: bool,
    pub dialog: Option<DialogState>,
    pub help: bool,
    pub too_small: bool,
    pub last_activity: DateTime<Utc>,
    pub tick: u64,
    /// The last privileged job, retried after re-authentication.
    pub retry: Option<Job>,
    /// The database had no account when the console started (and nobody has signed in
    /// since): Sign in says so and points at Create account and `--demo`.
    pub empty_database: bool,
    pub(crate) out: Vec<Cmd>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("signed_in", &self.session.is_some())
            .field("pending", &self.requests.pending)
            .field("note", &self.note)
            .field("dialog", &self.dialog)
            .finish_non_exhaustive()
    }
}

impl Ctx {
    pub fn new(theme: Theme, tz: FixedOffset, clock: SharedClock) -> Ctx {
        let now = clock.now();
        Ctx {
            theme,
            tz,
            clock,
            session: None,
            requests: Requests::default(),
            note: None,
            note_fresh: false,
            dialog: None,
            help: false,
            too_small: false,
            last_activity: now,
            tick: 0,
            retry: None,
            empty_database: false,
            out: vec![],
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Starts a request the screen waits for (a spinner shows the job's
    /// [`busy_label`](Job::busy_label)).
    pub fn request(&mut self, job: Job) -> u64 {
        let label = job.busy_label();
        if job.needs_recent_sign_in() {
            self.retry = Some(job.clone());
        }
        let request = self.requests.wait(job, label);
        let id = request.id;
        self.note = None;
        self.out.push(Cmd::Request(request));
        id
    }

    /// Sends a request nobody waits for: its reply is dropped as stale.
    pub fn fire(&mut self, job: Job) {
        let request = self.requests.fire(job);
        self.out.push(Cmd::Request(request));
    }

    pub fn set_note(&mut self, kind: NoteKind, text: impl Into<String>) {
        self.note = Some(Note::new(kind, text));
        self.note_fresh = true;
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.set_note(NoteKind::Error, text);
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.set_note(NoteKind::Info, text);
    }

    pub fn success(&mut self, text: impl Into<String>) {
        self.set_note(NoteKind::Success, text);
    }

    pub fn ask(&mut self, kind: DialogKind) {
        self.dialog = Some(DialogState { kind, selected: 0 });
    }

    /// Asks with the second choice (stay, don't do it) highlighted: Enter alone keeps what
    /// would be lost.
    pub fn ask_stay(&mut self, kind: DialogKind) {
        self.dialog = Some(DialogState { kind, selected: 1 });
    }

    /// Whether the holder has been idle for [`IDLE_MINUTES`].
    pub fn idle_expired(&self) -> bool {
        self.now() - self.last_activity >= Duration::minutes(IDLE_MINUTES)
    }

    /// The signed-in holder's view, if signed in.
    pub fn view(&self) -> Option<&Clean<AccountView>> {
        self.session.as_ref().map(|s| &s.view)
    }

    /// The signed-in account's id.
    pub fn account_id(&self) -> Option<i64> {
        self.view().map(|v| v.account.id)
    }

    pub fn when(&self, t: DateTime<Utc>) -> String {
        super::strings::when(t, self.tz)
    }

    /// A time in a list whose heading names the zone.
    pub fn stamp(&self, t: DateTime<Utc>) -> String {
        super::strings::stamp(t, self.tz)
    }

    pub fn day(&self, t: DateTime<Utc>) -> String {
        super::strings::day(t, self.tz)
    }

    pub fn until(&self, t: DateTime<Utc>) -> String {
        super::strings::until(t, self.now(), self.tz)
    }
}

/// The whole console state: the current screen and the context around it.
pub struct State {
    pub screen: Screen,
    pub ctx: Ctx,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("screen", &self.screen.name())
            .field("ctx", &self.ctx)
            .finish()
    }
}

impl State {
    /// The console at its first screen.
    pub fn new(theme: Theme, tz: FixedOffset, clock: SharedClock) -> State {
        State {
            screen: Screen::start(),
            ctx: Ctx::new(theme, tz, clock),
        }
    }

    /// Whether the console waits for the worker.
    pub fn is_busy(&self) -> bool {
        self.ctx.requests.is_pending()
    }

    /// The id of the outstanding request, if any.
    pub fn outstanding(&self) -> Option<u64> {
        self.ctx.requests.pending_id()
    }

    /// The current screen's title.
    pub fn title(&self) -> &str {
        self.screen.page().title()
    }
}
