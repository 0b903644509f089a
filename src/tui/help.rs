//! The help overlay: a popup listing a screen's keys, built from the same table its key
//! handler reads.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Widget};

use super::keys::{Binding, Key};
use super::paint;
use super::theme::Theme;
use super::widgets::centered_rect;

/// Keys that open the help overlay.
pub const HELP_KEYS: &[Key] = &[Key::Char('?'), Key::F(1)];

/// Keys that close the help overlay (its footer says so).
pub const CLOSE_HELP_KEYS: &[Key] = &[Key::Esc, Key::Char('?'), Key::F(1)];

/// The footer line of the overlay.
pub const HELP_FOOTER: &str = "Esc or ? closes help";

/// Whether `ev` opens the help overlay.
pub fn opens_help(ev: &KeyEvent) -> bool {
    HELP_KEYS.iter().any(|k| k.matches(ev))
}

/// Whether `ev` closes the help overlay.
pub fn closes_help(ev: &KeyEvent) -> bool {
    CLOSE_HELP_KEYS.iter().any(|k| k.matches(ev))
}

/// One line of the help overlay: the keys as written (`?/F1`) and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    /// The keys, e.g. `Tab/↓`.
    pub keys: Cow<'static, str>,
    /// What they do.
    pub label: Cow<'static, str>,
}

impl HelpRow {
    /// A row for keys and a label that are not in a binding table (e.g. "1–9  Choose").
    pub fn new(keys: impl Into<Cow<'static, str>>, label: impl Into<Cow<'static, str>>) -> Self {
        Self {
            keys: keys.into(),
            label: label.into(),
        }
    }
}

/// The rows for a binding table, in its order.
pub fn help_rows<A>(table: &[Binding<A>]) -> Vec<HelpRow> {
    table
        .iter()
        .map(|b| HelpRow {
            keys: Cow::Owned(b.keys_display()),
            label: Cow::Borrowed(b.label),
        })
        .collect()
}

/// The help popup, drawn centred over whatever is on screen (the area under it is cleared).
#[derive(Debug, Clone, Copy)]
pub struct HelpOverlay<'a> {
    /// The screen the help is for, shown in the popup's title.
    pub title: &'a str,
    /// The rows, in order.
    pub rows: &'a [HelpRow],
    /// Styles.
    pub theme: &'a Theme,
    /// What the screen is for, in one sentence, above the keys.
    pub about: Option<&'a str>,
}

impl<'a> HelpOverlay<'a> {
    /// The overlay for a screen titled `title`.
    pub fn new(title: &'a str, rows: &'a [HelpRow], theme: &'a Theme) -> Self {
        Self {
            title,
            rows,
            theme,
            about: None,
        }
    }

    /// The same overlay, first saying what the screen is for.
    pub fn about(self, about: &'a str) -> Self {
        Self {
            about: Some(about),
            ..self
        }
    }
}

/// The widest the sentence about the screen is set, when the keys are narrower.
const ABOUT_WIDTH: usize = 60;

