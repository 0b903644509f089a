//! Fuzzing the input normalisers and the terminal sanitiser (issue 5, item 10) with proptest
//! at 100,000 cases per property. A bench-like target: `cargo bench --no-run` builds it in CI,
//! and it runs only on demand:
//!
//! ```sh
//! cargo bench --bench fuzz_normalisers            # 100,000 cases per property
//! RD_FUZZ_CASES=1000000 cargo bench --bench fuzz_normalisers
//! ```
//!
//! Inputs mix arbitrary Unicode, escape sequences, control characters, look-alikes and
//! near-valid codes. Properties: no panic; outputs are in their alphabet; normalising twice
//! changes nothing; sanitised text holds nothing a terminal would act on.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use recovery_desk::domain::identifier::{self, Lookup};
use recovery_desk::domain::{one_time, recovery_code};
use recovery_desk::tui::sanitize::{sanitize, sanitize_line};
use std::time::Instant;

fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        "[a-zA-Z0-9 \\-]{0,30}",
        Just("\x1b[2J".to_string()),
        Just("\x1b]0;pwned\x07".to_string()),
        Just("\x1bP1;2|x\x1b\\".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\0".to_string()),
        Just("é\u{301}\u{301}".to_string()),
        Just("👩‍👩‍👧".to_string()),
        Just("שלום".to_string()),
        Just("OIL".to_string()),
        "[0-9A-Z]{25}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn run(name: &str, cases: u32, f: impl Fn(String) -> Result<(), TestCaseError>) -> u64 {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let started = Instant::now();
    let mut n = 0u64;
    let counted = std::cell::Cell::new(0u64);
    let result = runner.run(&hostile(), |s| {
        counted.set(counted.get() + 1);
        f(s)
    });
    n += counted.get();
    match result {
        Ok(()) => println!(
            "{name:<28} {n:>9} executions, no failure ({:.1} s)",
            started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            println!("{name}: FAILED after {n} executions: {e}");
            std::process::exit(1);
        }
    }
    n
}

fn terminal_safe(s: &str) -> bool {
    s.chars().all(|c| {
        !c.is_control()
            && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}' | '\u{feff}' | '\u{61c}')
    })
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let cases: u32 = std::env::var("RD_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut total = 0;
    total += run("recovery_code::normalise", cases, |s| {
        if let Ok(c) = recovery_code::normalise(&s) {
            prop_assert_eq!(c.expose().len(), recovery_code::LENGTH);
            prop_assert!(
                c.expose()
                    .bytes()
                    .all(|b| recovery_code::ALPHABET.contains(&b))
            );
            let again = recovery_code::normalise(c.expose()).unwrap();
            prop_assert_eq!(again.expose(), c.expose());
            let formatted = recovery_code::format(&c);
            let back = recovery_code::normalise(formatted.expose()).unwrap();
            prop_assert_eq!(back.expose(), c.expose());
        }
        Ok(())
    });
    total += run("one_time::normalise", cases, |s| {
        if let Some(c) = one_time::normalise(&s) {
            prop_assert!(c.expose().len() == 6 && c.expose().bytes().all(|b| b.is_ascii_digit()));
        }
        Ok(())
    });
    total += run("identifier (all kinds)", cases, |s| {
        if let Ok(u) = identifier::username(&s) {
            prop_assert_eq!(identifier::username(&u).unwrap(), u.clone());
            prop_assert!(terminal_safe(&u));
        }
        if let Ok(e) = identifier::email(&s) {
            prop_assert_eq!(identifier::email(&e).unwrap(), e.clone());
            prop_assert!(terminal_safe(&e));
        }
        if let Ok(p) = identifier::phone(&s) {
            prop_assert!(p.chars().all(|c| c == '+' || c.is_ascii_digit()));
        }
        let _ = Lookup::parse(&s);
        Ok(())
    });
    total += run("tui::sanitize", cases, |s| {
        let out = sanitize(&s);
        prop_assert!(terminal_safe(&out), "unsafe output {:?}", out);
        prop_assert_eq!(sanitize(&out), out.clone());
        let line = sanitize_line(&s, 40);
        prop_assert!(line.chars().count() <= 40);
        prop_assert!(terminal_safe(&line));
        Ok(())
    });
    println!("total: {total} executions");
}
