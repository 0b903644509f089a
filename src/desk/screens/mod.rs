//! The desk's screens, one file each: its state, its key table (read by both its key handler
//! and the help overlay), what its keys do, and how it is drawn. Shared here: the notice line,
//! the drawing context, times, word-wrapping and the scrolling text area.

pub mod account;
pub mod find;
pub mod helper;
pub mod password;
pub mod sign_in;

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::desk::strings as s;
use crate::tui::Menu;
use crate::tui::form::{FormAction, FormEvent, Role};
use crate::tui::keys::{Binding, Key, bind, digit_of, resolve};
pub use crate::tui::layout::rows_of;
use crate::tui::paint;
use crate::tui::widgets::spinner_line;
use crate::tui::wrap::{self, LongWords};
use crate::tui::{Theme, sanitize};
use ratatui::crossterm::event::KeyEvent;

pub use crate::tui::note::Note;

/// What every screen needs to draw itself.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub theme: &'a Theme,
    /// The display offset (local time at start-up; UTC in tests).
    pub tz: FixedOffset,
    /// Drives the spinner.
    pub tick: u64,
    /// Whether a request is running (draw the spinner, not the notice).
    pub busy: bool,
}

/// A time as shown: `2026-11-25 09:30` at the display offset.
pub fn when(t: DateTime<Utc>, tz: FixedOffset) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A time something ends or starts, to the second and with its offset —
/// `2026-11-25 09:45:00 UTC` — so an agent never tells a customer a time at which they are
/// still locked.
pub fn exact(t: DateTime<Utc>, tz: FixedOffset) -> String {
    format!(
        "{} {}",
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S"),
        offset_name(tz)
    )
}

/// How the display offset is named: `UTC` or `UTC+01:00`.
pub fn offset_name(tz: FixedOffset) -> String {
    crate::clock::zone_name(tz)
}

/// Display width of a string.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// `text` wrapped to `width` (words wider than a row are split), the first row starting with
/// `first` and the others indented to line up under it. Everything is styled `style`;
/// `prefix_style` styles `first`.
pub fn hanging(
    first: &str,
    text: &str,
    width: usize,
    prefix_style: Style,
    style: Style,
) -> Vec<Line<'static>> {
    let first = Span::styled(first.to_string(), prefix_style);
    wrap::hanging(first, text, width, style, LongWords::Split)
}

/// A labelled row: `label` padded to `label_width`, then `value` wrapped under itself.
pub fn labelled(
    label: &str,
    value: &str,
    label_width: usize,
    width: usize,
    theme: &Theme,
    value_style: Style,
) -> Vec<Line<'static>> {
    let pad = label_width.saturating_sub(self::width(label));
    let first = format!("{label}{}", " ".repeat(pad));
    hanging(&first, value, width, theme.hint, value_style)
}

/// Untrusted text (anything from the database) made safe to draw.
pub fn clean(text: &str) -> String {
    sanitize(text)
}

/// Draws pre-wrapped rows into `area`, skipping the first `offset` (clamped so the last page
/// is full).
pub fn render_rows(rows: &[Line<'_>], offset: usize, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    let offset = clamp_scroll(offset, rows.len(), area.height);
    for (i, line) in rows
        .iter()
        .skip(offset)
        .take(usize::from(area.height))
        .enumerate()
    {
        paint::line(buf, area.x, area.y + i as u16, line, area.width);
    }
}

/// The largest useful scroll offset for `total` rows in a `height`-row area.
pub fn max_scroll(total: usize, height: u16) -> usize {
    total.saturating_sub(usize::from(height))
}

/// `offset` clamped to [`max_scroll`].
pub fn clamp_scroll(offset: usize, total: usize, height: u16) -> usize {
    offset.min(max_scroll(total, height))
}

/// What a key does on the screens of numbered choices (find, the account, the helper); each
/// screen's table picks the keys it answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Select,
    Next,
    Prev,
    Scroll(Scroll),
    Reload,
    /// Show or hide the focused password (the password form's Ctrl-R).
    Reveal,
    Back,
}

impl FormAction for Action {
    fn role(self) -> Role {
        match self {
            Action::Select => Role::Enter,
            Action::Next => Role::Next,
            Action::Prev => Role::Prev,
            Action::Reveal => Role::Reveal,
            Action::Scroll(_) | Action::Reload | Action::Back => Role::Other,
        }
    }
}

/// What a key means on a screen of numbered choices (the account, the helper): Enter or a
/// digit chooses, Tab and the arrows move the highlight, any other key of `table` goes back to
/// the screen.
pub fn on_menu(menu: &mut Menu, table: &[Binding<Action>], ev: &KeyEvent) -> FormEvent<Action> {
    match resolve(table, ev) {
        Some(Action::Select) => FormEvent::Choose(menu.selected()),
        Some(Action::Next) => {
            menu.select_next();
            FormEvent::Nothing
        }
        Some(Action::Prev) => {
            menu.select_prev();
            FormEvent::Nothing
        }
        Some(a) => FormEvent::Action(a),
        None => match digit_of(ev, false).and_then(|d| menu.choose_digit(d)) {
            Some(i) => FormEvent::Choose(i),
            None => FormEvent::Nothing,
        },
    }
}

/// Enter (doing what `select` says, named `hint` in the footer), then Tab/↓ and Shift-Tab/↑
/// to move through the choices.
pub const fn choice_keys(select: &'static str, hint: &'static str) -> [Binding<Action>; 3] {
    [
        bind(&[Key::Enter], select, Action::Select).hinted(hint),
        bind(&[Key::Tab, Key::Down], s::K_MOVE, Action::Next).hinted(s::H_MOVE),
        bind(&[Key::BackTab, Key::Up], s::K_MOVE_BACK, Action::Prev),
    ]
}

