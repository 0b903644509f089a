//! Secrets at rest (issue 5, item 9): after real end-to-end runs of both consoles in a
//! pseudo-terminal, no password, recovery code or one-time code used appears in any file the
//! program wrote: the database, its `-wal` and `-shm`, the key file, and anything else under
//! the temporary home the processes ran in (HOME, the working directory and the XDG
//! directories all point into it).
//!
//! The runs: create an account with a distinctive password → add an email (one-time code from
//! the outbox) → generate a recovery code (read off the screen) → sign out → recover with the
//! code typed lower case with spaces → a new distinctive password → sign in with it. Then a
//! two-step account: add an email, turn two-step on, generate a code, recover with it (a
//! pending password change), sign in the normal way with a one-time code. Then the desk: an
//! agent (added with `agent add --password-stdin`) signs in and looks an account up.
//!
//! The files are scanned three times: while the console still runs (the WAL holds the recent
//! writes), while the desk runs, and after both have exited. Probes, for every secret:
//! - passwords as typed;
//! - recovery codes canonical (`ABCDE…`), dashed, lower case (both), and as typed with spaces;
//! - one-time codes in the message's words ("security code is 123456", "code is 123456"), and
//!   as the bare six digits wherever they form a run of exactly six ASCII digits. The database
//!   stores times as `YYYY-MM-DDTHH:MM:SS.mmmZ` (no field longer than four digits), ids as small
//!   integers and hashes as base64/hex, so a standalone six-digit run in text can only be a
//!   code; inside binary pages the chance of one specific 6-byte run is about 256⁻⁶ per
//!   offset, far below one false alarm over these few hundred kilobytes.
//!
//! The outbox bodies are sealed (XChaCha20-Poly1305) under the key file `<db>.key`: the test also
//! checks that the `outbox` command, which holds the key, does print the one-time codes in
//! exactly the probed form, so the probe is the right one, and that the scan does find known
//! plain text (the username and the email address) in the database, so it reads the right
//! files.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::cli::{feed, ok};
use support::flows::{
    add_email, choose, confirm_code, create_account, generate, new_password_then_sign_in,
    password_then_code, quit, sign_out, sign_out_and_recover, submit, to_recovery_code_prompt,
    wait,
};
use support::outbox::newest_code;
use support::pty::{PtySession, bin_path};

const P1: &str = "Umbra-First-Pass-4417";
const P2: &str = "Umbra-Second-Pass-9902";
const P3: &str = "Vortex-First-Pass-3381";
const P4: &str = "Vortex-Pending-Pass-6620";
const AGENT_PASS: &str = "Agent-Zebra-Pass-7781";

struct Run {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Run {
    fn new() -> Run {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("secrets.db");
        Run { dir, db }
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self) -> Command {
        let mut c = Command::new(bin_path());
        c.arg("--db").arg(&self.db);
        self.envs(&mut |k, v| {
            c.env(k, v);
        });
        c.env_remove("RECOVERY_DESK_DB").current_dir(self.home());
        c
    }

    fn envs(&self, set: &mut dyn FnMut(&str, PathBuf)) {
        let h = self.home().to_path_buf();
        set("HOME", h.clone());
        set("XDG_DATA_HOME", h.join("xdg-data"));
        set("XDG_CONFIG_HOME", h.join("xdg-config"));
        set("XDG_CACHE_HOME", h.join("xdg-cache"));
        set("XDG_STATE_HOME", h.join("xdg-state"));
        set("TMPDIR", h.join("tmp"));
    }

    fn spawn(&self, desk: bool) -> PtySession {
        std::fs::create_dir_all(self.home().join("tmp")).unwrap();
        let mut b = PtySession::app().arg("--db").arg(&self.db);
        if desk {
            b = b.arg("desk");
        }
        let mut pairs = Vec::new();
        self.envs(&mut |k, v| pairs.push((k.to_string(), v)));
        for (k, v) in pairs {
            b = b.env(k, v);
        }
        b.env("TZ", "UTC")
            .env_remove("RECOVERY_DESK_DB")
            .cwd(self.home())
            .spawn()
            .expect("spawn recovery-desk")
    }

    /// The whole outbox for `address`, as the `outbox` command prints it (it holds the key).
    fn outbox(&self, address: &str) -> String {
        ok(&feed(self.command().args(["outbox", "--to", address]), ""))
    }

