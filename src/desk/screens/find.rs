//! Find an account: one field taking an exact username, email address, phone number or account
//! id (`#42`), normalised by `domain::identifier`. No browsing, no partial matches. Beside it,
//! an optional case reference (the ticket the agent is working on), kept for the session until
//! changed and written on the audit rows of the lookup and what follows it.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{
    Action, Ctx, Note, back, choice_keys, clean, hanging, render_rows, render_status, rows_of,
    table,
};
use crate::desk::strings as s;
use crate::domain::case_ref::{CASE_MAX, CaseRef};
use crate::domain::identifier::Lookup;
use crate::domain::phone::CallingCode;
use crate::tui::form::{FormAction, FormEvent, Role};
use crate::tui::keys::{Binding, resolve};
use crate::tui::{Form, TextField, render_text_field};

/// Longest identifier the field accepts (an email address can be long).
pub const FIELD_MAX: usize = 254;

/// The identifier's field and the case reference's, in the form.
const IDENTIFIER: usize = 0;
const CASE: usize = 1;

/// The screen's keys: read by [`Find::on_key`] and by the help overlay.
pub const KEYS: &[Binding<Action>] = &table::<4>(&[
    &choice_keys(s::K_LOOK_UP, s::H_LOOK_UP),
    &[back(s::K_CLEAR_OR_SIGN_OUT, s::H_CLEAR_OR_SIGN_OUT)],
]);

#[derive(Debug)]
pub enum Outcome {
    None,
    /// Look this up, in this case (the session's case from now on).
    Lookup(Lookup, Option<CaseRef>),
    /// Open this session's recent account again (read again and audited), in this case.
    Reopen(i64, Option<CaseRef>),
    ChangePassword,
    SignOut,
    ConfirmSignOut,
}

/// An account looked up earlier in this session: its id and how it is named.
pub type Recent = (i64, String);

/// The menu's choices, in order: look up, this session's recent accounts, change my password,
/// sign out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Choice {
    LookUp,
    Reopen(i64),
    ChangePassword,
    SignOut,
}

/// The find screen: the identifier and case fields and the choices under them, one focus ring
/// through all. The choices are **Look up**, this session's recent accounts (newest first),
/// **Change my password**, **Sign out**.
#[derive(Debug)]
pub struct Find {
    pub form: Form,
    pub notice: Option<Note>,
    choices: Vec<Choice>,
}

crate::tui::default_is_new!(Find);

impl Find {
    pub fn new() -> Self {
        Self::with(&[], None)
    }

    /// Find, offering this session's recent accounts again, with the session's case filled in.
    pub fn with(recent: &[Recent], case: Option<&CaseRef>) -> Self {
        let mut labels = vec![s::FIND_CHOICES[0].to_string()];
        labels.extend(recent.iter().map(|(_, name)| s::reopen(name)));
        labels.push(s::FIND_CHANGE_PASSWORD.to_string());
        labels.push(s::FIND_CHOICES[1].to_string());
        let mut choices = vec![Choice::LookUp];
        choices.extend(recent.iter().map(|(id, _)| Choice::Reopen(*id)));
        choices.push(Choice::ChangePassword);
        choices.push(Choice::SignOut);
        let mut case_field = TextField::new(s::CASE_FIELD, CASE_MAX);
        if let Some(case) = case {
            case_field.set_value(case.as_str());
        }
        Find {
            form: Form::new(
                vec![TextField::new(s::FIND_FIELD, FIELD_MAX), case_field],
                &labels,
            ),
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
        // Enter in either field looks up: the case is optional, so Enter in the identifier
        // does not stop at the case field first.
        if self.form.typing() && resolve(KEYS, ev).map(FormAction::role) == Some(Role::Enter) {
            return self.submit(default_country);
        }
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => self.submit(default_country),
            FormEvent::Choose(i) => self.choose(i, default_country),
            FormEvent::Edited => {
                self.notice = None;
                Outcome::None
            }
            FormEvent::Action(Action::Back) => match self.form.field_focus() {
                None if self.form.menu_focused() => {
                    self.form.focus_field(IDENTIFIER);
                    Outcome::None
                }
                Some(i) if !self.form.field(i).is_empty() => {
                    self.form.field_mut(i).clear();
                    self.notice = None;
                    Outcome::None
                }
                _ => Outcome::ConfirmSignOut,
            },
            FormEvent::Nothing if self.form.menu_focused() && is_plain_char(ev) => {
                // Typing while the menu has focus goes to the identifier.
                self.form.focus_field(IDENTIFIER);
                if self.form.field_mut(IDENTIFIER).handle_key(ev) {
                    self.notice = None;
                }
                Outcome::None
            }
            FormEvent::Action(_) | FormEvent::Nothing => Outcome::None,
        }
    }

    fn choose(&mut self, index: usize, default_country: Option<CallingCode>) -> Outcome {
        match self.choices.get(index).cloned() {
            Some(Choice::LookUp) => {
                self.form.focus_field(IDENTIFIER);
                self.submit(default_country)
            }
            Some(Choice::Reopen(id)) => match self.case() {
                Some(case) => Outcome::Reopen(id, case),
                None => Outcome::None,
            },
            Some(Choice::ChangePassword) => Outcome::ChangePassword,
            Some(Choice::SignOut) => Outcome::SignOut,
            None => Outcome::None,
        }
    }

    /// The case field's reference (`Some(None)`: none typed); `None` when it is not one, with
    /// the reason shown and the field focused.
    fn case(&mut self) -> Option<Option<CaseRef>> {
        match CaseRef::parse_optional(self.form.field(CASE).value()) {
            Ok(case) => Some(case),
            Err(e) => {
                self.notice = Some(Note::error(e.to_string()));
                self.form.focus_field(CASE);
                None
            }
        }
    }

