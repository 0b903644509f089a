//! Database faults (issue 5, item 8), through the real binary: a read-only filesystem, a
//! truncated file, a full disk. Each gives one clear line and exit 1, and no earlier data is
//! lost. (Not a database, a newer schema, a lock held past the busy timeout and an unwritable
//! directory are in tests/cli.rs.)
//!
//! The read-only and disk-full cases mount small tmpfs filesystems. As root they are mounted
//! here; as anyone else the test runs itself again in a user and mount namespace of its own
//! (where it is root over its own mounts), so `cargo test` needs no privileges, only a kernel
//! that allows unprivileged user namespaces (most do). Where none is allowed, the test fails
//! and says so.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::cli::{agent, ok, one_line_failure, run};

fn agents(db: &Path) -> String {
    ok(&run(db, &["agent", "list"], ""))
}

/// Whether this process may mount filesystems: root, or root of its own user namespace.
fn may_mount() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Runs the test `name` again in a new user and mount namespace, where this user is root over
/// its own mounts, and fails if it fails there. Called by a test that needs to mount when
/// [`may_mount`] says no.
fn rerun_in_own_namespace(name: &str) {
    use std::ffi::CString;
    use std::os::unix::process::CommandExt;
    // SAFETY: getuid and getgid have no preconditions and cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    // Everything the child writes is prepared here: after fork only system calls are made.
    let files = [
        (c"/proc/self/setgroups", CString::new("deny").unwrap()),
        (
            c"/proc/self/uid_map",
            CString::new(format!("0 {uid} 1")).unwrap(),
        ),
        (
            c"/proc/self/gid_map",
            CString::new(format!("0 {gid} 1")).unwrap(),
        ),
    ];
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([name, "--exact", "--nocapture", "--test-threads=1"]);
    // SAFETY: the closure makes only async-signal-safe system calls (unshare, open, write,
    // close) on data prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            for (path, text) in &files {
                let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
                if fd < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let bytes = text.as_bytes();
                let n = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
                libc::close(fd);
                if n != bytes.len() as isize {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("this test mounts a tmpfs: it needs root, or a kernel that allows unprivileged user namespaces ({e})")
    });
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "in its own namespace:\n{said}");
    // The inner run really ran this test (and not zero tests).
    assert!(said.contains("1 passed"), "{said}");
}

/// A tmpfs mounted for the test's lifetime.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(dir).unwrap();
        let target = path_c(dir);
        let opts = std::ffi::CString::new(format!("size={size},mode=0700")).unwrap();
        // SAFETY: every pointer is a NUL-terminated string that outlives the call.
        let r = unsafe {
            libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                opts.as_ptr().cast(),
            )
        };
        assert_eq!(
            r,
            0,
            "mounting a tmpfs at {}: {}",
            dir.display(),
            std::io::Error::last_os_error()
        );
        Mount(dir.to_path_buf())
    }

    /// Remounts the filesystem read-only, or writable again.
    fn set_read_only(&self, ro: bool) {
        let target = path_c(&self.0);
        let flags = libc::MS_REMOUNT | if ro { libc::MS_RDONLY } else { 0 };
        // SAFETY: the target is a NUL-terminated path; the other arguments may be null.
        let r = unsafe {
            libc::mount(
                std::ptr::null(),
                target.as_ptr(),
                std::ptr::null(),
                flags,
                std::ptr::null(),
            )
        };
        assert_eq!(r, 0, "remount: {}", std::io::Error::last_os_error());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let target = path_c(&self.0);
        // SAFETY: the target is a NUL-terminated path.
        unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    }
}

fn path_c(p: &Path) -> std::ffi::CString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap()
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
    if !may_mount() {
        return rerun_in_own_namespace("a_read_only_filesystem_is_one_line_and_loses_nothing");
    }
    let (_tmp, m, db) = alex_on_tmpfs("ro", "4m");
    m.set_read_only(true);
    let o = agent(&db, &["add", "bo"], "agent-password-2");
    one_line_failure(&o, "read-only");
    // (the message names the cause, not just the path)
    m.set_read_only(false);
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
    if !may_mount() {
        return rerun_in_own_namespace("a_full_disk_is_one_line_and_loses_nothing");
    }
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
