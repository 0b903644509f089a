//! The SQLite implementation of the capability traits (`capability.rs`). The SQL itself lives
//! in `read.rs`, `holder.rs`, `agents.rs` and `audit.rs`, as methods of the connection types;
//! this file puts those types behind the traits:
//!
//! - [`Store`]: a read-write connection (the holder console, the CLI, tests): every capability.
//! - [`ReadOnlyStore`]: the desk's account connection, opened read-only by SQLite: queries only.
//! - [`SqliteAuditLog`]: the desk's audit connection, limited by an authorizer: the audit log.

use super::audit::{AgentReservation, SqliteAuditLog, Verdict};
use super::capability::{AgentAdmin, AuditLog, HolderStore, ReadStore};
use super::holder::{OneTimeReservation, Reservation};
use super::outbox::Message;
use super::{Result, Store};
use crate::domain::identifier::Lookup;
use crate::domain::lockout::{AfterFailure, Guarded, Lockout};
use crate::domain::model::{
    AccountRow, AccountView, AgentCredentials, AgentRow, MethodKind, MethodRow, Purpose,
};
use crate::secret::Secret;
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

impl ReadStore for Store {
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        Store::find_account(self, lookup)
    }
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        Store::account_view(self, account_id, now)
    }
    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        Store::methods(self, account_id)
    }
    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        Store::agent_credentials(self, name)
    }
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        Store::agent_disabled(self, name)
    }
    fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        Store::account_by_username(self, username)
    }
    fn account(&self, account_id: i64) -> Result<AccountRow> {
        Store::account(self, account_id)
    }
}

/// Each method is one `IMMEDIATE` transaction (see `holder.rs`).
impl HolderStore for Store {
    fn create_account(&mut self, username: &str, hash: &str, now: DateTime<Utc>) -> Result<i64> {
        Store::create_account(self, username, hash, now)
    }
    fn add_method(
        &mut self,
        account_id: i64,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Store::add_method(self, account_id, kind, address, now)
    }
    fn verify_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
        Store::verify_method(self, account_id, method_id, now)
    }
    fn remove_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
        Store::remove_method(self, account_id, method_id, now)
    }
    fn set_two_step(&mut self, account_id: i64, on: bool, now: DateTime<Utc>) -> Result<()> {
        Store::set_two_step(self, account_id, on, now)
    }
    fn replace_recovery_code(
        &mut self,
        account_id: i64,
        h: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Store::replace_recovery_code(self, account_id, h, now)
    }
    fn consume_recovery_code(
        &mut self,
        account_id: i64,
        code_id: i64,
        successor_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        Store::consume_recovery_code(self, account_id, code_id, successor_hash, now)
    }
    fn reserve_attempt(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<Reservation> {
        Store::reserve_attempt(self, account_id, what, now)
    }
    fn record_recovery_code_check(
        &mut self,
        account_id: i64,
        matched: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Store::record_recovery_code_check(self, account_id, matched, now)
    }
    fn confirm_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        after: AfterFailure,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Store::confirm_failure(self, account_id, what, after, now)
    }
    fn record_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure> {
        Store::record_failure(self, account_id, what, now)
    }
    fn record_success(&mut self, account_id: i64, what: Guarded) -> Result<()> {
        Store::record_success(self, account_id, what)
    }
    fn record_sign_in(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<()> {
        Store::record_sign_in(self, account_id, now)
    }
    fn set_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        recovered: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Store::set_password(self, account_id, new_hash, recovered, now)
    }
    fn create_pending_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        issued_code: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>)> {
        Store::create_pending_password(self, account_id, new_hash, issued_code, now)
    }
    fn cancel_pending(
        &mut self,
        account_id: i64,
        change_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Store::cancel_pending(self, account_id, change_id, now)
    }
    fn apply_due_changes(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<usize> {
        Store::apply_due_changes(self, account_id, now)
    }
    fn issue_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code_hash: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Store::issue_one_time_code(
            self, account_id, method_id, purpose, code_hash, message, now,
        )
    }
    fn reserve_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<OneTimeReservation> {
        Store::reserve_one_time_code(self, account_id, method_id, purpose, now)
    }
    fn one_time_code_used(
        &mut self,
        account_id: i64,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Store::one_time_code_used(self, account_id, code_id, now)
    }
    fn one_time_mac(
        &self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code: &Secret,
    ) -> Result<String> {
        Store::one_time_mac(self, account_id, method_id, purpose, code)
    }
    fn password_hash(&self, account_id: i64) -> Result<String> {
        Store::password_hash(self, account_id)
    }
    fn active_recovery_code(&self, account_id: i64) -> Result<Option<(i64, String)>> {
        Store::active_recovery_code(self, account_id)
    }
    fn lockout(&self, account_id: i64, what: Guarded) -> Result<Lockout> {
        Store::lockout(self, account_id, what)
    }
}

impl AgentAdmin for Store {
    fn add_agent(&mut self, name: &str, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
        Store::add_agent(self, name, password_hash, now)
    }
    fn agents(&self) -> Result<Vec<AgentRow>> {
        Store::agents(self)
    }
    fn disable_agent(&mut self, name: &str) -> Result<()> {
        Store::disable_agent(self, name)
    }
    fn enable_agent(&mut self, name: &str) -> Result<()> {
        Store::enable_agent(self, name)
    }
    fn set_agent_password(&mut self, name: &str, password_hash: &str) -> Result<()> {
        Store::set_agent_password(self, name, password_hash)
    }
    fn audit_agent_command(&mut self, name: &str, action: &str, now: DateTime<Utc>) -> Result<()> {
        Store::audit_append(self, name, action, None, "", now)
    }
}

impl AuditLog for SqliteAuditLog {
    fn append(
        &mut self,
        agent: &str,
        action: &str,
        account_id: Option<i64>,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        SqliteAuditLog::append(self, agent, action, account_id, detail, now)
    }
    fn unknown_name(&self, typed: &str) -> String {
        SqliteAuditLog::unknown_name(self, typed)
    }
    fn agent_lockout(&self, agent: &str) -> Result<Lockout> {
        SqliteAuditLog::agent_lockout(self, agent)
    }
    fn reserve_sign_in(&mut self, agent: &str, now: DateTime<Utc>) -> Result<AgentReservation> {
        SqliteAuditLog::reserve_sign_in(self, agent, now)
    }
    fn verify(&self) -> Result<Verdict> {
        SqliteAuditLog::verify(self)
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
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("x.db");
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
