//! Find an account: one field taking an exact username, email address, phone number or account
//! id (`#42`), normalised by `domain::identifier`. No browsing, no partial matches.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{
    Action, Ctx, Note, back, choice_keys, clean, hanging, render_rows, render_status, rows_of,
    table,
};
use crate::desk::strings as s;
use crate::domain::identifier::Lookup;
use crate::domain::phone::CallingCode;
use crate::tui::form::FormEvent;
use crate::tui::keys::Binding;
use crate::tui::{Form, TextField, render_text_field};

/// Longest identifier the field accepts (an email address can be long).
pub const FIELD_MAX: usize = 254;

/// The screen's keys: read by [`Find::on_key`] and by the help overlay.
pub const KEYS: &[Binding<Action>] = &table::<4>(&[
    &choice_keys(s::K_LOOK_UP, s::H_LOOK_UP),
    &[back(s::K_CLEAR_OR_SIGN_OUT, s::H_CLEAR_OR_SIGN_OUT)],
]);

#[derive(Debug)]
pub enum Outcome {
    None,
    Lookup(Lookup),
    /// Open this session's recent account again (read again and audited).
    Reopen(i64),
    SignOut,
    ConfirmSignOut,
}

/// An account looked up earlier in this session: its id and how it is named.
pub type Recent = (i64, String);

/// The menu's choices, in order: look up, this session's recent accounts, sign out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Choice {
    LookUp,
    Reopen(i64),
    SignOut,
}

/// The find screen: the field and the choices under it, one focus ring through both. The
/// choices are **Look up**, this session's recent accounts (newest first), **Sign out**.
#[derive(Debug)]
pub struct Find {
    pub form: Form,
    pub notice: Option<Note>,
    choices: Vec<Choice>,
}

crate::tui::default_is_new!(Find);

impl Find {
    pub fn new() -> Self {
        Self::with_recent(&[])
    }

    /// Find, offering this session's recent accounts again.
    pub fn with_recent(recent: &[Recent]) -> Self {
        let mut labels = vec![s::FIND_CHOICES[0].to_string()];
        labels.extend(recent.iter().map(|(_, name)| s::reopen(name)));
        labels.push(s::FIND_CHOICES[1].to_string());
        let mut choices = vec![Choice::LookUp];
        choices.extend(recent.iter().map(|(id, _)| Choice::Reopen(*id)));
        choices.push(Choice::SignOut);
        Find {
            form: Form::new(vec![TextField::new(s::FIND_FIELD, FIELD_MAX)], &labels),
            notice: None,
            choices,
        }
    }

    /// Whether a text field has focus (bare digits and `?` are then text).
    pub fn typing(&self) -> bool {
        self.form.typing()
    }

    /// A key, with no default country for phone numbers.
    pub fn on_key(&mut self, ev: &KeyEvent) -> Outcome {
        self.on_key_in(ev, None)
    }

    /// A key; a phone number looked up without `+` is in `default_country`.
    pub fn on_key_in(&mut self, ev: &KeyEvent, default_country: Option<CallingCode>) -> Outcome {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => self.submit(default_country),
            FormEvent::Choose(i) => self.choose(i, default_country),
            FormEvent::Edited => {
                self.notice = None;
                Outcome::None
            }
            FormEvent::Action(Action::Back) => {
                if self.form.menu_focused() {
                    self.form.focus_field(0);
                    Outcome::None
                } else if !self.form.field(0).is_empty() {
                    self.form.field_mut(0).clear();
                    self.notice = None;
                    Outcome::None
                } else {
                    Outcome::ConfirmSignOut
                }
            }
            FormEvent::Nothing if self.form.menu_focused() && is_plain_char(ev) => {
                // Typing while the menu has focus goes to the field.
                self.form.focus_field(0);
                if self.form.field_mut(0).handle_key(ev) {
                    self.notice = None;
                }
                Outcome::None
            }
            FormEvent::Action(_) | FormEvent::Nothing => Outcome::None,
        }
    }

    fn choose(&mut self, index: usize, default_country: Option<CallingCode>) -> Outcome {
        match self.choices.get(index) {
            Some(Choice::LookUp) => {
                self.form.focus_field(0);
                self.submit(default_country)
            }
            Some(Choice::Reopen(id)) => Outcome::Reopen(*id),
            Some(Choice::SignOut) => Outcome::SignOut,
            None => Outcome::None,
        }
    }

    fn submit(&mut self, default_country: Option<CallingCode>) -> Outcome {
        match Lookup::parse_with(self.form.field(0).value(), default_country) {
            Ok(lookup) => {
                self.notice = None;
                Outcome::Lookup(lookup)
            }
            Err(e) => {
                self.notice = Some(Note::error(e.to_string()));
                Outcome::None
            }
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        self.form.focus_field(0);
        self.form.paste(text);
        self.notice = None;
    }
}

