//! Word-wrapping for both consoles, done by `textwrap`: text broken at spaces into rows of at
//! most a given width, and the hanging form (a bullet or a label, the other rows indented
//! under the text).

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use textwrap::{Options, WordSeparator, WordSplitter, WrapAlgorithm};

/// What to do with a word wider than a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongWords {
    /// Split it across rows (the desk: addresses and hostile text stay on screen).
    Split,
    /// Give it a row of its own and let the edge cut it (the holder's console).
    Overflow,
}

/// `text` wrapped at spaces into rows of at most `width` columns, greedily (first fit), with
/// runs of spaces counting as one and no hyphenation. Always at least one row.
pub fn wrap(text: &str, width: usize, long: LongWords) -> Vec<String> {
    let words = text
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let options = Options::new(width.max(1))
        .break_words(long == LongWords::Split)
        .word_separator(WordSeparator::AsciiSpace)
        .word_splitter(WordSplitter::NoHyphenation)
        .wrap_algorithm(WrapAlgorithm::FirstFit);
    textwrap::wrap(&words, options)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// `text` wrapped to `width`, the first row starting with `prefix` and the others indented to
/// line up under the text; the text is styled `style`.
pub fn hanging<'a>(
    prefix: Span<'a>,
    text: &str,
    width: usize,
    style: Style,
    long: LongWords,
) -> Vec<Line<'a>> {
    let indent = prefix.width();
    let mut prefix = Some(prefix);
    wrap(text, width.saturating_sub(indent).max(1), long)
        .into_iter()
        .map(|row| {
            let lead = prefix
                .take()
                .unwrap_or_else(|| Span::raw(" ".repeat(indent)));
            Line::from(vec![lead, Span::styled(row, style)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use LongWords::{Overflow, Split};

    #[test]
    fn wrap_is_greedy_and_splits_long_words_when_asked() {
        assert_eq!(wrap("aaa bbb ccc", 7, Split), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("", 5, Split), [""]);
        assert_eq!(wrap("abcdefghij", 4, Split), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a abcdefgh", 4, Split), ["a", "abcd", "efgh"]);
        assert_eq!(wrap("a abcdefgh", 4, Overflow), ["a", "abcdefgh"]);
        assert_eq!(
            wrap("j•••@example.com x", 16, Split),
            ["j•••@example.com", "x"]
        );
        assert_eq!(wrap("  two  spaces ", 20, Split), ["two spaces"]);
        assert_eq!(
            wrap("well-known words", 6, Split),
            ["well-k", "nown", "words"]
        );
    }

    #[test]
    fn hanging_rows_line_up_under_the_text() {
        let lines = hanging(Span::raw("1. "), "aaa bbb", 6, Style::default(), Split);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["1. aaa", "   bbb"]);
    }
}
