//! [`PgStore`]: the holder role's connection. Every write is one transaction holding its
//! account's advisory lock (see `postgres/mod.rs`), the PostgreSQL twin of `store/holder.rs`:
//! the same rules, the same events and notices. The support desk never imports this module.

use super::{PgConn, Role, Tx, TxError, TxResult, u32_of};
use crate::domain::lockout::{AfterFailure, Guarded, Lockout};
use crate::domain::model::{AgentRow, EventRow, MethodKind, Proof, Purpose, event};
use crate::domain::pending_change::{self, ChangeKind};
use crate::store::capability::{AgentAdmin, HolderStore};
use crate::store::holder::{
    LOCK_SUBJECT, LiveApp, OneTimeReservation, OneTimeRow, Reservation, USERNAME_REMINDER_EVERY,
    USERNAME_SUBJECT, app_aad, cancelled_body, lock_words,
};
use crate::store::keyfile::Keys;
use crate::store::outbox::{Message, OutboxKey, Sent};
use crate::store::{Result, StoreError, parse_ts, parse_ts_opt, ts};
use chrono::{DateTime, Utc};
use postgres::GenericClient;
use postgres::Transaction;
use postgres::types::ToSql;
use std::path::Path;

/// A PostgreSQL database opened as the holder role, with the key file's keys.
pub struct PgStore {
    pub(crate) conn: PgConn,
    keys: Option<Keys>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("database", &self.conn.label())
            .finish()
    }
}

impl PgStore {
    /// Opens the database at `url` as the holder role with the key file at `key`; the schema
    /// must be current (`setup` made it) and the key file must exist.
    pub fn open(url: &str, key: &Path) -> Result<PgStore> {
        let conn = PgConn::open(url, Role::Holder)?;
        super::schema::check_current(&conn)?;
        let keys = Keys::load(key)?;
        Ok(PgStore {
            conn,
            keys: Some(keys),
        })
    }

    /// Opens the database as the desk role, without keys: `agent list` (reads only).
    pub fn open_read_only(url: &str) -> Result<PgStore> {
        let conn = PgConn::open(url, Role::Desk)?;
        super::schema::check_current(&conn)?;
        Ok(PgStore { conn, keys: None })
    }

    /// Runs `setup` on `url` and makes the key file at `key` when the database was new (an
    /// existing database must have its own).
    pub fn setup(
        url: &str,
        key: &Path,
        passwords: &super::schema::RolePasswords,
    ) -> Result<super::schema::SetupReport> {
        let report = super::schema::setup(url, passwords)?;
        Keys::load_or_create(
            key,
            Path::new(url_free_label(url).as_str()),
            report.from == 0,
        )?;
        Ok(report)
    }

    pub(crate) fn from_parts(conn: PgConn, keys: Option<Keys>) -> PgStore {
        PgStore { conn, keys }
    }

    /// The database named without its password.
    pub fn label(&self) -> &str {
        self.conn.label()
    }

    pub(crate) fn keys(&self) -> Result<&Keys> {
        self.keys.as_ref().ok_or(StoreError::ReadOnly {
            path: self.conn.label().into(),
        })
    }

    fn write<T>(
        &mut self,
        account: Option<i64>,
        f: impl FnOnce(&mut Tx<'_, Transaction<'_>>, &OutboxKey) -> TxResult<T>,
    ) -> Result<T> {
        let key = self.keys()?.outbox.clone();
        let conn = &self.conn;
        conn.write(account, |tx| f(&mut Tx::new(tx, conn), &key))
    }

    /// Whether the database holds any account: the first row or none, not a count.
    pub fn has_accounts(&self) -> Result<bool> {
        self.conn.with(|c| {
            Ok(c.query_one("SELECT EXISTS (SELECT 1 FROM accounts)", &[])?
                .get::<_, bool>(0))
        })
    }

    /// How many accounts the database holds.
    pub fn account_count(&self) -> Result<i64> {
        self.conn.with(|c| {
            Ok(c.query_one("SELECT count(*) FROM accounts", &[])?
                .get::<_, i64>(0))
        })
    }

    /// Messages "sent", oldest first (all, or those to `to`), opened with the key file.
    pub fn outbox(&self, to: Option<&str>) -> Result<Vec<Sent>> {
        let key = self.keys()?.outbox.clone();
        let rows = self.conn.with(|c| {
            Ok(c.query(
                "SELECT id, sent_at, channel, address, subject, sealed_body FROM outbox WHERE ($1::text IS NULL OR address = $1) ORDER BY id",
                &[&to],
            )?)
        })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let channel = MethodKind::parse(r.get(2)).unwrap_or(MethodKind::Email);
                let address: String = r.get(3);
                let subject: String = r.get(4);
                let sealed: Vec<u8> = r.get(5);
                let body = key
                    .open(channel, &address, &subject, &sealed)
                    .unwrap_or_else(|| {
                        crate::secret::Secret::new(
                            "[this message cannot be opened with this key file]",
                        )
                    });
                Sent {
                    id: r.get(0),
                    sent_at: parse_ts(r.get(1)),
                    channel,
                    address,
                    subject,
                    body,
                }
            })
            .collect())
    }

    /// A digest of every row of every account table, to prove something did not change.
    pub fn account_tables_digest(&self) -> Result<Vec<(String, String)>> {
        account_tables_digest(&self.conn)
    }
}