/// The popup's border and padding take two columns on each side.
const FRAME_WIDTH: u16 = 4;
/// Top and bottom borders.
const FRAME_HEIGHT: u16 = 2;
/// Between the keys column and the label.
const SEPARATOR: &str = "  — ";

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let keys_width = self
            .rows
            .iter()
            .map(|r| Span::raw(r.keys.as_ref()).width())
            .max()
            .unwrap_or(0);
        let mut lines: Vec<Line<'_>> = self
            .rows
            .iter()
            .map(|r| {
                let pad = keys_width.saturating_sub(Span::raw(r.keys.as_ref()).width());
                Line::from(vec![
                    Span::styled(r.keys.as_ref(), self.theme.accent),
                    Span::raw(" ".repeat(pad)),
                    Span::styled(SEPARATOR, self.theme.hint),
                    Span::styled(r.label.as_ref(), self.theme.normal),
                ])
            })
            .collect();
        let title = format!(" Help — {} ", self.title);
        let footer = format!(" {HELP_FOOTER} ");
        let mut content_width = lines
            .iter()
            .map(Line::width)
            .chain([Span::raw(&title).width(), Span::raw(&footer).width()])
            .max()
            .unwrap_or(0);
        if let Some(about) = self.about {
            // As wide as the keys, or up to ABOUT_WIDTH, never wider than the terminal.
            let room = usize::from(area.width.saturating_sub(FRAME_WIDTH)).max(1);
            let wrap_at = content_width
                .max(ABOUT_WIDTH.min(Span::raw(about).width()))
                .min(room);
            let mut head: Vec<Line<'_>> = textwrap::wrap(about, wrap_at)
                .into_iter()
                .map(|l| Line::styled(l.into_owned(), self.theme.normal))
                .collect();
            content_width = content_width.max(head.iter().map(Line::width).max().unwrap_or(0));
            head.push(Line::raw(""));
            head.append(&mut lines);
            lines = head;
        }
        let width = u16::try_from(content_width)
            .unwrap_or(u16::MAX)
            .saturating_add(FRAME_WIDTH);
        let height = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(FRAME_HEIGHT);
        let popup = centered_rect(width, height, area);

        Clear.render(popup, buf);
        let inner = Block::bordered()
            .padding(Padding::horizontal(1))
            .inner(popup);
        paint::bordered(
            buf,
            popup,
            self.theme.border_focused,
            Some(&Line::styled(title, self.theme.title)),
            Some(&Line::styled(footer, self.theme.hint).centered()),
        );
        paint::rows(buf, inner, &lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::bind;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::widgets::{Paragraph, Wrap};

    #[derive(Debug, Clone, Copy)]
    enum Act {
        Select,
        Back,
        Next,
    }

    const TABLE: &[Binding<Act>] = &[
        bind(&[Key::Enter], "Select the highlighted choice", Act::Select),
        bind(&[Key::Esc], "Go back", Act::Back),
        bind(&[Key::Tab, Key::Down], "Next choice", Act::Next),
    ];

    fn rows() -> Vec<HelpRow> {
        let mut rows = help_rows(TABLE);
        rows.push(HelpRow::new("1–9", "Choose by number"));
        rows.push(HelpRow::new("?/F1", "Show this help"));
        rows.push(HelpRow::new("Ctrl-C", "Quit"));
        rows
    }

    #[test]
    fn rows_follow_the_table() {
        let rows = help_rows(TABLE);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].keys, "Tab/↓");
        assert_eq!(rows[2].label, "Next choice");
    }

    #[test]
    fn open_and_close_keys() {
        let q = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert!(opens_help(&q));
        assert!(closes_help(&q));
        assert!(opens_help(&KeyEvent::new(
            KeyCode::F(1),
            KeyModifiers::NONE
        )));
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert!(!opens_help(&esc));
        assert!(closes_help(&esc));
    }

    #[test]
    fn overlay_snapshot() {
        let theme = Theme::plain();
        let rows = rows();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
        terminal
            .draw(|frame| {
                let area = frame.area();
                frame.render_widget(
                    Paragraph::new("x".repeat(80 * 24)).wrap(Wrap { trim: false }),
                    area,
                );
                frame.render_widget(HelpOverlay::new("Sign in", &rows, &theme), area);
            })
            .expect("draw");
        insta::assert_snapshot!(terminal.backend());
    }

    #[test]
    fn overlay_never_panics_on_tiny_areas() {
        let theme = Theme::plain();
        let rows = rows();
        for (w, h) in [(0, 0), (1, 1), (3, 2), (10, 4), (20, 3)] {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
            terminal
                .draw(|frame| {
                    frame.render_widget(HelpOverlay::new("Sign in", &rows, &theme), frame.area());
                })
                .expect("draw");
        }
    }
}
