//! SPEC §6: "agent passwords follow the §4 password rules" — at least 8 characters, not on the
//! list of common passwords, not weak by the strength estimator, not containing the name. The
//! real binary is run as an administrator would: `agent add NAME --password-stdin`.
//! Also: every password the demo ships (README lists them) follows the same rule.

mod support;

use std::path::Path;
use support::cli::{agent, ok, one_line_failure, strings};

fn agent_names(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    strings(&conn, "SELECT name FROM agents ORDER BY name")
}

#[test]
fn an_administrator_cannot_give_an_agent_a_common_or_weak_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agents.db");

    for (password, why) in [
        // The two passwords every attacker tries first.
        ("password", "That password is too common"),
        ("12345678", "That password is too common"),
        // The list is compared without regard to case.
        ("BaseBall", "That password is too common"),
        // Long enough and on no list, but guessed in moments.
        ("aaaaaaaaaaaa", "That password is too easy to guess"),
        // The agent's own name inside the password, in any case.
        (
            "Morgan-Tulip-Anvil-42",
            "Your password can't contain your username.",
        ),
    ] {
        one_line_failure(&agent(&db, &["add", "morgan"], password), why);
    }
    assert!(
        agent_names(&db).is_empty(),
        "no agent was created with a refused password"
    );

    // A good one is accepted.
    ok(&agent(&db, &["add", "morgan"], "tulip-anvil-orbit"));
    assert_eq!(agent_names(&db), ["morgan"]);
}

#[test]
fn every_demo_password_follows_the_rule() {
    use recovery_desk::domain::password;
    use recovery_desk::secret::Secret;
    let demo = recovery_desk::store::seed::demo().unwrap();
    // (who, their name, the password), for every account's passwords and every agent's.
    let mut all: Vec<(&str, &str, &str)> = vec![];
    for a in &demo.account {
        all.push(("demo account", &a.username, &a.password));
        if let Some(p) = a.pending_password.as_deref() {
            all.push(("demo account", &a.username, p));
        }
    }
    for g in &demo.agent {
        all.push(("demo agent", &g.name, &g.password));
    }
    for (who, name, p) in &all {
        let s = Secret::new(*p);
        assert_eq!(password::check(&s, &s, name), Ok(()), "{who} {name}: {p}");
    }
    assert!(all.len() >= 10, "{}", all.len());
}
