//! What only PostgreSQL has (SPEC §9; the rules themselves run on both backends in the other
//! suites): `setup` (versions, roles, their passwords), the one-line failures of a wrong URL, a
//! wrong password and a missing schema, and a server stopped in the middle of a session: one
//! clear line, nothing half-written, and the same console works again once it is back.
//!
//! Each test starts a cluster of its own (it kills it, or signs in with passwords). Without
//! Debian's PostgreSQL binaries they pass after one line saying they did not run, unless
//! `RECOVERY_DESK_REQUIRE_PG=1`.

mod support;

use ratatui::crossterm::event::KeyCode;
use recovery_desk::secret::Secret;
use recovery_desk::service::{Attempt, RecoveryCheck, Service};
use recovery_desk::store::any::AnyStore;
use recovery_desk::store::postgres::schema::{CURRENT_VERSION, DESK_ROLE, HOLDER_ROLE};
use recovery_desk::store::{Access, HolderStore};
use recovery_desk::testing::pg::{self, Cluster};
use recovery_desk::tui::Theme;
use std::sync::Arc;
use support::cli::{bin, feed, ok, one_line_failure, stderr};
use support::seams::{Seeded, TestClock, t0};

/// A cluster of this test's own, or `None` (after one line) without the binaries.
fn own_cluster(passwords: bool) -> Option<Cluster> {
    if pg::binaries().is_none() {
        pg::did_not_run("no initdb under /usr/lib/postgresql");
        return None;
    }
    Some(Cluster::start_with(passwords).unwrap())
}

#[test]
fn setup_records_the_sqlite_version_numbers_and_running_it_again_changes_nothing() {
    let Some(cluster) = own_cluster(false) else {
        return;
    };
    let name = cluster.create_database().unwrap();
    // Another application's table in the same database keeps its grants.
    cluster
        .admin(&name)
        .unwrap()
        .batch_execute("CREATE TABLE other_app (x int); GRANT SELECT ON other_app TO PUBLIC;")
        .unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("db.key");
    let url = cluster.url(&name);
    let run = || {
        ok(&feed(
            bin()
                .arg("--db")
                .arg(&url)
                .arg("--key")
                .arg(&key)
                .arg("setup"),
            "",
        ))
    };
    let first = run();
    assert!(
        first.contains(&format!("migrated from version 0 to {CURRENT_VERSION}")),
        "{first}"
    );
    assert!(key.exists(), "setup made the key file");
    let again = run();
    assert!(
        again.contains(&format!("schema version {CURRENT_VERSION} is current")),
        "{again}"
    );
    let mut admin = cluster.admin(&name).unwrap();
    let versions: Vec<i64> = admin
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=CURRENT_VERSION).collect::<Vec<_>>());
    assert_eq!(CURRENT_VERSION, recovery_desk::store::CURRENT_VERSION);
    // The two roles exist, and neither may delete or truncate anything anywhere.
    for role in [HOLDER_ROLE, DESK_ROLE] {
        let n: i64 = admin
            .query_one(
                "SELECT count(*) FROM information_schema.role_table_grants
                  WHERE grantee = $1 AND privilege_type IN ('DELETE', 'TRUNCATE')",
                &[&role],
            )
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "{role} may delete or truncate");
    }
    let public: bool = admin
        .query_one(
            "SELECT has_table_privilege('public', 'other_app', 'SELECT')",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(public, "setup revoked another application's grant");
}

#[test]
fn a_wrong_url_a_wrong_password_and_a_missing_schema_are_one_line_and_exit_1() {
    let Some(cluster) = own_cluster(true) else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("db.key");
    let name = cluster.create_database().unwrap();
    // The roles get their passwords from setup, never in SQL text.
    ok(&feed(
        bin()
            .arg("--db")
            .arg(cluster.url(&name))
            .arg("--key")
            .arg(&key)
            .args(["setup", "--passwords-stdin"]),
        "Holder-role-pass-42\nDesk-role-pass-42\n",
    ));
    let as_role = |role: &str, password: &str, db: &str| {
        format!("{}&password={password}", cluster.url_as(db, role))
    };
    let run = |url: &str, args: &[&str]| {
        feed(
            bin().arg("--db").arg(url).arg("--key").arg(&key).args(args),
            "",
        )
    };
    // The right passwords work: the holder lists agents, the desk role may too.
    ok(&run(
        &as_role(HOLDER_ROLE, "Holder-role-pass-42", &name),
        &["agent", "list"],
    ));
    ok(&run(
        &as_role(DESK_ROLE, "Desk-role-pass-42", &name),
        &["agent", "list"],
    ));
    // A wrong password.
    let o = run(&as_role(HOLDER_ROLE, "not-it", &name), &["audit"]);
    one_line_failure(&o, "password");
    assert!(!stderr(&o).contains("not-it"), "the password was echoed");
    // A URL that does not parse, and one naming no server.
    one_line_failure(&run("postgres://u@h:notaport/db", &["audit"]), "--db URL");
    let nowhere = format!("postgresql:///{name}?host=/nonexistent&user=postgres");
    one_line_failure(&run(&nowhere, &["audit"]), "cannot reach");
    // A database without the schema (setup never ran), and one that does not exist.
    let bare = cluster.create_database().unwrap();
    one_line_failure(&run(&cluster.url(&bare), &["audit"]), "setup");
    one_line_failure(&run(&cluster.url("nosuchdb"), &["audit"]), "nosuchdb");
    // A URL without its key file.
    let o = feed(bin().arg("--db").arg(cluster.url(&name)).arg("audit"), "");
    one_line_failure(&o, "--key");
    // The desk role may not act as the holder (a desk host's login changes nothing).
    one_line_failure(
        &run(
            &as_role(DESK_ROLE, "Desk-role-pass-42", &name),
            &["agent", "disable", "alex"],
        ),
        HOLDER_ROLE,
    );
}

