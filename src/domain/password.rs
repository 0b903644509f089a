//! The password rule: at least 8 characters, at most 128, and not the username.

use crate::secret::Secret;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    #[error("Use at least 8 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
    #[error("Your password can't be your username.")]
    IsUsername,
    #[error("The two passwords don't match.")]
    Mismatch,
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
    if new.expose().trim().eq_ignore_ascii_case(username) {
        return Err(PasswordRuleError::IsUsername);
    }
    if new != confirm {
        return Err(PasswordRuleError::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let s = |x: &str| Secret::new(x);
        assert_eq!(
            check(&s("short"), &s("short"), "jane"),
            Err(PasswordRuleError::TooShort)
        );
        assert_eq!(
            check(&s("JaneDoe01"), &s("JaneDoe01"), "janedoe01"),
            Err(PasswordRuleError::IsUsername)
        );
        assert_eq!(
            check(&s("long enough"), &s("long enougH"), "jane"),
            Err(PasswordRuleError::Mismatch)
        );
        let long = "x".repeat(129);
        assert_eq!(
            check(&s(&long), &s(&long), "jane"),
            Err(PasswordRuleError::TooLong)
        );
        assert_eq!(check(&s("long enough"), &s("long enough"), "jane"), Ok(()));
    }
}
