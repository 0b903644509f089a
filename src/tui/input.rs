//! A single-line text field for usernames, passwords and codes: masked on request, zeroized,
//! capped in length, and drawn with horizontal scrolling.

use std::fmt;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};
use zeroize::{Zeroize, Zeroizing};

use super::keys::{Key, is_actionable};
use super::sanitize::{is_unsafe_char, sanitize};
use super::theme::Theme;

/// The character drawn for each character of a masked value.
pub const MASK_CHAR: char = '•';

/// Bytes reserved up front per allowed character, so typing does not reallocate (a
/// reallocation would leave an un-zeroized copy of the secret behind).
const BYTES_PER_CHAR: usize = 4;
/// Upper bound of the up-front reservation; longer values grow through [`TextField`]'s own
/// zeroizing reallocation.
const MAX_RESERVE: usize = 4096;

/// A single-line text input.
///
/// The value lives in a [`Zeroizing`] string: it is wiped when cleared, taken or dropped,
/// and growing it copies into a new buffer and wipes the old one. `Debug` never shows the
/// value. Control characters, escape sequences and invisible format characters never get in,
/// whether typed or pasted.
///
/// Keys handled by [`TextField::handle_key`]: printable characters, Backspace, Delete, ←, →,
/// Home, End, Ctrl-A (start), Ctrl-E (end), Ctrl-U (clear) and, for masked fields, Ctrl-R
/// (show/hide). Everything else — Enter, Esc, Tab, Shift-Tab, ↑, ↓, F-keys, Alt+anything,
/// Ctrl-C — is left to the screen.
pub struct TextField {
    label: String,
    value: Zeroizing<String>,
    /// Cursor position as a char index into `value` (0 ..= char count).
    cursor: usize,
    masked: bool,
    revealed: bool,
    /// Whether the value shows when nothing asked to hide it (a recovery code, typed from
    /// paper); `hide` returns to this.
    shown_by_default: bool,
    max_chars: usize,
    capped: bool,
}

impl fmt::Debug for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextField")
            .field("label", &self.label)
            .field("value", &"[redacted]")
            .field("masked", &self.masked)
            .field("revealed", &self.revealed)
            .field("max_chars", &self.max_chars)
            .finish_non_exhaustive()
    }
}

impl TextField {
    /// Rows the field takes when drawn: the label and a three-row box.
    pub const HEIGHT: u16 = 4;

    /// Key that shows or hides a masked value.
    pub const REVEAL_KEY: Key = Key::Ctrl('r');

    /// A visible (unmasked) field accepting at most `max_chars` characters.
    pub fn new(label: impl Into<String>, max_chars: usize) -> Self {
        Self {
            label: sanitize(&label.into()),
            value: Zeroizing::new(String::with_capacity(Self::reserve_for(max_chars))),
            cursor: 0,
            masked: false,
            revealed: false,
            shown_by_default: false,
            max_chars,
            capped: false,
        }
    }

    /// A masked field (passwords, codes) accepting at most `max_chars` characters.
    pub fn masked(label: impl Into<String>, max_chars: usize) -> Self {
        Self {
            masked: true,
            ..Self::new(label, max_chars)
        }
    }

    fn reserve_for(max_chars: usize) -> usize {
        max_chars.saturating_mul(BYTES_PER_CHAR).min(MAX_RESERVE)
    }

    /// The label drawn above the box.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The current value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Takes the value out, leaving the field empty.
    pub fn take(&mut self) -> Zeroizing<String> {
        let fresh = Zeroizing::new(String::with_capacity(Self::reserve_for(self.max_chars)));
        self.cursor = 0;
        self.capped = false;
        std::mem::replace(&mut self.value, fresh)
    }

    /// Empties the field, wiping the old value.
    pub fn clear(&mut self) {
        self.value.zeroize();
        self.cursor = 0;
        self.capped = false;
    }

    /// Replaces the value (cleaned as a paste would be) and puts the cursor at the end.
    pub fn set_value(&mut self, s: &str) {
        self.clear();
        self.insert_str(s);
    }

