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
/// proves nothing and may be anyone's typo). The unary `+` keeps SQLite off the unique
/// partial index of verified addresses, whose rows hold no account id (each match would cost
/// a descent into the table); `sign_in_methods_address_account` answers from the index alone.
pub(crate) const ACCOUNT_BY_ADDRESS: &str = "SELECT a.id, a.username, a.two_step, a.created_at, a.password_changed_at FROM sign_in_methods m JOIN accounts a ON a.id = m.account_id WHERE m.kind = ?1 AND m.address = ?2 AND +m.verified = 1 AND +m.removed_at IS NULL";

fn account_by_address(
    conn: &Connection,
    kind: MethodKind,
    address: &str,
) -> rusqlite::Result<Option<AccountRow>> {
    conn.prepare_cached(ACCOUNT_BY_ADDRESS)?
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
    conn.prepare_cached(LIVE_METHODS)?
        .query_map(params![account_id, ts(since)], method_from_row)?
        .collect()
}

pub(crate) const LIVE_METHODS: &str = "SELECT id, kind, address, verified, added_at FROM sign_in_methods WHERE account_id = ?1 AND removed_at IS NULL AND (verified = 1 OR added_at > ?2) ORDER BY id";

fn method_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MethodRow> {
    Ok(MethodRow {
        id: r.get(0)?,
        kind: MethodKind::parse(&r.get::<_, String>(1)?).unwrap_or(MethodKind::Email),
        address: r.get(2)?,
        verified: r.get(3)?,
        added_at: parse_ts(&r.get::<_, String>(4)?),
    })
}

/// Every code of account `?1`, from one covering index: when it was made, last checked,
/// whether it is the active one (at most one is: `recovery_codes_one_active`), when used.
pub(crate) const CODES: &str = "SELECT created_at, checked_at, revoked_at IS NULL AND used_at IS NULL, used_at FROM recovery_codes WHERE account_id = ?1";

fn recovery_status(conn: &Connection, account_id: i64) -> rusqlite::Result<RecoveryStatus> {
    let mut active: Option<(String, Option<String>)> = None;
    // Stored times sort as text, as `max(used_at)` compared them.
    let mut last_used: Option<String> = None;
    let mut stmt = conn.prepare_cached(CODES)?;
    let mut rows = stmt.query([account_id])?;
    while let Some(r) = rows.next()? {
        if r.get::<_, bool>(2)? {
            active = Some((r.get(0)?, r.get(1)?));
        }
        let used: Option<String> = r.get(3)?;
        if used > last_used {
            last_used = used;
        }
    }
    let (active_since, last_checked) = match active {
        Some((created, checked)) => (Some(parse_ts(&created)), parse_ts_opt(checked)),
        None => (None, None),
    };
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

pub(crate) const EVENTS: &str =
    "SELECT at, kind, detail FROM security_events WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2";

fn events(conn: &Connection, account_id: i64, limit: usize) -> rusqlite::Result<Vec<EventRow>> {
    conn.prepare_cached(EVENTS)?
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::{CLUSTERED_BY_ACCOUNT, MIGRATIONS};

    /// Every table the account view (and the lookup by address) reads row by row is read
    /// from a covering index, clustered by account: one descent finds all of an account's
    /// rows however far apart in time they were written (issue 13). A query or schema change
    /// that sends one back to its table fails here.
    #[test]
    fn the_views_queries_read_covering_indexes_only() {
        let (_tmp, db) = crate::store::temp_db();
        let store = Store::open(&db).unwrap();
        let plan = |sql: &str| -> Vec<String> {
            let mut stmt = store
                .conn()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let n = stmt.parameter_count();
            let args: Vec<i64> = (0..n as i64).collect();
            stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        for (sql, table, index) in [
            (
                LIVE_METHODS,
                "sign_in_methods",
                "sign_in_methods_account_view",
            ),
            (CODES, "recovery_codes", "recovery_codes_account_view"),
            (EVENTS, "security_events", "security_events_account_view"),
            (ACCOUNT_BY_ADDRESS, " m ", "sign_in_methods_address_account"),
        ] {
            let steps = plan(sql);
            let step = steps
                .iter()
                .find(|s| s.contains(table))
                .unwrap_or_else(|| panic!("{table} not in the plan of {sql}: {steps:?}"));
            assert!(
                step.contains(&format!("USING COVERING INDEX {index} ")),
                "{sql}: {steps:?}"
            );
        }
        // The account itself by its id; pending changes and lockouts are one descent each.
        assert!(plan(EVENTS).iter().all(|s| !s.contains("TEMP B-TREE")));
        // The migration that makes these indexes is the one the tests name.
        let clustering = MIGRATIONS[(CLUSTERED_BY_ACCOUNT - 1) as usize];
        for index in [
            "security_events_account_view",
            "sign_in_methods_account_view",
            "sign_in_methods_address_account",
            "recovery_codes_account_view",
        ] {
            assert!(clustering.contains(index), "{index}");
        }
    }

    /// The codes read in one query give what the two queries before them gave: the active
    /// code's dates, and the latest use of any code.
    #[test]
    fn recovery_status_finds_the_active_code_and_the_latest_use() {
        use crate::store::HolderStore;
        let (_tmp, db) = crate::store::temp_db();
        let mut store = Store::open(&db).unwrap();
        let t = |d| chrono::DateTime::parse_from_rfc3339(d).unwrap().to_utc();
        let id = store
            .create_account("pat", "$argon2id$stand-in", t("2026-01-01T00:00:00Z"))
            .unwrap();
        assert_eq!(
            recovery_status(store.conn(), id).unwrap(),
            RecoveryStatus::default()
        );
        for (made, used) in [
            ("2026-01-02T00:00:00Z", Some("2026-01-05T00:00:00Z")),
            ("2026-01-06T00:00:00Z", Some("2026-01-09T00:00:00Z")),
            ("2026-01-10T00:00:00Z", None),
            ("2026-01-11T00:00:00Z", None),
        ] {
            let code = store
                .replace_recovery_code(id, "$argon2id$code", t(made))
                .unwrap();
            if let Some(used) = used {
                store
                    .conn()
                    .execute(
                        "UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1",
                        params![code, used],
                    )
                    .unwrap();
            }
        }
        let status = recovery_status(store.conn(), id).unwrap();
        assert_eq!(status.active_since, Some(t("2026-01-11T00:00:00Z")));
        assert_eq!(status.last_used, Some(t("2026-01-09T00:00:00Z")));
        assert_eq!(status.last_checked, None);
    }
}
