//! Find an account: one field taking an exact username, email address, phone number or account
//! id (`#42`), normalised by `domain::identifier`. No browsing, no partial matches.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{Ctx, Notice, clean, hanging, render_rows, render_status, rows_of};
use crate::desk::strings as s;
use crate::domain::identifier::Lookup;
use crate::tui::keys::{Binding, Key, digit_of, resolve};
use crate::tui::{Menu, TextField, render_text_field};

/// Longest identifier the field accepts (an email address can be long).
pub const FIELD_MAX: usize = 254;

/// Which part of the screen has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Field,
    Menu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Select,
    Next,
    Prev,
    Back,
}

/// The screen's keys: read by [`Find::on_key`] and by the help overlay.
pub const KEYS: &[Binding<Action>] = &[
    Binding {
        keys: &[Key::Enter],
        label: s::K_LOOK_UP,
        action: Action::Select,
    },
    Binding {
        keys: &[Key::Tab, Key::Down],
        label: s::K_MOVE,
        action: Action::Next,
    },
    Binding {
        keys: &[Key::BackTab, Key::Up],
        label: s::K_MOVE_BACK,
        action: Action::Prev,
    },
    Binding {
        keys: &[Key::Esc],
        label: s::K_CLEAR_OR_SIGN_OUT,
        action: Action::Back,
    },
];

pub const FOOTER: &[(Action, &str)] = &[
    (Action::Select, "Look up"),
    (Action::Next, "Move"),
    (Action::Back, "Clear / sign out"),
];

/// The menu's choices, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    LookUp,
    SignOut,
}

const CHOICES: [Choice; 2] = [Choice::LookUp, Choice::SignOut];

#[derive(Debug)]
pub enum Outcome {
    None,
    Lookup(Lookup),
    SignOut,
    ConfirmSignOut,
}

/// The find screen.
#[derive(Debug)]
pub struct Find {
    pub field: TextField,
    pub menu: Menu,
    pub focus: Focus,
    pub notice: Option<Notice>,
}

impl Default for Find {
    fn default() -> Self {
        Self::new()
    }
}

impl Find {
    pub fn new() -> Self {
        Find {
            field: TextField::new(s::FIND_FIELD, FIELD_MAX),
            menu: Menu::new(s::FIND_CHOICES),
            focus: Focus::Field,
            notice: None,
        }
    }

    /// Whether a text field has focus (bare digits and `?` are then text).
    pub fn typing(&self) -> bool {
        self.focus == Focus::Field
    }

    pub fn on_key(&mut self, ev: &KeyEvent) -> Outcome {
        if let Some(action) = resolve(KEYS, ev) {
            return match action {
                Action::Select => match self.focus {
                    Focus::Field => self.submit(),
                    Focus::Menu => self.choose(self.menu.selected()),
                },
                Action::Next => {
                    self.step(true);
                    Outcome::None
                }
                Action::Prev => {
                    self.step(false);
                    Outcome::None
                }
                Action::Back => {
                    if self.focus == Focus::Menu {
                        self.focus = Focus::Field;
                        Outcome::None
                    } else if !self.field.is_empty() {
                        self.field.clear();
                        self.notice = None;
                        Outcome::None
                    } else {
                        Outcome::ConfirmSignOut
                    }
                }
            };
        }
        if let Some(d) = digit_of(ev, self.typing())
            && let Some(i) = self.menu.choose_digit(d)
        {
            return self.choose(i);
        }
        if self.focus == Focus::Menu
            && let KeyCode::Char(_) = ev.code
            && ev.modifiers.difference(KeyModifiers::SHIFT).is_empty()
        {
            // Typing while the menu has focus goes to the field.
            self.focus = Focus::Field;
        }
        if self.focus == Focus::Field && self.field.handle_key(ev) {
            self.notice = None;
        }
        Outcome::None
    }

