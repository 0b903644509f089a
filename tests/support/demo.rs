//! The demo database (assets/demo.toml) in a temporary home, for tests that run the real
//! binary on it: `RECOVERY_DESK_DB` points into the home and `--demo` seeds `demo.db` beside it.

use super::pty::PtySession;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use tempfile::TempDir;

pub struct Demo {
    pub dir: TempDir,
}

impl Demo {
    /// Seeded now (Argon2 for every demo secret), so a console or the desk starts at once.
    pub fn new() -> Demo {
        let demo = Demo {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = demo
            .command()
            .args(["--demo", "agent", "list"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("alex"));
        demo
    }

    pub fn default_db(&self) -> PathBuf {
        self.dir.path().join("data").join("recovery-desk.db")
    }

    /// The database `--demo` seeds and uses.
    pub fn demo_db(&self) -> PathBuf {
        self.dir.path().join("data").join("demo.db")
    }

    /// The binary in the home, `RECOVERY_DESK_DB` pointing into it.
    pub fn command(&self) -> Command {
        let mut c = super::cli::bin();
        c.env("RECOVERY_DESK_DB", self.default_db())
            .env("HOME", self.dir.path())
            .current_dir(self.dir.path());
        c
    }

    /// `recovery-desk --demo ARGS…` in a pseudo-terminal, local time pinned to UTC, colours on.
    pub fn spawn(&self, args: &[&str], env: &[(&str, &str)]) -> PtySession {
        let mut b = PtySession::app()
            .arg("--demo")
            .args(args)
            .env("RECOVERY_DESK_DB", self.default_db())
            .env("HOME", self.dir.path())
            .env("TZ", "UTC")
            .env_remove("NO_COLOR")
            .cwd(self.dir.path());
        for (k, v) in env {
            b = b.env(k, v);
        }
        b.spawn().expect("spawn recovery-desk")
    }

    /// The newest one-time code sent to `address`, read with the `outbox` command.
    pub fn outbox_code(&self, address: &str) -> String {
        super::outbox::outbox_code(&self.demo_db(), address)
    }
}
