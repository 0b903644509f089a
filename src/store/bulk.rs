//! Bulk insertion of synthetic accounts, for benchmarks and load tests at millions of accounts
//! (`examples/bulk_seed.rs`, `benches/common.rs`).
//!
//! The rows land where a year of real use would leave them, because a cold-cache lookup is
//! only as fast as the layout lets it be. One sweep signs every account up (the account, its
//! email, its recovery code, an `account_created` event); then [`PASSES`] sweeps over all
//! accounts, one per fortnight of the year, write that fortnight's events, with the phones
//! added and the codes regenerated then. An account's events are therefore written weeks
//! apart, with everyone else's in between, as they are in production. Written together per
//! account they would share a page and flatter every cold figure.
//!
//! Memory stays flat: each sweep streams the accounts in batches of [`BATCH`], one transaction
//! each, through cached prepared statements. During the seed the connection keeps its
//! rollback journal in memory and does not fsync; at the end the file is back in WAL mode and
//! synced. A seed cut short by a crash leaves a damaged file: delete it and seed again.

use super::{Result, Store, ts};
use crate::domain::lockout::Guarded;
use crate::domain::model::event;
use crate::domain::{mask, pending_change};
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

/// Sweeps after the sign-up one: a year in fortnights.
pub const PASSES: u32 = 26;
/// Accounts per transaction.
pub const BATCH: u64 = 20_000;
/// The length of one pass's window of time.
const WINDOW: Duration = Duration::days(14);

/// One synthetic account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synthetic {
    pub username: String,
    pub two_step: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub has_code: bool,
    /// How many of the year's fortnights have an event of this account (besides
    /// `account_created`): 0–5 for most, 20–25 for the 5 % who sign in every other week.
    pub event_passes: u8,
    /// The code was regenerated during the year (the first one revoked, a second one active).
    pub regenerated: bool,
    pub pending_change: bool,
    pub code_locked: bool,
    /// Where this account's passes start (`0..PASSES`), spreading them over the year.
    phase: u32,
    hash: u64,
}

/// A cheap, well-mixed integer hash (splitmix64's finaliser).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Synthetic {
    /// A deterministic, realistic mix for account number `n`: most have an email, many a
    /// phone, a fifth use two-step verification, most have a recovery code (a quarter of
    /// those regenerated it during the year), a few have a pending change or a lockout, and
    /// 5 % are regular users with 21–26 events.
    pub fn nth(n: u64) -> Synthetic {
        let h = mix(n);
        let g = mix(h);
        let heavy = g % 100 < 5;
        let event_passes = if heavy {
            20 + (g >> 8) % 6
        } else {
            (g >> 8) % 6
        } as u8;
        let has_code = (h >> 16) % 10 < 8;
        Synthetic {
            username: format!("user{n:07}"),
            two_step: h.is_multiple_of(5),
            email: (h % 10 < 7).then(|| format!("user{n:07}@example.com")),
            phone: ((h >> 8) % 10 < 4).then(|| format!("+1555{:07}", n % 10_000_000)),
            has_code,
            event_passes,
            regenerated: has_code && event_passes >= 2 && (g >> 16).is_multiple_of(4),
            pending_change: (h >> 32).is_multiple_of(200),
            code_locked: (h >> 40).is_multiple_of(100),
            phase: ((g >> 24) % u64::from(PASSES)) as u32,
            hash: g,
        }
    }

    /// Which of this account's events falls in pass `p` (`0..PASSES`), if one does: its
    /// passes are spread evenly over the year from `phase` on.
    fn event_in(&self, p: u32) -> Option<u32> {
        let k = u32::from(self.event_passes);
        let d = (p + PASSES - self.phase) % PASSES;
        let i = (d * k).div_ceil(PASSES);
        (i < k && i * PASSES / k == d).then_some(i)
    }

    /// Events this account has in all: `account_created` and one per pass it is in.
    pub fn events(&self) -> u32 {
        1 + u32::from(self.event_passes)
    }

    /// The phone is added in the account's first pass (not at sign-up), if it has one.
    fn phone_later(&self) -> bool {
        self.phone.is_some() && self.event_passes > 0
    }
}

/// Where a seed is: sweep 0 signs accounts up, sweeps `1..=PASSES` write the year's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedProgress {
    pub sweep: u32,
    pub sweeps: u32,
    /// Accounts done in this sweep.
    pub accounts: u64,
}

