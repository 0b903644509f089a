//! The hash-chained audit log on PostgreSQL: the same rows, the same keyed chain (`row_hash`,
//! `head_mac` of `store/audit.rs`), appended one at a time under an advisory lock that the
//! desk role may take (it holds no table lock privilege). [`PgAuditLog`] acts as the desk role:
//! PostgreSQL lets it SELECT and INSERT the audit tables and nothing else.
//!
//! The keyed head: the desk may only INSERT, so each append adds the head of its own id to
//! `audit_head`; the newest head must name the last row, and the highest id ever headed is
//! the highest ever issued (rows deleted from the end show as `Truncated`).

use super::holder::PgStore;
use super::{PgConn, Role, TxResult};
use crate::domain::case_ref::CaseRef;
use crate::domain::lockout::Lockout;
use crate::store::audit::{
    AgentReservation, AuditRow, Entry, Filter, GENESIS, Verdict, action, head_mac, row_hash,
    unknown_name,
};
use crate::store::capability::AuditLog;
use crate::store::keyfile::{Key, Keys, constant_time_eq};
use crate::store::{Result, StoreError, parse_ts, ts};
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row, Transaction};
use std::path::Path;

/// The advisory lock that serialises appends (two-key form: apart from the accounts' keys).
const CHAIN_LOCK: (i32, i32) = (0x7264_6b00, 1);

const COLUMNS: &str = "id, at, agent, action, account_id, detail, prev_hash, hash, case_ref";

fn audit_row(r: &Row) -> AuditRow {
    AuditRow {
        id: r.get(0),
        at: parse_ts(r.get(1)),
        agent: r.get(2),
        action: r.get(3),
        account_id: r.get(4),
        detail: r.get(5),
        prev_hash: r.get(6),
        hash: r.get(7),
        case_ref: r.get(8),
    }
}

/// The hash row `r` should carry: its stored time text is what was hashed.
fn expected_hash(key: &Key, r: &Row) -> String {
    row_hash(
        key,
        r.get(6),
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get::<_, Option<&str>>(8),
    )
}

/// Appends one row inside the caller's transaction, holding the chain's lock.
fn append_in(
    tx: &mut Transaction<'_>,
    key: &Key,
    entry: Entry<'_>,
    now: DateTime<Utc>,
) -> TxResult<()> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&CHAIN_LOCK.0, &CHAIN_LOCK.1],
    )?;
    let Entry {
        agent,
        action,
        account_id,
        detail,
        case_ref,
    } = entry;
    let case_ref = case_ref.map(CaseRef::as_str);
    let (prev_id, prev): (i64, String) = tx
        .query_opt(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            &[],
        )?
        .map(|r| (r.get(0), r.get(1)))
        .unwrap_or((0, GENESIS.to_string()));
    let issued: i64 = tx
        .query_one("SELECT coalesce(max(last_id), 0) FROM audit_head", &[])?
        .get(0);
    let id = issued.max(prev_id) + 1;
    let at = ts(now);
    let hash = row_hash(
        key, &prev, id, &at, agent, action, account_id, detail, case_ref,
    );
    tx.execute(
        "INSERT INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash, case_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[&id, &at, &agent, &action, &account_id, &detail, &prev, &hash, &case_ref],
    )?;
    tx.execute(
        "INSERT INTO audit_head (last_id, mac) VALUES ($1, $2)",
        &[&id, &head_mac(key, id, &hash)],
    )?;
    Ok(())
}