    /// Number of characters in the value.
    pub fn char_count(&self) -> usize {
        self.value.chars().count()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// The cursor, as a character index (0 = before the first character).
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The most characters the field accepts.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// Whether the field masks its value.
    pub fn is_masked(&self) -> bool {
        self.masked
    }

    /// A field for a recovery code: typed from paper, so it shows as typed, to compare with the
    /// copy (SPEC §5); the reveal key hides it, and a screen leaving hides nothing more.
    pub fn recovery_code(label: impl Into<String>) -> Self {
        Self {
            revealed: true,
            shown_by_default: true,
            ..Self::masked(label, 64)
        }
    }

    /// Whether a masked value is currently shown in clear.
    pub fn is_revealed(&self) -> bool {
        self.masked && self.revealed
    }

    /// Shows or hides a masked value; does nothing for an unmasked field.
    pub fn toggle_reveal(&mut self) {
        if self.masked {
            self.revealed = !self.revealed;
        }
    }

    /// Puts the field back as it starts (e.g. when the screen is left or cleared): a password
    /// or one-time code hidden, a recovery code shown as typed.
    pub fn hide(&mut self) {
        self.revealed = self.shown_by_default;
    }

    /// Whether the last typing or paste was cut short by the length cap.
    pub fn is_capped(&self) -> bool {
        self.capped
    }

    /// "Input capped at N characters" while [`TextField::is_capped`].
    pub fn capped_message(&self) -> Option<String> {
        self.capped
            .then(|| format!("Input capped at {} characters", self.max_chars))
    }

    /// Byte offset of a char index.
    fn byte_at(&self, char_index: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_index)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Makes room for `extra` more bytes without letting `String` reallocate, which would
    /// leave the old bytes behind un-wiped: copy into a bigger buffer, wipe the old one.
    fn reserve_zeroizing(&mut self, extra: usize) {
        let needed = self.value.len().saturating_add(extra);
        if needed <= self.value.capacity() {
            return;
        }
        let capacity = needed.max(self.value.capacity().saturating_mul(2));
        let mut bigger = Zeroizing::new(String::with_capacity(capacity));
        bigger.push_str(&self.value);
        // The old buffer is zeroized when its `Zeroizing` wrapper drops here.
        self.value = bigger;
    }

    /// Inserts one typed character at the cursor. Control and invisible format characters are
    /// ignored; at the cap the character is dropped and the field reports it is capped.
    pub fn insert_char(&mut self, c: char) {
        if is_unsafe_char(c) {
            return;
        }
        if self.char_count() >= self.max_chars {
            self.capped = true;
            return;
        }
        self.reserve_zeroizing(c.len_utf8());
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
        self.capped = false;
    }

    /// Inserts pasted text at the cursor: escape sequences, control characters (newlines
    /// included) and invisible format characters are removed first, and whatever exceeds the
    /// cap is dropped (the field then reports it is capped).
    pub fn insert_str(&mut self, s: &str) {
        let clean = Zeroizing::new(sanitize(s));
        let room = self.max_chars.saturating_sub(self.char_count());
        let mut taken = 0;
        let mut bytes = 0;
        for c in clean.chars() {
            if taken == room {
                break;
            }
            taken += 1;
            bytes += c.len_utf8();
        }
        self.capped = bytes < clean.len();
        if taken == 0 {
            return;
        }
        self.reserve_zeroizing(bytes);
        let at = self.byte_at(self.cursor);
        self.value.insert_str(at, &clean[..bytes]);
        self.cursor += taken;
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        self.cursor -= 1;
        let at = self.byte_at(self.cursor);
        self.remove_at(at);
    }

    /// Deletes the character under the cursor.
    pub fn delete(&mut self) {
        let at = self.byte_at(self.cursor);
        if at < self.value.len() {
            self.remove_at(at);
        }
    }

    /// Removes the char starting at byte `at` and wipes the bytes it leaves past the end.
    fn remove_at(&mut self, at: usize) {
        let old_len = self.value.len();
        self.value.remove(at);
        // `remove` shifts the tail left, leaving a stale copy of its last bytes in the spare
        // capacity. Overwrite them with zeros now rather than waiting for the drop; the
        // capacity already holds `old_len` bytes, so pushing cannot reallocate.
        let new_len = self.value.len();
        for _ in new_len..old_len {
            self.value.push('\0');
        }
        self.value.truncate(new_len);
        self.capped = false;
    }

    /// Moves the cursor one character left.
    pub fn move_left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    /// Moves the cursor one character right.
    pub fn move_right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.char_count());
    }

    /// Moves the cursor before the first character.
    pub fn move_home(&mut self) {
        self.cursor = 0;
    }

    /// Moves the cursor after the last character.
    pub fn move_end(&mut self) {
        self.cursor = self.char_count();
    }

    /// Edits the field for a key press; returns whether the key was used.
    ///
    /// Keys the screen acts on are never consumed: Enter, Esc, Tab, Shift-Tab, ↑, ↓,
    /// PgUp/PgDn, F-keys, any Alt combination (Alt+digit chooses a menu item) and Ctrl
    /// combinations other than Ctrl-A/E/U/R (so Ctrl-C always quits). Ctrl-R is only used by
    /// masked fields.
    pub fn handle_key(&mut self, ev: &KeyEvent) -> bool {
        if !is_actionable(ev) {
            return false;
        }
        let mods = ev.modifiers.difference(KeyModifiers::SHIFT);
        let ctrl = mods.contains(KeyModifiers::CONTROL);
        let alt = mods.contains(KeyModifiers::ALT);
        match ev.code {
            // AltGr arrives as Ctrl+Alt on Windows; a non-letter with it is typed text
            // (e.g. `@` on a German keyboard).
            KeyCode::Char(c) if ctrl && alt && !c.is_ascii_alphanumeric() => {
                self.insert_char(c);
                true
            }
            KeyCode::Char(c) if mods == KeyModifiers::CONTROL => {
                match c.to_ascii_lowercase() {
                    'u' => self.clear(),
                    'a' => self.move_home(),
                    'e' => self.move_end(),
                    'r' if self.masked => self.toggle_reveal(),
                    _ => return false,
                }
                true
            }
            KeyCode::Char(c) if mods.is_empty() => {
                self.insert_char(c);
                true
            }
            KeyCode::Backspace if !ctrl && !alt => {
                self.backspace();
                true
            }
            KeyCode::Delete if !ctrl && !alt => {
                self.delete();
                true
            }
            KeyCode::Left if !alt => {
                self.move_left();
                true
            }
            KeyCode::Right if !alt => {
                self.move_right();
                true
            }
            KeyCode::Home if !alt => {
                self.move_home();
                true
            }
            KeyCode::End if !alt => {
                self.move_end();
                true
            }
            _ => false,
        }
    }

    /// The characters as drawn: the value, or one [`MASK_CHAR`] per character when masked and
    /// not revealed.
    fn shown_chars(&self) -> impl Iterator<Item = char> + '_ {
        let hide = self.masked && !self.revealed;
        self.value
            .chars()
            .map(move |c| if hide { MASK_CHAR } else { c })
    }

    /// A widget drawing this field (label row plus bordered box).
    pub fn view<'a>(&'a self, theme: &'a Theme, focused: bool) -> TextFieldView<'a> {
        TextFieldView {
            field: self,
            theme,
            focused,
        }
    }
}