/// What a seed wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seeded {
    /// The number of the first synthetic account written (`Synthetic::nth`).
    pub first: u64,
    pub accounts: u64,
    pub events: u64,
}

/// The year the synthetic accounts live through, ending at `now`.
struct Year {
    now: DateTime<Utc>,
    start: DateTime<Utc>,
}

impl Year {
    fn new(now: DateTime<Utc>) -> Year {
        Year {
            now,
            start: now - WINDOW * PASSES as i32,
        }
    }

    /// A moment in pass `p`'s fortnight, drawn by `h`.
    fn in_pass(&self, p: u32, h: u64) -> DateTime<Utc> {
        self.start + WINDOW * p as i32 + Duration::seconds((h % WINDOW.num_seconds() as u64) as i64)
    }
}

const SIGN_UP_KINDS: [&str; 3] = [
    event::SIGNED_IN,
    event::PASSWORD_CHANGED,
    event::TWO_STEP_ON,
];

impl Store {
    /// Writes `count` synthetic accounts after those already present (numbering continues
    /// with `Synthetic::nth(first)`, `first` being the accounts already there; account
    /// `first + i` gets id `max(id) + 1 + i`). `hash` is used for every password and code.
    /// `progress` is told after each batch.
    pub fn bulk_seed(
        &mut self,
        count: u64,
        hash: &str,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(SeedProgress),
    ) -> Result<Seeded> {
        let path = self.path.clone();
        let sql = |e| super::classify(&path, e);
        let first = self.account_count()? as u64;
        let base: i64 = self
            .conn()
            .query_row("SELECT coalesce(max(id), 0) FROM accounts", [], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        self.bulk_mode(true)?;
        let year = Year::new(now);
        let mut seeded = Seeded {
            first,
            accounts: count,
            events: 0,
        };
        let result = (|| -> Result<()> {
            for sweep in 0..=PASSES {
                let mut done = 0;
                while done < count {
                    let take = BATCH.min(count - done);
                    let from = first + done;
                    let id_of = |n: u64| base + 1 + (n - first) as i64;
                    seeded.events += if sweep == 0 {
                        self.sign_up(from..from + take, id_of, hash, &year)?
                    } else {
                        self.pass(sweep - 1, from..from + take, id_of, hash, &year)?
                    };
                    done += take;
                    progress(SeedProgress {
                        sweep,
                        sweeps: PASSES + 1,
                        accounts: done,
                    });
                }
            }
            Ok(())
        })();
        let restored = self.bulk_mode(false);
        result?;
        restored?;
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|io| super::StoreError::OpenFile {
                path: path.clone(),
                io,
            })?;
        Ok(seeded)
    }

