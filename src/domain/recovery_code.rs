//! Recovery codes: 25 symbols of Crockford base32 (125 bits), shown as five dashed groups.
//!
//! Rules from the seed page: a code is 25 characters, not case-sensitive, and needs no spaces
//! or dashes. Input is upper-cased, spaces and dashes dropped, and the look-alikes `O→0`,
//! `I/L→1` mapped, so what a person copied from paper still matches.

use crate::secret::{Entropy, Secret, SecretError};

/// Crockford base32: `0-9 A-Z` without `I L O U`.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a code.
pub const LENGTH: usize = 25;
/// Symbols per displayed group.
pub const GROUP: usize = 5;

/// Why typed text is not a recovery code at all (as opposed to a wrong code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeFormatError {
    #[error("A recovery code has 25 characters; you typed {0}. Spaces and dashes don't count.")]
    WrongLength(usize),
    #[error(
        "A recovery code uses only the letters A–Z (no U) and digits 0–9; \"{0}\" is not one of them."
    )]
    BadCharacter(char),
}

/// Draws a new code from `entropy`, uniformly over all 32^25 codes.
/// Returned in canonical form (25 upper-case symbols, no dashes).
pub fn generate(entropy: &mut dyn Entropy) -> Result<Secret, SecretError> {
    // 32 divides 256, so the low 5 bits of a uniform byte are uniform over the alphabet:
    // no modulo bias, and one draw from the generator for the whole code.
    const _: () = assert!(256 % ALPHABET.len() == 0);
    let mut bytes = zeroize::Zeroizing::new([0u8; LENGTH]);
    entropy.fill(bytes.as_mut())?;
    let s: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect();
    Ok(Secret::new(s))
}

/// Canonical code → `ABCDE-FGHJK-MNPQR-STVWX-YZ012`.
pub fn format(canonical: &Secret) -> Secret {
    let mut out = String::with_capacity(LENGTH + LENGTH / GROUP);
    for (i, c) in canonical.expose().chars().enumerate() {
        if i > 0 && i % GROUP == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Secret::new(out)
}

/// The last group of a canonical code (what the holder types back to confirm they saved it).
pub fn last_group(canonical: &Secret) -> Secret {
    let s = canonical.expose();
    Secret::new(&s[s.len().saturating_sub(GROUP)..])
}

/// Typed text → canonical code, or why it cannot be a code.
pub fn normalise(input: &str) -> Result<Secret, CodeFormatError> {
    let mut out = String::with_capacity(LENGTH);
    let mut count = 0usize;
    let mut bad: Option<char> = None;
    for c in input.chars() {
        if c.is_whitespace() || c == '-' || c == '‐' || c == '–' {
            continue;
        }
        count += 1;
        let u = c.to_ascii_uppercase();
        let mapped = match u {
            'O' => '0',
            'I' | 'L' => '1',
            _ => u,
        };
        if mapped.is_ascii() && ALPHABET.contains(&(mapped as u8)) {
            if count <= LENGTH {
                out.push(mapped);
            }
        } else if bad.is_none() {
            bad = Some(c);
        }
    }
    let result = if let Some(c) = bad {
        Err(CodeFormatError::BadCharacter(c))
    } else if count != LENGTH {
        Err(CodeFormatError::WrongLength(count))
    } else {
        Ok(Secret::new(out.clone()))
    };
    zeroize::Zeroize::zeroize(&mut out);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::testing::Seeded;
    use proptest::prelude::*;

    #[test]
    fn generated_codes_are_25_symbols_of_the_alphabet() {
        let mut e = Seeded::new(1);
        for _ in 0..200 {
            let c = generate(&mut e).unwrap();
            assert_eq!(c.expose().len(), LENGTH);
            assert!(c.expose().bytes().all(|b| ALPHABET.contains(&b)));
        }
    }

    #[test]
    fn generation_uses_every_symbol_roughly_evenly() {
        let mut e = Seeded::new(2);
        let mut counts = [0u32; 32];
        for _ in 0..2000 {
            for b in generate(&mut e).unwrap().expose().bytes() {
                counts[ALPHABET.iter().position(|&a| a == b).unwrap()] += 1;
            }
        }
        // 50,000 draws, expected 1562.5 each; a biased generator would stray far more.
        for &n in &counts {
            assert!((1400..1730).contains(&n), "{counts:?}");
        }
    }

    #[test]
    fn format_makes_five_dashed_groups() {
        let c = Secret::new("ABCDEFGHJKMNPQRSTVWXYZ012");
        assert_eq!(format(&c).expose(), "ABCDE-FGHJK-MNPQR-STVWX-YZ012");
        assert_eq!(last_group(&c).expose(), "YZ012");
    }

    #[test]
    fn lowercase_with_spaces_is_the_same_code() {
        let canon = "ABCDEFGHJKMNPQRSTVWXYZ012";
        for typed in [
            "abcde fghjk mnpqr stvwx yz012",
            "ABCDE-FGHJK-MNPQR-STVWX-YZ012",
            "  abcdefghjkmnpqrstvwxyz012 ",
            "AbCdE-fGhJk mNpQr-StVwX yZo12",
            // Pasted from a document that turned the dashes into typographic ones.
            "ABCDE\u{2010}FGHJK\u{2010}MNPQR\u{2010}STVWX\u{2010}YZ012",
            "ABCDE \u{2013} FGHJK \u{2013} MNPQR \u{2013} STVWX \u{2013} YZ012",
        ] {
            assert_eq!(normalise(typed).unwrap().expose(), canon, "{typed}");
        }
    }

    #[test]
    fn lookalikes_are_mapped() {
        assert_eq!(
            normalise("OOOOO IIIII LLLLL ooooo iilll").unwrap().expose(),
            "0000011111111110000011111"
        );
    }

    #[test]
    fn wrong_length_and_alphabet_are_format_errors() {
        assert_eq!(normalise("ABCDE"), Err(CodeFormatError::WrongLength(5)));
        assert_eq!(normalise(""), Err(CodeFormatError::WrongLength(0)));
        assert_eq!(
            normalise("ABCDE-FGHJK-MNPQR-STVWX-YZ0123"),
            Err(CodeFormatError::WrongLength(26))
        );
        assert_eq!(
            normalise("ABCDU-FGHJK-MNPQR-STVWX-YZ012"),
            Err(CodeFormatError::BadCharacter('U'))
        );
        assert_eq!(
            normalise("ABCD!-FGHJK-MNPQR-STVWX-YZ012"),
            Err(CodeFormatError::BadCharacter('!'))
        );
    }

    #[test]
    fn format_error_messages_say_what_is_wrong() {
        assert!(
            CodeFormatError::WrongLength(24)
                .to_string()
                .contains("25 characters")
        );
    }

    proptest! {
        #[test]
        fn any_code_survives_format_case_and_spacing(seed in any::<u64>(), lower in any::<bool>()) {
            let mut e = Seeded::new(seed);
            let c = generate(&mut e).unwrap();
            let shown = format(&c);
            let typed = if lower { shown.expose().to_lowercase().replace('-', " ") } else { shown.expose().to_string() };
            let n = normalise(&typed).unwrap();
            prop_assert_eq!(n.expose(), c.expose());
        }

        #[test]
        fn normalise_never_panics(s in ".{0,200}") {
            let _ = normalise(&s);
        }
    }
}
