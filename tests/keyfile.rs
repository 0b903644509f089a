//! The key file `<db>.key` through the real binary (SPEC §4): created private with the
//! database, refused with one line when group or others can read it, never replaced behind the
//! holder's back.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::cli::{agent, bin, feed, ok, one_line_failure, run};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A database made by `agent add` (one of the commands that create one).
fn new_db(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("k.db");
    ok(&agent(&db, &["add", "alex"], "Saffron-Glacier-Tunnel-57"));
    db
}

#[test]
fn the_key_file_is_created_private_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let key = dir.path().join("k.db.key");
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&key), 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(text.starts_with("recovery-desk key file 1\n"));
    for name in ["outbox ", "one-time-code ", "audit "] {
        assert!(text.contains(name), "{name} missing");
    }
}

#[test]
fn a_key_file_others_can_read_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let key = dir.path().join("k.db.key");
    let before = std::fs::read(&key).unwrap();
    for m in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(m)).unwrap();
        let out = run(&db, &["outbox"], "");
        one_line_failure(&out, "chmod 600");
        assert!(
            support::cli::stderr(&out).contains("k.db.key"),
            "mode {m:o}: {out:?}"
        );
        // Refused, not rewritten or widened further.
        assert_eq!(std::fs::read(&key).unwrap(), before);
        assert_eq!(mode(&key), m);
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(&run(&db, &["outbox"], ""));
}

#[test]
fn a_missing_key_file_is_an_error_not_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let key = dir.path().join("k.db.key");
    std::fs::rename(&key, dir.path().join("elsewhere.key")).unwrap();
    // Even a command allowed to create databases does not mint a new key for an existing one:
    // that would orphan the audit chain and every sealed notice.
    let out = agent(&db, &["add", "blair"], "Saffron-Glacier-Tunnel-58");
    one_line_failure(&out, "does not exist");
    assert!(!key.exists());
}

#[test]
fn an_empty_file_is_not_taken_for_a_new_database_by_commands_that_only_use_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    std::fs::write(&db, b"").unwrap();
    for args in [&["outbox"][..], &["audit"], &["agent", "disable", "alex"]] {
        one_line_failure(&run(&db, args, ""), "not a recovery-desk database");
    }
    // Nothing was written: still empty, and no key file.
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
    assert!(!dir.path().join("empty.db.key").exists());
}

#[test]
fn a_relative_db_path_gets_its_key_file_beside_it() {
    // `--db demo.db` in the current directory: the key file's parent is "" (the cwd).
    let dir = tempfile::tempdir().unwrap();
    ok(&feed(
        bin()
            .args(["--db", "rel.db", "agent", "add", "alex", "--password-stdin"])
            .current_dir(dir.path()),
        "Saffron-Glacier-Tunnel-59\n",
    ));
    assert_eq!(mode(&dir.path().join("rel.db.key")), 0o600);
}
