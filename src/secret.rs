//! Secret types, Argon2id hashing and the randomness seam.
//!
//! Every code, password and one-time code travels as a [`Secret`]: its memory is zeroized on
//! drop and its `Debug` prints `[redacted]`, so a log line or panic message cannot leak it.
//! Hashes are Argon2id PHC strings at OWASP's parameters, so any Argon2 library verifies them.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
    let argon = hasher(cost);
    let h = phc_hash(
        &argon,
        Algorithm::Argon2id,
        Version::V0x13,
        secret.expose().as_bytes(),
        &salt,
    )?;
    Ok(h.to_string())
}

/// Hashes with a caller-chosen salt (at least 8 bytes): for comparing against other Argon2
/// implementations byte for byte. Production always uses [`hash`], with a random salt.
pub fn hash_with_salt(secret: &Secret, salt: &[u8]) -> Result<String, SecretError> {
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    let argon = hasher(Cost::OWASP);
    let h = phc_hash(
        &argon,
        Algorithm::Argon2id,
        Version::V0x13,
        secret.expose().as_bytes(),
        salt,
    )?;
    Ok(h.to_string())
}

/// Verifies a secret against a stored PHC string (its own parameters are used).
pub fn verify(secret: &Secret, phc: &str) -> Result<bool, SecretError> {
    let parsed = PasswordHash::new(phc).map_err(|_| SecretError::BadStoredHash)?;
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    Ok(matches_stored(secret.expose().as_bytes(), &parsed).unwrap_or(false))
}

/// What `password_hash`'s `PasswordVerifier` does for Argon2 — the stored hash's own
/// algorithm, version and parameters, and a constant-time comparison of the outputs — with the
/// working memory this thread keeps. `None` when the stored hash cannot be recomputed.
fn matches_stored(password: &[u8], stored: &PasswordHash) -> Option<bool> {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return Some(false);
    };
    let algorithm = Algorithm::try_from(stored.algorithm.as_str()).ok()?;
    let version = match stored.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(stored).ok()?;
    let argon = Argon2::new(algorithm, version, params);
    let computed = phc_hash(&argon, algorithm, version, password, salt).ok()?;
    // `Output`'s equality is constant-time.
    Some(computed.hash.as_ref() == Some(expected))
}

/// What `argon2`'s `hash_password_with_salt` does, with the working memory this thread keeps.
fn phc_hash(
    argon: &Argon2<'_>,
    algorithm: Algorithm,
    version: Version,
    password: &[u8],
    salt: &[u8],
) -> Result<PasswordHash, SecretError> {
    let salt = Salt::new(salt).map_err(|_| SecretError::Hash)?;
    let len = argon
        .params()
        .output_len()
        .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut buffer = zeroize::Zeroizing::new([0u8; Output::MAX_LENGTH]);
    let out = buffer.get_mut(..len).ok_or(SecretError::Hash)?;
    with_memory(argon.params().block_count(), |memory| {
        argon.hash_password_into_with_memory(password, &salt, &mut *out, memory)
    })?
    .map_err(|_| SecretError::Hash)?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(argon.params()).map_err(|_| SecretError::Hash)?,
        salt: Some(salt),
        hash: Some(Output::new(out).map_err(|_| SecretError::Hash)?),
    })
}

/// The blocks kept per thread: OWASP's 19 MiB. A stored hash asking for more gets memory of
/// its own, given back after.
const KEPT_BLOCKS: usize = ARGON2_M_KIB as usize;

