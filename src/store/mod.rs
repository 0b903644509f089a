//! SQLite storage. All SQL in the product lives under this folder.
//!
//! - `mod.rs`     open + migrate, file permissions, error classification, time format
//! - `capability` the traits each part of the product holds (`ReadStore`, `HolderStore`,
//!   `AuditLog`, `AgentAdmin`): the seam for a second backend
//! - `sqlite`     the SQLite types behind those traits (`Store`, `ReadOnlyStore`, `SqliteAuditLog`)
//! - `holder`     writes made on behalf of the account holder (one IMMEDIATE transaction each)
//! - `read`       read-only queries for the account view (what the desk may see)
//! - `audit`      the hash-chained audit log; `agents` support agents; `outbox` sent messages
//! - `seed`       the demo database

pub mod agents;
pub mod any;
pub mod audit;
pub mod bulk;
pub mod capability;
pub mod holder;
pub mod keyfile;
pub mod outbox;
pub mod postgres;
pub mod read;
pub mod schema;
pub mod seed;
pub mod sqlite;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use capability::{AgentAdmin, AuditLog, HolderStore, ReadStore};
pub use schema::CURRENT_VERSION;
pub use sqlite::ReadOnlyStore;

/// How long a connection waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything that can go wrong with the database, each a sentence a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory {}: {}", .dir.display(), io_reason(.io))]
    CreateDir { dir: PathBuf, io: io::Error },
    #[error("cannot create the database {}: {}", .path.display(), io_reason(.io))]
    CreateFile { path: PathBuf, io: io::Error },
    #[error("cannot open the database {}: {}", .path.display(), io_reason(.io))]
    OpenFile { path: PathBuf, io: io::Error },
    #[error("{} is not a recovery-desk database (it is not an SQLite file, or it is damaged)", .path.display())]
    NotADatabase { path: PathBuf },
    #[error("{} has schema version {found}, newer than this recovery-desk understands ({supported}); use a newer recovery-desk", .path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{} has schema version {found}, older than this recovery-desk's {supported}; upgrade it by opening it once with the account console: recovery-desk --db {}", .path.display(), .path.display())]
    OlderSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{} is locked by another process; gave up after {} seconds", .path.display(), BUSY_TIMEOUT.as_secs())]
    Locked { path: PathBuf },
    #[error("cannot write to {}: the file or its directory is read-only", .path.display())]
    ReadOnly { path: PathBuf },
    #[error("the disk holding {} is full; nothing was changed", .path.display())]
    DiskFull { path: PathBuf },
    #[error("{} is damaged (SQLite reports corruption)", .path.display())]
    Corrupt { path: PathBuf },
    #[error("the database refused the change: {0}")]
    Refused(String),
    #[error("database error on {}: {msg}", .path.display())]
    Other { path: PathBuf, msg: String },
    #[error("{0}")]
    Conflict(&'static str),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("the key file {} is unusable: {reason}", .path.display())]
    KeyFile { path: PathBuf, reason: String },
    #[error("no database at {}; check --db (the holder console, `agent add` and --demo create one)", .path.display())]
    Missing { path: PathBuf },
    /// PostgreSQL said no, or the URL is wrong: `msg` says what to do.
    #[error("PostgreSQL database {target}: {msg}")]
    Pg { target: String, msg: String },
    #[error("cannot reach the PostgreSQL server of {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error(
        "lost the connection to PostgreSQL ({target}); anything unfinished was rolled back, nothing was half-written. Try again once the server is back"
    )]
    ConnectionLost { target: String },
    #[error("PostgreSQL database {target} has schema version {found}; this recovery-desk needs {supported}. {}", if .found > .supported { "Use a newer recovery-desk" } else { "Migrate it with: recovery-desk --db URL setup" })]
    PgSchema {
        target: String,
        found: i64,
        supported: i64,
    },
}

pub(crate) fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::ReadOnlyFilesystem => "read-only file system".into(),
        io::ErrorKind::StorageFull => "no space left on device".into(),
        io::ErrorKind::IsADirectory => "it is a directory, not a database file".into(),
        _ => e.to_string(),
    }
}

