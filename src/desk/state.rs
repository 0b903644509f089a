//! The desk's state and its `update`: every key, paste, resize, tick and worker reply goes
//! through [`update`], which changes the state and returns the [`Cmd`]s for the loop to carry
//! out. No I/O happens here: time arrives with [`Msg::Tick`], data with [`Msg::Reply`].

use crate::domain::case_ref::CaseRef;
use crate::domain::model::AccountView;
use crate::domain::phone::CallingCode;
use crate::tui::sanitize::Clean;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::jobs::{ChangeRefusal, Job, JobError, Outcome, Reply, SignInRefusal};
use super::screens::account::{self, AccountScreen};
use super::screens::find::{self, Find};
use super::screens::helper::{self, HelperScreen};
use super::screens::password::{self, PasswordScreen};
use super::screens::sign_in::{self, SignIn};
use super::strings as s;
use crate::tui::Theme;
use crate::tui::help::{closes_help, opens_help};
use crate::tui::keys::{Binding, Key, bind, digit_of, is_actionable, resolve};
use crate::tui::note::Note;
use crate::tui::worker::Requests;

/// How many recent accounts a session offers again (with Find's other choices, they fit an
/// 80×24 terminal).
pub const RECENT_MAX: usize = 4;

/// An idle desk locks after this long (SPEC §6).
pub const IDLE_LIMIT: Duration = Duration::minutes(5);

/// Everything that can happen to the desk; the ticker carries the time now (it drives the
/// spinner and the idle lock).
pub type Msg = crate::tui::app::Msg<Reply, DateTime<Utc>>;

/// What `update` asks the loop to do.
pub type Cmd = crate::tui::app::Cmd<Job>;

/// The current screen.
#[derive(Debug)]
pub enum Screen {
    SignIn(SignIn),
    Find(Find),
    Account(AccountScreen),
    Helper(HelperScreen),
    /// The agent's own password.
    Password(PasswordScreen),
}

/// Which yes/no question is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    Quit,
    SignOut,
}

/// An open dialog: which one and which choice is highlighted (0 = do it, 1 = stay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialog {
    pub kind: DialogKind,
    pub selected: usize,
}

/// Keys of every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Global {
    Help,
    Quit,
}

/// Keys that work everywhere (`?` only when no text field has focus).
pub const GLOBAL_KEYS: &[Binding<Global>] = &[
    bind(&[Key::F(1), Key::Char('?')], s::K_HELP, Global::Help),
    bind(&[Key::Ctrl('c')], s::K_QUIT, Global::Quit),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogAction {
    Select,
    Next,
    Prev,
    Cancel,
}

/// Keys of the yes/no dialogs.
pub const DIALOG_KEYS: &[Binding<DialogAction>] = &[
    bind(&[Key::Enter], s::K_SELECT, DialogAction::Select),
    bind(
        &[Key::Tab, Key::Right, Key::Down],
        s::K_MOVE,
        DialogAction::Next,
    ),
    bind(
        &[Key::BackTab, Key::Left, Key::Up],
        s::K_MOVE_BACK,
        DialogAction::Prev,
    ),
    bind(&[Key::Esc], s::K_DIALOG_CANCEL, DialogAction::Cancel),
];

/// After an idle lock: who was signed in, the account that was open and the case it was
/// open in, reopened (re-read and audited) when the same agent signs in again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub agent: String,
    pub account_id: i64,
    pub case: Option<CaseRef>,
}

