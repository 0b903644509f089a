//! Stripping untrusted text of anything that could act on a terminal before it is drawn.
//!
//! Usernames, email addresses and anything read back from the database may hold escape
//! sequences or invisible characters. A terminal would obey an escape sequence (retitle the
//! window, clear the screen, write to the clipboard), and bidirectional or zero-width
//! characters can make one string look like another. [`sanitize`] removes them all, keeping
//! every printable letter, digit, symbol, emoji and combining mark.

use crate::domain::model::{AccountView, MethodRow};

/// Untrusted text made safe to draw, once, where it enters a view model: a `Clean<T>` can only
/// be built by sanitising every piece of text in `T` (see [`Untrusted`]), so a draw function
/// that takes one cannot be handed raw text, and nothing is sanitised again at every frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clean<T = String>(T);

/// A value holding text from outside (the database, a user) that [`Clean`] can sanitise.
pub trait Untrusted {
    /// Replaces every piece of untrusted text in `self` with its [`sanitize`]d form.
    fn sanitize_text(&mut self);
}

impl Untrusted for String {
    fn sanitize_text(&mut self) {
        *self = sanitize(self);
    }
}

/// The account's text read from the database: its username, method addresses, pending-change
/// kinds and security events (kind and detail).
impl Untrusted for AccountView {
    fn sanitize_text(&mut self) {
        self.account.username.sanitize_text();
        for m in &mut self.methods {
            m.sanitize_text();
        }
        for p in &mut self.pending {
            p.kind.sanitize_text();
        }
        for e in &mut self.events {
            e.kind.sanitize_text();
            e.detail.sanitize_text();
        }
    }
}

/// A sign-in method's address, read from the database.
impl Untrusted for MethodRow {
    fn sanitize_text(&mut self) {
        self.address.sanitize_text();
    }
}

impl<T: Untrusted> Clean<T> {
    /// `raw` with all its untrusted text sanitised.
    pub fn new(mut raw: T) -> Clean<T> {
        raw.sanitize_text();
        Clean(raw)
    }
}

impl<T> std::ops::Deref for Clean<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Parts of a clean view, clean themselves: nothing is sanitised again.
impl Clean<AccountView> {
    /// The account's username.
    pub fn username(&self) -> Clean<String> {
        Clean(self.0.account.username.clone())
    }

    /// Every sign-in method of the account.
    pub fn clean_methods(&self) -> Vec<Clean<MethodRow>> {
        self.0.methods.iter().cloned().map(Clean).collect()
    }

    /// The account's verified sign-in methods.
    pub fn clean_verified(&self) -> Vec<Clean<MethodRow>> {
        let verified = self.0.methods.iter().filter(|m| m.verified);
        verified.cloned().map(Clean).collect()
    }
}

impl Clean<MethodRow> {
    /// The method's address.
    pub fn address(&self) -> Clean<String> {
        Clean(self.0.address.clone())
    }

    /// The address masked, as [`MethodRow::masked`]: masking keeps only characters of the
    /// clean address (and the mask's own), so the masked form is clean too. Sanitising first
    /// and masking second is what both consoles show for a hostile address.
    pub fn masked(&self) -> Clean<String> {
        Clean(self.0.masked())
    }
}

impl std::fmt::Display for Clean<String> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Characters removed on their own because they are invisible or reorder the text around them.
///
/// - bidirectional embedding/override/isolate controls and marks (Trojan Source),
/// - zero-width space/joiners, word joiner and invisible operators, the byte order mark,
/// - line and paragraph separators (they break a line in some terminals),
/// - interlinear annotation controls, tag characters (used to smuggle hidden ASCII),
/// - the Mongolian vowel separator and the soft hyphen (both can be invisible).
pub(crate) fn is_hidden_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Regional indicator symbols (U+1F1E6–U+1F1FF), the letters that pair up into flags.
/// Terminals disagree on a pair's width (one two-column flag, or two one-column letters), and
/// ratatui assumes the former: on a terminal of the latter kind, text drawn over a flag leaves
/// its second letter behind on screen, so hostile text could leave stale characters around.
pub(crate) fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// Whether `c` must never reach the terminal: a control character (C0, DEL, C1), an
/// invisible format character or a regional indicator (see [`sanitize`]).
pub(crate) fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_hidden_format(c) || is_regional_indicator(c)
}

