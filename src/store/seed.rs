//! The demo database, seeded from `assets/demo.toml` (embedded in the binary).
//!
//! Seeding writes to a temporary file that is renamed into place only when complete, so a
//! crash mid-seed never leaves a half-seeded demo database behind.

use super::{AgentAdmin, HolderStore, Result, Store, StoreError};
use crate::domain::lockout::Guarded;
use crate::domain::model::{MethodKind, Proof};
use crate::domain::{identifier, recovery_code};
use crate::secret::{self, Entropy, Secret};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::path::Path;

/// The embedded demo description.
pub const DEMO_TOML: &str = include_str!("../../assets/demo.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demo {
    #[serde(default)]
    pub agent: Vec<DemoAgent>,
    #[serde(default)]
    pub account: Vec<DemoAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAgent {
    pub name: String,
    pub password: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub two_step: bool,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    pub recovery_code: Option<String>,
    #[serde(default)]
    pub lock_password: bool,
    pub pending_password: Option<String>,
}

/// Parses the embedded demo description.
pub fn demo() -> std::result::Result<Demo, String> {
    toml::from_str(DEMO_TOML).map_err(|e| format!("assets/demo.toml is invalid: {e}"))
}

/// Seeds `store` (fresh, either backend) with `demo`.
pub fn seed<S: HolderStore + AgentAdmin>(
    store: &mut S,
    demo: &Demo,
    entropy: &mut dyn Entropy,
    now: DateTime<Utc>,
) -> Result<()> {
    let bad = |m: String| StoreError::Other {
        path: "assets/demo.toml".into(),
        msg: m,
    };
    let h = |s: &str, e: &mut dyn Entropy| {
        secret::hash(&Secret::new(s), e).map_err(|e| StoreError::Other {
            path: Default::default(),
            msg: e.to_string(),
        })
    };
    for a in &demo.agent {
        let hash = h(&a.password, entropy)?;
        store.add_agent(&a.name, &hash, now)?;
    }
    for a in &demo.account {
        let username = identifier::username(&a.username)
            .map_err(|e| bad(format!("demo account {}: {e}", a.username)))?;
        let id = store.create_account(&username, &h(&a.password, entropy)?, now)?;
        for (kind, list) in [
            (MethodKind::Email, &a.emails),
            (MethodKind::Phone, &a.phones),
        ] {
            for addr in list {
                let norm = match kind {
                    MethodKind::Email => identifier::email(addr),
                    MethodKind::Phone => identifier::phone(addr),
                }
                .map_err(|e| bad(format!("demo account {username}: {e}")))?;
                let m = store.add_method(id, kind, &norm, now)?;
                store.verify_method(id, m, now)?;
            }
        }
        if let Some(code) = &a.recovery_code {
            let c = recovery_code::normalise(code)
                .map_err(|e| bad(format!("demo account {username}: {e}")))?;
            let hash = secret::hash(&c, entropy).map_err(|e| bad(e.to_string()))?;
            store.replace_recovery_code(id, &hash, now)?;
        }
        if a.two_step {
            store.set_two_step(id, true, now)?;
        }
        if a.lock_password {
            for _ in 0..crate::domain::lockout::MAX_FAILURES {
                store.record_failure(id, Guarded::Password, now)?;
            }
        }
        if let Some(p) = &a.pending_password {
            store.create_pending_password(id, &h(p, entropy)?, None, Proof::RecoveryCode, now)?;
        }
    }
    Ok(())
}

/// Creates and seeds `path` if it does not exist yet; returns whether it seeded.
pub fn ensure_demo(path: &Path, entropy: &mut dyn Entropy, now: DateTime<Utc>) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    let demo = demo().map_err(|msg| StoreError::Other {
        path: path.to_path_buf(),
        msg,
    })?;
    let tmp = path.with_extension(format!("seeding-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    {
        let mut store = Store::open(&tmp)?;
        seed(&mut store, &demo, entropy, now)?;
    }
    let rename = |from: &Path, to: &Path| {
        std::fs::rename(from, to).map_err(|io| StoreError::CreateFile {
            path: to.to_path_buf(),
            io,
        })
    };
    rename(
        &super::keyfile::default_path(&tmp),
        &super::keyfile::default_path(path),
    )?;
    rename(&tmp, path)?;
    Ok(true)
}