/// The whole desk.
#[derive(Debug)]
pub struct State {
    pub theme: Theme,
    /// Times are shown at this offset.
    pub tz: FixedOffset,
    /// The last time the ticker reported.
    pub now: DateTime<Utc>,
    /// The terminal's size.
    pub size: Rect,
    /// Ticks seen (the spinner's frame).
    pub tick: u64,
    /// The signed-in agent.
    pub agent: Option<String>,
    /// The database the desk has open, as shown on every screen (empty: not shown).
    pub database: String,
    /// Where a phone number looked up without `+` is (`desk --default-country`).
    pub default_country: Option<CallingCode>,
    /// After an idle lock: the account to reopen for the same agent. Memory only; a sign-out
    /// forgets it.
    pub resume: Option<Resume>,
    /// The case the agent is working on (typed with the last lookup): the audit rows of
    /// lookups, views and helper runs carry it. Memory only; kept until changed on Find.
    pub case: Option<CaseRef>,
    /// The accounts opened in this session, newest first (at most [`RECENT_MAX`]): offered
    /// again on Find, and the one before as "Back to …". Memory only; a sign-out or an idle
    /// lock clears it.
    pub recent: Vec<super::screens::find::Recent>,
    pub last_activity: DateTime<Utc>,
    pub screen: Screen,
    pub help: bool,
    pub dialog: Option<Dialog>,
    /// The ids handed out and the request the screen waits for; any other reply is stale.
    pub requests: Requests,
}

impl State {
    /// The signed-in agent's name, which every request carries (empty before sign-in).
    fn agent_name(&self) -> String {
        self.agent.clone().unwrap_or_default()
    }

    pub fn new(theme: Theme, tz: FixedOffset, now: DateTime<Utc>, size: Rect) -> Self {
        State {
            theme,
            tz,
            now,
            size,
            tick: 0,
            agent: None,
            database: String::new(),
            default_country: None,
            resume: None,
            case: None,
            recent: vec![],
            last_activity: now,
            screen: Screen::SignIn(SignIn::new()),
            help: false,
            dialog: None,
            requests: Requests::default(),
        }
    }

    /// The same desk, naming `database` on every screen.
    pub fn on_database(mut self, database: impl Into<String>) -> Self {
        self.database = database.into();
        self
    }

    /// The same desk, reading phone numbers typed without `+` in `default_country`.
    pub fn with_default_country(mut self, default_country: Option<CallingCode>) -> Self {
        self.default_country = default_country;
        self
    }

    /// How long until the idle lock, when it is a minute or less away (the desk counts down).
    pub fn locks_in(&self) -> Option<Duration> {
        self.agent.as_ref()?;
        let left = IDLE_LIMIT - (self.now - self.last_activity);
        (left <= Duration::minutes(1) && left > Duration::zero()).then_some(left)
    }

    /// Whether a request is running (the screen shows a spinner and ignores keys).
    pub fn busy(&self) -> bool {
        self.requests.is_pending()
    }

    /// Whether a text field has focus (then `?` and bare digits are text).
    pub fn typing(&self) -> bool {
        match &self.screen {
            Screen::SignIn(_) => true,
            Screen::Find(f) => f.typing(),
            Screen::Password(p) => p.typing(),
            Screen::Account(_) | Screen::Helper(_) => false,
        }
    }

    fn request(&mut self, job: Job, wait: bool) -> Cmd {
        Cmd::Request(if wait {
            // Each screen words its own spinner.
            self.requests.wait(job, "")
        } else {
            self.requests.fire(job)
        })
    }

    /// Leaves the session (sign out, idle lock) and returns the audit request for it.
    fn end_session(&mut self, idle: bool) -> Vec<Cmd> {
        let Some(agent) = self.agent.take() else {
            return vec![];
        };
        self.requests.pending = None;
        self.dialog = None;
        self.help = false;
        self.recent.clear();
        let case = self.case.take();
        let open = match &self.screen {
            Screen::Account(a) => Some(a.view.account.id),
            Screen::Helper(h) => Some(h.view.account.id),
            Screen::SignIn(_) | Screen::Find(_) | Screen::Password(_) => None,
        };
        self.resume = open.filter(|_| idle).map(|account_id| Resume {
            agent: agent.clone(),
            account_id,
            case,
        });
        let (job, screen) = if idle {
            (
                Job::IdleLock {
                    agent: agent.clone(),
                },
                SignIn::again(&agent, Note::info(s::IDLE_LOCKED)),
            )
        } else {
            let mut screen = SignIn::new();
            screen.notice = Some(Note::info(s::SIGNED_OUT));
            (Job::SignOut { agent }, screen)
        };
        // Dropping the old screen drops the account data it held.
        self.screen = Screen::SignIn(screen);
        vec![self.request(job, false)]
    }

