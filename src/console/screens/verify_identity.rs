//! Verify your identity (after **Forgot password?**): send a code to the first verified
//! method, or **Use a different verification option**.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::Purpose;
use crate::domain::model::{AccountView, MethodRow};
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, account_line, common, send_label};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack_choices};

pub(super) const KEYS: &[Binding<Action>] = k::MENU_KEYS;

/// Asks the worker to send a recovery code to `method`.
pub(super) fn send_recovery_code(ctx: &mut Ctx, view: &AccountView, method: &MethodRow) {
    ctx.request(Job::SendCode {
        account_id: view.account.id,
        method_id: method.id,
        purpose: Purpose::Recovery,
    });
}

/// The code-entry screen once a recovery code went to `method`.
pub(super) fn code_sent(
    view: &Clean<AccountView>,
    method: Option<Clean<MethodRow>>,
    outcome: Outcome,
) -> Go {
    match outcome {
        Outcome::CodeSent => Some(Screen::MethodCode(super::method_code::MethodCode::new(
            view.clone(),
            method?,
        ))),
        _ => None,
    }
}

#[derive(Debug)]
pub struct VerifyIdentity {
    view: Clean<AccountView>,
    first: Option<Clean<MethodRow>>,
    form: Form,
}

impl VerifyIdentity {
    pub fn screen(view: Clean<AccountView>) -> Screen {
        let first = view.clean_verified().into_iter().next();
        let mut choices = vec![];
        if let Some(m) = &first {
            choices.push(send_label(m));
        }
        choices.push(s::USE_DIFFERENT_OPTION.to_string());
        Screen::VerifyIdentity(VerifyIdentity {
            view,
            first,
            form: Form::menu(&choices),
        })
    }
}

impl Page for VerifyIdentity {
    form_page!(s::TITLE_VERIFY, s::ABOUT_VERIFY, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(0) if self.first.is_some() => {
                if let Some(m) = &self.first {
                    send_recovery_code(ctx, &self.view, m);
                }
                None
            }
            FormEvent::Choose(_) => Some(Screen::Options(super::options::Options::new(
                self.view.clone(),
            ))),
            FormEvent::Action(Action::Back) => {
                Some(super::password::Password::screen(ctx, self.view.clone()))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, _ctx: &mut Ctx, outcome: Outcome) -> Go {
        code_sent(&self.view, self.first.clone(), outcome)
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let intro = match &self.first {
            Some(m) => s::verify_send_first(&m.masked()),
            None => s::VERIFY_NO_METHOD.to_string(),
        };
        let head = headed(account_line(&self.view), vec![Part::para(intro)]);
        stack_choices(frame, area, ctx, head, &self.form);
    }
}