/// The metadata of the database file at `path`, or why it cannot be one: missing, a directory
/// (a mistyped `--db`), or unreadable.
pub(crate) fn existing_file(path: &Path) -> Result<fs::Metadata> {
    let m = fs::metadata(path).map_err(|io| open_error(path, io))?;
    if m.is_dir() {
        return Err(open_error(path, io::ErrorKind::IsADirectory.into()));
    }
    Ok(m)
}

/// Why the database file at `path` could not be opened: missing, or `io` named.
fn open_error(path: &Path, io: io::Error) -> StoreError {
    match io.kind() {
        io::ErrorKind::NotFound => StoreError::Missing {
            path: path.to_path_buf(),
        },
        _ => StoreError::OpenFile {
            path: path.to_path_buf(),
            io,
        },
    }
}

/// Whether the filesystem holding `path` has (almost) no space left: SQLite reports ENOSPC
/// on its shared-memory file as a plain I/O error, so the cause is checked here.
fn disk_is_full(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(directory_of(path).as_os_str().as_bytes()) else {
        return false;
    };
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return false;
    }
    (st.f_bavail as u64).saturating_mul(st.f_frsize as u64) < 64 * 1024
}

/// The directory a file lives in: its parent, or the current directory for a bare name
/// (whose parent is the empty path, which no system call accepts).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Turns an SQLite error into one of ours, naming the file.
pub(crate) fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        if matches!(
            f.code,
            ErrorCode::SystemIoFailure | ErrorCode::CannotOpen | ErrorCode::DiskFull
        ) && disk_is_full(&path)
        {
            return StoreError::DiskFull { path };
        }
        return match f.code {
            ErrorCode::NotADatabase => StoreError::NotADatabase { path },
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked { path },
            ErrorCode::ReadOnly => StoreError::ReadOnly { path },
            ErrorCode::DiskFull => StoreError::DiskFull { path },
            ErrorCode::DatabaseCorrupt => StoreError::Corrupt { path },
            ErrorCode::AuthorizationForStatementDenied => {
                StoreError::Refused(msg.clone().unwrap_or_else(|| "not authorized".into()))
            }
            ErrorCode::CannotOpen => StoreError::OpenFile {
                path,
                io: io::Error::other("SQLite cannot open it"),
            },
            ErrorCode::ConstraintViolation => {
                StoreError::Conflict("that change conflicts with data already stored")
            }
            _ => StoreError::Other {
                path,
                msg: msg.clone().unwrap_or_else(|| f.to_string()),
            },
        };
    }
    StoreError::Other {
        path,
        msg: e.to_string(),
    }
}

/// Store-wide result.
pub type Result<T> = std::result::Result<T, StoreError>;

/// How a connection is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Create the database (and its key file) if missing, migrate, read and write: the holder
    /// console, `agent add` and `--demo`.
    Create,
    /// An existing database only (a missing file is an error), migrated, read and write.
    Existing,
    /// An existing, current database, SQLite read-only: any write fails in SQLite itself.
    /// Used for the desk's account reads. Loads no keys and migrates nothing.
    ReadOnly,
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The key file's keys; loaded by read-write opens only.
    keys: Option<keyfile::Keys>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Creates `dir` (and parents) with mode 0700 where it does not exist yet. An existing
/// directory, or the empty path (a bare file name's parent), is left as it is: the recursive
/// builder already counts both as done.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|io| StoreError::CreateDir {
            dir: dir.to_path_buf(),
            io,
        })
}

