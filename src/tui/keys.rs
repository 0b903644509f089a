//! Key-binding tables: each screen lists its keys once; the key handler and the help overlay
//! both read that list, so the help never lies.
//!
//! ```
//! use recovery_desk::tui::keys::{Binding, Key, bind, resolve};
//! use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
//!
//! #[derive(Clone, Copy, Debug, PartialEq)]
//! enum Action { Select, Back }
//!
//! const KEYS: &[Binding<Action>] = &[
//!     bind(&[Key::Enter], "Select the focused choice", Action::Select).hinted("Select"),
//!     bind(&[Key::Esc], "Go back", Action::Back),
//! ];
//!
//! let ev = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
//! assert_eq!(resolve(KEYS, &ev), Some(Action::Back));
//! // The footer names only what is hinted; the help overlay reads every label.
//! let footer: Vec<String> = KEYS.iter().filter_map(|b| b.footer_hint()).collect();
//! assert_eq!(footer, ["Enter Select"]);
//! ```

use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One key (with its modifier) that a binding answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// A character typed without Ctrl or Alt. Case-sensitive; a Shift modifier is ignored
    /// (the character already says whether it is upper case, `?`, …).
    Char(char),
    /// Ctrl and a letter; the letter is matched without regard to case.
    Ctrl(char),
    /// Alt and a character (e.g. `Alt('1')`).
    Alt(char),
    /// Enter (Return).
    Enter,
    /// Escape.
    Esc,
    /// Tab without Shift.
    Tab,
    /// Shift-Tab (crossterm reports it as `BackTab`).
    BackTab,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// A function key, `F(1)` for F1.
    F(u8),
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
}

/// Whether the event is one a key binding should act on: a press or an auto-repeat, never a
/// release (terminals with the kitty keyboard protocol, and Windows, report releases too).
pub fn is_actionable(ev: &KeyEvent) -> bool {
    ev.kind != KeyEventKind::Release
}

/// The modifiers other than Shift.
fn without_shift(m: KeyModifiers) -> KeyModifiers {
    m.difference(KeyModifiers::SHIFT)
}

/// Whether no modifier that changes the meaning of a named key (Ctrl, Alt, Super, …) is held.
fn is_plain(m: KeyModifiers) -> bool {
    without_shift(m).is_empty()
}

impl Key {
    /// Whether `ev` is this key being pressed (or auto-repeated). Releases never match.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        if !is_actionable(ev) {
            return false;
        }
        let mods = ev.modifiers;
        match (*self, ev.code) {
            (Key::Char(want), KeyCode::Char(got)) => want == got && is_plain(mods),
            (Key::Ctrl(want), KeyCode::Char(got)) => {
                without_shift(mods) == KeyModifiers::CONTROL && want.eq_ignore_ascii_case(&got)
            }
            (Key::Alt(want), KeyCode::Char(got)) => {
                without_shift(mods) == KeyModifiers::ALT && want == got
            }
            (Key::Tab, KeyCode::Tab) => mods.is_empty(),
            // Terminals using the kitty protocol report Shift-Tab as Tab with SHIFT.
            (Key::BackTab, KeyCode::BackTab) => is_plain(mods),
            (Key::BackTab, KeyCode::Tab) => mods == KeyModifiers::SHIFT,
            (Key::Enter, KeyCode::Enter)
            | (Key::Esc, KeyCode::Esc)
            | (Key::Up, KeyCode::Up)
            | (Key::Down, KeyCode::Down)
            | (Key::Left, KeyCode::Left)
            | (Key::Right, KeyCode::Right)
            | (Key::Backspace, KeyCode::Backspace)
            | (Key::Delete, KeyCode::Delete)
            | (Key::Home, KeyCode::Home)
            | (Key::End, KeyCode::End)
            | (Key::PageUp, KeyCode::PageUp)
            | (Key::PageDown, KeyCode::PageDown) => is_plain(mods),
            (Key::F(want), KeyCode::F(got)) => want == got && is_plain(mods),
            _ => false,
        }
    }

    /// How the key is written in hints and the help overlay: `Enter`, `Esc`, `Ctrl-C`, `F1`,
    /// `↑`, `Shift-Tab`, `Alt-1`, `Space`, `?`.
    pub fn display(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Key::Char(' ') => f.write_str("Space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Ctrl(c) => write!(f, "Ctrl-{}", c.to_ascii_uppercase()),
            Key::Alt(' ') => f.write_str("Alt-Space"),
            Key::Alt(c) => write!(f, "Alt-{c}"),
            Key::Enter => f.write_str("Enter"),
            Key::Esc => f.write_str("Esc"),
            Key::Tab => f.write_str("Tab"),
            Key::BackTab => f.write_str("Shift-Tab"),
            Key::Up => f.write_str("↑"),
            Key::Down => f.write_str("↓"),
            Key::Left => f.write_str("←"),
            Key::Right => f.write_str("→"),
            Key::F(n) => write!(f, "F{n}"),
            Key::Backspace => f.write_str("Backspace"),
            Key::Delete => f.write_str("Del"),
            Key::Home => f.write_str("Home"),
            Key::End => f.write_str("End"),
            Key::PageUp => f.write_str("PgUp"),
            Key::PageDown => f.write_str("PgDn"),
        }
    }
}

