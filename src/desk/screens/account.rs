//! The account view (SPEC §6): masked sign-in methods and whether they are verified, two-step
//! verification, recovery code status (never the code or its hash), lockouts with their end,
//! pending changes with the date they take effect, and the last 20 security events. Nothing
//! here changes the account: the choices are the sign-in helper, another lookup, sign out.

use chrono::FixedOffset;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{
    Action, Ctx, Note, SCROLL_KEYS, back, hanging, labelled, render_rows, render_status, rows_of,
    scrolling_choice_keys, table,
};
use crate::desk::strings as s;
use crate::domain::model::{AccountView, MethodKind};
use crate::tui::form::FormEvent;
use crate::tui::keys::{Binding, Key, bind};
use crate::tui::layout::Viewport;
use crate::tui::sanitize::Clean;
use crate::tui::{Menu, Theme};

/// Width of the label column.
const LABEL_WIDTH: usize = 24;

/// The screen's keys: read by [`AccountScreen::on_key`] and by the help overlay.
pub const KEYS: &[Binding<Action>] = &table::<9>(&[
    &scrolling_choice_keys(s::K_SELECT, s::H_SELECT),
    &SCROLL_KEYS,
    &[
        bind(&[Key::F(5)], s::K_RELOAD, Action::Reload).hinted(s::H_RELOAD),
        back(s::K_BACK_TO_FIND, s::H_BACK),
    ],
]);

/// The menu's choices, in order: the helper, find another, back to the account open before
/// (when there is one), sign out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Helper,
    FindAnother,
    /// Back to this session's previous account: its id and name.
    Back(i64, String),
    SignOut,
}

