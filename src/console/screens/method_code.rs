//! Enter the code sent to a method, during recovery or to sign in with it. In recovery a right
//! code is one proof; with two-step verification on, a second, different proof is asked for
//! next. To sign in, a right code signs in — or, with two-step verification on, the password
//! is asked for as the second step.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::Purpose;
use crate::domain::model::{AccountView, MethodRow};
use crate::service::Proof;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::verify_identity::send_recovery_code;
use super::{Go, Page, Screen, account_line, code_form, code_outcome, common, typed_code};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack_field};

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

/// Where recovery goes once a proof is in: straight to the new password, or — two-step
/// verification on and a single proof — to ask for a second one.
pub fn after_proof(view: Clean<AccountView>, proofs: Vec<Proof>) -> Screen {
    if view.account.two_step && proofs.len() < 2 {
        Screen::SecondProof(super::second_proof::SecondProof::new(view, proofs))
    } else {
        Screen::NewPassword(super::new_password::NewPassword::new(view, proofs))
    }
}

#[derive(Debug)]
pub struct MethodCode {
    view: Clean<AccountView>,
    method: Clean<MethodRow>,
    /// Recovery, or signing in with the code.
    purpose: Purpose,
    /// The method's address, masked.
    masked: Clean<String>,
    form: Form,
}

impl MethodCode {
    /// Entering the code just sent to `method`, a verified method of `view`.
    pub fn new(view: Clean<AccountView>, method: Clean<MethodRow>) -> MethodCode {
        MethodCode {
            view,
            masked: method.masked(),
            method,
            purpose: Purpose::Recovery,
            form: code_form(&[s::SEND_AGAIN, s::USE_DIFFERENT_OPTION]),
        }
    }

    /// Entering the sign-in code just sent to `method`.
    pub fn for_sign_in(view: Clean<AccountView>, method: Clean<MethodRow>) -> MethodCode {
        MethodCode {
            purpose: Purpose::CodeSignIn,
            form: code_form(&[s::SEND_AGAIN, s::OTHER_WAYS]),
            ..MethodCode::new(view, method)
        }
    }
}

impl Page for MethodCode {
    form_page!(s::TITLE_METHOD_CODE, s::ABOUT_METHOD_CODE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                if let Some(code) = typed_code(ctx, &mut self.form) {
                    ctx.request(Job::CheckCode {
                        account_id: self.view.account.id,
                        method_id: self.method.id,
                        purpose: self.purpose,
                        code,
                    });
                }
                None
            }
            FormEvent::Choose(0) if self.purpose == Purpose::CodeSignIn => {
                ctx.request(Job::SendCode {
                    account_id: self.view.account.id,
                    method_id: self.method.id,
                    purpose: Purpose::CodeSignIn,
                });
                None
            }
            FormEvent::Choose(0) => {
                send_recovery_code(ctx, &self.view, &self.method);
                None
            }
            FormEvent::Choose(_) | FormEvent::Action(Action::Back)
                if self.purpose == Purpose::CodeSignIn =>
            {
                Some(Screen::OtherWays(super::other_ways::OtherWays::new(
                    self.view.clone(),
                )))
            }
            FormEvent::Choose(_) | FormEvent::Action(Action::Back) => Some(Screen::Options(
                super::options::Options::new(self.view.clone()),
            )),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::CodeSent => {
                ctx.info(s::new_code_sent(&self.masked));
                None
            }
            Outcome::Code(r, _) if self.purpose == Purpose::CodeSignIn => {
                if !code_outcome(ctx, r) {
                    return None;
                }
                if ctx.session.is_some() {
                    return Some(super::after_sign_in(ctx));
                }
                // Two-step verification on: the password is the second step.
                // (A lock on password entry, said by the password screen, wins over this.)
                ctx.info(s::CODE_THEN_PASSWORD);
                Some(super::password::Password::screen(ctx, self.view.clone()))
            }
            Outcome::Code(r, proofs) => {
                code_outcome(ctx, r).then(|| after_proof(self.view.clone(), proofs))
            }
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let head = headed(
            account_line(&self.view),
            vec![
                Part::para(s::code_sent(&self.masked)),
                Part::para(s::CODE_RULE),
                Part::Gap,
            ],
        );
        stack_field(frame, area, ctx, head, &self.form);
    }
}
