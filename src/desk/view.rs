//! Drawing the desk: a pure function of [`State`]. Every screen sits in the same page frame
//! with the policy line at the top and its keys at the bottom; the help overlay and the
//! dialogs are drawn over it. Smaller than 80×24 shows "Terminal too small" (with the policy).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::screens::{Ctx, footer};
use super::state::{DIALOG_KEYS, DialogKind, GLOBAL_KEYS, Screen, State};
use super::strings as s;
use crate::domain::case_ref::CaseRef;
use crate::tui::help::{HelpOverlay, HelpRow, help_rows};
use crate::tui::paint;
use crate::tui::widgets::{Dialog, fits, page, too_small};

/// Rows the policy takes, plus the blank row under it.
const POLICY_ROWS: u16 = 3;

/// The page's inner area for a terminal of `size` (what [`page`] returns: inside the border
/// and one column of padding, above the footer row).
fn page_inner(size: Rect) -> Rect {
    let x = size.x.saturating_add(2);
    let y = size.y.saturating_add(1);
    let w = size.width.saturating_sub(4);
    let h = size.height.saturating_sub(3);
    Rect::new(x, y, w, h)
}

/// Where a screen's body goes for a terminal of `size`: below the policy line.
pub fn body_area(size: Rect) -> Rect {
    let inner = page_inner(size);
    Rect::new(
        inner.x,
        inner.y.saturating_add(POLICY_ROWS),
        inner.width,
        inner.height.saturating_sub(POLICY_ROWS),
    )
}

fn title(state: &State) -> &'static str {
    match &state.screen {
        Screen::SignIn(_) => s::TITLE_SIGN_IN,
        Screen::Find(_) => s::TITLE_FIND,
        Screen::Account(_) => s::TITLE_ACCOUNT,
        Screen::Helper(_) => s::TITLE_HELPER,
        Screen::Password(_) => s::TITLE_PASSWORD,
    }
}

/// The footer hint for the current screen, ending with the global keys.
pub fn footer_hint(state: &State) -> String {
    use super::screens::{account, find, password, sign_in};
    let mut hint = match &state.screen {
        Screen::SignIn(_) => footer(sign_in::KEYS),
        Screen::Find(_) => footer(find::KEYS),
        Screen::Account(_) => footer(account::KEYS),
        Screen::Helper(h) => footer(h.keys()),
        Screen::Password(_) => footer(password::KEYS),
    };
    let menu = match &state.screen {
        Screen::Find(f) if f.typing() => None,
        Screen::Password(p) if p.typing() => None,
        screen => screen_menu_len(screen),
    };
    if let Some(n) = menu {
        hint.push_str(" · ");
        hint.push_str(&s::choose_hint(n));
    }
    hint.push_str(" · ");
    hint.push_str(s::FOOTER_HELP);
    hint
}

/// How many numbered choices are on screen (the dialog's, if one is open), if any.
fn menu_len(state: &State) -> Option<usize> {
    if state.dialog.is_some() {
        // Both dialogs: do it, or stay.
        return Some(s::QUIT_CHOICES.len());
    }
    screen_menu_len(&state.screen)
}

/// How many numbered choices the screen itself has, if any.
fn screen_menu_len(screen: &Screen) -> Option<usize> {
    match screen {
        Screen::SignIn(_) => None,
        Screen::Find(f) => Some(f.form.menu.len()),
        Screen::Account(a) => Some(a.menu.len()),
        Screen::Helper(h) => Some(h.menu.len()),
        Screen::Password(p) => Some(p.form.menu.len()),
    }
}

/// The help overlay's rows for the current screen: its key table, the digits, the global
/// keys. With a dialog open, the dialog's keys.
pub fn help_for(state: &State) -> Vec<HelpRow> {
    use super::screens::{account, find, password, sign_in};
    let mut rows = if state.dialog.is_some() {
        help_rows(DIALOG_KEYS)
    } else {
        match &state.screen {
            Screen::SignIn(_) => help_rows(sign_in::KEYS),
            Screen::Find(_) => help_rows(find::KEYS),
            Screen::Account(_) => help_rows(account::KEYS),
            Screen::Helper(h) => help_rows(h.keys()),
            Screen::Password(_) => help_rows(password::KEYS),
        }
    };
    if let Some(n) = menu_len(state) {
        rows.push(HelpRow::new(s::digits(n), s::digits_label(n)));
    }
    rows.extend(help_rows(GLOBAL_KEYS));
    rows
}

