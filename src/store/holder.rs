//! Writes made on behalf of the account holder. Each public function is one IMMEDIATE
//! transaction: a crash leaves either all of it or none of it. Hashing happens before these
//! are called (never inside a write transaction), so the lock is held for microseconds.
//!
//! The support desk never imports this module.

use super::capability::HolderStore;
use super::outbox::{Message, OutboxKey};
use super::{Result, Store, StoreError, parse_ts_opt, ts};
use crate::domain::lockout::{AfterFailure, Guarded, Lockout};
use crate::domain::model::MethodKind;
use crate::domain::model::{EventRow, Proof, Purpose, event};
use crate::domain::pending_change::{self, ChangeKind};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

/// An issued one-time code as stored (hash only).
#[derive(Debug, Clone)]
pub struct OneTimeRow {
    pub id: i64,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub tries_left: u32,
}

/// The outcome of reserving one guess before it is evaluated (SPEC §4: an attempt is
/// reserved before it is hashed, so racing sessions together get at most 5 guesses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Counted in advance as a failure: evaluate the guess now. `after` is what that failure
    /// means if it stands (a success clears it).
    Go(AfterFailure),
    /// Entry is locked until then; nothing was evaluated.
    Locked(DateTime<Utc>),
    /// 100 consecutive failures: locked until the holder gets in another way.
    Blocked,
}

/// The outcome of reserving a one-time code guess.
#[derive(Debug, Clone)]
pub enum OneTimeReservation {
    /// Counted in advance (a try of this code spent, a failure on the account): compare now.
    Go {
        row: OneTimeRow,
        after: AfterFailure,
        code_tries_left: u32,
    },
    /// No usable code was sent to this method of this account for this purpose.
    NoActiveCode,
    Locked(DateTime<Utc>),
    Blocked,
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
}

