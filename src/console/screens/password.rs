//! Enter password: the masked password, with **Forgot password?** and **Other ways to sign
//! in** as numbered choices (Alt+1 / Alt+2 while typing).

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::lockout::Guarded;
use crate::domain::model::AccountView;
use crate::service::Attempt;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, common, password_field, signing_in};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{headed, stack_field};

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
pub struct Password {
    view: Clean<AccountView>,
    form: Form,
}

impl Password {
    /// The password screen for `view`, saying up front when password entry is locked.
    pub fn screen(ctx: &mut Ctx, view: Clean<AccountView>) -> Screen {
        super::say_if_locked(ctx, &view, Guarded::Password, s::password_locked);
        Screen::Password(Password {
            view,
            form: Form::new(
                vec![password_field(s::FIELD_PASSWORD)],
                &[s::FORGOT_PASSWORD, s::OTHER_WAYS],
            ),
        })
    }
}

impl Page for Password {
    form_page!(s::TITLE_PASSWORD, s::ABOUT_PASSWORD, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                let password = super::typed_password(ctx, &mut self.form)?;
                ctx.request(Job::CheckPassword {
                    account_id: self.view.account.id,
                    password,
                });
                None
            }
            FormEvent::Choose(0) => Some(super::verify_identity::VerifyIdentity::screen(
                self.view.clone(),
            )),
            FormEvent::Choose(_) => Some(Screen::OtherWays(super::other_ways::OtherWays::new(
                self.view.clone(),
            ))),
            FormEvent::Action(Action::Back) => Some(Screen::SignIn(super::sign_in::SignIn::new(
                &self.view.account.username,
            ))),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        let Outcome::Password(r, code_counts) = outcome else {
            return None;
        };
        match r {
            Attempt::Accepted(false) => Some(super::after_sign_in(ctx)),
            Attempt::Accepted(true) => Some(Screen::SecondStep(
                super::second_step::SecondStep::new(self.view.clone(), code_counts),
            )),
            Attempt::Wrong { tries_left } => {
                ctx.error(s::password_wrong(tries_left));
                None
            }
            Attempt::Blocked => {
                ctx.error(s::PASSWORD_BLOCKED);
                None
            }
            Attempt::LockedNow { until } | Attempt::Locked { until } => {
                let u = ctx.until(until);
                ctx.error(s::password_locked(&u));
                None
            }
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let head = headed(signing_in(&self.view), vec![]);
        stack_field(frame, area, ctx, head, &self.form);
    }
}
