//! Masking identifiers for the desk and the audit log: enough for a customer to recognise,
//! not enough to reveal the address or number.

/// `jane@example.com` → `j•••@example.com`.
pub fn email(addr: &str) -> String {
    match addr.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_string(),
    }
}

/// `+15550104477` → `•••••••••77`: every digit hidden but the last two.
pub fn phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().min(2);
    let hidden = digits.len() - keep;
    let mut s = "•".repeat(hidden);
    s.extend(&digits[hidden..]);
    s
}

/// A username in the audit log: first two characters then dots.
pub fn username(name: &str) -> String {
    let first: String = name.chars().take(2).collect();
    format!("{first}•••")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(email("jane@example.com"), "j•••@example.com");
        assert_eq!(phone("+15550104412"), "•••••••••12");
        assert_eq!(phone("5550104412"), "••••••••12");
        assert_eq!(username("jane.doe"), "ja•••");
        assert_eq!(email("nonsense"), "•••");
    }
}
