//! Databases made by the previous release (schema 1) move forward. The fixture
//! `tests/fixtures/v1-demo.db` (with its `-outbox.key`) was written by the schema-1 build:
//! the demo accounts, outbox notices, and five audit rows chained the old, unkeyed way, one of
//! them with a password typed into the agent-name field.

mod support;

use recovery_desk::service::{Attempt, RecoveryCheck, Service};
use recovery_desk::store::ReadStore;
use recovery_desk::store::audit::Filter;
use recovery_desk::store::audit::{Verdict, action};
use recovery_desk::store::{CURRENT_VERSION, Store, StoreError};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::holder::try_password;
use support::seams::{Seeded, TestClock};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v1-demo.db");
const TYPED_NAME: &str = "Hunter2-typed-into-name";

/// A private copy of the schema-1 database, with or without its outbox key.
fn copy_v1(with_key: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v1.db");
    std::fs::copy(FIXTURE, &db).unwrap();
    if with_key {
        let key = dir.path().join("v1.db-outbox.key");
        std::fs::copy(format!("{FIXTURE}-outbox.key"), &key).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (dir, db)
}

fn version_on_disk(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_schema_one_database_migrates_with_its_data_keys_and_audit_chain() {
    let (dir, db) = copy_v1(true);
    assert_eq!(version_on_disk(&db), 1);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), CURRENT_VERSION);

    // The outbox key moved into the key file, which is private; the old file is gone.
    let key = dir.path().join("v1.db.key");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(!dir.path().join("v1.db-outbox.key").exists());
    // Notices sealed under the old key still open.
    let sent = store.outbox(None).unwrap();
    assert!(sent.len() > 5);
    for m in &sent {
        assert!(
            !m.body.expose().contains("cannot be opened"),
            "{}",
            m.subject
        );
    }

    // The audit chain was whole, and is now keyed: it verifies, with one row saying so.
    let rows = store.audit_rows(Filter::default()).unwrap();
    assert_eq!(rows.len(), 6);
    let last = rows.last().unwrap();
    assert_eq!(last.action, action::RECHAINED);
    assert!(
        last.detail.contains("unkeyed chain was whole"),
        "{}",
        last.detail
    );
    assert!(matches!(
        store.audit_verify().unwrap(),
        Verdict::Intact { rows: 6, .. }
    ));
    // A password typed into the agent-name field is no longer stored in clear.
    assert!(rows.iter().all(|r| !r.agent.contains("Hunter2")));
    assert!(rows.iter().any(|r| r.agent.starts_with("unknown:")));
    assert_eq!(rows.iter().filter(|r| r.agent == "alex").count(), 4);
    drop(store);
    let raw = std::fs::read(&db).unwrap();
    assert!(
        !raw.windows(TYPED_NAME.len())
            .any(|w| w == TYPED_NAME.as_bytes()),
        "the typed name is still in the file"
    );

    // A second open changes nothing.
    let store = Store::open(&db).unwrap();
    assert_eq!(store.audit_rows(Filter::default()).unwrap().len(), 6);
}

/// Schema 4 (case references, SPEC §10): the rows written before it have no case and keep
/// verifying; the desk files new rows under a case, and `audit --case` finds just those.
#[test]
fn rows_from_before_case_references_verify_beside_rows_filed_under_a_case() {
    use recovery_desk::domain::case_ref::CaseRef;
    use recovery_desk::store::AuditLog;
    use recovery_desk::store::audit::{Entry, SqliteAuditLog};
    let (_dir, db) = copy_v1(true);
    drop(Store::open(&db).unwrap());
    const { assert!(CURRENT_VERSION >= 4) };
    let case = CaseRef::parse("INC-20417").unwrap();
    let mut log = SqliteAuditLog::open(&db).unwrap();
    let entry = Entry::new("alex", action::VIEW)
        .about(Some(1))
        .case(Some(&case));
    log.append(entry, support::seams::t0()).unwrap();
    drop(log);
    let store = Store::open(&db).unwrap();
    assert!(matches!(
        store.audit_verify().unwrap(),
        Verdict::Intact { rows: 7, .. }
    ));
    let all = store.audit_rows(Filter::default()).unwrap();
    assert_eq!(all.iter().filter(|r| r.case_ref.is_none()).count(), 6);
    let filed = store
        .audit_rows(Filter {
            case_ref: Some(&case),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].case_ref.as_deref(), Some("INC-20417"));
}

