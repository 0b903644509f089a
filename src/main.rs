//! recovery-desk: parse the command line, open the store, run the chosen mode.
//! Every failure ends here as one line on stderr and exit status 1 (2 for usage errors).

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use recovery_desk::cli::{AgentCommand, AuditArgs, AuditCommand, Cli, Command};
use recovery_desk::clock::{self, Clock};
use recovery_desk::domain::{identifier, password};
use recovery_desk::secret::{self, OsEntropy, Secret};
use recovery_desk::store::any::{AnyStore, Target};
use recovery_desk::store::audit::{Filter, GENESIS, Verdict, action};
use recovery_desk::store::postgres::PgStore;
use recovery_desk::store::postgres::schema::RolePasswords;
use recovery_desk::store::{self, Access, AgentAdmin, ReadStore, StoreError, seed};
use recovery_desk::tui::sanitize::sanitize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    recovery_desk::tui::terminal::install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A panic has already printed one line (without its payload) through the hook; it exits 1
    // like any other failure.
    let result = match std::panic::catch_unwind(|| run(cli)) {
        Ok(r) => r,
        Err(_) => return ExitCode::from(1),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, naming the cause; never a backtrace.
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("recovery-desk: {msg}");
            ExitCode::from(1)
        }
    }
}

/// Where the default database lives: $RECOVERY_DESK_DB, else the platform data directory.
fn default_db() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("RECOVERY_DESK_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "recovery-desk").ok_or_else(|| {
        anyhow!("cannot find a home directory for the default database; pass --db PATH")
    })?;
    Ok(dirs.data_dir().join("recovery-desk.db"))
}

fn db_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(p) = &cli.db {
        return Ok(p.clone());
    }
    let default = default_db()?;
    if cli.demo {
        let dir = default.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok(dir.join("demo.db"));
    }
    Ok(default)
}

/// The key file named by --key or $RECOVERY_DESK_KEY, if any.
fn key_path(cli: &Cli) -> Option<PathBuf> {
    cli.key.clone().or_else(|| {
        std::env::var_os("RECOVERY_DESK_KEY")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    })
}

fn run(cli: Cli) -> Result<()> {
    let path = db_path(&cli)?;
    let target = Target::new(&path, key_path(&cli))?;
    let clock = clock::system();
    if let (Some(Command::Setup { passwords_stdin }), Target::Postgres { url, key }) =
        (&cli.command, &target)
    {
        return setup(url, key, *passwords_stdin);
    }
    if matches!(target, Target::File { .. }) && matches!(cli.command, Some(Command::Setup { .. })) {
        bail!(
            "setup is for PostgreSQL (--db postgres://…); an SQLite database is created and migrated by the holder console"
        );
    }
    if cli.demo {
        if let Some(dir) = path.parent() {
            store::ensure_private_dir(dir)?;
        }
        seed::ensure_demo(&path, &mut OsEntropy, clock.now())?;
    }
    match cli.command {
        None => {
            require_terminal()?;
            recovery_desk::console::run_target(&target, clock)
        }
        Some(Command::Desk { default_country }) => {
            // The desk opens an existing, current database only: it creates, migrates and
            // seeds nothing (SPEC §6). Opened before the terminal is checked, so a mistyped
            // --db is named first.
            let worker = recovery_desk::desk::DeskWorker::open_target(&target, clock.clone())?;
            require_terminal()?;
            let database = recovery_desk::desk::target_label(&target);
            recovery_desk::desk::run_worker(worker, clock, &database, default_country)
        }
        Some(Command::Outbox { to }) => outbox(&target, to.as_deref()),
        Some(Command::Agent(cmd)) => agent(&target, cmd, clock.as_ref()),
        Some(Command::Audit(args)) => audit(&target, args),
        Some(Command::Setup { .. }) => unreachable!("handled above for both backends"),
    }
}

/// `setup`: the schema, its migrations and the two roles on PostgreSQL.
fn setup(url: &str, key: &Path, passwords_stdin: bool) -> Result<()> {
    let mut passwords = RolePasswords::default();
    if passwords_stdin {
        let mut lines = std::io::stdin().lock().lines();
        let mut next = |role: &str| -> Result<Secret> {
            let line = lines
                .next()
                .transpose()
                .context("cannot read the role passwords from standard input")?
                .ok_or_else(|| {
                    anyhow!("--passwords-stdin: no line for the {role} role's password")
                })?;
            let p = Secret::new(line.trim_end_matches(['\n', '\r']));
            if p.expose().is_empty() {
                bail!("--passwords-stdin: the {role} role's password is empty");
            }
            Ok(p)
        };
        passwords.holder = Some(next("holder")?);
        passwords.desk = Some(next("desk")?);
    }
    let report = PgStore::setup(url, key, &passwords)?;
    let roles = format!(
        "roles {} (holder console, agent, audit, outbox) and {} (desk)",
        store::postgres::schema::HOLDER_ROLE,
        store::postgres::schema::DESK_ROLE
    );
    if report.from == report.to {
        println!("schema version {} is current; {roles} granted", report.to);
    } else {
        println!(
            "schema migrated from version {} to {}; {roles} granted",
            report.from, report.to
        );
    }
    Ok(())
}

