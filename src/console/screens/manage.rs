//! **Manage how I sign in**: sign-in methods, two-step verification, the **Recovery code**
//! section ("Generated on …" or "None"), pending changes with **Cancel this change**, recent
//! activity, and the numbered actions.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::{AccountView, MethodKind};
use crate::domain::recovery_drill::Nudge;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, ask, common, ellipsize};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::{Ctx, DialogKind};
use crate::console::strings as s;
use crate::console::view::{Part, heading, stack, status_height};
use crate::tui::widgets::wrapped_height;

const KEYS: &[Binding<Action>] = &[
    k::SELECT,
    k::NEXT,
    k::PREV,
    k::ESC_SIGN_OUT,
    k::ASK_QUIT,
    k::HELP,
    k::QUIT,
];

/// Narrowest status column; the actions take what they need and the status column the rest,
/// so a wider terminal shows longer addresses whole (issue 11, item 9).
const LEFT: u16 = 38;
/// What the actions column needs: "› 4  Turn two-step verification off" and a margin.
const ACTIONS: u16 = 38;

/// The status column's width in an area `width` columns wide.
fn left_width(width: u16) -> u16 {
    width.saturating_sub(ACTIONS + 2).max(LEFT)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    AddEmail,
    AddPhone,
    Remove,
    AddApp,
    RemoveApp,
    /// Two-step verification, currently on or off.
    TwoStep(bool),
    RecoveryCode,
    Cancel(i64),
    SignOut,
}

impl Item {
    fn label(self) -> &'static str {
        match self {
            Item::AddEmail => s::ADD_EMAIL,
            Item::AddPhone => s::ADD_PHONE,
            Item::Remove => s::REMOVE_METHOD,
            Item::AddApp => s::ADD_APP,
            Item::RemoveApp => s::REMOVE_APP,
            Item::TwoStep(false) => s::TWO_STEP_TURN_ON,
            Item::TwoStep(true) => s::TWO_STEP_TURN_OFF,
            Item::RecoveryCode => s::RECOVERY_CODE,
            Item::Cancel(_) => s::CANCEL_THIS_CHANGE,
            Item::SignOut => s::SIGN_OUT,
        }
    }
}

/// The actions that can succeed now: **Remove a method** only with a method to remove, and
/// **Turn two-step verification on** only with a verified method to send codes to (the status
/// column says why it is missing). Off is always offered.
fn items(view: Option<&Clean<AccountView>>) -> Vec<Item> {
    let mut v = vec![Item::AddEmail, Item::AddPhone];
    if view.is_some_and(|v| !v.methods.is_empty()) {
        v.push(Item::Remove);
    }
    v.push(if view.is_some_and(|v| v.app.is_some()) {
        Item::RemoveApp
    } else {
        Item::AddApp
    });
    let two_step = view.is_some_and(|v| v.account.two_step);
    if two_step || can_turn_two_step_on(view) {
        v.push(Item::TwoStep(two_step));
    }
    v.push(Item::RecoveryCode);
    if let Some(view) = view {
        v.extend(view.pending.iter().map(|p| Item::Cancel(p.id)));
    }
    v.push(Item::SignOut);
    v
}

/// Whether two-step verification could be turned on: a verified method receives the codes.
fn can_turn_two_step_on(view: Option<&Clean<AccountView>>) -> bool {
    view.is_some_and(|v| v.methods.iter().any(|m| m.verified) || v.app.is_some())
}

/// What was last asked of the worker, to word its answer.
#[derive(Debug, Clone, Copy)]
enum Asked {
    TwoStep(bool),
    Cancel,
    RemoveApp,
}

#[derive(Debug)]
pub struct Manage {
    items: Vec<Item>,
    form: Form,
    asked: Option<Asked>,
}

impl Manage {
    pub fn new(ctx: &Ctx) -> Manage {
        let items = items(ctx.view());
        let labels: Vec<&str> = items.iter().map(|i| i.label()).collect();
        Manage {
            items,
            form: Form::menu(&labels),
            asked: None,
        }
    }