/// A character typed without Ctrl or Alt.
fn is_plain_char(ev: &KeyEvent) -> bool {
    matches!(ev.code, KeyCode::Char(_)) && ev.modifiers.difference(KeyModifiers::SHIFT).is_empty()
}

impl Find {
    /// The lookup found nothing.
    pub fn not_found(&mut self, lookup: &Lookup) {
        let (kind, value) = match lookup {
            Lookup::Username(u) => (s::LookupKind::Username, clean(u)),
            Lookup::Email(e) => (s::LookupKind::Email, clean(e)),
            Lookup::Phone(p) => (s::LookupKind::Phone, clean(p)),
            Lookup::AccountId(id) => (s::LookupKind::AccountId, format!("#{id}")),
        };
        self.notice = Some(Note::error(s::not_found(&format!(
            "{} {value}",
            s::lookup_kind(kind)
        ))));
    }

    pub fn render(&self, ctx: &Ctx<'_>, agent: &str, frame: &mut Frame<'_>, area: Rect) {
        let theme = ctx.theme;
        let w = usize::from(area.width);
        let mut intro: Vec<Line<'static>> = hanging(
            "",
            &s::signed_in_as(&clean(agent)),
            w,
            theme.hint,
            theme.hint,
        );
        intro.extend(hanging("", s::FIND_INTRO, w, theme.normal, theme.normal));
        let parts = rows_of(
            area,
            &[
                intro.len() as u16,
                1,
                TextField::HEIGHT,
                2,
                1,
                self.form.menu.height(),
            ],
        );
        render_rows(&intro, 0, parts[0], frame.buffer_mut());
        render_text_field(
            frame,
            parts[2],
            self.form.field(0),
            theme,
            self.form.typing() && !ctx.busy,
        );
        render_status(
            ctx,
            s::LOOKING_UP,
            self.notice.as_ref(),
            None,
            parts[3],
            frame.buffer_mut(),
        );
        self.form.menu.render(
            parts[5],
            frame.buffer_mut(),
            theme,
            self.form.menu_focused(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_str(f: &mut Find, text: &str) {
        for c in text.chars() {
            f.on_key(&key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn enter_parses_and_normalises() {
        let mut f = Find::new();
        type_str(&mut f, " Pat@Example.COM ");
        match f.on_key(&key(KeyCode::Enter)) {
            Outcome::Lookup(l) => assert_eq!(l, Lookup::Email("pat@example.com".into())),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_input_is_an_inline_error() {
        let mut f = Find::new();
        type_str(&mut f, "#x");
        assert!(matches!(f.on_key(&key(KeyCode::Enter)), Outcome::None));
        assert!(matches!(f.notice, Some(ref n) if n.is_error() && n.text.contains("account id")));
    }

    #[test]
    fn digits_are_text_in_the_field_and_alt_digits_choose() {
        let mut f = Find::new();
        type_str(&mut f, "2");
        assert_eq!(f.form.field(0).value(), "2");
        let alt2 = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT);
        assert!(matches!(f.on_key(&alt2), Outcome::SignOut));
        // Choosing moves the focus to the choice (as in every form); bare digits choose there.
        assert!(f.form.menu_focused());
        assert!(matches!(
            f.on_key(&key(KeyCode::Char('2'))),
            Outcome::SignOut
        ));
    }

    #[test]
    fn esc_clears_then_asks_to_sign_out() {
        let mut f = Find::new();
        type_str(&mut f, "pat");
        assert!(matches!(f.on_key(&key(KeyCode::Esc)), Outcome::None));
        assert!(f.form.field(0).is_empty());
        assert!(matches!(
            f.on_key(&key(KeyCode::Esc)),
            Outcome::ConfirmSignOut
        ));
    }

    #[test]
    fn tab_cycles_field_menu_items_field() {
        let mut f = Find::new();
        let menu_at = |f: &Find| f.form.menu_focused().then(|| f.form.menu.selected());
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(menu_at(&f), Some(0));
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(menu_at(&f), Some(1));
        f.on_key(&key(KeyCode::Tab));
        assert!(f.form.typing());
        f.on_key(&key(KeyCode::BackTab));
        assert_eq!(menu_at(&f), Some(1));
        type_str(&mut f, "x");
        assert!(f.form.typing());
        assert_eq!(f.form.field(0).value(), "x");
    }
}
