//! Writes made on behalf of the account holder. Each public function is one IMMEDIATE
//! transaction: a crash leaves either all of it or none of it. Hashing happens before these
//! are called (never inside a write transaction), so the lock is held for microseconds.
//!
//! The support desk never imports this module.

use super::outbox::{Message, OutboxKey};
use super::read::{AccountRow, MethodKind, MethodRow};
use super::{Result, Store, StoreError, parse_ts_opt, ts};
use crate::domain::lockout::{AfterFailure, Guarded, Lockout};
use crate::domain::pending_change::{self, ChangeKind};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

/// Kinds of security event, as stored.
pub mod event {
    pub const ACCOUNT_CREATED: &str = "account_created";
    pub const SIGNED_IN: &str = "signed_in";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const CODE_GENERATED: &str = "recovery_code_generated";
    pub const CODE_USED: &str = "recovery_code_used";
    pub const RECOVERED: &str = "account_recovered";
    pub const LOCKED: &str = "lockout";
    pub const METHOD_ADDED: &str = "method_added";
    pub const METHOD_VERIFIED: &str = "method_verified";
    pub const METHOD_REMOVED: &str = "method_removed";
    pub const TWO_STEP_ON: &str = "two_step_on";
    pub const TWO_STEP_OFF: &str = "two_step_off";
    pub const CHANGE_PENDING: &str = "change_pending";
    pub const CHANGE_CANCELLED: &str = "change_cancelled";
    pub const CHANGE_APPLIED: &str = "change_applied";
}

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyMethod,
    SignIn,
    Recovery,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyMethod => "verify_method",
            Purpose::SignIn => "sign_in",
            Purpose::Recovery => "recovery",
        }
    }
}

/// An issued one-time code as stored (hash only).
#[derive(Debug, Clone)]
pub struct OneTimeRow {
    pub id: i64,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub tries_left: u32,
}

/// Outcome of marking a one-time code attempt wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneTimeFailure {
    /// Tries left on this particular code (0: it is spent; ask for a new one).
    pub code_tries_left: u32,
    /// The account-wide counter for one-time codes.
    pub lockout: AfterFailure,
}

