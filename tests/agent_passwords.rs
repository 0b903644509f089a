//! SPEC §6: "agent passwords follow the §4 password rules" — at least 8 characters, not on the
//! list of common passwords, not weak by the strength estimator, not containing the name. The
//! real binary is run as an administrator would: `agent add NAME --password-stdin`.
//! Also: every password the demo ships (README lists them) follows the same rule.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn agent(db: &Path, args: &[&str], password: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recovery-desk"))
        .env_remove("RECOVERY_DESK_DB")
        .arg("--db")
        .arg(db)
        .arg("agent")
        .args(args)
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A refusal may come before the password is read: a broken pipe is not a failure here.
    let _ = writeln!(child.stdin.take().unwrap(), "{password}");
    child.wait_with_output().unwrap()
}

fn refused(o: &Output, why: &str) {
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr: {e}");
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(e.contains(why), "want {why:?} in: {e}");
}

fn agent_names(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.prepare("SELECT name FROM agents ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn an_administrator_cannot_give_an_agent_a_common_or_weak_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agents.db");

    // The two passwords every attacker tries first.
    refused(
        &agent(&db, &["add", "morgan"], "password"),
        "That password is too common",
    );
    refused(
        &agent(&db, &["add", "morgan"], "12345678"),
        "That password is too common",
    );
    // The list is compared without regard to case.
    refused(
        &agent(&db, &["add", "morgan"], "BaseBall"),
        "That password is too common",
    );
    // Long enough and on no list, but guessed in moments.
    refused(
        &agent(&db, &["add", "morgan"], "aaaaaaaaaaaa"),
        "That password is too easy to guess",
    );
    // The agent's own name inside the password, in any case.
    refused(
        &agent(&db, &["add", "morgan"], "Morgan-Tulip-Anvil-42"),
        "Your password can't contain your username.",
    );
    assert!(
        agent_names(&db).is_empty(),
        "no agent was created with a refused password"
    );

    // A good one is accepted.
    let ok = agent(&db, &["add", "morgan"], "tulip-anvil-orbit");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(agent_names(&db), ["morgan"]);
}

#[test]
fn every_demo_password_follows_the_rule() {
    use recovery_desk::domain::password;
    use recovery_desk::secret::Secret;
    let demo = recovery_desk::store::seed::demo().unwrap();
    let mut checked = 0;
    for a in &demo.account {
        let mut passwords = vec![a.password.as_str()];
        passwords.extend(a.pending_password.as_deref());
        for p in passwords {
            let s = Secret::new(p);
            assert_eq!(
                password::check(&s, &s, &a.username),
                Ok(()),
                "demo account {}: {p}",
                a.username
            );
            checked += 1;
        }
    }
    for g in &demo.agent {
        let s = Secret::new(g.password.as_str());
        assert_eq!(
            password::check(&s, &s, &g.name),
            Ok(()),
            "demo agent {}",
            g.name
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}