/// Columns a character takes on screen (0 for combining marks).
fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// Draws a [`TextField`]: its label on the first row, then a bordered box holding the value
/// (masked if need be), scrolled sideways so the cursor stays in view. The border is
/// highlighted when focused; a capped field says so on the bottom border.
#[derive(Debug, Clone, Copy)]
pub struct TextFieldView<'a> {
    /// The field drawn.
    pub field: &'a TextField,
    /// Styles.
    pub theme: &'a Theme,
    /// Whether the field has keyboard focus.
    pub focused: bool,
}

/// Where the label, box and text go inside the area given to a [`TextFieldView`].
struct FieldLayout {
    label: Option<Rect>,
    boxed: Rect,
    text: Rect,
}

impl TextFieldView<'_> {
    fn layout(area: Rect) -> FieldLayout {
        let (label, rest) = if area.height >= TextField::HEIGHT {
            (
                Some(Rect::new(area.x, area.y, area.width, 1)),
                Rect::new(area.x, area.y + 1, area.width, area.height - 1),
            )
        } else {
            (None, area)
        };
        let boxed = Rect::new(rest.x, rest.y, rest.width, rest.height.min(3));
        let text = Block::bordered().inner(boxed);
        FieldLayout { label, boxed, text }
    }

    /// The first shown character and the cursor column (relative to the text area) so the
    /// cursor stays visible in `width` columns.
    fn scroll(&self, widths: &[usize], width: usize) -> (usize, usize) {
        let cursor = self.field.cursor.min(widths.len());
        // The cursor cell itself needs one column.
        let mut start = cursor;
        let mut used = 0;
        while start > 0 && used + widths[start - 1] < width {
            used += widths[start - 1];
            start -= 1;
        }
        (start, used)
    }

    /// Where the terminal cursor belongs when this field is drawn into `area`, or `None` if
    /// the box has no room for text.
    pub fn cursor_position(&self, area: Rect) -> Option<Position> {
        let text = Self::layout(area).text;
        if text.is_empty() {
            return None;
        }
        let widths: Vec<usize> = self.field.shown_chars().map(char_width).collect();
        let (_, col) = self.scroll(&widths, usize::from(text.width));
        let col = u16::try_from(col).unwrap_or(0).min(text.width - 1);
        Some(Position::new(text.x + col, text.y))
    }
}

