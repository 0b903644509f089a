//! Terminal pieces shared by the account holder console and the support desk.
//!
//! - [`app`]: the [`App`](app::App) trait, the one message type, event mapper and loop.
//! - [`worker`]: the one worker thread (request ids, one reply type, panics caught).
//! - [`form`]: the [`Form`](form::Form): text fields, numbered choices and the focus ring.
//! - [`terminal`]: raw mode / alternate screen setup and restore, the secret-safe panic hook,
//!   and the input and tick threads that feed a console's message channel.
//! - [`layout`]: splitting an area into rows, and the viewport a view remembers from its
//!   last draw.
//! - [`note`]: the message under a screen's fields.
//! - [`paint`]: borders and rows drawn cell by cell, as ratatui draws them but cheaper.
//! - [`keys`]: key-binding tables read by both the key handler and the help overlay.
//! - [`help`]: the help overlay.
//! - [`input`]: the single-line text field (masked, zeroized, capped).
//! - [`widgets`]: page frame, numbered menu, dialogs, spinner, "terminal too small".
//! - [`theme`]: styles, honouring `NO_COLOR`.
//! - [`mod@sanitize`]: stripping untrusted text of control and escape characters, and the
//!   [`Clean`](sanitize::Clean) text the views draw.
//! - [`mod@wrap`]: word-wrapping (by `textwrap`), plain and hanging.

/// `Default` as the type's `new()`, for screens whose fresh state takes no arguments.
macro_rules! default_is_new {
    ($t:ty) => {
        impl Default for $t {
            fn default() -> Self {
                Self::new()
            }
        }
    };
}
pub(crate) use default_is_new;

pub mod app;
pub mod clipboard;
pub mod form;
pub mod help;
pub mod input;
pub mod keys;
pub mod layout;
pub mod note;
pub mod paint;
pub mod qr;
pub mod sanitize;
pub mod terminal;
pub mod theme;
pub mod widgets;
pub mod worker;
pub mod wrap;

pub use form::Form;
pub use help::{HelpOverlay, HelpRow, help_rows};
pub use input::{TextField, TextFieldView, render_text_field};
pub use keys::{Binding, Key, digit_of, resolve};
pub use sanitize::{sanitize, sanitize_line};
pub use terminal::{TerminalGuard, Tui};
pub use theme::Theme;
pub use widgets::{
    Dialog, MIN_HEIGHT, MIN_WIDTH, Menu, centered_rect, confirm, fits, message_box, page,
    spinner_line, too_small,
};
