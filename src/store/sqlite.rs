//! The SQLite implementation of the capability traits (`capability.rs`). Each trait is
//! implemented once, beside its SQL, in `read.rs`, `holder.rs`, `agents.rs` and `audit.rs`;
//! this file holds the desk's read-only connection type. The types:
//!
//! - [`Store`]: a read-write connection (the holder console, the CLI, tests): every capability,
//!   each trait implemented beside its SQL (`read.rs`, `holder.rs`, `agents.rs`).
//! - [`ReadOnlyStore`] (here): the desk's account connection, opened read-only by SQLite:
//!   queries only, each answered by the `Store` it wraps.
//! - [`SqliteAuditLog`] (`audit.rs`): the desk's audit connection, limited by an authorizer:
//!   the audit log.

use super::capability::ReadStore;
use super::{Result, Store};
use crate::domain::identifier::Lookup;
use crate::domain::model::{AccountRow, AccountView, AgentCredentials, MethodRow};
use chrono::{DateTime, Utc};
use std::path::Path;

/// An existing, current database opened read-only (SQLite refuses any write on it), offering
/// the queries the desk needs and nothing else: it implements [`ReadStore`] only, and neither
/// is, dereferences to, nor hands out the writing [`Store`].
pub struct ReadOnlyStore {
    store: Store,
}

impl std::fmt::Debug for ReadOnlyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOnlyStore")
            .field("path", &self.store.path())
            .finish()
    }
}

impl ReadOnlyStore {
    /// Opens `path` read-only; it must exist and be at the current schema version.
    pub fn open(path: &Path) -> Result<ReadOnlyStore> {
        Ok(ReadOnlyStore {
            store: Store::open_read_only(path)?,
        })
    }
}

impl ReadStore for ReadOnlyStore {
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        self.store.find_account(lookup)
    }
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        self.store.account_view(account_id, now)
    }
    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        self.store.methods(account_id)
    }
    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        self.store.agent_credentials(name)
    }
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        self.store.agent_disabled(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::MethodKind;
    use crate::store::HolderStore;

    #[test]
    fn the_desks_connection_refuses_every_write() {
        let (_tmp, db) = crate::store::temp_db();
        let mut admin = Store::open(&db).unwrap();
        let id = admin
            .create_account("pat", "$argon2id$stand-in", Utc::now())
            .unwrap();
        drop(admin);
        let desk = ReadOnlyStore::open(&db).unwrap();
        let before = desk.store.account_tables_digest().unwrap();
        assert!(desk.account_view(id, Utc::now()).is_ok());
        // Through the very connection the desk's `ReadOnlyStore` holds.
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

    /// The default queries of the trait agree with the SQLite ones they stand in for.
    #[test]
    fn the_read_only_store_answers_as_the_writing_one() {
        let (_tmp, db) = crate::store::temp_db();
        let mut admin = Store::open(&db).unwrap();
        let now = Utc::now();
        let id = admin
            .create_account("pat", "$argon2id$stand-in", now)
            .unwrap();
        admin
            .add_method(id, MethodKind::Email, "pat@example.com", now)
            .unwrap();
        let desk = ReadOnlyStore::open(&db).unwrap();
        let by_name = ReadStore::account_by_username(&desk, "pat").unwrap();
        assert_eq!(by_name, Store::account_by_username(&admin, "pat").unwrap());
        assert_eq!(by_name.map(|a| a.id), Some(id));
        assert_eq!(ReadStore::account(&desk, id).unwrap().username, "pat");
        assert!(matches!(
            ReadStore::account(&desk, id + 1),
            Err(super::super::StoreError::NotFound(_))
        ));
        assert_eq!(
            ReadStore::methods(&desk, id).unwrap(),
            admin.methods(id).unwrap()
        );
    }
}
