//! The result of a password reset: applied ("Your password was changed. Sign in with it.") or
//! pending with its date, because two-step verification is on.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::domain::model::AccountView;
use crate::service::ResetOutcome;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, account_line, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack};

const KEYS: &[Binding<Action>] = &[k::SELECT, k::BACK, k::ASK_QUIT, k::HELP, k::QUIT];

#[derive(Debug)]
pub struct ResetDone {
    view: Clean<AccountView>,
    outcome: ResetOutcome,
    form: Form,
}

impl ResetDone {
    pub fn new(view: Clean<AccountView>, outcome: ResetOutcome) -> ResetDone {
        ResetDone {
            view,
            outcome,
            form: Form::menu(&[s::SIGN_IN_NOW]),
        }
    }
}

impl Page for ResetDone {
    fn purpose(&self) -> &'static str {
        match self.outcome {
            ResetOutcome::Applied { .. } => s::ABOUT_RESET_DONE,
            ResetOutcome::Pending { .. } => s::ABOUT_RESET_PENDING,
        }
    }
    fn title(&self) -> &str {
        match self.outcome {
            ResetOutcome::Applied { .. } => s::TITLE_RESET_DONE,
            ResetOutcome::Pending { .. } => s::TITLE_RESET_PENDING,
        }
    }
    fn keys(&self) -> &'static [Binding<Action>] {
        KEYS
    }
    form_of!();

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(_) => Some(super::password::Password::screen(ctx, self.view.clone())),
            FormEvent::Action(Action::Back) => Some(Screen::SignIn(super::sign_in::SignIn::new(
                &self.view.account.username,
            ))),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let mut parts = headed(account_line(&self.view), vec![]);
        match self.outcome {
            ResetOutcome::Applied { cancelled_pending } => {
                parts.push(Part::Text(vec![Line::styled(
                    s::RESET_APPLIED,
                    ctx.theme.success,
                )]));
                if cancelled_pending {
                    parts.push(Part::Gap);
                    parts.push(Part::para(s::RESET_CANCELLED_PENDING));
                }
            }
            ResetOutcome::Pending { effective_at } => {
                parts.push(Part::Text(vec![Line::styled(
                    s::reset_pending(&ctx.when(effective_at)),
                    ctx.theme.warning,
                )]));
                parts.push(Part::Gap);
                parts.push(Part::para(s::RESET_PENDING_MORE));
            }
        }
        parts.extend([
            Part::Gap,
            Part::Menu(&self.form.menu, self.form.menu_focused()),
            Part::Gap,
            Part::Status,
        ]);
        stack(frame, area, ctx, parts);
    }
}