    /// The connection's settings for a seed (`on`), or back to those `Store::open` makes.
    fn bulk_mode(&mut self, on: bool) -> Result<()> {
        let (journal, rest) = if on {
            (
                "MEMORY",
                "PRAGMA synchronous = OFF; PRAGMA secure_delete = OFF; PRAGMA cache_size = -65536;",
            )
        } else {
            (
                "WAL",
                "PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON; PRAGMA cache_size = -2000;",
            )
        };
        let c = self.conn();
        let mode: String = c
            .query_row(&format!("PRAGMA journal_mode = {journal}"), [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        if !mode.eq_ignore_ascii_case(journal) {
            return Err(super::StoreError::Other {
                path: self.path.clone(),
                msg: format!("could not switch the journal to {journal} (it is {mode})"),
            });
        }
        c.execute_batch(rest).map_err(|e| self.err(e))
    }

    /// Sign-up: accounts `range`, with an `account_created` event, the email, the phone when
    /// it is not added later, the first recovery code, and the odd pending change or lockout.
    fn sign_up(
        &mut self,
        range: std::ops::Range<u64>,
        id_of: impl Fn(u64) -> i64,
        hash: &str,
        year: &Year,
    ) -> Result<u64> {
        self.bulk_tx(|tx| {
            let mut acc = tx.prepare_cached("INSERT INTO accounts (id, username, password_hash, two_step, created_at, password_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)")?;
            let mut method = tx.prepare_cached("INSERT INTO sign_in_methods (account_id, kind, address, verified, added_at) VALUES (?1, ?2, ?3, 1, ?4)")?;
            let mut code = tx.prepare_cached("INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES (?1, ?2, ?3)")?;
            let mut ev = tx.prepare_cached("INSERT INTO security_events (account_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)")?;
            let mut pending = tx.prepare_cached("INSERT INTO pending_changes (account_id, kind, new_password_hash, requested_at, effective_at) VALUES (?1, 'password_reset', ?2, ?3, ?4)")?;
            let mut lock = tx.prepare_cached("INSERT INTO lockouts (account_id, kind, failures, lock_count, locked_until) VALUES (?1, ?2, 0, 1, ?3)")?;
            let mut events = 0;
            for n in range {
                let s = Synthetic::nth(n);
                let id = id_of(n);
                // Signed up in the month before the year starts.
                let created = ts(year.start - Duration::seconds((s.hash % (30 * 86_400)) as i64));
                acc.execute(params![id, s.username, hash, s.two_step, created])?;
                ev.execute(params![id, created, event::ACCOUNT_CREATED, ""])?;
                events += 1;
                if let Some(e) = &s.email {
                    method.execute(params![id, "email", e, created])?;
                }
                if let (Some(p), false) = (&s.phone, s.phone_later()) {
                    method.execute(params![id, "phone", p, created])?;
                }
                if s.has_code {
                    code.execute(params![id, hash, created])?;
                }
                if s.pending_change {
                    let requested = year.now - Duration::days((s.hash >> 40) as i64 % 20);
                    pending.execute(params![
                        id,
                        hash,
                        ts(requested),
                        ts(pending_change::effective_at(requested))
                    ])?;
                }
                if s.code_locked {
                    lock.execute(params![
                        id,
                        Guarded::RecoveryCode.as_str(),
                        ts(year.now + Duration::minutes(15))
                    ])?;
                }
            }
            Ok(events)
        })
    }

    /// Pass `p`: the events of accounts `range` in that fortnight; an account's first pass
    /// adds its phone (if it has one to add) and its second regenerates its code (if it does).
    fn pass(
        &mut self,
        p: u32,
        range: std::ops::Range<u64>,
        id_of: impl Fn(u64) -> i64,
        hash: &str,
        year: &Year,
    ) -> Result<u64> {
        self.bulk_tx(|tx| {
            let mut method = tx.prepare_cached("INSERT INTO sign_in_methods (account_id, kind, address, verified, added_at) VALUES (?1, 'phone', ?2, 1, ?3)")?;
            let mut revoke = tx.prepare_cached("UPDATE recovery_codes SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL AND used_at IS NULL")?;
            let mut code = tx.prepare_cached("INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES (?1, ?2, ?3)")?;
            let mut ev = tx.prepare_cached("INSERT INTO security_events (account_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)")?;
            let mut events = 0;
            for n in range {
                let s = Synthetic::nth(n);
                let Some(i) = s.event_in(p) else { continue };
                let id = id_of(n);
                let h = mix(s.hash ^ u64::from(p));
                let at = ts(year.in_pass(p, h));
                match (i, &s.phone) {
                    (0, Some(phone)) => {
                        method.execute(params![id, phone, at])?;
                        ev.execute(params![id, at, event::METHOD_VERIFIED, mask::phone(phone)])?;
                    }
                    (1, _) if s.regenerated => {
                        revoke.execute(params![id, at])?;
                        code.execute(params![id, hash, at])?;
                        ev.execute(params![id, at, event::CODE_GENERATED, ""])?;
                    }
                    _ => {
                        // Mostly sign-ins; now and then a password change or 2SV turned on.
                        let kind = if h.is_multiple_of(16) {
                            SIGN_UP_KINDS[1 + (h >> 4) as usize % 2]
                        } else {
                            SIGN_UP_KINDS[0]
                        };
                        ev.execute(params![id, at, kind, ""])?;
                    }
                }
                events += 1;
            }
            Ok(events)
        })
    }

    /// Runs `f` in one IMMEDIATE transaction.
    fn bulk_tx(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<u64>,
    ) -> Result<u64> {
        let path = self.path.clone();
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| super::classify(&path, e))?;
        let n = f(&tx).map_err(|e| super::classify(&path, e))?;
        tx.commit().map_err(|e| super::classify(&path, e))?;
        Ok(n)
    }

    /// Whether the database holds any account: the first row or none, not a count (a count
    /// reads every account, 20 ms of the console's start at 1,000,000).
    pub fn has_accounts(&self) -> Result<bool> {
        self.conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM accounts)", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// How many accounts the database holds.
    pub fn account_count(&self) -> Result<i64> {
        self.conn()
            .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ReadStore;

    /// A new database has no account; one account is enough to say it has some.
    #[test]
    fn has_accounts_says_whether_any_account_exists() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("a.db")).unwrap();
        assert!(!store.has_accounts().unwrap());
        store
            .bulk_seed(
                1,
                "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                Utc::now(),
                &mut |_| {},
            )
            .unwrap();
        assert!(store.has_accounts().unwrap());
        assert_eq!(store.account_count().unwrap(), 1);
    }

