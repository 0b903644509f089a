//! PostgreSQL storage (SPEC §9): the same capability traits as SQLite, for a support team with
//! desks on several hosts. All PostgreSQL SQL lives under this folder.
//!
//! - `mod.rs`    the connection (reconnects after a lost one), error classification, opening
//! - `schema`    versioned migrations (the same version numbers as SQLite) and `setup` (roles)
//! - `holder`    [`PgStore`]: `HolderStore`, `AgentAdmin` and the CLI's reads, as the holder role
//! - `read`      the queries of `ReadStore`, for [`PgStore`] and the desk's [`PgReadOnly`]
//! - `audit`     the hash-chained audit log; [`PgAuditLog`] is the desk's only writer
//! - `bulk`      synthetic accounts through `COPY`, for benchmarks
//!
//! Race-freedom (SPEC §4, §9): every holder write is one transaction that first takes a
//! transaction-scoped advisory lock on its account (`pg_advisory_xact_lock(account_id)`), so
//! writes to one account run one after another exactly as SQLite's IMMEDIATE transactions do;
//! READ COMMITTED then lets each statement after the lock see what the previous holder of the
//! lock committed. Across accounts the database's own unique indexes decide (one active code
//! per account, one verified owner per address, one username). The audit chain's appends are
//! serialised by an advisory lock of their own (two-key form, a key space apart from the
//! accounts'), which the desk role may take: it holds no table lock privilege.
//!
//! Secrets: only hashes, MACs and sealed bytes are stored, every value is a bound parameter,
//! and the key file stays a file (`--key PATH`).

pub mod audit;
pub mod bulk;
pub mod holder;
pub mod read;
pub mod schema;

pub use audit::PgAuditLog;
pub use holder::PgStore;
pub use read::PgReadOnly;

use super::{Result, StoreError};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Statement, Transaction};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// How long a connection attempt waits for the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `db` (what `--db` or `RECOVERY_DESK_DB` holds) names a PostgreSQL database.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Which role a connection acts as once connected (`SET ROLE`), whatever login opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// What the holder console, `agent` and `audit` need: read and write the account tables,
    /// append to the audit log. No DELETE or TRUNCATE anywhere.
    Holder,
    /// The desk: SELECT on the account tables, INSERT (and SELECT) on the audit tables.
    Desk,
    /// The login itself, unchanged: `setup` (it creates the schema and the roles).
    Owner,
}

impl Role {
    /// The role's name in the cluster.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Role::Holder => Some(schema::HOLDER_ROLE),
            Role::Desk => Some(schema::DESK_ROLE),
            Role::Owner => None,
        }
    }
}

