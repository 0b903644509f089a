//! The one-line (wrapped) message under a screen's fields, for both consoles: what went wrong,
//! or what just happened.

/// How a note is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    Info,
    Success,
    Warning,
    Error,
}

/// A message under a screen's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

impl Note {
    pub fn new(kind: NoteKind, text: impl Into<String>) -> Note {
        Note {
            kind,
            text: text.into(),
        }
    }

    pub fn error(text: impl Into<String>) -> Note {
        Note::new(NoteKind::Error, text)
    }

    pub fn info(text: impl Into<String>) -> Note {
        Note::new(NoteKind::Info, text)
    }

    /// Whether it says something went wrong.
    pub fn is_error(&self) -> bool {
        self.kind == NoteKind::Error
    }
}
