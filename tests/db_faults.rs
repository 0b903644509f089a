//! Database faults (issue 5, item 8), through the real binary: a read-only filesystem, a
//! truncated file, a full disk. Each gives one clear line and exit 1, and no earlier data is
//! lost. (Not a database, a newer schema, a lock held past the busy timeout and an unwritable
//! directory are in tests/cli.rs.)
//!
//! The read-only and disk-full cases mount small tmpfs filesystems, which needs root (CI and
//! the development machines run as root). Without it these two tests fail with that reason.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn run(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recovery-desk"))
        .env_remove("RECOVERY_DESK_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may fail before it reads its input; that is not the test failing.
    let _ = c.stdin.take().unwrap().write_all(stdin.as_bytes());
    c.wait_with_output().unwrap()
}

fn one_line_failure(o: &Output, what: &str) {
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains(what), "want {what:?} in {e}");
    assert!(!e.contains("panicked"));
}

fn agents(db: &Path) -> String {
    let o = run(db, &["agent", "list"], "");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A tmpfs mounted for the test's lifetime.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "mounting a tmpfs at {} failed: these fault tests need root",
            dir.display()
        );
        Mount(dir.to_path_buf())
    }
    fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {opts} failed");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_filesystem_is_one_line_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let m = Mount::tmpfs(&tmp.path().join("ro"), "4m");
    let db = m.0.join("x.db");
    assert!(
        run(
            &db,
            &["agent", "add", "alex", "--password-stdin"],
            "agent-password-1\n"
        )
        .status
        .success()
    );
    m.remount("ro");
    let o = run(
        &db,
        &["agent", "add", "bo", "--password-stdin"],
        "agent-password-2\n",
    );
    one_line_failure(&o, "read-only");
    // (the message names the cause, not just the path)
    m.remount("rw");
    let list = agents(&db);
    assert!(
        list.starts_with("alex\t") && !list.contains("bo\t"),
        "{list}"
    );
}

#[test]
fn a_truncated_file_is_named_and_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("x.db");
    assert!(
        run(
            &db,
            &["agent", "add", "alex", "--password-stdin"],
            "agent-password-1\n"
        )
        .status
        .success()
    );
    let bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 8192);
    // Keep the header and the first page only: the schema points at pages that are gone.
    std::fs::write(&db, &bytes[..4096]).unwrap();
    let o = run(&db, &["agent", "list"], "");
    one_line_failure(&o, "x.db");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        &bytes[..4096],
        "the damaged file was modified"
    );
}

#[test]
fn a_full_disk_is_one_line_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let m = Mount::tmpfs(&tmp.path().join("full"), "1m");
    let db = m.0.join("x.db");
    assert!(
        run(
            &db,
            &["agent", "add", "alex", "--password-stdin"],
            "agent-password-1\n"
        )
        .status
        .success()
    );
    // Fill the filesystem to the last byte.
    let filler = m.0.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let byte = [0u8; 1];
        while f.write_all(&byte).is_ok() {}
    }
    let o = run(
        &db,
        &["agent", "add", "bo", "--password-stdin"],
        "agent-password-2\n",
    );
    one_line_failure(&o, "is full; nothing was changed");
    std::fs::remove_file(&filler).unwrap();
    let list = agents(&db);
    assert!(list.starts_with("alex\t"), "earlier data lost: {list}");
    assert!(
        run(
            &db,
            &["agent", "add", "bo", "--password-stdin"],
            "agent-password-2\n"
        )
        .status
        .success()
    );
}
