//! Agent sign-in: agent name and a masked password (Ctrl-R shows it). The password is checked
//! with Argon2 by the worker; this screen only collects and hands it over.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{Ctx, Note, hanging, render_fields, render_status, rows_of};
use crate::desk::strings as s;
use crate::domain::identifier::agent_name;
use crate::secret::Secret;
use crate::tui::form::{FormAction, FormEvent, Role};
use crate::tui::keys::{Binding, Key, bind, resolve};
use crate::tui::paint;
use crate::tui::{Form, TextField};

/// Longest agent name accepted by the field (names have at most 32 characters).
pub const NAME_MAX: usize = 32;
/// Longest password accepted by the field.
pub const PASSWORD_MAX: usize = 128;
/// The fields of the form, in focus order.
pub const NAME: usize = 0;
pub const PASSWORD: usize = 1;

/// What the keys of this screen do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Next,
    Prev,
    Reveal,
    Quit,
}

/// Tab and Shift-Tab move through the form; Enter, Ctrl-R and Esc are the screen's (Enter
/// checks the name before moving on; Ctrl-R shows the password from either field).
impl FormAction for Action {
    fn role(self) -> Role {
        match self {
            Action::Next => Role::Next,
            Action::Prev => Role::Prev,
            Action::Submit | Action::Reveal | Action::Quit => Role::Other,
        }
    }
}

/// The screen's keys: read by [`SignIn::on_key`] and by the help overlay.
pub const KEYS: &[Binding<Action>] = &[
    bind(&[Key::Enter], s::K_SUBMIT_SIGN_IN, Action::Submit).hinted(s::H_SIGN_IN),
    bind(&[Key::Tab, Key::Down], s::K_NEXT_FIELD, Action::Next).hinted(s::H_NEXT),
    bind(&[Key::BackTab, Key::Up], s::K_PREV_FIELD, Action::Prev),
    bind(&[TextField::REVEAL_KEY], s::K_REVEAL, Action::Reveal).hinted(s::H_SHOW_PASSWORD),
    bind(&[Key::Esc], s::K_QUIT_DIALOG, Action::Quit).hinted(s::H_QUIT),
];

/// What a key asks the desk to do.
#[derive(Debug)]
pub enum Outcome {
    None,
    SignIn { name: String, password: Secret },
    ConfirmQuit,
}

/// The sign-in screen: the two fields of a [`Form`], one focus ring through them.
#[derive(Debug)]
pub struct SignIn {
    pub form: Form,
    pub notice: Option<Note>,
}

crate::tui::default_is_new!(SignIn);

impl SignIn {
    pub fn new() -> Self {
        SignIn {
            form: Form::new(
                vec![
                    TextField::new(s::AGENT_NAME, NAME_MAX),
                    TextField::masked(s::AGENT_PASSWORD, PASSWORD_MAX),
                ],
                &[] as &[&str],
            ),
            notice: None,
        }
    }

    /// After an idle lock: the name kept, the password asked for again.
    pub fn again(name: &str, notice: Note) -> Self {
        let mut screen = SignIn::new();
        screen.form.field_mut(NAME).set_value(name);
        screen.form.focus_field(PASSWORD);
        screen.notice = Some(notice);
        screen
    }

    /// The agent name field.
    pub fn name(&self) -> &TextField {
        self.form.field(NAME)
    }

    /// The password field.
    pub fn password(&self) -> &TextField {
        self.form.field(PASSWORD)
    }

    /// Whether the password field has focus.
    pub fn on_password(&self) -> bool {
        self.form.field_focus() == Some(PASSWORD)
    }

    pub fn on_key(&mut self, ev: &KeyEvent) -> Outcome {
        // The screen's own keys first (Ctrl-R is the password's from either field); the form
        // moves the focus and types.
        match resolve(KEYS, ev) {
            Some(Action::Submit) => return self.submit(),
            Some(Action::Reveal) => {
                self.form.field_mut(PASSWORD).toggle_reveal();
                return Outcome::None;
            }
            Some(Action::Quit) => return Outcome::ConfirmQuit,
            _ => {}
        }
        // Typing again clears an old error.
        if self.form.handle(ev, KEYS) == FormEvent::Edited
            && self.notice.as_ref().is_some_and(Note::is_error)
        {
            self.notice = None;
        }
        Outcome::None
    }

