//! Support agents: name, Argon2id password hash, disabled flag.

use super::{Result, Store, StoreError, parse_ts, ts};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// An agent as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub name: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// What the desk needs to check an agent's password.
#[derive(Debug, Clone)]
pub struct AgentCredentials {
    pub name: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// Agent names: 2 to 32 of `a-z 0-9 . _ -`, lower-cased.
pub fn normalise_name(input: &str) -> std::result::Result<String, &'static str> {
    let s = input.trim().to_ascii_lowercase();
    if !(2..=32).contains(&s.len()) {
        return Err("an agent name has 2 to 32 characters");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err("an agent name uses only letters a-z, digits, dots, dashes and underscores");
    }
    Ok(s)
}

impl Store {
    pub fn add_agent(&mut self, name: &str, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "INSERT INTO agents (name, password_hash, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
                params![name, password_hash, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "an agent with that name exists already",
            ));
        }
        Ok(())
    }

    pub fn agents(&self) -> Result<Vec<AgentRow>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT name, disabled, created_at FROM agents ORDER BY name")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok(AgentRow {
                name: r.get(0)?,
                disabled: r.get(1)?,
                created_at: parse_ts(&r.get::<_, String>(2)?),
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.err(e))
    }

    pub fn disable_agent(&mut self, name: &str) -> Result<()> {
        let n = self
            .conn()
            .execute("UPDATE agents SET disabled = 1 WHERE name = ?1", [name])
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound("agent"));
        }
        Ok(())
    }

    pub fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>> {
        self.conn()
            .prepare_cached("SELECT name, password_hash, disabled FROM agents WHERE name = ?1")
            .and_then(|mut s| {
                s.query_row([name], |r| {
                    Ok(AgentCredentials {
                        name: r.get(0)?,
                        password_hash: r.get(1)?,
                        disabled: r.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalise_name(" Alex ").unwrap(), "alex");
        assert!(normalise_name("a").is_err());
        assert!(normalise_name("al ex").is_err());
    }
}
