//! Small widgets both consoles draw with: page frame, numbered menu, dialogs, spinner and the
//! "terminal too small" notice. All of them clamp to the area they get and never panic.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Widget, Wrap};

use super::paint::{self, plain_ascii};
use super::sanitize::sanitize;
use super::theme::Theme;

/// The product name shown in every page title.
pub const PRODUCT: &str = "recovery-desk";

/// Narrowest terminal the consoles draw in.
pub const MIN_WIDTH: u16 = 80;
/// Shortest terminal the consoles draw in.
pub const MIN_HEIGHT: u16 = 24;

/// Whether `area` is at least [`MIN_WIDTH`]×[`MIN_HEIGHT`].
pub fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

/// A `width`×`height` rectangle centred in `area`, shrunk to fit inside it.
pub fn centered_rect(width: u16, height: u16, area: Rect) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x.saturating_add((area.width - w) / 2),
        area.y.saturating_add((area.height - h) / 2),
        w,
        h,
    )
}

/// How many rows `lines` take when word-wrapped to `width` columns (as [`Paragraph`] with
/// [`Wrap`] lays them out; an empty line still takes a row).
pub fn wrapped_height(lines: &[Line<'_>], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines
        .iter()
        .map(|line| {
            // Plain ASCII no longer than the row is one row (most lines are); the rest are
            // measured word by word.
            if line.spans.iter().all(|s| plain_ascii(&s.content))
                && line.spans.iter().map(|s| s.content.len()).sum::<usize>() <= width
            {
                return 1;
            }
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            wrapped_rows(&text, width)
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// Rows one line of text takes when wrapped greedily at spaces to `width` columns.
fn wrapped_rows(text: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut used = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = Span::raw(word).width();
        if used == 0 {
            rows += w.saturating_sub(1) / width;
            used = if w > width { w % width } else { w };
        } else if used + 1 + w <= width {
            used += 1 + w;
        } else {
            rows += 1 + w.saturating_sub(1) / width;
            used = if w > width { w % width } else { w };
        }
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Spinner

/// Frames of the busy spinner.
pub const SPINNER_FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for a tick counter.
pub fn spinner_frame(tick: u64) -> &'static str {
    let i = usize::try_from(tick % SPINNER_FRAMES.len() as u64).unwrap_or(0);
    SPINNER_FRAMES[i]
}

/// A spinner frame followed by `text`, e.g. `⠋ Checking…`.
pub fn spinner_line(tick: u64, text: &str) -> Line<'_> {
    Line::from(vec![
        Span::raw(spinner_frame(tick)),
        Span::raw(" "),
        Span::raw(text),
    ])
}

// ---------------------------------------------------------------------------------------------
// Terminal too small

/// The notice drawn instead of a screen when the terminal is smaller than
/// [`MIN_WIDTH`]×[`MIN_HEIGHT`]. It names both sizes and fits any area, even 0×0.
#[derive(Debug, Clone, Copy)]
pub struct TooSmall<'a> {
    /// Styles.
    pub theme: &'a Theme,
}

impl Widget for TooSmall<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let lines = vec![
            Line::styled("Terminal too small", self.theme.warning),
            Line::styled(
                format!(
                    "Need at least {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
                    area.width, area.height
                ),
                self.theme.normal,
            ),
            Line::styled(
                "Enlarge the window, or press Ctrl-C to quit",
                self.theme.hint,
            ),
        ];
        let height = wrapped_height(&lines, area.width).min(area.height);
        let top = Rect::new(
            area.x,
            area.y + (area.height - height) / 2,
            area.width,
            height,
        );
        Clear.render(area, buf);
        Paragraph::new(lines)
            .centered()
            .wrap(Wrap { trim: true })
            .render(top, buf);
    }
}

/// Draws the [`TooSmall`] notice over `area`.
pub fn too_small(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    frame.render_widget(TooSmall { theme }, area);
}

// ---------------------------------------------------------------------------------------------
// Page frame