thread_local! {
    /// Argon2's working memory, kept by each thread that hashes and wiped after every use.
    /// Allocated afresh for each hash (as `argon2` does), its 19 MiB came back from the kernel
    /// as some 4,800 new pages every time once the thread also ran SQLite: page faults that took
    /// longer than the hash on a virtual machine (issue 13). The crate also frees it unwiped;
    /// here nothing derived from a secret outlives the hash.
    static ARGON2_MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on `blocks` of wiped working memory, and wipes them again after (also if `f`
/// panics).
fn with_memory<R>(blocks: usize, f: impl FnOnce(&mut [Block]) -> R) -> Result<R, SecretError> {
    struct Wipe<'a>(&'a mut [Block]);
    impl Drop for Wipe<'_> {
        fn drop(&mut self) {
            self.0.iter_mut().for_each(Zeroize::zeroize);
        }
    }
    fn grow(memory: &mut Vec<Block>, blocks: usize) -> Result<(), SecretError> {
        if memory.len() < blocks {
            memory
                .try_reserve_exact(blocks - memory.len())
                .map_err(|_| SecretError::Hash)?;
            memory.resize(blocks, Block::default());
        }
        Ok(())
    }
    if blocks > KEPT_BLOCKS {
        let mut own = Vec::new();
        grow(&mut own, blocks)?;
        let wipe = Wipe(&mut own[..]);
        return Ok(f(wipe.0));
    }
    ARGON2_MEMORY.with(|kept| {
        let mut kept = kept.borrow_mut();
        grow(&mut kept, blocks)?;
        let wipe = Wipe(&mut kept[..blocks]);
        Ok(f(wipe.0))
    })
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

    /// Hashing and verifying in the memory each thread keeps give what the `argon2` crate's
    /// own hasher and verifier give, both ways, at both costs; and a stored hash that names
    /// another version, other parameters or a longer output is recomputed with its own.
    #[test]
    fn kept_memory_hashes_and_verifies_as_the_crate_does() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let s = Secret::new("correct horse");
        for cost in [Cost::OWASP, Cost::TESTS_ONLY_MINIMAL] {
            let theirs = hasher(cost)
                .hash_password_with_salt(s.expose().as_bytes(), b"saltsaltsalt")
                .unwrap()
                .to_string();
            let ours = phc_hash(
                &hasher(cost),
                Algorithm::Argon2id,
                Version::V0x13,
                s.expose().as_bytes(),
                b"saltsaltsalt",
            )
            .unwrap()
            .to_string();
            assert_eq!(ours, theirs);
            let random = hash_at(cost, &s, &mut OsEntropy).unwrap();
            let parsed = PasswordHash::new(&random).unwrap();
            assert!(
                Argon2::default()
                    .verify_password(s.expose().as_bytes(), &parsed)
                    .is_ok()
            );
            assert!(verify(&s, &random).unwrap());
            assert!(!verify(&Secret::new("correct horsf"), &random).unwrap());
        }
        // Argon2i, version 0x10, a 64-byte output: written by the crate, checked by us.
        let mut params = argon2::ParamsBuilder::new();
        params.m_cost(64).t_cost(3).p_cost(2).output_len(64);
        let other = Argon2::new(Algorithm::Argon2i, Version::V0x10, params.build().unwrap())
            .hash_password_with_salt(s.expose().as_bytes(), b"saltsaltsalt")
            .unwrap()
            .to_string();
        assert!(other.starts_with("$argon2i$v=16$m=64,t=3,p=2$"), "{other}");
        assert!(verify(&s, &other).unwrap());
        assert!(!verify(&Secret::new("x"), &other).unwrap());
        // A hash without its output or salt verifies nothing.
        let bare = other.rsplit_once('$').unwrap().0;
        assert!(!verify(&s, bare).unwrap());
    }

    /// The memory a thread keeps holds nothing after a hash; a cost above OWASP's gets memory
    /// of its own and leaves the kept memory at OWASP's size.
    #[test]
    fn kept_memory_is_wiped_after_each_hash_and_never_grows_past_owasps() {
        let s = Secret::new("correct horse");
        hash(&s, &mut OsEntropy).unwrap();
        let kept = |f: &dyn Fn(&[Block]) -> bool| ARGON2_MEMORY.with(|m| f(&m.borrow()));
        assert!(kept(&|m| m.len() == KEPT_BLOCKS));
        let zero = Block::default();
        assert!(kept(&|m| m.iter().all(|b| b.as_ref() == zero.as_ref())));
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(ARGON2_M_KIB + 8, 1, 1, None).unwrap(),
        );
        let phc = phc_hash(
            &bigger,
            Algorithm::Argon2id,
            Version::V0x13,
            b"x",
            b"saltsaltsalt",
        )
        .unwrap()
        .to_string();
        assert!(verify(&Secret::new("x"), &phc).unwrap());
        assert!(kept(&|m| m.len() == KEPT_BLOCKS));
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
