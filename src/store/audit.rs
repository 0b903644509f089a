//! The audit log: every agent sign-in, lookup, view and helper run, hash-chained so that an
//! edited or deleted row is detected by `audit verify`.
//!
//! The desk writes through [`SqliteAuditLog`] (the SQLite [`AuditLog`](super::AuditLog)), a
//! connection whose SQLite authorizer refuses every write except appending to `audit_log` and
//! moving the keyed head, and every read but of those two tables (so no `INSERT … SELECT` can copy account data into a row). SQLite's own
//! `sqlite_sequence` bookkeeping for AUTOINCREMENT does not pass through the authorizer, so a
//! statement that writes `sqlite_sequence` is refused too. It is the desk's only writable
//! connection.

use super::capability::AuditLog;
use super::keyfile::{Key, Keys, constant_time_eq};
use super::{Result, Store, StoreError, classify, hex, parse_ts, ts};
use crate::domain::case_ref::CaseRef;
use crate::domain::lockout::{AfterFailure, Lockout};
use chrono::{DateTime, Utc};
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Audit actions, as stored.
pub mod action {
    pub const SIGN_IN: &str = "sign_in";
    pub const SIGN_IN_FAILED: &str = "sign_in_failed";
    /// A sign-in attempt reserved before its password is checked; it counts toward the
    /// agent's lockout until a `sign_in` follows (SPEC §4: reserve before hashing).
    pub const SIGN_IN_ATTEMPT: &str = "sign_in_attempt";
    /// Agent administration through the `agent` command (the row's agent is the one acted on).
    pub const AGENT_ADDED: &str = "agent_added";
    pub const AGENT_DISABLED: &str = "agent_disabled";
    pub const AGENT_ENABLED: &str = "agent_enabled";
    /// A new password: the agent's sign-in lockout starts over from here.
    pub const AGENT_PASSWORD_RESET: &str = "agent_password_reset";
    /// An agent changed their own password at the desk, proving the current one. The row's
    /// detail is the new password's Argon2id hash: the audit log is the desk's only write
    /// (SPEC §6), so this is where the desk keeps it. `audit` never prints it.
    pub const AGENT_PASSWORD_CHANGED: &str = "agent_password_changed";
    /// The current password was proven for a change, but the new one is the same.
    pub const AGENT_PASSWORD_UNCHANGED: &str = "agent_password_unchanged";
    /// A change refused for a wrong current password (it counts as a failed sign-in).
    pub const AGENT_PASSWORD_CHANGE_FAILED: &str = "agent_password_change_failed";
    pub const SIGN_IN_REFUSED: &str = "sign_in_refused";
    pub const SIGN_OUT: &str = "sign_out";
    pub const IDLE_LOCK: &str = "idle_lock";
    pub const LOOKUP: &str = "lookup";
    pub const VIEW: &str = "view";
    pub const HELPER: &str = "helper";
    /// A signed-in session ended because the agent was disabled meanwhile.
    pub const SESSION_ENDED: &str = "session_ended";
    /// Written once by the migration that keyed the chain.
    pub const RECHAINED: &str = "audit_rechained";
}

/// A row to append: who did what, about which account, in which case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub agent: &'a str,
    pub action: &'a str,
    pub account_id: Option<i64>,
    pub detail: &'a str,
    /// The ticket the agent typed with the lookup (SPEC §10), validated by [`CaseRef`].
    pub case_ref: Option<&'a CaseRef>,
}

impl<'a> Entry<'a> {
    /// `agent` did `action`, about no account, with no detail and no case.
    pub fn new(agent: &'a str, action: &'a str) -> Self {
        Entry {
            agent,
            action,
            account_id: None,
            detail: "",
            case_ref: None,
        }
    }

    pub fn about(self, account_id: Option<i64>) -> Self {
        Entry { account_id, ..self }
    }

    pub fn detail(self, detail: &'a str) -> Self {
        Entry { detail, ..self }
    }

    pub fn case(self, case_ref: Option<&'a CaseRef>) -> Self {
        Entry { case_ref, ..self }
    }
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub agent: String,
    pub action: String,
    pub account_id: Option<i64>,
    pub detail: String,
    /// The case reference the agent typed with the lookup, if any.
    pub case_ref: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// A row holding a value of a type the product never writes there (a BLOB detail, a text
/// account id): it was changed outside recovery-desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub id: i64,
    pub column: &'static str,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let want = if self.column == "account_id" {
            "a number or empty"
        } else {
            "text"
        };
        write!(
            f,
            "audit row {} is damaged: its {} is not {want}, so it was changed outside recovery-desk (run `recovery-desk audit verify`)",
            self.id, self.column
        )
    }
}

/// A row's columns as stored (the time still as text, as it is hashed).
struct RawRow {
    id: i64,
    at: String,
    agent: String,
    action: String,
    account_id: Option<i64>,
    detail: String,
    case_ref: Option<String>,
    prev_hash: String,
    hash: String,
}

/// The columns [`read_raw`] expects, in order.
const COLUMNS: &str = "id, at, agent, action, account_id, detail, prev_hash, hash, case_ref";