    fn quit(&mut self) -> Vec<Cmd> {
        let mut cmds = self.end_session(false);
        cmds.push(Cmd::Quit);
        cmds
    }

    fn go_find(&mut self) {
        self.screen = Screen::Find(Find::with(&self.recent, self.case.as_ref()));
    }

    /// The request that reads account `account_id` for the account screen (a view, audited
    /// in the session's case).
    fn view_job(&self, account_id: i64) -> Job {
        Job::View {
            agent: self.agent_name(),
            account_id,
            case: self.case.clone(),
        }
    }

    /// Shows `view` on the account screen, as this session's newest account, with a way back
    /// to the one before.
    fn open_account(&mut self, view: Box<Clean<AccountView>>) {
        let id = view.account.id;
        let label = s::account_label(&view.account.username, id);
        self.recent.retain(|(r, _)| *r != id);
        let previous = self.recent.first().cloned();
        self.recent.insert(0, (id, label));
        self.recent.truncate(RECENT_MAX);
        self.screen = Screen::Account(AccountScreen::after(view, previous));
    }

    /// Reads account `account_id` again for the account screen (a view, audited).
    fn reopen(&mut self, account_id: i64) -> Vec<Cmd> {
        let job = self.view_job(account_id);
        vec![self.request(job, true)]
    }

    fn notice(&mut self, notice: Note) {
        match &mut self.screen {
            Screen::SignIn(x) => x.notice = Some(notice),
            Screen::Find(x) => x.notice = Some(notice),
            Screen::Account(x) => x.notice = Some(notice),
            Screen::Helper(x) => x.notice = Some(notice),
            Screen::Password(x) => x.notice = Some(notice),
        }
    }
}

/// Applies one message; returns what the loop must do.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Tick(now) => on_tick(state, now),
        Msg::Resize(w, h) => {
            state.size = Rect::new(0, 0, w, h);
            vec![]
        }
        Msg::Key(ev) => on_key(state, &ev),
        Msg::Paste(text) => {
            state.last_activity = state.now;
            if state.help || state.dialog.is_some() || state.busy() {
                return vec![];
            }
            match &mut state.screen {
                Screen::SignIn(x) => x.on_paste(&text),
                Screen::Find(x) => x.on_paste(&text),
                Screen::Password(x) => x.on_paste(&text),
                Screen::Account(_) | Screen::Helper(_) => {}
            }
            vec![]
        }
        Msg::Reply(reply) => on_reply(state, reply),
    }
}

fn on_tick(state: &mut State, now: DateTime<Utc>) -> Vec<Cmd> {
    state.now = now;
    state.tick = state.tick.wrapping_add(1);
    if state.agent.is_some() && now - state.last_activity >= IDLE_LIMIT {
        return state.end_session(true);
    }
    vec![]
}