/// Draws the policy lines into the top rows of `area`.
fn policy(state: &State, area: Rect, frame: &mut Frame<'_>) {
    let buf = frame.buffer_mut();
    for (i, line) in s::POLICY_LINES.iter().enumerate() {
        let y = area.y.saturating_add(i as u16);
        if y >= area.bottom() {
            break;
        }
        paint::line(
            buf,
            area.x,
            y,
            &Line::styled(*line, state.theme.policy),
            area.width,
        );
    }
}

/// Who is signed in, that the desk only reads, and which database it has open, at the right
/// of the top border: the longest wording that fits beside the title.
fn where_am_i(state: &State, area: Rect, frame: &mut Frame<'_>) {
    // After the corner and the heading, with a rule of at least two cells before the note.
    let title_end = 1 + crate::tui::widgets::heading(title(state)).chars().count() + 2;
    let room = usize::from(area.width).saturating_sub(title_end + 1);
    // In the idle lock's last minute, the countdown takes the place.
    let (wordings, style) = match state.locks_in() {
        Some(left) => {
            let secs = (left.num_milliseconds() + 999) / 1000;
            (s::locks_in(secs), state.theme.warning)
        }
        None => (
            s::where_am_i(
                state.agent.as_deref(),
                &state.database,
                state.case.as_ref().map(CaseRef::as_str),
            ),
            state.theme.title,
        ),
    };
    let Some(text) = wordings
        .into_iter()
        .map(|t| format!(" {t} "))
        .find(|t| t.chars().count() <= room)
    else {
        return;
    };
    let x = area.right().saturating_sub(text.chars().count() as u16 + 1);
    frame.buffer_mut().set_string(x, area.y, text, style);
}

/// Draws the whole desk.
pub fn render(state: &State, frame: &mut Frame<'_>) {
    let area = frame.area();
    let theme = &state.theme;
    if !fits(area) {
        too_small(frame, area, theme);
        policy(state, area, frame);
        return;
    }
    let inner = page(frame, area, theme, title(state), &footer_hint(state));
    where_am_i(state, area, frame);
    policy(state, inner, frame);
    let body = Rect::new(
        inner.x,
        inner.y + POLICY_ROWS,
        inner.width,
        inner.height.saturating_sub(POLICY_ROWS),
    );
    let ctx = Ctx {
        theme,
        tz: state.tz,
        tick: state.tick,
        busy: state.busy(),
    };
    match &state.screen {
        Screen::SignIn(x) => x.render(&ctx, frame, body),
        Screen::Find(x) => x.render(&ctx, state.agent.as_deref().unwrap_or(""), frame, body),
        Screen::Account(x) => x.render(&ctx, frame, body),
        Screen::Helper(x) => x.render(&ctx, frame, body),
        Screen::Password(x) => x.render(&ctx, frame, body),
    }
    if let Some(d) = state.dialog {
        let (title, question, choices) = match d.kind {
            DialogKind::Quit => (s::QUIT_TITLE, s::QUIT_QUESTION, &s::QUIT_CHOICES),
            DialogKind::SignOut => (
                s::SIGN_OUT_TITLE,
                s::SIGN_OUT_QUESTION,
                &s::SIGN_OUT_CHOICES,
            ),
        };
        Dialog::new(title, &[question], choices, theme)
            .with_selected(d.selected)
            .render(area, frame.buffer_mut());
    }
    if state.help {
        let rows = help_for(state);
        let name = if state.dialog.is_some() {
            match state.dialog.map(|d| d.kind) {
                Some(DialogKind::SignOut) => s::SIGN_OUT_TITLE,
                _ => s::QUIT_TITLE,
            }
        } else {
            title(state)
        };
        HelpOverlay::new(name, &rows, theme).render(area, frame.buffer_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::Theme;
    use ratatui::{Terminal, backend::TestBackend};

    #[test]
    fn body_area_matches_the_page_frame() {
        for (w, h) in [(80, 24), (120, 40), (81, 25)] {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            let mut got = Rect::default();
            t.draw(|f| got = page(f, f.area(), &Theme::plain(), "x", "y"))
                .unwrap();
            assert_eq!(got, page_inner(Rect::new(0, 0, w, h)));
        }
    }
}
