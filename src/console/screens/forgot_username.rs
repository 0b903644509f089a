//! **Forgot username?** (the seed page's "See also"): an email address or phone number, and the
//! account's username is sent there when it is a verified address of an account. The screen
//! says the same words, after the same time, whether or not it is: only whoever reads that
//! mailbox or phone learns the username.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::tui::TextField;
use crate::tui::keys::Binding;

use super::{Go, Page, Screen, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, stack_field};

const KEYS: &[Binding<Action>] = &[k::CONTINUE, k::BACK, k::HELP, k::QUIT];

/// Longest address the field takes (an email address can be long).
const ADDRESS_MAX: usize = 254;

#[derive(Debug)]
pub struct ForgotUsername {
    form: Form,
}

impl ForgotUsername {
    pub fn new() -> ForgotUsername {
        ForgotUsername {
            form: Form::new(
                vec![TextField::new(s::FIELD_EMAIL_OR_PHONE, ADDRESS_MAX)],
                &[] as &[&str],
            ),
        }
    }
}

crate::tui::default_is_new!(ForgotUsername);

impl Page for ForgotUsername {
    form_page!(s::TITLE_FORGOT_USERNAME, s::ABOUT_FORGOT_USERNAME, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                let address = self.form.field(0).value().trim().to_string();
                if address.is_empty() {
                    ctx.error(s::ENTER_EMAIL_OR_PHONE);
                } else {
                    ctx.request(Job::SendUsername { address });
                }
                None
            }
            FormEvent::Action(Action::Back) => {
                Some(Screen::SignIn(super::sign_in::SignIn::new("")))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        if let Outcome::UsernameRequested = outcome {
            ctx.info(s::USERNAME_REQUESTED);
        }
        None
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        stack_field(
            frame,
            area,
            ctx,
            vec![Part::para(s::FORGOT_USERNAME_INTRO), Part::Gap],
            &self.form,
        );
    }
}
