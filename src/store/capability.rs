//! What the support desk may hold (SPEC §6, layer 1: types). The desk is handed a
//! [`ReadStore`] and an [`AuditLog`](super::audit::AuditLog), nothing else: a `ReadStore` is a
//! database opened read-only that offers queries only. Every holder write is a method of
//! [`Store`], which a `ReadStore` neither is, dereferences to, nor hands out, so a desk that
//! tries one does not compile. The doc tests below are that proof: each tries one holder or
//! agent write with what the desk holds, and must fail to compile.
//!
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.consume_recovery_code(1, 1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.one_time_code_used(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.replace_recovery_code(1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.set_password(1, "", true, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.create_pending_password(1, "", None, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.cancel_pending(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.apply_due_changes(1, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! # use recovery_desk::store::read::MethodKind;
//! fn desk(s: &mut ReadStore) { s.add_method(1, MethodKind::Email, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.verify_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.remove_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.set_two_step(1, false, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! # use recovery_desk::domain::lockout::Guarded;
//! fn desk(s: &mut ReadStore) { s.record_success(1, Guarded::Password); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! # use recovery_desk::domain::lockout::Guarded;
//! fn desk(s: &mut ReadStore) { s.reserve_attempt(1, Guarded::Password, chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.create_account("x", "", chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.disable_agent("alex"); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.set_agent_password("alex", ""); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::ReadStore;
//! fn desk(s: &mut ReadStore) { s.audit_append("alex", "x", None, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::{ReadStore, Store};
//! // Nor can it be turned back into the writing type.
//! fn desk(s: ReadStore) -> Store { s.into() }
//! ```
//! ```compile_fail
//! # use recovery_desk::store::{ReadStore, Store};
//! fn desk(s: &ReadStore) -> &Store { &*s }
//! ```
//!
//! The control: every one of those calls, word for word, compiles on the writing [`Store`]
//! (so each failure above is the capability's, not a typo's).
//!
//! ```no_run
//! # use recovery_desk::store::Store;
//! # use recovery_desk::store::read::MethodKind;
//! # use recovery_desk::domain::lockout::Guarded;
//! fn holder(s: &mut Store) {
//!     s.consume_recovery_code(1, 1, "", chrono::Utc::now());
//!     s.one_time_code_used(1, 1, chrono::Utc::now());
//!     s.replace_recovery_code(1, "", chrono::Utc::now());
//!     s.set_password(1, "", true, chrono::Utc::now());
//!     s.create_pending_password(1, "", None, chrono::Utc::now());
//!     s.cancel_pending(1, 1, chrono::Utc::now());
//!     s.apply_due_changes(1, chrono::Utc::now());
//!     s.add_method(1, MethodKind::Email, "", chrono::Utc::now());
//!     s.verify_method(1, 1, chrono::Utc::now());
//!     s.remove_method(1, 1, chrono::Utc::now());
//!     s.set_two_step(1, false, chrono::Utc::now());
//!     s.record_success(1, Guarded::Password);
//!     s.reserve_attempt(1, Guarded::Password, chrono::Utc::now());
//!     s.create_account("x", "", chrono::Utc::now());
//!     s.disable_agent("alex");
//!     s.set_agent_password("alex", "");
//!     s.audit_append("alex", "x", None, "", chrono::Utc::now());
//! }
//! ```
//!
//! And the same calls on what the desk holds do compile when they only read:
//!
//! ```no_run
//! # use recovery_desk::store::ReadStore;
//! # use recovery_desk::domain::identifier::Lookup;
//! fn desk(s: &ReadStore) {
//!     let _ = s.find_account(&Lookup::AccountId(1));
//!     let _ = s.account_view(1, chrono::Utc::now());
//!     let _ = s.agent_credentials("alex");
//!     let _ = s.agent_disabled("alex");
//! }
//! ```

use super::{Result, Store};
use crate::domain::identifier::Lookup;
use crate::domain::model::AgentCredentials;
use crate::domain::model::{AccountRow, AccountView};
use chrono::{DateTime, Utc};
use std::path::Path;

/// An existing, current database opened read-only (SQLite refuses any write on it), offering
/// the queries the desk needs and nothing else.
pub struct ReadStore {
    store: Store,
}

impl std::fmt::Debug for ReadStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadStore")
            .field("path", &self.store.path())
            .finish()
    }
}

impl ReadStore {
    /// Opens `path` read-only; it must exist and be at the current schema version.
    pub fn open(path: &Path) -> Result<ReadStore> {
        Ok(ReadStore {
            store: Store::open_read_only(path)?,
        })
    }

    /// The account an exact, normalised identifier names (verified addresses only).
    pub fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        self.store.find_account(lookup)
    }

    /// Everything the desk's account view shows.
    pub fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        self.store.account_view(account_id, now)
    }

    /// An agent's name, password hash and state, for the desk's sign-in.
    pub fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        self.store.agent_credentials(name)
    }

    /// Whether an agent is disabled (`None`: no such agent), checked with every request.
    pub fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        self.store.agent_disabled(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desks_connection_refuses_every_write() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("x.db");
        let mut admin = Store::open(&db).unwrap();
        let id = admin
            .create_account("pat", "$argon2id$stand-in", Utc::now())
            .unwrap();
        drop(admin);
        let desk = ReadStore::open(&db).unwrap();
        let before = desk.store.account_tables_digest().unwrap();
        assert!(desk.account_view(id, Utc::now()).is_ok());
        // Through the very connection the desk's `ReadStore` holds.
        for sql in [
            "UPDATE accounts SET two_step = 1",
            "UPDATE accounts SET password_hash = 'x'",
            "DELETE FROM recovery_codes",
            "INSERT INTO audit_log (id, at, agent, action, detail, prev_hash, hash) VALUES (99, 'a','b','c','d','e','f')",
            "CREATE TABLE evil (x)",
            "DROP TABLE accounts",
            "PRAGMA user_version = 7",
        ] {
            let e = desk.store.conn().execute_batch(sql).unwrap_err();
            assert!(
                matches!(desk.store.err(e), super::super::StoreError::ReadOnly { .. }),
                "{sql}"
            );
        }
        assert_eq!(desk.store.account_tables_digest().unwrap(), before);
    }
}
