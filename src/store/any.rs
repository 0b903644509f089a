//! Which backend `--db` names, and one store type over both: [`Target`] is a SQLite file or a
//! PostgreSQL URL (with its key file), [`AnyStore`] forwards every capability trait to the one
//! opened. The consoles and commands are written against the traits; only `main`, the desk's
//! `open` and the tests pick a backend, here.

use super::audit::{AuditRow, Entry, Filter, Verdict};
use super::capability::{AgentAdmin, HolderStore, ReadStore};
use super::holder::{LiveApp, OneTimeReservation, Reservation};
use super::outbox::{Message, Sent};
use super::postgres::{self, PgStore};
use super::{Access, Result, Store, StoreError, keyfile};
use crate::domain::identifier::Lookup;
use crate::domain::lockout::{AfterFailure, Guarded, Lockout};
use crate::domain::model::{
    AccountRow, AccountView, AgentCredentials, AgentRow, EventRow, MethodKind, MethodRow, Proof,
    Purpose,
};
use crate::secret::Secret;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An SQLite file and its key file (by default `<db>.key` beside it).
    File { path: PathBuf, key: PathBuf },
    /// A PostgreSQL database and the key file named for it (`--key` / `RECOVERY_DESK_KEY`).
    Postgres { url: String, key: PathBuf },
}

impl Target {
    /// What `--db` (or `RECOVERY_DESK_DB`) and `--key` (or `RECOVERY_DESK_KEY`) name: a
    /// `postgres://` or `postgresql://` URL is PostgreSQL, anything else a file. A URL needs
    /// its key file named: there is no file beside which to keep one.
    pub fn new(db: &Path, key: Option<PathBuf>) -> Result<Target> {
        match db.to_str().filter(|s| postgres::is_url(s)) {
            Some(url) => match key {
                Some(key) => Ok(Target::Postgres {
                    url: url.to_string(),
                    key,
                }),
                None => Err(StoreError::Pg {
                    target: url_label(url),
                    msg: "a PostgreSQL database needs its key file named: pass --key PATH or set RECOVERY_DESK_KEY".into(),
                }),
            },
            None => Ok(Target::File {
                key: key.unwrap_or_else(|| keyfile::default_path(db)),
                path: db.to_path_buf(),
            }),
        }
    }

    /// How the database is named on screen: the file, or the URL without its password.
    pub fn label(&self) -> String {
        match self {
            Target::File { path, .. } => path.display().to_string(),
            Target::Postgres { url, .. } => url_label(url),
        }
    }

    /// The key file.
    pub fn key(&self) -> &Path {
        match self {
            Target::File { key, .. } | Target::Postgres { key, .. } => key,
        }
    }
}

/// A URL without its password.
fn url_label(url: &str) -> String {
    url.parse::<::postgres::Config>()
        .map(|c| postgres::label(&c))
        .unwrap_or_else(|_| "(a URL that does not parse)".into())
}

/// A store on either backend. Opened once per console or command, so the PostgreSQL
/// variant's larger size (its connection and keys inline) costs nothing worth a box.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum AnyStore {
    Sqlite(Store),
    Postgres(PgStore),
}

impl From<Store> for AnyStore {
    fn from(s: Store) -> Self {
        AnyStore::Sqlite(s)
    }
}

impl From<PgStore> for AnyStore {
    fn from(s: PgStore) -> Self {
        AnyStore::Postgres(s)
    }
}

/// `$body` with `$s` bound to whichever store this is.
macro_rules! each {
    ($self:expr, $s:ident => $body:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $body,
            AnyStore::Postgres($s) => $body,
        }
    };
}

impl AnyStore {
    /// Opens `target` as `access` says. On PostgreSQL the schema is made by `setup` only:
    /// every access needs it current; `ReadOnly` acts as the desk role and loads no keys.
    pub fn open(target: &Target, access: Access) -> Result<AnyStore> {
        Ok(match target {
            Target::File { path, key } => Store::open_with_key(path, access, key)?.into(),
            Target::Postgres { url, key } => match access {
                Access::ReadOnly => PgStore::open_read_only(url)?.into(),
                Access::Create | Access::Existing => PgStore::open(url, key)?.into(),
            },
        })
    }

    pub fn outbox(&self, to: Option<&str>) -> Result<Vec<Sent>> {
        each!(self, s => s.outbox(to))
    }
    pub fn account_count(&self) -> Result<i64> {
        each!(self, s => s.account_count())
    }
    pub fn has_accounts(&self) -> Result<bool> {
        each!(self, s => s.has_accounts())
    }
    pub fn account_tables_digest(&self) -> Result<Vec<(String, String)>> {
        each!(self, s => s.account_tables_digest())
    }
    pub fn audit_append(&mut self, entry: Entry<'_>, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.audit_append(entry, now))
    }
    pub fn audit_rows(&self, filter: Filter<'_>) -> Result<Vec<AuditRow>> {
        each!(self, s => s.audit_rows(filter))
    }
    pub fn audit_row_with_hash(&self, hash: &str) -> Result<Option<i64>> {
        each!(self, s => s.audit_row_with_hash(hash))
    }
    pub fn desk_password(&self, agent: &str) -> Result<Option<String>> {
        each!(self, s => s.desk_password(agent))
    }
    pub fn audit_verify(&self) -> Result<Verdict> {
        each!(self, s => s.audit_verify())
    }
}