/// Draws the frame every screen sits in and returns the rectangle left for its content.
///
/// The outer border carries `recovery-desk — {title}`; the last row inside it shows
/// `footer_hints` (the screen's keys). Tiny areas get what fits, and the returned rectangle
/// may then be empty.
pub fn page(
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    title: &str,
    footer_hints: &str,
) -> Rect {
    render_page(frame.buffer_mut(), area, theme, title, footer_hints)
}

/// A page's heading in its top border: ` recovery-desk — TITLE `.
pub fn heading(title: &str) -> String {
    if title.is_empty() {
        format!(" {PRODUCT} ")
    } else {
        format!(" {PRODUCT} — {title} ")
    }
}

/// [`page`] drawing straight into a buffer.
pub fn render_page(
    buf: &mut Buffer,
    area: Rect,
    theme: &Theme,
    title: &str,
    footer_hints: &str,
) -> Rect {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return area;
    }
    let inner = Block::bordered()
        .padding(Padding::horizontal(1))
        .inner(area);
    let heading = Line::styled(heading(title), theme.title);
    paint::bordered(buf, area, theme.border, Some(&heading), None);
    if inner.height < 2 || footer_hints.is_empty() {
        return inner;
    }
    let hints_row = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
    paint::rows(buf, hints_row, &[Line::styled(footer_hints, theme.hint)]);
    Rect::new(inner.x, inner.y, inner.width, inner.height - 1)
}

// ---------------------------------------------------------------------------------------------
// Numbered menu

/// A numbered list of choices, with one selected.
///
/// Drawn as `› 1  Label` (the selected item) and `  2  Label`. The first nine items show the
/// digit that chooses them; the screen maps digits through [`Menu::index_for_digit`]. Labels
/// are sanitised when the menu is built, so they may come from the database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Menu {
    items: Vec<String>,
    selected: usize,
}

impl Menu {
    /// A menu of `items` with the first one selected.
    pub fn new<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self {
            items: items.into_iter().map(|s| sanitize(s.as_ref())).collect(),
            selected: 0,
        }
    }

    /// The labels, in order.
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the menu has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The index of the selected item (0 when the menu is empty).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The label of the selected item.
    pub fn selected_item(&self) -> Option<&str> {
        self.items.get(self.selected).map(String::as_str)
    }

    /// Selects `index`, clamped to the last item.
    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.items.len().saturating_sub(1));
    }

    /// Selects the next item, wrapping from the last to the first.
    pub fn select_next(&mut self) {
        if !self.items.is_empty() {
            self.selected = (self.selected + 1) % self.items.len();
        }
    }

    /// Selects the previous item, wrapping from the first to the last.
    pub fn select_prev(&mut self) {
        if !self.items.is_empty() {
            self.selected = self.selected.checked_sub(1).unwrap_or(self.items.len() - 1);
        }
    }

    /// The index a digit (1–9, as from [`digit_of`](super::keys::digit_of)) chooses, if the
    /// menu has that many items.
    pub fn index_for_digit(&self, digit: u8) -> Option<usize> {
        let index = usize::from(digit).checked_sub(1)?;
        (digit <= 9 && index < self.items.len()).then_some(index)
    }

    /// Selects the item a digit chooses and returns its index.
    pub fn choose_digit(&mut self, digit: u8) -> Option<usize> {
        let index = self.index_for_digit(digit)?;
        self.selected = index;
        Some(index)
    }

    /// Rows the menu needs to show every item.
    pub fn height(&self) -> u16 {
        u16::try_from(self.items.len()).unwrap_or(u16::MAX)
    }

    /// Draws the menu into `area`. With `focused` the selected item carries the `›` marker and
    /// the selected style; without it the menu is drawn plainly (focus is elsewhere, e.g. in a
    /// text field). When the area is too short it scrolls so the selection stays visible.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let rows = usize::from(area.height);
        let first = (self.selected + 1).saturating_sub(rows);
        for (row, (index, label)) in self
            .items
            .iter()
            .enumerate()
            .skip(first)
            .take(rows)
            .enumerate()
        {
            let is_selected = focused && index == self.selected;
            let marker = if is_selected { "›" } else { " " };
            let number = if index < 9 {
                char::from(b'1' + index as u8)
            } else {
                ' '
            };
            let style = if is_selected {
                theme.selected
            } else {
                theme.normal
            };
            let line = Line::from(vec![
                Span::styled(format!("{marker} "), style),
                Span::styled(format!("{number}  "), theme.accent.patch(style)),
                Span::styled(label.as_str(), style),
            ]);
            let y = area.y + row as u16;
            paint::line(buf, area.x, y, &line, area.width);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dialogs

/// A centred popup with a title, body text and numbered choices (`› 1 Yes    2 No`).
///
/// The area under it is cleared. The body is word-wrapped; the popup is at most
/// [`Dialog::MAX_WIDTH`] columns wide and shrinks to fit small areas.
#[derive(Debug, Clone)]
pub struct Dialog<'a> {
    /// Title on the border.
    pub title: &'a str,
    /// Body lines (styled by the caller).
    pub body: Vec<Line<'a>>,
    /// Choice labels; shown numbered from 1.
    pub choices: &'a [&'a str],
    /// The highlighted choice, if any.
    pub selected: Option<usize>,
    /// Styles.
    pub theme: &'a Theme,
}

