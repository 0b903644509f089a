//! The console's actions and the key bindings screens build their tables from; [`Form`] (the
//! framework's, `tui/form.rs`) reads them through [`FormAction`].
//!
//! A screen's table is read twice: by [`Form::handle`] to turn a key into an action, and by
//! the help overlay and the footer to say which keys do what, so the help never lies.

use crate::tui::form::{FormAction, Role};
use crate::tui::help::HelpRow;
use crate::tui::keys::{Binding, Key, bind};

pub use crate::tui::form::Form;

/// What a key did to a [`Form`] on a console screen.
pub type FormEvent = crate::tui::form::FormEvent<Action>;

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

impl FormAction for Action {
    fn role(self) -> Role {
        match self {
            Action::Enter => Role::Enter,
            Action::Next => Role::Next,
            Action::Prev => Role::Prev,
            Action::Reveal => Role::Reveal,
            _ => Role::Other,
        }
    }
}

/// Enter, going on from a text field.
pub const CONTINUE: Binding<Action> =
    bind(&[Key::Enter], "Continue", Action::Enter).hinted("Continue");
/// Enter, picking the focused choice.
pub const SELECT: Binding<Action> = bind(&[Key::Enter], "Select", Action::Enter).hinted("Select");
pub const NEXT: Binding<Action> = bind(&[Key::Tab, Key::Down], "Next", Action::Next).hinted("Next");
pub const PREV: Binding<Action> = bind(&[Key::BackTab, Key::Up], "Previous", Action::Prev);
pub const BACK: Binding<Action> = bind(&[Key::Esc], "Back", Action::Back).hinted("Back");
pub const ESC_QUIT: Binding<Action> = bind(&[Key::Esc], "Quit", Action::Back).hinted("Quit");
pub const ESC_SIGN_OUT: Binding<Action> =
    bind(&[Key::Esc], "Sign out", Action::Back).hinted("Sign out");
pub const REVEAL: Binding<Action> = bind(
    &[Key::Ctrl('r')],
    "Show or hide (what you typed)",
    Action::Reveal,
)
.hinted("Show or hide");
/// Help ends every footer on its own (with the keys that work while typing), so it is not
/// hinted here.
pub const HELP: Binding<Action> = bind(
    &[Key::Char('?'), Key::F(1)],
    "Help (only F1 while typing)",
    Action::Help,
);
pub const ASK_QUIT: Binding<Action> =
    bind(&[Key::Char('q')], "Quit (when not typing)", Action::AskQuit).hinted("Quit");
pub const QUIT: Binding<Action> = bind(&[Key::Ctrl('c')], "Quit now", Action::Quit);

/// The keys of a screen that starts in a text field: Enter goes on, Tab moves, Esc goes back.
pub const FIELD_KEYS: &[Binding<Action>] = &[CONTINUE, NEXT, PREV, BACK, REVEAL, HELP, QUIT];

/// The keys of a screen of numbered choices: Enter picks, Tab moves, Esc goes back.
pub const MENU_KEYS: &[Binding<Action>] = &[SELECT, NEXT, PREV, BACK, ASK_QUIT, HELP, QUIT];
pub const SCROLL_UP: Binding<Action> =
    bind(&[Key::Up, Key::PageUp], "Scroll up", Action::ScrollUp).hinted("Scroll up");
pub const SCROLL_DOWN: Binding<Action> = bind(
    &[Key::Down, Key::PageDown],
    "Scroll down",
    Action::ScrollDown,
)
.hinted("Scroll down");
// Dialog choices move sideways as well.
pub const DIALOG_NEXT: Binding<Action> = bind(
    &[Key::Tab, Key::Right, Key::Down],
    "Next choice",
    Action::Next,
)
.hinted("Next choice");
pub const DIALOG_PREV: Binding<Action> = bind(
    &[Key::BackTab, Key::Left, Key::Up],
    "Previous choice",
    Action::Prev,
);
pub const DIALOG_CANCEL: Binding<Action> =
    bind(&[Key::Esc], "Cancel", Action::Back).hinted("Cancel");

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
        // Help always ends the line; Ctrl-C and "previous" are left to the help overlay (they
        // carry no hint), and `q` is text while typing.
        if typing && b.action == Action::AskQuit {
            continue;
        }
        let Some(hint) = b.footer_hint() else {
            continue;
        };
        parts.push(hint);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::TextField;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
