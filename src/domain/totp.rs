//! Authenticator apps: time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as every
//! phone authenticator computes them — HMAC-SHA-1, 30-second steps, 6 digits — with the
//! secret handed over as base32 (RFC 4648) in an `otpauth://` URI.
//!
//! A typed code is accepted for the current step or the one before or after (±30 s of clock
//! drift), and only for a step later than the last one accepted, so a code seen over a shoulder
//! cannot be replayed within its window.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::secret::constant_time_eq;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret: 160 bits, RFC 4226's recommendation.
pub const SECRET_BYTES: usize = 20;
/// Steps either side of now a code is accepted for.
pub const DRIFT_STEPS: i64 = 1;

/// The step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP value of `secret` at `counter`, `digits` long (RFC 4226 §5.3).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = (u32::from(digest[offset]) & 0x7f) << 24
        | u32::from(digest[offset + 1]) << 16
        | u32::from(digest[offset + 2]) << 8
        | u32::from(digest[offset + 3]);
    binary % 10u32.pow(digits)
}

/// The 6-digit code of `secret` for `step`, zero-padded.
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// What a typed code matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The code of this step (within the drift window, later than the last one used).
    Step(i64),
    /// A code of a step already used (or older): a replay.
    Replayed,
    Wrong,
    /// Not six digits (spaces allowed).
    Malformed,
}

/// Checks `typed` against `secret` at `unix_seconds`, refusing steps up to `last_used`.
/// Every candidate is computed and compared in full, whatever matches first.
pub fn check(secret: &[u8], typed: &str, unix_seconds: i64, last_used: i64) -> Check {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Check::Malformed;
    }
    let now = step_at(unix_seconds);
    // Every candidate is compared, whatever matches: the time says nothing about which did.
    let matched: Vec<i64> = (now - DRIFT_STEPS..=now + DRIFT_STEPS)
        .filter(|step| constant_time_eq(code_at_step(secret, *step).as_bytes(), digits.as_bytes()))
        .collect();
    // Codes can repeat from one step to the next: the latest unused step counts.
    match matched.iter().rev().find(|step| **step > last_used) {
        Some(step) => Check::Step(*step),
        None if matched.is_empty() => Check::Wrong,
        None => Check::Replayed,
    }
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, without padding (as authenticator apps take it).
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            let index = (bits >> (35 - i * 5)) & 0x1f;
            out.push(char::from(BASE32[index as usize]));
        }
    }
    out
}

/// Reads RFC 4648 base32 (any case, spaces and padding ignored); `None` if it is not.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = vec![];
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32
            .iter()
            .position(|b| char::from(*b) == c.to_ascii_uppercase())?;
        acc = acc << 5 | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The secret as people copy it by hand: groups of four.
pub fn grouped(base32: &str) -> String {
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` URI authenticator apps read (Google's Key Uri Format): the issuer, the
/// account and the secret. SHA-1, 6 digits and 30 seconds are the format's defaults, so they
/// are left out: a shorter URI is a smaller QR code, which fits an 80×24 terminal.
pub fn otpauth_uri(issuer: &str, account: &str, base32_secret: &str) -> String {
    format!("otpauth://totp/{issuer}:{account}?secret={base32_secret}&issuer={issuer}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows: the 8-digit values, and the 6-digit codes apps show.
    #[test]
    fn rfc_6238_appendix_b_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let counter = u64::try_from(step_at(t)).unwrap();
            assert_eq!(hotp(secret, counter, 8), eight, "T = {t}");
            assert_eq!(
                code_at_step(secret, step_at(t)),
                format!("{:06}", eight % 1_000_000),
                "T = {t}"
            );
        }
    }

    /// RFC 4226 Appendix D: HOTP values for counters 0..9.
    #[test]
    fn rfc_4226_appendix_d_vectors() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, want) in expected.into_iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), want);
        }
    }

    #[test]
    fn codes_are_taken_within_one_step_and_never_twice() {
        let secret = b"12345678901234567890";
        let t = 1111111111;
        let now = step_at(t);
        let code = |step| code_at_step(secret, step);
        assert_eq!(check(secret, &code(now), t, 0), Check::Step(now));
        assert_eq!(check(secret, &code(now - 1), t, 0), Check::Step(now - 1));
        assert_eq!(check(secret, &code(now + 1), t, 0), Check::Step(now + 1));
        assert_eq!(check(secret, &code(now - 2), t, 0), Check::Wrong);
        assert_eq!(check(secret, &code(now + 2), t, 0), Check::Wrong);
        // Used: the same step again is a replay, and so is an older one.
        assert_eq!(check(secret, &code(now), t, now), Check::Replayed);
        assert_eq!(check(secret, &code(now - 1), t, now), Check::Replayed);
        assert_eq!(check(secret, &code(now + 1), t, now), Check::Step(now + 1));
        let spaced = format!("{} {}", &code(now)[..3], &code(now)[3..]);
        assert_eq!(check(secret, &spaced, t, 0), Check::Step(now));
        for bad in ["12345", "1234567", "12345a", ""] {
            assert_eq!(check(secret, bad, t, 0), Check::Malformed, "{bad}");
        }
    }

    /// Equal only when every byte is: two differences that would cancel out still differ.
    #[test]
    fn codes_compare_whole() {
        assert!(constant_time_eq(b"123456", b"123456"));
        assert!(!constant_time_eq(b"120000", b"030000"));
        assert!(!constant_time_eq(b"123456", b"12345"));
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        // RFC 4648 §10, without padding.
        for (plain, coded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), coded);
            assert_eq!(from_base32(coded).unwrap(), plain.as_bytes());
            assert_eq!(
                from_base32(&format!("{}====", coded.to_lowercase())).unwrap(),
                plain.as_bytes()
            );
        }
        let secret: Vec<u8> = (0..SECRET_BYTES as u8).collect();
        assert_eq!(base32(&secret).len(), 32);
        assert_eq!(from_base32(&base32(&secret)).unwrap(), secret);
        assert_eq!(from_base32("A1"), None);
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    #[test]
    fn the_uri_names_issuer_account_and_every_parameter() {
        assert_eq!(
            otpauth_uri("recovery-desk", "pat", "MZXW6YTB"),
            "otpauth://totp/recovery-desk:pat?secret=MZXW6YTB&issuer=recovery-desk"
        );
    }
}