/// Reads one row selected with [`COLUMNS`]; a value of the wrong type is a [`Damage`] naming
/// the column, not an SQLite type error.
fn read_raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<std::result::Result<RawRow, Damage>> {
    use rusqlite::types::ValueRef;
    // `id` is the INTEGER PRIMARY KEY: SQLite stores nothing but an integer there.
    let id: i64 = r.get(0)?;
    let text = |i: usize, column: &'static str| -> rusqlite::Result<_> {
        Ok(match r.get_ref(i)? {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(str::to_owned)
                .map_err(|_| Damage { id, column }),
            _ => Err(Damage { id, column }),
        })
    };
    let account_id = match r.get_ref(4)? {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(a) => Ok(Some(a)),
        _ => Err(Damage {
            id,
            column: "account_id",
        }),
    };
    let case_ref = match r.get_ref(8)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(|t| Some(t.to_owned()))
            .map_err(|_| Damage {
                id,
                column: "case_ref",
            }),
        _ => Err(Damage {
            id,
            column: "case_ref",
        }),
    };
    let row = (|| -> std::result::Result<RawRow, RowError> {
        Ok(RawRow {
            id,
            at: text(1, "at")??,
            agent: text(2, "agent")??,
            action: text(3, "action")??,
            account_id: account_id?,
            detail: text(5, "detail")??,
            case_ref: case_ref?,
            prev_hash: text(6, "prev_hash")??,
            hash: text(7, "hash")??,
        })
    })();
    // `??` above mixes two error types; sort them back out.
    match row {
        Ok(r) => Ok(Ok(r)),
        Err(RowError::Sql(e)) => Err(e),
        Err(RowError::Damaged(d)) => Ok(Err(d)),
    }
}

enum RowError {
    Sql(rusqlite::Error),
    Damaged(Damage),
}

impl From<rusqlite::Error> for RowError {
    fn from(e: rusqlite::Error) -> Self {
        RowError::Sql(e)
    }
}