const ESC: char = '\u{1B}';
const BEL: char = '\u{07}';
/// C1 "string terminator".
const ST: char = '\u{9C}';

/// Returns `s` with everything that could act on a terminal removed.
///
/// - Whole escape sequences are dropped, not just their ESC: CSI (`ESC [` … final byte),
///   OSC (`ESC ]` … BEL or `ESC \`), DCS/SOS/PM/APC strings (`ESC P`, `ESC X`, `ESC ^`,
///   `ESC _` … terminator), character-set and other `ESC` + intermediates + final forms,
///   and their 8-bit C1 forms (U+009B CSI, U+009D OSC, …). An unterminated string sequence
///   swallows the rest of the text, as a terminal would.
/// - Every other C0 control (NUL, BEL, CR, LF, …), DEL and C1 control is dropped; a TAB
///   becomes a single space.
/// - Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), zero-width
///   characters (U+200B–U+200D, U+FEFF) and the other invisible format characters listed on
///   `is_hidden_format` are dropped.
/// - Regional indicator symbols (flag letters) are dropped: terminals disagree on their width,
///   which leaves stale characters on screen (see `is_regional_indicator`).
///
/// Printable text is kept as it is, including emoji, right-to-left letters and combining
/// marks.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.peek().copied() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_string(&mut chars);
                }
                Some('N' | 'O') => {
                    // Single shift: ESC N/O plus the one character it applies to.
                    chars.next();
                    if chars
                        .peek()
                        .is_some_and(|c| ('\u{20}'..='\u{7E}').contains(c))
                    {
                        chars.next();
                    }
                }
                Some(' '..='/') => {
                    // nF: intermediates, then one final byte (e.g. `ESC ( B`, `ESC # 8`).
                    while chars.peek().is_some_and(|c| (' '..='/').contains(c)) {
                        chars.next();
                    }
                    if chars.peek().is_some_and(|c| ('0'..='~').contains(c)) {
                        chars.next();
                    }
                }
                Some('0'..='~') => {
                    // Two-character forms: ESC 7, ESC c (reset), ESC M, …
                    chars.next();
                }
                _ => {}
            },
            '\u{9B}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9D}' | '\u{9E}' | '\u{9F}' => skip_string(&mut chars),
            '\t' => out.push(' '),
            c if is_unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips the rest of a control sequence after `ESC [` (or C1 CSI): parameter bytes
/// 0x30–0x3F, intermediate bytes 0x20–0x2F, then one final byte 0x40–0x7E. A character
/// outside those ranges ends the sequence without being consumed.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{20}'..='\u{3F}' => {
                chars.next();
            }
            '\u{40}'..='\u{7E}' => {
                chars.next();
                return;
            }
            _ => return,
        }
    }
}