fn require_terminal() -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!(
            "the console needs a terminal (stdin and stdout must be a TTY); for scripts use the outbox, agent and audit commands"
        );
    }
    Ok(())
}

fn outbox(target: &Target, to: Option<&str>) -> Result<()> {
    // Existing databases only; read-write because unsealing a body needs the key file.
    let store = AnyStore::open(target, Access::Existing)?;
    let to = to.map(|t| {
        identifier::email(t)
            .or_else(|_| identifier::phone(t))
            .unwrap_or_else(|_| t.trim().to_string())
    });
    let mut out = std::io::stdout().lock();
    for m in store.outbox(to.as_deref())? {
        writeln!(
            out,
            "#{} {} {} {}\n  Subject: {}\n  {}\n",
            m.id,
            m.sent_at.format("%Y-%m-%d %H:%M:%S UTC"),
            m.channel.as_str(),
            sanitize(&m.address),
            sanitize(&m.subject),
            Secret::new(sanitize(m.body.expose())).expose()
        )?;
    }
    Ok(())
}

fn read_agent_password(name: &str, from_stdin: bool) -> Result<Secret> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let p = Secret::new(line.trim_end_matches(['\n', '\r']));
        zeroize::Zeroize::zeroize(&mut line);
        password::check(&p, &p, name).map_err(|e| anyhow!("{e}"))?;
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the password; pipe it in with --password-stdin");
    }
    let p = Secret::new(
        rpassword::prompt_password(format!("Password for agent {name}: "))
            .context("cannot read the password")?,
    );
    let again = Secret::new(
        rpassword::prompt_password("Type it again: ").context("cannot read the password")?,
    );
    password::check(&p, &again, name).map_err(|e| anyhow!("{e}"))?;
    Ok(p)
}

/// What the `agent` commands use of an opened store: agent administration and the agents'
/// credentials, through the store's traits (so any backend serves them).
fn admin(store: &mut AnyStore) -> &mut (impl AgentAdmin + ReadStore + use<>) {
    store
}

fn agent(target: &Target, cmd: AgentCommand, clock: &dyn Clock) -> Result<()> {
    match cmd {
        AgentCommand::Add {
            name,
            password_stdin,
        } => {
            let name = identifier::agent_name(&name).map_err(|e| anyhow!("{e}"))?;
            let mut opened = AnyStore::open(target, Access::Create)?;
            let store = admin(&mut opened);
            if store.agent_credentials(&name)?.is_some() {
                bail!("an agent named {name} exists already");
            }
            let p = read_agent_password(&name, password_stdin)?;
            let hash = secret::hash(&p, &mut OsEntropy)?;
            store.add_agent(&name, &hash, clock.now())?;
            store.audit_agent_command(&name, action::AGENT_ADDED, clock.now())?;
            println!("added agent {name}");
        }
        AgentCommand::List => {
            let mut opened = AnyStore::open(target, Access::ReadOnly)?;
            for a in admin(&mut opened).agents()? {
                let state = if a.disabled { "disabled" } else { "active" };
                println!(
                    "{}\t{}\tadded {}",
                    a.name,
                    state,
                    a.created_at.format("%Y-%m-%d")
                );
            }
        }
        AgentCommand::Disable { name } => {
            let name = identifier::agent_name(&name).map_err(|e| anyhow!("{e}"))?;
            let mut opened = AnyStore::open(target, Access::Existing)?;
            let store = admin(&mut opened);
            store
                .disable_agent(&name)
                .map_err(|e| no_such_agent(e, &name))?;
            store.audit_agent_command(&name, action::AGENT_DISABLED, clock.now())?;
            println!("disabled agent {name}");
        }
        AgentCommand::Enable { name } => {
            let name = identifier::agent_name(&name).map_err(|e| anyhow!("{e}"))?;
            let mut opened = AnyStore::open(target, Access::Existing)?;
            let store = admin(&mut opened);
            store
                .enable_agent(&name)
                .map_err(|e| no_such_agent(e, &name))?;
            store.audit_agent_command(&name, action::AGENT_ENABLED, clock.now())?;
            println!("enabled agent {name}");
        }
        AgentCommand::ResetPassword {
            name,
            password_stdin,
        } => {
            let name = identifier::agent_name(&name).map_err(|e| anyhow!("{e}"))?;
            let mut opened = AnyStore::open(target, Access::Existing)?;
            // The current password is the one the agent set at the desk, if they did.
            let desk_hash = opened.desk_password(&name)?;
            let store = admin(&mut opened);
            let creds = store
                .agent_credentials(&name)?
                .ok_or_else(|| anyhow!("no agent named {name}"))?;
            // SPEC §6: the agent must be enabled; a reset does not enable it by the way.
            if creds.disabled {
                bail!(
                    "agent {name} is disabled; enable it first (recovery-desk agent enable {name})"
                );
            }
            let p = read_agent_password(&name, password_stdin)?;
            let current = desk_hash.unwrap_or(creds.password_hash);
            if secret::verify(&p, &current)? {
                bail!("that is agent {name}'s current password; choose a new one");
            }
            let hash = secret::hash(&p, &mut OsEntropy)?;
            store
                .set_agent_password(&name, &hash)
                .map_err(|e| match e {
                    StoreError::Conflict(_) => anyhow!(
                        "agent {name} was disabled meanwhile; enable it first (recovery-desk agent enable {name})"
                    ),
                    e => no_such_agent(e, &name),
                })?;
            // The sign-in lockout (derived from the audit log) starts over from this row.
            store.audit_agent_command(&name, action::AGENT_PASSWORD_RESET, clock.now())?;
            println!("new password set for agent {name}; the old one no longer works");
        }
    }
    Ok(())
}

