//! The command line (SPEC §2): a fixed interface that tests and tools depend on.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Account sign-in methods and recovery codes, with a read-only support desk.
#[derive(Debug, Parser)]
#[command(name = "recovery-desk", version, about, long_about = None)]
pub struct Cli {
    /// Database file (default: recovery-desk.db in the platform data directory, or $RECOVERY_DESK_DB)
    #[arg(long, value_name = "PATH", global = true, conflicts_with = "demo")]
    pub db: Option<PathBuf>,
    /// Use the demo database (demo.db beside the default database), seeded on first use
    #[arg(long, global = true)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The support-desk console (agents sign in)
    Desk,
    /// Messages "sent" by email or text, oldest first
    Outbox {
        /// Only messages to this email address or phone number
        #[arg(long, value_name = "ADDRESS")]
        to: Option<String>,
    },
    /// Manage support agents
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Show the audit log, or verify its hash chain
    Audit(AuditArgs),
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Add an agent (asks for the password twice, or reads one line with --password-stdin)
    Add {
        name: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// List agents
    List,
    /// Disable an agent (it can no longer sign in to the desk)
    Disable { name: String },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub verify: Option<AuditCommand>,
    /// Only rows by this agent
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Only rows about this account id
    #[arg(long, value_name = "ID")]
    pub account: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 when a row was edited or deleted
    Verify,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_the_fixed_interface() {
        let p = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("recovery-desk").chain(args.iter().copied()))
        };
        assert!(p(&[]).unwrap().command.is_none());
        assert!(matches!(
            p(&["--demo", "desk"]).unwrap().command,
            Some(Command::Desk)
        ));
        assert!(matches!(
            p(&["desk", "--db", "x.db"]).unwrap().command,
            Some(Command::Desk)
        ));
        assert!(matches!(
            p(&["outbox", "--to", "a@b.cd"]).unwrap().command,
            Some(Command::Outbox { to: Some(_) })
        ));
        assert!(matches!(
            p(&["agent", "add", "alex", "--password-stdin"])
                .unwrap()
                .command,
            Some(Command::Agent(AgentCommand::Add {
                password_stdin: true,
                ..
            }))
        ));
        assert!(matches!(
            p(&["audit", "verify"]).unwrap().command,
            Some(Command::Audit(AuditArgs {
                verify: Some(_),
                ..
            }))
        ));
        assert!(matches!(
            p(&["audit", "--agent", "alex", "--account", "3"])
                .unwrap()
                .command,
            Some(Command::Audit(AuditArgs {
                verify: None,
                account: Some(3),
                ..
            }))
        ));
        assert!(p(&["--db", "x", "--demo"]).is_err());
        assert!(p(&["reset-password"]).is_err());
    }
}
