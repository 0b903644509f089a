//! Throwaway PostgreSQL clusters for the tests (SPEC §8): Debian's `initdb` and `pg_ctl`
//! (`/usr/lib/postgresql/*/bin`), a Unix socket in a temporary directory, no TCP. As root the
//! cluster runs as `nobody` (PostgreSQL refuses to run as root) on a directory given to it.
//! One shared cluster per test binary, stopped when the binary exits; each test gets a
//! database of its own (so tests run in parallel), made with `setup` like a real one.
//!
//! Without the binaries the PostgreSQL tests pass after one line saying they did not run,
//! unless `RECOVERY_DESK_REQUIRE_PG=1` (set by `.ci/run`), which makes that a failure.

use crate::store::any::Target;
use crate::store::postgres::PgStore;
use crate::store::postgres::schema::RolePasswords;
use postgres::{Client, NoTls};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// The variable that turns "did not run" into a failure.
pub const REQUIRE_VAR: &str = "RECOVERY_DESK_REQUIRE_PG";

/// Where Debian puts the server binaries.
const DEBIAN_BINS: &str = "/usr/lib/postgresql";

/// util-linux's `runuser`, found where Debian puts it: `/usr/sbin` is not on every `PATH` (a
/// CI runner's `env -i PATH=/usr/bin:/bin` has no `sbin`).
fn runuser() -> PathBuf {
    [
        "/usr/sbin/runuser",
        "/sbin/runuser",
        "/usr/bin/runuser",
        "/bin/runuser",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
    .unwrap_or_else(|| PathBuf::from("runuser"))
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and `pg_ctl`.
pub fn binaries() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(DEBIAN_BINS)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

/// A running cluster in a directory of its own.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    /// `nobody` when the tests run as root.
    run_as: Option<String>,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

fn unique_dir(tag: &str) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("recovery-desk-{tag}-{}-{n}", std::process::id()))
}

impl Cluster {
    /// Makes and starts a new cluster; `Err` says why not (no binaries, initdb failed).
    pub fn start() -> Result<Cluster, String> {
        Cluster::start_with(false)
    }

    /// As [`Cluster::start`]; with `passwords`, every login but the superuser `postgres` must
    /// give its password (SCRAM), as on a real server.
    pub fn start_with(passwords: bool) -> Result<Cluster, String> {
        let bin = binaries().ok_or_else(|| format!("no initdb under {DEBIAN_BINS}"))?;
        let dir = unique_dir("pg");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // SAFETY: geteuid has no preconditions.
        let run_as = (unsafe { libc::geteuid() } == 0).then(|| "nobody".to_string());
        if let Some(user) = &run_as {
            let uid = uid_of(user).ok_or_else(|| format!("no user {user} to run PostgreSQL as"))?;
            std::os::unix::fs::chown(&dir, Some(uid), None)
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let c = Cluster { dir, bin, run_as };
        let data = c.data();
        c.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        // Faster for tests, never for a real server: the data is thrown away. Commits stay
        // synchronous: a server killed mid-test (the fault test) keeps what it committed, as
        // only the operating system's crash would lose it with fsync off.
        let conf =
            "\nfsync = off\nfull_page_writes = off\nmax_connections = 200\nlisten_addresses = ''\n";
        std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(|e| format!("postgresql.conf: {e}"))?;
        if passwords {
            std::fs::write(
                data.join("pg_hba.conf"),
                "local all postgres trust\nlocal all all scram-sha-256\n",
            )
            .map_err(|e| format!("pg_hba.conf: {e}"))?;
        }
        c.start_again()?;
        Ok(c)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The directory holding the server's Unix socket.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(tool);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new(runuser());
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let out = cmd
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{tool} (run as {:?}): {e}", cmd.get_program()))?;
        if !out.status.success() {
            return Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }

    /// Starts the server (again, after [`Cluster::kill`]) and waits until it takes connections.
    pub fn start_again(&self) -> Result<(), String> {
        let data = self.data();
        let log = self.dir.join("server.log");
        let opts = format!("-k {}", self.dir.display());
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-l",
                log.to_str().unwrap_or_default(),
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
    }

    /// Stops the server at once, as a crash or a pulled cable would (`-m immediate`).
    pub fn kill(&self) -> Result<(), String> {
        let data = self.data();
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        )
    }

    /// The URL of `db` as the superuser `postgres`, over the socket.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql:///{db}?host={}&user=postgres",
            self.dir.display()
        )
    }

    /// The URL of `db` signed in as `user` (the desk or holder role itself).
    pub fn url_as(&self, db: &str, user: &str) -> String {
        format!("postgresql:///{db}?host={}&user={user}", self.dir.display())
    }

    /// A superuser connection to `db`.
    pub fn admin(&self, db: &str) -> Result<Client, String> {
        Client::connect(&self.url(db), NoTls).map_err(|e| e.to_string())
    }

    /// A new, empty database; returns its name.
    pub fn create_database(&self) -> Result<String, String> {
        let name = format!("t{}", NEXT.fetch_add(1, Ordering::Relaxed));
        self.admin("postgres")?
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| e.to_string())?;
        Ok(name)
    }

    /// A new database with the schema and roles (`setup`) and a key file of its own.
    pub fn fresh(&self) -> Result<PgDb, String> {
        let name = self.create_database()?;
        let dir = unique_dir("pgkey");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let key = dir.join("db.key");
        let url = self.url(&name);
        PgStore::setup(&url, &key, &RolePasswords::default()).map_err(|e| e.to_string())?;
        Ok(PgDb {
            name,
            url,
            key,
            key_dir: dir,
        })
    }

    /// Stops the server and removes its directory.
    pub fn destroy(&self) {
        let _ = self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.destroy();
    }
}

