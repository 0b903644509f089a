//! The queries of [`ReadStore`] on PostgreSQL, for the holder's [`PgStore`] and for the desk's
//! [`PgReadOnly`] (a connection acting as the desk role, which PostgreSQL lets SELECT account
//! tables and nothing more). Nothing here returns a hash but the agents' own credentials.

use super::holder::PgStore;
use super::{PgConn, Role, TxResult};
use crate::domain::identifier::Lookup;
use crate::domain::lockout::Guarded;
use crate::domain::model::{
    AccountRow, AccountView, AgentCredentials, AppRow, EventRow, LockRow, MethodKind, MethodRow,
    PendingRow, RecoveryStatus,
};
use crate::domain::sign_in_method;
use crate::store::capability::ReadStore;
use crate::store::read::EVENTS_SHOWN;
use crate::store::{Result, StoreError, parse_ts, parse_ts_opt, ts};
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};

fn account_from_row(r: &Row) -> AccountRow {
    AccountRow {
        id: r.get(0),
        username: r.get(1),
        two_step: r.get(2),
        created_at: parse_ts(r.get(3)),
        password_changed_at: parse_ts(r.get(4)),
    }
}

fn method_from_row(r: &Row) -> MethodRow {
    MethodRow {
        id: r.get(0),
        kind: MethodKind::parse(r.get(1)).unwrap_or(MethodKind::Email),
        address: r.get(2),
        verified: r.get(3),
        added_at: parse_ts(r.get(4)),
    }
}

fn find_account(c: &mut impl GenericClient, lookup: &Lookup) -> TxResult<Option<AccountRow>> {
    const COLS: &str = "a.id, a.username, a.two_step, a.created_at, a.password_changed_at";
    let row = match lookup {
        Lookup::Username(u) => c.query_opt(
            &format!("SELECT {COLS} FROM accounts a WHERE a.username = $1"),
            &[u],
        )?,
        Lookup::AccountId(id) => c.query_opt(
            &format!("SELECT {COLS} FROM accounts a WHERE a.id = $1"),
            &[id],
        )?,
        Lookup::Email(a) | Lookup::Phone(a) => {
            let kind = if matches!(lookup, Lookup::Email(_)) {
                MethodKind::Email
            } else {
                MethodKind::Phone
            };
            c.query_opt(
                &format!("SELECT {COLS} FROM sign_in_methods m JOIN accounts a ON a.id = m.account_id WHERE m.kind = $1 AND m.address = $2 AND m.verified AND m.removed_at IS NULL"),
                &[&kind.as_str(), a],
            )?
        }
    };
    Ok(row.as_ref().map(account_from_row))
}

fn methods(c: &mut impl GenericClient, account_id: i64) -> TxResult<Vec<MethodRow>> {
    Ok(c
        .query(
            "SELECT id, kind, address, verified, added_at FROM sign_in_methods WHERE account_id = $1 AND removed_at IS NULL ORDER BY id",
            &[&account_id],
        )?
        .iter()
        .map(method_from_row)
        .collect())
}

/// Whether account `$1`'s password in force was set by a change that waited and was applied.
pub(crate) fn password_from_waited_change(
    c: &mut impl GenericClient,
    account_id: i64,
) -> TxResult<bool> {
    Ok(c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pending_changes p JOIN accounts a ON a.id = p.account_id WHERE p.account_id = $1 AND p.applied_at IS NOT NULL AND p.new_password_hash = a.password_hash)",
            &[&account_id],
        )?
        .get(0))
}

