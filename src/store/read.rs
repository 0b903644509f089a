//! Read-only queries: everything the account view shows. The desk reads accounts only through
//! this module, over a connection SQLite opened read-only. Nothing here returns a hash.

use super::capability::ReadStore;
use super::{Result, Store, StoreError, parse_ts, parse_ts_opt, ts};
use crate::domain::identifier::Lookup;
use crate::domain::lockout::Guarded;
use crate::domain::model::{
    AccountRow, AccountView, AgentCredentials, AppRow, EventRow, LockRow, MethodKind, MethodRow,
    PendingRow, RecoveryStatus,
};
use crate::domain::sign_in_method;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// How many security events the view shows.
pub const EVENTS_SHOWN: usize = 20;

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        username: r.get(1)?,
        two_step: r.get(2)?,
        created_at: parse_ts(&r.get::<_, String>(3)?),
        password_changed_at: parse_ts(&r.get::<_, String>(4)?),
    })
}

const ACCOUNT_COLS: &str = "id, username, two_step, created_at, password_changed_at";

pub(crate) fn account_by_username(
    conn: &Connection,
    username: &str,
) -> rusqlite::Result<Option<AccountRow>> {
    conn.prepare_cached(&format!(
        "SELECT {ACCOUNT_COLS} FROM accounts WHERE username = ?1"
    ))?
    .query_row([username], account_from_row)
    .optional()
}

pub(crate) fn account_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<AccountRow>> {
    conn.prepare_cached(&format!(
        "SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?1"
    ))?
    .query_row([id], account_from_row)
    .optional()
}

/// The account an address belongs to: only a verified address counts (an unverified one
/// proves nothing and may be anyone's typo).
fn account_by_address(
    conn: &Connection,
    kind: MethodKind,
    address: &str,
) -> rusqlite::Result<Option<AccountRow>> {
    conn.prepare_cached(
        "SELECT a.id, a.username, a.two_step, a.created_at, a.password_changed_at FROM sign_in_methods m JOIN accounts a ON a.id = m.account_id WHERE m.kind = ?1 AND m.address = ?2 AND m.verified = 1 AND m.removed_at IS NULL",
    )?
    .query_row(params![kind.as_str(), address], account_from_row)
    .optional()
}