impl Widget for TextFieldView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let layout = Self::layout(area);
        let field = self.field;
        let theme = self.theme;

        if let Some(label_area) = layout.label {
            let mut spans = vec![Span::styled(field.label.as_str(), theme.normal)];
            if field.masked && self.focused {
                let hint = if field.revealed {
                    "  (Ctrl-R hides)"
                } else {
                    "  (Ctrl-R shows)"
                };
                spans.push(Span::styled(hint, theme.hint));
            }
            super::paint::line(
                buf,
                label_area.x,
                label_area.y,
                &Line::from(spans),
                label_area.width,
            );
        }

        let border = if self.focused {
            theme.border_focused
        } else {
            theme.border
        };
        let capped = field
            .capped_message()
            .map(|message| Line::styled(format!(" {message} "), theme.warning));
        super::paint::bordered(buf, layout.boxed, border, None, capped.as_ref());

        let text = layout.text;
        if text.is_empty() {
            return;
        }
        let widths: Vec<usize> = field.shown_chars().map(char_width).collect();
        let (start, _) = self.scroll(&widths, usize::from(text.width));
        let style = if field.masked && !field.revealed {
            theme.masked
        } else {
            theme.normal
        };
        let visible: Zeroizing<String> = Zeroizing::new(field.shown_chars().skip(start).collect());
        buf.set_stringn(
            text.x,
            text.y,
            visible.as_str(),
            usize::from(text.width),
            style,
        );
    }
}

