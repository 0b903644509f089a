//! Shown right after a normal sign-in when a change made through recovery is waiting: its
//! date, and **Cancel this change** first.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::console::jobs::{Job, Outcome};
use crate::tui::keys::Binding;

use super::{Go, Page, Screen, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, heading, stack};

const KEYS: &[Binding<Action>] = k::MENU_KEYS;

#[derive(Debug)]
pub struct PendingNotice {
    form: Form,
}

impl PendingNotice {
    pub fn new() -> PendingNotice {
        PendingNotice {
            form: Form::menu(&[s::CANCEL_THIS_CHANGE, s::KEEP_CHANGE]),
        }
    }
}

crate::tui::default_is_new!(PendingNotice);

impl Page for PendingNotice {
    form_page!(s::TITLE_PENDING_NOTICE, s::ABOUT_PENDING_NOTICE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(0) => {
                let change_id = ctx.view()?.pending.first()?.id;
                ctx.request(Job::CancelPending { change_id });
                None
            }
            FormEvent::Choose(_) | FormEvent::Action(Action::Back) => {
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::Changed => {
                ctx.success(s::CHANGE_CANCELLED);
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let Some(view) = ctx.view() else {
            return;
        };
        let mut parts = vec![
            Part::Text(vec![heading(ctx, s::signed_in_as(&view.account.username))]),
            Part::Gap,
            Part::para(s::PENDING_NOTICE_INTRO),
            Part::Gap,
        ];
        for p in &view.pending {
            parts.push(Part::Text(vec![Line::styled(
                s::pending_line(&ctx.when(p.effective_at)),
                ctx.theme.warning,
            )]));
        }
        parts.extend([
            Part::Gap,
            Part::para(s::PENDING_KEEP_NOTE),
            Part::Gap,
            Part::Menu(&self.form.menu, self.form.menu_focused()),
            Part::Gap,
            Part::Status,
        ]);
        stack(frame, area, ctx, parts);
    }
}
