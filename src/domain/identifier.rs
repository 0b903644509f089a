//! Identifiers people type: usernames, email addresses, phone numbers and account ids, each
//! normalised so that the same person finds the same account however they type it.

/// Longest username accepted.
pub const USERNAME_MAX: usize = 32;
/// Shortest username accepted.
pub const USERNAME_MIN: usize = 3;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("A username has 3 to 32 characters.")]
    UsernameLength,
    #[error("A username uses only letters a–z, digits, dots, dashes and underscores.")]
    UsernameCharacters,
    #[error("That doesn't look like an email address (name@example.com).")]
    Email,
    #[error("Type the phone number with + and the country code: +44 20 7946 0018.")]
    Phone,
    #[error("An account id is # followed by digits, like #1042.")]
    AccountId,
    #[error("Type a username, email address, phone number or account id.")]
    Empty,
}

/// A normalised username: lower-case ASCII letters, digits, `.`, `-`, `_`.
pub fn username(input: &str) -> Result<String, IdentifierError> {
    let s = input.trim().to_ascii_lowercase();
    let n = s.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&n) {
        return Err(IdentifierError::UsernameLength);
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
    {
        return Err(IdentifierError::UsernameCharacters);
    }
    Ok(s)
}

/// Agent names: 2 to 32 of `a-z 0-9 . _ -`, lower-cased, not starting with a dot (so never
/// `..`, `.hidden` or a name made only of dots, which read like paths in logs and listings).
pub fn agent_name(input: &str) -> std::result::Result<String, &'static str> {
    let s = input.trim().to_ascii_lowercase();
    if !(2..=32).contains(&s.len()) {
        return Err("an agent name has 2 to 32 characters");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err("an agent name uses only letters a-z, digits, dots, dashes and underscores");
    }
    if s.starts_with('.') {
        return Err("an agent name cannot start with a dot");
    }
    Ok(s)
}

/// A normalised email address: trimmed, lower-cased, one `@`, a dot in the domain.
pub fn email(input: &str) -> Result<String, IdentifierError> {
    let s = input.trim().to_lowercase();
    let (local, domain) = s.split_once('@').ok_or(IdentifierError::Email)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '"');
    if ok {
        Ok(s)
    } else {
        Err(IdentifierError::Email)
    }
}

/// A normalised phone number in E.164 form: `+`, the country code and the number, digits only
/// (spaces, dashes, dots, brackets dropped). Without `+` the country is unknown, so it is refused.
pub fn phone(input: &str) -> Result<String, IdentifierError> {
    let t = input.trim();
    let mut out = String::new();
    for (i, c) in t.chars().enumerate() {
        match c {
            '+' if i == 0 => out.push('+'),
            '0'..='9' => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(IdentifierError::Phone),
        }
    }
    let digits = out.chars().filter(char::is_ascii_digit).count();
    // Country codes never start with 0.
    let international = out.starts_with('+') && !out.starts_with("+0");
    if international && (7..=15).contains(&digits) {
        Ok(out)
    } else {
        Err(IdentifierError::Phone)
    }
}

/// What a desk agent typed into the lookup field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Username(String),
    Email(String),
    Phone(String),
    AccountId(i64),
}

impl Lookup {
    /// Classifies and normalises: `#123` is an account id, anything with `@` an email, digits
    /// (with `+ - . ( )` and spaces) a phone number, anything else a username.
    pub fn parse(input: &str) -> Result<Lookup, IdentifierError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(IdentifierError::Empty);
        }
        if let Some(rest) = t.strip_prefix('#') {
            return rest
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Lookup::AccountId)
                .ok_or(IdentifierError::AccountId);
        }
        if t.contains('@') {
            return email(t).map(Lookup::Email);
        }
        if t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
            && t.chars().any(|c| c.is_ascii_digit())
        {
            return phone(t).map(Lookup::Phone);
        }
        username(t).map(Lookup::Username)
    }
}