/// A failure inside a write transaction: SQLite's, or one of ours (a conflict, a row not
/// found). Either way the transaction rolls back.
enum TxError {
    Sql(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for TxError {
    fn from(e: rusqlite::Error) -> Self {
        TxError::Sql(e)
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

type TxResult<T> = std::result::Result<T, TxError>;

impl Store {
    /// Runs `f` in one IMMEDIATE transaction and commits when it succeeds; on any error the
    /// transaction rolls back (dropping it) and the error names the database file.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &OutboxKey) -> TxResult<T>,
    ) -> Result<T> {
        let key = self.outbox_key_for_write()?;
        let path = self.path.clone();
        let sql = |e| super::classify(&path, e);
        let tx = self
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let value = f(&tx, &key).map_err(|e| match e {
            TxError::Sql(e) => sql(e),
            TxError::Store(e) => e,
        })?;
        tx.commit().map_err(sql)?;
        Ok(value)
    }

    /// Creates an account; fails with `Conflict` when the username is taken.
    pub fn create_account(
        &mut self,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(|tx, _| {
            let taken: Option<i64> = tx
                .query_row("SELECT id FROM accounts WHERE username = ?1", [username], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Conflict("That username is taken. Try another.").into());
            }
            tx.execute(
                "INSERT INTO accounts (username, password_hash, created_at, password_changed_at) VALUES (?1, ?2, ?3, ?3)",
                params![username, password_hash, ts(now)],
            )?;
            let id = tx.last_insert_rowid();
            add_event(tx, id, event::ACCOUNT_CREATED, "", now)?;
            Ok(id)
        })
    }

    /// Adds an unverified method; `Conflict` when the address is verified on an account
    /// already. Another account's unverified row blocks nothing (the first to verify wins);
    /// this account's own unverified row is reused while it is alive, replaced once lapsed.
    pub fn add_method(
        &mut self,
        account_id: i64,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(|tx, _| {
            if Self::verified_elsewhere(tx, kind, address, None)? {
                return Err(StoreError::Conflict("That address is already used by an account.").into());
            }
            let own: Option<(i64, String)> = tx
                .query_row(
                    "SELECT id, added_at FROM sign_in_methods WHERE account_id = ?1 AND kind = ?2 AND address = ?3 AND verified = 0 AND removed_at IS NULL ORDER BY id DESC LIMIT 1",
                    params![account_id, kind.as_str(), address],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match own {
                // Re-adding an unverified address of one's own restarts verification.
                Some((id, added)) if !crate::domain::sign_in_method::unverified_expired(super::parse_ts(&added), now) => Ok(id),
                lapsed => {
                    if let Some((id, _)) = lapsed {
                        tx.execute(
                            "UPDATE sign_in_methods SET removed_at = ?2 WHERE id = ?1",
                            params![id, ts(now)],
                        )?;
                    }
                    tx.execute(
                        "INSERT INTO sign_in_methods (account_id, kind, address, added_at) VALUES (?1, ?2, ?3, ?4)",
                        params![account_id, kind.as_str(), address, ts(now)],
                    )?;
                    Ok(tx.last_insert_rowid())
                }
            }
        })
    }

    /// Marks a method verified; notices go to every verified method (including this one).
    /// The first account to verify an address wins: every other account's unverified row for
    /// it is dropped (marked removed) in the same transaction. Refused with
    /// `Conflict` when another account verified the address meanwhile, or when this row was
    /// added more than 24 hours ago.
    pub fn verify_method(
        &mut self,
        account_id: i64,
        method_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx, key| {
            let row: Option<(String, String, bool, String, bool)> = tx
                .query_row(
                    "SELECT kind, address, verified, added_at, removed_at IS NOT NULL FROM sign_in_methods WHERE id = ?1 AND account_id = ?2",
                    params![method_id, account_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((kind, address, verified, added, removed)) = row else {
                return Err(StoreError::NotFound("sign-in method").into());
            };
            let kind = MethodKind::parse(&kind).ok_or(StoreError::NotFound("sign-in method"))?;
            // Checked first: a row dropped because another account verified the address
            // meanwhile says so, rather than "not found".
            if Self::verified_elsewhere(tx, kind, &address, Some(method_id))? {
                return Err(StoreError::Conflict("That address is already used by an account.").into());
            }
            if removed {
                return Err(StoreError::NotFound("sign-in method").into());
            }
            if !verified && crate::domain::sign_in_method::unverified_expired(super::parse_ts(&added), now) {
                return Err(StoreError::Conflict(
                    "That address wasn't verified within 24 hours. Add it again to get a new code.",
                )
                .into());
            }
            tx.execute(
                "UPDATE sign_in_methods SET verified = 1 WHERE id = ?1",
                [method_id],
            )?;
            // The other accounts' unverified rows for this address are dropped. A code sent to
            // one of them can no longer verify anything (see above), and says why.
            tx.execute(
                "UPDATE sign_in_methods SET removed_at = ?4 WHERE kind = ?1 AND address = ?2 AND verified = 0 AND removed_at IS NULL AND id <> ?3",
                params![kind.as_str(), address, method_id, ts(now)],
            )?;
            let masked = masked_address(tx, method_id)?;
            let body = format!("{masked} can now be used to sign in and to recover your account.");
            notify(tx, key, account_id, event::METHOD_VERIFIED, &masked, "A sign-in method was added", &body, now)?;
            Ok(())
        })
    }

    /// Whether a live, verified row other than `except` holds this address.
    fn verified_elsewhere(
        tx: &rusqlite::Connection,
        kind: MethodKind,
        address: &str,
        except: Option<i64>,
    ) -> rusqlite::Result<bool> {
        tx.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sign_in_methods WHERE kind = ?1 AND address = ?2 AND verified = 1 AND removed_at IS NULL AND id IS NOT ?3)",
        )?
        .query_row(params![kind.as_str(), address, except], |r| r.get(0))
    }

    /// Removes a method (kept for history, marked removed); its unused one-time codes die.
    pub fn remove_method(
        &mut self,
        account_id: i64,
        method_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx, key| {
            let masked = masked_address(tx, method_id)?;
            // Tell the method being removed too, before it stops receiving notices.
            let body = format!("{masked} was removed from your account. If this wasn't you, recover your account now.");
            notify(tx, key, account_id, event::METHOD_REMOVED, &masked, "A sign-in method was removed", &body, now)?;
            let n = tx.execute(
                "UPDATE sign_in_methods SET removed_at = ?3 WHERE id = ?1 AND account_id = ?2 AND removed_at IS NULL",
                params![method_id, account_id, ts(now)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound("sign-in method").into());
            }
            tx.execute(
                "UPDATE one_time_codes SET used_at = ?2 WHERE method_id = ?1 AND used_at IS NULL",
                params![method_id, ts(now)],
            )?;
            Ok(())
        })
    }

    /// Turns two-step verification on or off.
    pub fn set_two_step(&mut self, account_id: i64, on: bool, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx, key| {
            tx.execute(
                "UPDATE accounts SET two_step = ?2 WHERE id = ?1",
                params![account_id, on],
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

    /// Replaces the account's recovery code: every earlier code stops working in the same
    /// transaction that stores the new hash. Returns the new code's row id.
    pub fn replace_recovery_code(
        &mut self,
        account_id: i64,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(|tx, key| {
            tx.execute(
                "UPDATE recovery_codes SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL",
                params![account_id, ts(now)],
            )?;
            let id = insert_code(tx, account_id, new_hash, now)?;
            notify(tx, key, account_id, event::CODE_GENERATED, "", "A new recovery code was generated", "Your previous recovery code no longer works. If this wasn't you, recover your account now.", now)?;
            Ok(id)
        })
    }

    /// Consumes the code `code_id` (if it is still the active one) and stores its successor.
    /// Returns `false`, changing nothing, when that code is no longer active (replaced meanwhile).
    pub fn consume_recovery_code(
        &mut self,
        account_id: i64,
        code_id: i64,
        successor_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, key| {
            let n = tx.execute(
                "UPDATE recovery_codes SET used_at = ?3 WHERE id = ?1 AND account_id = ?2 AND revoked_at IS NULL AND used_at IS NULL",
                params![code_id, account_id, ts(now)],
            )?;
            if n == 0 {
                return Ok(false);
            }
            insert_code(tx, account_id, successor_hash, now)?;
            save_lockout(tx, account_id, Guarded::RecoveryCode, &Lockout::default())?;
            notify(tx, key, account_id, event::CODE_USED, "", "Your recovery code was used", "Your recovery code was used to recover your account, and a new one was generated. If this wasn't you, contact us through the sign-in helper.", now)?;
            Ok(true)
        })
    }

    /// Records a wrong answer of kind `what` and returns what it means; a new lockout writes a
    /// security event and notices.
    pub fn record_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure> {
        self.write(|tx, key| Ok(fail(tx, key, account_id, what, now)?))
    }

    /// A right answer: the counter of that kind starts over.
    pub fn record_success(&mut self, account_id: i64, what: Guarded) -> Result<()> {
        self.write(|tx, _| Ok(save_lockout(tx, account_id, what, &Lockout::default())?))
    }

    /// Records a normal sign-in (the caller applies due pending changes first).
    pub fn record_sign_in(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx, _| {
            save_lockout(tx, account_id, Guarded::Password, &Lockout::default())?;
            add_event(tx, account_id, event::SIGNED_IN, "", now)?;
            Ok(())
        })
    }

    /// Sets a new password now; `recovered` says it came through account recovery.
    pub fn set_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        recovered: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx, key| {
            update_password(tx, account_id, new_hash, now)?;
            // A password that works again clears the password lockout.
            save_lockout(tx, account_id, Guarded::Password, &Lockout::default())?;
            let kind = if recovered {
                event::RECOVERED
            } else {
                event::PASSWORD_CHANGED
            };
            notify(
                tx,
                key,
                account_id,
                kind,
                "",
                "Your password was changed",
                "Your password was changed. If this wasn't you, recover your account now.",
                now,
            )?;
            Ok(())
        })
    }