pub(crate) fn methods(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<MethodRow>> {
    conn.prepare_cached("SELECT id, kind, address, verified, added_at FROM sign_in_methods WHERE account_id = ?1 AND removed_at IS NULL ORDER BY id")?
        .query_map([account_id], method_from_row)?
        .collect()
}

/// The methods shown at `now`: verified ones, and unverified ones added less than 24 hours
/// ago (a lapsed one is no method at all).
fn live_methods(
    conn: &Connection,
    account_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<MethodRow>> {
    let since = sign_in_method::unverified_alive_since(now);
    conn.prepare_cached("SELECT id, kind, address, verified, added_at FROM sign_in_methods WHERE account_id = ?1 AND removed_at IS NULL AND (verified = 1 OR added_at > ?2) ORDER BY id")?
        .query_map(params![account_id, ts(since)], method_from_row)?
        .collect()
}

fn method_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MethodRow> {
    Ok(MethodRow {
        id: r.get(0)?,
        kind: MethodKind::parse(&r.get::<_, String>(1)?).unwrap_or(MethodKind::Email),
        address: r.get(2)?,
        verified: r.get(3)?,
        added_at: parse_ts(&r.get::<_, String>(4)?),
    })
}

fn recovery_status(conn: &Connection, account_id: i64) -> rusqlite::Result<RecoveryStatus> {
    let active: Option<(String, Option<String>)> = conn
        .prepare_cached("SELECT created_at, checked_at FROM recovery_codes WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL")?
        .query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (active_since, last_checked) = match active {
        Some((created, checked)) => (Some(parse_ts(&created)), parse_ts_opt(checked)),
        None => (None, None),
    };
    let last_used = conn
        .prepare_cached("SELECT max(used_at) FROM recovery_codes WHERE account_id = ?1")?
        .query_row([account_id], |r| r.get::<_, Option<String>>(0))?;
    let password_from_recovery = conn
        .prepare_cached(PASSWORD_FROM_WAITED_CHANGE)?
        .query_row([account_id], |r| r.get(0))?;
    Ok(RecoveryStatus {
        active_since,
        last_used: parse_ts_opt(last_used),
        last_checked,
        password_from_recovery,
    })
}

/// Whether account `?1`'s password in force was set by a change that waited and was applied:
/// the hash in force is the one an applied change set (each hash has its own random salt, so
/// no later password can match it).
pub(crate) const PASSWORD_FROM_WAITED_CHANGE: &str = "SELECT EXISTS (SELECT 1 FROM pending_changes p JOIN accounts a ON a.id = p.account_id WHERE p.account_id = ?1 AND p.applied_at IS NOT NULL AND p.new_password_hash = a.password_hash)";

fn locks(conn: &Connection, account_id: i64, now: DateTime<Utc>) -> rusqlite::Result<Vec<LockRow>> {
    conn.prepare_cached("SELECT kind, locked_until FROM lockouts WHERE account_id = ?1 AND locked_until > ?2 ORDER BY kind")?
        .query_map(params![account_id, ts(now)], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .map(|row| row.map(|(k, u)| Guarded::parse(&k).map(|what| LockRow { what, until: parse_ts(&u) })))
        .filter_map(|r| r.transpose())
        .collect()
}

fn pending(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<PendingRow>> {
    conn.prepare_cached("SELECT id, kind, requested_at, effective_at FROM pending_changes WHERE account_id = ?1 AND cancelled_at IS NULL AND applied_at IS NULL ORDER BY id")?
        .query_map([account_id], |r| {
            Ok(PendingRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                requested_at: parse_ts(&r.get::<_, String>(2)?),
                effective_at: parse_ts(&r.get::<_, String>(3)?),
            })
        })?
        .collect()
}

/// The account's verified, live authenticator app.
fn verified_app(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<AppRow>> {
    conn.prepare_cached("SELECT id, added_at FROM authenticator_apps WHERE account_id = ?1 AND removed_at IS NULL AND verified_at IS NOT NULL")?
        .query_row([account_id], |r| {
            Ok(AppRow {
                id: r.get(0)?,
                added_at: parse_ts(&r.get::<_, String>(1)?),
            })
        })
        .optional()
}

fn events(conn: &Connection, account_id: i64, limit: usize) -> rusqlite::Result<Vec<EventRow>> {
    conn.prepare_cached("SELECT at, kind, detail FROM security_events WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2")?
        .query_map(params![account_id, limit as i64], |r| {
            Ok(EventRow {
                at: parse_ts(&r.get::<_, String>(0)?),
                kind: r.get(1)?,
                detail: r.get(2)?,
            })
        })?
        .collect()
}

impl ReadStore for Store {
    /// Finds one account by an exact, normalised identifier.
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>> {
        let c = self.conn();
        match lookup {
            Lookup::Username(u) => account_by_username(c, u),
            Lookup::Email(e) => account_by_address(c, MethodKind::Email, e),
            Lookup::Phone(p) => account_by_address(c, MethodKind::Phone, p),
            Lookup::AccountId(id) => account_by_id(c, *id),
        }
        .map_err(|e| self.err(e))
    }

    /// Everything the account view shows, read in one snapshot.
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView> {
        let c = self.conn();
        // One read transaction so the parts agree with each other.
        c.execute_batch("BEGIN DEFERRED").map_err(|e| self.err(e))?;
        let result = (|| -> rusqlite::Result<Option<AccountView>> {
            let Some(account) = account_by_id(c, account_id)? else {
                return Ok(None);
            };
            Ok(Some(AccountView {
                methods: live_methods(c, account_id, now)?,
                app: verified_app(c, account_id)?,
                recovery: recovery_status(c, account_id)?,
                locks: locks(c, account_id, now)?,
                pending: pending(c, account_id)?,
                events: events(c, account_id, EVENTS_SHOWN)?,
                account,
            }))
        })();
        let end = c.execute_batch("COMMIT");
        let view = result.map_err(|e| self.err(e))?;
        end.map_err(|e| self.err(e))?;
        view.ok_or(StoreError::NotFound("account"))
    }

    /// The account and its methods, for the holder's own screens.
    fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        super::read::account_by_username(self.conn(), username).map_err(|e| self.err(e))
    }

    fn account(&self, id: i64) -> Result<AccountRow> {
        super::read::account_by_id(self.conn(), id)
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound("account"))
    }

    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        super::read::methods(self.conn(), account_id).map_err(|e| self.err(e))
    }

    /// Whether the agent is disabled (`None`: no such agent). The desk asks with every request.
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>> {
        self.conn()
            .prepare_cached("SELECT disabled FROM agents WHERE name = ?1")
            .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        self.conn()
            .prepare_cached("SELECT name, password_hash, disabled FROM agents WHERE name = ?1")
            .and_then(|mut s| {
                s.query_row([name], |r| {
                    Ok(AgentCredentials {
                        name: r.get(0)?,
                        password_hash: r.get(1)?,
                        disabled: r.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }
}