    fn submit(&mut self, default_country: Option<CallingCode>) -> Outcome {
        match Lookup::parse_with(self.form.field(IDENTIFIER).value(), default_country) {
            Ok(lookup) => match self.case() {
                Some(case) => {
                    self.notice = None;
                    Outcome::Lookup(lookup, case)
                }
                None => Outcome::None,
            },
            Err(e) => {
                self.notice = Some(Note::error(e.to_string()));
                self.form.focus_field(IDENTIFIER);
                Outcome::None
            }
        }
    }

    /// A paste goes to the focused field, or to the identifier when the menu has focus.
    pub fn on_paste(&mut self, text: &str) {
        if !self.form.typing() {
            self.form.focus_field(IDENTIFIER);
        }
        self.form.paste(text);
        self.notice = None;
    }
}

/// The case field's narrowest width: its label and a typical reference fit.
const CASE_WIDTH_MIN: u16 = 24;

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
        // The identifier and, at its right, the case: side by side, so the choices keep their
        // rows at 80×24.
        let fields = parts[2];
        let case_width = (fields.width / 3).max(CASE_WIDTH_MIN).min(fields.width);
        let gap = 2.min(fields.width - case_width);
        let identifier_area = Rect {
            width: fields.width - case_width - gap,
            ..fields
        };
        let case_area = Rect {
            x: fields.right() - case_width,
            width: case_width,
            ..fields
        };
        let focus = self.form.field_focus().filter(|_| !ctx.busy);
        render_text_field(
            frame,
            identifier_area,
            self.form.field(IDENTIFIER),
            theme,
            focus == Some(IDENTIFIER),
        );
        render_text_field(
            frame,
            case_area,
            self.form.field(CASE),
            theme,
            focus == Some(CASE),
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
            Outcome::Lookup(l, None) => assert_eq!(l, Lookup::Email("pat@example.com".into())),
            other => panic!("{other:?}"),
        }
    }

    fn case_of(text: &str) -> Option<CaseRef> {
        CaseRef::parse_optional(text).unwrap()
    }

    #[test]
    fn the_case_typed_beside_the_identifier_goes_with_the_lookup() {
        let mut f = Find::new();
        type_str(&mut f, "pat");
        f.on_key(&key(KeyCode::Tab));
        type_str(&mut f, "inc-20417");
        match f.on_key(&key(KeyCode::Enter)) {
            Outcome::Lookup(l, case) => {
                assert_eq!(l, Lookup::Username("pat".into()));
                assert_eq!(case, case_of("INC-20417"));
            }
            other => panic!("{other:?}"),
        }
        // Enter in the identifier looks up at once too, with the case beside it.
        f.form.focus_field(IDENTIFIER);
        assert!(matches!(
            f.on_key(&key(KeyCode::Enter)),
            Outcome::Lookup(_, Some(_))
        ));
    }

    #[test]
    fn a_case_that_is_not_one_stops_the_lookup_and_says_why() {
        let mut f = Find::with(&[(7, "pat (#7)".into())], None);
        type_str(&mut f, "pat");
        f.on_key(&key(KeyCode::Tab));
        type_str(&mut f, "INC 20417");
        f.form.focus_field(IDENTIFIER);
        assert!(matches!(f.on_key(&key(KeyCode::Enter)), Outcome::None));
        assert!(
            matches!(f.notice, Some(ref n) if n.is_error() && n.text.contains("case reference"))
        );
        assert_eq!(
            f.form.field_focus(),
            Some(CASE),
            "the field to fix has focus"
        );
        // Reopening a recent account is filed under the case too, so it is refused alike.
        let alt2 = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT);
        assert!(matches!(f.on_key(&alt2), Outcome::None));
    }

    #[test]
    fn the_sessions_case_is_filled_in_and_goes_with_a_reopened_account() {
        let case = case_of("CS0042");
        let mut f = Find::with(&[(7, "pat (#7)".into())], case.as_ref());
        assert_eq!(f.form.field(CASE).value(), "CS0042");
        let alt2 = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT);
        match f.on_key(&alt2) {
            Outcome::Reopen(7, c) => assert_eq!(c, case),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn esc_in_the_case_field_clears_only_the_case() {
        let mut f = Find::with(&[], case_of("CS0042").as_ref());
        type_str(&mut f, "pat");
        f.on_key(&key(KeyCode::Tab));
        assert!(matches!(f.on_key(&key(KeyCode::Esc)), Outcome::None));
        assert!(f.form.field(CASE).is_empty());
        assert_eq!(f.form.field(IDENTIFIER).value(), "pat");
        assert!(matches!(
            f.on_key(&key(KeyCode::Esc)),
            Outcome::ConfirmSignOut
        ));
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
        let alt3 = KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT);
        assert!(matches!(f.on_key(&alt3), Outcome::SignOut));
        // Choosing moves the focus to the choice (as in every form); bare digits choose there.
        assert!(f.form.menu_focused());
        assert!(matches!(
            f.on_key(&key(KeyCode::Char('2'))),
            Outcome::ChangePassword
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
    fn tab_cycles_field_case_menu_items_field() {
        let mut f = Find::new();
        let menu_at = |f: &Find| f.form.menu_focused().then(|| f.form.menu.selected());
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(f.form.field_focus(), Some(CASE));
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(menu_at(&f), Some(0));
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(menu_at(&f), Some(1));
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(menu_at(&f), Some(2));
        f.on_key(&key(KeyCode::Tab));
        assert!(f.form.typing());
        f.on_key(&key(KeyCode::BackTab));
        assert_eq!(menu_at(&f), Some(2));
        type_str(&mut f, "x");
        assert!(f.form.typing());
        assert_eq!(f.form.field(0).value(), "x");
    }
}
