//! The key file `<db>.key`: the keys that must not live in the database (SPEC §4).
//!
//! - `outbox`: seals outbox bodies (a body may carry a one-time code);
//! - `one-time-code`: HMAC-SHA-256 key for one-time codes, so a stolen database alone cannot
//!   be brute-forced for a live 6-digit code;
//! - `audit`: HMAC-SHA-256 key of the audit chain, so rows cannot be re-chained without it.
//!
//! The file is created with the database (mode 0600) and refused when group or others can
//! read or write it. A database made before the key file existed had `<db>-outbox.key`; its
//! key is carried over and the old file removed.

use super::{Result, StoreError};
use crate::secret::{Entropy, OsEntropy};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, ZeroizeOnDrop};

const HEADER: &str = "recovery-desk key file 1";
const NAMES: [&str; 3] = ["outbox", "one-time-code", "audit"];

/// One 256-bit key.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Key(pub(crate) [u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key([redacted])")
    }
}

impl Key {
    /// HMAC-SHA-256 over `parts`, each followed by a unit separator so that no two different
    /// lists of parts hash alike; lower-case hex.
    pub fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        for p in parts {
            m.update(p);
            m.update(&[0x1f]);
        }
        super::hex(&m.finalize().into_bytes())
    }

    fn random() -> std::io::Result<Key> {
        let mut k = [0u8; 32];
        OsEntropy.fill(&mut k).map_err(std::io::Error::other)?;
        Ok(Key(k))
    }
}

/// The one constant-time comparison, kept where the store's callers find it.
pub use crate::secret::constant_time_eq;

/// The three keys.
#[derive(Clone, Debug)]
pub struct Keys {
    pub outbox: Key,
    pub one_time: Key,
    pub audit: Key,
}

/// Where the key file of database `db` lives by default: `<db>.key`.
pub fn default_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".key");
    PathBuf::from(s)
}

/// Where databases made before the key file kept their outbox key.
pub fn legacy_outbox_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push("-outbox.key");
    PathBuf::from(s)
}

fn bad(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::KeyFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

impl Keys {
    /// Reads an existing key file; a missing one is an error that says what to do.
    pub fn load(path: &Path) -> Result<Keys> {
        let mut f = match OpenOptions::new().read(true).open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(bad(
                    path,
                    "it does not exist (it is created with the database and is needed to read it: restore it from your backup)",
                ));
            }
            Err(e) => return Err(bad(path, super::io_reason(&e))),
        };
        let meta = f.metadata().map_err(|e| bad(path, super::io_reason(&e)))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(bad(
                path,
                format!(
                    "group or others can access it (mode {mode:04o}); run: chmod 600 {}",
                    path.display()
                ),
            ));
        }
        let mut text = String::new();
        f.read_to_string(&mut text)
            .map_err(|_| bad(path, "it is not a recovery-desk key file"))?;
        let parsed = parse(&text).ok_or_else(|| bad(path, "it is not a recovery-desk key file"));
        text.zeroize();
        parsed
    }

    /// Reads the key file, or creates it (mode 0600) when `may_create`. A legacy
    /// `<db>-outbox.key` beside `db` is carried over into a new key file and then removed.
    pub fn load_or_create(path: &Path, db: &Path, may_create: bool) -> Result<Keys> {
        if path.exists() {
            return Keys::load(path);
        }
        let legacy = legacy_outbox_path(db);
        let outbox = match fs::read(&legacy) {
            Ok(mut bytes) => {
                let k: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| bad(&legacy, "it is not 32 bytes long"))?;
                bytes.zeroize();
                Some(Key(k))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(bad(&legacy, super::io_reason(&e))),
        };
        if !may_create && outbox.is_none() {
            return Keys::load(path);
        }
        let random = |p: &Path| Key::random().map_err(|e| bad(p, e.to_string()));
        let keys = Keys {
            outbox: match outbox {
                Some(k) => k,
                None => random(path)?,
            },
            one_time: random(path)?,
            audit: random(path)?,
        };
        keys.write_new(path)?;
        if legacy.exists() {
            fs::remove_file(&legacy).map_err(|e| bad(&legacy, super::io_reason(&e)))?;
        }
        Ok(keys)
    }

    /// Writes a new key file atomically: a 0600 temporary file, synced, then renamed.
    fn write_new(&self, path: &Path) -> Result<()> {
        let tmp = {
            let mut s = path.as_os_str().to_owned();
            s.push(format!(".tmp-{}", std::process::id()));
            PathBuf::from(s)
        };
        let _ = fs::remove_file(&tmp);
        let mut text = format!(
            "{HEADER}\n{} {}\n{} {}\n{} {}\n",
            NAMES[0],
            super::hex(&self.outbox.0),
            NAMES[1],
            super::hex(&self.one_time.0),
            NAMES[2],
            super::hex(&self.audit.0)
        );
        let result = (|| -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, path)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        })();
        text.zeroize();
        result.map_err(|e| {
            let _ = fs::remove_file(&tmp);
            bad(path, super::io_reason(&e))
        })
    }
}

