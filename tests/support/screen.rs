//! Reading what a screen shows, for the harnesses that hold its text (the in-process driver
//! and the pseudo-terminal alike).

/// The digit of the numbered choice labelled `label` ("3  Recovery code"), if it is on screen.
pub fn choice_digit(screen: &str, label: &str) -> Option<char> {
    screen.lines().find_map(|l| {
        let at = l.find(&format!("  {label}"))?;
        l[..at]
            .trim_end()
            .chars()
            .last()
            .filter(char::is_ascii_digit)
    })
}

/// The authenticator app's key as the Add authenticator app screen shows it: the two rows of
/// four-letter base32 groups under "Key" (right of the QR code when there is one).
pub fn app_key(screen: &str) -> String {
    let rows: Vec<&str> = screen.lines().collect();
    let at = rows
        .iter()
        .position(|r| r.split_whitespace().any(|w| w == "Key"))
        .unwrap_or_else(|| panic!("no Key on screen:\n{screen}"));
    rows[at + 1..at + 3]
        .iter()
        .flat_map(|r| r.split_whitespace())
        .filter(|w| {
            w.len() == 4
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        })
        .collect()
}