/// A digest of every row of every account table (rows as text, ordered by all columns).
pub(crate) fn account_tables_digest(conn: &PgConn) -> Result<Vec<(String, String)>> {
    use sha2::{Digest, Sha256};
    let mut out = vec![];
    for table in crate::store::schema::ACCOUNT_TABLES {
        // The table names are this build's constants, never input.
        let rows = conn.with(|c| {
            Ok(c.query(
                &format!("SELECT t::text FROM {table} t ORDER BY t::text"),
                &[],
            )?)
        })?;
        let mut h = Sha256::new();
        for r in rows {
            h.update(r.get::<_, String>(0).as_bytes());
            h.update(b"\x1e");
        }
        out.push((table.to_string(), crate::store::hex(&h.finalize())));
    }
    Ok(out)
}

/// What a key file made by `setup` is said to belong to in its messages.
fn url_free_label(url: &str) -> String {
    url.parse::<postgres::Config>()
        .map(|c| super::label(&c))
        .unwrap_or_else(|_| "the PostgreSQL database".into())
}

fn opt_i64(
    tx: &mut Tx<'_, impl GenericClient>,
    sql: &'static str,
    p: &[&(dyn ToSql + Sync)],
) -> TxResult<Option<i64>> {
    Ok(tx.query_opt(sql, p)?.map(|r| r.get(0)))
}

/// Whether a live, verified row other than `except` holds this address.
fn verified_elsewhere(
    tx: &mut Tx<'_, impl GenericClient>,
    kind: MethodKind,
    address: &str,
    except: Option<i64>,
) -> TxResult<bool> {
    Ok(tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM sign_in_methods WHERE kind = $1 AND address = $2 AND verified AND removed_at IS NULL AND id IS DISTINCT FROM $3)",
            &[&kind.as_str(), &address, &except],
        )?
        .get(0))
}

impl HolderStore for PgStore {
    fn create_account(
        &mut self,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(None, |tx, _| {
            let t = ts(now);
            let id = opt_i64(
                tx,
                "INSERT INTO accounts (username, password_hash, created_at, password_changed_at) VALUES ($1, $2, $3, $3) ON CONFLICT (username) DO NOTHING RETURNING id",
                &[&username, &password_hash, &t],
            )?;
            let Some(id) = id else {
                return Err(StoreError::Conflict("That username is taken. Try another.").into());
            };
            add_event(tx, id, event::ACCOUNT_CREATED, "", now)?;
            Ok(id)
        })
    }

    fn add_method(
        &mut self,
        account_id: i64,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(Some(account_id), |tx, _| {
            if verified_elsewhere(tx, kind, address, None)? {
                return Err(StoreError::Conflict("That address is already used by an account.").into());
            }
            let own = tx.query_opt(
                "SELECT id, added_at FROM sign_in_methods WHERE account_id = $1 AND kind = $2 AND address = $3 AND NOT verified AND removed_at IS NULL ORDER BY id DESC LIMIT 1",
                &[&account_id, &kind.as_str(), &address],
            )?;
            let own: Option<(i64, String)> = own.map(|r| (r.get(0), r.get(1)));
            match own {
                Some((id, added)) if !crate::domain::sign_in_method::unverified_expired(parse_ts(&added), now) => Ok(id),
                lapsed => {
                    if let Some((id, _)) = lapsed {
                        tx.execute(
                            "UPDATE sign_in_methods SET removed_at = $2 WHERE id = $1",
                            &[&id, &ts(now)],
                        )?;
                    }
                    Ok(tx
                        .query_one(
                            "INSERT INTO sign_in_methods (account_id, kind, address, added_at) VALUES ($1, $2, $3, $4) RETURNING id",
                            &[&account_id, &kind.as_str(), &address, &ts(now)],
                        )?
                        .get(0))
                }
            }
        })
    }

    fn verify_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(Some(account_id), |tx, key| {
            let row = tx.query_opt(
                "SELECT kind, address, verified, added_at, removed_at IS NOT NULL FROM sign_in_methods WHERE id = $1 AND account_id = $2",
                &[&method_id, &account_id],
            )?;
            let Some(row) = row else {
                return Err(StoreError::NotFound("sign-in method").into());
            };
            let (kind, address, verified, added, removed): (String, String, bool, String, bool) =
                (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
            let kind = MethodKind::parse(&kind).ok_or(StoreError::NotFound("sign-in method"))?;
            if verified_elsewhere(tx, kind, &address, Some(method_id))? {
                return Err(StoreError::Conflict("That address is already used by an account.").into());
            }
            if removed {
                return Err(StoreError::NotFound("sign-in method").into());
            }
            if !verified && crate::domain::sign_in_method::unverified_expired(parse_ts(&added), now) {
                return Err(StoreError::Conflict(
                    "That address wasn't verified within 24 hours. Add it again to get a new code.",
                )
                .into());
            }
            // Another account verifying the same address at this moment: the unique index on
            // verified addresses lets one of the two through.
            tx.execute("UPDATE sign_in_methods SET verified = true WHERE id = $1", &[&method_id])
                .map_err(|e| match e.code() {
                    Some(c) if *c == postgres::error::SqlState::UNIQUE_VIOLATION => TxError::Store(
                        StoreError::Conflict("That address is already used by an account."),
                    ),
                    _ => TxError::Pg(e),
                })?;
            tx.execute(
                "UPDATE sign_in_methods SET removed_at = $4 WHERE kind = $1 AND address = $2 AND NOT verified AND removed_at IS NULL AND id <> $3",
                &[&kind.as_str(), &address, &method_id, &ts(now)],
            )?;
            let masked = masked_address(tx, method_id)?;
            let body = format!("{masked} can now be used to sign in and to recover your account.");
            notify(tx, key, account_id, event::METHOD_VERIFIED, &masked, "A sign-in method was added", &body, now)?;
            link_last_event(tx, account_id, method_id)?;
            Ok(())
        })
    }