impl<'a> Dialog<'a> {
    /// Widest the popup gets, borders included.
    pub const MAX_WIDTH: u16 = 64;

    /// A dialog with plain body lines and no highlighted choice.
    pub fn new(title: &'a str, body: &[&'a str], choices: &'a [&'a str], theme: &'a Theme) -> Self {
        Self {
            title,
            body: body
                .iter()
                .map(|l| Line::styled(*l, theme.normal))
                .collect(),
            choices,
            selected: None,
            theme,
        }
    }

    /// Highlights a choice.
    #[must_use]
    pub fn with_selected(mut self, selected: usize) -> Self {
        self.selected = Some(selected);
        self
    }

    fn choices_line(&self) -> Line<'a> {
        let mut spans = Vec::with_capacity(self.choices.len() * 2);
        for (i, choice) in self.choices.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("   "));
            }
            let chosen = self.selected == Some(i);
            let style = if chosen {
                self.theme.selected
            } else {
                self.theme.normal
            };
            let marker = if chosen { "›" } else { " " };
            spans.push(Span::styled(format!("{marker} {} {choice}", i + 1), style));
        }
        Line::from(spans)
    }
}

impl Widget for Dialog<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let choices = (!self.choices.is_empty()).then(|| self.choices_line());
        let title = format!(" {} ", self.title);
        let natural = self
            .body
            .iter()
            .chain(choices.as_ref())
            .map(Line::width)
            .chain([Span::raw(&title).width()])
            .max()
            .unwrap_or(0);
        // Two columns of border and padding on each side.
        let width = u16::try_from(natural)
            .unwrap_or(u16::MAX)
            .saturating_add(4)
            .min(Self::MAX_WIDTH)
            .min(area.width);
        let inner_width = width.saturating_sub(4);
        let body_height = wrapped_height(&self.body, inner_width);
        // Body, a blank row, the choices row.
        let choices_height = match (&choices, self.body.is_empty()) {
            (None, _) => 0,
            (Some(_), true) => 1,
            (Some(_), false) => 2,
        };
        let height = body_height.saturating_add(choices_height).saturating_add(2);
        let popup = centered_rect(width, height, area);

        Clear.render(popup, buf);
        let inner = Block::bordered()
            .padding(Padding::horizontal(1))
            .inner(popup);
        let heading = Line::styled(title, self.theme.title);
        paint::bordered(buf, popup, self.theme.border_focused, Some(&heading), None);
        if inner.is_empty() {
            return;
        }
        // The choices keep the last row; the body gets the rest.
        let body_area = match choices {
            Some(ref line) => {
                paint::line(buf, inner.x, inner.bottom() - 1, line, inner.width);
                Rect::new(
                    inner.x,
                    inner.y,
                    inner.width,
                    inner.height.saturating_sub(choices_height),
                )
            }
            None => inner,
        };
        paint::wrapped(buf, body_area, &self.body, true);
    }
}

