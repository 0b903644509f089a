//! SPEC §4: "The unauthenticated sign-in helper (holder console) reveals nothing the sign-in
//! screens don't: no two-step state, recovery-code status, lock or pending dates. It asks
//! questions and gives the path; account-specific facts are for the signed-in holder and the
//! desk."
//!
//! The attacker's move: type a victim's username into **Can't sign in?** and read what the
//! helper says about the account. Two accounts in opposite states — one with two-step
//! verification, a verified email and phone, a recovery code, locked password and code entry and
//! a pending password change; one with nothing at all — must get byte-identical helper screens
//! for the same answers, apart from the username the person typed.

mod support;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use recovery_desk::console::State;
use recovery_desk::domain::lockout::Guarded;
use recovery_desk::domain::model::{MethodKind, Proof};
use recovery_desk::service::Service;
use recovery_desk::store::Store;
use recovery_desk::store::{HolderStore, ReadStore};
use recovery_desk::testing::{self, Driver};
use recovery_desk::tui::Theme;
use std::path::Path;
use std::sync::Arc;
use support::seams::{Seeded, TestClock, t0};

/// Usernames of the same length, so that every screen lays out the same.
const GUARDED: &str = "zelda";
const BARE: &str = "quinn";

/// Both accounts in one database: `zelda` with everything, `quinn` with nothing.
fn accounts(db: &Path) {
    let now = t0();
    let mut store = Store::open(db).unwrap();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    let z = store.create_account(GUARDED, hash, now).unwrap();
    for (kind, address) in [
        (MethodKind::Email, "zelda@example.com"),
        (MethodKind::Phone, "+15550100188"),
    ] {
        let m = store.add_method(z, kind, address, now).unwrap();
        store.verify_method(z, m, now).unwrap();
    }
    store.set_two_step(z, true, now).unwrap();
    store.replace_recovery_code(z, hash, now).unwrap();
    store
        .create_pending_password(z, hash, None, Proof::RecoveryCode, now)
        .unwrap();
    for what in [
        Guarded::Password,
        Guarded::RecoveryCode,
        Guarded::OneTimeCode,
    ] {
        for _ in 0..5 {
            store.record_failure(z, what, now).unwrap();
        }
    }
    let view = store.account_view(z, now).unwrap();
    assert!(view.account.two_step && view.recovery.active_since.is_some());
    assert_eq!(view.locks.len(), 3, "{:?}", view.locks);
    assert_eq!(view.pending.len(), 1);
    store.create_account(BARE, hash, now).unwrap();
}

/// The holder console over that database, driven key by key by the one test driver.
struct Console {
    d: Driver<State, Service>,
}

impl Console {
    fn new(db: &Path) -> Console {
        let clock = Arc::new(TestClock::new(t0()));
        let svc = Service::new(
            Store::open(db).unwrap(),
            Box::new(Seeded::new(7)),
            clock.clone(),
        );
        Console {
            d: testing::console(svc, clock, Theme::plain(), 80, 24),
        }
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.d.press(code, mods);
    }

    fn text(&self) -> String {
        self.d.text()
    }
}

/// A key the person presses.
#[derive(Clone, Copy)]
enum K {
    Digit(char),
    Alt(char),
    Enter,
    Esc,
    Help,
    /// Shift-Tab: on a menu, the choice before (from the first, the last).
    BackTab,
}

impl K {
    fn press(self, c: &mut Console) {
        match self {
            K::Digit(d) => c.key(KeyCode::Char(d), KeyModifiers::NONE),
            K::Alt(d) => c.key(KeyCode::Char(d), KeyModifiers::ALT),
            K::Enter => c.key(KeyCode::Enter, KeyModifiers::NONE),
            K::Esc => c.key(KeyCode::Esc, KeyModifiers::NONE),
            K::Help => c.key(KeyCode::F(1), KeyModifiers::NONE),
            K::BackTab => c.key(KeyCode::BackTab, KeyModifiers::SHIFT),
        }
    }
}

