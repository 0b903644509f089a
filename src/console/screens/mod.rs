//! The console's screens, one file each, and the [`Page`] trait they share.
//!
//! A screen turns keys, pastes, worker replies and dialog answers into a possible next screen
//! ([`Go`]) and requests (through [`Ctx`]); it draws itself from a shared reference.

/// The [`Page`] methods that hand out a screen's one [`Form`] (its field `form`).
macro_rules! form_of {
    () => {
        fn form(&self) -> Option<&crate::console::keys::Form> {
            Some(&self.form)
        }
        fn form_mut(&mut self) -> Option<&mut crate::console::keys::Form> {
            Some(&mut self.form)
        }
    };
}

/// The [`Page`] methods every screen with one [`Form`] and one key table writes the same
/// way: its title, its key table and its form.
macro_rules! form_page {
    ($title:expr, $about:expr, $keys:expr) => {
        fn title(&self) -> &str {
            $title
        }
        fn purpose(&self) -> &'static str {
            $about
        }
        fn keys(&self) -> &'static [crate::tui::keys::Binding<crate::console::keys::Action>] {
            $keys
        }
        form_of!();
    };
}

pub mod add_app;
pub mod add_method;
pub mod app_code;
pub mod check_code;
pub mod code_shown;
pub mod create_account;
pub mod forgot_username;
pub mod have_code;
pub mod helper;
pub mod manage;
pub mod method_code;
pub mod new_password;
pub mod options;
pub mod other_ways;
pub mod password;
pub mod pending_notice;
pub mod reauth;
pub mod recovery_code;
pub mod remove_method;
pub mod reset_done;
pub mod second_proof;
pub mod second_step;
pub mod sign_in;
pub mod verify_identity;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::jobs::Outcome;
use crate::domain::model::{AccountView, MethodKind, MethodRow};
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::keys::{Action, Form};
use super::state::{Cmd, Ctx, DialogKind};
use super::strings as s;

/// The screen to show next, if it changes.
pub type Go = Option<Screen>;

/// What every screen does.
pub trait Page {
    fn title(&self) -> &str;
    /// One sentence saying what the screen is for: the help overlay's first line.
    fn purpose(&self) -> &'static str;
    /// The screen's key table (handler, footer and help all read it).
    fn keys(&self) -> &'static [Binding<Action>];
    /// The screen's form, if it has one (fields and numbered choices).
    fn form(&self) -> Option<&Form> {
        None
    }
    fn form_mut(&mut self) -> Option<&mut Form> {
        None
    }
    /// How many numbered choices the screen shows.
    fn choices(&self) -> usize {
        self.form().map_or(0, |f| f.menu.len())
    }
    /// Whether a text field has focus.
    fn typing(&self) -> bool {
        self.form().is_some_and(Form::typing)
    }
    /// Whether the screen has text fields.
    fn has_fields(&self) -> bool {
        self.form().is_some_and(|f| !f.fields.is_empty())
    }
    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go;
    fn on_paste(&mut self, _ctx: &mut Ctx, text: &str) {
        if let Some(f) = self.form_mut() {
            f.paste(text);
        }
    }
    /// What a job this screen asked for came to (errors never come here: `update` says them
    /// under the screen and calls [`Page::on_failed`]).
    fn on_reply(&mut self, _ctx: &mut Ctx, _outcome: Outcome) -> Go {
        None
    }
    /// A job this screen asked for failed; the error is already said under the screen.
    fn on_failed(&mut self, _ctx: &mut Ctx) -> Go {
        None
    }
    /// The holder said yes to a dialog this screen opened.
    fn on_dialog(&mut self, _ctx: &mut Ctx, _kind: DialogKind) -> Go {
        None
    }
    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect);
}

/// Actions every screen answers the same way.
pub fn common(ctx: &mut Ctx, action: Action) -> Go {
    match action {
        Action::Help => ctx.help = true,
        Action::AskQuit => ctx.ask(DialogKind::Quit),
        Action::Quit => ctx.out.push(Cmd::Quit),
        _ => {}
    }
    None
}

macro_rules! screens {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        /// The screen on display.
        pub enum Screen {
            $($variant($ty)),+
        }

        impl Screen {
            pub fn page(&self) -> &dyn Page {
                match self {
                    $(Screen::$variant(x) => x),+
                }
            }
            pub fn page_mut(&mut self) -> &mut dyn Page {
                match self {
                    $(Screen::$variant(x) => x),+
                }
            }
            /// The screen's name, for debugging and tests.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Screen::$variant(_) => stringify!($variant)),+
                }
            }
        }
    };
}