    pub fn on_paste(&mut self, text: &str) {
        self.form.paste(text);
    }

    fn submit(&mut self) -> Outcome {
        let typed_name = self.name().value().trim().is_empty();
        if !self.on_password() && self.password().is_empty() {
            if typed_name {
                self.notice = Some(Note::error(s::NAME_EMPTY));
            } else {
                self.form.focus_field(PASSWORD);
            }
            return Outcome::None;
        }
        let name = match agent_name(self.name().value()) {
            Ok(n) => n,
            Err(reason) => {
                self.form.focus_field(NAME);
                self.notice = Some(Note::error(if typed_name {
                    s::NAME_EMPTY.into()
                } else {
                    s::bad_agent_name(reason)
                }));
                return Outcome::None;
            }
        };
        if self.password().is_empty() {
            self.form.focus_field(PASSWORD);
            self.notice = Some(Note::error(s::PASSWORD_EMPTY));
            return Outcome::None;
        }
        let field = self.form.field_mut(PASSWORD);
        let typed = field.take();
        field.hide();
        self.form.focus_field(PASSWORD);
        self.notice = None;
        Outcome::SignIn {
            name,
            password: Secret::new(typed.as_str()),
        }
    }

    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let theme = ctx.theme;
        let w = usize::from(area.width);
        let intro: Vec<Line<'static>> =
            hanging("", s::SIGN_IN_INTRO, w, theme.normal, theme.normal);
        let intro_h = intro.len() as u16;
        let parts = rows_of(
            area,
            &[
                intro_h,
                1,
                TextField::HEIGHT,
                TextField::HEIGHT,
                1,
                area.height,
            ],
        );
        for (i, line) in intro.iter().enumerate() {
            paint::line(
                frame.buffer_mut(),
                parts[0].x,
                parts[0].y + i as u16,
                line,
                parts[0].width,
            );
        }
        render_fields(frame, &self.form, &parts[2..4], ctx);
        render_status(
            ctx,
            s::CHECKING,
            self.notice.as_ref(),
            None,
            parts[5],
            frame.buffer_mut(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_str(s: &mut SignIn, text: &str) {
        for c in text.chars() {
            s.on_key(&key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn enter_moves_to_password_then_submits_normalised_name() {
        let mut s = SignIn::new();
        type_str(&mut s, " Alex ");
        assert!(matches!(s.on_key(&key(KeyCode::Enter)), Outcome::None));
        assert!(s.on_password());
        type_str(&mut s, "pw");
        match s.on_key(&key(KeyCode::Enter)) {
            Outcome::SignIn { name, password } => {
                assert_eq!(name, "alex");
                assert_eq!(password.expose(), "pw");
            }
            other => panic!("{other:?}"),
        }
        assert!(s.password().is_empty(), "the password leaves the field");
    }

    #[test]
    fn empty_and_bad_names_are_refused_inline() {
        let mut s = SignIn::new();
        s.on_key(&key(KeyCode::Enter));
        assert_eq!(s.notice, Some(Note::error(s::NAME_EMPTY)));
        type_str(&mut s, "a b");
        s.form.focus_field(PASSWORD);
        type_str(&mut s, "pw");
        assert!(matches!(s.on_key(&key(KeyCode::Enter)), Outcome::None));
        assert!(
            matches!(s.notice, Some(ref n) if n.is_error() && n.text.starts_with("An agent name"))
        );
        assert!(!s.on_password());
    }

    #[test]
    fn question_mark_and_digits_are_text_here() {
        let mut s = SignIn::new();
        type_str(&mut s, "a?1");
        assert_eq!(s.name().value(), "a?1");
    }

    #[test]
    fn ctrl_r_reveals_from_either_field() {
        let mut s = SignIn::new();
        s.on_key(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert!(s.password().is_revealed());
    }
}