impl Store {
    /// Opens (creating with mode 0600 in a 0700 directory if missing) and migrates.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, Access::Create)
    }

    /// Opens an existing database read-write and migrates it; never creates one.
    pub fn open_existing(path: &Path) -> Result<Store> {
        Self::open_with(path, Access::Existing)
    }

    /// Opens an existing database read-only (SQLite refuses every write on this connection).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Self::open_with(path, Access::ReadOnly)
    }

    pub fn open_with(path: &Path, access: Access) -> Result<Store> {
        Self::open_with_key(path, access, &keyfile::default_path(path))
    }

    /// Opens `path` with the key file at `key_path` (read-write opens only read it).
    pub fn open_with_key(path: &Path, access: Access, key_path: &Path) -> Result<Store> {
        Self::open_migrated_to(path, access, key_path, CURRENT_VERSION)
    }

    /// Opens (creating if missing) and migrates only as far as schema `version`, as a release
    /// of that version left its files: for tests of the migrations after it. The store's
    /// queries are this build's.
    #[cfg(feature = "testing")]
    pub fn open_at_version(path: &Path, version: i64) -> Result<Store> {
        Self::open_migrated_to(path, Access::Create, &keyfile::default_path(path), version)
    }

    fn open_migrated_to(
        path: &Path,
        access: Access,
        key_path: &Path,
        target: i64,
    ) -> Result<Store> {
        let flags = match access {
            Access::Create | Access::Existing => {
                if let (Access::Create, Some(dir)) = (access, path.parent()) {
                    ensure_private_dir(dir)?;
                }
                if !path.exists() && access == Access::Create {
                    OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(path)
                        .map_err(|io| StoreError::CreateFile {
                            path: path.to_path_buf(),
                            io,
                        })?;
                } else {
                    OpenOptions::new()
                        .read(true)
                        .write(true)
                        .open(path)
                        .map_err(|io| match io.kind() {
                            io::ErrorKind::PermissionDenied => StoreError::ReadOnly {
                                path: path.to_path_buf(),
                            },
                            _ => open_error(path, io),
                        })?;
                }
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
            Access::ReadOnly => {
                existing_file(path)?;
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
        };
        // An empty file is no database to use when the caller asked for an existing one (and
        // it stays empty: nothing below may write to it).
        if access == Access::Existing && fs::metadata(path).map(|m| m.len() == 0).unwrap_or(false) {
            return Err(StoreError::NotADatabase {
                path: path.to_path_buf(),
            });
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            keys: None,
        };
        store.configure(access)?;
        match access {
            Access::Create | Access::Existing => {
                // A new (empty) database gets a new key file; an existing one must have its own.
                let fresh = store.schema_version()? == 0;
                let keys = keyfile::Keys::load_or_create(key_path, path, fresh)?;
                store.migrate(&keys, target)?;
                store.keys = Some(keys);
            }
            Access::ReadOnly => store.check_version_exact()?,
        }
        Ok(store)
    }

    /// The key file's keys (read-write stores only).
    pub(crate) fn keys(&self) -> Result<&keyfile::Keys> {
        self.keys.as_ref().ok_or(StoreError::ReadOnly {
            path: self.path.clone(),
        })
    }

    fn configure(&mut self, access: Access) -> Result<()> {
        let p = self.path.clone();
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| classify(&p, e))?;
        self.conn.set_prepared_statement_cache_capacity(64);
        // Reading the schema is the first real access: a non-database file fails here.
        self.conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| classify(&p, e))?;
        if access != Access::ReadOnly {
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| classify(&p, e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Other {
                    path: p,
                    msg: format!("could not switch to WAL (journal mode is {mode})"),
                });
            }
            // secure_delete: what a change removes (an old hash, a name typed in the wrong
            // field) is overwritten, not left in a free page of the file.
            self.conn
                .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;")
                .map_err(|e| classify(&p, e))?;
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|e| classify(&p, e))?;
        Ok(())
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| classify(&self.path, e))
    }

    fn check_version_exact(&self) -> Result<()> {
        let found = self.schema_version()?;
        if found > CURRENT_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found,
                supported: CURRENT_VERSION,
            });
        }
        if found < CURRENT_VERSION {
            return Err(StoreError::OlderSchema {
                path: self.path.clone(),
                found,
                supported: CURRENT_VERSION,
            });
        }
        Ok(())
    }

    /// Runs every migration the file has not seen up to `target` (this build's version but
    /// in tests), each in one IMMEDIATE transaction (with its Rust step, if any, in the same
    /// transaction).
    fn migrate(&mut self, keys: &keyfile::Keys, target: i64) -> Result<()> {
        let p = self.path.clone();
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| classify(&p, e))?;
            let found: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| classify(&p, e))?;
            if found > CURRENT_VERSION {
                return Err(StoreError::NewerSchema {
                    path: p,
                    found,
                    supported: CURRENT_VERSION,
                });
            }
            if found >= target {
                return Ok(());
            }
            if found < 0 {
                return Err(StoreError::NotADatabase { path: p });
            }
            tx.execute_batch(schema::MIGRATIONS[found as usize])
                .map_err(|e| classify(&p, e))?;
            schema::after_migration(&tx, found + 1, keys, &p)?;
            tx.pragma_update(None, "user_version", found + 1)
                .map_err(|e| classify(&p, e))?;
            tx.commit().map_err(|e| classify(&p, e))?;
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for this module's submodules only.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }

    /// The pages this connection has read into its page cache since it was opened, from the
    /// file or its WAL (SQLite's `SQLITE_DBSTATUS_CACHE_MISS`). After
    /// [`Store::release_page_cache`], the pages a query touched. For the benches.
    #[cfg(feature = "testing")]
    pub fn pages_read(&self) -> i64 {
        let (mut current, mut high) = (0, 0);
        // SAFETY: the handle stays valid while `self` lives; this only reads two counters
        // into the locals passed.
        unsafe {
            rusqlite::ffi::sqlite3_db_status(
                self.conn.handle(),
                rusqlite::ffi::SQLITE_DBSTATUS_CACHE_MISS,
                &mut current,
                &mut high,
                0,
            );
        }
        i64::from(current)
    }

    /// Empties this connection's page cache (its prepared statements stay), so the next
    /// query reads every page it needs from the file, as a connection whose cache another
    /// process's write reset would. For the benches.
    #[cfg(feature = "testing")]
    pub fn release_page_cache(&self) {
        // SAFETY: the handle stays valid while `self` lives, and no statement is running
        // (each query here runs to completion inside a `&self` method).
        unsafe {
            rusqlite::ffi::sqlite3_db_release_memory(self.conn.handle());
        }
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// A digest of every row of every account table, to prove something did not change.
    pub fn account_tables_digest(&self) -> Result<Vec<(String, String)>> {
        use sha2::{Digest, Sha256};
        let mut out = vec![];
        for table in schema::ACCOUNT_TABLES {
            // Ordered by every column: `lockouts` is WITHOUT ROWID, so it has no rowid.
            let cols = self
                .conn
                .prepare(&format!("SELECT * FROM {table}"))
                .map_err(|e| self.err(e))?
                .column_count();
            let order: Vec<String> = (1..=cols).map(|i| i.to_string()).collect();
            let mut stmt = self
                .conn
                .prepare(&format!(
                    "SELECT * FROM {table} ORDER BY {}",
                    order.join(", ")
                ))
                .map_err(|e| self.err(e))?;
            let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
            let mut h = Sha256::new();
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                for i in 0..cols {
                    let v: rusqlite::types::Value = row.get(i).map_err(|e| self.err(e))?;
                    h.update(format!("{v:?}\u{1f}").as_bytes());
                }
                h.update(b"\x1e");
            }
            out.push((table.to_string(), hex(&h.finalize())));
        }
        Ok(out)
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

const TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// UTC time as stored.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.format(TS_FORMAT).to_string()
}