/// Every helper screen seen while `username` is typed and `keys` are pressed, the username
/// replaced by a mark.
fn helper_screens(db: &Path, username: &str, keys: &[K]) -> Vec<String> {
    let mut c = Console::new(db);
    for ch in username.chars() {
        c.key(KeyCode::Char(ch), KeyModifiers::NONE);
    }
    let mut seen = vec![];
    for k in keys {
        k.press(&mut c);
        if c.d.app.screen.name() == "Helper" {
            seen.push(c.text().replace(username, "@@@@@"));
        }
    }
    seen
}

#[test]
fn the_helper_shows_the_same_screens_whatever_the_account_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("helper.db");
    accounts(&db);

    use K::*;
    // From Sign in: Can't sign in?, the username, then each way through the questions.
    let open = [Alt('2'), Enter];
    let answers: &[&[K]] = &[
        &[Digit('1'), Digit('1')],
        &[Digit('1'), Digit('2'), Digit('1')],
        &[Digit('1'), Digit('2'), Digit('2'), Help, Esc, Esc, Esc],
        &[Digit('2'), Digit('1'), Digit('1')],
        &[Digit('2'), Digit('1'), Digit('2')],
        &[Digit('2'), Digit('2'), Digit('1')],
        &[Digit('2'), Digit('2'), Digit('2'), Esc],
        &[Digit('3'), Digit('1'), Help],
        &[Digit('3'), Digit('2'), Digit('1')],
    ];
    // From the password screen: Other ways to sign in, then Can't sign in? (the last choice:
    // the codes offered before it depend on the account's methods).
    let via_other_ways = [Enter, Alt('2'), BackTab, Enter, Digit('1'), Digit('2')];

    let mut compared = 0;
    let mut all = vec![];
    for keys in answers
        .iter()
        .map(|a| open.iter().chain(a.iter()).copied().collect::<Vec<_>>())
        .chain([via_other_ways.to_vec()])
    {
        let guarded = helper_screens(&db, GUARDED, &keys);
        let bare = helper_screens(&db, BARE, &keys);
        assert!(!guarded.is_empty());
        assert_eq!(guarded.len(), bare.len());
        for (g, b) in guarded.iter().zip(&bare) {
            assert_eq!(
                g, b,
                "the helper's screen depends on the account:\n{g}\nversus\n{b}"
            );
            compared += 1;
        }
        all.extend(guarded);
    }
    assert!(compared >= 25, "{compared}");

    // And none of it is an account fact: no dates, no masked address, no "is on".
    let every = all.join("\n");
    for fact in [
        "2026",
        "2027",
        "•••",
        "locked until",
        "active since",
        "verification is on.",
        "verification is off.",
    ] {
        assert!(!every.contains(fact), "{fact:?} shown:\n{every}");
    }
    // The paths were all reached (so the comparison covered them).
    for headline in [
        "You can reset your password with a code",
        "You can get back in with your recovery code",
        "Your password still signs you in",
        "Sign in with your password; if you're asked for a code you can't get",
        "Without a code or your recovery code, nothing can prove",
        "What to try, depending on what the sign-in screens tell you",
    ] {
        assert!(every.contains(headline), "{headline:?} never shown");
    }
}

#[test]
fn an_unknown_username_is_told_as_the_sign_in_screen_tells_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("helper.db");
    accounts(&db);
    let mut c = Console::new(&db);
    for ch in "nobody".chars() {
        c.key(KeyCode::Char(ch), KeyModifiers::NONE);
    }
    c.key(KeyCode::Char('2'), KeyModifiers::ALT);
    c.key(KeyCode::Enter, KeyModifiers::NONE);
    let t = c.text();
    assert!(
        t.contains("We couldn't find an account with that username."),
        "{t}"
    );
    assert!(!t.contains("What's happening?"), "{t}");
}
