//! Bulk insertion of synthetic accounts on PostgreSQL (`examples/bulk_seed.rs`): each batch is
//! one transaction of `COPY … FROM STDIN`, one per table; accounts take ids given here so
//! their rows can refer to them (several loaders at once each take a range), and the id
//! sequence is moved past them at the end.

use super::holder::PgStore;
use super::{PgConn, Role, TxResult};
use crate::domain::lockout::Guarded;
use crate::domain::pending_change;
use crate::store::bulk::Synthetic;
use crate::store::keyfile::Keys;
use crate::store::{Result, ts};
use chrono::{DateTime, Duration, Utc};
use std::io::Write;
use std::path::Path;

/// One COPY text field: the product's values hold no tab, newline or backslash, but escape
/// them anyway so a row can never split.
fn field(out: &mut Vec<u8>, v: &str) {
    for b in v.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

fn row(out: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        field(out, f);
    }
    out.push(b'\n');
}

fn copy(tx: &mut postgres::Transaction<'_>, sql: &str, data: &[u8]) -> TxResult<()> {
    let mut w = tx.copy_in(sql)?;
    w.write_all(data)
        .map_err(|e| crate::store::StoreError::Other {
            path: "COPY".into(),
            msg: e.to_string(),
        })?;
    w.finish()?;
    Ok(())
}

impl PgStore {
    /// Opens as the login itself (the owner that ran `setup`): the bulk seeder moves the
    /// accounts' id sequence, which the holder role may not.
    pub fn open_as_owner(url: &str, key: &Path) -> Result<PgStore> {
        let conn = PgConn::open(url, Role::Owner)?;
        super::schema::check_current(&conn)?;
        let keys = Keys::load(key)?;
        Ok(PgStore::from_parts(conn, Some(keys)))
    }

    /// Inserts `batch` in one transaction, after the accounts there are, and moves the id
    /// sequence past them. `hash` is used for every password and code.
    pub fn bulk_insert(
        &mut self,
        batch: &[Synthetic],
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let first: i64 = self.conn.with(|c| {
            Ok(
                c.query_one("SELECT coalesce(max(id), 0) + 1 FROM accounts", &[])?
                    .get(0),
            )
        })?;
        self.bulk_insert_at(first, batch, hash, now)?;
        self.bulk_done()
    }

    /// Moves the accounts' id sequence past the highest id, after loads made with
    /// [`PgStore::bulk_insert_at`] (the next account created the normal way takes the next id).
    pub fn bulk_done(&mut self) -> Result<()> {
        self.conn.with(|c| {
            c.execute(
                "SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts))",
                &[],
            )?;
            Ok(())
        })
    }

    /// Inserts `batch` in one transaction, its accounts taking ids `first`, `first + 1`, …:
    /// loaders on several connections at once each take their own range.
    pub fn bulk_insert_at(
        &mut self,
        first: i64,
        batch: &[Synthetic],
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        const KINDS: [&str; 4] = [
            "signed_in",
            "recovery_code_generated",
            "method_verified",
            "password_changed",
        ];
        let t = ts(now);
        let effective = ts(pending_change::effective_at(now));
        let lock_until = ts(now + Duration::minutes(15));
        self.conn.write(None, |tx| {
            let (mut acc, mut meth, mut code, mut ev, mut pend, mut lock) =
                (vec![], vec![], vec![], vec![], vec![], vec![]);
            for (i, s) in batch.iter().enumerate() {
                let id = (first + i as i64).to_string();
                row(&mut acc, &[&id, &s.username, hash, if s.two_step { "t" } else { "f" }, &t, &t]);
                if let Some(e) = &s.email {
                    row(&mut meth, &[&id, "email", e, "t", &t]);
                }
                if let Some(p) = &s.phone {
                    row(&mut meth, &[&id, "phone", p, "t", &t]);
                }
                if s.has_code {
                    row(&mut code, &[&id, hash, &t]);
                }
                let events = s.events();
                for k in 0..events {
                    let at = ts(now - Duration::hours(i64::from(events - k)));
                    row(&mut ev, &[&id, &at, KINDS[k as usize % KINDS.len()], ""]);
                }
                if s.pending_change {
                    row(&mut pend, &[&id, "password_reset", hash, &t, &effective]);
                }
                if s.code_locked {
                    row(&mut lock, &[&id, Guarded::RecoveryCode.as_str(), "0", "1", &lock_until]);
                }
            }
            copy(tx, "COPY accounts (id, username, password_hash, two_step, created_at, password_changed_at) FROM STDIN", &acc)?;
            copy(tx, "COPY sign_in_methods (account_id, kind, address, verified, added_at) FROM STDIN", &meth)?;
            copy(tx, "COPY recovery_codes (account_id, code_hash, created_at) FROM STDIN", &code)?;
            copy(tx, "COPY security_events (account_id, at, kind, detail) FROM STDIN", &ev)?;
            copy(tx, "COPY pending_changes (account_id, kind, new_password_hash, requested_at, effective_at) FROM STDIN", &pend)?;
            copy(tx, "COPY lockouts (account_id, kind, failures, lock_count, locked_until) FROM STDIN", &lock)?;
            Ok(())
        })
    }

    /// Refreshes the planner's statistics after a bulk load.
    pub fn analyze(&mut self) -> Result<()> {
        self.conn.with(|c| Ok(c.batch_execute("ANALYZE")?))
    }
}

/// Loads synthetic accounts `first..first + n` (numbered as [`Synthetic::nth`], ids from
/// `first + 1`) in batches of 10,000 from `loaders` connections at once, each its own batches;
/// calls `progress` with the accounts loaded so far; moves the id sequence past them at the
/// end. Connected as the URL's login (the owner: see [`PgStore::open_as_owner`]).
#[allow(clippy::too_many_arguments)]
pub fn load(
    url: &str,
    key: &Path,
    first: u64,
    n: u64,
    hash: &str,
    now: DateTime<Utc>,
    loaders: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    const BATCH: u64 = 10_000;
    let loaders = loaders.max(1) as u64;
    let batches = n.div_ceil(BATCH);
    let done = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..loaders)
            .map(|k| {
                let done = &done;
                s.spawn(move || -> Result<()> {
                    let mut store = PgStore::open_as_owner(url, key)?;
                    for b in (k..batches).step_by(loaders as usize) {
                        let from = b * BATCH;
                        let take = BATCH.min(n - from);
                        let batch: Vec<Synthetic> = (first + from..first + from + take)
                            .map(Synthetic::nth)
                            .collect();
                        store.bulk_insert_at((first + from + 1) as i64, &batch, hash, now)?;
                        let d = done.fetch_add(take, std::sync::atomic::Ordering::Relaxed) + take;
                        progress(d);
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join().unwrap_or_else(|_| {
                Err(crate::store::StoreError::Other {
                    path: "bulk load".into(),
                    msg: "a loader panicked".into(),
                })
            })
        })
    })?;
    PgStore::open_as_owner(url, key)?.bulk_done()
}
