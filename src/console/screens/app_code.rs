//! A code from the holder's authenticator app: as the second step of signing in, to sign in
//! instead of the password, or as a proof in recovery. The same rules as a code sent to an
//! email or phone (six digits, the same lockout); a code is taken once.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::{AccountView, Purpose};
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, account_line, app_code_outcome, code_form, common, typed_code};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack_field};

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
pub struct AppCode {
    view: Clean<AccountView>,
    purpose: Purpose,
    /// Where Esc goes: the screen this one was opened from.
    back: Box<Screen>,
    form: Form,
}

impl AppCode {
    /// Asks for an app code for `purpose`; Esc goes `back`.
    pub fn screen(view: Clean<AccountView>, purpose: Purpose, back: Screen) -> Screen {
        Screen::AppCode(AppCode {
            view,
            purpose,
            back: Box::new(back),
            form: code_form(&[] as &[&str]),
        })
    }
}

impl Page for AppCode {
    form_page!(s::TITLE_APP_CODE, s::ABOUT_APP_CODE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                if let Some(code) = typed_code(ctx, &mut self.form) {
                    ctx.request(Job::CheckAppCode {
                        account_id: self.view.account.id,
                        purpose: self.purpose,
                        code,
                    });
                }
                None
            }
            FormEvent::Action(Action::Back) => {
                Some(std::mem::replace(&mut *self.back, Screen::start()))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        let Outcome::Code(r, proofs) = outcome else {
            return None;
        };
        if !app_code_outcome(ctx, r) {
            return None;
        }
        match self.purpose {
            Purpose::Recovery => Some(super::method_code::after_proof(self.view.clone(), proofs)),
            _ if ctx.session.is_some() => Some(super::after_sign_in(ctx)),
            // A code instead of the password, two-step verification on: the password next.
            _ => {
                ctx.info(s::CODE_THEN_PASSWORD);
                Some(super::password::Password::screen(ctx, self.view.clone()))
            }
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let head = headed(
            account_line(&self.view),
            vec![Part::para(s::APP_CODE_PROMPT), Part::Gap],
        );
        stack_field(frame, area, ctx, head, &self.form);
    }
}