/// SPEC §9: the server stops in the middle of a session. The holder's next request is one
/// clear line on the console (which keeps running), the change it asked for is not half
/// made, and once the server is back the same console and service work again without a
/// restart.
#[test]
fn a_server_stopped_mid_session_is_one_clear_line_and_the_console_works_again_once_it_is_back() {
    let Some(cluster) = own_cluster(false) else {
        return;
    };
    let db = cluster.fresh().unwrap();
    let clock = TestClock::new(t0());
    let service = |seed| {
        Service::new(
            AnyStore::open(&db.target(), Access::Existing).unwrap(),
            Box::new(Seeded::new(seed)),
            Arc::new(clock.clone()),
        )
    };
    let mut svc = service(1);
    let p = Secret::new("Orchid-holder-pass-7");
    let id = svc.create_account("jane", &p, &p).unwrap();
    let code = svc.generate_recovery_code().unwrap();
    let mut console = recovery_desk::testing::console(
        service(2),
        Arc::new(clock.clone()),
        Theme::plain(),
        80,
        24,
    );
    let events = |c: &Cluster| -> i64 {
        c.admin(&db.name)
            .unwrap()
            .query_one("SELECT count(*) FROM security_events", &[])
            .unwrap()
            .get(0)
    };
    let before = events(&cluster);
    // The desk's two connections, open before the server stops.
    let desk_reads = recovery_desk::store::postgres::PgReadOnly::open(&db.url).unwrap();
    let mut desk_audit =
        recovery_desk::store::postgres::PgAuditLog::open(&db.url, &db.key).unwrap();
    let jane = recovery_desk::domain::identifier::Lookup::Username("jane".into());
    {
        use recovery_desk::store::{AuditLog, ReadStore};
        assert!(desk_reads.find_account(&jane).unwrap().is_some());
        desk_audit
            .append(
                recovery_desk::store::audit::Entry::new("alex", "lookup"),
                t0(),
            )
            .unwrap();
    }

    cluster.kill().unwrap();
    // The signed-in holder asks for a new code: refused in one line, naming the database.
    let e = svc.generate_recovery_code().unwrap_err().to_string();
    assert!(e.contains("PostgreSQL"), "{e}");
    assert!(!e.contains('\n'), "{e}");
    // The console: the username is looked up; the screen says why it could not be, in one line.
    console.type_text("jane");
    console.key(KeyCode::Enter);
    let screen = console.text();
    let said: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("PostgreSQL"))
        .collect();
    assert_eq!(said.len(), 1, "{screen}");
    assert_eq!(console.quits, 0, "the console stopped");
    // The desk's reads and its audit append fail the same way, one line each.
    {
        use recovery_desk::store::{AuditLog, ReadStore};
        let e = desk_reads.find_account(&jane).unwrap_err().to_string();
        assert!(e.contains("PostgreSQL") && !e.contains('\n'), "{e}");
        let e = desk_audit
            .append(
                recovery_desk::store::audit::Entry::new("alex", "view"),
                t0(),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("PostgreSQL") && !e.contains('\n'), "{e}");
    }

    cluster.start_again().unwrap();
    // The desk's connections come back on their next request, and the chain is whole: the
    // append that met the stopped server left nothing behind.
    {
        use recovery_desk::store::{AuditLog, ReadStore};
        assert!(desk_reads.find_account(&jane).unwrap().is_some());
        desk_audit
            .append(
                recovery_desk::store::audit::Entry::new("alex", "lookup"),
                t0(),
            )
            .unwrap();
        assert!(matches!(
            desk_audit.verify().unwrap(),
            recovery_desk::store::audit::Verdict::Intact { rows: 2, .. }
        ));
    }
    // Nothing of the refused regeneration was written: the code shown before still works
    // (checked in the drill, which does not spend it), and no event was added.
    assert_eq!(events(&cluster), before);
    let active = svc.store().active_recovery_code(id).unwrap().unwrap();
    assert!(recovery_desk::secret::verify(&code, &active.1).unwrap());
    // The same service and the same console work again, each on a new connection.
    let fresh = svc.generate_recovery_code().unwrap();
    assert_ne!(fresh.expose(), code.expose());
    console.key(KeyCode::Enter);
    let screen = console.text();
    assert!(!screen.contains("PostgreSQL"), "{screen}");
    assert!(screen.to_lowercase().contains("password"), "{screen}");
    // And the old code stopped working when the new one was made.
    svc.sign_out();
    assert!(matches!(
        svc.check_recovery_code(id, code.expose()).unwrap(),
        Attempt::Wrong { .. }
    ));
    assert!(matches!(
        svc.check_recovery_code(id, fresh.expose()).unwrap(),
        Attempt::Accepted(RecoveryCheck::Accepted { .. })
    ));
}