    /// Every account's passes are as many as it says, each in a different fortnight.
    #[test]
    fn an_accounts_events_fall_in_as_many_different_passes_as_it_has() {
        for n in 0..5_000 {
            let s = Synthetic::nth(n);
            let hits: Vec<u32> = (0..PASSES).filter_map(|p| s.event_in(p)).collect();
            let mut sorted = hits.clone();
            sorted.sort();
            assert_eq!(
                sorted,
                (0..u32::from(s.event_passes)).collect::<Vec<_>>(),
                "{n}"
            );
        }
        let heavy = (0..10_000)
            .filter(|&n| Synthetic::nth(n).event_passes >= 20)
            .count();
        assert!(
            (350..650).contains(&heavy),
            "{heavy} regular users in 10,000"
        );
    }

    /// A small seed: the counts it reports are the rows written, every account's view reads,
    /// an account's events are not written together (other accounts' rows lie between them),
    /// and the file is back in WAL mode and sound.
    #[test]
    fn a_seed_scatters_each_accounts_events_among_everyone_elses() {
        let (_tmp, db) = crate::store::temp_db();
        let mut store = Store::open(&db).unwrap();
        let now = Utc::now();
        let mut calls = 0;
        let seeded = store
            .bulk_seed(300, "$argon2id$stand-in", now, &mut |_| calls += 1)
            .unwrap();
        assert_eq!(calls, PASSES + 1);
        assert_eq!(seeded.first, 0);
        let expect: u64 = (0..300)
            .map(|n| u64::from(Synthetic::nth(n).events()))
            .sum();
        assert_eq!(seeded.events, expect);
        let c = store.conn();
        let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM security_events") as u64, expect);
        assert_eq!(count("SELECT count(*) FROM accounts"), 300);
        let phones = (0..300)
            .filter(|&n| Synthetic::nth(n).phone.is_some())
            .count();
        assert_eq!(
            count("SELECT count(*) FROM sign_in_methods WHERE kind = 'phone'") as usize,
            phones
        );
        // One active code per account with a code; the regenerated ones keep a revoked one.
        let with_code = (0..300).filter(|&n| Synthetic::nth(n).has_code).count();
        let regenerated = (0..300).filter(|&n| Synthetic::nth(n).regenerated).count();
        assert!(regenerated > 0);
        assert_eq!(
            count("SELECT count(*) FROM recovery_codes WHERE revoked_at IS NULL") as usize,
            with_code
        );
        assert_eq!(
            count("SELECT count(*) FROM recovery_codes") as usize,
            with_code + regenerated
        );
        // Rows of one account are far apart: the median gap between an account's consecutive
        // event ids is at least a tenth of the accounts.
        let mut gaps: Vec<i64> = c
            .prepare("SELECT id - lag(id) OVER (PARTITION BY account_id ORDER BY id) FROM security_events")
            .unwrap()
            .query_map([], |r| r.get::<_, Option<i64>>(0))
            .unwrap()
            .filter_map(|g| g.unwrap())
            .collect();
        gaps.sort();
        assert!(
            gaps[gaps.len() / 2] > 30,
            "median gap {}",
            gaps[gaps.len() / 2]
        );
        // Time runs with the ids within an account, and ends before now.
        let disordered = count(
            "SELECT count(*) FROM (SELECT at < lag(at) OVER (PARTITION BY account_id ORDER BY id) AS back FROM security_events) WHERE back",
        );
        assert_eq!(disordered, 0);
        for n in [0u64, 17, 299] {
            let v = store.account_view(n as i64 + 1, now).unwrap();
            let s = Synthetic::nth(n);
            assert_eq!(v.account.username, s.username);
            assert_eq!(v.events.len() as u32, s.events().min(20));
            assert_eq!(v.recovery.active_since.is_some(), s.has_code);
        }
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(store.integrity_check().unwrap(), "ok");
        // A second seed continues the numbering.
        let more = store
            .bulk_seed(10, "$argon2id$stand-in", now, &mut |_| {})
            .unwrap();
        assert_eq!(more.first, 300);
        assert_eq!(
            store.account(310).unwrap().username,
            Synthetic::nth(309).username
        );
    }
}