    /// Stores a password change that takes effect in 30 days; returns its id and date.
    pub fn create_pending_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>)> {
        let effective = pending_change::effective_at(now);
        self.write(|tx, key| {
            // A newer request replaces an older one still waiting.
            tx.execute(
                "UPDATE pending_changes SET cancelled_at = ?2 WHERE account_id = ?1 AND cancelled_at IS NULL AND applied_at IS NULL",
                params![account_id, ts(now)],
            )?;
            tx.execute(
                "INSERT INTO pending_changes (account_id, kind, new_password_hash, requested_at, effective_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![account_id, ChangeKind::PasswordReset.as_str(), new_hash, ts(now), ts(effective)],
            )?;
            let id = tx.last_insert_rowid();
            let when = effective.format("%Y-%m-%d %H:%M UTC").to_string();
            let body = format!("Someone recovered your account with its recovery code. Because two-step verification is on, the new password takes effect on {when}. If this wasn't you, sign in the normal way and select Cancel this change.");
            notify(tx, key, account_id, event::CHANGE_PENDING, &format!("password reset takes effect {when}"), "A password change is pending", &body, now)?;
            Ok((id, effective))
        })
    }

    /// Cancels a pending change (the holder signed in the normal way).
    pub fn cancel_pending(
        &mut self,
        account_id: i64,
        change_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx, key| {
            let n = tx.execute(
                "UPDATE pending_changes SET cancelled_at = ?3 WHERE id = ?1 AND account_id = ?2 AND cancelled_at IS NULL AND applied_at IS NULL",
                params![change_id, account_id, ts(now)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound("pending change").into());
            }
            notify(tx, key, account_id, event::CHANGE_CANCELLED, "", "A pending change was cancelled", "The pending password change on your account was cancelled.", now)?;
            Ok(())
        })
    }

    /// Applies every change of this account that is due at `now`; returns how many.
    pub fn apply_due_changes(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<usize> {
        self.write(|tx, key| {
            let due: Vec<(i64, String)> = tx
                .prepare_cached("SELECT id, new_password_hash FROM pending_changes WHERE account_id = ?1 AND cancelled_at IS NULL AND applied_at IS NULL AND effective_at <= ?2 ORDER BY id")?
                .query_map(params![account_id, ts(now)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, hash) in &due {
                update_password(tx, account_id, hash, now)?;
                tx.execute("UPDATE pending_changes SET applied_at = ?2 WHERE id = ?1", params![id, ts(now)])?;
                notify(tx, key, account_id, event::CHANGE_APPLIED, "", "Your new password is now in effect", "The password set through account recovery 30 days ago is now in effect.", now)?;
            }
            Ok(due.len())
        })
    }

    /// Stores a one-time code's hash and "sends" the message carrying it; earlier unused codes
    /// for the same method and purpose stop working.
    pub fn issue_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code_hash: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(|tx, key| {
            tx.execute(
                "UPDATE one_time_codes SET used_at = ?3 WHERE method_id = ?1 AND purpose = ?2 AND used_at IS NULL",
                params![method_id, purpose.as_str(), ts(now)],
            )?;
            tx.execute(
                "INSERT INTO one_time_codes (account_id, method_id, purpose, code_hash, created_at, expires_at, tries_left) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![account_id, method_id, purpose.as_str(), code_hash, ts(now), ts(crate::domain::one_time::expires_at(now)), crate::domain::one_time::MAX_TRIES],
            )?;
            let id = tx.last_insert_rowid();
            super::outbox::insert(tx, key, Some(account_id), message, now)?;
            Ok(id)
        })
    }

    /// The newest usable one-time code for a method and purpose.
    pub fn current_one_time_code(
        &self,
        method_id: i64,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<Option<OneTimeRow>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, code_hash, expires_at, tries_left FROM one_time_codes WHERE method_id = ?1 AND purpose = ?2 AND used_at IS NULL AND tries_left > 0 AND expires_at > ?3 ORDER BY id DESC LIMIT 1")
            .map_err(|e| self.err(e))?;
        stmt.query_row(params![method_id, purpose.as_str(), ts(now)], |r| {
            Ok(OneTimeRow {
                id: r.get(0)?,
                code_hash: r.get(1)?,
                expires_at: super::parse_ts(&r.get::<_, String>(2)?),
                tries_left: r.get(3)?,
            })
        })
        .optional()
        .map_err(|e| self.err(e))
    }

    /// A wrong one-time code: one try less on that code and one failure on the account, in
    /// the same transaction.
    pub fn one_time_code_failed(
        &mut self,
        account_id: i64,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<OneTimeFailure> {
        self.write(|tx, key| {
            tx.execute(
                "UPDATE one_time_codes SET tries_left = max(tries_left - 1, 0) WHERE id = ?1",
                [code_id],
            )?;
            let code_tries_left = tx.query_row(
                "SELECT tries_left FROM one_time_codes WHERE id = ?1",
                [code_id],
                |r| r.get(0),
            )?;
            let lockout = fail(tx, key, account_id, Guarded::OneTimeCode, now)?;
            Ok(OneTimeFailure {
                code_tries_left,
                lockout,
            })
        })
    }

    /// A right one-time code: it is spent, and the one-time counter starts over.
    pub fn one_time_code_used(
        &mut self,
        account_id: i64,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, _| {
            let n = tx.execute(
                "UPDATE one_time_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
                params![code_id, ts(now)],
            )?;
            save_lockout(tx, account_id, Guarded::OneTimeCode, &Lockout::default())?;
            Ok(n == 1)
        })
    }
}