/// A test's own database on a cluster.
#[derive(Debug)]
pub struct PgDb {
    pub name: String,
    pub url: String,
    pub key: PathBuf,
    key_dir: PathBuf,
}

impl PgDb {
    /// What `--db` and `--key` name.
    pub fn target(&self) -> Target {
        Target::Postgres {
            url: self.url.clone(),
            key: self.key.clone(),
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.key_dir);
    }
}

fn uid_of(user: &str) -> Option<u32> {
    let name = std::ffi::CString::new(user).ok()?;
    // SAFETY: a valid C string; the result is read at once, before another getpw* call.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    // SAFETY: non-null, as returned by getpwnam.
    Some(unsafe { (*pw).pw_uid })
}

/// The binary's shared cluster; set once.
static SHARED: OnceLock<Mutex<Option<Cluster>>> = OnceLock::new();

extern "C" fn stop_shared() {
    if let Some(c) = SHARED
        .get()
        .and_then(|m| m.lock().ok())
        .and_then(|mut c| c.take())
    {
        c.destroy();
    }
}

/// Whether "did not run" must fail.
pub fn required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1")
}

static SAID: std::sync::Once = std::sync::Once::new();

/// Says once per binary, on the real standard error (not captured), that the PostgreSQL tests
/// did not run and why; fails instead when they are required.
pub fn did_not_run(why: &str) {
    if required() {
        panic!("PostgreSQL tests did not run ({why}) but {REQUIRE_VAR}=1 requires them");
    }
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "PostgreSQL tests did not run: {why} (install Debian's postgresql to run them)"
        );
    });
}

/// A fresh database on the binary's shared cluster (started on first use, stopped when the
/// binary exits), or `None` after saying once that PostgreSQL tests did not run.
pub fn fresh_database() -> Option<PgDb> {
    let shared = SHARED.get_or_init(|| {
        if binaries().is_none() {
            did_not_run(&format!("no initdb under {DEBIAN_BINS}"));
            return Mutex::new(None);
        }
        // The binaries are here: a cluster that does not start is a failure, not a skip.
        let c = Cluster::start().unwrap_or_else(|e| panic!("starting a test cluster: {e}"));
        // SAFETY: registering a plain extern "C" function.
        unsafe { libc::atexit(stop_shared) };
        Mutex::new(Some(c))
    });
    let guard = shared.lock().unwrap_or_else(|p| p.into_inner());
    let Some(cluster) = guard.as_ref() else {
        did_not_run("the cluster did not start");
        return None;
    };
    match cluster.fresh() {
        Ok(db) => Some(db),
        Err(e) => panic!("a database on the test cluster: {e}"),
    }
}

/// Runs `f` with the shared cluster (tests that need the superuser, like the privilege test).
pub fn with_shared<T>(f: impl FnOnce(&Cluster) -> T) -> Option<T> {
    let guard = SHARED.get()?.lock().unwrap_or_else(|p| p.into_inner());
    guard.as_ref().map(f)
}