    fn remove_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(Some(account_id), |tx, key| {
            let masked = masked_address(tx, method_id)?;
            let body = format!("{masked} was removed from your account. If this wasn't you, recover your account now.");
            notify(tx, key, account_id, event::METHOD_REMOVED, &masked, "A sign-in method was removed", &body, now)?;
            link_last_event(tx, account_id, method_id)?;
            let n = tx.execute(
                "UPDATE sign_in_methods SET removed_at = $3 WHERE id = $1 AND account_id = $2 AND removed_at IS NULL",
                &[&method_id, &account_id, &ts(now)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound("sign-in method").into());
            }
            tx.execute(
                "UPDATE one_time_codes SET used_at = $2 WHERE method_id = $1 AND used_at IS NULL",
                &[&method_id, &ts(now)],
            )?;
            Ok(())
        })
    }

    fn set_two_step(&mut self, account_id: i64, on: bool, now: DateTime<Utc>) -> Result<()> {
        self.write(Some(account_id), |tx, key| {
            tx.execute(
                "UPDATE accounts SET two_step = $2 WHERE id = $1",
                &[&account_id, &on],
            )?;
            let (kind, subject) = if on {
                (event::TWO_STEP_ON, "Two-step verification is on")
            } else {
                (event::TWO_STEP_OFF, "Two-step verification is off")
            };
            notify(
                tx,
                key,
                account_id,
                kind,
                "",
                subject,
                "If this wasn't you, recover your account now.",
                now,
            )?;
            Ok(())
        })
    }

    fn replace_recovery_code(
        &mut self,
        account_id: i64,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(Some(account_id), |tx, key| {
            tx.execute(
                "UPDATE recovery_codes SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL AND used_at IS NULL",
                &[&account_id, &ts(now)],
            )?;
            let id = insert_code(tx, account_id, new_hash, now)?;
            save_lockout(tx, account_id, Guarded::RecoveryCode, &Lockout::default())?;
            notify(tx, key, account_id, event::CODE_GENERATED, "", "A new recovery code was generated", "Your previous recovery code no longer works. If this wasn't you, recover your account now.", now)?;
            Ok(id)
        })
    }

    fn consume_recovery_code(
        &mut self,
        account_id: i64,
        code_id: i64,
        successor_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        self.write(Some(account_id), |tx, key| {
            let n = tx.execute(
                "UPDATE recovery_codes SET used_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL AND used_at IS NULL",
                &[&code_id, &account_id, &ts(now)],
            )?;
            if n == 0 {
                return Ok(None);
            }
            let successor = insert_code(tx, account_id, successor_hash, now)?;
            save_lockout(tx, account_id, Guarded::RecoveryCode, &Lockout::default())?;
            notify(tx, key, account_id, event::CODE_USED, "", "Your recovery code was used", "Your recovery code was used to recover your account, and a new one was generated. If this wasn't you, contact us through the sign-in helper.", now)?;
            Ok(Some(successor))
        })
    }

    fn record_recovery_code_check(
        &mut self,
        account_id: i64,
        matched: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(Some(account_id), |tx, key| {
            let current = match matched {
                Some(code_id) => {
                    tx.execute(
                        "UPDATE recovery_codes SET checked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL AND used_at IS NULL",
                        &[&code_id, &account_id, &ts(now)],
                    )? == 1
                }
                None => false,
            };
            let (detail, body) = if current {
                ("the current code", "A saved recovery code was checked on your account, and it is your current code. It still works: checking it didn't use it up. If this wasn't you, sign in and generate a new recovery code now.")
            } else {
                ("not the current code", "A recovery code was checked on your account, and it isn't your current code. If this wasn't you, sign in and generate a new recovery code now.")
            };
            notify(tx, key, account_id, event::CODE_CHECKED, detail, "Your recovery code was checked", body, now)?;
            Ok(current)
        })
    }

    fn reserve_attempt(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<Reservation> {
        self.write(Some(account_id), |tx, _| reserve(tx, account_id, what, now))
    }

    fn confirm_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        after: AfterFailure,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if matches!(after, AfterFailure::TriesLeft(_)) {
            return Ok(());
        }
        self.write(Some(account_id), |tx, key| {
            lock_notice(tx, key, account_id, what, after, now)
        })
    }

    fn record_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure> {
        self.write(Some(account_id), |tx, key| {
            let mut l = load_lockout(tx, account_id, what)?;
            let after = l.fail(now);
            save_lockout(tx, account_id, what, &l)?;
            lock_notice(tx, key, account_id, what, after, now)?;
            Ok(after)
        })
    }

    fn record_success(&mut self, account_id: i64, what: Guarded) -> Result<()> {
        self.write(Some(account_id), |tx, _| {
            save_lockout(tx, account_id, what, &Lockout::default())
        })
    }

    fn record_sign_in(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(Some(account_id), |tx, _| {
            save_lockout(tx, account_id, Guarded::Password, &Lockout::default())?;
            save_lockout(tx, account_id, Guarded::OneTimeCode, &Lockout::default())?;
            add_event(tx, account_id, event::SIGNED_IN, "", now)?;
            Ok(())
        })
    }

    fn set_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        recovered: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(Some(account_id), |tx, key| {
            let waiting: Vec<(i64, Option<i64>, String)> = tx
                .query(
                    "SELECT id, recovery_code_id, requested_at FROM pending_changes WHERE account_id = $1 AND cancelled_at IS NULL AND applied_at IS NULL",
                    &[&account_id],
                )?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            let mut revoked = false;
            for (id, issued, requested_at) in &waiting {
                revoked |= cancel_change(tx, account_id, *id, *issued, requested_at, now)?;
            }
            update_password(tx, account_id, new_hash, now)?;
            save_lockout(tx, account_id, Guarded::Password, &Lockout::default())?;
            let kind = if recovered { event::RECOVERED } else { event::PASSWORD_CHANGED };
            notify(tx, key, account_id, kind, "", "Your password was changed", "Your password was changed. If this wasn't you, recover your account now.", now)?;
            if !waiting.is_empty() {
                notify(
                    tx,
                    key,
                    account_id,
                    event::CHANGE_CANCELLED,
                    "replaced by a password reset",
                    "A pending change was cancelled",
                    &cancelled_body(revoked, "because a new password was set with two proofs"),
                    now,
                )?;
            }
            Ok(!waiting.is_empty())
        })
    }

    fn create_pending_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        issued_code: Option<i64>,
        used: Proof,
        now: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>)> {
        let effective = pending_change::effective_at(now);
        self.write(Some(account_id), |tx, key| {
            let how = match used {
                Proof::RecoveryCode => "its recovery code".to_string(),
                Proof::MethodCode(m) => format!("a code sent to {}", masked_address(tx, m)?),
                Proof::App => "a code from its authenticator app".to_string(),
            };
            tx.execute(
                "UPDATE pending_changes SET cancelled_at = $2 WHERE account_id = $1 AND cancelled_at IS NULL AND applied_at IS NULL",
                &[&account_id, &ts(now)],
            )?;
            let id: i64 = tx
                .query_one(
                    "INSERT INTO pending_changes (account_id, kind, new_password_hash, requested_at, effective_at, recovery_code_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[&account_id, &ChangeKind::PasswordReset.as_str(), &new_hash, &ts(now), &ts(effective), &issued_code],
                )?
                .get(0);
            let when = effective.format("%Y-%m-%d %H:%M UTC").to_string();
            let body = format!("Someone reset your password with {how}. Because two-step verification is on and that is one proof, the new password takes effect on {when}. If this wasn't you, sign in the normal way and select Cancel this change.");
            notify(tx, key, account_id, event::CHANGE_PENDING, &format!("password reset takes effect {when}"), "A password change is pending", &body, now)?;
            Ok((id, effective))
        })
    }

    fn add_app(&mut self, account_id: i64, secret: &[u8], now: DateTime<Utc>) -> Result<i64> {
        self.write(Some(account_id), |tx, key| {
            let verified: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM authenticator_apps WHERE account_id = $1 AND removed_at IS NULL AND verified_at IS NOT NULL)",
                    &[&account_id],
                )?
                .get(0);
            if verified {
                return Err(StoreError::Conflict(
                    "An authenticator app is already set up. Remove it first to add another.",
                )
                .into());
            }
            tx.execute(
                "UPDATE authenticator_apps SET removed_at = $2 WHERE account_id = $1 AND removed_at IS NULL",
                &[&account_id, &ts(now)],
            )?;
            let sealed = key
                .seal_bytes(&app_aad(account_id), secret)
                .map_err(|e| StoreError::Other { path: "the key file".into(), msg: e.to_string() })?;
            Ok(tx
                .query_one(
                    "INSERT INTO authenticator_apps (account_id, sealed_secret, added_at) VALUES ($1, $2, $3) RETURNING id",
                    &[&account_id, &sealed, &ts(now)],
                )?
                .get(0))
        })
    }

    fn own_events(&self, account_id: i64, limit: usize) -> Result<Vec<EventRow>> {
        let rows = self.conn.with(|c| {
            Ok(c.query(
                "SELECT e.at, e.kind, e.detail, m.kind, m.address FROM security_events e
                   LEFT JOIN event_methods em ON em.event_id = e.id
                   LEFT JOIN sign_in_methods m ON m.id = em.method_id AND m.account_id = e.account_id
                  WHERE e.account_id = $1 ORDER BY e.id DESC LIMIT $2",
                &[&account_id, &(limit as i64)],
            )?)
        })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let detail: String = r.get(2);
                let kind: Option<String> = r.get(3);
                let address: Option<String> = r.get(4);
                let detail = match (kind.as_deref().and_then(MethodKind::parse), address) {
                    (Some(k), Some(a)) => detail.replace(&k.mask(&a), &a),
                    _ => detail,
                };
                EventRow {
                    at: parse_ts(r.get(0)),
                    kind: r.get(1),
                    detail,
                }
            })
            .collect())
    }

    fn live_app(&self, account_id: i64) -> Result<Option<LiveApp>> {
        let row = self.conn.with(|c| {
            Ok(c.query_opt(
                "SELECT id, sealed_secret, verified_at IS NOT NULL, last_step FROM authenticator_apps WHERE account_id = $1 AND removed_at IS NULL",
                &[&account_id],
            )?)
        })?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sealed: Vec<u8> = row.get(1);
        let secret = self
            .keys()?
            .outbox
            .open_bytes(&app_aad(account_id), &sealed)
            .ok_or(StoreError::Other {
                path: self.conn.label().into(),
                msg: "the authenticator app's secret does not open with this key file".into(),
            })?;
        Ok(Some(LiveApp {
            id: row.get(0),
            secret,
            verified: row.get(2),
            last_step: row.get(3),
        }))
    }

    fn use_app_step(
        &mut self,
        account_id: i64,
        app_id: i64,
        step: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(Some(account_id), |tx, key| {
            let first: bool = tx
                .query_opt(
                    "SELECT verified_at IS NULL FROM authenticator_apps WHERE id = $1 AND account_id = $2 AND removed_at IS NULL",
                    &[&app_id, &account_id],
                )?
                .ok_or(StoreError::NotFound("authenticator app"))?
                .get(0);
            let n = tx.execute(
                "UPDATE authenticator_apps SET last_step = $3, verified_at = coalesce(verified_at, $4)
                  WHERE id = $1 AND account_id = $2 AND removed_at IS NULL AND last_step < $3",
                &[&app_id, &account_id, &step, &ts(now)],
            )?;
            if n == 1 && first {
                notify(tx, key, account_id, event::APP_ADDED, "", "An authenticator app was added", "An authenticator app was added to your account: its codes now prove it's you. If this wasn't you, recover your account now.", now)?;
            }
            Ok(n == 1)
        })
    }

    fn remove_app(&mut self, account_id: i64, app_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(Some(account_id), |tx, key| {
            let n = tx.execute(
                "UPDATE authenticator_apps SET removed_at = $3 WHERE id = $1 AND account_id = $2 AND removed_at IS NULL",
                &[&app_id, &account_id, &ts(now)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound("authenticator app").into());
            }
            notify(tx, key, account_id, event::APP_REMOVED, "", "An authenticator app was removed", "The authenticator app was removed from your account. If this wasn't you, recover your account now.", now)?;
            Ok(())
        })
    }

    fn send_username(
        &mut self,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let found = self.conn.with(|c| {
            Ok(c.query_opt(
                "SELECT a.id FROM sign_in_methods m JOIN accounts a ON a.id = m.account_id
                  WHERE m.kind = $1 AND m.address = $2 AND m.verified AND m.removed_at IS NULL",
                &[&kind.as_str(), &address],
            )?
            .map(|r| r.get::<_, i64>(0)))
        })?;
        let Some(account_id) = found else {
            return Ok(false);
        };
        self.write(Some(account_id), |tx, key| {
            // Read again under the account's lock: the address may have moved meanwhile.
            let found = tx.query_opt(
                "SELECT a.id, a.username FROM sign_in_methods m JOIN accounts a ON a.id = m.account_id
                  WHERE m.kind = $1 AND m.address = $2 AND m.verified AND m.removed_at IS NULL AND a.id = $3",
                &[&kind.as_str(), &address, &account_id],
            )?;
            let Some(row) = found else {
                return Ok(false);
            };
            let username: String = row.get(1);
            let since = ts(now - USERNAME_REMINDER_EVERY);
            let recent: i64 = tx
                .query_one(
                    "SELECT count(*) FROM outbox WHERE address = $1 AND subject = $2 AND sent_at > $3",
                    &[&address, &USERNAME_SUBJECT, &since],
                )?
                .get(0);
            if recent > 0 {
                return Ok(false);
            }
            let message = Message {
                channel: kind,
                address: address.to_string(),
                subject: USERNAME_SUBJECT.into(),
                body: crate::secret::Secret::new(format!(
                    "The username of the recovery-desk account with this address is: {username}\n\nSomeone asked for it with \"Forgot username?\". If that wasn't you, nothing was changed and you can ignore this message."
                )),
            };
            insert_outbox(tx, key, Some(account_id), &message, now)?;
            add_event(tx, account_id, event::USERNAME_SENT, &kind.mask(address), now)?;
            Ok(true)
        })
    }

    fn cancel_pending(
        &mut self,
        account_id: i64,
        change_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(Some(account_id), |tx, key| {
            let found = tx.query_opt(
                "SELECT recovery_code_id, requested_at FROM pending_changes WHERE id = $1 AND account_id = $2 AND cancelled_at IS NULL AND applied_at IS NULL",
                &[&change_id, &account_id],
            )?;
            let Some(row) = found else {
                return Err(StoreError::NotFound("pending change").into());
            };
            let (issued, requested_at): (Option<i64>, String) = (row.get(0), row.get(1));
            let revoked = cancel_change(tx, account_id, change_id, issued, &requested_at, now)?;
            notify(tx, key, account_id, event::CHANGE_CANCELLED, if revoked { "recovery code issued by the recovery revoked" } else { "" }, "A pending change was cancelled", &cancelled_body(revoked, ""), now)?;
            Ok(revoked)
        })
    }

    fn apply_due_changes(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<usize> {
        self.write(Some(account_id), |tx, key| {
            let waiting: Vec<(i64, String, String)> = tx
                .query(
                    "SELECT id, new_password_hash, effective_at FROM pending_changes WHERE account_id = $1 AND cancelled_at IS NULL AND applied_at IS NULL ORDER BY id",
                    &[&account_id],
                )?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            let due: Vec<(i64, String)> = waiting
                .into_iter()
                .filter(|(_, _, at)| pending_change::is_due(parse_ts(at), now))
                .map(|(id, hash, _)| (id, hash))
                .collect();
            for (id, hash) in &due {
                update_password(tx, account_id, hash, now)?;
                tx.execute("UPDATE pending_changes SET applied_at = $2 WHERE id = $1", &[id, &ts(now)])?;
                notify(tx, key, account_id, event::CHANGE_APPLIED, "", "Your new password is now in effect", "The password set through account recovery 30 days ago is now in effect.", now)?;
            }
            Ok(due.len())
        })
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
        self.write(Some(account_id), |tx, key| {
            tx.execute(
                "UPDATE one_time_codes SET used_at = $3 WHERE method_id = $1 AND purpose = $2 AND used_at IS NULL",
                &[&method_id, &purpose.as_str(), &ts(now)],
            )?;
            let id: i64 = tx
                .query_one(
                    "INSERT INTO one_time_codes (account_id, method_id, purpose, code_hash, created_at, expires_at, tries_left) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[&account_id, &method_id, &purpose.as_str(), &code_hash, &ts(now), &ts(crate::domain::one_time::expires_at(now)), &i64::from(crate::domain::one_time::MAX_TRIES)],
                )?
                .get(0);
            insert_outbox(tx, key, Some(account_id), message, now)?;
            Ok(id)
        })
    }

    fn reserve_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<OneTimeReservation> {
        self.write(Some(account_id), |tx, _| {
            let l = load_lockout(tx, account_id, Guarded::OneTimeCode)?;
            if l.blocked() {
                return Ok(OneTimeReservation::Blocked);
            }
            if let Some(until) = l.locked_at(now) {
                return Ok(OneTimeReservation::Locked(until));
            }
            let row = tx.query_opt(
                "SELECT c.id, c.code_hash, c.expires_at, c.tries_left FROM one_time_codes c
                   JOIN sign_in_methods m ON m.id = c.method_id
                  WHERE c.account_id = $1 AND c.method_id = $2 AND c.purpose = $3
                    AND m.account_id = $1
                    AND (m.removed_at IS NULL OR c.purpose = 'verify_method')
                    AND c.used_at IS NULL AND c.tries_left > 0 AND c.expires_at > $4
                  ORDER BY c.id DESC LIMIT 1",
                &[&account_id, &method_id, &purpose.as_str(), &ts(now)],
            )?;
            let Some(row) = row else {
                return Ok(OneTimeReservation::NoActiveCode);
            };
            let row = OneTimeRow {
                id: row.get(0),
                code_hash: row.get(1),
                expires_at: parse_ts(row.get(2)),
                tries_left: u32_of(row.get(3)),
            };
            tx.execute(
                "UPDATE one_time_codes SET tries_left = tries_left - 1 WHERE id = $1",
                &[&row.id],
            )?;
            let Reservation::Go(after) = reserve(tx, account_id, Guarded::OneTimeCode, now)? else {
                unreachable!("checked above in the same transaction, under the account's lock");
            };
            Ok(OneTimeReservation::Go {
                code_tries_left: row.tries_left - 1,
                row,
                after,
            })
        })
    }

    fn one_time_code_used(
        &mut self,
        account_id: i64,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(Some(account_id), |tx, _| {
            let n = tx.execute(
                "UPDATE one_time_codes SET used_at = $3 WHERE id = $1 AND account_id = $2 AND used_at IS NULL",
                &[&code_id, &account_id, &ts(now)],
            )?;
            if n == 1 {
                save_lockout(tx, account_id, Guarded::OneTimeCode, &Lockout::default())?;
            }
            Ok(n == 1)
        })
    }

    fn one_time_mac(
        &self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code: &crate::secret::Secret,
    ) -> Result<String> {
        Ok(self.keys()?.one_time.mac_hex(&[
            b"one-time-code",
            account_id.to_string().as_bytes(),
            method_id.to_string().as_bytes(),
            purpose.as_str().as_bytes(),
            code.expose().as_bytes(),
        ]))
    }

    fn password_hash(&self, account_id: i64) -> Result<String> {
        self.conn
            .with(|c| {
                Ok(c.query_opt(
                    "SELECT password_hash FROM accounts WHERE id = $1",
                    &[&account_id],
                )?
                .map(|r| r.get::<_, String>(0)))
            })?
            .ok_or(StoreError::NotFound("account"))
    }

    fn password_from_waited_change(&self, account_id: i64) -> Result<bool> {
        self.conn
            .with(|c| super::read::password_from_waited_change(c, account_id))
    }

    fn active_recovery_code(&self, account_id: i64) -> Result<Option<(i64, String)>> {
        self.conn.with(|c| {
            Ok(c.query_opt(
                "SELECT id, code_hash FROM recovery_codes WHERE account_id = $1 AND revoked_at IS NULL AND used_at IS NULL",
                &[&account_id],
            )?
            .map(|r| (r.get(0), r.get(1))))
        })
    }

    fn lockout(&self, account_id: i64, what: Guarded) -> Result<Lockout> {
        self.conn
            .with(|c| load_lockout(&mut Tx::new(c, &self.conn), account_id, what))
    }
}