fn verify(c: &mut impl GenericClient, key: &Key) -> TxResult<Verdict> {
    let rows = c.query(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"), &[])?;
    let mut prev = GENESIS.to_string();
    let mut count = 0usize;
    let mut last_id = 0i64;
    for r in &rows {
        let id: i64 = r.get(0);
        let hash: String = r.get(7);
        if !constant_time_eq(expected_hash(key, r), &hash) {
            return Ok(Verdict::Edited { id });
        }
        if r.get::<_, &str>(6) != prev || id != last_id + 1 {
            return Ok(Verdict::Broken { id });
        }
        prev = hash;
        last_id = id;
        count += 1;
    }
    let head = c
        .query_opt(
            "SELECT last_id, mac FROM audit_head ORDER BY last_id DESC LIMIT 1",
            &[],
        )?
        .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
    match head {
        None if count > 0 => return Ok(Verdict::HeadMismatch),
        Some((head_id, mac))
            if head_id != last_id || !constant_time_eq(&mac, head_mac(key, last_id, &prev)) =>
        {
            return Ok(if head_id > last_id {
                Verdict::Truncated {
                    last: last_id,
                    issued: head_id,
                }
            } else {
                Verdict::HeadMismatch
            });
        }
        _ => {}
    }
    Ok(Verdict::Intact {
        rows: count,
        head: prev,
    })
}

/// Replays an agent's sign-in rows since its last success through the lockout rule.
fn agent_lockout(c: &mut impl GenericClient, agent: &str) -> TxResult<Lockout> {
    let rows = c.query(
        "SELECT at FROM audit_log WHERE agent = $1 AND action IN ('sign_in', 'sign_in_attempt')
           AND id > coalesce((SELECT max(id) FROM audit_log WHERE agent = $1 AND action IN
               ('sign_in', 'agent_password_reset', 'agent_password_changed', 'agent_password_unchanged')), 0)
         ORDER BY id",
        &[&agent],
    )?;
    let mut l = Lockout::default();
    for r in rows {
        let at = parse_ts(r.get(0));
        if l.locked_at(at).is_none() {
            l.fail(at);
        }
    }
    Ok(l)
}

/// The password hash `agent` set at the desk since the administrator last set one; a row whose
/// keyed hash does not verify is an error naming it.
fn desk_password(
    c: &mut impl GenericClient,
    key: &Key,
    agent: &str,
    target: &str,
) -> TxResult<Option<String>> {
    let row = c.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM audit_log WHERE agent = $1 AND action = 'agent_password_changed'
               AND id > coalesce((SELECT max(id) FROM audit_log WHERE agent = $1 AND action IN
                   ('agent_added', 'agent_password_reset')), 0)
             ORDER BY id DESC LIMIT 1"
        ),
        &[&agent],
    )?;
    let Some(r) = row else {
        return Ok(None);
    };
    if !constant_time_eq(expected_hash(key, &r), r.get::<_, &str>(7)) {
        let id: i64 = r.get(0);
        return Err(StoreError::Other {
            path: target.into(),
            msg: format!(
                "audit row {id} is damaged: its hash is not what it claims, so it was changed outside recovery-desk (run `recovery-desk audit verify`)"
            ),
        }
        .into());
    }
    Ok(Some(r.get(5)))
}

/// The desk's only writer on PostgreSQL, acting as the desk role.
pub struct PgAuditLog {
    conn: PgConn,
    key: Key,
}

impl std::fmt::Debug for PgAuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgAuditLog")
            .field("database", &self.conn.label())
            .finish()
    }
}

impl PgAuditLog {
    /// Connects to `url` acting as the desk role, with the key file at `key_path` (which must
    /// exist); the schema must be current.
    pub fn open(url: &str, key_path: &Path) -> Result<PgAuditLog> {
        let conn = PgConn::open(url, Role::Desk)?;
        super::schema::check_current(&conn)?;
        let key = Keys::load(key_path)?.audit.clone();
        Ok(PgAuditLog { conn, key })
    }
}

impl AuditLog for PgAuditLog {
    fn append(&mut self, entry: Entry<'_>, now: DateTime<Utc>) -> Result<()> {
        let key = self.key.clone();
        self.conn.write(None, |tx| append_in(tx, &key, entry, now))
    }

    fn unknown_name(&self, typed: &str) -> String {
        unknown_name(&self.key, typed)
    }