/// How an account id is shown.
pub fn account_id_label(id: i64) -> String {
    format!("#{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(agent_name(" Alex ").unwrap(), "alex");
        assert!(agent_name("a").is_err());
        assert!(agent_name("al ex").is_err());
        assert_eq!(agent_name("dana.k").unwrap(), "dana.k");
    }

    #[test]
    fn names_that_read_like_paths_are_refused() {
        for bad in ["..", "...", ".hidden", " .Dana", "....."] {
            let e = agent_name(bad).unwrap_err();
            assert!(e.contains("dot"), "{bad:?}: {e}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn usernames() {
        assert_eq!(username("  Jane.Doe ").unwrap(), "jane.doe");
        assert_eq!(username("ab"), Err(IdentifierError::UsernameLength));
        assert_eq!(
            username("jane doe"),
            Err(IdentifierError::UsernameCharacters)
        );
        assert_eq!(
            username("j\x1b[2J"),
            Err(IdentifierError::UsernameCharacters)
        );
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Jane@Example.COM ").unwrap(), "jane@example.com");
        for bad in [
            "jane",
            "@example.com",
            "jane@example",
            "jane@.com",
            "a b@c.de",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(phone("+1 (555) 010-4477").unwrap(), "+15550104477");
        assert_eq!(phone("+44 20 7946 0018").unwrap(), "+442079460018");
        // Without + and a country code the number is ambiguous: refused, and the message says why.
        for bad in [
            "555-0100",
            "555.010.4477",
            "0044 20 7946 0018",
            "+0 555 0100 777",
        ] {
            assert_eq!(phone(bad), Err(IdentifierError::Phone), "{bad}");
        }
        assert!(
            IdentifierError::Phone
                .to_string()
                .contains("+ and the country code"),
            "{}",
            IdentifierError::Phone
        );
        assert!(phone("12345").is_err());
        assert!(phone("555-CALL-NOW").is_err());
        assert!(phone("1+5550104477").is_err());
        // A plus sign only leads: one inside a number is a typo, not a second country code.
        assert!(phone("+44 20 7946+0018").is_err());
    }

    #[test]
    fn lookups_classify() {
        assert_eq!(Lookup::parse("#42").unwrap(), Lookup::AccountId(42));
        assert_eq!(Lookup::parse("#x"), Err(IdentifierError::AccountId));
        // Account ids start at 1: `#0` and `#-3` are mistakes, said so, not a search.
        assert_eq!(Lookup::parse("#0"), Err(IdentifierError::AccountId));
        assert_eq!(Lookup::parse("#-3"), Err(IdentifierError::AccountId));
        assert_eq!(Lookup::parse("# 1").unwrap(), Lookup::AccountId(1));
        assert_eq!(
            Lookup::parse("JANE@example.com").unwrap(),
            Lookup::Email("jane@example.com".into())
        );
        assert_eq!(
            Lookup::parse("+44 20 7946 0018").unwrap(),
            Lookup::Phone("+442079460018".into())
        );
        assert_eq!(
            Lookup::parse("Jane").unwrap(),
            Lookup::Username("jane".into())
        );
        // A username with digits in it is a username, not a phone number.
        assert_eq!(
            Lookup::parse("cody7").unwrap(),
            Lookup::Username("cody7".into())
        );
        assert_eq!(Lookup::parse("   "), Err(IdentifierError::Empty));
    }

    proptest! {
        #[test]
        fn normalisers_never_panic_and_are_idempotent(s in ".{0,80}") {
            if let Ok(u) = username(&s) { prop_assert_eq!(username(&u).unwrap(), u); }
            if let Ok(e) = email(&s) { prop_assert_eq!(email(&e).unwrap(), e); }
            if let Ok(p) = phone(&s) { prop_assert_eq!(phone(&p).unwrap(), p); }
            let _ = Lookup::parse(&s);
        }
    }
}