impl From<Damage> for RowError {
    fn from(d: Damage) -> Self {
        RowError::Damaged(d)
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The chain is whole: this many rows, ending in this hash.
    Intact { rows: usize, head: String },
    /// Row `id` does not hash to what it claims (edited).
    Edited { id: i64 },
    /// Row `id` does not follow its predecessor (a row before it was deleted or reordered).
    Broken { id: i64 },
    /// Rows were removed from the end (the highest id ever issued is `issued`, the last row
    /// present is `last`).
    Truncated { last: i64, issued: i64 },
    /// The keyed head does not match the last row (it was removed, replaced or forged).
    HeadMismatch,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn row_hash(
    key: &Key,
    prev: &str,
    id: i64,
    at: &str,
    agent: &str,
    action: &str,
    account_id: Option<i64>,
    detail: &str,
    case_ref: Option<&str>,
) -> String {
    let id = id.to_string();
    let account = account_id.map(|a| a.to_string()).unwrap_or_default();
    let fields = [
        prev.as_bytes(),
        id.as_bytes(),
        at.as_bytes(),
        agent.as_bytes(),
        action.as_bytes(),
        account.as_bytes(),
        detail.as_bytes(),
    ];
    match case_ref {
        // A row without a case is hashed as before schema 4, so older rows still verify.
        None => key.mac_hex(&[&[b"audit-row".as_slice()], fields.as_slice()].concat()),
        // With one, under its own label: moving a case onto or off a row is an edit.
        Some(case) => key.mac_hex(
            &[
                &[b"audit-row-with-case".as_slice()],
                fields.as_slice(),
                &[case.as_bytes()],
            ]
            .concat(),
        ),
    }
}

/// The keyed head: the last id and its hash, so rows deleted from the end are detected.
pub(crate) fn head_mac(key: &Key, last_id: i64, last_hash: &str) -> String {
    key.mac_hex(&[
        b"audit-head",
        last_id.to_string().as_bytes(),
        last_hash.as_bytes(),
    ])
}

fn write_head(tx: &Connection, key: &Key, last_id: i64, last_hash: &str) -> rusqlite::Result<()> {
    let mac = head_mac(key, last_id, last_hash);
    let n = tx.execute(
        "UPDATE audit_head SET last_id = ?1, mac = ?2 WHERE only_row = 1",
        params![last_id, mac],
    )?;
    if n == 0 {
        tx.execute(
            "INSERT INTO audit_head (only_row, last_id, mac) VALUES (1, ?1, ?2)",
            params![last_id, mac],
        )?;
    }
    Ok(())
}

/// Appends one row inside an IMMEDIATE transaction (so two desks never fork the chain).
fn append(
    conn: &mut Connection,
    key: &Key,
    entry: Entry<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    append_in(&tx, key, entry, now)?;
    tx.commit()
}

/// Appends one row inside the caller's transaction.
fn append_in(
    tx: &Connection,
    key: &Key,
    entry: Entry<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let Entry {
        agent,
        action,
        account_id,
        detail,
        case_ref,
    } = entry;
    let case_ref = case_ref.map(CaseRef::as_str);
    let (prev_id, prev): (i64, String) = tx
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let issued = issued_ids(tx)?;
    let id = issued.max(prev_id) + 1;
    let at = ts(now);
    let hash = row_hash(
        key, &prev, id, &at, agent, action, account_id, detail, case_ref,
    );
    match case_ref {
        // Without a case the row is written as before schema 4 (migration 2's note is
        // appended before the column exists).
        None => tx.execute(
            "INSERT INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, at, agent, action, account_id, detail, prev, hash],
        )?,
        Some(case) => tx.execute(
            "INSERT INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash, case_ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, at, agent, action, account_id, detail, prev, hash, case],
        )?,
    };
    write_head(tx, key, id, &hash)
}

/// The outcome of reserving an agent sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentReservation {
    /// Counted in advance (a `sign_in_attempt` row): check the password now. `after` is what
    /// the attempt means if the password is wrong.
    Go(AfterFailure),
    /// Locked until then; a `sign_in_refused` row was written and nothing is checked.
    Locked(DateTime<Utc>),
    /// 100 attempts in a row without a sign-in: refused until the agent's password is reset.
    Blocked,
}

/// Migration to version 2: re-chains the rows written under the unkeyed SHA-256 chain with
/// the key file's audit key, after noting in a new row whether the old chain was whole.
/// Names typed at sign-in that are no agent's (possibly a mistyped password) are replaced by
/// a keyed hash.
pub(crate) fn rechain(tx: &Connection, key: &Key) -> rusqlite::Result<()> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<i64>,
        String,
        String,
        String,
    );
    let rows: Vec<Row> = tx
        .prepare("SELECT id, at, agent, action, account_id, detail, prev_hash, hash FROM audit_log ORDER BY id")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Ok(());
    }
    // The old chain: SHA-256 over the same fields, unkeyed.
    let legacy_hash = |prev: &str, r: &Row| {
        let mut h = Sha256::new();
        for part in [
            prev,
            &r.0.to_string(),
            &r.1,
            &r.2,
            &r.3,
            &r.4.map(|a| a.to_string()).unwrap_or_default(),
            &r.5,
        ] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        hex(&h.finalize())
    };
    let mut prev = GENESIS.to_string();
    let mut last_id = 0;
    let mut legacy_broken_at = None;
    for r in &rows {
        if legacy_broken_at.is_none()
            && (r.6 != prev || r.7 != legacy_hash(&r.6, r) || r.0 != last_id + 1)
        {
            legacy_broken_at = Some(r.0);
        }
        prev = r.7.clone();
        last_id = r.0;
    }
    let agents: Vec<String> = tx
        .prepare("SELECT name FROM agents")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut prev = GENESIS.to_string();
    for r in &rows {
        let agent = if agents.contains(&r.2) {
            r.2.clone()
        } else {
            unknown_name(key, &r.2)
        };
        let hash = row_hash(key, &prev, r.0, &r.1, &agent, &r.3, r.4, &r.5, None);
        tx.execute(
            "UPDATE audit_log SET agent = ?2, prev_hash = ?3, hash = ?4 WHERE id = ?1",
            params![r.0, agent, prev, hash],
        )?;
        prev = hash;
    }
    let detail = match legacy_broken_at {
        None => format!(
            "{} rows re-chained under the key file; the unkeyed chain was whole",
            rows.len()
        ),
        Some(id) => format!(
            "{} rows re-chained under the key file; the unkeyed chain was already broken at row {id}",
            rows.len()
        ),
    };
    // The note itself is appended like any row, after the re-chained ones, and becomes the head.
    append_in(
        tx,
        key,
        Entry::new("-", action::RECHAINED).detail(&detail),
        Utc::now(),
    )
}

/// How a name typed at agent sign-in that is no agent's is stored: a keyed hash, because it
/// may be a password typed into the wrong field.
pub fn unknown_name(key: &Key, typed: &str) -> String {
    let mac = key.mac_hex(&[b"unknown-agent-name", typed.as_bytes()]);
    format!("unknown:{}", &mac[..16])
}

/// Which rows `audit` lists: every filter given must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// By this agent (a normalised name).
    pub agent: Option<&'a str>,
    /// About this account.
    pub account: Option<i64>,
    /// In this case.
    pub case_ref: Option<&'a CaseRef>,
}

/// Rows, oldest first, by any of `agents` (none: every agent) about `account` (none: any) in
/// case `case_ref` (none: any).
fn list(
    conn: &Connection,
    agents: &[&str],
    account: Option<i64>,
    case_ref: Option<&CaseRef>,
) -> rusqlite::Result<std::result::Result<Vec<AuditRow>, Damage>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log
          WHERE (?1 IS NULL OR agent = ?1 OR agent = ?2) AND (?3 IS NULL OR account_id = ?3)
            AND (?4 IS NULL OR case_ref = ?4)
          ORDER BY id"
    ))?;
    let mut rows = stmt.query(params![
        agents.first(),
        agents.get(1),
        account,
        case_ref.map(CaseRef::as_str)
    ])?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let r = match read_raw(r)? {
            Ok(r) => r,
            Err(d) => return Ok(Err(d)),
        };
        out.push(AuditRow {
            id: r.id,
            at: parse_ts(&r.at),
            agent: r.agent,
            action: r.action,
            account_id: r.account_id,
            detail: r.detail,
            case_ref: r.case_ref,
            prev_hash: r.prev_hash,
            hash: r.hash,
        });
    }
    Ok(Ok(out))
}