screens! {
    SignIn(sign_in::SignIn),
    Password(password::Password),
    OtherWays(other_ways::OtherWays),
    SecondStep(second_step::SecondStep),
    CreateAccount(create_account::CreateAccount),
    Manage(manage::Manage),
    AddMethod(add_method::AddMethod),
    RemoveMethod(remove_method::RemoveMethod),
    RecoveryCode(recovery_code::RecoveryCode),
    CodeShown(code_shown::CodeShown),
    Reauth(reauth::Reauth),
    VerifyIdentity(verify_identity::VerifyIdentity),
    Options(options::Options),
    MethodCode(method_code::MethodCode),
    SecondProof(second_proof::SecondProof),
    HaveCode(have_code::HaveCode),
    NewPassword(new_password::NewPassword),
    ResetDone(reset_done::ResetDone),
    PendingNotice(pending_notice::PendingNotice),
    Helper(helper::Helper),
    CheckCode(check_code::CheckCode),
    ForgotUsername(forgot_username::ForgotUsername),
    AddApp(add_app::AddApp),
    AppCode(app_code::AppCode),
}

/// A screen is named, never dumped: it may hold a typed password.
impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Screen {
    /// The first screen.
    pub fn start() -> Screen {
        Screen::SignIn(sign_in::SignIn::new(""))
    }

    /// Whether this is the first screen with nothing typed (idle there changes nothing).
    pub fn is_start(&self) -> bool {
        matches!(self, Screen::SignIn(s) if s.is_empty())
    }
}

/// The screen after a normal sign-in: the pending-change notice when a change waits, else
/// Manage how I sign in.
pub fn after_sign_in(ctx: &Ctx) -> Screen {
    match ctx.view() {
        Some(v) if !v.pending.is_empty() => {
            Screen::PendingNotice(pending_notice::PendingNotice::new())
        }
        _ => Screen::Manage(manage::Manage::new(ctx)),
    }
}

/// Looks up the account for a typed username (sign-in and the helper): an empty or malformed
/// name is said at once; a good one goes to the worker. The screen stays.
pub fn look_up(ctx: &mut Ctx, typed: &str) -> Go {
    match crate::domain::identifier::username(typed.trim()) {
        _ if typed.trim().is_empty() => ctx.error(s::ENTER_USERNAME),
        Ok(username) => {
            ctx.request(crate::console::jobs::Job::Find { username });
        }
        Err(e) => ctx.error(e.to_string()),
    }
    None
}

/// Asks the question `kind` in a dialog; the screen stays.
pub fn ask(ctx: &mut Ctx, kind: DialogKind) -> Go {
    ctx.ask(kind);
    None
}

/// "Account: pat".
pub fn account_line(view: &Clean<AccountView>) -> String {
    s::account_line(&view.account.username)
}

/// "Signed in as pat" for the signed-in holder (empty before the view has loaded).
pub fn signed_in(ctx: &Ctx) -> String {
    ctx.view()
        .map(|v| s::signed_in_as(&v.account.username))
        .unwrap_or_default()
}

/// "Signing in as pat".
pub fn signing_in(view: &Clean<AccountView>) -> String {
    s::signing_in_as(&view.account.username)
}

/// "Email a code to j•••@example.com" / "Text a code to +1 ••• ••• ••01" (masked: the holder is
/// not signed in yet).
pub fn send_label(m: &Clean<MethodRow>) -> String {
    s::send_to(m.kind == MethodKind::Email, &m.masked())
}

/// Takes a field's text out as a secret (the field is left empty, its buffer wiped).
pub fn take_secret(form: &mut Form, i: usize) -> crate::secret::Secret {
    let mut z = form.field_mut(i).take();
    crate::secret::Secret::new(std::mem::take(&mut *z))
}

/// The new password and its confirmation, taken from fields `at` and `at + 1` and checked
/// against the rules for `username`. A refusal is said, keeps what can be kept (a mismatch
/// needs only the confirmation again) and gives `None`.
pub fn new_password(
    ctx: &mut Ctx,
    form: &mut Form,
    at: usize,
    username: &str,
) -> Option<(crate::secret::Secret, crate::secret::Secret)> {
    use crate::domain::password::{self, PasswordRuleError};
    let pass = take_secret(form, at);
    let confirm = take_secret(form, at + 1);
    if let Err(e) = password::check(&pass, &confirm, username) {
        ctx.error(e.to_string());
        if e == PasswordRuleError::Mismatch {
            form.field_mut(at).set_value(pass.expose());
            form.focus_field(at + 1);
        } else {
            form.focus_field(at);
        }
        return None;
    }
    Some((pass, confirm))
}

/// The password typed in field 0, taken out of it; an empty field is said and gives `None`.
pub fn typed_password(ctx: &mut Ctx, form: &mut Form) -> Option<crate::secret::Secret> {
    if form.field(0).is_empty() {
        ctx.error(s::ENTER_PASSWORD);
        return None;
    }
    Some(take_secret(form, 0))
}