impl Choice {
    fn label(&self) -> String {
        match self {
            Choice::Helper => s::ACCOUNT_CHOICES[0].to_string(),
            Choice::FindAnother => s::ACCOUNT_CHOICES[1].to_string(),
            Choice::Back(_, name) => s::back_to(name),
            Choice::SignOut => s::ACCOUNT_CHOICES[2].to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    None,
    Helper,
    FindAnother,
    SignOut,
    Reload,
    /// Back to the account open before this one (read again and audited).
    Back(i64),
}

/// The account view screen.
#[derive(Debug)]
pub struct AccountScreen {
    pub view: Box<Clean<AccountView>>,
    choices: Vec<Choice>,
    pub menu: Menu,
    pub scroll: usize,
    pub notice: Option<Note>,
    /// The content's rows and the rows that fitted, as last drawn (scrolling stops there).
    pub viewport: Viewport,
}

/// Where the parts of the screen go inside the body area.
pub struct Layout {
    pub content: Rect,
    pub status: Rect,
    pub menu: Rect,
}

/// The layout of an account-like screen: scrolling content, a status row, a blank row, the
/// menu. Used by both drawing and scrolling, so they agree.
pub fn layout(area: Rect, menu_rows: u16) -> Layout {
    let content = area.height.saturating_sub(menu_rows + 2);
    let parts = rows_of(area, &[content, 1, 1, menu_rows]);
    Layout {
        content: parts[0],
        status: parts[1],
        menu: parts[3],
    }
}

impl AccountScreen {
    pub fn new(view: Box<Clean<AccountView>>) -> Self {
        Self::after(view, None)
    }

    /// The account view, offering a way back to `previous` (the account open before it).
    pub fn after(view: Box<Clean<AccountView>>, previous: Option<super::find::Recent>) -> Self {
        let mut choices = vec![Choice::Helper, Choice::FindAnother];
        choices.extend(previous.map(|(id, name)| Choice::Back(id, name)));
        choices.push(Choice::SignOut);
        let labels: Vec<String> = choices.iter().map(Choice::label).collect();
        AccountScreen {
            view,
            choices,
            menu: Menu::new(&labels),
            scroll: 0,
            notice: None,
            viewport: Viewport::default(),
        }
    }

    /// New data for the same account (a reload): keep the menu and scroll position.
    pub fn replace(&mut self, view: Box<Clean<AccountView>>) {
        self.view = view;
        self.notice = None;
    }

    pub fn on_key(&mut self, ev: &KeyEvent) -> Outcome {
        match super::on_menu(&mut self.menu, KEYS, ev) {
            FormEvent::Choose(i) => self.choose(i),
            FormEvent::Action(Action::Scroll(how)) => {
                let (total, height) = (self.viewport.total(), self.viewport.height());
                self.scroll = super::scrolled(self.scroll, how, total, height);
                Outcome::None
            }
            FormEvent::Action(Action::Reload) => Outcome::Reload,
            FormEvent::Action(Action::Back) => Outcome::FindAnother,
            _ => Outcome::None,
        }
    }

    fn choose(&mut self, index: usize) -> Outcome {
        match self.choices.get(index) {
            Some(Choice::Helper) => Outcome::Helper,
            Some(Choice::FindAnother) => Outcome::FindAnother,
            Some(Choice::Back(id, _)) => Outcome::Back(*id),
            Some(Choice::SignOut) => Outcome::SignOut,
            None => Outcome::None,
        }
    }

    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let l = layout(area, self.menu.height());
        let rows = content(&self.view, ctx.tz, ctx.theme, l.content.width);
        self.viewport.drawn(rows.len(), l.content.height);
        let offset = super::clamp_scroll(self.scroll, rows.len(), l.content.height);
        render_rows(&rows, offset, l.content, frame.buffer_mut());
        let position = scroll_note(offset, rows.len(), l.content.height);
        render_status(
            ctx,
            s::LOADING,
            self.notice.as_ref(),
            position.as_deref(),
            l.status,
            frame.buffer_mut(),
        );
        self.menu
            .render(l.menu, frame.buffer_mut(), ctx.theme, true);
    }
}

/// "Lines 1–12 of 30 · PgUp/PgDn scroll" when the content does not fit.
pub fn scroll_note(offset: usize, total: usize, height: u16) -> Option<String> {
    let h = usize::from(height);
    (total > h).then(|| s::scroll_position(offset + 1, (offset + h).min(total), total))
}

/// The account's details as rows wrapped to `width`, from a view sanitised when the worker
/// read it; addresses are masked.
pub fn content(
    view: &Clean<AccountView>,
    tz: FixedOffset,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let w = usize::from(width);
    let when = |t| super::when(t, tz);
    let lab =
        |label: &str, value: &str, style| labelled(label, value, LABEL_WIDTH, w, theme, style);
    let a = &view.account;
    let mut rows: Vec<Line<'static>> = vec![];

    rows.extend(lab(
        s::L_ACCOUNT,
        &format!("{}  (#{})", a.username, a.id),
        theme.title,
    ));
    rows.extend(lab(s::L_CREATED, &when(a.created_at), theme.normal));
    rows.extend(lab(
        s::L_PASSWORD_CHANGED,
        &when(a.password_changed_at),
        theme.normal,
    ));
    rows.extend(lab(
        s::L_TWO_STEP,
        if a.two_step { s::ON } else { s::OFF },
        theme.normal,
    ));

    let r = &view.recovery;
    let recovery = match (r.active_since, r.last_used) {
        (Some(since), None) => s::recovery_active(&when(since)),
        (Some(since), Some(used)) => format!(
            "{} · {}",
            s::recovery_active(&when(since)),
            s::recovery_last_used(&when(used))
        ),
        (None, Some(used)) => s::recovery_none_last_used(&when(used)),
        (None, None) => s::NONE.to_string(),
    };
    let recovery_style = if r.active_since.is_some() {
        theme.normal
    } else {
        theme.warning
    };
    rows.extend(lab(s::L_RECOVERY, &recovery, recovery_style));
    // The recovery drill: when the customer last checked their saved copy of this code.
    if let (Some(_), Some(checked)) = (r.active_since, r.last_checked) {
        rows.extend(lab(
            "",
            &s::recovery_last_checked(&when(checked)),
            theme.normal,
        ));
    }

    if view.methods.is_empty() && view.app.is_none() {
        rows.extend(lab(s::L_METHODS, s::NONE, theme.warning));
    }
    for (i, m) in view.methods.iter().enumerate() {
        let label = if i == 0 { s::L_METHODS } else { "" };
        let state = if m.verified {
            s::VERIFIED
        } else {
            s::UNVERIFIED
        };
        let value = format!(
            "{}  {}  · {state}",
            s::method_kind(m.kind == MethodKind::Email),
            m.masked()
        );
        let style = if m.verified {
            theme.normal
        } else {
            theme.warning
        };
        rows.extend(lab(label, &value, style));
    }
    // An authenticator app: that there is one and since when, nothing else (SPEC §10).
    if let Some(app) = &view.app {
        let label = if view.methods.is_empty() {
            s::L_METHODS
        } else {
            ""
        };
        rows.extend(lab(
            label,
            &s::authenticator_app(&when(app.added_at)),
            theme.normal,
        ));
    }

    if view.locks.is_empty() {
        rows.extend(lab(s::L_LOCKOUTS, s::NONE, theme.normal));
    }
    for (i, l) in view.locks.iter().enumerate() {
        let label = if i == 0 { s::L_LOCKOUTS } else { "" };
        rows.extend(lab(
            label,
            &s::locked_until(l.what, &super::exact(l.until, tz)),
            theme.warning,
        ));
    }

    if view.pending.is_empty() {
        rows.extend(lab(s::L_PENDING, s::NONE, theme.normal));
    }
    for (i, p) in view.pending.iter().enumerate() {
        let label = if i == 0 { s::L_PENDING } else { "" };
        let value = s::pending_change(
            &p.kind,
            &super::exact(p.effective_at, tz),
            &when(p.requested_at),
        );
        rows.extend(lab(label, &value, theme.warning));
    }

    rows.push(Line::raw(""));
    rows.extend(hanging(
        "",
        &s::events_heading(&super::offset_name(tz)),
        w,
        theme.title,
        theme.title,
    ));
    if view.events.is_empty() {
        rows.push(Line::styled(s::NO_EVENTS, theme.hint));
    }
    for e in &view.events {
        let mut text = s::event_kind(&e.kind);
        if !e.detail.is_empty() {
            text.push_str(" — ");
            text.push_str(&e.detail);
        }
        rows.extend(hanging(
            &format!("{}  ", when(e.at)),
            &text,
            w,
            theme.hint,
            theme.normal,
        ));
    }
    rows
}