/// One entry of a screen's key table: the keys, what the help overlay calls it, the word the
/// footer shows (if the footer shows it), and the action the screen's `update` receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<A> {
    /// The keys that trigger the action (any one of them).
    pub keys: &'static [Key],
    /// What the action does, in the words the help overlay shows.
    pub label: &'static str,
    /// The short word the footer shows after the keys (`Enter Select`); `None` leaves the
    /// binding to the help overlay.
    pub hint: Option<&'static str>,
    /// The action handed to the screen.
    pub action: A,
}

/// A binding: `keys` do `action`, which the help overlay words as `label`; the footer leaves
/// it out unless [`Binding::hinted`] gives it a word.
pub const fn bind<A>(keys: &'static [Key], label: &'static str, action: A) -> Binding<A> {
    Binding {
        keys,
        label,
        hint: None,
        action,
    }
}

impl<A> Binding<A> {
    /// This binding, named in the footer as `hint`.
    pub const fn hinted(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// This binding, left out of the footer (the help overlay still lists it).
    pub const fn unhinted(mut self) -> Self {
        self.hint = None;
        self
    }

    /// How the footer names this binding (`Tab/↓ Move`), if it does.
    pub fn footer_hint(&self) -> Option<String> {
        self.hint.map(|h| format!("{} {h}", self.keys_display()))
    }

    /// The keys joined for display, e.g. `?/F1`.
    pub fn keys_display(&self) -> String {
        join_keys(self.keys)
    }

    /// Whether any of this binding's keys matches `ev`.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        self.keys.iter().any(|k| k.matches(ev))
    }
}

/// Keys joined with `/` for display, e.g. `Tab/↓`.
pub fn join_keys(keys: &[Key]) -> String {
    let mut out = String::new();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&k.display());
    }
    out
}

/// The action of the first binding in `table` that `ev` matches, if any.
pub fn resolve<A: Copy>(table: &[Binding<A>], ev: &KeyEvent) -> Option<A> {
    table.iter().find(|b| b.matches(ev)).map(|b| b.action)
}

/// A one-line hint for the page footer, e.g. `Enter Select · Esc Go back`.
pub fn hint_line<A>(table: &[Binding<A>]) -> String {
    let mut out = String::new();
    for (i, b) in table.iter().enumerate() {
        if i > 0 {
            out.push_str(" · ");
        }
        out.push_str(&b.keys_display());
        out.push(' ');
        out.push_str(b.label);
    }
    out
}

