//! The command line (SPEC §2): a fixed interface that tests and tools depend on.

use crate::domain::phone::CallingCode;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Account sign-in methods and recovery codes, with a read-only support desk.
#[derive(Debug, Parser)]
#[command(name = "recovery-desk", version, about, long_about = None)]
pub struct Cli {
    /// Database file, or a postgres:// URL (default: recovery-desk.db in the platform data directory, or $RECOVERY_DESK_DB)
    #[arg(long, value_name = "PATH|URL", global = true, conflicts_with = "demo")]
    pub db: Option<PathBuf>,
    /// Key file (default: <db>.key beside a database file; required with a URL), or $RECOVERY_DESK_KEY
    #[arg(long, value_name = "PATH", global = true)]
    pub key: Option<PathBuf>,
    /// Use the demo database (demo.db beside the default database), seeded on first use
    #[arg(long, global = true)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The support-desk console (agents sign in)
    Desk {
        /// Phone numbers looked up without + are in this country: its calling code, like 1,
        /// +1, 44 or +44 (a leading 0 is then the trunk prefix, 00 the international one)
        #[arg(long, value_name = "CODE", value_parser = CallingCode::parse)]
        default_country: Option<CallingCode>,
    },
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
    /// PostgreSQL only: create or migrate the schema and the holder and desk roles (SPEC §9)
    Setup {
        /// Read the holder role's password from the first line of standard input and the desk
        /// role's from the second (without it the roles sign in as pg_hba.conf allows, e.g. peer)
        #[arg(long)]
        passwords_stdin: bool,
    },
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
    /// Disable an agent (it can no longer sign in; a signed-in desk locks at its next request)
    Disable { name: String },
    /// Enable a disabled agent again
    Enable { name: String },
    /// Give an enabled agent a new password (the old one stops working at once)
    ResetPassword {
        name: String,
        /// Read the new password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub verify: Option<AuditCommand>,
    /// Only rows by this agent (any case)
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Only rows about this account id (`7` or `#7`, as the desk shows it)
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub account: Option<i64>,
    /// Only rows of this case (the reference typed at the desk with a lookup; any case)
    #[arg(long = "case", value_name = "REF", value_parser = crate::domain::case_ref::CaseRef::parse)]
    pub case_ref: Option<crate::domain::case_ref::CaseRef>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 when a row was edited or deleted
    Verify {
        /// A head printed earlier by `audit head`: fail unless that row is still in the chain
        #[arg(long, value_name = "HASH", value_parser = head_hash)]
        expect_head: Option<String>,
    },
    /// Print the current head of the chain (after checking it), to note for --expect-head
    Head,
}

/// An account id as typed: `7` or `#7` (the desk's form).
fn account_id(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let digits = t.strip_prefix('#').unwrap_or(t);
    match digits.parse::<i64>() {
        Ok(id) if id > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err("an account id is a positive number, like 7 or #7".into()),
    }
}

/// A head as `audit head` prints it: 64 hex digits (any case).
fn head_hash(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t)
    } else {
        Err("a head is the 64 hex digits `recovery-desk audit head` prints".into())
    }
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
            Some(Command::Desk {
                default_country: None
            })
        ));
        assert!(matches!(
            p(&["desk", "--db", "x.db"]).unwrap().command,
            Some(Command::Desk {
                default_country: None
            })
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
                verify: Some(AuditCommand::Verify { expect_head: None }),
                ..
            }))
        ));
        let head = "AB".repeat(32);
        match p(&["audit", "verify", "--expect-head", &head])
            .unwrap()
            .command
        {
            Some(Command::Audit(AuditArgs {
                verify: Some(AuditCommand::Verify { expect_head }),
                ..
            })) => assert_eq!(expect_head, Some("ab".repeat(32))),
            other => panic!("{other:?}"),
        }
        assert!(p(&["audit", "verify", "--expect-head", "abc"]).is_err());
        assert!(matches!(
            p(&["audit", "head"]).unwrap().command,
            Some(Command::Audit(AuditArgs {
                verify: Some(AuditCommand::Head),
                ..
            }))
        ));
        for (name, args) in [
            ("enable", &["agent", "enable", "dana"][..]),
            (
                "reset",
                &["agent", "reset-password", "dana", "--password-stdin"],
            ),
        ] {
            let cmd = p(args).unwrap().command;
            let ok = match name {
                "enable" => matches!(cmd, Some(Command::Agent(AgentCommand::Enable { .. }))),
                _ => matches!(
                    cmd,
                    Some(Command::Agent(AgentCommand::ResetPassword {
                        password_stdin: true,
                        ..
                    }))
                ),
            };
            assert!(ok, "{args:?}");
        }
        for form in ["7", "#7", " #7 "] {
            assert!(
                matches!(
                    p(&["audit", "--account", form]).unwrap().command,
                    Some(Command::Audit(AuditArgs {
                        account: Some(7),
                        ..
                    }))
                ),
                "{form}"
            );
        }
        for bad in ["x", "#", "#-7", "0", "7#", "+7"] {
            assert!(p(&["audit", "--account", bad]).is_err(), "{bad}");
        }
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
        for (form, code) in [
            ("1", "+1"),
            ("+1", "+1"),
            ("44", "+44"),
            ("+44", "+44"),
            ("420", "+420"),
        ] {
            match p(&["--demo", "desk", "--default-country", form])
                .unwrap()
                .command
            {
                Some(Command::Desk {
                    default_country: Some(c),
                }) => assert_eq!(c.to_string(), code, "{form}"),
                other => panic!("{form}: {other:?}"),
            }
        }
        assert!(matches!(
            p(&["desk", "--default-country=+7"]).unwrap().command,
            Some(Command::Desk {
                default_country: Some(c)
            }) if c.to_string() == "+7"
        ));
        for bad in ["0", "+", "4", "999x", "", "12", "441", "+0044", "uk"] {
            let e = p(&["desk", "--default-country", bad]).unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation, "{bad}");
            let text = e.to_string();
            assert!(
                text.contains("--default-country")
                    && text.contains("a calling code is 1 to 3 digits")
                    && text.contains("like 1, +1, 44, +44"),
                "{bad}: {text}"
            );
        }
        // Only the desk has a default country.
        assert!(p(&["--default-country", "1"]).is_err());
        assert!(p(&["outbox", "--default-country", "1"]).is_err());
        assert!(p(&["--db", "x", "--demo"]).is_err());
        assert!(p(&["reset-password"]).is_err());
    }
}
