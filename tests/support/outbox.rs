//! The one place that reads one-time codes out of the outbox — the newest code sent to an
//! address — whether a test reads the outbox through the store (service-level tests) or
//! through the binary's `outbox` command, as a holder reads their email (end to end).

use recovery_desk::store::Store;
use recovery_desk::store::outbox::Sent;
use std::path::Path;

/// How the service words a one-time code: "Your recovery-desk security code is 123456. …".
const MARKER: &str = "security code is ";

/// Every one-time code in `text` (message bodies, or what `outbox` prints), oldest first.
pub fn codes_in(text: &str) -> Vec<String> {
    text.match_indices(MARKER)
        .map(|(at, _)| {
            let code = text[at + MARKER.len()..]
                .chars()
                .take(6)
                .collect::<String>();
            assert!(
                code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
                "not a six-digit code after {MARKER:?}: {code:?}"
            );
            code
        })
        .collect()
}

/// The newest one-time code in `text`.
pub fn newest_code(text: &str) -> String {
    codes_in(text)
        .pop()
        .unwrap_or_else(|| panic!("no security code in:\n{text}"))
}

/// Every message the outbox sent to `addr`, oldest first.
pub fn sent_to(store: &Store, addr: &str) -> Vec<Sent> {
    store.outbox(Some(addr)).unwrap()
}

/// The messages titled `subject` sent to `addr` after the first `mark` (a count taken
/// earlier with `sent_to(..).len()`).
pub fn sent_since(store: &Store, addr: &str, mark: usize, subject: &str) -> Vec<Sent> {
    sent_to(store, addr)
        .into_iter()
        .skip(mark)
        .filter(|m| m.subject == subject)
        .collect()
}

/// Every one-time code the outbox sent to `addr`, oldest first, read through the store.
pub fn codes_sent_to(store: &Store, addr: &str) -> Vec<String> {
    sent_to(store, addr)
        .iter()
        .flat_map(|m| codes_in(m.body.expose()))
        .collect()
}

/// The newest one-time code the outbox sent to `addr`, read through the store.
pub fn last_code(store: &Store, addr: &str) -> String {
    codes_sent_to(store, addr)
        .pop()
        .unwrap_or_else(|| panic!("no security code was sent to {addr}"))
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