/// Draws a [`Dialog`] with plain body lines over `area`.
pub fn message_box(
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    title: &str,
    body: &[&str],
    choices: &[&str],
) {
    frame.render_widget(Dialog::new(title, body, choices, theme), area);
}

/// The choices of a yes/no confirmation, in the order `confirm` shows them.
pub const YES_NO: &[&str] = &["Yes", "No"];

/// Draws a yes/no question (`1 Yes   2 No`) over `area`, with `selected` highlighted
/// (0 = Yes, 1 = No).
pub fn confirm(
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    title: &str,
    question: &str,
    selected: usize,
) {
    frame.render_widget(
        Dialog::new(title, &[question], YES_NO, theme).with_selected(selected),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn terminal(w: u16, h: u16) -> Terminal<TestBackend> {
        Terminal::new(TestBackend::new(w, h)).expect("test backend")
    }

    #[test]
    fn fits_needs_both_dimensions() {
        assert!(fits(Rect::new(0, 0, 80, 24)));
        assert!(fits(Rect::new(0, 0, 200, 60)));
        assert!(!fits(Rect::new(0, 0, 79, 24)));
        assert!(!fits(Rect::new(0, 0, 80, 23)));
        assert!(!fits(Rect::new(0, 0, 0, 0)));
    }

    #[test]
    fn centered_rect_clamps_and_centres() {
        let area = Rect::new(10, 5, 40, 20);
        assert_eq!(centered_rect(20, 10, area), Rect::new(20, 10, 20, 10));
        assert_eq!(centered_rect(100, 100, area), area);
        assert_eq!(
            centered_rect(5, 5, Rect::new(0, 0, 0, 0)),
            Rect::new(0, 0, 0, 0)
        );
    }

    #[test]
    fn wrapped_height_counts_rows() {
        let lines = [Line::raw("aaa bbb ccc"), Line::raw("")];
        assert_eq!(wrapped_height(&lines, 20), 2);
        assert_eq!(wrapped_height(&lines, 7), 3);
        assert_eq!(wrapped_height(&[Line::raw("abcdefghij")], 4), 3);
    }

    #[test]
    fn spinner_cycles() {
        assert_eq!(spinner_frame(0), "⠋");
        assert_eq!(spinner_frame(1), "⠙");
        assert_eq!(spinner_frame(10), "⠋");
        assert_eq!(spinner_frame(u64::MAX), SPINNER_FRAMES[5]);
        assert_eq!(spinner_line(2, "Checking…").to_string(), "⠹ Checking…");
    }

    #[test]
    fn too_small_snapshot() {
        let theme = Theme::plain();
        let mut t = terminal(40, 10);
        t.draw(|f| too_small(f, f.area(), &theme)).expect("draw");
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn nothing_panics_on_tiny_areas() {
        let theme = Theme::plain();
        let mut menu = Menu::new(["One", "Two", "Three"]);
        menu.select(2);
        for (w, h) in [(0, 0), (1, 1), (2, 1), (1, 3), (5, 2), (12, 4)] {
            let mut t = terminal(w, h);
            t.draw(|f| {
                let area = f.area();
                too_small(f, area, &theme);
                let inner = page(f, area, &theme, "Sign in", "Enter Select");
                menu.render(inner, f.buffer_mut(), &theme, true);
                confirm(f, area, &theme, "Quit?", "Quit recovery-desk?", 1);
                message_box(f, area, &theme, "Note", &["a b c d e f"], &[]);
            })
            .expect("draw");
        }
    }

    #[test]
    fn menu_selection_wraps() {
        let mut menu = Menu::new(["One", "Two", "Three"]);
        assert_eq!(menu.selected(), 0);
        menu.select_prev();
        assert_eq!(menu.selected(), 2);
        menu.select_next();
        assert_eq!(menu.selected(), 0);
        menu.select_next();
        assert_eq!(menu.selected_item(), Some("Two"));
        menu.select(99);
        assert_eq!(menu.selected(), 2);

        let mut empty = Menu::new(Vec::<&str>::new());
        empty.select_next();
        empty.select_prev();
        assert_eq!(empty.selected_item(), None);
    }

    #[test]
    fn menu_digits() {
        let mut menu = Menu::new(["One", "Two", "Three"]);
        assert_eq!(menu.index_for_digit(1), Some(0));
        assert_eq!(menu.index_for_digit(3), Some(2));
        assert_eq!(menu.index_for_digit(4), None);
        assert_eq!(menu.index_for_digit(0), None);
        assert_eq!(menu.choose_digit(2), Some(1));
        assert_eq!(menu.selected(), 1);
        let long = Menu::new((0..12).map(|i| format!("Item {i}")));
        assert_eq!(long.index_for_digit(9), Some(8));
        assert_eq!(long.index_for_digit(10), None);
    }

    #[test]
    fn menu_labels_are_sanitised() {
        let menu = Menu::new(["evil\x1b]0;x\x07name"]);
        assert_eq!(menu.items()[0], "evilname");
    }

    #[test]
    fn page_with_menu_snapshot() {
        let theme = Theme::plain();
        let mut menu = Menu::new([
            "Use my password",
            "Forgot password?",
            "Other ways to sign in",
        ]);
        menu.select_next();
        let mut t = terminal(80, 24);
        t.draw(|f| {
            let content = page(
                f,
                f.area(),
                &theme,
                "Sign in",
                "↑/↓ Move · Enter Select · 1–3 Choose · Esc Back · ? Help",
            );
            menu.render(content, f.buffer_mut(), &theme, true);
        })
        .expect("draw");
        insta::assert_snapshot!(t.backend());
    }

    fn row_text(buf: &Buffer, y: u16) -> String {
        (buf.area.left()..buf.area.right())
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn unfocused_menu_has_no_marker() {
        let theme = Theme::plain();
        let menu = Menu::new(["One", "Two"]);
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        menu.render(buf.area, &mut buf, &theme, false);
        assert_eq!(row_text(&buf, 0), "  1  One  ");
        assert_eq!(row_text(&buf, 1), "  2  Two  ");
        menu.render(buf.area, &mut buf, &theme, true);
        assert_eq!(row_text(&buf, 0), "› 1  One  ");
    }

    #[test]
    fn menu_scrolls_to_selection() {
        let theme = Theme::plain();
        let mut menu = Menu::new((1..=12).map(|i| format!("Item {i}")));
        menu.select(10);
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 3));
        menu.render(buf.area, &mut buf, &theme, true);
        let rows: Vec<String> = (0..3).map(|y| row_text(&buf, y)).collect();
        assert_eq!(rows, ["  9  Item 9 ", "     Item 10", "›    Item 11"]);
    }

    #[test]
    fn dialog_choices_only() {
        let theme = Theme::plain();
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 3));
        Dialog::new("Pick", &[], &["A", "B"], &theme)
            .with_selected(0)
            .render(buf.area, &mut buf);
        assert_eq!(row_text(&buf, 0), " ┌ Pick ─────────┐  ");
        assert_eq!(row_text(&buf, 1), " │ › 1 A     2 B │  ");
    }

    #[test]
    fn confirm_snapshot() {
        let theme = Theme::plain();
        let mut t = terminal(80, 24);
        t.draw(|f| {
            let area = f.area();
            let content = page(f, area, &theme, "Manage how I sign in", "Esc Back");
            f.render_widget(Paragraph::new("Screen content under the dialog"), content);
            confirm(f, area, &theme, "Quit", "Quit recovery-desk?", 1);
        })
        .expect("draw");
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn message_box_wraps_long_body_snapshot() {
        let theme = Theme::plain();
        let mut t = terminal(80, 24);
        t.draw(|f| {
            message_box(
                f,
                f.area(),
                &theme,
                "Generate a new code",
                &[
                    "As soon as you create a new recovery code, any previous codes will no \
                     longer work.",
                    "",
                    "Continue?",
                ],
                &["Generate a new code", "Cancel"],
            );
        })
        .expect("draw");
        insta::assert_snapshot!(t.backend());
    }
}