    /// Rebuilds the actions after the account changed, keeping the selection where it can.
    fn sync(&mut self, ctx: &Ctx) {
        let fresh = items(ctx.view());
        if fresh != self.items {
            // Keep the same action selected; if it went away, go back to the first, never
            // onto whatever slid into its place (that could be Sign out).
            let was = self.items.get(self.form.menu.selected()).copied();
            let same = |i: &Item| match (i, was) {
                (Item::TwoStep(_), Some(Item::TwoStep(_))) => true,
                (i, Some(w)) => *i == w,
                _ => false,
            };
            let at = fresh.iter().position(same).unwrap_or(0);
            let labels: Vec<&str> = fresh.iter().map(|i| i.label()).collect();
            self.form = Form::menu(&labels);
            self.form.focus_choice(at);
            self.items = fresh;
        }
    }

    /// Methods, two-step verification and the recovery code, for the left column.
    fn status_lines<'a>(
        &self,
        ctx: &'a Ctx,
        view: &Clean<AccountView>,
        left: u16,
    ) -> Vec<Line<'a>> {
        let width = usize::from(left);
        let mut lines = vec![heading(ctx, s::MANAGE_METHODS)];
        if view.methods.is_empty() {
            lines.push(Line::styled(
                format!("  {}", s::MANAGE_NO_METHODS),
                ctx.theme.hint,
            ));
        }
        for m in &view.methods {
            let (state, style) = if m.verified {
                (s::VERIFIED, ctx.theme.success)
            } else {
                (s::NOT_VERIFIED, ctx.theme.warning)
            };
            let kind = match m.kind {
                MethodKind::Email => "Email",
                MethodKind::Phone => "Phone",
            };
            let room = width.saturating_sub(2 + 5 + 2 + 2 + state.len());
            lines.push(Line::from(vec![
                Span::styled(format!("  {kind}  "), ctx.theme.hint),
                Span::raw(ellipsize(&m.address, room)),
                Span::raw("  "),
                Span::styled(state, style),
            ]));
        }
        if let Some(app) = &view.app {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}  ", s::MANAGE_APP), ctx.theme.hint),
                Span::raw(s::app_added_on(&ctx.day(app.added_at))),
            ]));
        }
        lines.push(Line::raw(""));
        let (two_step, style) = if view.account.two_step {
            (s::ON, ctx.theme.success)
        } else {
            (s::OFF, ctx.theme.normal)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", s::MANAGE_TWO_STEP), ctx.theme.title),
            Span::styled(two_step, style),
        ]));
        if !view.account.two_step && !can_turn_two_step_on(Some(view)) {
            lines.push(Line::styled(s::TWO_STEP_NEEDS_METHOD, ctx.theme.hint));
        }
        let code = match view.recovery.active_since {
            Some(t) => s::generated_on(&ctx.day(t)),
            None => s::NONE.to_string(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", s::MANAGE_RECOVERY), ctx.theme.title),
            Span::raw(code),
        ]));
        // The recovery drill's reminder: check the saved copy before it is needed.
        match crate::domain::recovery_drill::nudge(&view.recovery, ctx.now()) {
            Some(Nudge::NeverChecked) => {
                lines.push(Line::styled(s::NUDGE_NEVER_CHECKED, ctx.theme.warning));
            }
            Some(Nudge::CheckedLongAgo(t)) => lines.push(Line::styled(
                s::nudge_checked_long_ago(&ctx.day(t)),
                ctx.theme.warning,
            )),
            None => {}
        }
        lines
    }

    /// The latest security events, newest first, as many as `rows` allow.
    fn activity_lines<'a>(
        ctx: &'a Ctx,
        view: &Clean<AccountView>,
        rows: usize,
        width: usize,
    ) -> Vec<Line<'a>> {
        let mut lines = vec![heading(
            ctx,
            s::manage_activity(&crate::clock::zone_name(ctx.tz)),
        )];
        for e in view.events.iter().take(rows.saturating_sub(1)) {
            let label = s::event_label(&e.kind);
            let text = if e.detail.is_empty() {
                label.to_string()
            } else {
                format!("{label} ({})", e.detail)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {}  ", ctx.stamp(e.at)), ctx.theme.hint),
                Span::raw(ellipsize(&text, width.saturating_sub(20))),
            ]));
        }
        lines
    }
}

