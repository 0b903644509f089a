//! Reading one-time codes out of the outbox — the newest code sent to an address — whether a
//! test reads the outbox through the store (service-level tests) or through the binary's
//! `outbox` command, as a holder reads their email (end to end). The parsing is the library's
//! `testing::codes_in`, which the render bench uses too.

use recovery_desk::store::outbox::Sent;
use recovery_desk::testing::Outbox;
use std::path::Path;

pub use recovery_desk::testing::{codes_in, codes_sent_to, last_code};

/// The newest one-time code in `text`.
pub fn newest_code(text: &str) -> String {
    codes_in(text)
        .pop()
        .unwrap_or_else(|| panic!("no security code in:\n{text}"))
}

/// Every message the outbox sent to `addr`, oldest first.
pub fn sent_to(store: &impl Outbox, addr: &str) -> Vec<Sent> {
    store.outbox(Some(addr)).unwrap()
}

/// The messages titled `subject` sent to `addr` after the first `mark` (a count taken
/// earlier with `sent_to(..).len()`).
pub fn sent_since(store: &impl Outbox, addr: &str, mark: usize, subject: &str) -> Vec<Sent> {
    sent_to(store, addr)
        .into_iter()
        .skip(mark)
        .filter(|m| m.subject == subject)
        .collect()
}

/// What `recovery-desk --db DB outbox --to ADDR` prints.
pub fn outbox_text(db: &Path, addr: &str) -> String {
    super::cli::ok(&super::cli::run(db, &["outbox", "--to", addr], ""))
}

/// The newest one-time code sent to `addr` on `db`, read with the binary's `outbox` command
/// as a holder reads their email.
pub fn outbox_code(db: &Path, addr: &str) -> String {
    newest_code(&outbox_text(db, addr))
}