    /// The newest one-time code sent to `address`.
    fn code(&self, address: &str) -> String {
        newest_code(&self.outbox(address))
    }

    fn add_agent(&self) {
        let mut add = self.command();
        add.args(["agent", "add", "deskagent", "--password-stdin"]);
        ok(&feed(&mut add, &format!("{AGENT_PASS}\n")));
    }
}

/// Create `username` with `password`, add and verify `email`; returns the one-time code.
fn create_with_email(
    run: &Run,
    s: &mut PtySession,
    username: &str,
    password: &str,
    email: &str,
) -> String {
    create_account(s, username, password);
    add_email(s, email, |a| run.code(a))
}

/// Every secret used, and the byte strings that would give it away.
#[derive(Default)]
struct Secrets {
    /// (what, needle)
    needles: Vec<(String, Vec<u8>)>,
    /// One-time codes, searched as standalone six-digit runs.
    digits: Vec<String>,
}

impl Secrets {
    fn password(&mut self, p: &str) {
        self.needles
            .push((format!("password {p}"), p.as_bytes().to_vec()));
    }

    fn recovery_code(&mut self, dashed: &str) {
        let canonical = dashed.replace('-', "");
        for form in [
            canonical.clone(),
            dashed.to_string(),
            canonical.to_lowercase(),
            dashed.to_lowercase(),
            dashed.to_lowercase().replace('-', " "),
        ] {
            self.needles.push((
                format!("recovery code {dashed} as {form}"),
                form.into_bytes(),
            ));
        }
    }

    /// An authenticator app's key: as shown (base32), lower case, and its raw bytes.
    fn app_key(&mut self, base32: &str) {
        let raw = recovery_desk::domain::totp::from_base32(base32).unwrap();
        self.needles
            .push((format!("app key {base32}"), base32.as_bytes().to_vec()));
        self.needles.push((
            format!("app key {base32} lower case"),
            base32.to_lowercase().into_bytes(),
        ));
        self.needles.push((format!("app key {base32} raw"), raw));
    }