impl AgentAdmin for PgStore {
    fn add_agent(&mut self, name: &str, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
        let n = self.conn.with(|c| {
            Ok(c.execute(
                "INSERT INTO agents (name, password_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
                &[&name, &password_hash, &ts(now)],
            )?)
        })?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "an agent with that name exists already",
            ));
        }
        Ok(())
    }

    fn agents(&self) -> Result<Vec<AgentRow>> {
        let rows = self.conn.with(|c| {
            Ok(c.query(
                "SELECT name, disabled, created_at FROM agents ORDER BY name",
                &[],
            )?)
        })?;
        Ok(rows
            .into_iter()
            .map(|r| AgentRow {
                name: r.get(0),
                disabled: r.get(1),
                created_at: parse_ts(r.get(2)),
            })
            .collect())
    }

    fn disable_agent(&mut self, name: &str) -> Result<()> {
        let n = self.conn.with(|c| {
            Ok(c.execute(
                "UPDATE agents SET disabled = true WHERE name = $1",
                &[&name],
            )?)
        })?;
        if n == 0 {
            return Err(StoreError::NotFound("agent"));
        }
        Ok(())
    }

    fn enable_agent(&mut self, name: &str) -> Result<()> {
        let n = self.conn.with(|c| {
            Ok(c.execute(
                "UPDATE agents SET disabled = false WHERE name = $1",
                &[&name],
            )?)
        })?;
        if n == 0 {
            return Err(StoreError::NotFound("agent"));
        }
        Ok(())
    }

    fn set_agent_password(&mut self, name: &str, password_hash: &str) -> Result<()> {
        let n = self.conn.with(|c| {
            Ok(c.execute(
                "UPDATE agents SET password_hash = $2 WHERE name = $1 AND NOT disabled",
                &[&name, &password_hash],
            )?)
        })?;
        if n == 0 {
            use crate::store::ReadStore;
            return Err(match self.agent_credentials(name)? {
                None => StoreError::NotFound("agent"),
                Some(_) => StoreError::Conflict("the agent is disabled; enable it first"),
            });
        }
        Ok(())
    }

    fn audit_agent_command(&mut self, name: &str, action: &str, now: DateTime<Utc>) -> Result<()> {
        self.audit_append(crate::store::audit::Entry::new(name, action), now)
    }
}