/// Draws `field` into `area` and, when `focused`, puts the terminal cursor in it.
pub fn render_text_field(
    frame: &mut Frame<'_>,
    area: Rect,
    field: &TextField,
    theme: &Theme,
    focused: bool,
) {
    let view = field.view(theme, focused);
    frame.render_widget(view, area);
    if focused && let Some(pos) = view.cursor_position(area.intersection(frame.area())) {
        frame.set_cursor_position(pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyEventKind, KeyEventState};

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn type_str(f: &mut TextField, s: &str) {
        for c in s.chars() {
            assert!(f.handle_key(&press(KeyCode::Char(c))));
        }
    }

    /// A recovery code is typed from paper: it shows as typed, the reveal key hides it, and
    /// putting the field back (leaving or clearing) shows it again; a password stays hidden.
    #[test]
    fn a_recovery_code_shows_as_typed_and_a_password_does_not() {
        let mut code = TextField::recovery_code("Recovery code");
        assert!(code.is_revealed());
        code.toggle_reveal();
        assert!(!code.is_revealed());
        code.hide();
        assert!(code.is_revealed());
        let mut pass = TextField::masked("Password", 128);
        assert!(!pass.is_revealed());
        pass.toggle_reveal();
        pass.hide();
        assert!(!pass.is_revealed());
    }

    #[test]
    fn typing_and_editing() {
        let mut f = TextField::new("Username", 20);
        type_str(&mut f, "alce");
        f.move_left();
        f.move_left();
        f.insert_char('i');
        assert_eq!(f.value(), "alice");
        assert_eq!(f.cursor(), 3);
        f.backspace();
        assert_eq!(f.value(), "alce");
        f.delete();
        assert_eq!(f.value(), "ale");
        f.move_home();
        f.delete();
        assert_eq!(f.value(), "le");
        f.move_end();
        f.insert_char('!');
        assert_eq!(f.value(), "le!");
        f.move_right();
        assert_eq!(f.cursor(), 3);
        f.move_home();
        f.backspace();
        assert_eq!(f.value(), "le!");
    }

    #[test]
    fn unicode_cursor_is_by_char() {
        let mut f = TextField::new("Name", 20);
        f.insert_str("Zoë😀");
        assert_eq!(f.cursor(), 4);
        f.backspace();
        assert_eq!(f.value(), "Zoë");
        f.move_left();
        f.insert_char('é');
        assert_eq!(f.value(), "Zoéë");
    }

    #[test]
    fn typed_control_chars_are_ignored() {
        let mut f = TextField::new("Name", 20);
        f.insert_char('\u{1b}');
        f.insert_char('\u{202E}');
        f.insert_char('\n');
        assert!(f.is_empty());
    }

    #[test]
    fn paste_is_cleaned_and_capped() {
        let mut f = TextField::new("Code", 10);
        f.insert_str("abc\x1b[31mdef\r\n");
        assert_eq!(f.value(), "abcdef");
        assert!(!f.is_capped());
        f.insert_str("ghijklmnop");
        assert_eq!(f.value(), "abcdefghij");
        assert!(f.is_capped());
        assert_eq!(
            f.capped_message().as_deref(),
            Some("Input capped at 10 characters")
        );
        f.backspace();
        assert!(!f.is_capped());
    }

    #[test]
    fn typing_past_the_cap_sets_the_flag() {
        let mut f = TextField::new("Code", 3);
        type_str(&mut f, "abcd");
        assert_eq!(f.value(), "abc");
        assert!(f.is_capped());
    }

    #[test]
    fn paste_in_the_middle() {
        let mut f = TextField::new("Code", 30);
        f.insert_str("ABCDE");
        f.move_home();
        f.insert_str("xy");
        assert_eq!(f.value(), "xyABCDE");
        assert_eq!(f.cursor(), 2);
    }

    #[test]
    fn growing_past_the_reservation_keeps_the_value() {
        let mut f = TextField::new("Long", 5000);
        let long = "a".repeat(4500);
        f.insert_str(&long);
        f.insert_char('b');
        assert_eq!(f.char_count(), 4501);
        assert!(f.value().ends_with("ab"));
    }

    #[test]
    fn screen_keys_are_not_consumed() {
        let mut f = TextField::masked("Password", 64);
        let keys = [
            press(KeyCode::Enter),
            press(KeyCode::Esc),
            press(KeyCode::Tab),
            press(KeyCode::BackTab),
            press(KeyCode::Up),
            press(KeyCode::Down),
            press(KeyCode::F(1)),
            press(KeyCode::PageDown),
            ctrl('c'),
            KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT),
            KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT),
        ];
        for k in keys {
            assert!(!f.handle_key(&k), "{k:?} should be left to the screen");
        }
        assert!(f.is_empty());
    }

    #[test]
    fn release_events_are_ignored() {
        let mut f = TextField::new("Name", 10);
        let ev = KeyEvent::new_with_kind_and_state(
            KeyCode::Char('a'),
            KeyModifiers::NONE,
            KeyEventKind::Release,
            KeyEventState::NONE,
        );
        assert!(!f.handle_key(&ev));
        assert!(f.is_empty());
    }

    #[test]
    fn shifted_letters_are_typed() {
        let mut f = TextField::new("Name", 10);
        assert!(f.handle_key(&KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT)));
        assert_eq!(f.value(), "A");
    }

    #[test]
    fn ctrl_u_clears_and_ctrl_r_reveals_masked_only() {
        let mut f = TextField::masked("Password", 64);
        type_str(&mut f, "secret");
        assert!(f.handle_key(&ctrl('r')));
        assert!(f.is_revealed());
        assert!(f.handle_key(&ctrl('r')));
        assert!(!f.is_revealed());
        assert!(f.handle_key(&ctrl('u')));
        assert!(f.is_empty());
        assert_eq!(f.cursor(), 0);

        let mut plain = TextField::new("Username", 64);
        assert!(!plain.handle_key(&ctrl('r')));
        assert!(!plain.is_revealed());
    }

    #[test]
    fn take_empties_the_field() {
        let mut f = TextField::masked("Password", 64);
        f.insert_str("hunter2");
        let v = f.take();
        assert_eq!(v.as_str(), "hunter2");
        assert!(f.is_empty());
        assert_eq!(f.cursor(), 0);
    }

    #[test]
    fn debug_never_shows_the_value() {
        let mut f = TextField::new("Username", 64);
        f.insert_str("topsecretvalue");
        let dbg = format!("{f:?}");
        assert!(!dbg.contains("topsecretvalue"), "{dbg}");
        assert!(dbg.contains("[redacted]"));
        let mut m = TextField::masked("Password", 64);
        m.insert_str("hunter2");
        m.toggle_reveal();
        assert!(!format!("{m:#?}").contains("hunter2"));
    }

    fn draw(field: &TextField, focused: bool, w: u16) -> (Terminal<TestBackend>, Position) {
        let theme = Theme::plain();
        let mut t = Terminal::new(TestBackend::new(w, 5)).expect("test backend");
        t.draw(|frame| {
            let area = Rect::new(0, 0, w, TextField::HEIGHT);
            render_text_field(frame, area, field, &theme, focused);
        })
        .expect("draw");
        let pos = t.get_cursor_position().expect("cursor");
        (t, pos)
    }

    #[test]
    fn masked_field_snapshot() {
        let mut f = TextField::masked("Password", 64);
        f.insert_str("hunter2");
        let (t, pos) = draw(&f, true, 30);
        insta::assert_snapshot!(t.backend());
        assert_eq!(pos, Position::new(8, 2));
    }

    #[test]
    fn revealed_field_snapshot() {
        let mut f = TextField::masked("Password", 64);
        f.insert_str("hunter2");
        f.toggle_reveal();
        let (t, _) = draw(&f, true, 30);
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn scrolls_to_keep_cursor_visible_snapshot() {
        let mut f = TextField::new("Recovery code", 40);
        f.insert_str("ABCDE-FGHJK-MNPQR-STVWX-YZ012");
        let (t, pos) = draw(&f, true, 20);
        insta::assert_snapshot!(t.backend());
        // 18 text columns; the cursor sits on the last one.
        assert_eq!(pos, Position::new(18, 2));
    }

    #[test]
    fn cursor_at_start_shows_the_beginning() {
        let theme = Theme::plain();
        let mut f = TextField::new("Recovery code", 40);
        f.insert_str("ABCDE-FGHJK-MNPQR-STVWX-YZ012");
        f.move_home();
        let area = Rect::new(0, 0, 20, 4);
        let mut buf = Buffer::empty(area);
        f.view(&theme, true).render(area, &mut buf);
        let row: String = (1..19).map(|x| buf[(x, 2)].symbol().to_string()).collect();
        assert_eq!(row, "ABCDE-FGHJK-MNPQR-");
        assert_eq!(
            f.view(&theme, true).cursor_position(area),
            Some(Position::new(1, 2))
        );
    }

    #[test]
    fn wide_characters_scroll_by_width() {
        let theme = Theme::plain();
        let mut f = TextField::new("Name", 40);
        f.insert_str("中文中文中文");
        let area = Rect::new(0, 0, 8, 4);
        // 6 text columns: the cursor cell plus two wide characters.
        let pos = f.view(&theme, true).cursor_position(area);
        assert_eq!(pos, Some(Position::new(5, 2)));
    }

    #[test]
    fn capped_field_snapshot() {
        let mut f = TextField::new("Username", 5);
        f.insert_str("abcdefgh");
        let (t, _) = draw(&f, false, 40);
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let theme = Theme::plain();
        let mut f = TextField::masked("Password", 64);
        f.insert_str("secret");
        for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 3), (1, 5), (10, 1)] {
            let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
            t.draw(|frame| {
                render_text_field(frame, frame.area(), &f, &theme, true);
            })
            .expect("draw");
        }
    }
}
