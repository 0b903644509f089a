//! Secret types, Argon2id hashing and the randomness seam.
//!
//! Every code, password and one-time code travels as a [`Secret`]: its memory is zeroized on
//! drop and its `Debug` prints `[redacted]`, so a log line or panic message cannot leak it.
//! Hashes are Argon2id PHC strings at OWASP's parameters, so any Argon2 library verifies them.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRng;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Argon2id memory cost in KiB (OWASP: 19 MiB).
pub const ARGON2_M_KIB: u32 = 19_456;
/// Argon2id iterations.
pub const ARGON2_T: u32 = 2;
/// Argon2id lanes.
pub const ARGON2_P: u32 = 1;
/// Salt length in bytes (PHC recommendation).
pub const SALT_LEN: usize = 16;

/// A secret string: a password, a recovery code or a one-time code.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret's text. Callers must not copy it into anything that outlives the request.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.chars().count()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// Randomness for secrets. Production uses [`OsEntropy`]; tests implement this trait with a
/// seeded generator. Nothing in the binary can select anything but the OS generator.
pub trait Entropy: Send {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError>;

    /// A uniformly distributed value below `bound` (> 0), without modulo bias: draws are
    /// rejected when they fall in the incomplete top range.
    fn below(&mut self, bound: u32) -> Result<u32, SecretError> {
        debug_assert!(bound > 0);
        let zone = u32::MAX - (u32::MAX % bound);
        loop {
            let mut b = [0u8; 4];
            self.fill(&mut b)?;
            let v = u32::from_le_bytes(b);
            if v < zone {
                return Ok(v % bound);
            }
        }
    }
}

/// The operating system's cryptographic generator.
#[derive(Debug, Default)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError> {
        rand::rngs::SysRng
            .try_fill_bytes(buf)
            .map_err(|_| SecretError::Entropy)
    }
}

/// Failures of hashing or randomness. None of them carries the secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the operating system's random number generator failed")]
    Entropy,
    #[error("the secret could not be hashed")]
    Hash,
    #[error("a stored hash is not a valid Argon2 PHC string")]
    BadStoredHash,
}

/// Argon2 computations in this process (hashes and verifications), so tests can prove that
/// attempts refused by a lockout never reach the hash.
static ARGON2_RUNS: AtomicU64 = AtomicU64::new(0);

/// How many Argon2 computations this process has run.
/// Whether `a` and `b` are equal, comparing every byte whatever differs first, so the time
/// says nothing about where a guess went wrong (MACs, one-time codes, app codes).
pub fn constant_time_eq(a: impl AsRef<[u8]>, b: impl AsRef<[u8]>) -> bool {
    let (a, b) = (a.as_ref(), b.as_ref());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn argon2_runs() -> u64 {
    ARGON2_RUNS.load(Ordering::Relaxed)
}

/// Argon2id's cost: memory in KiB, iterations, lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    m_kib: u32,
    t: u32,
    p: u32,
}

impl Cost {
    /// OWASP's parameters: what every hash the product writes uses.
    pub const OWASP: Cost = Cost {
        m_kib: ARGON2_M_KIB,
        t: ARGON2_T,
        p: ARGON2_P,
    };

    /// Argon2's smallest cost, for tests that hash thousands of times (the helper's oracle
    /// walks thousands of accounts). Compiled only into the test driver's build; the product
    /// never selects it, and every stored hash carries its own parameters, so a test database
    /// written with it is plainly marked `m=8,t=1`.
    #[cfg(any(test, feature = "testing"))]
    pub const TESTS_ONLY_MINIMAL: Cost = Cost {
        m_kib: 8,
        t: 1,
        p: 1,
    };
}

fn hasher(cost: Cost) -> Argon2<'static> {
    let params = Params::new(cost.m_kib, cost.t, cost.p, None).expect("valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a secret with Argon2id at OWASP's cost and a fresh random salt; returns the PHC
/// string.
pub fn hash(secret: &Secret, entropy: &mut dyn Entropy) -> Result<String, SecretError> {
    hash_at(Cost::OWASP, secret, entropy)
}

/// As [`hash`], at `cost`.
pub fn hash_at(
    cost: Cost,
    secret: &Secret,
    entropy: &mut dyn Entropy,
) -> Result<String, SecretError> {
    let mut salt = [0u8; SALT_LEN];
    entropy.fill(&mut salt)?;
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    let h: PasswordHash = hasher(cost)
        .hash_password_with_salt(secret.expose().as_bytes(), &salt)
        .map_err(|_| SecretError::Hash)?;
    Ok(h.to_string())
}

/// Hashes with a caller-chosen salt (at least 8 bytes): for comparing against other Argon2
/// implementations byte for byte. Production always uses [`hash`], with a random salt.
pub fn hash_with_salt(secret: &Secret, salt: &[u8]) -> Result<String, SecretError> {
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    let h: PasswordHash = hasher(Cost::OWASP)
        .hash_password_with_salt(secret.expose().as_bytes(), salt)
        .map_err(|_| SecretError::Hash)?;
    Ok(h.to_string())
}

/// Verifies a secret against a stored PHC string (its own parameters are used).
pub fn verify(secret: &Secret, phc: &str) -> Result<bool, SecretError> {
    let parsed = PasswordHash::new(phc).map_err(|_| SecretError::BadStoredHash)?;
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    Ok(Argon2::default()
        .verify_password(secret.expose().as_bytes(), &parsed)
        .is_ok())
}

#[cfg(any(test, feature = "testing"))]
pub mod testing {
    //! A seeded generator for tests (unit tests, and the integration tests and benches through
    //! the `testing` feature). The binary never selects it.
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    pub struct Seeded(pub StdRng);
    impl Seeded {
        pub fn new(seed: u64) -> Self {
            Seeded(StdRng::seed_from_u64(seed))
        }
    }
    impl Entropy for Seeded {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError> {
            self.0.fill_bytes(buf);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2-password");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
    }

    #[test]
    fn hash_is_argon2id_phc_with_owasp_params_and_verifies() {
        let mut e = OsEntropy;
        let s = Secret::new("correct horse");
        let phc = hash(&s, &mut e).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(&s, &phc).unwrap());
        assert!(!verify(&Secret::new("correct horsf"), &phc).unwrap());
        assert!(!phc.contains("correct"));
    }

    #[test]
    fn the_cost_is_the_one_asked_for_and_written_into_the_hash() {
        let s = Secret::new("correct horse");
        let phc = hash_at(Cost::TESTS_ONLY_MINIMAL, &s, &mut OsEntropy).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(verify(&s, &phc).unwrap());
    }

    #[test]
    fn a_chosen_salt_gives_the_same_owasp_hash_every_time() {
        // What `examples/argon2_hash` prints, for comparing with the reference CLI.
        let s = Secret::new("correct horse");
        let phc = hash_with_salt(&s, b"saltsaltsalt").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(phc, hash_with_salt(&s, b"saltsaltsalt").unwrap());
        assert!(verify(&s, &phc).unwrap());
    }

    #[test]
    fn same_secret_different_salt() {
        let mut e = OsEntropy;
        let s = Secret::new("abc");
        assert_ne!(hash(&s, &mut e).unwrap(), hash(&s, &mut e).unwrap());
    }

    #[test]
    fn bad_stored_hash_is_an_error_not_a_panic() {
        assert_eq!(
            verify(&Secret::new("x"), "not a hash"),
            Err(SecretError::BadStoredHash)
        );
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut e = testing::Seeded::new(7);
        let mut seen = [false; 32];
        for _ in 0..2000 {
            let v = e.below(32).unwrap();
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|&b| b));
    }
}
