//! Drawing: the pure `render(&State, &mut Frame)` and the small layout helper screens stack
//! their parts with. Nothing here changes state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::Form;
use crate::tui::help::{HelpOverlay, HelpRow};
use crate::tui::paint;
use crate::tui::widgets::{Dialog, fits, page, spinner_line, too_small, wrapped_height};
use crate::tui::wrap::{self, LongWords};
use crate::tui::{Menu, TextField, render_text_field};

use super::keys::{self, DIALOG_KEYS};
use super::state::{Ctx, DialogKind, NoteKind, State};
use super::strings as s;

/// One piece of a screen, stacked top to bottom by [`stack`].
pub enum Part<'a> {
    /// Word-wrapped lines.
    Text(Vec<Line<'a>>),
    /// Lines cut at the right edge (tables, lists).
    Rows(Vec<Line<'a>>),
    /// A text field and whether it has focus.
    Field(&'a TextField, bool),
    /// Numbered choices and whether they have focus.
    Menu(&'a Menu, bool),
    /// One empty row.
    Gap,
    /// A secret shown once (a new recovery code), centred in a box.
    Code(&'a str),
    /// The spinner while the worker runs, else the current note (at least one row).
    Status,
}

impl Part<'_> {
    /// A paragraph of one plain line.
    pub fn para(text: impl Into<String>) -> Part<'static> {
        Part::Text(vec![Line::raw(text.into())])
    }
}

/// The opening of a screen about one account: `who` (e.g. "Account: pat"), a blank row, then
/// `rest`.
pub fn headed<'a>(who: String, rest: Vec<Part<'a>>) -> Vec<Part<'a>> {
    let mut parts = vec![Part::para(who), Part::Gap];
    parts.extend(rest);
    parts
}

/// A screen of numbered choices: `head`, then the menu and the status line under it.
pub fn stack_choices<'a>(
    frame: &mut Frame<'_>,
    area: Rect,
    ctx: &Ctx,
    mut head: Vec<Part<'a>>,
    form: &'a Form,
) {
    head.extend([
        Part::Gap,
        Part::Menu(&form.menu, form.menu_focused()),
        Part::Gap,
        Part::Status,
    ]);
    stack(frame, area, ctx, head);
}

/// A screen with one text field: `head`, then the field, the status line and the choices.
pub fn stack_field<'a>(
    frame: &mut Frame<'_>,
    area: Rect,
    ctx: &Ctx,
    head: Vec<Part<'a>>,
    form: &'a Form,
) {
    stack(frame, area, ctx, with_field(head, form));
}

/// `head`, then the form's first field, the status line and the choices.
pub fn with_field<'a>(mut head: Vec<Part<'a>>, form: &'a Form) -> Vec<Part<'a>> {
    head.extend([
        Part::Field(form.field(0), form.field_focus() == Some(0)),
        Part::Status,
        Part::Gap,
        Part::Menu(&form.menu, form.menu_focused()),
    ]);
    head
}

fn status_lines(ctx: &Ctx) -> Vec<Line<'static>> {
    if let Some(b) = &ctx.requests.pending {
        return vec![spinner_line(ctx.tick, b.label).patch_style(ctx.theme.accent)];
    }
    match &ctx.note {
        Some(n) => {
            let style = match n.kind {
                NoteKind::Info => ctx.theme.normal,
                NoteKind::Success => ctx.theme.success,
                NoteKind::Warning => ctx.theme.warning,
                NoteKind::Error => ctx.theme.error,
            };
            vec![Line::styled(n.text.clone(), style)]
        }
        None => vec![Line::raw("")],
    }
}

/// Rows the status part takes at `width` columns.
pub fn status_height(ctx: &Ctx, width: u16) -> u16 {
    wrapped_height(&status_lines(ctx), width).clamp(1, 3)
}

/// Whether the screen underneath has the keyboard (no dialog, help or wait in front of it).
pub fn active(ctx: &Ctx) -> bool {
    ctx.dialog.is_none() && !ctx.help && !ctx.requests.is_pending()
}

/// Draws `parts` one under the other in `area`; what does not fit is cut off.
pub fn stack(frame: &mut Frame<'_>, area: Rect, ctx: &Ctx, parts: Vec<Part<'_>>) {
    let mut y = area.y;
    let bottom = area.bottom();
    for part in parts {
        if y >= bottom {
            break;
        }
        let room = bottom - y;
        match part {
            Part::Text(lines) => {
                let h = wrapped_height(&lines, area.width).min(room);
                let r = Rect::new(area.x, y, area.width, h);
                paint::wrapped(frame.buffer_mut(), r, &lines, false);
                y += h;
            }
            Part::Rows(lines) => {
                let h = u16::try_from(lines.len()).unwrap_or(u16::MAX).min(room);
                let r = Rect::new(area.x, y, area.width, h);
                paint::rows(frame.buffer_mut(), r, &lines);
                y += h;
            }
            Part::Field(field, focused) => {
                let h = TextField::HEIGHT.min(room);
                let r = Rect::new(area.x, y, area.width, h);
                render_text_field(frame, r, field, &ctx.theme, focused && active(ctx));
                y += h;
            }
            Part::Menu(menu, focused) => {
                let h = menu.height().min(room);
                let r = Rect::new(area.x, y, area.width, h);
                menu.render(r, frame.buffer_mut(), &ctx.theme, focused);
                y += h;
            }
            Part::Gap => y += 1,
            Part::Code(text) => {
                let h = 3.min(room);
                let w = u16::try_from(text.chars().count() + 8).unwrap_or(u16::MAX);
                let r = crate::tui::centered_rect(w, h, Rect::new(area.x, y, area.width, h));
                let block =
                    ratatui::widgets::Block::bordered().border_style(ctx.theme.border_focused);
                frame.render_widget(
                    Paragraph::new(Line::styled(text, ctx.theme.accent))
                        .centered()
                        .block(block),
                    r,
                );
                y += h;
            }
            Part::Status => {
                let lines = status_lines(ctx);
                let h = wrapped_height(&lines, area.width).clamp(1, 3).min(room);
                let r = Rect::new(area.x, y, area.width, h);
                paint::wrapped(frame.buffer_mut(), r, &lines, true);
                y += h;
            }
        }
    }
}