/// The recovery code typed in field 0, taken out of it. An empty field, or a typo in the shape
/// of the code, is said at once, costs no try and gives `None`.
pub fn typed_recovery_code(ctx: &mut Ctx, form: &mut Form) -> Option<crate::secret::Secret> {
    if form.field(0).is_empty() {
        ctx.error(s::ENTER_RECOVERY_CODE);
        return None;
    }
    if let Err(e) = crate::domain::recovery_code::normalise(form.field(0).value()) {
        // A field with a format error is cleared (SPEC §5); the message says what was wrong.
        ctx.error(e.to_string());
        form.field_mut(0).clear();
        return None;
    }
    Some(take_secret(form, 0))
}

/// A masked field for a six-digit code, then `choices`.
pub fn code_form(choices: &[&str]) -> Form {
    Form::new(
        vec![crate::tui::TextField::masked(s::FIELD_CODE, 12)],
        choices,
    )
}

/// A masked password field.
pub fn password_field(label: &str) -> crate::tui::TextField {
    crate::tui::TextField::masked(label, crate::domain::password::MAX_CHARS)
}

/// Checks the code typed in `form`'s first field looks like a code; says why not.
pub fn typed_code(ctx: &mut Ctx, form: &mut Form) -> Option<crate::secret::Secret> {
    let code = take_secret(form, 0);
    if crate::domain::one_time::normalise(code.expose()).is_none() {
        ctx.error(s::ENTER_CODE);
        return None;
    }
    Some(code)
}

/// Says what a recovery code check came to; the fresh code (shown once) when it was right.
pub fn recovery_outcome(
    ctx: &mut Ctx,
    r: crate::service::Attempt<crate::service::RecoveryCheck>,
) -> Option<crate::secret::Secret> {
    use crate::service::{Attempt, RecoveryCheck};
    match r {
        Attempt::Accepted(RecoveryCheck::Accepted { new_code }) => return Some(new_code),
        Attempt::Accepted(RecoveryCheck::Format(e)) => ctx.error(e.to_string()),
        Attempt::Accepted(RecoveryCheck::NoCode) => ctx.error(s::NO_CODE_ON_ACCOUNT),
        Attempt::Wrong { tries_left } => ctx.error(s::recovery_wrong(tries_left)),
        Attempt::LockedNow { until } | Attempt::Locked { until } => {
            let u = ctx.until(until);
            ctx.error(s::recovery_locked(&u));
        }
        Attempt::Blocked => ctx.error(s::RECOVERY_BLOCKED),
    }
    None
}

/// Says what a one-time code check came to; `true` when the code was right.
pub fn code_outcome(ctx: &mut Ctx, r: crate::service::Attempt<crate::service::CodeCheck>) -> bool {
    use crate::service::{Attempt, CodeCheck};
    match r {
        Attempt::Accepted(CodeCheck::Ok) => return true,
        Attempt::Accepted(CodeCheck::Wrong {
            code_tries_left, ..
        }) => ctx.error(s::code_wrong(code_tries_left)),
        Attempt::Accepted(CodeCheck::NoActiveCode) => ctx.error(s::CODE_EXPIRED),
        Attempt::Accepted(CodeCheck::Malformed) => ctx.error(s::ENTER_CODE),
        Attempt::Wrong { tries_left } => ctx.error(s::code_wrong(tries_left)),
        Attempt::LockedNow { until } | Attempt::Locked { until } => {
            let u = ctx.until(until);
            ctx.error(s::code_locked(&u));
        }
        Attempt::Blocked => ctx.error(s::CODE_BLOCKED),
    }
    false
}

/// [`code_outcome`] for a code from the authenticator app (no per-code tries: a wrong code
/// counts toward the lockout, and a used one is wrong until the app shows the next).
pub fn app_code_outcome(
    ctx: &mut Ctx,
    r: crate::service::Attempt<crate::service::CodeCheck>,
) -> bool {
    use crate::service::{Attempt, CodeCheck};
    match r {
        Attempt::Accepted(CodeCheck::Wrong { tries_left, .. }) | Attempt::Wrong { tries_left } => {
            ctx.error(s::app_code_wrong(tries_left));
            false
        }
        other => code_outcome(ctx, other),
    }
}

/// Says up front, worded by `say`, when `what` is locked on the account of `view`.
pub fn say_if_locked(
    ctx: &mut Ctx,
    view: &crate::domain::model::AccountView,
    what: crate::domain::lockout::Guarded,
    say: fn(&str) -> String,
) {
    let now = ctx.now();
    if let Some(lock) = view.locks.iter().find(|l| l.what == what && l.until > now) {
        let until = ctx.until(lock.until);
        ctx.error(say(&until));
    }
}

/// Ends the session and returns the first screen, showing `note`.
pub fn signed_out(ctx: &mut Ctx, note: &str) -> Screen {
    ctx.session = None;
    ctx.retry = None;
    ctx.requests.pending = None;
    ctx.dialog = None;
    ctx.fire(super::jobs::Job::SignOut);
    ctx.info(note);
    Screen::start()
}

/// `text` cut to `max` columns with an ellipsis.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
