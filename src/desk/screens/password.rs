//! The signed-in agent changes their own desk password: the current one, then the new one
//! twice. The new one follows the §4 rules, checked here before anything is sent; the worker
//! checks the current one as a sign-in is checked (the same lockout) and keeps the new one's
//! hash in the audit log, the desk's only write. Nothing here touches an account.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{
    Action, Ctx, Note, back, choice_keys, hanging, render_fields, render_rows, render_status,
    rows_of,
};
use crate::desk::strings as s;
use crate::domain::password::{self, PasswordRuleError};
use crate::secret::Secret;
use crate::tui::form::FormEvent;
use crate::tui::keys::{Binding, bind};
use crate::tui::{Form, TextField};

/// Longest password the fields accept (the §4 rules allow at most 128 characters; one more
/// lets the rule, not the field, say so).
pub const PASSWORD_MAX: usize = 129;

/// The fields, in focus order.
pub const CURRENT: usize = 0;
pub const NEW: usize = 1;
pub const AGAIN: usize = 2;

/// The screen's keys: read by [`PasswordScreen::on_key`] and by the help overlay.
pub const KEYS: &[Binding<Action>] = &super::table::<5>(&[
    &choice_keys(s::K_CHANGE_PASSWORD, s::H_CHANGE_PASSWORD),
    &[
        bind(&[TextField::REVEAL_KEY], s::K_REVEAL, Action::Reveal).hinted(s::H_SHOW_PASSWORD),
        back(s::K_CANCEL_TO_FIND, s::H_BACK),
    ],
]);

/// What a key asks the desk to do.
#[derive(Debug)]
pub enum Outcome {
    None,
    /// Change the password: the current one proves it is the agent.
    Change {
        current: Secret,
        new: Secret,
    },
    /// Back to Find, nothing changed.
    Cancel,
}

/// The form: three masked fields; Enter on the last changes the password, Esc cancels.
#[derive(Debug)]
pub struct PasswordScreen {
    pub form: Form,
    pub notice: Option<Note>,
    /// Whose password: the §4 rules refuse a password containing the name.
    agent: String,
}

impl PasswordScreen {
    pub fn new(agent: &str) -> Self {
        PasswordScreen {
            form: Form::new(
                vec![
                    TextField::masked(s::CURRENT_PASSWORD, PASSWORD_MAX),
                    TextField::masked(s::NEW_PASSWORD, PASSWORD_MAX),
                    TextField::masked(s::NEW_PASSWORD_AGAIN, PASSWORD_MAX),
                ],
                &[] as &[&str],
            ),
            notice: None,
            agent: agent.to_string(),
        }
    }

    /// Whether a text field has focus (bare digits and `?` are then text).
    pub fn typing(&self) -> bool {
        self.form.typing()
    }

    pub fn on_key(&mut self, ev: &KeyEvent) -> Outcome {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => self.submit(),
            FormEvent::Action(Action::Back) => {
                self.form.clear();
                Outcome::Cancel
            }
            FormEvent::Edited => {
                if self.notice.as_ref().is_some_and(Note::is_error) {
                    self.notice = None;
                }
                Outcome::None
            }
            FormEvent::Choose(_) | FormEvent::Action(_) | FormEvent::Nothing => Outcome::None,
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        self.form.paste(text);
    }

    /// Checks what can be checked here — all three typed, the §4 rules, the two new ones
    /// alike — and hands the passwords over, leaving no copy in the fields.
    fn submit(&mut self) -> Outcome {
        if let Some(empty) = [CURRENT, NEW, AGAIN]
            .into_iter()
            .find(|i| self.form.field(*i).is_empty())
        {
            self.form.focus_field(empty);
            self.notice = Some(Note::error(s::PASSWORD_FIELD_EMPTY[empty]));
            return Outcome::None;
        }
        let current = Secret::new(self.form.field_mut(CURRENT).take().as_str());
        let new = Secret::new(self.form.field_mut(NEW).take().as_str());
        let again = Secret::new(self.form.field_mut(AGAIN).take().as_str());
        self.form.clear();
        if let Err(e) = password::check(&new, &again, &self.agent) {
            // The current password is asked for again too: no password stays in a field.
            self.notice = Some(Note::error(match e {
                PasswordRuleError::ContainsUsername => s::PASSWORD_CONTAINS_NAME.to_string(),
                e => e.to_string(),
            }));
            return Outcome::None;
        }
        self.notice = None;
        Outcome::Change { current, new }
    }