/// Reads the holder's screens and the service need.
impl Store {
    /// The account and its methods, for the holder's own screens.
    pub fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        super::read::account_by_username(self.conn(), username).map_err(|e| self.err(e))
    }

    pub fn account(&self, id: i64) -> Result<AccountRow> {
        super::read::account_by_id(self.conn(), id)
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound("account"))
    }

    pub fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>> {
        super::read::methods(self.conn(), account_id).map_err(|e| self.err(e))
    }

    /// The hash of the active recovery code, if any, with its row id.
    pub fn active_recovery_code(&self, account_id: i64) -> Result<Option<(i64, String)>> {
        self.conn()
            .prepare_cached("SELECT id, code_hash FROM recovery_codes WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL")
            .and_then(|mut s| s.query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| self.err(e))
    }

    /// The persisted counter for one kind of entry.
    pub fn lockout(&self, account_id: i64, what: Guarded) -> Result<Lockout> {
        load_lockout(self.conn(), account_id, what).map_err(|e| self.err(e))
    }

    /// The password hash (for sign-in and re-authentication).
    pub fn password_hash(&self, account_id: i64) -> Result<String> {
        self.conn()
            .query_row(
                "SELECT password_hash FROM accounts WHERE id = ?1",
                [account_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound("account"))
    }
}