    /// Focus order: field, then each menu item, then back to the field.
    fn step(&mut self, forward: bool) {
        let last = self.menu.len().saturating_sub(1);
        match (self.focus, forward) {
            (Focus::Field, true) => {
                self.focus = Focus::Menu;
                self.menu.select(0);
            }
            (Focus::Field, false) => {
                self.focus = Focus::Menu;
                self.menu.select(last);
            }
            (Focus::Menu, true) if self.menu.selected() == last => self.focus = Focus::Field,
            (Focus::Menu, false) if self.menu.selected() == 0 => self.focus = Focus::Field,
            (Focus::Menu, true) => self.menu.select_next(),
            (Focus::Menu, false) => self.menu.select_prev(),
        }
    }

    fn choose(&mut self, index: usize) -> Outcome {
        match CHOICES.get(index) {
            Some(Choice::LookUp) => {
                self.focus = Focus::Field;
                self.submit()
            }
            Some(Choice::SignOut) => Outcome::SignOut,
            None => Outcome::None,
        }
    }

    fn submit(&mut self) -> Outcome {
        match Lookup::parse(self.field.value()) {
            Ok(lookup) => {
                self.notice = None;
                Outcome::Lookup(lookup)
            }
            Err(e) => {
                self.notice = Some(Notice::Error(e.to_string()));
                Outcome::None
            }
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        self.focus = Focus::Field;
        self.field.insert_str(text);
        self.notice = None;
    }

    /// The lookup found nothing.
    pub fn not_found(&mut self, lookup: &Lookup) {
        let (kind, value) = match lookup {
            Lookup::Username(u) => (s::LookupKind::Username, clean(u)),
            Lookup::Email(e) => (s::LookupKind::Email, clean(e)),
            Lookup::Phone(p) => (s::LookupKind::Phone, clean(p)),
            Lookup::AccountId(id) => (s::LookupKind::AccountId, format!("#{id}")),
        };
        self.notice = Some(Notice::Error(s::not_found(&format!(
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
                self.menu.height(),
            ],
        );
        render_rows(&intro, 0, parts[0], frame.buffer_mut());
        render_text_field(
            frame,
            parts[2],
            &self.field,
            theme,
            self.focus == Focus::Field && !ctx.busy,
        );
        render_status(
            ctx,
            s::LOOKING_UP,
            self.notice.as_ref(),
            None,
            parts[3],
            frame.buffer_mut(),
        );
        self.menu.render(
            parts[5],
            frame.buffer_mut(),
            theme,
            self.focus == Focus::Menu,
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
        assert!(matches!(f.notice, Some(Notice::Error(ref m)) if m.contains("account id")));
    }

    #[test]
    fn digits_are_text_in_the_field_and_alt_digits_choose() {
        let mut f = Find::new();
        type_str(&mut f, "2");
        assert_eq!(f.field.value(), "2");
        let alt2 = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT);
        assert!(matches!(f.on_key(&alt2), Outcome::SignOut));
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(f.focus, Focus::Menu);
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
        assert!(f.field.is_empty());
        assert!(matches!(
            f.on_key(&key(KeyCode::Esc)),
            Outcome::ConfirmSignOut
        ));
    }

    #[test]
    fn tab_cycles_field_menu_items_field() {
        let mut f = Find::new();
        f.on_key(&key(KeyCode::Tab));
        assert_eq!((f.focus, f.menu.selected()), (Focus::Menu, 0));
        f.on_key(&key(KeyCode::Tab));
        assert_eq!((f.focus, f.menu.selected()), (Focus::Menu, 1));
        f.on_key(&key(KeyCode::Tab));
        assert_eq!(f.focus, Focus::Field);
        f.on_key(&key(KeyCode::BackTab));
        assert_eq!((f.focus, f.menu.selected()), (Focus::Menu, 1));
        type_str(&mut f, "x");
        assert_eq!((f.focus, f.field.value()), (Focus::Field, "x"));
    }
}