impl Page for Manage {
    form_page!(s::TITLE_MANAGE, s::ABOUT_MANAGE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        self.sync(ctx);
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(i) => match self.items.get(i).copied()? {
                Item::AddEmail => Some(Screen::AddMethod(super::add_method::AddMethod::new(
                    MethodKind::Email,
                ))),
                Item::AddPhone => Some(Screen::AddMethod(super::add_method::AddMethod::new(
                    MethodKind::Phone,
                ))),
                Item::Remove => match ctx.view() {
                    Some(v) if !v.methods.is_empty() => Some(Screen::RemoveMethod(
                        super::remove_method::RemoveMethod::new(v),
                    )),
                    _ => {
                        ctx.error(s::NO_METHODS_TO_REMOVE);
                        None
                    }
                },
                Item::TwoStep(on) => ask(ctx, DialogKind::TwoStep { on: !on }),
                Item::AddApp => super::add_app::begin(ctx),
                Item::RemoveApp => ask(ctx, DialogKind::RemoveApp),
                Item::RecoveryCode => Some(Screen::RecoveryCode(
                    super::recovery_code::RecoveryCode::new(),
                )),
                Item::Cancel(change_id) => {
                    self.asked = Some(Asked::Cancel);
                    ctx.request(Job::CancelPending { change_id });
                    None
                }
                Item::SignOut => Some(super::signed_out(ctx, s::SIGNED_OUT)),
            },
            FormEvent::Action(Action::Back) => ask(ctx, DialogKind::SignOut),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_dialog(&mut self, ctx: &mut Ctx, kind: DialogKind) -> Go {
        match kind {
            DialogKind::TwoStep { on } => {
                self.asked = Some(Asked::TwoStep(on));
                ctx.request(Job::SetTwoStep { on });
            }
            DialogKind::RemoveApp => {
                self.asked = Some(Asked::RemoveApp);
                ctx.request(Job::RemoveApp);
            }
            _ => {}
        }
        None
    }

    fn on_failed(&mut self, ctx: &mut Ctx) -> Go {
        self.sync(ctx);
        None
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        if let Outcome::AppStarted(_) = outcome {
            return super::add_app::started(outcome);
        }
        if let Outcome::Changed = outcome {
            match self.asked.take() {
                Some(Asked::TwoStep(true)) => ctx.success(s::TWO_STEP_NOW_ON),
                Some(Asked::TwoStep(false)) => ctx.success(s::TWO_STEP_NOW_OFF),
                Some(Asked::Cancel) => ctx.success(s::CHANGE_CANCELLED),
                Some(Asked::RemoveApp) => ctx.success(s::APP_REMOVED),
                None => {}
            }
        }
        self.sync(ctx);
        None
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let Some(view) = ctx.view() else {
            return;
        };
        let width = area.width;
        let mut top = vec![
            Part::Text(vec![heading(ctx, s::signed_in_as(&view.account.username))]),
            Part::Gap,
        ];
        let mut top_rows: u16 = 2;
        for p in &view.pending {
            let banner = vec![Line::styled(
                s::pending_banner(&ctx.when(p.effective_at)),
                ctx.theme.warning,
            )];
            top_rows += wrapped_height(&banner, width) + 1;
            top.push(Part::Text(banner));
            top.push(Part::Gap);
        }
        stack(frame, area, ctx, top);
        let status_h = 1 + status_height(ctx, width);
        let y = area.y + top_rows.min(area.height);
        let left_w = left_width(width);
        let left_lines = self.status_lines(ctx, view, left_w);
        let columns_h = u16::try_from(left_lines.len())
            .unwrap_or(0)
            .max(1 + self.form.menu.height())
            .min(area.bottom().saturating_sub(y));
        let left = Rect::new(area.x, y, left_w.min(area.width), columns_h);
        let right_x = area.x + left_w + 2;
        let right = Rect::new(right_x, y, area.right().saturating_sub(right_x), columns_h);
        stack(frame, left, ctx, vec![Part::Rows(left_lines)]);
        stack(
            frame,
            right,
            ctx,
            vec![
                Part::Text(vec![heading(ctx, s::MANAGE_ACTIONS)]),
                Part::Menu(&self.form.menu, self.form.menu_focused()),
            ],
        );
        // Recent activity fills what is left above the status.
        let y = y + columns_h + 1;
        let h = area.bottom().saturating_sub(y).saturating_sub(status_h);
        let activity = Self::activity_lines(ctx, view, usize::from(h), usize::from(width));
        stack(
            frame,
            Rect::new(area.x, y.min(area.bottom()), width, h),
            ctx,
            vec![Part::Rows(activity)],
        );
        let bottom = Rect::new(area.x, y + h, width, area.bottom().saturating_sub(y + h));
        stack(frame, bottom, ctx, vec![Part::Gap, Part::Status]);
    }
}