/// Each method is one `IMMEDIATE` transaction (see `Store::write`).
impl HolderStore for Store {
    /// Creates an account; fails with `Conflict` when the username is taken.
    fn create_account(
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
    fn add_method(
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
    fn verify_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
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
            link_last_event(tx, account_id, method_id)?;
            Ok(())
        })
    }

    /// Removes a method (kept for history, marked removed); its unused one-time codes die.
    fn remove_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx, key| {
            let masked = masked_address(tx, method_id)?;
            // Tell the method being removed too, before it stops receiving notices.
            let body = format!("{masked} was removed from your account. If this wasn't you, recover your account now.");
            notify(tx, key, account_id, event::METHOD_REMOVED, &masked, "A sign-in method was removed", &body, now)?;
            link_last_event(tx, account_id, method_id)?;
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
    fn set_two_step(&mut self, account_id: i64, on: bool, now: DateTime<Utc>) -> Result<()> {
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
    fn replace_recovery_code(
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
            // A new code ends a lock or a 100-failure block on recovery code entry.
            save_lockout(tx, account_id, Guarded::RecoveryCode, &Lockout::default())?;
            notify(tx, key, account_id, event::CODE_GENERATED, "", "A new recovery code was generated", "Your previous recovery code no longer works. If this wasn't you, recover your account now.", now)?;
            Ok(id)
        })
    }

    /// Consumes the code `code_id` (if it is still the active one) and stores its successor;
    /// returns the successor's row id. Returns `None`, changing nothing, when that code is no
    /// longer active (replaced meanwhile).
    fn consume_recovery_code(
        &mut self,
        account_id: i64,
        code_id: i64,
        successor_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        self.write(|tx, key| {
            let n = tx.execute(
                "UPDATE recovery_codes SET used_at = ?3 WHERE id = ?1 AND account_id = ?2 AND revoked_at IS NULL AND used_at IS NULL",
                params![code_id, account_id, ts(now)],
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

    /// The recovery drill's answer (SPEC §10), recorded: when `matched` names the code the
    /// typed one matched and it is still the active one, its last-checked time is set. Either
    /// way a security event is written and every verified method is told. Returns whether the
    /// matched code was still active (`false` when it was replaced meanwhile, or no match).
    /// Nothing typed is stored.
    fn record_recovery_code_check(
        &mut self,
        account_id: i64,
        matched: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, key| {
            let current = match matched {
                Some(code_id) => {
                    tx.execute(
                        "UPDATE recovery_codes SET checked_at = ?3 WHERE id = ?1 AND account_id = ?2 AND revoked_at IS NULL AND used_at IS NULL",
                        params![code_id, account_id, ts(now)],
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

    /// Records a wrong answer of kind `what` and returns what it means; a new lockout writes a
    /// security event and notices.
    fn record_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure> {
        self.write(|tx, key| Ok(fail(tx, key, account_id, what, now)?))
    }

    /// Reserves one guess of kind `what` in one IMMEDIATE transaction: refused while locked
    /// (or blocked), otherwise counted as a failure before anything is evaluated.
    fn reserve_attempt(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<Reservation> {
        self.write(|tx, _| Ok(reserve(tx, account_id, what, now)?))
    }

    /// The reserved guess was wrong: a lockout it started writes its event and notices.
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
        self.write(|tx, key| Ok(lock_notice(tx, key, account_id, what, after, now)?))
    }

    /// A right answer: the counter of that kind starts over.
    fn record_success(&mut self, account_id: i64, what: Guarded) -> Result<()> {
        self.write(|tx, _| Ok(save_lockout(tx, account_id, what, &Lockout::default())?))
    }

    /// Records a normal sign-in (the caller applies due pending changes first).
    fn record_sign_in(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx, _| {
            // Signed in: the password and one-time-code counters start over (this also ends
            // a 100-failure block on one-time codes: the holder got in another way).
            save_lockout(tx, account_id, Guarded::Password, &Lockout::default())?;
            save_lockout(tx, account_id, Guarded::OneTimeCode, &Lockout::default())?;
            add_event(tx, account_id, event::SIGNED_IN, "", now)?;
            Ok(())
        })
    }

    /// Sets a new password now; `recovered` says it came through account recovery. A change
    /// still waiting is cancelled in the same transaction (on its date it would replace this
    /// password), and the code its recovery issued revoked, as when the holder cancels it.
    fn set_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        recovered: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, key| {
            let waiting: Vec<(i64, Option<i64>, String)> = tx
                .prepare("SELECT id, recovery_code_id, requested_at FROM pending_changes WHERE account_id = ?1 AND cancelled_at IS NULL AND applied_at IS NULL")?
                .query_map(params![account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut revoked = false;
            for (id, issued, requested_at) in &waiting {
                revoked |= cancel_change(tx, account_id, *id, *issued, requested_at, now)?;
            }
            update_password(tx, account_id, new_hash, now)?;
            // A password that works again clears the password lockout (and a 100-failure
            // block: the holder got in another way).
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

    /// Stores a password change that takes effect in 30 days; returns its id and date.
    /// `issued_code` is the recovery code the recovery issued (revoked if the change is
    /// cancelled).
    fn create_pending_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        issued_code: Option<i64>,
        used: Proof,
        now: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>)> {
        let effective = pending_change::effective_at(now);
        self.write(|tx, key| {
            let how = match used {
                Proof::RecoveryCode => "its recovery code".to_string(),
                Proof::MethodCode(m) => format!("a code sent to {}", masked_address(tx, m)?),
                Proof::App => "a code from its authenticator app".to_string(),
            };
            // A newer request replaces an older one still waiting.
            tx.execute(
                "UPDATE pending_changes SET cancelled_at = ?2 WHERE account_id = ?1 AND cancelled_at IS NULL AND applied_at IS NULL",
                params![account_id, ts(now)],
            )?;
            tx.execute(
                "INSERT INTO pending_changes (account_id, kind, new_password_hash, requested_at, effective_at, recovery_code_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![account_id, ChangeKind::PasswordReset.as_str(), new_hash, ts(now), ts(effective), issued_code],
            )?;
            let id = tx.last_insert_rowid();
            let when = effective.format("%Y-%m-%d %H:%M UTC").to_string();
            let body = format!("Someone reset your password with {how}. Because two-step verification is on and that is one proof, the new password takes effect on {when}. If this wasn't you, sign in the normal way and select Cancel this change.");
            notify(tx, key, account_id, event::CHANGE_PENDING, &format!("password reset takes effect {when}"), "A password change is pending", &body, now)?;
            Ok((id, effective))
        })
    }

    /// Cancels a pending change (the holder signed in the normal way) and revokes the
    /// recovery code that recovery issued, if it is still active: whoever ran the recovery
    /// saw it. Returns whether a code was revoked.
    fn add_app(&mut self, account_id: i64, secret: &[u8], now: DateTime<Utc>) -> Result<i64> {
        self.write(|tx, key| {
            let verified: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM authenticator_apps WHERE account_id = ?1 AND removed_at IS NULL AND verified_at IS NOT NULL)",
                [account_id],
                |r| r.get(0),
            )?;
            if verified {
                return Err(StoreError::Conflict(
                    "An authenticator app is already set up. Remove it first to add another.",
                )
                .into());
            }
            tx.execute(
                "UPDATE authenticator_apps SET removed_at = ?2 WHERE account_id = ?1 AND removed_at IS NULL",
                params![account_id, ts(now)],
            )?;
            let sealed = key.seal_bytes(&app_aad(account_id), secret)?;
            tx.execute(
                "INSERT INTO authenticator_apps (account_id, sealed_secret, added_at) VALUES (?1, ?2, ?3)",
                params![account_id, sealed, ts(now)],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn live_app(&self, account_id: i64) -> Result<Option<LiveApp>> {
        let row: Option<(i64, Vec<u8>, bool, i64)> = self
            .conn()
            .prepare_cached("SELECT id, sealed_secret, verified_at IS NOT NULL, last_step FROM authenticator_apps WHERE account_id = ?1 AND removed_at IS NULL")
            .and_then(|mut s| {
                s.query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        let Some((id, sealed, verified, last_step)) = row else {
            return Ok(None);
        };
        let key = self.keys()?.outbox.clone();
        let secret = key
            .open_bytes(&app_aad(account_id), &sealed)
            .ok_or(StoreError::Other {
                path: self.path().to_path_buf(),
                msg: "the authenticator app's secret does not open with this key file".into(),
            })?;
        Ok(Some(LiveApp {
            id,
            secret,
            verified,
            last_step,
        }))
    }

    fn use_app_step(
        &mut self,
        account_id: i64,
        app_id: i64,
        step: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, key| {
            let first = tx
                .query_row(
                    "SELECT verified_at IS NULL FROM authenticator_apps WHERE id = ?1 AND account_id = ?2 AND removed_at IS NULL",
                    params![app_id, account_id],
                    |r| r.get::<_, bool>(0),
                )
                .optional()?
                .ok_or(StoreError::NotFound("authenticator app"))?;
            let n = tx.execute(
                "UPDATE authenticator_apps SET last_step = ?3, verified_at = coalesce(verified_at, ?4)
                  WHERE id = ?1 AND account_id = ?2 AND removed_at IS NULL AND last_step < ?3",
                params![app_id, account_id, step, ts(now)],
            )?;
            if n == 1 && first {
                notify(tx, key, account_id, event::APP_ADDED, "", "An authenticator app was added", "An authenticator app was added to your account: its codes now prove it's you. If this wasn't you, recover your account now.", now)?;
            }
            Ok(n == 1)
        })
    }

    fn remove_app(&mut self, account_id: i64, app_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx, key| {
            let n = tx.execute(
                "UPDATE authenticator_apps SET removed_at = ?3 WHERE id = ?1 AND account_id = ?2 AND removed_at IS NULL",
                params![app_id, account_id, ts(now)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound("authenticator app").into());
            }
            notify(tx, key, account_id, event::APP_REMOVED, "", "An authenticator app was removed", "The authenticator app was removed from your account. If this wasn't you, recover your account now.", now)?;
            Ok(())
        })
    }

    fn own_events(&self, account_id: i64, limit: usize) -> Result<Vec<EventRow>> {
        self.conn()
            .prepare_cached(
                "SELECT e.at, e.kind, e.detail, m.kind, m.address FROM security_events e
                   LEFT JOIN event_methods em ON em.event_id = e.id
                   LEFT JOIN sign_in_methods m ON m.id = em.method_id AND m.account_id = e.account_id
                  WHERE e.account_id = ?1 ORDER BY e.id DESC LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![account_id, limit as i64], |r| {
                    let detail: String = r.get(2)?;
                    let method: Option<(String, String)> = match (r.get(3)?, r.get(4)?) {
                        (Some(k), Some(a)) => Some((k, a)),
                        _ => None,
                    };
                    // The masked address in the detail, written out in full for its owner.
                    let detail = match method {
                        Some((kind, address)) => match MethodKind::parse(&kind) {
                            Some(k) => detail.replace(&k.mask(&address), &address),
                            None => detail,
                        },
                        None => detail,
                    };
                    Ok(EventRow {
                        at: super::parse_ts(&r.get::<_, String>(0)?),
                        kind: r.get(1)?,
                        detail,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    fn send_username(
        &mut self,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, key| {
            let found: Option<(i64, String)> = tx
                .query_row(
                    "SELECT a.id, a.username FROM sign_in_methods m JOIN accounts a ON a.id = m.account_id
                      WHERE m.kind = ?1 AND m.address = ?2 AND m.verified = 1 AND m.removed_at IS NULL",
                    params![kind.as_str(), address],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((account_id, username)) = found else {
                return Ok(false);
            };
            // One reminder per address per window: the form can't be used to flood a mailbox.
            let since = ts(now - USERNAME_REMINDER_EVERY);
            let recent: i64 = tx.query_row(
                "SELECT count(*) FROM outbox WHERE address = ?1 AND subject = ?2 AND sent_at > ?3",
                params![address, USERNAME_SUBJECT, since],
                |r| r.get(0),
            )?;
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
            super::outbox::insert(tx, key, Some(account_id), &message, now)?;
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
        self.write(|tx, key| {
            let found: Option<(Option<i64>, String)> = tx
                .query_row(
                    "SELECT recovery_code_id, requested_at FROM pending_changes WHERE id = ?1 AND account_id = ?2 AND cancelled_at IS NULL AND applied_at IS NULL",
                    params![change_id, account_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((issued, requested_at)) = found else {
                return Err(StoreError::NotFound("pending change").into());
            };
            let revoked = cancel_change(tx, account_id, change_id, issued, &requested_at, now)?;
            notify(tx, key, account_id, event::CHANGE_CANCELLED, if revoked { "recovery code issued by the recovery revoked" } else { "" }, "A pending change was cancelled", &cancelled_body(revoked, ""), now)?;
            Ok(revoked)
        })
    }

    /// Applies every change of this account that is due at `now`; returns how many.
    fn apply_due_changes(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<usize> {
        self.write(|tx, key| {
            // The rule decides what is due (`pending_change::is_due`), not the SQL.
            let waiting: Vec<(i64, String, String)> = tx
                .prepare_cached("SELECT id, new_password_hash, effective_at FROM pending_changes WHERE account_id = ?1 AND cancelled_at IS NULL AND applied_at IS NULL ORDER BY id")?
                .query_map(params![account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let due: Vec<(i64, String)> = waiting
                .into_iter()
                .filter(|(_, _, at)| pending_change::is_due(super::parse_ts(at), now))
                .map(|(id, hash, _)| (id, hash))
                .collect();
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
    fn issue_one_time_code(
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

    /// Reserves a one-time code guess in one IMMEDIATE transaction: refused while one-time
    /// code entry is locked; otherwise the newest usable code sent to this method of this
    /// account for this purpose loses a try and the account counts a failure, before the
    /// typed code is compared.
    fn reserve_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<OneTimeReservation> {
        self.write(|tx, _| {
            let l = load_lockout(tx, account_id, Guarded::OneTimeCode)?;
            if l.blocked() {
                return Ok(OneTimeReservation::Blocked);
            }
            if let Some(until) = l.locked_at(now) {
                return Ok(OneTimeReservation::Locked(until));
            }
            let row = tx
                .prepare_cached(
                    "SELECT c.id, c.code_hash, c.expires_at, c.tries_left FROM one_time_codes c
                       JOIN sign_in_methods m ON m.id = c.method_id
                      WHERE c.account_id = ?1 AND c.method_id = ?2 AND c.purpose = ?3
                        AND m.account_id = ?1
                        -- A removed method proves nothing; a verification code for an address
                        -- another account verified first still reaches verify_method, which
                        -- says so.
                        AND (m.removed_at IS NULL OR c.purpose = 'verify_method')
                        AND c.used_at IS NULL AND c.tries_left > 0 AND c.expires_at > ?4
                      ORDER BY c.id DESC LIMIT 1",
                )?
                .query_row(
                    params![account_id, method_id, purpose.as_str(), ts(now)],
                    |r| {
                        Ok(OneTimeRow {
                            id: r.get(0)?,
                            code_hash: r.get(1)?,
                            expires_at: super::parse_ts(&r.get::<_, String>(2)?),
                            tries_left: r.get(3)?,
                        })
                    },
                )
                .optional()?;
            let Some(row) = row else {
                return Ok(OneTimeReservation::NoActiveCode);
            };
            tx.execute(
                "UPDATE one_time_codes SET tries_left = tries_left - 1 WHERE id = ?1",
                [row.id],
            )?;
            let after = reserve(tx, account_id, Guarded::OneTimeCode, now)?;
            let Reservation::Go(after) = after else {
                unreachable!("checked above in the same transaction");
            };
            Ok(OneTimeReservation::Go {
                code_tries_left: row.tries_left - 1,
                row,
                after,
            })
        })
    }

    /// A right one-time code: it is spent, and the one-time counter starts over. Returns
    /// `false`, changing nothing, when that code is not this account's or already used.
    fn one_time_code_used(
        &mut self,
        account_id: i64,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, _| {
            let n = tx.execute(
                "UPDATE one_time_codes SET used_at = ?3 WHERE id = ?1 AND account_id = ?2 AND used_at IS NULL",
                params![code_id, account_id, ts(now)],
            )?;
            if n == 1 {
                save_lockout(tx, account_id, Guarded::OneTimeCode, &Lockout::default())?;
            }
            Ok(n == 1)
        })
    }

    /// The keyed hash a one-time code is stored as: HMAC-SHA-256 under the key file's
    /// one-time-code key over (account, method, purpose, code).
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

    /// The hash of the active recovery code, if any, with its row id.
    fn active_recovery_code(&self, account_id: i64) -> Result<Option<(i64, String)>> {
        self.conn()
            .prepare_cached("SELECT id, code_hash FROM recovery_codes WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL")
            .and_then(|mut s| s.query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| self.err(e))
    }

    /// The persisted counter for one kind of entry.
    fn lockout(&self, account_id: i64, what: Guarded) -> Result<Lockout> {
        load_lockout(self.conn(), account_id, what).map_err(|e| self.err(e))
    }

    /// The password hash (for sign-in and re-authentication).
    fn password_hash(&self, account_id: i64) -> Result<String> {
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

    fn password_from_waited_change(&self, account_id: i64) -> Result<bool> {
        self.conn()
            .query_row(
                super::read::PASSWORD_FROM_WAITED_CHANGE,
                [account_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
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

/// Cancels the waiting change `change_id` and revokes the recovery code its recovery issued
/// (`issued`), if still active: whoever ran that recovery saw it. Returns whether a code was
/// revoked.
fn cancel_change(
    tx: &Transaction<'_>,
    account_id: i64,
    change_id: i64,
    issued: Option<i64>,
    requested_at: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    tx.execute(
        "UPDATE pending_changes SET cancelled_at = ?3 WHERE id = ?1 AND account_id = ?2",
        params![change_id, account_id, ts(now)],
    )?;
    let revoked = match issued {
        Some(code_id) => tx.execute(
            "UPDATE recovery_codes SET revoked_at = ?3 WHERE id = ?1 AND account_id = ?2 AND revoked_at IS NULL AND used_at IS NULL",
            params![code_id, account_id, ts(now)],
        )?,
        // A change recorded before the code it issued was kept (schema 1): the active code,
        // if the recovery that asked for the change issued it.
        None => {
            let requested = super::parse_ts(requested_at);
            let since = requested - chrono::Duration::minutes(pending_change::PROOF_VALID_MINUTES);
            tx.execute(
                "UPDATE recovery_codes SET revoked_at = ?4 WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL AND created_at >= ?2 AND created_at <= ?3",
                params![account_id, ts(since), requested_at, ts(now)],
            )?
        }
    };
    Ok(revoked > 0)
}

/// The notice of a cancelled change; `why` (when not empty) says what cancelled it.
pub(crate) fn cancelled_body(revoked: bool, why: &str) -> String {
    let mut body = String::from("The pending password change on your account was cancelled");
    if !why.is_empty() {
        body.push(' ');
        body.push_str(why);
    }
    body.push('.');
    if revoked {
        body.push_str(" The recovery code issued by that recovery no longer works: sign in and generate a new recovery code.");
    }
    body
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
    lock_notice(tx, key, account_id, what, after, now)?;
    Ok(after)
}

/// Refuses a guess while locked or blocked; otherwise counts it as a failure in advance.
fn reserve(
    tx: &rusqlite::Connection,
    account_id: i64,
    what: Guarded,
    now: DateTime<Utc>,
) -> rusqlite::Result<Reservation> {
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

/// What a lockout's notice calls the kind of entry it locked.
fn entry_words(what: Guarded) -> &'static str {
    match what {
        Guarded::Password => "password",
        Guarded::RecoveryCode => "recovery code",
        Guarded::OneTimeCode => "security code",
    }
}

/// The security event's detail and the notice's body of a lockout that a wrong answer
/// started; `None` when it started none.
pub(crate) fn lock_words(what: Guarded, after: AfterFailure) -> Option<(String, String)> {
    match after {
        AfterFailure::TriesLeft(_) => None,
        AfterFailure::LockedUntil(until) => {
            let shown = until.format("%Y-%m-%d %H:%M UTC");
            Some((
                format!("{} entry locked until {shown}", entry_words(what)),
                format!(
                    "After 5 wrong attempts, {} entry on your account is locked until {shown}.",
                    entry_words(what)
                ),
            ))
        }
        AfterFailure::Blocked => Some((
            format!(
                "{} entry blocked after 100 wrong attempts",
                entry_words(what)
            ),
            format!(
                "After 100 wrong attempts in a row, {} entry on your account stays locked until you get in another way. If this wasn't you, recover your account now.",
                entry_words(what)
            ),
        )),
    }
}

/// The subject of a lockout's notice.
pub(crate) const LOCK_SUBJECT: &str = "Too many wrong attempts";

/// The security event and notices of a lockout that a wrong answer started.
fn lock_notice(
    tx: &rusqlite::Connection,
    key: &OutboxKey,
    account_id: i64,
    what: Guarded,
    after: AfterFailure,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
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

/// An authenticator app as the holder's own checks need it.
pub struct LiveApp {
    pub id: i64,
    /// The TOTP secret, wiped when dropped.
    pub secret: zeroize::Zeroizing<Vec<u8>>,
    pub verified: bool,
    /// The last step a code was accepted for (0: none yet).
    pub last_step: i64,
}

impl std::fmt::Debug for LiveApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveApp")
            .field("id", &self.id)
            .field("verified", &self.verified)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// What an app's sealed secret is bound to: its account (a secret moved to another account's
/// row does not open).
pub(crate) fn app_aad(account_id: i64) -> Vec<u8> {
    format!("authenticator-app\u{1f}{account_id}").into_bytes()
}

/// The subject of a "Forgot username?" message.
pub const USERNAME_SUBJECT: &str = "Your username";

/// At most one username reminder per address in this long.
pub const USERNAME_REMINDER_EVERY: chrono::Duration = chrono::Duration::minutes(10);

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
    conn.prepare_cached("SELECT failures, lock_count, locked_until, streak FROM lockouts WHERE account_id = ?1 AND kind = ?2")?
        .query_row(params![account_id, what.as_str()], |r| {
            Ok(Lockout {
                failures: r.get(0)?,
                lock_count: r.get(1)?,
                locked_until: parse_ts_opt(r.get(2)?),
                streak: r.get(3)?,
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
        "INSERT INTO lockouts (account_id, kind, failures, lock_count, locked_until, streak) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account_id, kind) DO UPDATE SET failures = excluded.failures, lock_count = excluded.lock_count, locked_until = excluded.locked_until, streak = excluded.streak",
    )?
    .execute(params![account_id, what.as_str(), l.failures, l.lock_count, l.locked_until.map(ts), l.streak])?;
    Ok(())
}

/// Links the account's newest event to the method it was about (the owner's own view shows
/// that method's address in full).
fn link_last_event(
    tx: &rusqlite::Connection,
    account_id: i64,
    method_id: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO event_methods (event_id, method_id)
         SELECT max(id), ?2 FROM security_events WHERE account_id = ?1",
        params![account_id, method_id],
    )?;
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
