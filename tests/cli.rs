//! The non-screen commands of SPEC §2, run as the real binary: exit codes, one-line errors,
//! demo seeding, agents, audit, outbox, and no plaintext secret at rest.

mod support;

use recovery_desk::store::AuditLog as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::cli::{bin, one_line_failure, stderr, stdout, strings};

/// `recovery-desk --db DB ARGS…`, nothing on standard input.
fn run(args: &[&str], db: &Path) -> Output {
    support::cli::run(db, args, "")
}

/// `recovery-desk --db DB ARGS…` fails in one line naming `what`.
fn refused(args: &[&str], db: &Path, what: &str) {
    one_line_failure(&run(args, db), what);
}

fn run_stdin(args: &[&str], db: &Path, input: &str) -> Output {
    support::cli::run(db, args, input)
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("desk.db");
    (d, db)
}

/// A temporary directory with a created, current database (and its key file) in it.
fn tmp_db() -> (tempfile::TempDir, PathBuf) {
    let (d, db) = tmp();
    drop(recovery_desk::store::Store::open(&db).unwrap());
    (d, db)
}

#[test]
fn agents_are_added_listed_and_disabled() {
    let (_d, db) = tmp();
    let o = run_stdin(
        &["agent", "add", "Alex", "--password-stdin"],
        &db,
        "agent-password-1\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "added agent alex");
    let o = run_stdin(
        &["agent", "add", "alex", "--password-stdin"],
        &db,
        "agent-password-1\n",
    );
    one_line_failure(&o, "exists already");
    let o = run_stdin(&["agent", "add", "bo", "--password-stdin"], &db, "short\n");
    one_line_failure(&o, "at least 8 characters");
    let o = run(&["agent", "add", "bo"], &db);
    one_line_failure(&o, "--password-stdin");
    let o = run(&["agent", "list"], &db);
    assert!(stdout(&o).starts_with("alex\tactive\t"), "{}", stdout(&o));
    assert!(run(&["agent", "disable", "alex"], &db).status.success());
    assert!(stdout(&run(&["agent", "list"], &db)).starts_with("alex\tdisabled\t"));
    refused(
        &["agent", "disable", "nobody"],
        &db,
        "no agent named nobody",
    );
}

#[test]
fn usage_errors_exit_2() {
    let (_d, db) = tmp();
    for args in [
        &["frobnicate"][..],
        &["agent"],
        &["audit", "--account", "x"],
        &["agent", "add"],
    ] {
        let o = run(args, &db);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    let o = bin()
        .args(["--db", "a.db", "--demo", "outbox"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(bin().arg("--help").output().unwrap().status.success());
}

#[test]
fn console_modes_need_a_terminal() {
    let (_d, db) = tmp_db();
    for args in [&[][..], &["desk"]] {
        let o = run(args, &db);
        one_line_failure(&o, "needs a terminal");
    }
}

#[test]
fn unwritable_directory_is_one_clear_line() {
    // Root ignores permission bits, so use places no one can write: under a regular file,
    // and inside /proc.
    let (d, _db) = tmp();
    let file = d.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    // `agent add` is one of the commands that create a database.
    let add = ["agent", "add", "alex", "--password-stdin"];
    let o = run_stdin(&add, &file.join("sub").join("x.db"), "agent-password-1\n");
    one_line_failure(&o, "cannot create the directory");
    let o = run_stdin(
        &add,
        Path::new("/proc/recovery-desk-test.db"),
        "agent-password-1\n",
    );
    one_line_failure(&o, "cannot create the database /proc/recovery-desk-test.db");
    // The reason is said in plain words, not as an OS error number (/sys refuses new files:
    // permission denied, or read-only where it is mounted so).
    let o = run_stdin(
        &add,
        Path::new("/sys/recovery-desk-test.db"),
        "agent-password-1\n",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.trim_end()
            .ends_with("/sys/recovery-desk-test.db: permission denied")
            || err.trim_end().ends_with(": read-only file system"),
        "{err}"
    );
    one_line_failure(&o, "cannot create the database /sys/recovery-desk-test.db");
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let (_d, db) = tmp();
    std::fs::write(&db, vec![b'z'; 8192]).unwrap();
    let o = run(&["audit"], &db);
    one_line_failure(&o, "is not a recovery-desk database");
    // And nothing was written over it.
    assert_eq!(std::fs::read(&db).unwrap(), vec![b'z'; 8192]);
}

#[test]
fn a_newer_schema_is_refused() {
    let (_d, db) = tmp_db();
    assert!(run(&["agent", "list"], &db).status.success());
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 42)
        .unwrap();
    // Every way in refuses it as newer, the desk (which opens the audit log first) too.
    for args in [&["agent", "list"][..], &["desk"], &["audit", "verify"]] {
        let o = run(args, &db);
        one_line_failure(&o, "schema version 42, newer than");
    }
}

#[test]
fn a_lock_held_past_the_busy_timeout_is_named() {
    let (_d, db) = tmp_db();
    assert!(run(&["agent", "list"], &db).status.success());
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; INSERT INTO agents (name, password_hash, created_at) VALUES ('zz', 'x', 'y');").unwrap();
    let started = std::time::Instant::now();
    let o = run_stdin(
        &["agent", "add", "bo", "--password-stdin"],
        &db,
        "agent-password-2\n",
    );
    one_line_failure(&o, "is locked by another process");
    assert!(started.elapsed().as_secs_f64() >= 4.5, "gave up too early");
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn audit_verify_detects_tampering() {
    let (_d, db) = tmp_db();
    let o = run(&["audit", "verify"], &db);
    assert!(
        stdout(&o).contains("audit log intact: 0 rows"),
        "{}",
        stdout(&o)
    );
    {
        let mut s = recovery_desk::store::Store::open(&db).unwrap();
        for i in 1..=3 {
            s.audit_append(
                Entry::new("alex", "lookup").about(Some(i)).detail("ja•••"),
                chrono::Utc::now(),
            )
            .unwrap();
        }
    }
    let o = run(&["audit", "verify"], &db);
    assert!(o.status.success());
    assert!(stdout(&o).contains("3 rows"));
    let o = run(&["audit", "--account", "2"], &db);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("\talex\tlookup\t#2\t"));
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("UPDATE audit_log SET agent = 'eve' WHERE id = 2", [])
        .unwrap();
    refused(&["audit", "verify"], &db, "row 2 was edited");
}

/// Every demo password and code, in the forms a leak could take.
fn demo_secrets() -> Vec<String> {
    let demo = recovery_desk::store::seed::demo().unwrap();
    let mut out = vec![];
    for a in &demo.agent {
        out.push(a.password.clone());
    }
    for a in &demo.account {
        out.push(a.password.clone());
        if let Some(c) = &a.recovery_code {
            let canon = recovery_desk::domain::recovery_code::normalise(c).unwrap();
            out.push(canon.expose().to_string());
            out.push(
                recovery_desk::domain::recovery_code::format(&canon)
                    .expose()
                    .to_string(),
            );
        }
        if let Some(p) = &a.pending_password {
            out.push(p.clone());
        }
    }
    out
}

fn db_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = vec![];
    for ext in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", db.display()));
        if p.exists() {
            bytes.extend(std::fs::read(&p).unwrap());
        }
    }
    bytes
}

#[test]
fn demo_seed_stores_no_plaintext_and_standard_phc_hashes() {
    let d = tempfile::tempdir().unwrap();
    let default = d.path().join("data").join("recovery-desk.db");
    let o = bin()
        .env("RECOVERY_DESK_DB", &default)
        .args(["--demo", "outbox"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let demo_db = d.path().join("data").join("demo.db");
    assert!(demo_db.exists());
    let out = stdout(&o);
    assert!(
        out.contains("pat@example.com") && out.contains("A sign-in method was added"),
        "{out}"
    );
    // Seeding again is a no-op.
    let o2 = bin()
        .env("RECOVERY_DESK_DB", &default)
        .args(["--demo", "agent", "list"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o2).lines().count(), 1);

    let run_add = run_stdin(
        &["agent", "add", "casey", "--password-stdin"],
        &demo_db,
        "tulip-anvil-password\n",
    );
    assert!(run_add.status.success());

    let bytes = db_bytes(&demo_db);
    let hay = String::from_utf8_lossy(&bytes);
    let mut secrets = demo_secrets();
    secrets.push("tulip-anvil-password".into());
    for s in &secrets {
        assert!(
            !hay.contains(s.as_str()),
            "a demo secret is stored in plaintext"
        );
    }

    // The hashes are standard PHC strings that the reference C implementation reproduces.
    let conn = rusqlite::Connection::open(&demo_db).unwrap();
    let phc = strings(
        &conn,
        "SELECT password_hash FROM agents UNION ALL SELECT password_hash FROM accounts",
    );
    assert!(
        phc.iter()
            .all(|h| h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"))
    );
    let demo = recovery_desk::store::seed::demo().unwrap();
    let mut verified = 0;
    for (name, pw) in demo
        .account
        .iter()
        .map(|a| (a.username.as_str(), a.password.as_str()))
        .chain([("casey", "tulip-anvil-password")])
    {
        let stored: String = conn
            .query_row(
                "SELECT password_hash FROM accounts WHERE username = ?1 UNION ALL SELECT password_hash FROM agents WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            independent_argon2(&stored, pw),
            "{name}: an independent Argon2 implementation derives another string from the same salt"
        );
        verified += 1;
    }
    // Every demo account and the agent added above: all of them, not "enough" of them.
    assert_eq!(verified, demo.account.len() + 1);
    // The check can fail: a wrong password does not re-derive the stored string.
    let pat: String = conn
        .query_row(
            "SELECT password_hash FROM accounts WHERE username = 'pat'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!independent_argon2(&pat, "otter-demo-pasS"));
}

/// Recomputes `phc` from the password and the PHC's own salt with `rust-argon2`, an Argon2
/// implementation independent of the RustCrypto `argon2` crate the product uses; true when the
/// two encoded strings are byte-identical (any salt, NUL bytes included).
fn independent_argon2(phc: &str, password: &str) -> bool {
    use base64ct::{Base64Unpadded, Encoding};
    let parts: Vec<&str> = phc.split('$').collect();
    let salt = Base64Unpadded::decode_vec(parts[4]).unwrap();
    let config = rust_argon2::Config {
        variant: rust_argon2::Variant::Argon2id,
        version: rust_argon2::Version::Version13,
        mem_cost: 19456,
        time_cost: 2,
        lanes: 1,
        hash_length: 32,
        ..rust_argon2::Config::default()
    };
    rust_argon2::hash_encoded(password.as_bytes(), &salt, &config).unwrap() == phc
}

// ---------------------------------------------------------------------------------------------
// The audit log against an attacker who can write the database but not read the key file
// (SPEC §6), the commands that must never create a database (SPEC §6), and the forms the
// desk shows.

use recovery_desk::store::audit::{Entry, GENESIS, SqliteAuditLog as AuditLog};

/// `n` rows appended through the desk's own audit connection.
fn desk_rows(db: &Path, agent: &str, n: i64) {
    let mut log = AuditLog::open(db).unwrap();
    for i in 1..=n {
        log.append(
            Entry::new(agent, "lookup")
                .about(Some(i))
                .detail("username pa•"),
            chrono::Utc::now(),
        )
        .unwrap();
    }
}

/// A plain SQLite connection: what an attacker with write access to the file has.
fn raw(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

fn head_of(db: &Path) -> String {
    let o = run(&["audit", "head"], db);
    assert!(o.status.success(), "{}", stderr(&o));
    let head = stdout(&o).trim().to_string();
    assert!(
        head.len() == 64 && head.bytes().all(|b| b.is_ascii_hexdigit()),
        "not a head: {head:?}"
    );
    assert_eq!(stdout(&o).lines().count(), 1);
    head
}

#[test]
fn an_edit_to_the_newest_row_fails_verify() {
    let (_d, db) = tmp_db();
    desk_rows(&db, "alex", 3);
    // The attacker hides which account the last lookup was of; hash and head left as they were.
    raw(&db)
        .execute("UPDATE audit_log SET account_id = 99 WHERE id = 3", [])
        .unwrap();
    refused(&["audit", "verify"], &db, "row 3 was edited");
}

#[test]
fn deleting_the_newest_rows_and_lowering_the_sequence_fails_verify() {
    let (_d, db) = tmp_db();
    desk_rows(&db, "alex", 5);
    let o = run(&["audit", "verify"], &db);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("intact: 5 rows"), "{}", stdout(&o));

    // The attacker's two statements: drop the newest rows, and make SQLite's own counter say
    // they were never issued.
    raw(&db)
        .execute_batch(
            "DELETE FROM audit_log WHERE id > 3;
             UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit_log';",
        )
        .unwrap();
    refused(
        &["audit", "verify"],
        &db,
        "audit log tampered: rows 4..=5 were deleted from the end",
    );
    // Moving the head back as well: it is keyed, so it does not match without the key file.
    raw(&db)
        .execute("UPDATE audit_head SET last_id = 3", [])
        .unwrap();
    refused(
        &["audit", "verify"],
        &db,
        "keyed head does not match the last row",
    );
    // Or removing it.
    raw(&db).execute("DELETE FROM audit_head", []).unwrap();
    refused(
        &["audit", "verify"],
        &db,
        "keyed head does not match the last row",
    );
    // `audit head` notes no head for a tampered log.
    let o = run(&["audit", "head"], &db);
    one_line_failure(&o, "audit log tampered");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn wiping_the_whole_audit_log_and_its_head_fails_verify() {
    // The attacker's shortest move: empty the log and drop the keyed head, so there is no
    // chain left to break. SQLite's own counter still says five rows were issued.
    let (_d, db) = tmp_db();
    desk_rows(&db, "alex", 5);
    raw(&db)
        .execute_batch("DELETE FROM audit_log; DELETE FROM audit_head;")
        .unwrap();
    refused(
        &["audit", "verify"],
        &db,
        "audit log tampered: rows 1..=5 were deleted from the end",
    );
}

#[test]
fn expect_head_checks_the_chain_against_a_head_noted_earlier() {
    let (_d, db) = tmp_db();
    // An empty log's head is the genesis.
    let empty = head_of(&db);
    assert_eq!(empty, GENESIS);
    desk_rows(&db, "alex", 3);
    let noted = head_of(&db);
    let o = run(&["audit", "verify"], &db);
    assert!(
        stdout(&o).contains(&format!("head {noted}")),
        "{}",
        stdout(&o)
    );

    // The chain grows; the noted head is still in it.
    desk_rows(&db, "alex", 2);
    for form in [noted.clone(), noted.to_uppercase()] {
        let o = run(&["audit", "verify", "--expect-head", &form], &db);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("the head noted earlier is row 3, 2 rows appended since"),
            "{}",
            stdout(&o)
        );
    }
    let now = head_of(&db);
    let o = run(&["audit", "verify", "--expect-head", &now], &db);
    assert!(stdout(&o).contains("is row 5, 0 rows appended since"));
    let o = run(&["audit", "verify", "--expect-head", &empty], &db);
    assert!(stdout(&o).contains("is row 0, 5 rows appended since"));

    // A head this chain never had.
    refused(
        &["audit", "verify", "--expect-head", &"ab".repeat(32)],
        &db,
        "the head noted earlier (abababababababab…) is not in the chain any more",
    );
    // Not a head at all: a usage error.
    let o = run(&["audit", "verify", "--expect-head", "abc"], &db);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // The attacker empties the log, its head and SQLite's counter: an empty log verifies,
    // but not against the head noted earlier.
    raw(&db)
        .execute_batch(
            "DELETE FROM audit_log; DELETE FROM audit_head; DELETE FROM sqlite_sequence;",
        )
        .unwrap();
    let o = run(&["audit", "verify"], &db);
    assert!(stdout(&o).contains("intact: 0 rows"), "{}", stdout(&o));
    refused(
        &["audit", "verify", "--expect-head", &noted],
        &db,
        "is not in the chain any more",
    );
}

#[test]
fn audit_output_is_sanitised_like_the_screens() {
    let (_d, db) = tmp_db();
    {
        // Planted through the audited path, so the chain is whole: only the output matters.
        let mut s = recovery_desk::store::Store::open(&db).unwrap();
        s.audit_append(
            Entry::new("alex", "lookup")
                .about(Some(1))
                .detail("username pa\x1b]0;evil\x07•••\x1b[2J\u{202e}"),
            chrono::Utc::now(),
        )
        .unwrap();
    }
    let o = run(&["audit"], &db);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("\talex\tlookup\t#1\tusername pa•••"),
        "{out:?}"
    );
    for bad in ["\x1b", "\x07", "evil", "\u{202e}"] {
        assert!(!out.contains(bad), "{bad:?} printed raw: {out:?}");
    }
    assert!(run(&["audit", "verify"], &db).status.success());
}

#[test]
fn commands_that_only_use_a_database_never_create_one() {
    let commands: &[&[&str]] = &[
        &["desk"],
        &["audit"],
        &["audit", "--agent", "alex"],
        &["audit", "verify"],
        &["audit", "verify", "--expect-head", GENESIS],
        &["audit", "head"],
        &["agent", "list"],
        &["agent", "disable", "alex"],
        &["agent", "enable", "alex"],
        &["agent", "reset-password", "alex", "--password-stdin"],
        &["outbox"],
        &["outbox", "--to", "pat@example.com"],
    ];
    for args in commands {
        let d = tempfile::tempdir().unwrap();
        for db in [
            d.path().join("mistyped.db"),
            d.path().join("no-such-dir").join("desk.db"),
        ] {
            let o = run_stdin(args, &db, "a-new-agent-password-7\n");
            one_line_failure(&o, &format!("no database at {}", db.display()));
            assert!(
                stderr(&o).contains("check --db"),
                "{args:?}: {}",
                stderr(&o)
            );
        }
        let left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{args:?} created {left:?}");
    }
}

#[test]
fn the_desk_opens_an_existing_current_database_only() {
    // A database of the first schema version, made as that version did: the desk names the
    // command that upgrades it, and migrates nothing itself.
    let (d, db) = tmp();
    {
        let c = raw(&db);
        c.execute_batch(recovery_desk::store::schema::MIGRATIONS[0])
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let o = run(&["desk"], &db);
    one_line_failure(&o, "has schema version 1, older than");
    assert!(
        stderr(&o).contains(&format!(
            "opening it once with the account console: recovery-desk --db {}",
            db.display()
        )),
        "{}",
        stderr(&o)
    );
    let version: i64 = raw(&db)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1, "the desk migrated the database");
    let key = d.path().join("desk.db.key");
    assert!(!key.exists(), "the desk made a key file");

    // A current database whose key file is gone: named, and not made anew.
    let (d, db) = tmp_db();
    let key = d.path().join("desk.db.key");
    std::fs::remove_file(&key).unwrap();
    let o = run(&["desk"], &db);
    one_line_failure(&o, "desk.db.key is unusable: it does not exist");
    assert!(!key.exists(), "the desk made a key file");

    // An empty file is no database either, and stays empty.
    let (_d, db) = tmp();
    std::fs::write(&db, b"").unwrap();
    let o = run(&["desk"], &db);
    one_line_failure(&o, "has schema version 0, older than");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}

#[test]
fn audit_filters_take_the_forms_the_desk_shows() {
    let (_d, db) = tmp_db();
    {
        let mut log = AuditLog::open(&db).unwrap();
        let now = chrono::Utc::now();
        log.append(
            Entry::new("dana", "lookup")
                .about(Some(7))
                .detail("username pa•"),
            now,
        )
        .unwrap();
        log.append(Entry::new("alex", "view").about(Some(7)), now)
            .unwrap();
        log.append(Entry::new("dana", "view").about(Some(8)), now)
            .unwrap();
    }
    let o = run(&["audit", "--agent", "DANA"], &db);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().all(|l| l.contains("\tdana\t")), "{out}");

    let by_hash = stdout(&run(&["audit", "--account", "#7"], &db));
    assert_eq!(by_hash.lines().count(), 2, "{by_hash}");
    assert_eq!(by_hash, stdout(&run(&["audit", "--account", "7"], &db)));
    let both = stdout(&run(
        &["audit", "--agent", " Dana ", "--account", "#7"],
        &db,
    ));
    assert_eq!(both.lines().count(), 1, "{both}");
    assert!(both.contains("\tdana\tlookup\t#7\t"), "{both}");

    refused(&["audit", "--agent", ".."], &db, "cannot start with a dot");
}

#[test]
fn audit_case_lists_the_rows_filed_under_one_ticket_in_any_case() {
    use recovery_desk::domain::case_ref::CaseRef;
    let (_d, db) = tmp_db();
    {
        let mut log = AuditLog::open(&db).unwrap();
        let now = chrono::Utc::now();
        let inc = CaseRef::parse("INC-20417").unwrap();
        let other = CaseRef::parse("INC-2041").unwrap();
        let lookup = Entry::new("dana", "lookup")
            .about(Some(7))
            .detail("username pa•");
        log.append(lookup.case(Some(&inc)), now).unwrap();
        log.append(
            Entry::new("dana", "view").about(Some(7)).case(Some(&inc)),
            now,
        )
        .unwrap();
        log.append(
            Entry::new("dana", "view").about(Some(8)).case(Some(&other)),
            now,
        )
        .unwrap();
        log.append(Entry::new("alex", "view").about(Some(7)), now)
            .unwrap();
    }
    let o = run(&["audit", "--case", "inc-20417"], &db);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        out.lines().count(),
        2,
        "exactly the ticket's rows, no prefix match: {out}"
    );
    assert!(out.lines().all(|l| l.ends_with("	INC-20417")), "{out}");
    assert!(
        out.lines()
            .next()
            .unwrap()
            .contains("	dana	lookup	#7	username pa•	")
    );
    // Every row shows its case, `-` for none.
    let all = stdout(&run(&["audit"], &db));
    assert!(all.lines().last().unwrap().ends_with("	-"), "{all}");
    // Filters combine.
    let both = stdout(&run(
        &["audit", "--case", "INC-20417", "--agent", "alex"],
        &db,
    ));
    assert_eq!(both, "");
    // Not a reference: a usage error (exit 2) saying what one looks like.
    let bad = run(&["audit", "--case", "INC 1"], &db);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("case reference uses letters, digits"));
}

#[test]
fn a_damaged_audit_row_is_named_in_one_line() {
    let (_d, db) = tmp_db();
    desk_rows(&db, "alex", 3);
    raw(&db)
        .execute(
            "UPDATE audit_log SET detail = CAST('x' AS BLOB) WHERE id = 2",
            [],
        )
        .unwrap();
    let o = run(&["audit"], &db);
    one_line_failure(&o, "audit row 2 is damaged: its detail is not text");
    assert!(
        !stderr(&o).contains("Invalid column type"),
        "{}",
        stderr(&o)
    );
    refused(&["audit", "verify"], &db, "row 2 was edited");

    raw(&db)
        .execute_batch(
            "UPDATE audit_log SET detail = 'username pa•' WHERE id = 2;
             UPDATE audit_log SET account_id = 'seven' WHERE id = 3;",
        )
        .unwrap();
    let o = run(&["audit", "--account", "3"], &db);
    // The filter does not match the text, so the listing is clean; the whole log is not.
    assert!(o.status.success(), "{}", stderr(&o));
    refused(
        &["audit"],
        &db,
        "audit row 3 is damaged: its account_id is not a number",
    );
    refused(&["audit", "verify"], &db, "row 3 was edited");
}

#[test]
fn agent_names_that_read_like_paths_are_refused() {
    let (d, db) = tmp();
    for name in ["..", ".hidden", "....", ".Dana"] {
        let o = run_stdin(
            &["agent", "add", name, "--password-stdin"],
            &db,
            "agent-password-1\n",
        );
        one_line_failure(&o, "an agent name cannot start with a dot");
    }
    assert!(std::fs::read_dir(d.path()).unwrap().next().is_none());
}

#[test]
fn a_directory_given_as_the_database_is_named_as_one_by_every_command() {
    // A mistyped --db that names a folder: every command says so in one line and creates
    // nothing inside it.
    let (d, _db) = tmp();
    let folder = d.path().join("data");
    std::fs::create_dir(&folder).unwrap();
    for (args, input) in [
        (&["agent", "list"][..], ""),
        (
            &["agent", "add", "bo", "--password-stdin"][..],
            "agent-password-2\n",
        ),
        (&["audit", "verify"][..], ""),
        (&["audit", "head"][..], ""),
        (&["outbox"][..], ""),
        (&["desk"][..], ""),
    ] {
        let o = run_stdin(args, &folder, input);
        one_line_failure(
            &o,
            &format!(
                "cannot open the database {}: it is a directory, not a database file",
                folder.display()
            ),
        );
    }
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn a_damaged_outbox_message_is_shown_as_unopenable_not_a_crash() {
    // Someone with the database file cuts one sealed body short and garbles another: the
    // outbox still lists every message, says which cannot be opened, and shows no panic.
    let f = support::holder::Fixture::new();
    let mut svc = f.service(40);
    let p = recovery_desk::secret::Secret::new("a long password");
    svc.create_account("jane", &p, &p).unwrap();
    svc.add_method(
        recovery_desk::domain::model::MethodKind::Email,
        "jane@example.com",
    )
    .unwrap();
    svc.add_method(
        recovery_desk::domain::model::MethodKind::Email,
        "jane.two@example.com",
    )
    .unwrap();
    drop(svc);
    {
        let c = rusqlite::Connection::open(&f.db).unwrap();
        let short = c
            .execute(
                "UPDATE outbox SET sealed_body = x'0102' WHERE address = 'jane@example.com'",
                [],
            )
            .unwrap();
        let garbled = c
            .execute(
                "UPDATE outbox SET sealed_body = zeroblob(64) WHERE address = 'jane.two@example.com'",
                [],
            )
            .unwrap();
        assert_eq!((short, garbled), (1, 1));
    }
    let out = support::outbox::outbox_text(&f.db, "jane@example.com");
    assert!(
        out.contains("[this message cannot be opened with this key file]"),
        "{out}"
    );
    let out = support::outbox::outbox_text(&f.db, "jane.two@example.com");
    assert!(
        out.contains("[this message cannot be opened with this key file]"),
        "{out}"
    );
}

#[test]
fn a_database_file_the_user_may_not_write_is_named_read_only_and_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // An administrator's story: the database was made read-only (`chmod 444`) for an audit,
    // and someone runs a command on it. Root may write any file, so as root the file and its
    // directory are handed to `nobody` and the commands run as `nobody`.
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let o = support::cli::agent(&db, &["add", "alex"], "agent-password-1");
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    if root {
        for p in [
            dir.path().to_path_buf(),
            db.clone(),
            db.with_extension("db.key"),
        ] {
            std::os::unix::fs::chown(&p, Some(65534), Some(65534)).unwrap();
        }
    }
    let before = std::fs::read(&db).unwrap();
    let as_owner = || {
        let mut c = bin();
        if root {
            c.uid(65534).gid(65534);
        }
        c.arg("--db").arg(&db);
        c
    };
    // A write is refused in one line that says why.
    let o = support::cli::feed(
        as_owner().args(["agent", "add", "bo", "--password-stdin"]),
        "agent-password-2\n",
    );
    one_line_failure(&o, &format!("cannot write to {}", db.display()));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    // A read still works on it.
    let o = support::cli::feed(as_owner().args(["agent", "list"]), "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("alex\t"), "{}", stdout(&o));
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file was changed");
}