    fn one_time(&mut self, code: &str) {
        for form in [
            format!("security code is {code}"),
            format!("code is {code}"),
        ] {
            self.needles.push((
                format!("one-time code {code} as {form:?}"),
                form.into_bytes(),
            ));
        }
        self.digits.push(code.to_string());
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Offsets where `digits` stands alone: not preceded or followed by another ASCII digit.
fn standalone(haystack: &[u8], digits: &str) -> Vec<usize> {
    let d = digits.as_bytes();
    haystack
        .windows(d.len())
        .enumerate()
        .filter(|(i, w)| {
            *w == d
                && (*i == 0 || !haystack[i - 1].is_ascii_digit())
                && haystack
                    .get(i + d.len())
                    .is_none_or(|b| !b.is_ascii_digit())
        })
        .map(|(i, _)| i)
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            files_under(&path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// Scans every file under `run`'s home for every secret; returns the files scanned.
fn scan(run: &Run, secrets: &Secrets, when: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    files_under(run.home(), &mut files);
    let mut leaks = Vec::new();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue; // removed meanwhile (a -shm or -wal at exit)
        };
        for (what, needle) in &secrets.needles {
            if let Some(at) = find(&bytes, needle) {
                leaks.push(format!("{what} in {} at byte {at}", f.display()));
            }
        }
        for code in &secrets.digits {
            for at in standalone(&bytes, code) {
                let from = at.saturating_sub(24);
                let to = (at + 30).min(bytes.len());
                leaks.push(format!(
                    "one-time code {code} (bare) in {} at byte {at}: {:?}",
                    f.display(),
                    String::from_utf8_lossy(&bytes[from..to])
                ));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{when}: secrets found at rest:\n{}",
        leaks.join("\n")
    );
    files
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn no_secret_is_written_to_any_file() {
    let run = Run::new();
    let mut secrets = Secrets::default();
    run.add_agent();
    secrets.password(AGENT_PASS);

    // ---- The account holder console.
    let mut s = run.spawn(false);
    wait(&s, "Enter the username of your account.");

    // Plain account: create, add email, generate, sign out, recover, new password, sign in.
    secrets.password(P1);
    let c1 = create_with_email(&run, &mut s, "ursula", P1, "ursula@example.com");
    secrets.one_time(&c1);
    let r1 = generate(&mut s);
    secrets.recovery_code(&r1);
    // An authenticator app: its key read off the screen, confirmed with a code from it.
    choose(&mut s, "Add authenticator app");
    let screen = wait(&s, "Then type the 6-digit code");
    let key = support::screen::app_key(&screen);
    assert_eq!(key.len(), 32, "{screen}");
    secrets.app_key(&key);
    let raw = recovery_desk::domain::totp::from_base32(&key).unwrap();
    let app_code = recovery_desk::domain::totp::code_at_step(
        &raw,
        recovery_desk::domain::totp::step_at(chrono::Utc::now().timestamp()),
    );
    submit(&mut s, &app_code, "Your authenticator app is set up");
    secrets.digits.push(app_code);
    let r2 = sign_out_and_recover(&mut s, "ursula", &r1);
    secrets.recovery_code(&r2);
    secrets.password(P2);
    new_password_then_sign_in(&mut s, "ursula", P2);
    sign_out(&mut s);

    // Two-step account: recovery with the code alone makes a pending change.
    secrets.password(P3);
    let c2 = create_with_email(&run, &mut s, "viktor", P3, "viktor@example.com");
    secrets.one_time(&c2);
    choose(&mut s, "Turn two-step verification on");
    wait(&s, "Turn two-step verification on?");
    s.send_keys("1");
    wait(&s, "Two-step verification is on.");
    let r3 = generate(&mut s);
    secrets.recovery_code(&r3);
    sign_out(&mut s);
    to_recovery_code_prompt(&mut s, "viktor", 1);
    submit(&mut s, &r3, "Your recovery code worked");
    let r4 = confirm_code(&mut s, "take effect only after 30 days");
    secrets.recovery_code(&r4);
    secrets.password(P4);
    submit(
        &mut s,
        &format!("{P4}\t{P4}"),
        "your new password takes effect on",
    );
    s.enter();
    wait(&s, "Signing in as viktor");
    let c3 = password_then_code(&mut s, P3, "v•••@example.com", || {
        run.code("viktor@example.com")
    });
    secrets.one_time(&c3);
    wait(
        &s,
        "A new password set through account recovery takes effect on",
    );

    // The probe for one-time codes is the message's own wording: the outbox command, which
    // holds the key, prints exactly that.
    for (address, code) in [
        ("ursula@example.com", &c1),
        ("viktor@example.com", &c2),
        ("viktor@example.com", &c3),
    ] {
        assert!(
            run.outbox(address)
                .contains(&format!("security code is {code}")),
            "outbox for {address} lacks code {code}"
        );
    }

    // Scan while the console runs: the WAL is there.
    let files = scan(&run, &secrets, "console running");
    let listed = names(&files);
    assert!(
        listed.iter().any(|n| n == "secrets.db-wal"),
        "no WAL while running: {listed:?}"
    );
    assert!(
        listed.iter().any(|n| n == "secrets.db.key"),
        "no key file: {listed:?}"
    );

    // ---- The desk: agent sign-in with its password, a lookup, the helper.
    let mut d = run.spawn(true);
    wait(&d, "Agent name");
    d.send_keys("deskagent");
    d.enter();
    submit(&mut d, AGENT_PASS, "Signed in as deskagent.");
    submit(&mut d, "ursula@example.com", "ursula (#");
    d.send_keys("1");
    wait(&d, "What is the customer's problem?");
    scan(&run, &secrets, "console and desk running");

    for mut p in [d, s] {
        quit(&mut p);
    }

    // ---- After exit.
    let files = scan(&run, &secrets, "after exit");
    eprintln!("scanned after exit: {:?}", names(&files));

    // The scan reads the real data: known plain text is found in the database files.
    let db_bytes: Vec<u8> = files
        .iter()
        .filter(|f| names(std::slice::from_ref(f))[0].starts_with("secrets.db"))
        .flat_map(|f| std::fs::read(f).unwrap_or_default())
        .collect();
    for known in ["ursula", "viktor@example.com", "deskagent"] {
        assert!(
            find(&db_bytes, known.as_bytes()).is_some(),
            "the scan did not see {known:?}: wrong files?"
        );
    }
}
