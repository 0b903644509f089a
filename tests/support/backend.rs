//! One test, both backends (SPEC §9: one conformance suite). `on_both_backends!` turns each
//! test written inside it into `name::sqlite` and `name::postgres`, the same body run once on
//! an SQLite file and once on a PostgreSQL database of its own (on the binary's throwaway
//! cluster, `recovery_desk::testing::pg`). Inside the body, [`Db::new`] (and the holder
//! `Fixture`, which uses it) opens the backend of the test that is running.
//!
//! Without PostgreSQL's binaries the `postgres` half passes after one line saying it did not
//! run, unless `RECOVERY_DESK_REQUIRE_PG=1` makes that a failure.

use recovery_desk::store::Access;
use recovery_desk::store::any::{AnyStore, Target};
use recovery_desk::testing::pg::{self, PgDb};
use std::cell::Cell;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

thread_local! {
    /// The backend of the test running on this thread (libtest runs each test on its own).
    static CURRENT: Cell<Backend> = const { Cell::new(Backend::Sqlite) };
}

/// The backend of the test that is running.
pub fn current() -> Backend {
    CURRENT.with(Cell::get)
}

/// Runs `body` as a test on `backend`; on PostgreSQL only when the cluster can be had.
pub fn run(backend: Backend, body: fn()) {
    if backend == Backend::Postgres && pg::binaries().is_none() {
        pg::did_not_run("no initdb under /usr/lib/postgresql");
        return;
    }
    CURRENT.with(|c| c.set(backend));
    body();
}

/// A database of the running test's backend: a file in a private directory, or a database of
/// its own on the cluster; with the key file it uses.
pub struct Db {
    pub target: Target,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDb>,
}

impl Db {
    /// A new database on the running test's backend: an SQLite path (the file is made on
    /// first open), or a PostgreSQL database with its schema and roles made by `setup`.
    pub fn new() -> Db {
        match current() {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                // Created on first open, the way the holder console creates it (a test may
                // seed it with `seed::ensure_demo` first, which wants no file there).
                let path = dir.path().join("holder.db");
                Db {
                    target: Target::new(&path, None).unwrap(),
                    _dir: Some(dir),
                    _pg: None,
                }
            }
            Backend::Postgres => {
                let db = pg::fresh_database().expect("PostgreSQL is available (checked by run)");
                Db {
                    target: db.target(),
                    _dir: None,
                    _pg: Some(db),
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self.target {
            Target::File { .. } => Backend::Sqlite,
            Target::Postgres { .. } => Backend::Postgres,
        }
    }

    /// What `--db` takes: the file, or the URL.
    pub fn db_arg(&self) -> PathBuf {
        match &self.target {
            Target::File { path, .. } => path.clone(),
            Target::Postgres { url, .. } => PathBuf::from(url),
        }
    }

    pub fn key(&self) -> &Path {
        self.target.key()
    }

    /// The holder's store (a connection of its own, as another process would have); on
    /// SQLite it creates the file the first time, as the holder console does.
    pub fn open(&self) -> AnyStore {
        AnyStore::open(&self.target, Access::Create).unwrap()
    }

    /// The first column of each row `sql` returns, as text, read outside the product (SQLite
    /// through its own connection; PostgreSQL as the superuser).
    pub fn strings(&self, sql: &str) -> Vec<String> {
        match &self.target {
            Target::File { path, .. } => {
                use rusqlite::types::Value;
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut stmt = conn.prepare(sql).unwrap();
                stmt.query_map([], |r| r.get::<_, Value>(0))
                    .unwrap()
                    .map(|v| match v.unwrap() {
                        Value::Null => String::new(),
                        Value::Integer(i) => i.to_string(),
                        Value::Real(f) => f.to_string(),
                        Value::Text(t) => t,
                        Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                    })
                    .collect()
            }
            Target::Postgres { url, .. } => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.query(sql, &[])
                    .unwrap()
                    .iter()
                    .map(|r| pg_text(r, 0))
                    .collect()
            }
        }
    }

    /// The binary with `--db` and `--key` naming this database.
    pub fn command(&self) -> std::process::Command {
        let mut c = super::cli::bin();
        c.arg("--db")
            .arg(self.db_arg())
            .arg("--key")
            .arg(self.key());
        c
    }
}

/// Column `i` of a PostgreSQL row as text, whatever its type.
fn pg_text(r: &postgres::Row, i: usize) -> String {
    use postgres::types::Type;
    let t = r.columns()[i].type_().clone();
    if t == Type::INT8 {
        r.get::<_, Option<i64>>(i)
            .map(|v| v.to_string())
            .unwrap_or_default()
    } else if t == Type::INT4 {
        r.get::<_, Option<i32>>(i)
            .map(|v| v.to_string())
            .unwrap_or_default()
    } else if t == Type::BOOL {
        r.get::<_, Option<bool>>(i)
            .map(|v| v.to_string())
            .unwrap_or_default()
    } else {
        r.get::<_, Option<String>>(i).unwrap_or_default()
    }
}

/// Each test inside runs twice, as `name::sqlite` and `name::postgres`. Write the tests
/// without `#[test]`; doc comments are kept.
#[macro_export]
macro_rules! on_both_backends {
    ($( $(#[$m:meta])* fn $name:ident() $body:block )*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $(#[$m])*
                fn body() $body
                #[test]
                fn sqlite() {
                    $crate::support::backend::run($crate::support::backend::Backend::Sqlite, body)
                }
                #[test]
                fn postgres() {
                    $crate::support::backend::run($crate::support::backend::Backend::Postgres, body)
                }
            }
        )*
    };
}
