//! Case references: the help-desk ticket an agent is working on, typed beside a lookup and
//! written into the audit rows of that lookup and of the views and helper runs that follow,
//! so `recovery-desk audit --case REF` lists what was looked at for one ticket.
//!
//! A reference is what ticket systems print (`INC-20417`, `CS0042`, `#7781`, `2026/11/29-3`):
//! letters, digits and `- _ . / # :`. It is stored upper-cased, so `inc-20417` typed at the
//! desk and `INC-20417` given to `audit --case` are the same case. It is not an identifier of
//! the account and never holds text from the database.

/// Longest case reference accepted.
pub const CASE_MAX: usize = 40;

/// Why a case reference was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseRefError {
    #[error("A case reference has at most 40 characters.")]
    TooLong,
    #[error("A case reference uses letters, digits and - _ . / # : only (like INC-20417).")]
    Characters,
}

/// A normalised case reference: trimmed, upper-cased, 1 to [`CASE_MAX`] of `A-Z 0-9 - _ . / # :`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseRef(String);

impl CaseRef {
    /// What was typed in the optional case field: nothing (only spaces) is no case.
    pub fn parse_optional(input: &str) -> Result<Option<CaseRef>, CaseRefError> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.chars().count() > CASE_MAX {
            return Err(CaseRefError::TooLong);
        }
        if !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '#' | ':'))
        {
            return Err(CaseRefError::Characters);
        }
        Ok(Some(CaseRef(t.to_ascii_uppercase())))
    }

    /// A reference that must be there (`audit --case REF`).
    pub fn parse(input: &str) -> Result<CaseRef, String> {
        match CaseRef::parse_optional(input) {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err("a case reference is letters and digits, like INC-20417".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CaseRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_as_agents_type_them_are_one_case() {
        for typed in ["INC-20417", " inc-20417 ", "Inc-20417"] {
            assert_eq!(
                CaseRef::parse_optional(typed).unwrap().unwrap().as_str(),
                "INC-20417"
            );
        }
        for ok in ["CS0042", "#7781", "2026/11/29-3", "jira:HELP_12.a"] {
            assert!(CaseRef::parse_optional(ok).unwrap().is_some(), "{ok}");
        }
        assert_eq!(CaseRef::parse_optional("   "), Ok(None));
        assert_eq!(CaseRef::parse_optional(""), Ok(None));
    }

    #[test]
    fn text_that_could_be_anything_else_is_refused() {
        for bad in [
            "INC 20417",
            "a\u{1b}[2J",
            "café",
            "x\u{1f}y",
            "name@example.com",
            "a;b",
            "a\tb",
        ] {
            assert_eq!(
                CaseRef::parse_optional(bad),
                Err(CaseRefError::Characters),
                "{bad:?}"
            );
        }
        let longest = "A".repeat(CASE_MAX);
        assert!(CaseRef::parse_optional(&longest).unwrap().is_some());
        assert_eq!(
            CaseRef::parse_optional(&format!("{longest}B")),
            Err(CaseRefError::TooLong)
        );
        assert!(CaseRef::parse("  ").is_err());
        assert_eq!(CaseRef::parse("inc-1").unwrap().to_string(), "INC-1");
    }
}