#[test]
fn the_demo_accounts_work_after_the_migration() {
    let (_dir, db) = copy_v1(true);
    // The fixture's clock: a minute before lou's lock (set when it was written) ends.
    let lou_until: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT locked_until FROM lockouts WHERE kind = 'password' AND account_id = (SELECT id FROM accounts WHERE username = 'lou')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let lou_until = chrono::NaiveDateTime::parse_from_str(&lou_until, "%Y-%m-%dT%H:%M:%S%.3fZ")
        .unwrap()
        .and_utc();
    let clock = TestClock::new(lou_until - chrono::Duration::minutes(1));
    let mut svc = Service::new(
        Store::open(&db).unwrap(),
        Box::new(Seeded::new(1)),
        Arc::new(clock.clone()),
    );
    let pat = svc.id_of("pat").unwrap();
    assert_eq!(
        try_password(&mut svc, pat, "pat-demo-pass"),
        Attempt::Accepted(false)
    );
    // pat's recovery code from the demo still starts a recovery.
    assert!(matches!(
        svc.check_recovery_code(pat, "patpa tpatp atpat patpa tpat0")
            .unwrap(),
        Attempt::Accepted(RecoveryCheck::Accepted { .. })
    ));
    // lou's password lock survived.
    let lou = svc.id_of("lou").unwrap();
    assert!(matches!(
        try_password(&mut svc, lou, "lou-demo-pass"),
        Attempt::Locked { .. }
    ));
}

#[test]
fn a_schema_one_database_without_any_key_is_refused_not_rekeyed() {
    let (dir, db) = copy_v1(false);
    let e = Store::open(&db).unwrap_err();
    assert!(matches!(e, StoreError::KeyFile { .. }), "{e:?}");
    assert!(e.to_string().contains("does not exist"), "{e}");
    // Nothing was written: no key file, and the schema is untouched.
    assert!(!dir.path().join("v1.db.key").exists());
    assert_eq!(version_on_disk(&db), 1);
}

#[test]
fn a_read_only_opener_refuses_the_old_schema_and_changes_nothing() {
    let (dir, db) = copy_v1(true);
    let e = Store::open_read_only(&db).unwrap_err();
    assert!(
        matches!(e, StoreError::OlderSchema { found: 1, .. }),
        "{e:?}"
    );
    assert_eq!(version_on_disk(&db), 1);
    assert!(dir.path().join("v1.db-outbox.key").exists());
    assert!(!dir.path().join("v1.db.key").exists());
}

#[test]
fn cancelling_a_change_made_before_the_upgrade_revokes_the_code_that_recovery_issued() {
    // penny's pending change was written by schema 1, which did not keep the code its
    // recovery issued; the code made with it (within the 10 minutes before) is revoked.
    let (_dir, db) = copy_v1(true);
    let clock = TestClock::new(chrono::Utc::now());
    let mut svc = Service::new(
        Store::open(&db).unwrap(),
        Box::new(Seeded::new(2)),
        Arc::new(clock.clone()),
    );
    let penny = svc.id_of("penny").unwrap();
    let view = svc.store().account_view(penny, svc.now()).unwrap();
    assert_eq!(view.pending.len(), 1);
    // Sign in the normal way: the old password and a code from her email.
    assert_eq!(
        try_password(&mut svc, penny, "penny-demo-pass"),
        Attempt::Accepted(true)
    );
    let m = svc.verified_methods(penny).unwrap()[0].id;
    svc.send_code(penny, m, recovery_desk::domain::model::Purpose::SignIn)
        .unwrap();
    let code = support::outbox::last_code(svc.store(), "penny@example.com");
    svc.check_code(
        penny,
        m,
        recovery_desk::domain::model::Purpose::SignIn,
        &code,
    )
    .unwrap();
    assert_eq!(svc.signed_in(), Some(penny));
    svc.cancel_pending(view.pending[0].id).unwrap();
    svc.sign_out();
    let again = svc
        .check_recovery_code(penny, "PENNY-PENNY-PENNY-PENNY-PENN0")
        .unwrap();
    assert!(
        matches!(again, Attempt::Accepted(RecoveryCheck::NoCode)),
        "the code issued with the change still works: {again:?}"
    );
}