/// A failure inside a transaction: PostgreSQL's, or one of ours (a conflict, a row not found).
/// Either way the transaction rolls back.
pub(crate) enum TxError {
    Pg(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for TxError {
    fn from(e: postgres::Error) -> Self {
        TxError::Pg(e)
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

pub(crate) type TxResult<T> = std::result::Result<T, TxError>;

/// A connection or a transaction on it, running each statement of fixed SQL text prepared
/// once per connection ([`PgConn::prepared`]): one round trip per statement instead of two.
pub(crate) struct Tx<'a, C: postgres::GenericClient> {
    c: &'a mut C,
    conn: &'a PgConn,
}

type Params<'p> = [&'p (dyn postgres::types::ToSql + Sync)];

impl<'a, C: postgres::GenericClient> Tx<'a, C> {
    pub(crate) fn new(c: &'a mut C, conn: &'a PgConn) -> Self {
        Tx { c, conn }
    }

    pub(crate) fn execute(
        &mut self,
        sql: &'static str,
        p: &Params<'_>,
    ) -> std::result::Result<u64, postgres::Error> {
        let st = self.conn.prepared(self.c, sql)?;
        self.c.execute(&st, p)
    }

    pub(crate) fn query(
        &mut self,
        sql: &'static str,
        p: &Params<'_>,
    ) -> std::result::Result<Vec<postgres::Row>, postgres::Error> {
        let st = self.conn.prepared(self.c, sql)?;
        self.c.query(&st, p)
    }

    pub(crate) fn query_one(
        &mut self,
        sql: &'static str,
        p: &Params<'_>,
    ) -> std::result::Result<postgres::Row, postgres::Error> {
        let st = self.conn.prepared(self.c, sql)?;
        self.c.query_one(&st, p)
    }

    pub(crate) fn query_opt(
        &mut self,
        sql: &'static str,
        p: &Params<'_>,
    ) -> std::result::Result<Option<postgres::Row>, postgres::Error> {
        let st = self.conn.prepared(self.c, sql)?;
        self.c.query_opt(&st, p)
    }
}

/// One connection to the server, opened again on the next request after it was lost (the
/// server restarted, the network dropped): the request that met the loss fails with one clear
/// line and a transaction it was in is rolled back by the server.
pub(crate) struct PgConn {
    config: Config,
    /// The database named without its password, for messages.
    label: String,
    role: Role,
    client: RefCell<Option<Client>>,
    /// Statements prepared on the current connection, by their SQL (the hot reads: one round
    /// trip each instead of two); emptied when the connection is replaced.
    prepared: RefCell<HashMap<&'static str, Statement>>,
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn")
            .field("database", &self.label)
            .field("role", &self.role)
            .finish()
    }
}

impl PgConn {
    /// Connects to `url` as `role`; a wrong URL, an unreachable server or a refused sign-in
    /// is one sentence.
    pub(crate) fn open(url: &str, role: Role) -> Result<PgConn> {
        let mut config: Config = url.parse().map_err(|e: postgres::Error| StoreError::Pg {
            target: "the --db URL".into(),
            msg: format!(
                "it is not a valid PostgreSQL URL ({})",
                one_line(&e.to_string())
            ),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("recovery-desk");
        }
        let conn = PgConn {
            label: label(&config),
            config,
            role,
            client: RefCell::new(None),
            prepared: RefCell::new(HashMap::new()),
        };
        conn.with(|_| Ok(()))?;
        Ok(conn)
    }

    /// The database named without its password.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    fn connect(&self) -> Result<Client> {
        let mut client = self.config.connect(NoTls).map_err(|e| self.classify(e))?;
        if let Some(role) = self.role.name() {
            client
                .batch_execute(&format!("SET ROLE {role}"))
                .map_err(|e| match e.code() {
                    Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE || *c == SqlState::UNDEFINED_OBJECT => {
                        StoreError::Pg {
                            target: self.label.clone(),
                            msg: format!(
                                "this login may not act as the {role} role; connect as {role} (or a member of it), created by: recovery-desk --db URL setup"
                            ),
                        }
                    }
                    _ => self.classify(e),
                })?;
        }
        Ok(client)
    }

    /// Runs `f` on the connection, opening it first if there is none (the previous one was
    /// lost). A connection found broken is dropped, so the next request reconnects.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Client) -> TxResult<T>) -> Result<T> {
        let mut slot = self.client.borrow_mut();
        if slot.as_ref().is_some_and(Client::is_closed) {
            *slot = None;
        }
        let client = match slot.as_mut() {
            Some(c) => c,
            None => {
                self.prepared.borrow_mut().clear();
                slot.insert(self.connect()?)
            }
        };
        match f(client) {
            Ok(v) => Ok(v),
            Err(TxError::Store(e)) => Err(e),
            Err(TxError::Pg(e)) => {
                if e.is_closed() || client.is_closed() {
                    *slot = None;
                }
                Err(self.classify(e))
            }
        }
    }