fn insert_code(
    tx: &rusqlite::Connection,
    account_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![account_id, hash, ts(now)])?;
    Ok(tx.last_insert_rowid())
}

fn update_password(
    tx: &rusqlite::Connection,
    account_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE accounts SET password_hash = ?2, password_changed_at = ?3 WHERE id = ?1",
    )?
    .execute(params![account_id, hash, ts(now)])?;
    Ok(())
}

/// One wrong answer on the persisted counter; a new lockout writes an event and notices.
fn fail(
    tx: &rusqlite::Connection,
    key: &OutboxKey,
    account_id: i64,
    what: Guarded,
    now: DateTime<Utc>,
) -> rusqlite::Result<AfterFailure> {
    let mut l = load_lockout(tx, account_id, what)?;
    let after = l.fail(now);
    save_lockout(tx, account_id, what, &l)?;
    if let AfterFailure::LockedUntil(until) = after {
        let shown = until.format("%Y-%m-%d %H:%M UTC");
        let detail = format!("{} entry locked until {shown}", what.label());
        let body = format!(
            "After 5 wrong attempts, {} entry on your account is locked until {shown}.",
            what.label()
        );
        notify(
            tx,
            key,
            account_id,
            event::LOCKED,
            &detail,
            "Too many wrong attempts",
            &body,
            now,
        )?;
    }
    Ok(after)
}

/// The masked address of a method, for events and notices.
fn masked_address(tx: &rusqlite::Connection, method_id: i64) -> rusqlite::Result<String> {
    let (kind, address): (String, String) = tx.query_row(
        "SELECT kind, address FROM sign_in_methods WHERE id = ?1",
        [method_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(MethodKind::parse(&kind)
        .map(|k| k.mask(&address))
        .unwrap_or_default())
}

pub(crate) fn load_lockout(
    conn: &rusqlite::Connection,
    account_id: i64,
    what: Guarded,
) -> rusqlite::Result<Lockout> {
    conn.prepare_cached("SELECT failures, lock_count, locked_until FROM lockouts WHERE account_id = ?1 AND kind = ?2")?
        .query_row(params![account_id, what.as_str()], |r| {
            Ok(Lockout {
                failures: r.get(0)?,
                lock_count: r.get(1)?,
                locked_until: parse_ts_opt(r.get(2)?),
            })
        })
        .optional()
        .map(Option::unwrap_or_default)
}

fn save_lockout(
    tx: &rusqlite::Connection,
    account_id: i64,
    what: Guarded,
    l: &Lockout,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO lockouts (account_id, kind, failures, lock_count, locked_until) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (account_id, kind) DO UPDATE SET failures = excluded.failures, lock_count = excluded.lock_count, locked_until = excluded.locked_until",
    )?
    .execute(params![account_id, what.as_str(), l.failures, l.lock_count, l.locked_until.map(ts)])?;
    Ok(())
}

pub(crate) fn add_event(
    tx: &rusqlite::Connection,
    account_id: i64,
    kind: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO security_events (account_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![account_id, ts(now), kind, detail])?;
    Ok(())
}

/// Writes a security event and sends a notice to every verified email and phone.
#[allow(clippy::too_many_arguments)]
fn notify(
    tx: &rusqlite::Connection,
    key: &super::outbox::OutboxKey,
    account_id: i64,
    kind: &str,
    detail: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    add_event(tx, account_id, kind, detail, now)?;
    let recipients: Vec<(String, String)> = tx
        .prepare_cached("SELECT kind, address FROM sign_in_methods WHERE account_id = ?1 AND verified = 1 AND removed_at IS NULL ORDER BY id")?
        .query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (channel, address) in recipients {
        let m = Message {
            channel: MethodKind::parse(&channel).unwrap_or(MethodKind::Email),
            address,
            subject: subject.to_string(),
            body: crate::secret::Secret::new(body),
        };
        super::outbox::insert(tx, key, Some(account_id), &m, now)?;
    }
    Ok(())
}