fn no_such_agent(e: StoreError, name: &str) -> anyhow::Error {
    match e {
        StoreError::NotFound(_) => anyhow!("no agent named {name}"),
        e => e.into(),
    }
}

/// The one line that says how the chain was found broken.
fn tampered(v: Verdict) -> anyhow::Error {
    match v {
        Verdict::Intact { .. } => anyhow!("audit log intact"),
        Verdict::Edited { id } => anyhow!("audit log tampered: row {id} was edited"),
        Verdict::Broken { id } => anyhow!(
            "audit log tampered: the chain breaks before row {id} (a row was deleted or reordered)"
        ),
        Verdict::Truncated { last, issued } => anyhow!(
            "audit log tampered: rows {}..={issued} were deleted from the end",
            last + 1
        ),
        Verdict::HeadMismatch => anyhow!(
            "audit log tampered: its keyed head does not match the last row (rows were deleted or replaced)"
        ),
    }
}

/// The chain's row count and head, or the error naming how it was broken.
fn intact(store: &AnyStore) -> Result<(usize, String)> {
    match store.audit_verify()? {
        Verdict::Intact { rows, head } => Ok((rows, head)),
        v => Err(tampered(v)),
    }
}

fn audit(target: &Target, args: AuditArgs) -> Result<()> {
    // Existing databases only; the key file is needed to check the chain and to find the
    // rows where a name was typed that is no agent's (stored as a keyed hash).
    let store = AnyStore::open(target, Access::Existing)?;
    match args.verify {
        Some(AuditCommand::Verify { expect_head: None }) => {
            let (rows, head) = intact(&store)?;
            println!("audit log intact: {rows} rows, head {head}");
        }
        Some(AuditCommand::Verify {
            expect_head: Some(noted),
        }) => {
            let (rows, head) = intact(&store)?;
            // The head noted earlier must still be a row of the chain (or the empty start):
            // rows appended since are fine, a row deleted or rewritten back to it is not.
            let at = if noted == GENESIS {
                Some(0)
            } else {
                store.audit_row_with_hash(&noted)?
            };
            let Some(id) = at else {
                bail!(
                    "audit log tampered: the head noted earlier ({}…) is not in the chain any more (rows were deleted or rewritten), the chain now ends at {}…",
                    &noted[..16],
                    &head[..16]
                );
            };
            let since = i64::try_from(rows).unwrap_or(i64::MAX) - id;
            println!(
                "audit log intact: {rows} rows, head {head}; the head noted earlier is row {id}, {since} rows appended since"
            );
        }
        Some(AuditCommand::Head) => {
            let (_, head) = intact(&store)?;
            println!("{head}");
        }
        None => {
            let agent = args
                .agent
                .as_deref()
                .map(identifier::agent_name)
                .transpose()
                .map_err(|e| anyhow!("--agent: {e}"))?;
            let mut out = std::io::stdout().lock();
            let filter = Filter {
                agent: agent.as_deref(),
                account: args.account,
                case_ref: args.case_ref.as_ref(),
            };
            for r in store.audit_rows(filter)? {
                let account = r
                    .account_id
                    .map(|a| format!("#{a}"))
                    .unwrap_or_else(|| "-".into());
                let case_ref = r.case_ref.as_deref().unwrap_or("-");
                // A password an agent set at the desk is kept as its hash in its row's detail:
                // the row is listed, the hash is not.
                let detail = if r.action == action::AGENT_PASSWORD_CHANGED {
                    "new password set (hash withheld)"
                } else {
                    r.detail.as_str()
                };
                // Rows are data like any other: sanitised as the screens do, so a planted
                // escape sequence cannot drive the terminal.
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.id,
                    r.at.format("%Y-%m-%d %H:%M:%S UTC"),
                    sanitize(&r.agent),
                    sanitize(&r.action),
                    account,
                    sanitize(detail),
                    sanitize(case_ref)
                )?;
            }
        }
    }
    Ok(())
}
