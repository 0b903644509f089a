//! The outbox: messages "sent" by email or text. It stands in for a mail or SMS provider.
//!
//! A message body may carry a one-time code, so bodies are sealed with XChaCha20-Poly1305
//! under the key file's outbox key (`<db>.key`, see `keyfile`): the database file alone (or
//! its WAL) never reveals a code. The `outbox` command opens them.

use super::{Result, Store, parse_ts, ts};
use crate::domain::model::MethodKind;
use crate::secret::{Entropy, OsEntropy, Secret};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use rusqlite::params;
use zeroize::Zeroize;

/// A message to send.
#[derive(Debug, Clone)]
pub struct Message {
    pub channel: MethodKind,
    pub address: String,
    pub subject: String,
    pub body: Secret,
}

/// A message as listed by `outbox`.
#[derive(Debug, Clone)]
pub struct Sent {
    pub id: i64,
    pub sent_at: DateTime<Utc>,
    pub channel: MethodKind,
    pub address: String,
    pub subject: String,
    pub body: Secret,
}

/// The key that seals outbox bodies (the key file's `outbox` key).
pub use super::keyfile::Key as OutboxKey;

impl OutboxKey {
    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(&self.0).expect("32-byte key")
    }

    pub(crate) fn seal(&self, m: &Message) -> rusqlite::Result<Vec<u8>> {
        let mut nonce = [0u8; 24];
        OsEntropy
            .fill(&mut nonce)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let aad = aad(m.channel, &m.address, &m.subject);
        let ct = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: m.body.expose().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| rusqlite::Error::ToSqlConversionFailure("sealing failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(out)
    }

    pub(crate) fn open(
        &self,
        channel: MethodKind,
        address: &str,
        subject: &str,
        sealed: &[u8],
    ) -> Option<Secret> {
        if sealed.len() < 24 {
            return None;
        }
        let (n, ct) = sealed.split_at(24);
        let nonce: [u8; 24] = n.try_into().ok()?;
        let aad = aad(channel, address, subject);
        let mut pt = self
            .cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad: &aad })
            .ok()?;
        let s = String::from_utf8(pt.clone()).ok().map(Secret::new);
        pt.zeroize();
        s
    }
}

impl OutboxKey {
    /// Seals `plain` under the key file's sealing key, bound to `aad` (what it belongs to).
    pub(crate) fn seal_bytes(&self, aad: &[u8], plain: &[u8]) -> rusqlite::Result<Vec<u8>> {
        let mut nonce = [0u8; 24];
        OsEntropy
            .fill(&mut nonce)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let ct = self
            .cipher()
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
            .map_err(|_| rusqlite::Error::ToSqlConversionFailure("sealing failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(out)
    }

    /// Opens what [`OutboxKey::seal_bytes`] sealed with the same `aad`; `None` when it was
    /// changed, moved to another row, or sealed under another key.
    pub(crate) fn open_bytes(
        &self,
        aad: &[u8],
        sealed: &[u8],
    ) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        if sealed.len() < 24 {
            return None;
        }
        let (n, ct) = sealed.split_at(24);
        let nonce: [u8; 24] = n.try_into().ok()?;
        self.cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
            .ok()
            .map(zeroize::Zeroizing::new)
    }
}

fn aad(channel: MethodKind, address: &str, subject: &str) -> Vec<u8> {
    format!("{}\u{1f}{address}\u{1f}{subject}", channel.as_str()).into_bytes()
}

pub(crate) fn insert(
    conn: &rusqlite::Connection,
    key: &OutboxKey,
    account_id: Option<i64>,
    m: &Message,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let sealed = key.seal(m)?;
    conn.prepare_cached("INSERT INTO outbox (account_id, channel, address, subject, sealed_body, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![account_id, m.channel.as_str(), m.address, m.subject, sealed, ts(now)])?;
    Ok(())
}

impl Store {
    pub(crate) fn outbox_key_for_write(&self) -> Result<OutboxKey> {
        Ok(self.keys()?.outbox.clone())
    }

    /// Messages sent, oldest first, optionally only those to `to` (an exact, normalised address).
    pub fn outbox(&self, to: Option<&str>) -> Result<Vec<Sent>> {
        let key = self.outbox_key_for_write()?;
        let mut stmt = self
            .conn()
            .prepare("SELECT id, sent_at, channel, address, subject, sealed_body FROM outbox WHERE (?1 IS NULL OR address = ?1) ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([to], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|(id, at, ch, address, subject, sealed)| {
                let channel = MethodKind::parse(&ch).unwrap_or(MethodKind::Email);
                let body = key
                    .open(channel, &address, &subject, &sealed)
                    .unwrap_or_else(|| {
                        Secret::new("[this message cannot be opened with this key file]")
                    });
                Sent {
                    id,
                    sent_at: parse_ts(&at),
                    channel,
                    address,
                    subject,
                    body,
                }
            })
            .collect())
    }
}