/// Skips a string sequence (OSC, DCS, SOS, PM, APC) up to and including its terminator:
/// BEL, `ESC \` or C1 ST. Without a terminator it runs to the end of the text.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST => return,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// [`sanitize`]s `s` and shortens it to at most `max_chars` characters, ending with `…` when
/// something was cut off. `max_chars == 0` gives an empty string.
pub fn sanitize_line(s: &str, max_chars: usize) -> String {
    let clean = sanitize(s);
    if clean.chars().count() <= max_chars {
        return clean;
    }
    if max_chars == 0 {
        return String::new();
    }
    let mut out: String = clean.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_whole_osc_terminated_by_bel() {
        assert_eq!(sanitize("\x1b]0;pwned\x07"), "");
        assert_eq!(sanitize("a\x1b]0;pwned\x07b"), "ab");
    }

    #[test]
    fn removes_whole_osc_terminated_by_st() {
        assert_eq!(sanitize("a\x1b]52;c;SGVsbG8=\x1b\\b"), "ab");
        assert_eq!(sanitize("a\u{9D}0;title\u{9C}b"), "ab");
    }

    #[test]
    fn removes_whole_csi() {
        assert_eq!(sanitize("\x1b[2J"), "");
        assert_eq!(sanitize("x\x1b[31;1mred\x1b[0m"), "xred");
        assert_eq!(sanitize("\x1b[?1049h"), "");
        assert_eq!(sanitize("a\u{9B}2Jb"), "ab");
    }

    #[test]
    fn removes_charset_and_short_escapes() {
        assert_eq!(sanitize("\x1b(B"), "");
        assert_eq!(sanitize("a\x1b(0b"), "ab");
        assert_eq!(sanitize("a\x1b#8b"), "ab");
        assert_eq!(sanitize("a\x1bcb"), "ab");
        assert_eq!(sanitize("a\x1b7b"), "ab");
        assert_eq!(sanitize("a\x1bOPb"), "ab");
    }

    #[test]
    fn removes_dcs_and_apc_strings() {
        assert_eq!(sanitize("a\x1bP1$r\x1b\\b"), "ab");
        assert_eq!(sanitize("a\x1b_hidden\x1b\\b"), "ab");
    }

    #[test]
    fn unterminated_string_swallows_rest() {
        assert_eq!(sanitize("ok\x1b]0;never ends"), "ok");
    }

    #[test]
    fn lone_escape_at_end_is_dropped() {
        assert_eq!(sanitize("abc\x1b"), "abc");
        assert_eq!(sanitize("abc\x1b["), "abc");
    }

    #[test]
    fn removes_c0_del_and_c1_controls() {
        assert_eq!(sanitize("a\0b\x07c\rd\ne\x7ff"), "abcdef");
        assert_eq!(sanitize("a\u{85}b\u{80}c\u{9A}d"), "abcd");
    }

    #[test]
    fn tab_becomes_space() {
        assert_eq!(sanitize("a\tb"), "a b");
    }

    #[test]
    fn removes_bidi_controls() {
        assert_eq!(sanitize("user\u{202E}gpj.exe"), "usergpj.exe");
        assert_eq!(
            sanitize("\u{202A}\u{202B}\u{202C}\u{202D}\u{2066}\u{2067}\u{2068}\u{2069}"),
            ""
        );
        assert_eq!(sanitize("a\u{200E}b\u{200F}c\u{061C}d"), "abcd");
    }

    #[test]
    fn removes_zero_width_and_bom() {
        assert_eq!(sanitize("ad\u{200B}min\u{200C}\u{200D}\u{FEFF}"), "admin");
        assert_eq!(sanitize("a\u{E0041}\u{E0042}b"), "ab");
    }

    #[test]
    fn removes_regional_indicators() {
        assert_eq!(sanitize("ab\u{1F1FA}\u{1F1E6}cd"), "abcd");
        assert_eq!(sanitize("\u{1F1E6}\u{1F1FF}"), "");
    }

    #[test]
    fn keeps_printable_text() {
        let text = "José 😀 مرحبا שלום e\u{301} ü 中文 ✓";
        assert_eq!(sanitize(text), text);
        assert_eq!(sanitize("j•••@example.com"), "j•••@example.com");
    }

    #[test]
    fn sanitize_line_truncates_with_ellipsis() {
        assert_eq!(sanitize_line("abcdef", 6), "abcdef");
        assert_eq!(sanitize_line("abcdefg", 6), "abcde…");
        assert_eq!(sanitize_line("abc", 0), "");
        assert_eq!(sanitize_line("abc", 1), "…");
        assert_eq!(sanitize_line("\x1b[2Jab\ncd", 3), "ab…");
        assert_eq!(sanitize_line("😀😀😀", 2), "😀…");
    }
}