/// SPEC §8's main path, unchanged on PostgreSQL, with the real binary in a pseudo-terminal:
/// create an account, add an email (its code read from the outbox), generate a recovery code,
/// sign out and recover with it typed from paper, set a new password and sign in; then an
/// agent added with `agent add` signs in at the desk, which logs in as the desk role itself,
/// finds the account by its email and opens it; `audit verify` passes.
#[test]
fn the_holder_console_and_the_desk_run_unchanged_on_postgresql() {
    use support::flows::{
        add_email, create_account, generate, new_password_then_sign_in, quit, sign_out_and_recover,
        wait,
    };
    use support::pty::PtySession;
    let Some(db) = pg::fresh_database() else {
        return;
    };
    let target = db.target();
    let with_key = |url: &str| -> Vec<String> {
        vec![
            "--db".into(),
            url.into(),
            "--key".into(),
            db.key.display().to_string(),
        ]
    };
    ok(&feed(
        bin()
            .args(with_key(&db.url))
            .args(["agent", "add", "alex", "--password-stdin"]),
        "desk-demo-pass\n",
    ));

    let mut s = PtySession::app()
        .args(with_key(&db.url))
        .env("TZ", "UTC")
        .env_remove("RECOVERY_DESK_DB")
        .spawn()
        .expect("spawn the console");
    wait(&s, "Enter the username of your account.");
    create_account(&mut s, "jane", "Orchid-holder-pass-7");
    add_email(&mut s, "jane@example.com", |addr| {
        support::outbox::last_code(&AnyStore::open(&target, Access::Existing).unwrap(), addr)
    });
    let code = generate(&mut s);
    sign_out_and_recover(&mut s, "jane", &code);
    new_password_then_sign_in(&mut s, "jane", "Violet-holder-pass-8");
    quit(&mut s);

    let desk_login = pg::with_shared(|c| c.url_as(&db.name, DESK_ROLE)).expect("the cluster");
    let mut d = PtySession::app()
        .args(with_key(&desk_login))
        .arg("desk")
        .env("TZ", "UTC")
        .env_remove("RECOVERY_DESK_DB")
        .spawn()
        .expect("spawn the desk");
    wait(&d, "Agent name");
    d.send_keys("alex");
    d.enter();
    d.send_keys("desk-demo-pass");
    d.enter();
    wait(&d, "Signed in as alex.");
    d.send_keys("jane@example.com");
    d.enter();
    let screen = wait(&d, "Account                 jane");
    assert!(screen.contains("Recovery code"), "{screen}");
    quit(&mut d);
    let verified = ok(&feed(
        bin().args(with_key(&db.url)).args(["audit", "verify"]),
        "",
    ));
    assert!(verified.starts_with("audit log intact"), "{verified}");
    let rows = ok(&feed(bin().args(with_key(&db.url)).arg("audit"), ""));
    assert!(rows.contains("alex\tlookup"), "{rows}");
}

