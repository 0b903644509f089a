//! Identifiers people type: usernames, email addresses, phone numbers and account ids, each
//! normalised so that the same person finds the same account however they type it.

use super::phone::CallingCode;

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
    /// A desk lookup of a number without `+`, on a desk started without a default country.
    #[error(
        "Type the phone number with + and the country code (+44 20 7946 0018), or start the desk with --default-country."
    )]
    PhoneNeedsCountry,
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

/// A phone number as a customer reads it out, to an agent at the desk whose customers mostly
/// call from the country `default` (`desk --default-country`), normalised to the one E.164
/// number it names (the desk then looks that number up exactly).
///
/// Spaces, dashes, dots and brackets are dropped. Then:
/// - a leading `+` starts the country code, as in [`phone`]: `+1 (555) 010-0101`;
/// - `(0)` after a country code is the trunk prefix written out for foreigners, not a digit:
///   `+44 (0)20 7946 0018` is `+442079460018`;
/// - a leading `00` is the international prefix, read as `+`: `0044 20 7946 0018`; so is
///   `011` with the North American default (1);
/// - otherwise, with a default calling code CC (none: refused, the message says how to type it
///   or to start the desk with `--default-country`):
///   - a leading single `0` is the trunk prefix: dropped, and CC put in front
///     (`020 7946 0018` with 44 → `+442079460018`) — except in Italy, San Marino and the
///     Vatican (39, 378, 379), whose numbers keep their 0 (`06 6982` with 39 → `+39066982`);
///     with 7 (Russia, Kazakhstan) the trunk prefix is `8`, in an 11-digit number;
///   - more than 10 digits starting with CC already hold the country code
///     (`1-555-010-0101` with 1 → `+15550100101`; `447700900123` with 44 → `+447700900123`);
///   - anything else gets CC in front (`555 010 0101` with 1 → `+15550100101`).
///
/// The result passes the checks of [`phone`] (7 to 15 digits, a country code not starting
/// with 0), or the number is refused.
pub fn phone_with_default(
    input: &str,
    default: Option<CallingCode>,
) -> Result<String, IdentifierError> {
    let written_out = input.trim().replacen("(0)", "", 1);
    let t = written_out.trim();
    if t.starts_with('+') {
        return phone(t);
    }
    let mut digits = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(IdentifierError::Phone),
        }
    }
    let code = default.map(CallingCode::digits);
    let international = if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else if let Some(rest) = digits
        .strip_prefix("011")
        .filter(|_| code.as_deref() == Some("1"))
    {
        format!("+{rest}")
    } else {
        let code = code.ok_or(IdentifierError::PhoneNeedsCountry)?;
        let keeps_zero = matches!(code.as_str(), "39" | "378" | "379");
        let trunk = match code.as_str() {
            "7" => digits.strip_prefix('8').filter(|n| n.len() == 10),
            _ if keeps_zero => None,
            _ => digits.strip_prefix('0'),
        };
        if let Some(national) = trunk {
            format!("+{code}{national}")
        } else if digits.len() > 10 && digits.starts_with(&code) {
            format!("+{digits}")
        } else {
            format!("+{code}{digits}")
        }
    };
    phone(&international)
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
    /// (with `+ - . ( )` and spaces) a phone number, anything else a username. A phone number
    /// needs `+` or `00` and its country code here; see [`Lookup::parse_with`].
    pub fn parse(input: &str) -> Result<Lookup, IdentifierError> {
        Lookup::parse_with(input, None)
    }

    /// As [`Lookup::parse`], reading a phone number without `+` in the country `default_country`
    /// ([`phone_with_default`]). Still one exact identifier: never a partial number.
    pub fn parse_with(
        input: &str,
        default_country: Option<CallingCode>,
    ) -> Result<Lookup, IdentifierError> {
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
            return phone_with_default(t, default_country).map(Lookup::Phone);
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

    fn country(code: &str) -> Option<CallingCode> {
        Some(CallingCode::parse(code).unwrap())
    }

    /// What an agent types while a customer reads out their number.
    #[test]
    fn desk_phones_are_read_in_the_forms_people_say_them() {
        for said in [
            "15550100101",
            "1-555-010-0101",
            "+1 (555) 010-0101",
            "1 (555) 010-0101",
            "(555) 010-0101",
            "555.010.0101",
            "5550100101",
            " 555 010 0101 ",
            "001 555 010 0101",
        ] {
            assert_eq!(
                phone_with_default(said, country("1")),
                Ok("+15550100101".to_string()),
                "{said}"
            );
            // Classified as a phone number, and exactly that one number.
            assert_eq!(
                Lookup::parse_with(said, country("+1")),
                Ok(Lookup::Phone("+15550100101".into())),
                "{said}"
            );
        }
        for said in [
            "020 7946 0018",
            "(020) 7946-0018",
            "20 7946 0018",
            "442079460018",
            "44 20 7946 0018",
            "+44 20 7946 0018",
            "0044 20 7946 0018",
        ] {
            assert_eq!(
                phone_with_default(said, country("44")),
                Ok("+442079460018".to_string()),
                "{said}"
            );
        }
        for said in ["07700 900123", "447700900123", "7700 900123"] {
            assert_eq!(
                phone_with_default(said, country("44")),
                Ok("+447700900123".to_string()),
                "{said}"
            );
        }
    }

    #[test]
    fn the_trunk_zero_is_dropped_and_double_zero_names_its_own_country() {
        // A single leading 0 is the trunk prefix, not a digit of the number.
        assert_eq!(
            phone_with_default("0555 010 0101", country("1")),
            Ok("+15550100101".into())
        );
        assert_eq!(
            phone_with_default("030 1234567", country("49")),
            Ok("+49301234567".into())
        );
        // 00 is the international prefix: the country after it wins over the default, and no
        // default is needed.
        assert_eq!(
            phone_with_default("0044 20 7946 0018", country("1")),
            Ok("+442079460018".into())
        );
        assert_eq!(
            phone_with_default("00 44 (20) 7946-0018", None),
            Ok("+442079460018".into())
        );
        assert_eq!(
            Lookup::parse("0044 20 7946 0018"),
            Ok(Lookup::Phone("+442079460018".into()))
        );
        // A + number keeps its own country code, whatever the default.
        assert_eq!(
            phone_with_default("+44 20 7946 0018", country("1")),
            Ok("+442079460018".into())
        );
    }

    /// Countries whose numbers are said differently: the trunk prefix written out in
    /// brackets, a 0 that belongs to the number, 8 as the trunk prefix, 011 to dial abroad.
    #[test]
    fn national_habits_are_read_as_the_number_they_name() {
        for said in [
            "+44 (0)20 7946 0018",
            "+44(0)2079460018",
            "0044 (0)20 7946 0018",
        ] {
            assert_eq!(
                phone_with_default(said, country("1")),
                Ok("+442079460018".into()),
                "{said}"
            );
        }
        for (said, cc) in [("06 6982 1234", "39"), ("0549 882 555", "378")] {
            let digits: String = said.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(
                phone_with_default(said, country(cc)),
                Ok(format!("+{cc}{digits}")),
                "{said}"
            );
        }
        assert_eq!(
            phone_with_default("8 916 123-45-67", country("7")),
            Ok("+79161234567".into())
        );
        // A ten-digit number after 7 is national even when it starts with 8.
        assert_eq!(
            phone_with_default("800 123 4567", country("7")),
            Ok("+78001234567".into())
        );
        assert_eq!(
            phone_with_default("011 44 20 7946 0018", country("1")),
            Ok("+442079460018".into())
        );
        // 011 is North America's way abroad only.
        assert_eq!(
            phone_with_default("011 234 5678", country("44")),
            Ok("+44112345678".into())
        );
    }

    #[test]
    fn the_country_code_is_taken_as_typed_only_in_numbers_longer_than_ten_digits() {
        // Ten digits starting with the code are a national number: the code goes in front.
        assert_eq!(
            phone_with_default("4420794600", country("44")),
            Ok("+444420794600".into())
        );
        // Eleven digits not starting with the code: the code goes in front.
        assert_eq!(
            phone_with_default("55501001011", country("1")),
            Ok("+155501001011".into())
        );
        // The whole code must lead, not its first digit: 420 is not 42 or 4.
        assert_eq!(
            phone_with_default("420123456789", country("420")),
            Ok("+420123456789".into())
        );
        assert_eq!(
            phone_with_default("421234567890", country("420")),
            Ok("+420421234567890".into())
        );
    }

    #[test]
    fn desk_phones_without_a_country_are_refused_saying_both_fixes() {
        for said in [
            "15550100101",
            "1-555-010-0101",
            "5550100101",
            "020 7946 0018",
        ] {
            assert_eq!(
                phone_with_default(said, None),
                Err(IdentifierError::PhoneNeedsCountry),
                "{said}"
            );
            assert_eq!(
                Lookup::parse(said),
                Err(IdentifierError::PhoneNeedsCountry),
                "{said}"
            );
        }
        let text = IdentifierError::PhoneNeedsCountry.to_string();
        assert!(
            text.contains("with + and the country code (+44 20 7946 0018)")
                && text.contains("--default-country"),
            "{text}"
        );
        // The holder's own entry keeps requiring +: the default is the desk's.
        assert_eq!(phone("5550100101"), Err(IdentifierError::Phone));
    }

    #[test]
    fn desk_phones_that_are_not_e164_are_refused() {
        for bad in [
            "0",
            "00",
            "12345",
            "555 0101 0101 5550 1001",
            "000 44 20 7946 0018",
            "+0 555 010 0101",
            "1+5550100101",
            "555 010 0101 x2",
            "555/010/0101",
            "+",
        ] {
            assert_eq!(
                phone_with_default(bad, country("1")),
                Err(IdentifierError::Phone),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_desk_phone_is_one_exact_e164_number() {
        for (said, code) in [
            ("1-555-010-0101", "1"),
            ("020 7946 0018", "44"),
            ("0044 20 7946 0018", "7"),
        ] {
            let n = phone_with_default(said, country(code)).unwrap();
            // E.164: + and digits only, nothing left that could match more than one number.
            assert!(
                n.starts_with('+') && n[1..].bytes().all(|b| b.is_ascii_digit()),
                "{n}"
            );
            assert_eq!(phone(&n), Ok(n.clone()), "{said}");
            assert_eq!(phone_with_default(&n, country(code)), Ok(n.clone()));
        }
        // Part of a number is not completed into a match: it is a different, shorter number.
        assert_eq!(
            phone_with_default("010-0101", country("1")),
            Ok("+1100101".into())
        );
    }

    proptest! {
        #[test]
        fn normalisers_never_panic_and_are_idempotent(s in ".{0,80}") {
            if let Ok(u) = username(&s) { prop_assert_eq!(username(&u).unwrap(), u); }
            if let Ok(e) = email(&s) { prop_assert_eq!(email(&e).unwrap(), e); }
            if let Ok(p) = phone(&s) { prop_assert_eq!(phone(&p).unwrap(), p); }
            for code in [None, country("1"), country("44"), country("420")] {
                if let Ok(p) = phone_with_default(&s, code) {
                    prop_assert_eq!(phone(&p).unwrap(), p.clone());
                    prop_assert_eq!(phone_with_default(&p, code).unwrap(), p);
                }
            }
            let _ = Lookup::parse(&s);
        }
    }
}
