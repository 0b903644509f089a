//! Country calling codes: where the country part of an E.164 phone number ends. ITU-T E.164
//! assigns the codes as a prefix code — no code is the start of another — so a table of the
//! one- and two-digit codes is enough: every other code has three digits.

use std::fmt;
use std::str::FromStr;

/// The one-digit calling codes: North America (1) and Russia/Kazakhstan (7).
const ONE_DIGIT: &[u8] = &[1, 7];

/// The two-digit calling codes. Every code not listed here or in [`ONE_DIGIT`] (and not
/// starting with 0) has three digits.
const TWO_DIGIT: &[u8] = &[
    20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
    57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
];

/// How the examples in the messages below read.
const EXAMPLES: &str = "like 1, +1, 44, +44 or 420";

/// Why a calling code was refused (worded for `desk --default-country`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallingCodeError {
    #[error(
        "a calling code is 1 to 3 digits, not starting with 0, with or without a leading +, {EXAMPLES}"
    )]
    Form,
    #[error(
        "+{0} is only the start of a calling code; a calling code is 1 to 3 digits, {EXAMPLES}"
    )]
    TooShort(String),
    #[error(
        "+{typed} is longer than the calling code +{code}; a calling code is 1 to 3 digits, {EXAMPLES}"
    )]
    TooLong { typed: String, code: String },
}

/// A country calling code from the ITU table, such as 1, 44 or 420. Shown as `+44`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallingCode(u16);

impl CallingCode {
    /// Exactly one calling code: `1`, `+1`, `44`, `+44` (surrounding spaces ignored).
    pub fn parse(input: &str) -> Result<CallingCode, CallingCodeError> {
        let t = input.trim();
        let digits = t.strip_prefix('+').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CallingCodeError::Form);
        }
        match code_len(digits) {
            Some(n) if n == digits.len() => Ok(CallingCode::from_digits(digits)),
            Some(n) if n < digits.len() => Err(CallingCodeError::TooLong {
                typed: digits.to_string(),
                code: digits[..n].to_string(),
            }),
            Some(_) => Err(CallingCodeError::TooShort(digits.to_string())),
            // A lone digit 2–6, 8 or 9 starts a two- or three-digit code.
            None if digits.len() == 1 && !digits.starts_with('0') => {
                Err(CallingCodeError::TooShort(digits.to_string()))
            }
            None => Err(CallingCodeError::Form),
        }
    }

    /// The calling code at the start of an E.164 number (`+` then digits only) and the national
    /// number after it: `+442079460018` → (+44, `2079460018`). `None` when `number` is not in
    /// that form or nothing follows the code.
    pub fn split(number: &str) -> Option<(CallingCode, &str)> {
        let digits = number.strip_prefix('+')?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = code_len(digits)?;
        if digits.len() <= n {
            return None;
        }
        let (code, national) = digits.split_at(n);
        Some((CallingCode::from_digits(code), national))
    }

    /// The code's digits, without `+`: `44`.
    pub fn digits(self) -> String {
        self.0.to_string()
    }

    /// `digits` is 1 to 3 ASCII digits that [`code_len`] accepted.
    fn from_digits(digits: &str) -> CallingCode {
        CallingCode(digits.bytes().fold(0, |n, b| n * 10 + u16::from(b - b'0')))
    }
}

impl fmt::Display for CallingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.0)
    }
}

impl FromStr for CallingCode {
    type Err = CallingCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CallingCode::parse(s)
    }
}