/// A bold heading line.
pub fn heading<'a>(ctx: &Ctx, text: impl Into<std::borrow::Cow<'a, str>>) -> Line<'a> {
    Line::styled(text, ctx.theme.title)
}

/// `label: value`, the label dimmed.
pub fn labelled<'a>(ctx: &Ctx, label: &'a str, value: impl Into<String>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label}: "), ctx.theme.hint),
        Span::styled(value.into(), ctx.theme.normal),
    ])
}

/// Title, body and choices of a dialog.
pub fn dialog_text(kind: &DialogKind) -> (&'static str, String, &'static [&'static str]) {
    match kind {
        DialogKind::Quit => (
            s::DIALOG_QUIT_TITLE,
            s::DIALOG_QUIT.into(),
            &[s::YES, s::NO],
        ),
        DialogKind::SignOut => (
            s::DIALOG_SIGN_OUT_TITLE,
            s::DIALOG_SIGN_OUT.into(),
            &[s::SIGN_OUT, s::CANCEL],
        ),
        DialogKind::RemoveMethod { address, .. } => (
            s::DIALOG_REMOVE_TITLE,
            s::remove_question(address),
            &[s::REMOVE, s::CANCEL],
        ),
        DialogKind::TwoStep { on } => (
            s::DIALOG_TWO_STEP_TITLE,
            if *on {
                s::DIALOG_TWO_STEP_ON
            } else {
                s::DIALOG_TWO_STEP_OFF
            }
            .into(),
            &[s::YES, s::NO],
        ),
        DialogKind::Generate => (
            s::DIALOG_GENERATE_TITLE,
            s::DIALOG_GENERATE.into(),
            &[s::GENERATE_NEW_CODE, s::CANCEL],
        ),
        DialogKind::LeaveCode => (
            s::DIALOG_LEAVE_CODE_TITLE,
            s::DIALOG_LEAVE_CODE.into(),
            &[s::LEAVE, s::STAY],
        ),
        DialogKind::RemoveApp => (
            s::REMOVE_APP,
            s::DIALOG_REMOVE_APP.into(),
            &[s::REMOVE, s::CANCEL],
        ),
        DialogKind::LeaveReset { code_spent } => (
            s::DIALOG_LEAVE_RESET_TITLE,
            if *code_spent {
                s::DIALOG_LEAVE_RESET_CODE_SPENT
            } else {
                s::DIALOG_LEAVE_RESET
            }
            .into(),
            &[s::LEAVE, s::STAY_AND_SET],
        ),
    }
}

/// Draws the whole console for `state` into `frame`.
pub fn render(state: &State, frame: &mut Frame<'_>) {
    let area = frame.area();
    let ctx = &state.ctx;
    if !fits(area) {
        too_small(frame, area, &ctx.theme);
        return;
    }
    let page_impl = state.screen.page();
    let width = usize::from(area.width.saturating_sub(4));
    let footer = match &ctx.dialog {
        Some(d) => keys::footer(DIALOG_KEYS, dialog_text(&d.kind).2.len(), false, width),
        None => keys::footer(
            page_impl.keys(),
            page_impl.choices(),
            page_impl.typing(),
            width,
        ),
    };
    let inner = page(frame, area, &ctx.theme, page_impl.title(), &footer);
    if !inner.is_empty() {
        page_impl.render(ctx, frame, inner);
    }
    if let Some(d) = &ctx.dialog {
        let (title, body, choices) = dialog_text(&d.kind);
        let dialog = Dialog {
            title,
            body: vec![Line::styled(body, ctx.theme.normal)],
            choices,
            selected: Some(d.selected),
            theme: &ctx.theme,
        };
        frame.render_widget(dialog, area);
    }
    if ctx.help {
        let rows = help_rows(state);
        frame.render_widget(
            HelpOverlay::new(page_impl.title(), &rows, &ctx.theme).about(page_impl.purpose()),
            area,
        );
    }
}

/// The keys of what is on screen (the open dialog's, else the screen's), as help lists them.
pub fn help_rows(state: &State) -> Vec<HelpRow> {
    let page = state.screen.page();
    match &state.ctx.dialog {
        Some(d) => keys::help_rows(DIALOG_KEYS, dialog_text(&d.kind).2.len(), false),
        None => keys::help_rows(page.keys(), page.choices(), page.has_fields()),
    }
}

/// `text` wrapped at spaces to `width` columns, the first row starting with `prefix` and the
/// others indented to line up under the text (for bullets and numbered steps). A word wider
/// than a row keeps a row of its own.
pub fn hanging<'a>(
    prefix: Span<'a>,
    text: &str,
    width: u16,
    style: ratatui::style::Style,
) -> Vec<Line<'a>> {
    wrap::hanging(prefix, text, usize::from(width), style, LongWords::Overflow)
}
