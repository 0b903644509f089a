//! The console's actions, the key bindings screens build their tables from, and [`Form`]: the
//! focus ring of text fields and numbered choices most screens are made of.
//!
//! A screen's table is read twice: by [`Form::handle`] to turn a key into an action, and by
//! the help overlay and the footer to say which keys do what, so the help never lies.

use crate::tui::help::HelpRow;
use crate::tui::keys::{Binding, Key, digit_of, resolve};
use crate::tui::{Menu, TextField};
use ratatui::crossterm::event::KeyEvent;

use super::strings as s;

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Enter: submit the focused field, or select the focused choice.
    Enter,
    Next,
    Prev,
    Back,
    Help,
    /// Ctrl-C: quit at once.
    Quit,
    /// `q`: ask whether to quit.
    AskQuit,
    Reveal,
    ScrollUp,
    ScrollDown,
}

macro_rules! binding {
    ($name:ident, [$($k:expr),+], $label:expr, $action:expr) => {
        pub const $name: Binding<Action> = Binding { keys: &[$($k),+], label: $label, action: $action };
    };
}

binding!(CONTINUE, [Key::Enter], "Continue", Action::Enter);
binding!(SELECT, [Key::Enter], "Select", Action::Enter);
binding!(NEXT, [Key::Tab, Key::Down], "Next", Action::Next);
binding!(PREV, [Key::BackTab, Key::Up], "Previous", Action::Prev);
binding!(BACK, [Key::Esc], "Back", Action::Back);
binding!(ESC_QUIT, [Key::Esc], "Quit", Action::Back);
binding!(ESC_SIGN_OUT, [Key::Esc], "Sign out", Action::Back);
binding!(
    REVEAL,
    [Key::Ctrl('r')],
    "Show or hide (what you typed)",
    Action::Reveal
);
binding!(
    HELP,
    [Key::Char('?'), Key::F(1)],
    "Help (only F1 while typing)",
    Action::Help
);
binding!(
    ASK_QUIT,
    [Key::Char('q')],
    "Quit (when not typing)",
    Action::AskQuit
);
binding!(QUIT, [Key::Ctrl('c')], "Quit now", Action::Quit);
binding!(
    SCROLL_UP,
    [Key::Up, Key::PageUp],
    "Scroll up",
    Action::ScrollUp
);
binding!(
    SCROLL_DOWN,
    [Key::Down, Key::PageDown],
    "Scroll down",
    Action::ScrollDown
);
// Dialog choices move sideways as well.
binding!(
    DIALOG_NEXT,
    [Key::Tab, Key::Right, Key::Down],
    "Next choice",
    Action::Next
);
binding!(
    DIALOG_PREV,
    [Key::BackTab, Key::Left, Key::Up],
    "Previous choice",
    Action::Prev
);
binding!(DIALOG_CANCEL, [Key::Esc], "Cancel", Action::Back);

/// Keys of every yes/no dialog.
pub const DIALOG_KEYS: &[Binding<Action>] =
    &[SELECT, DIALOG_NEXT, DIALOG_PREV, DIALOG_CANCEL, HELP, QUIT];

/// Rows of the help overlay for a table; `choices` adds the row for numbered choices and
/// `fields` the editing keys of text fields.
pub fn help_rows(table: &[Binding<Action>], choices: usize, fields: bool) -> Vec<HelpRow> {
    let mut rows = crate::tui::help_rows(table);
    if choices > 0 {
        let at = rows.len().min(1);
        rows.insert(
            at,
            HelpRow::new(
                format!(
                    "{}, {}",
                    s::choose_digits(choices, false),
                    s::choose_digits(choices, true)
                ),
                s::HELP_CHOOSE,
            ),
        );
    }
    if fields {
        rows.push(HelpRow::new("Ctrl-U", "Clear the field you're typing in"));
    }
    rows
}