fn verify(conn: &Connection, key: &Key) -> rusqlite::Result<Verdict> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut count = 0usize;
    let mut last_id = 0i64;
    while let Some(r) = rows.next()? {
        // A value of a type the product never writes is an edit like any other.
        let RawRow {
            id,
            at,
            agent,
            action,
            account_id,
            detail,
            case_ref,
            prev_hash,
            hash,
        } = match read_raw(r)? {
            Ok(r) => r,
            Err(d) => return Ok(Verdict::Edited { id: d.id }),
        };
        if !constant_time_eq(
            row_hash(
                key,
                &prev_hash,
                id,
                &at,
                &agent,
                &action,
                account_id,
                &detail,
                case_ref.as_deref(),
            ),
            &hash,
        ) {
            return Ok(Verdict::Edited { id });
        }
        if prev_hash != prev || id != last_id + 1 {
            return Ok(Verdict::Broken { id });
        }
        prev = hash;
        last_id = id;
        count += 1;
    }
    let head: Option<(i64, String)> = conn
        .query_row(
            "SELECT last_id, mac FROM audit_head WHERE only_row = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let issued = issued_ids(conn)?;
    match head {
        // Rows exist but the keyed head is gone, or the head names another end of the chain.
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
    if issued > last_id {
        return Ok(Verdict::Truncated {
            last: last_id,
            issued,
        });
    }
    Ok(Verdict::Intact {
        rows: count,
        head: prev,
    })
}

/// The password hash `agent` set at the desk since the administrator last set one (`agent
/// add`, `agent reset-password`), if any: the newest such row, whose keyed hash must verify —
/// a row slipped in without the key file is an edit, and an error, never a password.
fn desk_password(
    conn: &Connection,
    key: &Key,
    agent: &str,
) -> rusqlite::Result<std::result::Result<Option<String>, Damage>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE agent = ?1 AND action = 'agent_password_changed'
           AND id > coalesce((SELECT max(id) FROM audit_log WHERE agent = ?1 AND action IN
               ('agent_added', 'agent_password_reset')), 0)
         ORDER BY id DESC LIMIT 1"
    ))?;
    let mut rows = stmt.query([agent])?;
    let Some(r) = rows.next()? else {
        return Ok(Ok(None));
    };
    let r = match read_raw(r)? {
        Ok(r) => r,
        Err(d) => return Ok(Err(d)),
    };
    let expected = row_hash(
        key,
        &r.prev_hash,
        r.id,
        &r.at,
        &r.agent,
        &r.action,
        r.account_id,
        &r.detail,
        r.case_ref.as_deref(),
    );
    if !constant_time_eq(&expected, &r.hash) {
        return Ok(Err(Damage {
            id: r.id,
            column: "hash",
        }));
    }
    Ok(Ok(Some(r.detail)))
}

/// A damaged row met where a password is read: an error naming it.
fn damaged(path: &Path, d: Damage) -> StoreError {
    StoreError::Other {
        path: path.to_path_buf(),
        msg: d.to_string(),
    }
}

/// Replays an agent's sign-in rows since its last success through the lockout rule, so the
/// desk can enforce lockouts without any writable state besides the audit log.
fn agent_lockout(conn: &Connection, agent: &str) -> rusqlite::Result<Lockout> {
    let mut stmt = conn.prepare_cached(
        "SELECT action, at FROM audit_log WHERE agent = ?1 AND action IN ('sign_in', 'sign_in_attempt')
           AND id > coalesce((SELECT max(id) FROM audit_log WHERE agent = ?1 AND action IN
               ('sign_in', 'agent_password_reset', 'agent_password_changed', 'agent_password_unchanged')), 0)
         ORDER BY id",
    )?;
    let mut l = Lockout::default();
    let mut rows = stmt.query([agent])?;
    while let Some(r) = rows.next()? {
        let at = parse_ts(&r.get::<_, String>(1)?);
        if l.locked_at(at).is_none() {
            l.fail(at);
        }
    }
    Ok(l)
}

/// The authorizer of the desk's writable connection: it reads only the audit tables (so no
/// account column can be copied into a row) and writes only by appending to the audit log
/// and moving its head. `sqlite_sequence` may be read (the append-only trigger compares with
/// it) but not written: SQLite's AUTOINCREMENT bookkeeping does not ask the authorizer.
fn desk_authorizer(ctx: AuthContext<'_>) -> Authorization {
    match ctx.action {
        AuthAction::Read {
            table_name:
                "audit_log" | "audit_head" | "sqlite_sequence" | "sqlite_master" | "sqlite_schema",
            ..
        } => Authorization::Allow,
        AuthAction::Select | AuthAction::Function { .. } | AuthAction::Recursive => {
            Authorization::Allow
        }
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => Authorization::Allow,
        AuthAction::Insert {
            table_name: "audit_log" | "audit_head",
        } => Authorization::Allow,
        AuthAction::Update {
            table_name: "audit_head",
            ..
        } => Authorization::Allow,
        AuthAction::Pragma {
            pragma_name: "user_version" | "data_version" | "foreign_keys",
            pragma_value: None,
        } => Authorization::Allow,
        _ => Authorization::Deny,
    }
}

