//! The terminal's clipboard: the one escape sequence a console writes on purpose, OSC 52
//! (`ESC ] 52 ; c ; base64 BEL`). A console asks for it with [`Cmd::Clipboard`]; the loop
//! hands the text to its backend. Terminals that don't support OSC 52 ignore it.
//!
//! [`Cmd::Clipboard`]: super::app::Cmd::Clipboard

use std::io::Write;

use base64ct::{Base64, Encoding};
use ratatui::backend::{CrosstermBackend, TestBackend};

/// A backend that can hand text to the terminal's clipboard.
pub trait Clipboard {
    fn set_clipboard(&mut self, text: &str) -> std::io::Result<()>;
}

impl<W: Write> Clipboard for CrosstermBackend<W> {
    fn set_clipboard(&mut self, text: &str) -> std::io::Result<()> {
        write!(self, "{}", osc52(text))?;
        Write::flush(self)
    }
}

/// The test backend has no terminal behind it; tests read the command itself.
impl Clipboard for TestBackend {
    fn set_clipboard(&mut self, _text: &str) -> std::io::Result<()> {
        Ok(())
    }
}

/// The OSC 52 sequence that puts `text` on the clipboard: base64 (RFC 4648, padded, the same
/// `base64ct` the Argon2 PHC strings use), so no byte of the text can end the sequence.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", Base64::encode_string(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_wraps_the_text_base64_encoded() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
        // RFC 4648 §10's padding cases.
        assert_eq!(osc52("foob"), "\x1b]52;c;Zm9vYg==\x07");
        assert_eq!(osc52("fooba"), "\x1b]52;c;Zm9vYmE=\x07");
        assert!(!osc52("a\x07b\x1b\\c").contains("a\x07"));
    }
}