/// Schema 3 (the recovery drill) on a schema-1 database: every code starts unchecked, and
/// pat checks the demo code saved before the upgrade — it works, it is remembered, and it
/// still recovers the account (the check did not spend it).
#[test]
fn a_code_saved_before_the_upgrade_can_be_checked_without_spending_it() {
    let (_dir, db) = copy_v1(true);
    const { assert!(CURRENT_VERSION >= 3) };
    let clock = TestClock::new(support::seams::t0() + chrono::Duration::days(3));
    let mut svc = Service::new(
        Store::open(&db).unwrap(),
        Box::new(Seeded::new(3)),
        Arc::new(clock.clone()),
    );
    let unchecked: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM recovery_codes WHERE checked_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(unchecked > 0);
    let pat = svc.id_of("pat").unwrap();
    assert_eq!(
        try_password(&mut svc, pat, "pat-demo-pass"),
        Attempt::Accepted(false)
    );
    assert_eq!(svc.my_view().unwrap().recovery.last_checked, None);
    assert_eq!(
        svc.check_saved_recovery_code("patpa tpatp atpat patpa tpat0")
            .unwrap(),
        Attempt::Accepted(recovery_desk::service::DrillCheck::Works)
    );
    assert_eq!(
        svc.my_view().unwrap().recovery.last_checked,
        Some(svc.now())
    );
    svc.sign_out();
    assert!(matches!(
        svc.check_recovery_code(pat, "PATPA-TPATP-ATPAT-PATPA-TPAT0")
            .unwrap(),
        Attempt::Accepted(RecoveryCheck::Accepted { .. })
    ));
}

#[test]
fn a_schema_two_database_moves_to_the_current_schema_with_its_audit_chain_untouched() {
    // An earlier release wrote schema 2. Make one: the schema-1 fixture moved forward by the
    // migrations up to 2 and no further.
    let (_dir, db) = copy_v1(true);
    drop(Store::open_at_version(&db, 2).unwrap());
    assert_eq!(version_on_disk(&db), 2);
    assert!(
        Store::open_read_only(&db).is_err(),
        "a read-only opener must refuse the old schema"
    );

    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), CURRENT_VERSION);
    // Only columns were added: the chain was keyed once, at schema 2, and stays as it was.
    let rows = store.audit_rows(Filter::default()).unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == action::RECHAINED)
            .count(),
        1
    );
    assert!(matches!(
        store.audit_verify().unwrap(),
        Verdict::Intact { rows: 6, .. }
    ));
}

