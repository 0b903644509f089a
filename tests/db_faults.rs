//! Database faults (issue 5, item 8), through the real binary: a read-only filesystem, a
//! truncated file, a full disk. Each gives one clear line and exit 1, and no earlier data is
//! lost. (Not a database, a newer schema, a lock held past the busy timeout and an unwritable
//! directory are in tests/cli.rs.)
//!
//! The read-only and disk-full cases mount small tmpfs filesystems, which needs root (CI and
//! the development machines run as root). Without it these two tests fail with that reason.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::cli::{agent, ok, one_line_failure, run};

fn agents(db: &Path) -> String {
    ok(&run(db, &["agent", "list"], ""))
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

/// A database with the agent alex on a fresh tmpfs of `size`. Bind the three in this order: the
/// mount is undone before its directory goes.
fn alex_on_tmpfs(name: &str, size: &str) -> (tempfile::TempDir, Mount, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let m = Mount::tmpfs(&tmp.path().join(name), size);
    let db = m.0.join("x.db");
    ok(&agent(&db, &["add", "alex"], "agent-password-1"));
    (tmp, m, db)
}

#[test]
fn a_read_only_filesystem_is_one_line_and_loses_nothing() {
    let (_tmp, m, db) = alex_on_tmpfs("ro", "4m");
    m.remount("ro");
    let o = agent(&db, &["add", "bo"], "agent-password-2");
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
    ok(&agent(&db, &["add", "alex"], "agent-password-1"));
    let bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 8192);
    // Keep the header and the first page only: the schema points at pages that are gone.
    std::fs::write(&db, &bytes[..4096]).unwrap();
    let o = run(&db, &["agent", "list"], "");
    // Named as damaged, not as some other fault the person would chase instead.
    one_line_failure(&o, "x.db is damaged");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        &bytes[..4096],
        "the damaged file was modified"
    );
}

#[test]
fn a_full_disk_is_one_line_and_loses_nothing() {
    let (_tmp, m, db) = alex_on_tmpfs("full", "1m");
    // Fill the filesystem to the last byte.
    let filler = m.0.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let byte = [0u8; 1];
        while f.write_all(&byte).is_ok() {}
    }
    let o = agent(&db, &["add", "bo"], "agent-password-2");
    one_line_failure(&o, "is full; nothing was changed");
    std::fs::remove_file(&filler).unwrap();
    let list = agents(&db);
    assert!(list.starts_with("alex\t"), "earlier data lost: {list}");
    ok(&agent(&db, &["add", "bo"], "agent-password-2"));
}