/// Stored time back to UTC; a malformed value reads as the epoch rather than failing a screen.
pub(crate) fn parse_ts(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, TS_FORMAT)
        .map(|n| n.and_utc())
        .unwrap_or_default()
}

pub(crate) fn parse_ts_opt(s: Option<String>) -> Option<DateTime<Utc>> {
    s.as_deref().map(parse_ts)
}

/// A fresh directory that lives as long as the returned guard, and a database path in it
/// (for the store's unit tests).
#[cfg(test)]
pub(crate) fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let db = tmp.path().join("x.db");
    (tmp, db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A disk with room is not called full: an I/O error there is reported as what it is.
    #[test]
    fn a_disk_with_room_is_not_called_full() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!disk_is_full(&tmp.path().join("x.db")));
        assert!(!disk_is_full(Path::new("x.db")));
    }

    /// A filesystem with no blocks free is called full (procfs reports none available), so an
    /// I/O error there is reported as a full disk, which the person can act on.
    #[test]
    fn a_filesystem_with_no_room_is_called_full() {
        assert!(disk_is_full(Path::new("/proc/self/x.db")));
    }

    /// `--db x.db` lives in the current directory, so that is the filesystem asked whether it
    /// is full (the empty parent of a bare name is no path at all).
    #[test]
    fn a_bare_file_name_is_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("x.db")), Path::new("."));
        assert_eq!(directory_of(Path::new("d/x.db")), Path::new("d"));
        assert_eq!(directory_of(Path::new("/x.db")), Path::new("/"));
    }

    /// An existing directory keeps its mode, and a bare file name's empty parent is no error.
    #[test]
    fn a_private_directory_is_made_once_and_an_existing_one_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let made = tmp.path().join("a/b");
        ensure_private_dir(&made).unwrap();
        assert_eq!(mode(&made), 0o700);
        fs::set_permissions(&made, fs::Permissions::from_mode(0o750)).unwrap();
        ensure_private_dir(&made).unwrap();
        assert_eq!(mode(&made), 0o750);
        ensure_private_dir(Path::new("")).unwrap();
    }

    /// The cause of a failed open is named in words, not as an OS error number.
    #[test]
    fn file_errors_name_their_cause() {
        let said = |errno| {
            StoreError::OpenFile {
                path: "x.db".into(),
                io: io::Error::from_raw_os_error(errno),
            }
            .to_string()
        };
        assert_eq!(
            said(libc::ENOENT),
            "cannot open the database x.db: no such file or directory"
        );
        assert!(said(libc::EACCES).ends_with(": permission denied"));
        assert!(said(libc::EROFS).ends_with(": read-only file system"));
        assert!(said(libc::ENOSPC).ends_with(": no space left on device"));
        assert!(said(libc::EISDIR).ends_with(": it is a directory, not a database file"));
    }

    /// The two checks the read-only tests lean on can fail: a healthy file says "ok", and the
    /// digest sees every account-table write (so "unchanged" means unchanged).
    #[test]
    fn integrity_and_the_account_digest_see_what_they_claim_to() {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = Store::open(&tmp.path().join("x.db")).unwrap();
        assert_eq!(s.integrity_check().unwrap(), "ok");
        let empty = s.account_tables_digest().unwrap();
        assert_eq!(empty.len(), schema::ACCOUNT_TABLES.len());
        let t = chrono::Utc::now();
        let id = s.create_account("jane", "hash", t).unwrap();
        let one = s.account_tables_digest().unwrap();
        assert_ne!(one, empty);
        s.set_two_step(id, true, t).unwrap();
        assert_ne!(s.account_tables_digest().unwrap(), one);
    }

    #[test]
    fn creates_private_file_and_dir_and_migrates() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let db = dir.join("x.db");
        let s = Store::open(&db).unwrap();
        assert_eq!(s.schema_version().unwrap(), CURRENT_VERSION);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);
        let jm: String = s
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(jm, "wal");
        let fk: i64 = s
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        drop(s);
        // Re-opening is a no-op migration.
        assert_eq!(
            Store::open(&db).unwrap().schema_version().unwrap(),
            CURRENT_VERSION
        );
    }

    #[test]
    fn newer_schema_is_refused() {
        let (_tmp, db) = temp_db();
        let s = Store::open(&db).unwrap();
        s.conn().pragma_update(None, "user_version", 99).unwrap();
        drop(s);
        let e = Store::open(&db).unwrap_err();
        assert!(
            matches!(e, StoreError::NewerSchema { found: 99, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("newer"));
    }

    #[test]
    fn not_a_database_is_named() {
        let (_tmp, db) = temp_db();
        fs::write(
            &db,
            b"hello, this is not sqlite at all, just text padding it out........",
        )
        .unwrap();
        let e = Store::open(&db).unwrap_err();
        assert!(matches!(e, StoreError::NotADatabase { .. }), "{e:?}");
    }

    #[test]
    fn read_only_connection_refuses_writes() {
        let (_tmp, db) = temp_db();
        drop(Store::open(&db).unwrap());
        let ro = Store::open_read_only(&db).unwrap();
        let e = ro
            .conn()
            .execute(
                "INSERT INTO agents (name, password_hash, created_at) VALUES ('x','y','z')",
                [],
            )
            .unwrap_err();
        assert!(matches!(ro.err(e), StoreError::ReadOnly { .. }));
    }

    #[test]
    fn timestamps_round_trip() {
        let t = Utc::now();
        let back = parse_ts(&ts(t));
        assert!((t - back).num_milliseconds().abs() <= 1);
    }
}