#[test]
fn a_schema_one_log_edited_before_the_upgrade_is_recorded_as_broken_not_laundered() {
    // The thief's move: edit a row of the old, unkeyed audit log, then let the upgrade re-key
    // the chain. The re-keyed chain verifies from then on, so the upgrade must say where the
    // old one was already broken.
    let (_dir, db) = copy_v1(true);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let changed = conn
            .execute(
                "UPDATE audit_log SET detail = 'nothing to see here' WHERE id = 3",
                [],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
    let store = Store::open(&db).unwrap();
    let rows = store.audit_rows(Filter::default()).unwrap();
    let last = rows.last().unwrap();
    assert_eq!(last.action, action::RECHAINED);
    assert!(
        last.detail.contains("already broken at row 3"),
        "{}",
        last.detail
    );
}

/// Everything a desk can see of every account: each view, and what each identifier (username,
/// every address on file, verified or not) finds.
#[derive(Debug, PartialEq)]
struct Seen {
    views: Vec<recovery_desk::domain::model::AccountView>,
    lookups: Vec<(String, Option<i64>)>,
}

fn seen(db: &Path, store: &dyn ReadStore, now: chrono::DateTime<chrono::Utc>) -> Seen {
    use recovery_desk::domain::identifier::Lookup;
    let conn = rusqlite::Connection::open(db).unwrap();
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM accounts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut typed = support::cli::strings(&conn, "SELECT username FROM accounts ORDER BY id");
    typed.extend(support::cli::strings(
        &conn,
        "SELECT address FROM sign_in_methods ORDER BY id",
    ));
    typed.push("#99999999".into());
    Seen {
        views: ids
            .iter()
            .map(|&id| store.account_view(id, now).unwrap())
            .collect(),
        lookups: typed
            .into_iter()
            .map(|t| {
                let found = match Lookup::parse(&t) {
                    Ok(l) => store.find_account(&l).unwrap().map(|a| a.id),
                    Err(_) => None,
                };
                (t, found)
            })
            .collect(),
    }
}

/// Schema `CLUSTERED_BY_ACCOUNT` (issue 13: the account view's rows clustered by account) on
/// a database of the version before it, full of data: the schema-1 fixture (demo accounts,
/// outbox, audit rows) moved forward by the old migrations, a year of synthetic accounts, and
/// holders' own changes. Every account's view and every lookup are the same after it, the
/// audit chain verifies to the same head, no account row changed — and a regular user's view
/// reads a fraction of the pages it read before.
#[test]
fn clustering_by_account_changes_no_view_and_reads_fewer_pages() {
    use recovery_desk::domain::model::MethodKind;
    use recovery_desk::service::DrillCheck;
    use recovery_desk::store::bulk::Synthetic;
    use recovery_desk::store::schema::CLUSTERED_BY_ACCOUNT;
    let before = CLUSTERED_BY_ACCOUNT - 1;
    let (_dir, db) = copy_v1(true);
    let now = support::seams::t0();
    let clock = TestClock::new(now - chrono::Duration::days(2));
    let heavy;
    {
        let mut store = Store::open_at_version(&db, before).unwrap();
        assert_eq!(store.schema_version().unwrap(), before);
        let seeded = store
            .bulk_seed(1_000, "$argon2id$stand-in", now, &mut |_| {})
            .unwrap();
        heavy = (seeded.first..seeded.first + seeded.accounts)
            .find(|&n| Synthetic::nth(n).event_passes >= 20)
            .map(|n| store.account_by_username(&Synthetic::nth(n).username))
            .unwrap()
            .unwrap()
            .unwrap()
            .id;
        // A holder's year through the service: methods verified, one left unverified, one
        // removed; codes generated, one checked, one used to recover; wrong passwords.
        let mut svc = Service::new(store, Box::new(Seeded::new(13)), Arc::new(clock.clone()));
        let pw = recovery_desk::secret::Secret::new("correct horse battery");
        let quinn = svc.create_account("quinn", &pw, &pw).unwrap();
        support::holder::add_verified_email(&mut svc, "quinn@example.com");
        let old = support::holder::add_verified(&mut svc, MethodKind::Phone, "+15550100999");
        svc.add_method(MethodKind::Email, "quinn.unverified@example.com")
            .unwrap();
        svc.remove_method(old).unwrap();
        svc.generate_recovery_code().unwrap();
        let code = svc.generate_recovery_code().unwrap();
        svc.sign_out();
        clock.advance(chrono::Duration::hours(30));
        let Attempt::Accepted(RecoveryCheck::Accepted { new_code, .. }) =
            svc.check_recovery_code(quinn, code.expose()).unwrap()
        else {
            panic!("the recovery code was refused");
        };
        svc.sign_out();
        assert_eq!(
            try_password(&mut svc, quinn, "correct horse battery"),
            Attempt::Accepted(false)
        );
        assert_eq!(
            svc.check_saved_recovery_code(new_code.expose()).unwrap(),
            Attempt::Accepted(DrillCheck::Works)
        );
        svc.sign_out();
        for _ in 0..5 {
            let _ = try_password(&mut svc, quinn, "not the password");
        }
    }
    let store = Store::open_at_version(&db, before).unwrap();
    let old_seen = seen(&db, &store, now);
    let old_digest = store.account_tables_digest().unwrap();
    let old_audit = store.audit_verify().unwrap();
    assert!(
        matches!(old_audit, Verdict::Intact { rows: 6, .. }),
        "{old_audit:?}"
    );
    let pages = |store: &Store| {
        store.release_page_cache();
        let p = store.pages_read();
        store.account_view(heavy, now).unwrap();
        store.pages_read() - p
    };
    let old_pages = pages(&store);
    drop(store);

    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), CURRENT_VERSION);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert_eq!(store.account_tables_digest().unwrap(), old_digest);
    assert_eq!(store.audit_verify().unwrap(), old_audit);
    let new_pages = pages(&store);
    let new_seen = seen(&db, &store, now);
    assert_eq!(new_seen.views.len(), 8 + 1_000 + 1);
    assert!(new_seen.views.iter().any(|v| v.events.len() == 20));
    assert!(new_seen.views.iter().any(|v| !v.pending.is_empty()));
    assert!(new_seen.views.iter().any(|v| !v.locks.is_empty()));
    assert!(
        new_seen
            .views
            .iter()
            .any(|v| v.recovery.last_used.is_some())
    );
    assert!(
        new_seen
            .views
            .iter()
            .any(|v| v.recovery.last_checked.is_some())
    );
    assert_eq!(new_seen, old_seen);
    // The desk's own connection sees the same.
    drop(store);
    let desk = recovery_desk::store::ReadOnlyStore::open(&db).unwrap();
    assert_eq!(seen(&db, &desk, now), old_seen);
    // Twenty events, each on a page of its own before; one run of index pages after.
    assert!(
        new_pages * 2 < old_pages,
        "a regular user's view read {old_pages} pages before and {new_pages} after"
    );
}