/// The desk's only writable connection: the SQLite implementation of
/// [`AuditLog`](super::AuditLog).
pub struct SqliteAuditLog {
    conn: Connection,
    path: PathBuf,
    key: Key,
}

impl std::fmt::Debug for SqliteAuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteAuditLog")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteAuditLog {
    /// Opens an existing, current database for appending audit rows. The authorizer is in
    /// place before the first statement runs.
    pub fn open(path: &Path) -> Result<SqliteAuditLog> {
        Self::open_with_key(path, &super::keyfile::default_path(path))
    }

    /// Opens with the key file at `key_path` (which must exist).
    pub fn open_with_key(path: &Path, key_path: &Path) -> Result<SqliteAuditLog> {
        super::existing_file(path)?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        conn.authorizer(Some(desk_authorizer))
            .map_err(|e| classify(path, e))?;
        conn.busy_timeout(super::BUSY_TIMEOUT)
            .map_err(|e| classify(path, e))?;
        // The schema first: an old database's fix is to open it once with the account
        // console (which also makes its key file), whatever the key file's state.
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        if found != super::CURRENT_VERSION {
            return Err(if found > super::CURRENT_VERSION {
                StoreError::NewerSchema {
                    path: path.to_path_buf(),
                    found,
                    supported: super::CURRENT_VERSION,
                }
            } else {
                StoreError::OlderSchema {
                    path: path.to_path_buf(),
                    found,
                    supported: super::CURRENT_VERSION,
                }
            });
        }
        let key = Keys::load(key_path)?.audit.clone();
        Ok(SqliteAuditLog {
            conn,
            path: path.to_path_buf(),
            key,
        })
    }
}

impl AuditLog for SqliteAuditLog {
    /// Appends one row.
    fn append(&mut self, entry: Entry<'_>, now: DateTime<Utc>) -> Result<()> {
        append(&mut self.conn, &self.key, entry, now).map_err(|e| classify(&self.path, e))
    }

    /// How a typed name that is no agent's is written in this log: a keyed hash (see
    /// [`unknown_name`]), never the text, which may be a password typed in the wrong field.
    fn unknown_name(&self, typed: &str) -> String {
        unknown_name(&self.key, typed)
    }

    /// Checks the chain and its keyed head through this connection (it may read the audit
    /// tables).
    fn verify(&self) -> Result<Verdict> {
        verify(&self.conn, &self.key).map_err(|e| classify(&self.path, e))
    }

    /// The agent's sign-in lockout, derived from the audit log.
    fn agent_lockout(&self, agent: &str) -> Result<Lockout> {
        agent_lockout(&self.conn, agent).map_err(|e| classify(&self.path, e))
    }

    fn desk_password(&self, agent: &str) -> Result<Option<String>> {
        desk_password(&self.conn, &self.key, agent)
            .map_err(|e| classify(&self.path, e))?
            .map_err(|d| damaged(&self.path, d))
    }

    /// Reserves one sign-in attempt for `agent` in one IMMEDIATE transaction: refused (and
    /// audited) while locked; otherwise a `sign_in_attempt` row counts it before the password
    /// is hashed, so desks racing one name together get at most 5 checked passwords per lock
    /// window.
    fn reserve_sign_in(&mut self, agent: &str, now: DateTime<Utc>) -> Result<AgentReservation> {
        let key = self.key.clone();
        let run = |conn: &mut Connection| -> rusqlite::Result<AgentReservation> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut l = agent_lockout(&tx, agent)?;
            let r = if l.blocked() {
                append_in(
                    &tx,
                    &key,
                    Entry::new(agent, action::SIGN_IN_REFUSED).detail("blocked"),
                    now,
                )?;
                AgentReservation::Blocked
            } else if let Some(until) = l.locked_at(now) {
                append_in(
                    &tx,
                    &key,
                    Entry::new(agent, action::SIGN_IN_REFUSED).detail("locked"),
                    now,
                )?;
                AgentReservation::Locked(until)
            } else {
                let after = l.fail(now);
                append_in(&tx, &key, Entry::new(agent, action::SIGN_IN_ATTEMPT), now)?;
                AgentReservation::Go(after)
            };
            tx.commit()?;
            Ok(r)
        };
        run(&mut self.conn).map_err(|e| classify(&self.path, e))
    }
}

impl Store {
    /// Appends an audit row through the administrative connection (used by the CLI and tests).
    pub fn audit_append(&mut self, entry: Entry<'_>, now: DateTime<Utc>) -> Result<()> {
        let p = self.path.clone();
        let key = self.keys()?.audit.clone();
        append(self.conn_mut(), &key, entry, now).map_err(|e| classify(&p, e))
    }

    /// Rows, oldest first, that pass `filter`: by its agent (a normalised name; with the key
    /// file loaded, the rows where that name was typed at sign-in without being an agent's are
    /// found too), about its account, in its case. A damaged row is an error naming it.
    pub fn audit_rows(&self, filter: Filter<'_>) -> Result<Vec<AuditRow>> {
        let agent = filter.agent;
        let alias = match (agent, &self.keys) {
            (Some(a), Some(keys)) => Some(unknown_name(&keys.audit, a)),
            _ => None,
        };
        let agents: Vec<&str> = agent.into_iter().chain(alias.as_deref()).collect();
        match list(self.conn(), &agents, filter.account, filter.case_ref)
            .map_err(|e| self.err(e))?
        {
            Ok(rows) => Ok(rows),
            Err(d) => Err(StoreError::Other {
                path: self.path().to_path_buf(),
                msg: d.to_string(),
            }),
        }
    }