fn parse(text: &str) -> Option<Keys> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut found: [Option<Key>; 3] = [None, None, None];
    for line in lines {
        let (name, value) = line.split_once(' ')?;
        let i = NAMES.iter().position(|n| *n == name)?;
        found[i] = Some(Key(unhex32(value.trim())?));
    }
    let [Some(outbox), Some(one_time), Some(audit)] = found else {
        return None;
    };
    Some(Keys {
        outbox,
        one_time,
        audit,
    })
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_private_and_read_back() {
        let (_tmp, db) = crate::store::temp_db();
        let path = default_path(&db);
        let a = Keys::load_or_create(&path, &db, true).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let b = Keys::load(&path).unwrap();
        assert!(a.outbox == b.outbox && a.one_time == b.one_time && a.audit == b.audit);
        assert!(a.outbox != a.one_time && a.one_time != a.audit);
    }

    #[test]
    fn group_or_world_access_is_refused() {
        let (_tmp, db) = crate::store::temp_db();
        let path = default_path(&db);
        Keys::load_or_create(&path, &db, true).unwrap();
        for mode in [0o640, 0o604, 0o660, 0o620] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let e = Keys::load(&path).unwrap_err().to_string();
            assert!(e.contains("chmod 600"), "{mode:o}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn missing_file_is_not_created_when_not_allowed() {
        let (_tmp, db) = crate::store::temp_db();
        let path = default_path(&db);
        let e = Keys::load_or_create(&path, &db, false).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(!path.exists());
    }

    #[test]
    fn legacy_outbox_key_is_carried_over() {
        let (_tmp, db) = crate::store::temp_db();
        let legacy = legacy_outbox_path(&db);
        fs::write(&legacy, [7u8; 32]).unwrap();
        let keys = Keys::load_or_create(&default_path(&db), &db, false).unwrap();
        assert_eq!(keys.outbox.0, [7u8; 32]);
        assert!(!legacy.exists());
        assert_eq!(Keys::load(&default_path(&db)).unwrap().outbox.0, [7u8; 32]);
    }

    #[test]
    fn a_key_never_prints() {
        let k = Key([0xab; 32]);
        assert_eq!(format!("{k:?}"), "Key([redacted])");
        let keys = Keys {
            outbox: k.clone(),
            one_time: k.clone(),
            audit: k,
        };
        let shown = format!("{keys:?}");
        assert!(!shown.contains("ab") && !shown.contains("171"), "{shown}");
    }

    #[test]
    fn differences_never_cancel_out_in_the_comparison() {
        // Two positions that differ by the same bits: an XOR-accumulating compare says equal.
        assert!(!constant_time_eq("ab", "ba"));
        assert!(!constant_time_eq("a", "b"));
        assert!(!constant_time_eq("abc", "ab"));
        assert!(constant_time_eq("", ""));
    }

    #[test]
    fn an_unreadable_key_file_is_named_for_what_is_wrong() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-dir");
        fs::write(&file, b"x").unwrap();
        let e = Keys::load(&file.join("x.db.key")).unwrap_err().to_string();
        assert!(!e.contains("does not exist"), "{e}");
        assert!(e.contains("x.db.key"), "{e}");
    }

    #[test]
    fn an_unreadable_legacy_key_is_an_error_not_a_reason_for_a_new_key() {
        let (_tmp, db) = crate::store::temp_db();
        fs::create_dir(legacy_outbox_path(&db)).unwrap();
        let e = Keys::load_or_create(&default_path(&db), &db, true).unwrap_err();
        assert!(e.to_string().contains("x.db-outbox.key"), "{e}");
        assert!(!default_path(&db).exists());
    }

    #[test]
    fn damaged_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.db.key");
        fs::write(&path, "recovery-desk key file 1\noutbox 00\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let e = Keys::load(&path).unwrap_err().to_string();
        assert!(e.contains("not a recovery-desk key file"), "{e}");
    }

    #[test]
    fn macs_depend_on_every_part_and_the_key() {
        let k = Key([1; 32]);
        let a = k.mac_hex(&[b"1", b"23"]);
        assert_ne!(a, k.mac_hex(&[b"12", b"3"]));
        assert_ne!(a, Key([2; 32]).mac_hex(&[b"1", b"23"]));
        assert_eq!(a.len(), 64);
        assert!(constant_time_eq(&a, a.clone()));
        assert!(!constant_time_eq(&a, k.mac_hex(&[b"1", b"24"])));
    }
}