fn on_key(state: &mut State, ev: &KeyEvent) -> Vec<Cmd> {
    if !is_actionable(ev) {
        return vec![];
    }
    let global = resolve(GLOBAL_KEYS, ev);
    if global == Some(Global::Quit) {
        return state.quit();
    }
    state.last_activity = state.now;
    if state.help {
        if closes_help(ev) {
            state.help = false;
        }
        return vec![];
    }
    if let Some(dialog) = state.dialog {
        return on_dialog_key(state, dialog, ev);
    }
    let help_key = opens_help(ev) && (!state.typing() || !Key::Char('?').matches(ev));
    if help_key {
        state.help = true;
        return vec![];
    }
    if state.busy() {
        return vec![];
    }
    let tz = state.tz;
    match &mut state.screen {
        Screen::SignIn(x) => match x.on_key(ev) {
            sign_in::Outcome::None => vec![],
            sign_in::Outcome::ConfirmQuit => {
                state.dialog = Some(Dialog {
                    kind: DialogKind::Quit,
                    selected: 0,
                });
                vec![]
            }
            sign_in::Outcome::SignIn { name, password } => {
                vec![state.request(Job::SignIn { name, password }, true)]
            }
        },
        Screen::Find(x) => match x.on_key_in(ev, state.default_country) {
            find::Outcome::None => vec![],
            find::Outcome::Lookup(lookup, case) => {
                state.case = case.clone();
                let agent = state.agent_name();
                vec![state.request(
                    Job::Find {
                        agent,
                        lookup,
                        case,
                    },
                    true,
                )]
            }
            find::Outcome::Reopen(account_id, case) => {
                state.case = case;
                state.reopen(account_id)
            }
            find::Outcome::ChangePassword => {
                state.screen = Screen::Password(PasswordScreen::new(&state.agent_name()));
                vec![]
            }
            find::Outcome::SignOut => state.end_session(false),
            find::Outcome::ConfirmSignOut => {
                state.dialog = Some(Dialog {
                    kind: DialogKind::SignOut,
                    selected: 0,
                });
                vec![]
            }
        },
        Screen::Account(x) => match x.on_key(ev) {
            account::Outcome::None => vec![],
            account::Outcome::Helper => {
                let view = x.view.clone();
                state.screen = Screen::Helper(HelperScreen::new(view));
                vec![]
            }
            account::Outcome::FindAnother => {
                state.go_find();
                vec![]
            }
            account::Outcome::SignOut => state.end_session(false),
            account::Outcome::Back(account_id) => state.reopen(account_id),
            account::Outcome::Reload => {
                let account_id = x.view.account.id;
                state.reopen(account_id)
            }
        },
        Screen::Helper(x) => match x.on_key(ev) {
            helper::Outcome::None => vec![],
            helper::Outcome::Diagnose(answers) => {
                let account_id = x.view.account.id;
                let agent = state.agent_name();
                let case = state.case.clone();
                vec![state.request(
                    Job::Helper {
                        agent,
                        account_id,
                        answers,
                        tz,
                        case,
                    },
                    true,
                )]
            }
            helper::Outcome::BackToAccount => {
                let view = x.view.clone();
                state.open_account(view);
                vec![]
            }
            helper::Outcome::FindAnother => {
                state.go_find();
                vec![]
            }
            helper::Outcome::Copy(text) => vec![Cmd::Clipboard(text)],
        },
        Screen::Password(x) => match x.on_key(ev) {
            password::Outcome::None => vec![],
            password::Outcome::Cancel => {
                state.go_find();
                vec![]
            }
            password::Outcome::Change { current, new } => {
                let agent = state.agent_name();
                vec![state.request(
                    Job::ChangePassword {
                        agent,
                        current,
                        new,
                    },
                    true,
                )]
            }
        },
    }
}

fn on_dialog_key(state: &mut State, mut dialog: Dialog, ev: &KeyEvent) -> Vec<Cmd> {
    let choice = match resolve(DIALOG_KEYS, ev) {
        Some(DialogAction::Select) => Some(dialog.selected),
        Some(DialogAction::Next) => {
            dialog.selected = (dialog.selected + 1) % 2;
            None
        }
        Some(DialogAction::Prev) => {
            dialog.selected = (dialog.selected + 1) % 2;
            None
        }
        Some(DialogAction::Cancel) => Some(1),
        None => match digit_of(ev, false) {
            Some(d @ 1..=2) => Some(usize::from(d) - 1),
            _ => {
                if opens_help(ev) {
                    state.help = true;
                }
                None
            }
        },
    };
    state.dialog = Some(dialog);
    match choice {
        None => vec![],
        Some(1) => {
            state.dialog = None;
            vec![]
        }
        Some(_) => {
            state.dialog = None;
            match dialog.kind {
                DialogKind::Quit => state.quit(),
                DialogKind::SignOut => state.end_session(false),
            }
        }
    }
}