    /// `sql` prepared on this connection (once per connection), to run through `c`, the
    /// connection or a transaction on it.
    pub(crate) fn prepared(
        &self,
        c: &mut impl postgres::GenericClient,
        sql: &'static str,
    ) -> std::result::Result<Statement, postgres::Error> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = c.prepare(sql)?;
        self.prepared.borrow_mut().insert(sql, s.clone());
        Ok(s)
    }

    /// Runs `f` in one READ COMMITTED transaction that first takes the advisory lock of
    /// account `account` (when given), and commits when `f` succeeds.
    pub(crate) fn write<T>(
        &self,
        account: Option<i64>,
        f: impl FnOnce(&mut Transaction<'_>) -> TxResult<T>,
    ) -> Result<T> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            if let Some(id) = account {
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&id])?;
            }
            let v = f(&mut tx)?;
            tx.commit()?;
            Ok(v)
        })
    }

    /// Turns a PostgreSQL error into one of ours: one line that names the database.
    pub(crate) fn classify(&self, e: postgres::Error) -> StoreError {
        classify(&self.label, e)
    }
}

/// Turns a PostgreSQL error into one of ours, naming `target`.
pub(crate) fn classify(target: &str, e: postgres::Error) -> StoreError {
    let target = target.to_string();
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        let msg = one_line(db.message());
        return if *code == SqlState::UNIQUE_VIOLATION {
            StoreError::Conflict("that change conflicts with data already stored")
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            StoreError::Refused(format!("PostgreSQL: {msg}"))
        } else if *code == SqlState::UNDEFINED_TABLE {
            StoreError::Pg {
                target,
                msg:
                    "it holds no recovery-desk schema; create it with: recovery-desk --db URL setup"
                        .into(),
            }
        } else if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            StoreError::Pg {
                target,
                msg: format!(
                    "the server refused the sign-in ({msg}); check the user and password in the URL"
                ),
            }
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            StoreError::Pg {
                target,
                msg: format!("{msg}; check the database name in the URL"),
            }
        } else if *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
        {
            StoreError::ConnectionLost { target }
        } else {
            StoreError::Pg { target, msg }
        };
    }
    if e.is_closed() {
        return StoreError::ConnectionLost { target };
    }
    // No server answer at all: the server is down, the socket missing, the host unreachable.
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    StoreError::Unreachable {
        target,
        reason: one_line(&reason),
    }
}

/// `s` on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `postgres://user@host:port/dbname`, never the password.
pub(crate) fn label(config: &Config) -> String {
    use postgres::config::Host;
    let user = config.get_user().unwrap_or("");
    let (host, socket) = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => (h.clone(), String::new()),
        Some(Host::Unix(p)) => (String::new(), format!("?host={}", p.display())),
        None => ("localhost".into(), String::new()),
    };
    let port = config
        .get_ports()
        .first()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or(user);
    let at = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    format!("postgres://{at}{host}{port}/{db}{socket}")
}

/// An `i64` column as the `u32` the domain counts in (a negative or huge value, which the
/// product never writes, reads as 0 or the maximum).
pub(crate) fn u32_of(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_of_both_spellings_pick_postgresql_and_paths_do_not() {
        assert!(is_url("postgres://u@h/db"));
        assert!(is_url("postgresql:///db?host=/tmp/s"));
        assert!(!is_url("/var/lib/x.db"));
        assert!(!is_url("postgres.db"));
        assert!(!is_url("./postgres://x"));
    }

    #[test]
    fn the_label_never_carries_the_password() {
        let c: Config = "postgres://holder:s3cret-pass@db.example:5433/desk"
            .parse()
            .unwrap();
        let l = label(&c);
        assert_eq!(l, "postgres://holder@db.example:5433/desk");
        assert!(!l.contains("s3cret"));
    }

    #[test]
    fn a_malformed_url_is_one_sentence_naming_the_flag() {
        let e = PgConn::open("postgres://u@h:notaport/db", Role::Holder).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("--db URL"), "{s}");
        assert!(!s.contains('\n'), "{s}");
    }
}