    /// The worker refused the change: say why, with the fields empty and the first focused.
    pub fn refused(&mut self, why: String) {
        self.form.clear();
        self.notice = Some(Note::error(why));
    }

    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let theme = ctx.theme;
        let w = usize::from(area.width);
        let intro: Vec<Line<'static>> =
            hanging("", s::PASSWORD_INTRO, w, theme.normal, theme.normal);
        let parts = rows_of(
            area,
            &[
                intro.len() as u16,
                1,
                TextField::HEIGHT,
                TextField::HEIGHT,
                TextField::HEIGHT,
                area.height,
            ],
        );
        render_rows(&intro, 0, parts[0], frame.buffer_mut());
        render_fields(frame, &self.form, &parts[2..5], ctx);
        render_status(
            ctx,
            s::CHANGING_PASSWORD,
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

    fn fill(p: &mut PasswordScreen, texts: [&str; 3]) -> Outcome {
        let mut last = Outcome::None;
        for t in texts {
            for c in t.chars() {
                p.on_key(&key(KeyCode::Char(c)));
            }
            last = p.on_key(&key(KeyCode::Enter));
        }
        last
    }

    #[test]
    fn three_fields_then_the_passwords_leave_the_screen() {
        let mut p = PasswordScreen::new("alex");
        match fill(
            &mut p,
            ["desk-demo-pass", "otter lamp river", "otter lamp river"],
        ) {
            Outcome::Change { current, new } => {
                assert_eq!(current.expose(), "desk-demo-pass");
                assert_eq!(new.expose(), "otter lamp river");
            }
            other => panic!("{other:?}"),
        }
        for i in [CURRENT, NEW, AGAIN] {
            assert!(p.form.field(i).is_empty(), "field {i} still holds text");
        }
    }

    #[test]
    fn the_section_4_rules_are_checked_before_anything_is_sent() {
        for (new, again, why) in [
            ("short", "short", "at least 8"),
            ("alex-the-agent-99", "alex-the-agent-99", "agent name"),
            ("password123", "password123", "too common"),
            ("otter lamp river", "otter lamp rivet", "don't match"),
        ] {
            let mut p = PasswordScreen::new("alex");
            assert!(
                matches!(fill(&mut p, ["desk-demo-pass", new, again]), Outcome::None),
                "{new}"
            );
            assert!(
                matches!(&p.notice, Some(n) if n.is_error() && n.text.contains(why)),
                "{new}: {:?}",
                p.notice
            );
            assert!(p.form.field(CURRENT).is_empty());
            assert_eq!(p.form.field_focus(), Some(CURRENT));
        }
    }

    #[test]
    fn an_empty_field_is_named_and_esc_cancels_with_the_fields_wiped() {
        let mut p = PasswordScreen::new("alex");
        p.form.focus_field(AGAIN);
        assert!(matches!(p.on_key(&key(KeyCode::Enter)), Outcome::None));
        assert_eq!(p.form.field_focus(), Some(CURRENT));
        assert!(matches!(&p.notice, Some(n) if n.text.contains("current")));
        for c in "secret".chars() {
            p.on_key(&key(KeyCode::Char(c)));
        }
        assert!(matches!(p.on_key(&key(KeyCode::Esc)), Outcome::Cancel));
        assert!(p.form.field(CURRENT).is_empty());
    }

    #[test]
    fn ctrl_r_shows_the_focused_password() {
        let mut p = PasswordScreen::new("alex");
        p.on_key(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert!(p.form.field(CURRENT).is_revealed());
    }
}