    /// The id of the row whose hash is `hash`, if there is one.
    pub fn audit_row_with_hash(&self, hash: &str) -> Result<Option<i64>> {
        self.conn()
            .query_row("SELECT id FROM audit_log WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The password hash `agent` set at the desk since the administrator last set one, if any
    /// (see [`AuditLog::desk_password`]).
    pub fn desk_password(&self, agent: &str) -> Result<Option<String>> {
        desk_password(self.conn(), &self.keys()?.audit, agent)
            .map_err(|e| self.err(e))?
            .map_err(|d| damaged(self.path(), d))
    }

    pub fn audit_verify(&self) -> Result<Verdict> {
        verify(self.conn(), &self.keys()?.audit).map_err(|e| self.err(e))
    }
}

/// How many audit ids were ever issued (SQLite's AUTOINCREMENT counter): deleting the newest
/// rows does not lower it, so a truncated log shows.
fn issued_ids(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    Ok(conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let (tmp, db) = crate::store::temp_db();
        drop(Store::open(&db).unwrap());
        (tmp, db)
    }

    /// A fresh database whose audit log holds `n` lookups, opened as the holder console does.
    fn store_after_lookups(n: i64) -> (tempfile::TempDir, Store) {
        let (t, db) = setup();
        drop(appended(&db, n));
        (t, Store::open(&db).unwrap())
    }

    /// What someone with the database file does to it: `sql`, bypassing the product.
    fn tamper(s: &Store, sql: &str) {
        s.conn().execute_batch(sql).unwrap();
    }

    /// The desk's audit connection on `db`, after `n` lookups of accounts 0..n.
    fn appended(db: &Path, n: i64) -> SqliteAuditLog {
        let mut log = SqliteAuditLog::open(db).unwrap();
        for i in 0..n {
            log.append(
                Entry::new("alex", action::LOOKUP)
                    .about(Some(i))
                    .detail("ja•••"),
                Utc::now(),
            )
            .unwrap();
        }
        log
    }

    #[test]
    fn chain_verifies_and_detects_edit_delete_truncate() {
        let (_t, s) = store_after_lookups(5);
        assert!(matches!(
            s.audit_verify().unwrap(),
            Verdict::Intact { rows: 5, .. }
        ));

        tamper(&s, "UPDATE audit_log SET detail = 'x' WHERE id = 3");
        assert_eq!(s.audit_verify().unwrap(), Verdict::Edited { id: 3 });
        tamper(&s, "DELETE FROM audit_log WHERE id = 3");
        assert_eq!(s.audit_verify().unwrap(), Verdict::Broken { id: 4 });
        tamper(&s, "DELETE FROM audit_log WHERE id >= 3");
        assert_eq!(
            s.audit_verify().unwrap(),
            Verdict::Truncated { last: 2, issued: 5 }
        );
    }

    /// Rows 1–2 without a case, row 3 in INC-7, row 4 in CS-1, row 5 in INC-7 again.
    fn store_with_cases() -> (tempfile::TempDir, Store) {
        let (t, db) = setup();
        let mut log = appended(&db, 2);
        let inc7 = CaseRef::parse("INC-7").unwrap();
        let cs1 = CaseRef::parse("cs-1").unwrap();
        for (account, case) in [(3, &inc7), (4, &cs1), (5, &inc7)] {
            let e = Entry::new("alex", action::VIEW)
                .about(Some(account))
                .case(Some(case));
            log.append(e, Utc::now()).unwrap();
        }
        drop(log);
        (t, Store::open(&db).unwrap())
    }

    #[test]
    fn audit_case_lists_the_rows_of_one_case_and_only_those() {
        let (_t, s) = store_with_cases();
        assert!(matches!(
            s.audit_verify().unwrap(),
            Verdict::Intact { rows: 5, .. }
        ));
        let inc7 = CaseRef::parse("inc-7").unwrap();
        let rows = s
            .audit_rows(Filter {
                case_ref: Some(&inc7),
                ..Filter::default()
            })
            .unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, [3, 5]);
        assert!(rows.iter().all(|r| r.case_ref.as_deref() == Some("INC-7")));
        // Filters combine: the case and the account.
        let rows = s
            .audit_rows(Filter {
                case_ref: Some(&inc7),
                account: Some(5),
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [5]);
        let all = s.audit_rows(Filter::default()).unwrap();
        assert_eq!(all[0].case_ref, None);
    }

    #[test]
    fn a_case_moved_onto_off_or_between_rows_is_an_edit() {
        for (sql, id) in [
            ("UPDATE audit_log SET case_ref = 'INC-7' WHERE id = 2", 2),
            ("UPDATE audit_log SET case_ref = NULL WHERE id = 3", 3),
            ("UPDATE audit_log SET case_ref = 'CS-1' WHERE id = 5", 5),
            ("UPDATE audit_log SET case_ref = 'inc-7' WHERE id = 3", 3),
            (
                "UPDATE audit_log SET case_ref = x'494e432d37' WHERE id = 3",
                3,
            ),
        ] {
            let (_t, s) = store_with_cases();
            tamper(&s, sql);
            assert_eq!(s.audit_verify().unwrap(), Verdict::Edited { id }, "{sql}");
        }
    }

    #[test]
    fn the_desks_log_shows_its_path_and_never_its_key() {
        let (_t, db) = setup();
        let log = SqliteAuditLog::open(&db).unwrap();
        let shown = format!("{log:?}");
        assert!(
            shown.contains("SqliteAuditLog") && shown.contains("x.db"),
            "{shown}"
        );
        assert!(!shown.to_lowercase().contains("key"), "{shown}");
    }

    #[test]
    fn the_desks_connection_verifies_the_chain_as_the_admin_does() {
        let (_t, db) = setup();
        let log = appended(&db, 3);
        let s = Store::open(&db).unwrap();
        assert!(matches!(
            log.verify().unwrap(),
            Verdict::Intact { rows: 3, .. }
        ));
        assert_eq!(log.verify().unwrap(), s.audit_verify().unwrap());
        tamper(&s, "UPDATE audit_log SET detail = 'x' WHERE id = 2");
        assert_eq!(log.verify().unwrap(), Verdict::Edited { id: 2 });
    }

    #[test]
    fn authorizer_refuses_account_writes_but_appends_audit() {
        let (_t, db) = setup();
        let mut log = SqliteAuditLog::open(&db).unwrap();
        log.append(Entry::new("alex", action::SIGN_IN), Utc::now())
            .unwrap();
        for sql in [
            "INSERT INTO accounts (username, password_hash, created_at, password_changed_at) VALUES ('x','y','z','z')",
            "UPDATE accounts SET two_step = 1",
            "DELETE FROM recovery_codes",
            "UPDATE audit_log SET detail = 'x'",
            "DELETE FROM audit_log",
            "DROP TABLE accounts",
            "CREATE TABLE evil (x)",
            "ATTACH DATABASE ':memory:' AS other",
            "PRAGMA user_version = 7",
            "PRAGMA journal_mode = DELETE",
        ] {
            let e = log.conn.execute_batch(sql).unwrap_err();
            assert!(e.to_string().contains("not authorized"), "{sql}: {e}");
            // Reported as a refusal, not as a fault of the database file.
            assert!(
                matches!(classify(&db, e), StoreError::Refused(ref m) if m.contains("not authorized")),
                "{sql}"
            );
        }
        let s = Store::open(&db).unwrap();
        assert!(matches!(
            s.audit_verify().unwrap(),
            Verdict::Intact { rows: 1, .. }
        ));
    }

    /// An account row and an agent whose secrets an attacker at the desk would like to copy.
    fn with_account(db: &Path) {
        let s = Store::open(db).unwrap();
        tamper(
            &s,
            "INSERT INTO accounts (username, password_hash, created_at, password_changed_at)
                   VALUES ('pat', '$argon2id$secret-hash', 'z', 'z');
                 INSERT INTO agents (name, password_hash, created_at)
                   VALUES ('alex', '$argon2id$agent-hash', 'z');",
        );
    }

    fn rows_of(db: &Path) -> Vec<AuditRow> {
        Store::open(db)
            .unwrap()
            .audit_rows(Filter::default())
            .unwrap()
    }

    #[test]
    fn insert_or_replace_cannot_rewrite_a_row() {
        // The attacker's move (SPEC §6): on the desk's own connection, rewrite row 1 in place
        // with INSERT OR REPLACE (the authorizer sees only an INSERT into audit_log).
        let (_t, db) = setup();
        let log = appended(&db, 3);
        let before = rows_of(&db);
        for sql in [
            "INSERT OR REPLACE INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash)
               VALUES (1, 'x', 'eve', 'lookup', NULL, '', 'p', 'h')",
            "REPLACE INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash)
               VALUES (2, 'x', 'eve', 'lookup', NULL, '', 'p', 'h')",
            "INSERT INTO audit_log (at, agent, action, account_id, detail, prev_hash, hash)
               VALUES ('x', 'eve', 'lookup', NULL, '', 'p', 'h')",
        ] {
            let e = log.conn.execute_batch(sql).unwrap_err();
            assert!(
                e.to_string().contains("audit rows are only appended"),
                "{sql}: {e}"
            );
        }
        assert_eq!(rows_of(&db), before);
    }

    #[test]
    fn insert_select_cannot_copy_account_data_into_a_row() {
        // The attacker's move: append a row whose detail is a password hash read from an
        // account table; an id above the last passes the trigger, so only the authorizer
        // stands in the way: it lets the desk's audit connection read the audit tables only.
        let (_t, db) = setup();
        with_account(&db);
        let log = SqliteAuditLog::open(&db).unwrap();
        for sql in [
            "INSERT INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash)
               SELECT 100, 'x', 'eve', 'lookup', id, password_hash, 'p', 'h' FROM accounts",
            "INSERT INTO audit_log (id, at, agent, action, account_id, detail, prev_hash, hash)
               SELECT 100, 'x', name, 'lookup', NULL, password_hash, 'p', 'h' FROM agents",
            "INSERT INTO audit_head (only_row, last_id, mac)
               SELECT 1, id, password_hash FROM accounts",
            "SELECT password_hash FROM accounts",
            "SELECT username FROM accounts",
            "SELECT code_hash FROM recovery_codes",
        ] {
            // SQLite words a refused read "access to T.C is prohibited".
            let e = log.conn.execute_batch(sql).unwrap_err().to_string();
            assert!(
                e.contains("not authorized") || e.contains("is prohibited"),
                "{sql}: {e}"
            );
        }
        assert!(rows_of(&db).is_empty());
        let s = Store::open(&db).unwrap();
        assert!(matches!(
            s.audit_verify().unwrap(),
            Verdict::Intact { rows: 0, .. }
        ));
    }

    #[test]
    fn sqlite_sequence_cannot_be_edited_yet_appends_still_count() {
        // The attacker's move: lower `sqlite_sequence` so that deleted newest rows look as if
        // they were never issued. SQLite's AUTOINCREMENT bookkeeping does not pass through the
        // authorizer, so the desk's connection may refuse every write to it.
        let (_t, db) = setup();
        let mut log = appended(&db, 3);
        for sql in [
            "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'audit_log'",
            "DELETE FROM sqlite_sequence",
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('audit_log', 0)",
            "INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('audit_log', 0)",
        ] {
            let e = log.conn.execute_batch(sql).unwrap_err();
            assert!(e.to_string().contains("not authorized"), "{sql}: {e}");
        }
        log.append(Entry::new("alex", action::VIEW).about(Some(9)), Utc::now())
            .unwrap();
        assert_eq!(issued_ids(&log.conn).unwrap(), 4);
        assert!(matches!(
            Store::open(&db).unwrap().audit_verify().unwrap(),
            Verdict::Intact { rows: 4, .. }
        ));
    }

    #[test]
    fn a_row_of_the_wrong_type_is_named_not_a_type_error() {
        let (_t, s) = store_after_lookups(3);
        tamper(
            &s,
            "UPDATE audit_log SET detail = CAST('x' AS BLOB) WHERE id = 2",
        );
        assert_eq!(s.audit_verify().unwrap(), Verdict::Edited { id: 2 });
        let e = s.audit_rows(Filter::default()).unwrap_err().to_string();
        assert!(
            e.contains("audit row 2 is damaged: its detail is not text"),
            "{e}"
        );
        assert!(!e.contains("Invalid column type"), "{e}");
        tamper(
            &s,
            "UPDATE audit_log SET detail = 'ja•••' WHERE id = 2;
                 UPDATE audit_log SET account_id = 'seven' WHERE id = 3;",
        );
        assert_eq!(s.audit_verify().unwrap(), Verdict::Edited { id: 3 });
        let e = s.audit_rows(Filter::default()).unwrap_err().to_string();
        assert!(
            e.contains("audit row 3 is damaged: its account_id is not a number"),
            "{e}"
        );
    }

    #[test]
    fn an_edit_to_the_newest_row_is_caught() {
        let (_t, s) = store_after_lookups(3);
        tamper(&s, "UPDATE audit_log SET account_id = 99 WHERE id = 3");
        assert_eq!(s.audit_verify().unwrap(), Verdict::Edited { id: 3 });
    }

    #[test]
    fn agent_lockout_replays_reserved_attempts() {
        let (_t, db) = setup();
        let mut log = SqliteAuditLog::open(&db).unwrap();
        let t = Utc::now();
        for i in 0..5 {
            let r = log
                .reserve_sign_in("alex", t + Duration::seconds(i))
                .unwrap();
            assert!(matches!(r, AgentReservation::Go(_)), "{r:?}");
        }
        let l = log.agent_lockout("alex").unwrap();
        assert!(l.locked_at(t + Duration::minutes(1)).is_some());
        assert!(l.locked_at(t + Duration::minutes(16)).is_none());
        // While locked, a reservation is refused (and audited as such).
        assert!(matches!(
            log.reserve_sign_in("alex", t + Duration::minutes(1))
                .unwrap(),
            AgentReservation::Locked(_)
        ));
        log.append(
            Entry::new("alex", action::SIGN_IN),
            t + Duration::minutes(20),
        )
        .unwrap();
        assert_eq!(log.agent_lockout("alex").unwrap(), Lockout::default());
    }

    #[test]
    fn racing_desks_reserve_at_most_one_attempt_after_four() {
        let (_t, db) = setup();
        let t = Utc::now();
        let mut log = SqliteAuditLog::open(&db).unwrap();
        for _ in 0..4 {
            log.reserve_sign_in("alex", t).unwrap();
        }
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(12));
        let handles: Vec<_> = (0..12)
            .map(|_| {
                let mut log = SqliteAuditLog::open(&db).unwrap();
                let b = barrier.clone();
                std::thread::spawn(move || {
                    b.wait();
                    log.reserve_sign_in("alex", t).unwrap()
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let went = results
            .iter()
            .filter(|r| matches!(r, AgentReservation::Go(_)))
            .count();
        assert_eq!(went, 1, "{results:?}");
        let s = Store::open(&db).unwrap();
        assert!(matches!(s.audit_verify().unwrap(), Verdict::Intact { .. }));
    }
}