/// The number (1–9) a digit key chooses, for numbered menus.
///
/// With `alt_required` (a text field has focus, so a bare digit is text) only Alt+digit
/// counts. Without it both a bare digit and Alt+digit count, so Alt+digit works everywhere.
/// Ctrl+digit, `0` and releases never count.
pub fn digit_of(ev: &KeyEvent, alt_required: bool) -> Option<u8> {
    if !is_actionable(ev) {
        return None;
    }
    let KeyCode::Char(c @ '1'..='9') = ev.code else {
        return None;
    };
    let mods = without_shift(ev.modifiers);
    let accepted = if alt_required {
        mods == KeyModifiers::ALT
    } else {
        mods.is_empty() || mods == KeyModifiers::ALT
    };
    if !accepted {
        return None;
    }
    c.to_digit(10).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn plain(code: KeyCode) -> KeyEvent {
        key(code, KeyModifiers::NONE)
    }

    fn with_kind(code: KeyCode, kind: KeyEventKind) -> KeyEvent {
        KeyEvent::new_with_kind_and_state(code, KeyModifiers::NONE, kind, KeyEventState::NONE)
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Act {
        Select,
        Help,
        Quit,
        Next,
        Prev,
    }

    const TABLE: &[Binding<Act>] = &[
        bind(&[Key::Enter], "Select", Act::Select),
        bind(&[Key::Char('?'), Key::F(1)], "Help", Act::Help),
        bind(&[Key::Ctrl('c')], "Quit", Act::Quit),
        bind(&[Key::Tab, Key::Down], "Next", Act::Next),
        bind(&[Key::BackTab, Key::Up], "Previous", Act::Prev),
    ];

    #[test]
    fn resolves_first_matching_binding() {
        assert_eq!(resolve(TABLE, &plain(KeyCode::Enter)), Some(Act::Select));
        assert_eq!(resolve(TABLE, &plain(KeyCode::F(1))), Some(Act::Help));
        assert_eq!(resolve(TABLE, &plain(KeyCode::Char('?'))), Some(Act::Help));
        assert_eq!(resolve(TABLE, &plain(KeyCode::Down)), Some(Act::Next));
        assert_eq!(resolve(TABLE, &plain(KeyCode::Char('x'))), None);
    }

    #[test]
    fn shifted_question_mark_still_matches() {
        let ev = key(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(resolve(TABLE, &ev), Some(Act::Help));
    }

    #[test]
    fn char_is_case_sensitive() {
        assert!(Key::Char('q').matches(&plain(KeyCode::Char('q'))));
        assert!(!Key::Char('q').matches(&key(KeyCode::Char('Q'), KeyModifiers::SHIFT)));
        assert!(Key::Char('Q').matches(&key(KeyCode::Char('Q'), KeyModifiers::SHIFT)));
        // Ctrl or Alt turn a character into a different key.
        assert!(!Key::Char('q').matches(&key(KeyCode::Char('q'), KeyModifiers::CONTROL)));
        assert!(!Key::Char('1').matches(&key(KeyCode::Char('1'), KeyModifiers::ALT)));
    }

    #[test]
    fn ctrl_c_matches_either_case() {
        let ev = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(resolve(TABLE, &ev), Some(Act::Quit));
        let ev = key(
            KeyCode::Char('C'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(resolve(TABLE, &ev), Some(Act::Quit));
        assert_eq!(resolve(TABLE, &plain(KeyCode::Char('c'))), None);
        let ev = key(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL | KeyModifiers::ALT,
        );
        assert_eq!(resolve(TABLE, &ev), None);
    }

    #[test]
    fn alt_digit() {
        let ev = key(KeyCode::Char('1'), KeyModifiers::ALT);
        assert!(Key::Alt('1').matches(&ev));
        assert!(!Key::Alt('1').matches(&plain(KeyCode::Char('1'))));
        assert!(!Key::Alt('2').matches(&ev));
    }

    #[test]
    fn shift_tab_as_backtab_or_shifted_tab() {
        let ev = key(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(resolve(TABLE, &ev), Some(Act::Prev));
        let ev = key(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(resolve(TABLE, &ev), Some(Act::Prev));
        assert_eq!(resolve(TABLE, &plain(KeyCode::Tab)), Some(Act::Next));
    }

    #[test]
    fn press_and_repeat_count_release_does_not() {
        assert!(Key::Enter.matches(&with_kind(KeyCode::Enter, KeyEventKind::Press)));
        assert!(Key::Enter.matches(&with_kind(KeyCode::Enter, KeyEventKind::Repeat)));
        assert!(!Key::Enter.matches(&with_kind(KeyCode::Enter, KeyEventKind::Release)));
        let release = with_kind(KeyCode::Char('3'), KeyEventKind::Release);
        assert_eq!(digit_of(&release, false), None);
    }

    #[test]
    fn named_keys_ignore_ctrl_variants() {
        assert!(!Key::Enter.matches(&key(KeyCode::Enter, KeyModifiers::CONTROL)));
        assert!(!Key::Up.matches(&key(KeyCode::Up, KeyModifiers::ALT)));
        assert!(Key::Up.matches(&plain(KeyCode::Up)));
        assert!(Key::F(5).matches(&plain(KeyCode::F(5))));
        assert!(!Key::F(5).matches(&plain(KeyCode::F(6))));
    }

    #[test]
    fn display_names() {
        let cases = [
            (Key::Enter, "Enter"),
            (Key::Esc, "Esc"),
            (Key::Ctrl('c'), "Ctrl-C"),
            (Key::F(1), "F1"),
            (Key::Up, "↑"),
            (Key::Down, "↓"),
            (Key::Left, "←"),
            (Key::Right, "→"),
            (Key::BackTab, "Shift-Tab"),
            (Key::Tab, "Tab"),
            (Key::Alt('1'), "Alt-1"),
            (Key::Char('?'), "?"),
            (Key::Char(' '), "Space"),
            (Key::Backspace, "Backspace"),
            (Key::Delete, "Del"),
            (Key::Home, "Home"),
            (Key::End, "End"),
            (Key::PageUp, "PgUp"),
            (Key::PageDown, "PgDn"),
        ];
        for (k, want) in cases {
            assert_eq!(k.display(), want);
        }
    }

    #[test]
    fn joined_keys_and_hint_line() {
        assert_eq!(TABLE[1].keys_display(), "?/F1");
        assert_eq!(
            hint_line(&TABLE[..3]),
            "Enter Select · ?/F1 Help · Ctrl-C Quit"
        );
    }

    #[test]
    fn digits_without_text_focus() {
        assert_eq!(digit_of(&plain(KeyCode::Char('1')), false), Some(1));
        assert_eq!(digit_of(&plain(KeyCode::Char('9')), false), Some(9));
        assert_eq!(digit_of(&plain(KeyCode::Char('0')), false), None);
        assert_eq!(digit_of(&plain(KeyCode::Char('a')), false), None);
        let alt = key(KeyCode::Char('4'), KeyModifiers::ALT);
        assert_eq!(digit_of(&alt, false), Some(4));
        let ctrl = key(KeyCode::Char('4'), KeyModifiers::CONTROL);
        assert_eq!(digit_of(&ctrl, false), None);
    }

    #[test]
    fn digits_with_text_focus_need_alt() {
        assert_eq!(digit_of(&plain(KeyCode::Char('2')), true), None);
        let alt = key(KeyCode::Char('2'), KeyModifiers::ALT);
        assert_eq!(digit_of(&alt, true), Some(2));
    }
}