impl ReadStore for AnyStore {
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        each!(self, s => s.find_account(lookup))
    }
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        each!(self, s => s.account_view(account_id, now))
    }
    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        each!(self, s => ReadStore::methods(s, account_id))
    }
    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        each!(self, s => s.agent_credentials(name))
    }
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        each!(self, s => s.agent_disabled(name))
    }
    fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        each!(self, s => ReadStore::account_by_username(s, username))
    }
    fn account(&self, account_id: i64) -> Result<AccountRow> {
        each!(self, s => ReadStore::account(s, account_id))
    }
}

impl HolderStore for AnyStore {
    fn create_account(
        &mut self,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        each!(self, s => s.create_account(username, password_hash, now))
    }
    fn add_method(
        &mut self,
        account_id: i64,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        each!(self, s => s.add_method(account_id, kind, address, now))
    }
    fn verify_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.verify_method(account_id, method_id, now))
    }
    fn remove_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.remove_method(account_id, method_id, now))
    }
    fn set_two_step(&mut self, account_id: i64, on: bool, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.set_two_step(account_id, on, now))
    }
    fn replace_recovery_code(
        &mut self,
        account_id: i64,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        each!(self, s => s.replace_recovery_code(account_id, new_hash, now))
    }
    fn consume_recovery_code(
        &mut self,
        account_id: i64,
        code_id: i64,
        successor_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        each!(self, s => s.consume_recovery_code(account_id, code_id, successor_hash, now))
    }
    fn record_recovery_code_check(
        &mut self,
        account_id: i64,
        matched: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        each!(self, s => s.record_recovery_code_check(account_id, matched, now))
    }
    fn reserve_attempt(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<Reservation> {
        each!(self, s => s.reserve_attempt(account_id, what, now))
    }
    fn confirm_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        after: AfterFailure,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.confirm_failure(account_id, what, after, now))
    }
    fn record_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure> {
        each!(self, s => s.record_failure(account_id, what, now))
    }
    fn record_success(&mut self, account_id: i64, what: Guarded) -> Result<()> {
        each!(self, s => s.record_success(account_id, what))
    }
    fn record_sign_in(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.record_sign_in(account_id, now))
    }
    fn set_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        recovered: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        each!(self, s => s.set_password(account_id, new_hash, recovered, now))
    }
    fn create_pending_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        issued_code: Option<i64>,
        used: Proof,
        now: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>)> {
        each!(self, s => s.create_pending_password(account_id, new_hash, issued_code, used, now))
    }
    fn add_app(&mut self, account_id: i64, secret: &[u8], now: DateTime<Utc>) -> Result<i64> {
        each!(self, s => s.add_app(account_id, secret, now))
    }
    fn own_events(&self, account_id: i64, limit: usize) -> Result<Vec<EventRow>> {
        each!(self, s => s.own_events(account_id, limit))
    }
    fn live_app(&self, account_id: i64) -> Result<Option<LiveApp>> {
        each!(self, s => s.live_app(account_id))
    }
    fn use_app_step(
        &mut self,
        account_id: i64,
        app_id: i64,
        step: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        each!(self, s => s.use_app_step(account_id, app_id, step, now))
    }
    fn remove_app(&mut self, account_id: i64, app_id: i64, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.remove_app(account_id, app_id, now))
    }
    fn send_username(
        &mut self,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        each!(self, s => s.send_username(kind, address, now))
    }
    fn cancel_pending(
        &mut self,
        account_id: i64,
        change_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        each!(self, s => s.cancel_pending(account_id, change_id, now))
    }
    fn apply_due_changes(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<usize> {
        each!(self, s => s.apply_due_changes(account_id, now))
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
        each!(self, s => s.issue_one_time_code(account_id, method_id, purpose, code_hash, message, now))
    }
    fn reserve_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<OneTimeReservation> {
        each!(self, s => s.reserve_one_time_code(account_id, method_id, purpose, now))
    }
    fn one_time_code_used(
        &mut self,
        account_id: i64,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        each!(self, s => s.one_time_code_used(account_id, code_id, now))
    }
    fn one_time_mac(
        &self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code: &Secret,
    ) -> Result<String> {
        each!(self, s => s.one_time_mac(account_id, method_id, purpose, code))
    }
    fn password_hash(&self, account_id: i64) -> Result<String> {
        each!(self, s => s.password_hash(account_id))
    }
    fn password_from_waited_change(&self, account_id: i64) -> Result<bool> {
        each!(self, s => s.password_from_waited_change(account_id))
    }
    fn active_recovery_code(&self, account_id: i64) -> Result<Option<(i64, String)>> {
        each!(self, s => s.active_recovery_code(account_id))
    }
    fn lockout(&self, account_id: i64, what: Guarded) -> Result<Lockout> {
        each!(self, s => s.lockout(account_id, what))
    }
}

impl AgentAdmin for AnyStore {
    fn add_agent(&mut self, name: &str, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.add_agent(name, password_hash, now))
    }
    fn agents(&self) -> Result<Vec<AgentRow>> {
        each!(self, s => s.agents())
    }
    fn disable_agent(&mut self, name: &str) -> Result<()> {
        each!(self, s => s.disable_agent(name))
    }
    fn enable_agent(&mut self, name: &str) -> Result<()> {
        each!(self, s => s.enable_agent(name))
    }
    fn set_agent_password(&mut self, name: &str, password_hash: &str) -> Result<()> {
        each!(self, s => s.set_agent_password(name, password_hash))
    }
    fn audit_agent_command(&mut self, name: &str, action: &str, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.audit_agent_command(name, action, now))
    }
}
