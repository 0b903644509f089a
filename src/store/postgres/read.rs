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

const BY_USERNAME: &str = "SELECT a.id, a.username, a.two_step, a.created_at, a.password_changed_at FROM accounts a WHERE a.username = $1";
const BY_ID: &str = "SELECT a.id, a.username, a.two_step, a.created_at, a.password_changed_at FROM accounts a WHERE a.id = $1";
const BY_ADDRESS: &str = "SELECT a.id, a.username, a.two_step, a.created_at, a.password_changed_at FROM sign_in_methods m JOIN accounts a ON a.id = m.account_id WHERE m.kind = $1 AND m.address = $2 AND m.verified AND m.removed_at IS NULL";

/// The account an exact, normalised identifier names (verified addresses only), through
/// statements prepared once per connection.
fn find_account(
    conn: &PgConn,
    c: &mut impl GenericClient,
    lookup: &Lookup,
) -> TxResult<Option<AccountRow>> {
    let row = match lookup {
        Lookup::Username(u) => {
            let st = conn.prepared(c, BY_USERNAME)?;
            c.query_opt(&st, &[u])?
        }
        Lookup::AccountId(id) => {
            let st = conn.prepared(c, BY_ID)?;
            c.query_opt(&st, &[id])?
        }
        Lookup::Email(a) | Lookup::Phone(a) => {
            let kind = if matches!(lookup, Lookup::Email(_)) {
                MethodKind::Email
            } else {
                MethodKind::Phone
            };
            let st = conn.prepared(c, BY_ADDRESS)?;
            c.query_opt(&st, &[&kind.as_str(), a])?
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

/// Everything the account view shows, in one statement: one snapshot without a transaction
/// around it, and one round trip. Lists come back as parallel arrays (NULL when empty).
const VIEW: &str = "
SELECT a.id, a.username, a.two_step, a.created_at, a.password_changed_at,
       m.ids, m.kinds, m.addresses, m.verified, m.added,
       app.id, app.added_at,
       rc.created_at, rc.checked_at,
       (SELECT max(used_at) FROM recovery_codes WHERE account_id = a.id),
       EXISTS (SELECT 1 FROM pending_changes p WHERE p.account_id = a.id AND p.applied_at IS NOT NULL AND p.new_password_hash = a.password_hash),
       l.kinds, l.untils,
       p.ids, p.kinds, p.requested, p.effective,
       e.ats, e.kinds, e.details
  FROM accounts a
  LEFT JOIN LATERAL (
       SELECT array_agg(id ORDER BY id) ids, array_agg(kind ORDER BY id) kinds,
              array_agg(address ORDER BY id) addresses, array_agg(verified ORDER BY id) verified,
              array_agg(added_at ORDER BY id) added
         FROM sign_in_methods
        WHERE account_id = a.id AND removed_at IS NULL AND (verified OR added_at > $2)) m ON true
  LEFT JOIN LATERAL (
       SELECT id, added_at FROM authenticator_apps
        WHERE account_id = a.id AND removed_at IS NULL AND verified_at IS NOT NULL
        LIMIT 1) app ON true
  LEFT JOIN LATERAL (
       SELECT created_at, checked_at FROM recovery_codes
        WHERE account_id = a.id AND revoked_at IS NULL AND used_at IS NULL
        LIMIT 1) rc ON true
  LEFT JOIN LATERAL (
       SELECT array_agg(kind ORDER BY kind) kinds, array_agg(locked_until ORDER BY kind) untils
         FROM lockouts WHERE account_id = a.id AND locked_until > $3) l ON true
  LEFT JOIN LATERAL (
       SELECT array_agg(id ORDER BY id) ids, array_agg(kind ORDER BY id) kinds,
              array_agg(requested_at ORDER BY id) requested,
              array_agg(effective_at ORDER BY id) effective
         FROM pending_changes
        WHERE account_id = a.id AND cancelled_at IS NULL AND applied_at IS NULL) p ON true
  LEFT JOIN LATERAL (
       SELECT array_agg(at ORDER BY id DESC) ats, array_agg(kind ORDER BY id DESC) kinds,
              array_agg(detail ORDER BY id DESC) details
         FROM (SELECT id, at, kind, detail FROM security_events
                WHERE account_id = a.id ORDER BY id DESC LIMIT $4) x) e ON true
 WHERE a.id = $1";

fn account_view(
    conn: &PgConn,
    c: &mut impl GenericClient,
    account_id: i64,
    now: DateTime<Utc>,
) -> TxResult<Option<AccountView>> {
    let since = ts(sign_in_method::unverified_alive_since(now));
    let st = conn.prepared(c, VIEW)?;
    let params: [&(dyn postgres::types::ToSql + Sync); 4] =
        [&account_id, &since, &ts(now), &(EVENTS_SHOWN as i64)];
    let Some(r) = c.query_opt(&st, &params)? else {
        return Ok(None);
    };
    let list = |i: usize| -> Vec<String> { r.get::<_, Option<Vec<String>>>(i).unwrap_or_default() };
    let ids = |i: usize| -> Vec<i64> { r.get::<_, Option<Vec<i64>>>(i).unwrap_or_default() };
    let (m_kind, m_addr, m_added) = (list(6), list(7), list(9));
    let m_verified: Vec<bool> = r.get::<_, Option<Vec<bool>>>(8).unwrap_or_default();
    let methods = ids(5)
        .into_iter()
        .zip(
            m_kind
                .iter()
                .zip(m_addr)
                .zip(m_verified.into_iter().zip(m_added)),
        )
        .map(|(id, ((kind, address), (verified, added)))| MethodRow {
            id,
            kind: MethodKind::parse(kind).unwrap_or(MethodKind::Email),
            address,
            verified,
            added_at: parse_ts(&added),
        })
        .collect();
    let app = r.get::<_, Option<i64>>(10).map(|id| AppRow {
        id,
        added_at: parse_ts(r.get::<_, Option<&str>>(11).unwrap_or_default()),
    });
    let recovery = RecoveryStatus {
        active_since: parse_ts_opt(r.get(12)),
        last_used: parse_ts_opt(r.get(14)),
        last_checked: parse_ts_opt(r.get(13)),
        password_from_recovery: r.get(15),
    };
    let locks = list(16)
        .iter()
        .zip(list(17))
        .filter_map(|(k, u)| {
            Guarded::parse(k).map(|what| LockRow {
                what,
                until: parse_ts(&u),
            })
        })
        .collect();
    let pending = ids(18)
        .into_iter()
        .zip(list(19).into_iter().zip(list(20).into_iter().zip(list(21))))
        .map(|(id, (kind, (requested, effective)))| PendingRow {
            id,
            kind,
            requested_at: parse_ts(&requested),
            effective_at: parse_ts(&effective),
        })
        .collect();
    let events = list(22)
        .into_iter()
        .zip(list(23).into_iter().zip(list(24)))
        .map(|(at, (kind, detail))| EventRow {
            at: parse_ts(&at),
            kind,
            detail,
        })
        .collect();
    Ok(Some(AccountView {
        account: account_from_row(&r),
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
        self.0.with(|c| find_account(self.0, c, lookup))
    }
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        self.0
            .with(|c| account_view(self.0, c, account_id, now))?
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
