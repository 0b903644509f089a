//! The password rule (SPEC §4), for holders and agents alike: at least 8 characters (at most
//! 128), not on the list of common passwords, not easy to guess by the `zxcvbn` estimator
//! (score 3 or more), and not containing the username.

use crate::secret::Secret;
use std::collections::HashSet;
use std::sync::LazyLock;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;
/// The lowest `zxcvbn` score accepted: 3 is "safely unguessable: moderate protection from an
/// offline slow-hash scenario" (under 10^10 guesses is refused).
pub const MIN_SCORE: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    #[error("Use at least 8 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
    #[error("Your password can't contain your username.")]
    ContainsUsername,
    #[error("That password is too common: it is on a list of passwords attackers try first.")]
    TooCommon,
    #[error("That password is too easy to guess. Try a few unrelated words together.")]
    TooEasy,
    #[error("The two passwords don't match.")]
    Mismatch,
}

/// The shipped list of common and breached passwords (`assets/common-passwords.txt`).
const COMMON_LIST: &str = include_str!("../../assets/common-passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_LIST
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether `password` is on the list of common passwords (case does not matter).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.trim().to_lowercase().as_str())
}

/// Checks a new password (and its confirmation) for `username`.
pub fn check(new: &Secret, confirm: &Secret, username: &str) -> Result<(), PasswordRuleError> {
    let n = new.len();
    if n < MIN_CHARS {
        return Err(PasswordRuleError::TooShort);
    }
    if n > MAX_CHARS {
        return Err(PasswordRuleError::TooLong);
    }
    let pass = new.expose();
    let lower = pass.to_lowercase();
    let name = username.trim().to_lowercase();
    if !name.is_empty() && lower.contains(&name) {
        return Err(PasswordRuleError::ContainsUsername);
    }
    if is_common(pass) {
        return Err(PasswordRuleError::TooCommon);
    }
    if u8::from(zxcvbn::zxcvbn(pass, &[name.as_str()]).score()) < MIN_SCORE {
        return Err(PasswordRuleError::TooEasy);
    }
    if new != confirm {
        return Err(PasswordRuleError::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check1(p: &str, user: &str) -> Result<(), PasswordRuleError> {
        check(&Secret::new(p), &Secret::new(p), user)
    }

    #[test]
    fn length() {
        assert_eq!(check1("short", "jane"), Err(PasswordRuleError::TooShort));
        let long = "x".repeat(129);
        assert_eq!(check1(&long, "jane"), Err(PasswordRuleError::TooLong));
        // The longest allowed is allowed.
        let words = "Tangerine-Lighthouse-42 Velvet-Canyon-Rocket-88 Quartz-Meadow-Harbor-19 \
                     Ochre-Sparrow-Lantern-73 Basalt-Willow-Comet-05 Indigo-Fjord-Saddle-61";
        let longest: String = words
            .chars()
            .filter(|c| *c != ' ')
            .take(MAX_CHARS)
            .collect();
        assert_eq!(longest.chars().count(), MAX_CHARS);
        assert_eq!(check1(&longest, "jane"), Ok(()));
    }

    #[test]
    fn the_username_anywhere_in_it_is_refused() {
        for p in ["JaneDoe01", "my name is JANE ok", "ilovejane-2026!"] {
            assert_eq!(
                check1(p, "jane"),
                Err(PasswordRuleError::ContainsUsername),
                "{p}"
            );
        }
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        for p in [
            "password",
            "12345678",
            "PASSWORD",
            "Iloveyou",
            "trustno1",
            "qwertyuiop",
        ] {
            assert_eq!(check1(p, "jane"), Err(PasswordRuleError::TooCommon), "{p}");
        }
        assert!(COMMON.len() > 3000, "the list ships: {}", COMMON.len());
    }

    #[test]
    fn easy_to_guess_passwords_are_refused() {
        for p in [
            "aaaaaaaaaa",
            "abcdefghij",
            "Summer2024",
            "asdfzxcvqwer",
            "7777733333",
        ] {
            assert_eq!(check1(p, "jane"), Err(PasswordRuleError::TooEasy), "{p}");
        }
    }

    #[test]
    fn a_good_password_passes_and_the_confirmation_must_match() {
        assert_eq!(check1("plum kettle orbit", "jane"), Ok(()));
        assert_eq!(
            check(
                &Secret::new("plum kettle orbit"),
                &Secret::new("plum kettle orbiT"),
                "jane"
            ),
            Err(PasswordRuleError::Mismatch)
        );
    }
}