    fn agent_lockout(&self, agent: &str) -> Result<Lockout> {
        self.conn.with(|c| agent_lockout(c, agent))
    }

    fn desk_password(&self, agent: &str) -> Result<Option<String>> {
        let target = self.conn.label().to_string();
        self.conn
            .with(|c| desk_password(c, &self.key, agent, &target))
    }

    /// Reserves one sign-in attempt in one transaction holding the chain's lock, so desks
    /// racing one name together get at most 5 checked passwords per lock window.
    fn reserve_sign_in(&mut self, agent: &str, now: DateTime<Utc>) -> Result<AgentReservation> {
        let key = self.key.clone();
        self.conn.write(None, |tx| {
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[&CHAIN_LOCK.0, &CHAIN_LOCK.1],
            )?;
            let mut l = agent_lockout(tx, agent)?;
            Ok(if l.blocked() {
                append_in(
                    tx,
                    &key,
                    Entry::new(agent, action::SIGN_IN_REFUSED).detail("blocked"),
                    now,
                )?;
                AgentReservation::Blocked
            } else if let Some(until) = l.locked_at(now) {
                append_in(
                    tx,
                    &key,
                    Entry::new(agent, action::SIGN_IN_REFUSED).detail("locked"),
                    now,
                )?;
                AgentReservation::Locked(until)
            } else {
                let after = l.fail(now);
                append_in(tx, &key, Entry::new(agent, action::SIGN_IN_ATTEMPT), now)?;
                AgentReservation::Go(after)
            })
        })
    }

    fn verify(&self) -> Result<Verdict> {
        self.conn.with(|c| verify(c, &self.key))
    }
}

impl PgStore {
    fn audit_key(&self) -> Result<Key> {
        Ok(self.keys()?.audit.clone())
    }

    /// Appends an audit row through the holder's connection (the CLI's `agent` commands).
    pub fn audit_append(&mut self, entry: Entry<'_>, now: DateTime<Utc>) -> Result<()> {
        let key = self.audit_key()?;
        self.conn.write(None, |tx| append_in(tx, &key, entry, now))
    }

    /// Rows, oldest first, that pass `filter` (an agent's typed-name aliases included).
    pub fn audit_rows(&self, filter: Filter<'_>) -> Result<Vec<AuditRow>> {
        let alias = match (filter.agent, self.keys()) {
            (Some(a), Ok(keys)) => Some(unknown_name(&keys.audit, a)),
            _ => None,
        };
        let case = filter.case_ref.map(CaseRef::as_str);
        let rows = self.conn.with(|c| {
            Ok(c.query(
                &format!(
                    "SELECT {COLUMNS} FROM audit_log
                      WHERE ($1::text IS NULL OR agent = $1 OR agent = $2) AND ($3::bigint IS NULL OR account_id = $3)
                        AND ($4::text IS NULL OR case_ref = $4)
                      ORDER BY id"
                ),
                &[&filter.agent, &alias, &filter.account, &case],
            )?)
        })?;
        Ok(rows.iter().map(audit_row).collect())
    }

    /// The id of the row whose hash is `hash`, if there is one.
    pub fn audit_row_with_hash(&self, hash: &str) -> Result<Option<i64>> {
        self.conn.with(|c| {
            Ok(
                c.query_opt("SELECT id FROM audit_log WHERE hash = $1", &[&hash])?
                    .map(|r| r.get(0)),
            )
        })
    }

    /// The password hash `agent` set at the desk since the administrator last set one.
    pub fn desk_password(&self, agent: &str) -> Result<Option<String>> {
        let key = self.audit_key()?;
        let target = self.conn.label().to_string();
        self.conn.with(|c| desk_password(c, &key, agent, &target))
    }

    pub fn audit_verify(&self) -> Result<Verdict> {
        let key = self.audit_key()?;
        self.conn.with(|c| verify(c, &key))
    }
}
