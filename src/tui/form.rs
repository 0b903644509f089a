//! The one [`Form`] both consoles build screens from: text fields followed by numbered
//! choices, with one focus moving through all of them (the focus ring), and the keys that move
//! it read from the screen's own key table, so the help overlay and the footer never lie.

use ratatui::crossterm::event::KeyEvent;

use super::keys::{Binding, digit_of, resolve};
use super::{Menu, TextField};

/// What an action means to a [`Form`]; every other action goes back to the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Submit the focused field, or pick the focused choice.
    Enter,
    Next,
    Prev,
    /// Show or hide the focused (masked) field.
    Reveal,
    Other,
}

/// A console's key action, as a [`Form`] understands it.
pub trait FormAction: Copy {
    fn role(self) -> Role;
}

/// What a key did to a [`Form`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent<A> {
    /// Nothing for the screen to do (focus moved, key ignored).
    Nothing,
    /// The focused field's text changed.
    Edited,
    /// Enter in the fields: the form is complete.
    Submit,
    /// A numbered choice was chosen (index into the menu).
    Choose(usize),
    /// An action the form does not handle itself (Back, Help, …).
    Action(A),
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
    pub fn handle<A: FormAction>(&mut self, ev: &KeyEvent, table: &[Binding<A>]) -> FormEvent<A> {
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
        let Some(action) = resolve(table, ev) else {
            return FormEvent::Nothing;
        };
        match action.role() {
            Role::Next => {
                self.next();
                FormEvent::Nothing
            }
            Role::Prev => {
                self.prev();
                FormEvent::Nothing
            }
            Role::Reveal => {
                if let Some(i) = self.field_focus() {
                    self.fields[i].toggle_reveal();
                }
                FormEvent::Nothing
            }
            Role::Enter => match self.field_focus() {
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
            Role::Other => FormEvent::Action(action),
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
