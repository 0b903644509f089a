//! Masking identifiers for the desk and the audit log: enough for a customer to recognise,
//! not enough to reveal the address or number.

use super::phone::CallingCode;

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

/// `+15550100101` → `+1 ••• ••• ••01`: the country calling code, then the national number
/// with every digit hidden but the last two, in groups of three from the left (a last group
/// of one joins the group before: 10 digits read 3 3 4, 9 read 3 3 3, 8 read 3 3 2, 7 read
/// 3 4), so an agent can read it out as the customer would say it. A number not in E.164 form
/// (no `+`, which stored data never is) shows only dots and its last two digits.
pub fn phone(number: &str) -> String {
    match CallingCode::split(number.trim()) {
        Some((code, national)) => format!("{code} {}", national_masked(national)),
        None => {
            let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
            let hidden = digits.len().saturating_sub(2);
            let mut s = "•".repeat(hidden);
            s.extend(&digits[hidden..]);
            s
        }
    }
}

/// The national number's digits, all but the last two hidden, in groups of three (four at
/// the end rather than leaving one alone).
fn national_masked(national: &str) -> String {
    let digits: Vec<char> = national.chars().collect();
    let hidden = digits.len().saturating_sub(2);
    let mut sizes = vec![];
    let mut left = digits.len();
    while left > 4 {
        sizes.push(3);
        left -= 3;
    }
    sizes.push(left);
    let mut out = String::new();
    let mut at = 0;
    for size in sizes {
        if at > 0 {
            out.push(' ');
        }
        for (i, d) in digits[at..at + size].iter().enumerate() {
            out.push(if at + i < hidden { '•' } else { *d });
        }
        at += size;
    }
    out
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
        assert_eq!(username("jane.doe"), "ja•••");
        assert_eq!(email("nonsense"), "•••");
    }

    #[test]
    fn phones_read_out_with_the_country_code_in_groups_of_three() {
        assert_eq!(phone("+15550100101"), "+1 ••• ••• ••01");
        assert_eq!(phone("+442079460018"), "+44 ••• ••• ••18");
        // National numbers of 7, 8, 9, 10, 11 and 13 digits: 3 4, 3 3 2, 3 3 3, 3 3 4, 3 3 3 2, 3 3 3 4.
        assert_eq!(phone("+3531234567"), "+353 ••• ••67");
        assert_eq!(phone("+4930123456"), "+49 ••• ••• 56");
        assert_eq!(phone("+420123456789"), "+420 ••• ••• •89");
        assert_eq!(phone("+79161234567"), "+7 ••• ••• ••67");
        assert_eq!(phone("+8613812345678"), "+86 ••• ••• ••• 78");
        assert_eq!(phone("+491511234567890"), "+49 ••• ••• ••• ••90");
        // Short ones (not valid E.164, but never more than two digits shown).
        assert_eq!(phone("+441234"), "+44 ••34");
        assert_eq!(phone("+4412345"), "+44 ••• 45");
        assert_eq!(phone("+4412"), "+44 12");
    }

    #[test]
    fn a_phone_not_in_e164_form_shows_no_more_than_its_last_two_digits() {
        assert_eq!(phone("5550104412"), "••••••••12");
        assert_eq!(phone("555 010 4412"), "••••••••12");
        assert_eq!(phone("+0555010441"), "••••••••41");
        assert_eq!(phone("+1 555 010 4412"), "•••••••••12");
        assert_eq!(phone("7"), "7");
        assert_eq!(phone(""), "");
    }
}
