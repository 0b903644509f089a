//! Support agents: name, Argon2id password hash, disabled flag.

use super::capability::{AgentAdmin, ReadStore};
use super::{Result, Store, StoreError, parse_ts, ts};
use crate::domain::model::AgentRow;
use chrono::{DateTime, Utc};
use rusqlite::params;

impl AgentAdmin for Store {
    fn add_agent(&mut self, name: &str, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
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

    fn agents(&self) -> Result<Vec<AgentRow>> {
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

    fn disable_agent(&mut self, name: &str) -> Result<()> {
        let n = self
            .conn()
            .execute("UPDATE agents SET disabled = 1 WHERE name = ?1", [name])
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound("agent"));
        }
        Ok(())
    }

    fn enable_agent(&mut self, name: &str) -> Result<()> {
        let n = self
            .conn()
            .execute("UPDATE agents SET disabled = 0 WHERE name = ?1", [name])
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound("agent"));
        }
        Ok(())
    }

    /// Replaces an enabled agent's password hash (the old password stops working at once).
    /// A disabled agent is refused: it must be enabled first (SPEC §6).
    fn set_agent_password(&mut self, name: &str, password_hash: &str) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE agents SET password_hash = ?2 WHERE name = ?1 AND disabled = 0",
                params![name, password_hash],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(match self.agent_credentials(name)? {
                None => StoreError::NotFound("agent"),
                Some(_) => StoreError::Conflict("the agent is disabled; enable it first"),
            });
        }
        Ok(())
    }

    fn audit_agent_command(&mut self, name: &str, action: &str, now: DateTime<Utc>) -> Result<()> {
        self.audit_append(super::audit::Entry::new(name, action), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enable_reset_and_disabled_reset_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = Store::open(&tmp.path().join("a.db")).unwrap();
        let now = Utc::now();
        s.add_agent("dana", "old-hash", now).unwrap();
        s.set_agent_password("dana", "new-hash").unwrap();
        assert_eq!(
            s.agent_credentials("dana").unwrap().unwrap().password_hash,
            "new-hash"
        );
        s.disable_agent("dana").unwrap();
        let e = s.set_agent_password("dana", "other").unwrap_err();
        assert!(e.to_string().contains("disabled"), "{e}");
        assert_eq!(
            s.agent_credentials("dana").unwrap().unwrap().password_hash,
            "new-hash"
        );
        s.enable_agent("dana").unwrap();
        assert!(!s.agent_credentials("dana").unwrap().unwrap().disabled);
        assert!(matches!(
            s.enable_agent("nobody"),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.set_agent_password("nobody", "x"),
            Err(StoreError::NotFound(_))
        ));
    }
}