/// One conformance check over whole views: the demo accounts (every interesting state) seeded
/// the same way on both backends read back the same, through the holder's connection and
/// through the desk's, before and after the same changes (a pending change applied, a code
/// spent, a lockout, a removed method).
#[test]
fn the_same_history_reads_back_the_same_on_both_backends() {
    use recovery_desk::domain::lockout::Guarded;
    use recovery_desk::store::ReadStore;
    use recovery_desk::store::any::Target;
    use recovery_desk::store::seed;
    let Some(pg) = pg::fresh_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = Target::new(&dir.path().join("same.db"), None).unwrap();
    let targets = [file, pg.target()];
    let demo = seed::demo().unwrap();
    let names = ["pat", "sam", "nora", "cody", "lou", "penny", "vera", "tess"];
    let views = |t: &Target, when| {
        let holder = AnyStore::open(t, Access::Create).unwrap();
        let desk = AnyStore::open(t, Access::ReadOnly).unwrap();
        names
            .iter()
            .map(|n| {
                let id = holder
                    .account_by_username(n)
                    .unwrap()
                    .expect("a demo account")
                    .id;
                let v = holder.account_view(id, when).unwrap();
                assert_eq!(
                    desk.account_view(id, when).unwrap(),
                    v,
                    "{n}: desk and holder differ"
                );
                (
                    v,
                    holder.own_events(id, 50).unwrap(),
                    holder.lockout(id, Guarded::Password).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut seen = vec![];
    for t in &targets {
        let mut store = AnyStore::open(t, Access::Create).unwrap();
        seed::seed(&mut store, &demo, &mut Seeded::new(5), t0()).unwrap();
        let first = views(t, t0());
        // The same changes on both: penny's change falls due and applies, sam's code is spent,
        // pat gets a wrong password, and an address is removed.
        let later = t0() + chrono::Duration::days(31);
        let penny = store.account_by_username("penny").unwrap().unwrap().id;
        store.apply_due_changes(penny, later).unwrap();
        let sam = store.account_by_username("sam").unwrap().unwrap().id;
        if let Some((code, _)) = store.active_recovery_code(sam).unwrap() {
            store
                .consume_recovery_code(sam, code, "$argon2id$stand-in", later)
                .unwrap();
        }
        let pat = store.account_by_username("pat").unwrap().unwrap().id;
        store.record_failure(pat, Guarded::Password, later).unwrap();
        if let Some(m) = ReadStore::methods(&store, pat).unwrap().first() {
            store.remove_method(pat, m.id, later).unwrap();
        }
        seen.push((first, views(t, later)));
    }
    assert_eq!(
        seen[0], seen[1],
        "SQLite and PostgreSQL read the same history differently"
    );
}

/// The bulk seeder on PostgreSQL (COPY from two loaders at once, each its own batches and
/// ids) writes the same accounts as on SQLite: the accounts of a sample read the same, every
/// identifier finds its account, and the next account created the normal way takes the next
/// id.
#[test]
fn bulk_loading_writes_what_sqlite_writes_and_the_next_account_takes_the_next_id() {
    use recovery_desk::domain::identifier::Lookup;
    use recovery_desk::store::ReadStore;
    use recovery_desk::store::any::Target;
    use recovery_desk::store::bulk::Synthetic;
    let Some(pg) = pg::fresh_database() else {
        return;
    };
    const N: u64 = 20_001;
    let now = t0();
    recovery_desk::store::postgres::bulk::load(
        &pg.url,
        &pg.key,
        0,
        N,
        "$argon2id$stand-in",
        now,
        2,
        &|_| {},
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bulk.db");
    let mut sqlite = recovery_desk::store::Store::open(&file).unwrap();
    sqlite
        .bulk_seed(N, "$argon2id$stand-in", now, &mut |_| {})
        .unwrap();
    drop(sqlite);
    let sqlite = AnyStore::open(&Target::new(&file, None).unwrap(), Access::ReadOnly).unwrap();
    let mut postgres = AnyStore::open(&pg.target(), Access::Existing).unwrap();
    assert_eq!(postgres.account_count().unwrap(), N as i64);
    // SQLite's seeder spreads a year of events over the accounts (issue 13) where the COPY
    // loader writes each account's together: the accounts themselves must agree (name,
    // two-step, methods, an active code, a waiting change), not the events or their times.
    let unnumbered = |v: recovery_desk::domain::model::AccountView| {
        let mut methods: Vec<_> = v
            .methods
            .iter()
            .map(|m| (m.kind, m.address.clone(), m.verified))
            .collect();
        methods.sort_by(|a, b| a.1.cmp(&b.1));
        (
            v.account.username,
            v.account.two_step,
            methods,
            v.recovery.active_since.is_some(),
            v.pending.len(),
        )
    };
    for n in (0..N).step_by(397).chain([N - 1]) {
        let s = Synthetic::nth(n);
        let id = n as i64 + 1;
        assert_eq!(
            unnumbered(postgres.account_view(id, now).unwrap()),
            unnumbered(sqlite.account_view(id, now).unwrap()),
            "account {id}"
        );
        for typed in [Some(s.username.clone()), s.email.clone(), s.phone.clone()]
            .into_iter()
            .flatten()
        {
            let found = postgres
                .find_account(&Lookup::parse(&typed).unwrap())
                .unwrap();
            assert_eq!(found.map(|a| a.id), Some(id), "{typed}");
        }
    }
    let next = postgres
        .create_account("after-the-load", "$argon2id$stand-in", now)
        .unwrap();
    assert_eq!(next, N as i64 + 1);
}
