//! One-time codes sent to an email address or phone: 6 digits, valid 10 minutes, 3 tries.

use crate::secret::{Entropy, Secret, SecretError};
use chrono::{DateTime, Duration, Utc};

pub const DIGITS: usize = 6;
pub const VALID_MINUTES: i64 = 10;
pub const MAX_TRIES: u32 = 3;

/// Draws a 6-digit code (leading zeros kept), uniformly.
pub fn generate(entropy: &mut dyn Entropy) -> Result<Secret, SecretError> {
    let n = entropy.below(1_000_000)?;
    Ok(Secret::new(format!("{n:06}")))
}

/// When a code issued at `issued` stops working.
pub fn expires_at(issued: DateTime<Utc>) -> DateTime<Utc> {
    issued + Duration::minutes(VALID_MINUTES)
}

/// Typed text → the six digits, ignoring spaces; `None` when it cannot be a code.
pub fn normalise(input: &str) -> Option<Secret> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let ok = digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit());
    let s = Secret::new(digits);
    ok.then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::testing::Seeded;

    #[test]
    fn six_digits_keep_leading_zeros() {
        let mut e = Seeded::new(3);
        for _ in 0..500 {
            let c = generate(&mut e).unwrap();
            assert_eq!(c.expose().len(), 6);
            assert!(c.expose().bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn normalise_accepts_spaces_only() {
        assert_eq!(normalise("123 456").unwrap().expose(), "123456");
        assert!(normalise("12345").is_none());
        assert!(normalise("12345a").is_none());
        assert!(normalise("1234567").is_none());
    }

    #[test]
    fn valid_ten_minutes() {
        let t = Utc::now();
        assert_eq!(expires_at(t) - t, Duration::minutes(10));
    }
}