/// The footer's key hints: the table's bindings in order, as many as fit in `width`, always
/// ending with help. `choices` inserts the numbered-choice hint after the first binding;
/// `typing` says a text field has focus (so only Alt+digit chooses and `?` is text).
pub fn footer(table: &[Binding<Action>], choices: usize, typing: bool, width: usize) -> String {
    let help = if typing { "F1 Help" } else { "?/F1 Help" };
    let mut parts: Vec<String> = vec![];
    for (i, b) in table.iter().enumerate() {
        // Help always ends the line; Ctrl-C and "previous" are in the help overlay.
        if matches!(b.action, Action::Help | Action::Quit | Action::Prev) {
            continue;
        }
        if typing && b.action == Action::AskQuit {
            continue;
        }
        // A label's note in brackets is for the help overlay only.
        let label = b.label.split(" (").next().unwrap_or(b.label);
        parts.push(format!("{} {label}", b.keys_display()));
        if i == 0 && choices > 0 {
            parts.push(format!("{} Choose", s::choose_digits(choices, typing)));
        }
    }
    let sep = " · ";
    let mut out = String::new();
    let budget = width.saturating_sub(help.chars().count() + sep.len());
    for p in parts {
        let extra = if out.is_empty() { 0 } else { 3 } + p.chars().count();
        if out.chars().count() + extra <= budget {
            if !out.is_empty() {
                out.push_str(sep);
            }
            out.push_str(&p);
        }
    }
    if !out.is_empty() {
        out.push_str(sep);
    }
    out.push_str(help);
    out
}

/// What a key did to a [`Form`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    /// Nothing for the screen to do (focus moved, key ignored).
    Nothing,
    /// The focused field's text changed.
    Edited,
    /// Enter in the fields: the form is complete.
    Submit,
    /// A numbered choice was chosen (index into the menu).
    Choose(usize),
    /// An action the form does not handle itself (Back, Help, …).
    Action(Action),
}

/// Text fields followed by numbered choices, with one focus moving through all of them.
#[derive(Debug)]
pub struct Form {
    pub fields: Vec<TextField>,
    pub menu: Menu,
    focus: usize,
}

impl Form {
    pub fn new<S: AsRef<str>>(fields: Vec<TextField>, choices: &[S]) -> Form {
        Form {
            fields,
            menu: Menu::new(choices),
            focus: 0,
        }
    }

    /// Only numbered choices.
    pub fn menu<S: AsRef<str>>(choices: &[S]) -> Form {
        Form::new(Vec::new(), choices)
    }

    fn stops(&self) -> usize {
        self.fields.len() + self.menu.len()
    }

    /// The focused field's index, if a field has focus.
    pub fn field_focus(&self) -> Option<usize> {
        (self.focus < self.fields.len()).then_some(self.focus)
    }

    /// Whether a text field has focus (digits and `?` are then text).
    pub fn typing(&self) -> bool {
        self.field_focus().is_some()
    }

    /// Whether the numbered choices have focus.
    pub fn menu_focused(&self) -> bool {
        !self.typing() && !self.menu.is_empty()
    }

    pub fn focus_field(&mut self, i: usize) {
        if i < self.fields.len() {
            self.focus = i;
        }
    }

    pub fn focus_choice(&mut self, i: usize) {
        if i < self.menu.len() {
            self.menu.select(i);
            self.focus = self.fields.len() + i;
        }
    }

    fn set_focus(&mut self, stop: usize) {
        self.focus = stop;
        if stop >= self.fields.len() {
            self.menu.select(stop - self.fields.len());
        }
    }

    pub fn next(&mut self) {
        let n = self.stops();
        if n > 0 {
            self.set_focus((self.focus + 1) % n);
        }
    }

    pub fn prev(&mut self) {
        let n = self.stops();
        if n > 0 {
            self.set_focus((self.focus + n - 1) % n);
        }
    }

    pub fn field(&self, i: usize) -> &TextField {
        &self.fields[i]
    }

    pub fn field_mut(&mut self, i: usize) -> &mut TextField {
        &mut self.fields[i]
    }

    /// Empties every field (wiping secrets) and focuses the first.
    pub fn clear(&mut self) {
        for f in &mut self.fields {
            f.clear();
            f.hide();
        }
        self.focus = 0;
    }