fn insert_code(
    tx: &mut Tx<'_, Transaction<'_>>,
    account_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> TxResult<i64> {
    Ok(tx
        .query_one(
            "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
            &[&account_id, &hash, &ts(now)],
        )?
        .get(0))
}

fn update_password(
    tx: &mut Tx<'_, Transaction<'_>>,
    account_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> TxResult<()> {
    tx.execute(
        "UPDATE accounts SET password_hash = $2, password_changed_at = $3 WHERE id = $1",
        &[&account_id, &hash, &ts(now)],
    )?;
    Ok(())
}

/// Cancels the waiting change and revokes the recovery code its recovery issued, if still
/// active. Returns whether a code was revoked.
fn cancel_change(
    tx: &mut Tx<'_, Transaction<'_>>,
    account_id: i64,
    change_id: i64,
    issued: Option<i64>,
    requested_at: &str,
    now: DateTime<Utc>,
) -> TxResult<bool> {
    tx.execute(
        "UPDATE pending_changes SET cancelled_at = $3 WHERE id = $1 AND account_id = $2",
        &[&change_id, &account_id, &ts(now)],
    )?;
    let revoked = match issued {
        Some(code_id) => tx.execute(
            "UPDATE recovery_codes SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL AND used_at IS NULL",
            &[&code_id, &account_id, &ts(now)],
        )?,
        None => {
            let requested = parse_ts(requested_at);
            let since = requested - chrono::Duration::minutes(pending_change::PROOF_VALID_MINUTES);
            tx.execute(
                "UPDATE recovery_codes SET revoked_at = $4 WHERE account_id = $1 AND revoked_at IS NULL AND used_at IS NULL AND created_at >= $2 AND created_at <= $3",
                &[&account_id, &ts(since), &requested_at, &ts(now)],
            )?
        }
    };
    Ok(revoked > 0)
}

/// Refuses a guess while locked or blocked; otherwise counts it as a failure in advance.
fn reserve(
    tx: &mut Tx<'_, Transaction<'_>>,
    account_id: i64,
    what: Guarded,
    now: DateTime<Utc>,
) -> TxResult<Reservation> {
    let mut l = load_lockout(tx, account_id, what)?;
    if l.blocked() {
        return Ok(Reservation::Blocked);
    }
    if let Some(until) = l.locked_at(now) {
        return Ok(Reservation::Locked(until));
    }
    let after = l.fail(now);
    save_lockout(tx, account_id, what, &l)?;
    Ok(Reservation::Go(after))
}

fn lock_notice(
    tx: &mut Tx<'_, Transaction<'_>>,
    key: &OutboxKey,
    account_id: i64,
    what: Guarded,
    after: AfterFailure,
    now: DateTime<Utc>,
) -> TxResult<()> {
    let Some((detail, body)) = lock_words(what, after) else {
        return Ok(());
    };
    notify(
        tx,
        key,
        account_id,
        event::LOCKED,
        &detail,
        LOCK_SUBJECT,
        &body,
        now,
    )
}

fn masked_address(tx: &mut Tx<'_, Transaction<'_>>, method_id: i64) -> TxResult<String> {
    let row = tx
        .query_opt(
            "SELECT kind, address FROM sign_in_methods WHERE id = $1",
            &[&method_id],
        )?
        .ok_or(StoreError::NotFound("sign-in method"))?;
    let kind: String = row.get(0);
    let address: String = row.get(1);
    Ok(MethodKind::parse(&kind)
        .map(|k| k.mask(&address))
        .unwrap_or_default())
}

pub(crate) fn load_lockout(
    c: &mut Tx<'_, impl GenericClient>,
    account_id: i64,
    what: Guarded,
) -> TxResult<Lockout> {
    Ok(c
        .query_opt(
            "SELECT failures, lock_count, locked_until, streak FROM lockouts WHERE account_id = $1 AND kind = $2",
            &[&account_id, &what.as_str()],
        )?
        .map(|r| Lockout {
            failures: u32_of(r.get(0)),
            lock_count: u32_of(r.get(1)),
            locked_until: parse_ts_opt(r.get(2)),
            streak: u32_of(r.get(3)),
        })
        .unwrap_or_default())
}

fn save_lockout(
    tx: &mut Tx<'_, Transaction<'_>>,
    account_id: i64,
    what: Guarded,
    l: &Lockout,
) -> TxResult<()> {
    tx.execute(
        "INSERT INTO lockouts (account_id, kind, failures, lock_count, locked_until, streak) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (account_id, kind) DO UPDATE SET failures = excluded.failures, lock_count = excluded.lock_count, locked_until = excluded.locked_until, streak = excluded.streak",
        &[&account_id, &what.as_str(), &i64::from(l.failures), &i64::from(l.lock_count), &l.locked_until.map(ts), &i64::from(l.streak)],
    )?;
    Ok(())
}

fn link_last_event(
    tx: &mut Tx<'_, Transaction<'_>>,
    account_id: i64,
    method_id: i64,
) -> TxResult<()> {
    tx.execute(
        "INSERT INTO event_methods (event_id, method_id)
         SELECT max(id), $2 FROM security_events WHERE account_id = $1",
        &[&account_id, &method_id],
    )?;
    Ok(())
}

fn add_event(
    tx: &mut Tx<'_, Transaction<'_>>,
    account_id: i64,
    kind: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> TxResult<()> {
    tx.execute(
        "INSERT INTO security_events (account_id, at, kind, detail) VALUES ($1, $2, $3, $4)",
        &[&account_id, &ts(now), &kind, &detail],
    )?;
    Ok(())
}

fn insert_outbox(
    tx: &mut Tx<'_, Transaction<'_>>,
    key: &OutboxKey,
    account_id: Option<i64>,
    m: &Message,
    now: DateTime<Utc>,
) -> TxResult<()> {
    let sealed = key.seal(m).map_err(|e| StoreError::Other {
        path: "the key file".into(),
        msg: e.to_string(),
    })?;
    tx.execute(
        "INSERT INTO outbox (account_id, channel, address, subject, sealed_body, sent_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&account_id, &m.channel.as_str(), &m.address, &m.subject, &sealed, &ts(now)],
    )?;
    Ok(())
}

/// Writes a security event and sends a notice to every verified email and phone.
#[allow(clippy::too_many_arguments)]
fn notify(
    tx: &mut Tx<'_, Transaction<'_>>,
    key: &OutboxKey,
    account_id: i64,
    kind: &str,
    detail: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> TxResult<()> {
    add_event(tx, account_id, kind, detail, now)?;
    let recipients: Vec<(String, String)> = tx
        .query(
            "SELECT kind, address FROM sign_in_methods WHERE account_id = $1 AND verified AND removed_at IS NULL ORDER BY id",
            &[&account_id],
        )?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (channel, address) in recipients {
        let m = Message {
            channel: MethodKind::parse(&channel).unwrap_or(MethodKind::Email),
            address,
            subject: subject.to_string(),
            body: crate::secret::Secret::new(body),
        };
        insert_outbox(tx, key, Some(account_id), &m, now)?;
    }
    Ok(())
}
