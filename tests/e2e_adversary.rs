//! The review's broken promises, end to end on the real binary in pseudo-terminals: penny's
//! new password after its date, the recovery code as the second step when no method is left,
//! and eight console processes racing wrong passwords against one account.

mod support;

use chrono::Utc;
use recovery_desk::secret::OsEntropy;
use recovery_desk::service::{Attempt, RecoveryCheck};
use recovery_desk::store::{HolderStore, ReadStore};
use recovery_desk::store::{Store, seed};
use std::path::Path;
use support::flows::{confirm_code, password_screen, password_then_code, quit, submit, wait};
use support::holder::{Fixture, real_time_service, try_password};
use support::outbox::{outbox_code, outbox_text};
use support::pty::{PtySession, holder_console};

/// The demo database (assets/demo.toml), seeded into a private directory.
fn demo() -> Fixture {
    let f = Fixture::new();
    seed::ensure_demo(&f.db, &mut OsEntropy, Utc::now()).unwrap();
    f
}

/// The holder console on `db`.
fn console(db: &Path) -> PtySession {
    holder_console(db)
}

/// Moves every waiting change of `username` to a date already past, as 30 days passing would.
fn make_pending_due(db: &Path, username: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n = conn
        .execute(
            "UPDATE pending_changes SET effective_at = '2000-01-01T00:00:00.000Z'
              WHERE cancelled_at IS NULL AND applied_at IS NULL
                AND account_id = (SELECT id FROM accounts WHERE username = ?1)",
            [username],
        )
        .unwrap();
    assert_eq!(n, 1, "{username} has one pending change");
}

#[test]
fn penny_signs_in_with_her_new_password_once_it_is_due() {
    let demo = demo();
    make_pending_due(&demo.db, "penny");
    let mut s = console(&demo.db);
    password_screen(&mut s, "penny");
    // The old password stopped working on the date...
    submit(&mut s, "coral-demo-pass", "That password isn't right.");
    // ...and the new one signs in, with the second step, nobody having used the old one.
    password_then_code(&mut s, "coral-new-pass", "p•••@example.com", || {
        outbox_code(&demo.db, "penny@example.com")
    });
    wait(&s, "Signed in as penny");
    quit(&mut s);
    // Every verified method was told the change is in effect.
    assert!(
        outbox_text(&demo.db, "penny@example.com").contains("Your new password is now in effect"),
        "no notice"
    );
}

#[test]
fn with_her_email_lost_but_listed_penny_gets_in_with_her_recovery_code_once_the_change_is_due() {
    // penny can't read her email any more, though it is still verified on the account. Her
    // change made through recovery falls due: the recovery code is her second step now.
    let demo = demo();
    make_pending_due(&demo.db, "penny");
    let mut s = console(&demo.db);
    password_screen(&mut s, "penny");
    submit(
        &mut s,
        "coral-new-pass",
        "2  I don't have any of these: use my recovery code",
    );
    s.send_keys("2");
    wait(&s, "recovery code counts as the second step");
    submit(
        &mut s,
        "penny penny penny penny penn0",
        "Print this code and keep it in a safe place.",
    );
    confirm_code(&mut s, "Signed in as penny");
    quit(&mut s);
    // No code was sent to the lost email for the sign-in.
    assert!(
        !outbox_text(&demo.db, "penny@example.com").contains("Your security code"),
        "a code went to the lost email"
    );
}

#[test]
fn with_no_method_left_the_recovery_code_is_the_second_step_on_screen() {
    let demo = demo();
    // penny loses her only email; her pending change falls due.
    {
        let mut store = Store::open(&demo.db).unwrap();
        let view = store.account_by_username("penny").unwrap().expect("penny");
        let m = store.methods(view.id).unwrap()[0].id;
        store.remove_method(view.id, m, Utc::now()).unwrap();
    }
    make_pending_due(&demo.db, "penny");
    let mut s = console(&demo.db);
    password_screen(&mut s, "penny");
    submit(
        &mut s,
        "coral-new-pass",
        "No verification option is left on this account",
    );
    // Typed from paper: lower case, spaces.
    submit(
        &mut s,
        "penny penny penny penny penn0",
        "Print this code and keep it in a safe place.",
    );
    let code = confirm_code(&mut s, "Signed in as penny");
    quit(&mut s);
    // The demo code was spent; the one shown is the account's code now.
    let mut svc = real_time_service(&demo.db, 3);
    let id = svc.id_of("penny").unwrap();
    assert_eq!(
        try_password(&mut svc, id, "coral-new-pass"),
        Attempt::Accepted(true)
    );
    assert!(matches!(
        svc.second_step_with_recovery_code(id, "PENNY-PENNY-PENNY-PENNY-PENN0")
            .unwrap(),
        Attempt::Wrong { .. }
    ));
    assert!(matches!(
        svc.second_step_with_recovery_code(id, &code).unwrap(),
        Attempt::Accepted(RecoveryCheck::Accepted { .. })
    ));
}

#[test]
fn eight_consoles_racing_wrong_passwords_after_four_failures_get_one_guess() {
    let demo = demo();
    // Four wrong passwords already.
    {
        let mut svc = real_time_service(&demo.db, 4);
        let id = svc.id_of("pat").unwrap();
        for _ in 0..4 {
            assert!(matches!(
                try_password(&mut svc, id, "Wrong-Guess-Number-1"),
                Attempt::Wrong { .. }
            ));
        }
    }
    // Eight processes at pat's password screen, a wrong password typed in each.
    let mut consoles: Vec<PtySession> = (0..8)
        .map(|_| {
            let mut s = console(&demo.db);
            password_screen(&mut s, "pat");
            s.send_keys("Wrong-Guess-Number-2");
            s
        })
        .collect();
    // Enter in all eight at once.
    for s in &mut consoles {
        s.enter();
    }
    for s in &consoles {
        wait(s, "password entry is locked until");
    }
    for mut s in consoles {
        quit(&mut s);
    }
    // Exactly one of the eight guesses was counted (evaluated): 4 + 1 in a row, one lockout.
    let conn = rusqlite::Connection::open(&demo.db).unwrap();
    let (streak, locks): (i64, i64) = conn
        .query_row(
            "SELECT streak, lock_count FROM lockouts
              WHERE kind = 'password' AND account_id = (SELECT id FROM accounts WHERE username = 'pat')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((streak, locks), (5, 1));
    let lock_events: i64 = conn
        .query_row(
            "SELECT count(*) FROM security_events WHERE kind = 'lockout'
              AND account_id = (SELECT id FROM accounts WHERE username = 'pat')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lock_events, 1);
}
