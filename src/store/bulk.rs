//! Bulk insertion of synthetic accounts, for benchmarks and load tests at a million accounts
//! (`examples/bulk_seed.rs`). Batches go in one IMMEDIATE transaction each, through cached
//! prepared statements; the synthetic accounts may share one precomputed hash.

use super::{Result, Store, ts};
use crate::domain::lockout::Guarded;
use crate::domain::pending_change;
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

/// One synthetic account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synthetic {
    pub username: String,
    pub two_step: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub has_code: bool,
    /// Security events to write (oldest first, an hour apart).
    pub events: u8,
    pub pending_change: bool,
    pub code_locked: bool,
}

impl Synthetic {
    /// A deterministic, realistic mix for account number `n`: most have an email, many a
    /// phone, a fifth use two-step verification, most have a recovery code, and a few have a
    /// pending change or a lockout.
    pub fn nth(n: u64) -> Synthetic {
        // A cheap integer hash spreads the properties without an RNG.
        let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17) ^ n;
        Synthetic {
            username: format!("user{n:07}"),
            two_step: h.is_multiple_of(5),
            email: (h % 10 < 7).then(|| format!("user{n:07}@example.com")),
            phone: ((h >> 8) % 10 < 4).then(|| format!("+1555{:07}", n % 10_000_000)),
            has_code: (h >> 16) % 10 < 8,
            events: 1 + ((h >> 24) % 6) as u8,
            pending_change: (h >> 32).is_multiple_of(200),
            code_locked: (h >> 40).is_multiple_of(100),
        }
    }
}

impl Store {
    /// Inserts `batch` in one transaction. `hash` is used for every password and code.
    pub fn bulk_insert(
        &mut self,
        batch: &[Synthetic],
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| super::classify(&path, e))?;
        let t = ts(now);
        let r = (|| -> rusqlite::Result<()> {
            let mut acc = tx.prepare_cached("INSERT INTO accounts (username, password_hash, two_step, created_at, password_changed_at) VALUES (?1, ?2, ?3, ?4, ?4)")?;
            let mut method = tx.prepare_cached("INSERT INTO sign_in_methods (account_id, kind, address, verified, added_at) VALUES (?1, ?2, ?3, 1, ?4)")?;
            let mut code = tx.prepare_cached("INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES (?1, ?2, ?3)")?;
            let mut event = tx.prepare_cached("INSERT INTO security_events (account_id, at, kind, detail) VALUES (?1, ?2, ?3, '')")?;
            let mut pending = tx.prepare_cached("INSERT INTO pending_changes (account_id, kind, new_password_hash, requested_at, effective_at) VALUES (?1, 'password_reset', ?2, ?3, ?4)")?;
            let mut lock = tx.prepare_cached("INSERT INTO lockouts (account_id, kind, failures, lock_count, locked_until) VALUES (?1, ?2, 0, 1, ?3)")?;
            const KINDS: [&str; 4] = [
                "signed_in",
                "recovery_code_generated",
                "method_verified",
                "password_changed",
            ];
            for s in batch {
                acc.execute(params![s.username, hash, s.two_step, t])?;
                let id = tx.last_insert_rowid();
                if let Some(e) = &s.email {
                    method.execute(params![id, "email", e, t])?;
                }
                if let Some(p) = &s.phone {
                    method.execute(params![id, "phone", p, t])?;
                }
                if s.has_code {
                    code.execute(params![id, hash, t])?;
                }
                for i in 0..s.events {
                    let at = now - Duration::hours(i64::from(s.events - i));
                    event.execute(params![id, ts(at), KINDS[usize::from(i) % KINDS.len()]])?;
                }
                if s.pending_change {
                    pending.execute(params![id, hash, t, ts(pending_change::effective_at(now))])?;
                }
                if s.code_locked {
                    lock.execute(params![
                        id,
                        Guarded::RecoveryCode.as_str(),
                        ts(now + Duration::minutes(15))
                    ])?;
                }
            }
            Ok(())
        })();
        r.map_err(|e| super::classify(&path, e))?;
        tx.commit().map_err(|e| super::classify(&path, e))
    }

    /// How many accounts the database holds.
    pub fn account_count(&self) -> Result<i64> {
        self.conn()
            .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}