/// The one place a worker reply is handled: a crash stops the desk, a stale reply is dropped,
/// a disabled agent locks the desk, any other error is said on the screen; only what a job
/// came to reaches the screens.
fn on_reply(state: &mut State, reply: Reply) -> Vec<Cmd> {
    if matches!(reply.result, Err(JobError::Crashed(_))) {
        return vec![Cmd::Fail(s::WORKER_STOPPED)];
    }
    if !state.requests.answered(reply.id) {
        // Stale: the screen it was for is gone (or it was a fire-and-forget audit row).
        return vec![];
    }
    let outcome = match reply.result {
        Ok(outcome) => outcome,
        Err(JobError::AgentDisabled) => {
            // The worker has recorded why; the session ends here and the screen locks,
            // dropping the account data it held.
            state.agent = None;
            state.case = None;
            state.recent.clear();
            state.dialog = None;
            state.help = false;
            let mut screen = SignIn::new();
            screen.notice = Some(Note::error(s::AGENT_DISABLED_SESSION));
            state.screen = Screen::SignIn(screen);
            return vec![];
        }
        Err(JobError::AuditFailed) => {
            state.notice(Note::error(s::AUDIT_FAILED));
            return vec![];
        }
        Err(JobError::Failed(why)) => {
            state.notice(Note::error(s::store_failed(&why)));
            return vec![];
        }
        Err(JobError::Crashed(_)) => return vec![Cmd::Fail(s::WORKER_STOPPED)],
    };
    match outcome {
        Outcome::SignedIn { agent } => {
            state.agent = Some(agent.clone());
            state.last_activity = state.now;
            state.go_find();
            // Locked while an account was open: the same agent gets it back, read again (and
            // audited as a view); anyone else starts at Find.
            if let Some(resume) = state.resume.take()
                && resume.agent == agent
            {
                state.case = resume.case;
                state.go_find();
                return state.reopen(resume.account_id);
            }
        }
        Outcome::SignInRefused(why) => {
            let text = match why {
                SignInRefusal::Wrong { tries_left } => {
                    format!("{} {}", s::WRONG_CREDENTIALS, s::tries_left(tries_left))
                }
                SignInRefusal::Locked { until } => {
                    s::agent_locked(&super::screens::exact(until, state.tz))
                }
                SignInRefusal::Disabled => s::AGENT_DISABLED.to_string(),
                SignInRefusal::Blocked => s::AGENT_BLOCKED.to_string(),
            };
            state.notice(Note::error(text));
        }
        Outcome::Found { lookup, view } => match (view, &mut state.screen) {
            (Some(view), _) => state.open_account(view),
            (None, Screen::Find(f)) => f.not_found(&lookup),
            (None, _) => {
                let mut f = Find::new();
                f.not_found(&lookup);
                state.screen = Screen::Find(f);
            }
        },
        // A reload keeps the scroll position; the next draw clamps it to the new content.
        Outcome::Viewed(view) => match &mut state.screen {
            Screen::Account(a) if a.view.account.id == view.account.id => a.replace(view),
            _ => state.open_account(view),
        },
        Outcome::Diagnosed {
            view,
            answers,
            next,
        } => match &mut state.screen {
            Screen::Helper(h) => h.show(view, answers, next),
            _ => {
                let mut h = HelperScreen::new(view.clone());
                h.show(view, answers, next);
                state.screen = Screen::Helper(h);
            }
        },
        Outcome::PasswordChanged => {
            state.go_find();
            state.notice(Note::info(s::PASSWORD_CHANGED));
        }
        Outcome::PasswordChangeRefused(why) => {
            let locked = match why {
                ChangeRefusal::WrongCurrent { tries_left } => {
                    refuse_change(state, s::wrong_current_password(tries_left));
                    None
                }
                ChangeRefusal::Unchanged => {
                    refuse_change(state, s::PASSWORD_UNCHANGED.to_string());
                    None
                }
                ChangeRefusal::Locked { until } => Some(s::password_change_locked(
                    &super::screens::exact(until, state.tz),
                )),
                ChangeRefusal::Blocked => Some(s::AGENT_BLOCKED.to_string()),
            };
            // As many wrong passwords as lock a sign-in end this session too: whoever is at
            // the keyboard may not be the agent.
            if let Some(text) = locked {
                let cmds = state.end_session(false);
                state.notice(Note::error(text));
                return cmds;
            }
        }
        Outcome::Recorded => {}
    }
    vec![]
}