    /// Turns a key into what it means for this form, reading `table` for the screen's keys.
    pub fn handle(&mut self, ev: &KeyEvent, table: &[Binding<Action>]) -> FormEvent {
        if let Some(i) = self.field_focus()
            && self.fields[i].handle_key(ev)
        {
            return FormEvent::Edited;
        }
        if let Some(d) = digit_of(ev, self.typing())
            && let Some(i) = self.menu.index_for_digit(d)
        {
            self.focus_choice(i);
            return FormEvent::Choose(i);
        }
        match resolve(table, ev) {
            Some(Action::Next) => {
                self.next();
                FormEvent::Nothing
            }
            Some(Action::Prev) => {
                self.prev();
                FormEvent::Nothing
            }
            Some(Action::Reveal) => {
                if let Some(i) = self.field_focus() {
                    self.fields[i].toggle_reveal();
                }
                FormEvent::Nothing
            }
            Some(Action::Enter) => match self.field_focus() {
                Some(i) => {
                    let last = i + 1 == self.fields.len();
                    let complete = self.fields.iter().all(|f| !f.is_empty());
                    if last || complete {
                        FormEvent::Submit
                    } else {
                        self.focus = i + 1;
                        FormEvent::Nothing
                    }
                }
                None if !self.menu.is_empty() => FormEvent::Choose(self.menu.selected()),
                None => FormEvent::Nothing,
            },
            Some(a) => FormEvent::Action(a),
            None => FormEvent::Nothing,
        }
    }

    /// Pastes into the focused field, if any.
    pub fn paste(&mut self, text: &str) -> bool {
        match self.field_focus() {
            Some(i) => {
                self.fields[i].insert_str(text);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    const TABLE: &[Binding<Action>] = &[CONTINUE, NEXT, PREV, BACK, HELP, QUIT];

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn form() -> Form {
        Form::new(
            vec![TextField::new("Username", 32)],
            &["Create account".to_string(), "Can't sign in?".to_string()],
        )
    }

    #[test]
    fn digits_are_text_in_a_field_and_choices_with_alt() {
        let mut f = form();
        assert_eq!(f.handle(&key(KeyCode::Char('2')), TABLE), FormEvent::Edited);
        assert_eq!(f.field(0).value(), "2");
        let alt = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT);
        assert_eq!(f.handle(&alt, TABLE), FormEvent::Choose(1));
        // Focus moved to the choice: a bare digit now chooses.
        assert_eq!(
            f.handle(&key(KeyCode::Char('1')), TABLE),
            FormEvent::Choose(0)
        );
        // A digit past the last choice does nothing.
        assert_eq!(
            f.handle(&key(KeyCode::Char('3')), TABLE),
            FormEvent::Nothing
        );
    }

    #[test]
    fn focus_ring_wraps_through_fields_and_choices() {
        let mut f = form();
        assert!(f.typing());
        f.handle(&key(KeyCode::Tab), TABLE);
        assert!(f.menu_focused());
        assert_eq!(f.menu.selected(), 0);
        f.handle(&key(KeyCode::Down), TABLE);
        assert_eq!(f.menu.selected(), 1);
        f.handle(&key(KeyCode::Down), TABLE);
        assert!(f.typing());
        f.handle(&key(KeyCode::Up), TABLE);
        assert_eq!(f.menu.selected(), 1);
        assert_eq!(f.handle(&key(KeyCode::Enter), TABLE), FormEvent::Choose(1));
    }

    #[test]
    fn enter_moves_through_empty_fields_then_submits() {
        let none: &[&str] = &[];
        let mut f = Form::new(vec![TextField::new("A", 9), TextField::new("B", 9)], none);
        f.handle(&key(KeyCode::Char('x')), TABLE);
        assert_eq!(f.handle(&key(KeyCode::Enter), TABLE), FormEvent::Nothing);
        assert_eq!(f.field_focus(), Some(1));
        f.handle(&key(KeyCode::Char('y')), TABLE);
        assert_eq!(f.handle(&key(KeyCode::Enter), TABLE), FormEvent::Submit);
        // Back in the first field with both filled, Enter submits at once.
        f.handle(&key(KeyCode::BackTab), TABLE);
        assert_eq!(f.handle(&key(KeyCode::Enter), TABLE), FormEvent::Submit);
    }

    #[test]
    fn footer_fits_and_ends_with_help() {
        let table = &[CONTINUE, NEXT, PREV, REVEAL, BACK, HELP, QUIT];
        let f = footer(table, 2, true, 76);
        assert!(f.chars().count() <= 76, "{f}");
        assert!(f.ends_with("F1 Help"), "{f}");
        assert!(f.contains("Alt-1–2 Choose"), "{f}");
        let f = footer(table, 2, false, 76);
        assert!(f.ends_with("?/F1 Help"), "{f}");
        assert!(f.contains(" 1–2 Choose"), "{f}");
    }
}