/// [`choice_keys`] for a page that scrolls: its footer names scrolling rather than moving.
pub const fn scrolling_choice_keys(
    select: &'static str,
    hint: &'static str,
) -> [Binding<Action>; 3] {
    let [enter, next, prev] = choice_keys(select, hint);
    [enter, next.unhinted(), prev]
}

/// PgUp, PgDn, Home and End scroll the text.
pub const SCROLL_KEYS: [Binding<Action>; 4] = [
    bind(
        &[Key::PageUp],
        s::K_SCROLL_UP,
        Action::Scroll(Scroll::PageUp),
    ),
    bind(
        &[Key::PageDown],
        s::K_SCROLL_DOWN,
        Action::Scroll(Scroll::PageDown),
    )
    .hinted(s::H_SCROLL),
    bind(&[Key::Home], s::K_TOP, Action::Scroll(Scroll::Top)),
    bind(&[Key::End], s::K_BOTTOM, Action::Scroll(Scroll::Bottom)),
];

/// Esc, going back to where `label` says (named `hint` in the footer).
pub const fn back(label: &'static str, hint: &'static str) -> Binding<Action> {
    bind(&[Key::Esc], label, Action::Back).hinted(hint)
}

/// Joins key lists into one table of exactly `N` bindings (a `const fn`, so tables stay
/// constants that the key handler and the help overlay both read).
pub const fn table<const N: usize>(parts: &[&[Binding<Action>]]) -> [Binding<Action>; N] {
    let mut out = [back("", ""); N];
    let (mut i, mut n) = (0, 0);
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[n] = parts[i][j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n == N, "the table's length is the sum of its parts");
    out
}

/// How a scroll key moves an offset over `total` rows shown `height` at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    PageUp,
    PageDown,
    Top,
    Bottom,
}

/// The new offset after `how`.
pub fn scrolled(offset: usize, how: Scroll, total: usize, height: u16) -> usize {
    let page = usize::from(height.saturating_sub(1)).max(1);
    let max = max_scroll(total, height);
    let offset = offset.min(max);
    match how {
        Scroll::PageUp => offset.saturating_sub(page),
        Scroll::PageDown => (offset + page).min(max),
        Scroll::Top => 0,
        Scroll::Bottom => max,
    }
}

/// Width of the desk's password forms' fields (sign-in, the agent's own password).
pub const FIELD_WIDTH: u16 = 44;

/// Draws field `i` of `form` into `rows[i]`, each at most [`FIELD_WIDTH`] wide, the focused one
/// with the cursor unless a request is running.
pub fn render_fields(
    frame: &mut ratatui::Frame<'_>,
    form: &crate::tui::Form,
    rows: &[Rect],
    ctx: &Ctx<'_>,
) {
    let focus = form.field_focus().filter(|_| !ctx.busy);
    for (i, row) in rows.iter().enumerate() {
        let narrow = Rect::new(row.x, row.y, row.width.min(FIELD_WIDTH), row.height);
        crate::tui::render_text_field(frame, narrow, form.field(i), ctx.theme, focus == Some(i));
    }
}

/// The status row: the spinner while busy, else the notice, else `fallback` (e.g. the scroll
/// position), drawn in one row.
pub fn render_status(
    ctx: &Ctx<'_>,
    busy_text: &str,
    notice: Option<&Note>,
    fallback: Option<&str>,
    area: Rect,
    buf: &mut Buffer,
) -> u16 {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return 0;
    }
    let lines: Vec<Line<'_>> = if ctx.busy {
        vec![spinner_line(ctx.tick, busy_text).style(ctx.theme.accent)]
    } else {
        match notice {
            Some(n) if n.is_error() => hanging(
                "",
                &n.text,
                usize::from(area.width),
                ctx.theme.error,
                ctx.theme.error,
            ),
            Some(n) => hanging(
                "",
                &n.text,
                usize::from(area.width),
                ctx.theme.normal,
                ctx.theme.success,
            ),
            None => match fallback {
                Some(t) => vec![Line::styled(t.to_string(), ctx.theme.hint)],
                None => vec![],
            },
        }
    };
    let rows = lines.len().min(usize::from(area.height));
    render_rows(&lines[..rows], 0, area, buf);
    rows as u16
}

/// The footer's hint for a screen: the hinted bindings of its key table, in order, so the
/// footer never names a key the screen does not answer to.
pub fn footer<A>(table: &[Binding<A>]) -> String {
    table
        .iter()
        .filter_map(Binding::footer_hint)
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_clamps() {
        assert_eq!(scrolled(0, Scroll::PageDown, 30, 10), 9);
        assert_eq!(scrolled(9, Scroll::PageDown, 30, 10), 18);
        assert_eq!(scrolled(18, Scroll::PageDown, 30, 10), 20);
        assert_eq!(scrolled(20, Scroll::PageUp, 30, 10), 11);
        assert_eq!(scrolled(5, Scroll::Top, 30, 10), 0);
        assert_eq!(scrolled(0, Scroll::Bottom, 30, 10), 20);
        assert_eq!(scrolled(0, Scroll::PageDown, 5, 10), 0);
        assert_eq!(scrolled(99, Scroll::PageUp, 5, 10), 0);
    }

    #[test]
    fn offsets_name_the_zone() {
        assert_eq!(offset_name(FixedOffset::east_opt(0).unwrap()), "UTC");
        assert_eq!(
            offset_name(FixedOffset::east_opt(3600).unwrap()),
            "UTC+01:00"
        );
    }
}