/// How many digits the calling code at the start of `digits` has: read from its first one or
/// two digits. `None` when it starts with 0 or something else than a digit, or when one digit
/// is not enough to tell.
fn code_len(digits: &str) -> Option<usize> {
    let b = digits.as_bytes();
    let first = b
        .first()?
        .checked_sub(b'0')
        .filter(|d| (1..=9).contains(d))?;
    if ONE_DIGIT.contains(&first) {
        return Some(1);
    }
    let second = b.get(1)?.checked_sub(b'0').filter(|d| *d <= 9)?;
    Some(if TWO_DIGIT.contains(&(first * 10 + second)) {
        2
    } else {
        3
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> CallingCode {
        CallingCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn codes_are_read_with_or_without_plus() {
        assert_eq!(code("1").to_string(), "+1");
        assert_eq!(code("+1"), code("1"));
        assert_eq!(code("44").to_string(), "+44");
        assert_eq!(code(" +44 ").digits(), "44");
        assert_eq!(code("7").to_string(), "+7");
        assert_eq!(code("420").to_string(), "+420");
        assert_eq!(code("+353").digits(), "353");
        assert_eq!("+86".parse::<CallingCode>(), Ok(code("86")));
    }

    #[test]
    fn every_listed_two_digit_code_has_two_digits_and_its_neighbours_three() {
        for &c in TWO_DIGIT {
            assert_eq!(code(&c.to_string()).digits(), c.to_string());
            // Three digits starting with a two-digit code: the code and a national digit.
            assert!(CallingCode::parse(&format!("{c}1")).is_err(), "{c}1");
        }
        for three in [
            "210", "212", "350", "351", "380", "420", "421", "500", "590", "673", "880", "971",
            "998", "999",
        ] {
            assert_eq!(code(three).digits(), three);
            assert!(CallingCode::parse(&three[..2]).is_err(), "{}", &three[..2]);
        }
    }

    #[test]
    fn what_is_not_a_calling_code_is_refused_and_the_message_says_what_one_looks_like() {
        for bad in [
            "", "+", "0", "+0", "01", "999x", "44a", "+-1", "++1", "1 1", "٤٤",
        ] {
            let e = CallingCode::parse(bad).unwrap_err();
            assert_eq!(e, CallingCodeError::Form, "{bad:?}");
        }
        assert_eq!(
            CallingCode::parse("4"),
            Err(CallingCodeError::TooShort("4".into()))
        );
        assert_eq!(
            CallingCode::parse("42"),
            Err(CallingCodeError::TooShort("42".into()))
        );
        assert_eq!(
            CallingCode::parse("+12"),
            Err(CallingCodeError::TooLong {
                typed: "12".into(),
                code: "1".into()
            })
        );
        assert_eq!(
            CallingCode::parse("441"),
            Err(CallingCodeError::TooLong {
                typed: "441".into(),
                code: "44".into()
            })
        );
        assert!(CallingCode::parse("4420").is_err());
        for e in [
            CallingCodeError::Form,
            CallingCodeError::TooShort("4".into()),
            CallingCodeError::TooLong {
                typed: "441".into(),
                code: "44".into(),
            },
        ] {
            let text = e.to_string();
            assert!(
                text.contains("1 to 3 digits") && text.contains("+44"),
                "{text}"
            );
        }
        assert!(
            CallingCodeError::TooLong {
                typed: "441".into(),
                code: "44".into()
            }
            .to_string()
            .starts_with("+441 is longer than the calling code +44")
        );
    }

    #[test]
    fn numbers_split_into_code_and_national_number() {
        let split = |n| CallingCode::split(n).map(|(c, rest)| (c.to_string(), rest));
        assert_eq!(
            split("+15550100101"),
            Some(("+1".to_string(), "5550100101"))
        );
        assert_eq!(
            split("+442079460018"),
            Some(("+44".to_string(), "2079460018"))
        );
        assert_eq!(
            split("+79161234567"),
            Some(("+7".to_string(), "9161234567"))
        );
        assert_eq!(
            split("+420123456789"),
            Some(("+420".to_string(), "123456789"))
        );
        assert_eq!(split("+3531234567"), Some(("+353".to_string(), "1234567")));
        for not in [
            "15550100101",
            "+0123456789",
            "+1",
            "+44",
            "+",
            "",
            "+1 555",
            "+1-555",
        ] {
            assert_eq!(CallingCode::split(not), None, "{not:?}");
        }
    }
}