fn account_view(
    c: &mut impl GenericClient,
    account_id: i64,
    now: DateTime<Utc>,
) -> TxResult<Option<AccountView>> {
    let Some(account) = find_account(c, &Lookup::AccountId(account_id))? else {
        return Ok(None);
    };
    let since = ts(sign_in_method::unverified_alive_since(now));
    let methods: Vec<MethodRow> = c
        .query(
            "SELECT id, kind, address, verified, added_at FROM sign_in_methods WHERE account_id = $1 AND removed_at IS NULL AND (verified OR added_at > $2) ORDER BY id",
            &[&account_id, &since],
        )?
        .iter()
        .map(method_from_row)
        .collect();
    let app = c
        .query_opt(
            "SELECT id, added_at FROM authenticator_apps WHERE account_id = $1 AND removed_at IS NULL AND verified_at IS NOT NULL",
            &[&account_id],
        )?
        .map(|r| AppRow {
            id: r.get(0),
            added_at: parse_ts(r.get(1)),
        });
    let active = c.query_opt(
        "SELECT created_at, checked_at FROM recovery_codes WHERE account_id = $1 AND revoked_at IS NULL AND used_at IS NULL",
        &[&account_id],
    )?;
    let (active_since, last_checked) = match active {
        Some(r) => (Some(parse_ts(r.get(0))), parse_ts_opt(r.get(1))),
        None => (None, None),
    };
    let last_used: Option<String> = c
        .query_one(
            "SELECT max(used_at) FROM recovery_codes WHERE account_id = $1",
            &[&account_id],
        )?
        .get(0);
    let recovery = RecoveryStatus {
        active_since,
        last_used: parse_ts_opt(last_used),
        last_checked,
        password_from_recovery: password_from_waited_change(c, account_id)?,
    };
    let locks = c
        .query(
            "SELECT kind, locked_until FROM lockouts WHERE account_id = $1 AND locked_until > $2 ORDER BY kind",
            &[&account_id, &ts(now)],
        )?
        .iter()
        .filter_map(|r| {
            Guarded::parse(r.get(0)).map(|what| LockRow {
                what,
                until: parse_ts(r.get(1)),
            })
        })
        .collect();
    let pending = c
        .query(
            "SELECT id, kind, requested_at, effective_at FROM pending_changes WHERE account_id = $1 AND cancelled_at IS NULL AND applied_at IS NULL ORDER BY id",
            &[&account_id],
        )?
        .iter()
        .map(|r| PendingRow {
            id: r.get(0),
            kind: r.get(1),
            requested_at: parse_ts(r.get(2)),
            effective_at: parse_ts(r.get(3)),
        })
        .collect();
    let events = c
        .query(
            "SELECT at, kind, detail FROM security_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
            &[&account_id, &(EVENTS_SHOWN as i64)],
        )?
        .iter()
        .map(|r| EventRow {
            at: parse_ts(r.get(0)),
            kind: r.get(1),
            detail: r.get(2),
        })
        .collect();
    Ok(Some(AccountView {
        account,
        methods,
        app,
        recovery,
        locks,
        pending,
        events,
    }))
}

fn agent_credentials(c: &mut impl GenericClient, name: &str) -> TxResult<Option<AgentCredentials>> {
    Ok(c.query_opt(
        "SELECT name, password_hash, disabled FROM agents WHERE name = $1",
        &[&name],
    )?
    .map(|r| AgentCredentials {
        name: r.get(0),
        password_hash: r.get(1),
        disabled: r.get(2),
    }))
}

fn agent_disabled(c: &mut impl GenericClient, name: &str) -> TxResult<Option<bool>> {
    Ok(
        c.query_opt("SELECT disabled FROM agents WHERE name = $1", &[&name])?
            .map(|r| r.get(0)),
    )
}

/// The queries, answered on one connection.
fn read_store(conn: &PgConn) -> Reader<'_> {
    Reader(conn)
}

struct Reader<'a>(&'a PgConn);

impl Reader<'_> {
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        self.0.with(|c| find_account(c, lookup))
    }
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        self.0
            .snapshot(|tx| account_view(tx, account_id, now))?
            .ok_or(StoreError::NotFound("account"))
    }
    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        self.0.with(|c| methods(c, account_id))
    }
    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        self.0.with(|c| agent_credentials(c, name))
    }
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        self.0.with(|c| agent_disabled(c, name))
    }
}

impl ReadStore for PgStore {
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        read_store(&self.conn).find_account(lookup)
    }
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        read_store(&self.conn).account_view(account_id, now)
    }
    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        read_store(&self.conn).methods(account_id)
    }
    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        read_store(&self.conn).agent_credentials(name)
    }
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        read_store(&self.conn).agent_disabled(name)
    }
}

/// The desk's account connection on PostgreSQL: it acts as the desk role, so the server
/// itself refuses any write to an account table; it offers the queries and nothing else.
pub struct PgReadOnly {
    pub(crate) conn: PgConn,
}

impl std::fmt::Debug for PgReadOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgReadOnly")
            .field("database", &self.conn.label())
            .finish()
    }
}

impl PgReadOnly {
    /// Connects to `url` acting as the desk role; the schema must be current.
    pub fn open(url: &str) -> Result<PgReadOnly> {
        let conn = PgConn::open(url, Role::Desk)?;
        super::schema::check_current(&conn)?;
        Ok(PgReadOnly { conn })
    }

    /// Runs one statement as the desk (tests prove with it what PostgreSQL refuses).
    #[cfg(feature = "testing")]
    pub fn execute_as_desk(&self, sql: &str) -> Result<u64> {
        self.conn.with(|c| Ok(c.execute(sql, &[])?))
    }

    /// A digest of every row of every account table.
    pub fn account_tables_digest(&self) -> Result<Vec<(String, String)>> {
        super::holder::account_tables_digest(&self.conn)
    }
}

impl ReadStore for PgReadOnly {
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        read_store(&self.conn).find_account(lookup)
    }
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        read_store(&self.conn).account_view(account_id, now)
    }
    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        read_store(&self.conn).methods(account_id)
    }
    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        read_store(&self.conn).agent_credentials(name)
    }
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        read_store(&self.conn).agent_disabled(name)
    }
}
