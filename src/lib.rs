//! recovery-desk: account sign-in methods and recovery codes, with a read-only support desk.
//!
//! Where things live:
//! - `domain/`  pure rules (recovery codes, lockout, one-time codes, pending changes, masking,
//!   the sign-in helper) — no I/O.
//! - `store/`   every line of SQL: open + migrate, holder writes, read-only queries, audit, outbox.
//! - `secret`   secret types, Argon2id hashing and the randomness seam; `clock` the time seam.
//! - `service`  the account holder's operations (rules + store + hashing), run by the console's
//!   worker (`console/jobs.rs`).
//! - `console/` the account holder TUI; `desk/` the support desk TUI (read-only by construction);
//!   `tui/` the small framework both run on (app loop, worker, form, layout) and the pieces
//!   both share.

pub mod cli;
pub mod clock;
pub mod console;
pub mod desk;
pub mod domain;
pub mod secret;
pub mod service;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tui;