/// The password screen says why the change was refused.
fn refuse_change(state: &mut State, why: String) {
    match &mut state.screen {
        Screen::Password(p) => p.refused(why),
        _ => state.notice(Note::error(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::jobs::{Reply, Request};
    use chrono::TimeZone;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap()
    }

    fn state() -> State {
        State::new(
            Theme::plain(),
            FixedOffset::east_opt(0).unwrap(),
            t0(),
            Rect::new(0, 0, 80, 24),
        )
    }

    fn key(s: &mut State, code: KeyCode) -> Vec<Cmd> {
        update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    /// Starts a request, as a screen would, and returns its id.
    fn waiting(s: &mut State) -> u64 {
        let job = Job::SignOut {
            agent: String::new(),
        };
        s.requests.wait(job, "").id
    }

    /// The worker's reply `id`: agent alex signed in.
    fn signed_in_reply(s: &mut State, id: u64) -> Vec<Cmd> {
        let result = Ok(Outcome::SignedIn {
            agent: "alex".into(),
        });
        update(s, Msg::Reply(Reply { id, result }))
    }

    fn signed_in() -> State {
        let mut s = state();
        let id = waiting(&mut s);
        signed_in_reply(&mut s, id);
        assert!(matches!(s.screen, Screen::Find(_)));
        s
    }

    #[test]
    fn question_mark_is_text_in_a_field_but_f1_always_helps() {
        let mut s = state();
        key(&mut s, KeyCode::Char('?'));
        assert!(!s.help);
        key(&mut s, KeyCode::F(1));
        assert!(s.help);
        // Keys other than the close keys do nothing while help is open.
        key(&mut s, KeyCode::Char('x'));
        assert!(s.help);
        key(&mut s, KeyCode::Esc);
        assert!(!s.help && s.dialog.is_none());
    }

    #[test]
    fn quit_dialog_defaults_to_quit_and_esc_stays() {
        let mut s = state();
        key(&mut s, KeyCode::Esc);
        assert_eq!(
            s.dialog,
            Some(Dialog {
                kind: DialogKind::Quit,
                selected: 0
            })
        );
        key(&mut s, KeyCode::Right);
        assert_eq!(s.dialog.map(|d| d.selected), Some(1));
        key(&mut s, KeyCode::Esc);
        assert!(s.dialog.is_none());
        key(&mut s, KeyCode::Esc);
        let cmds = key(&mut s, KeyCode::Enter);
        assert!(matches!(cmds.as_slice(), [Cmd::Quit]), "{cmds:?}");
    }

    #[test]
    fn ctrl_c_signs_out_then_quits() {
        let mut s = signed_in();
        let cmds = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        match cmds.as_slice() {
            [Cmd::Request(r), Cmd::Quit] => {
                assert!(matches!(&r.job, Job::SignOut { agent } if agent == "alex"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn idle_lock_after_five_minutes_of_no_keys() {
        let mut s = signed_in();
        update(&mut s, Msg::Tick(t0() + Duration::minutes(3)));
        key(&mut s, KeyCode::Char('p'));
        // Five minutes after the last key, not after sign-in.
        assert!(update(&mut s, Msg::Tick(t0() + Duration::minutes(7))).is_empty());
        let cmds = update(&mut s, Msg::Tick(t0() + Duration::minutes(8)));
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::Request(Request {
                job: Job::IdleLock { .. },
                ..
            })]
        ));
        assert!(s.agent.is_none());
        match &s.screen {
            Screen::SignIn(x) => assert_eq!(x.name().value(), "alex"),
            _ => panic!("not locked"),
        }
    }

    #[test]
    fn replies_with_another_id_are_dropped() {
        let mut s = state();
        s.requests.fire(Job::SignOut {
            agent: String::new(),
        });
        let id = waiting(&mut s);
        signed_in_reply(&mut s, id - 1);
        assert!(s.agent.is_none());
        assert_eq!(s.requests.pending_id(), Some(id));
    }

    fn typed(s: &mut State, text: &str) {
        for c in text.chars() {
            key(s, KeyCode::Char(c));
        }
    }

    /// The job of the one request `cmds` holds.
    fn job(cmds: &[Cmd]) -> &Job {
        match cmds {
            [Cmd::Request(r)] => &r.job,
            other => panic!("{other:?}"),
        }
    }

    /// The worker's answer to the pending request: account `id` (pat), found or viewed.
    fn answer_with_account(s: &mut State, id: i64) {
        use crate::domain::model::{AccountRow, RecoveryStatus};
        let view = AccountView {
            account: AccountRow {
                id,
                username: "pat".into(),
                two_step: false,
                created_at: t0(),
                password_changed_at: t0(),
            },
            app: None,
            methods: vec![],
            recovery: RecoveryStatus::default(),
            locks: vec![],
            pending: vec![],
            events: vec![],
        };
        let id = s.requests.pending_id().expect("a request waits");
        let result = Ok(Outcome::Viewed(Box::new(Clean::new(view))));
        update(s, Msg::Reply(Reply { id, result }));
    }

    #[test]
    fn the_case_typed_with_a_lookup_goes_on_its_view_and_helper_runs_until_changed() {
        let mut s = signed_in();
        typed(&mut s, "pat");
        key(&mut s, KeyCode::Tab);
        typed(&mut s, "inc-7");
        let cmds = key(&mut s, KeyCode::Enter);
        let inc7 = CaseRef::parse_optional("INC-7").unwrap();
        assert!(matches!(job(&cmds), Job::Find { case, .. } if *case == inc7));
        answer_with_account(&mut s, 7);
        assert!(matches!(s.screen, Screen::Account(_)));
        // Reload (F5) is a view in the same case.
        let cmds = key(&mut s, KeyCode::F(5));
        assert!(matches!(job(&cmds), Job::View { account_id: 7, case, .. } if *case == inc7));
        answer_with_account(&mut s, 7);
        // Find another account: the case is filled in, and a lookup without changing it keeps it.
        key(&mut s, KeyCode::Esc);
        match &s.screen {
            Screen::Find(f) => assert_eq!(f.form.field(1).value(), "INC-7"),
            _ => panic!("not on Find"),
        }
        typed(&mut s, "lou");
        let cmds = key(&mut s, KeyCode::Enter);
        assert!(matches!(job(&cmds), Job::Find { case, .. } if *case == inc7));
        // A sign-out forgets it.
        s.requests.pending = None;
        s.end_session(false);
        assert_eq!(s.case, None);
    }

    #[test]
    fn an_idle_lock_keeps_the_open_account_and_its_case_for_the_same_agent_only() {
        let mut s = signed_in();
        typed(&mut s, "pat");
        key(&mut s, KeyCode::Tab);
        typed(&mut s, "cs-1");
        key(&mut s, KeyCode::Enter);
        answer_with_account(&mut s, 7);
        update(&mut s, Msg::Tick(t0() + IDLE_LIMIT));
        assert_eq!(s.case, None, "nothing of the session is on the lock screen");
        assert!(s.recent.is_empty());
        let id = waiting(&mut s);
        let cmds = signed_in_reply(&mut s, id);
        let cs1 = CaseRef::parse_optional("CS-1").unwrap();
        assert!(matches!(job(&cmds), Job::View { account_id: 7, case, .. } if *case == cs1));
        assert_eq!(s.case, cs1);
    }

    #[test]
    fn a_lookup_is_one_request_and_blocks_keys_until_answered() {
        let mut s = signed_in();
        for c in "pat".chars() {
            key(&mut s, KeyCode::Char(c));
        }
        let cmds = key(&mut s, KeyCode::Enter);
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::Request(Request {
                job: Job::Find { .. },
                ..
            })]
        ));
        assert!(s.busy());
        assert!(key(&mut s, KeyCode::Enter).is_empty());
        key(&mut s, KeyCode::Char('x'));
        match &s.screen {
            Screen::Find(f) => assert_eq!(f.form.field(0).value(), "pat"),
            _ => panic!(),
        }
    }
}
