//! Two-step verification, second step of signing in: choose a verified method, get a code
//! there, enter it.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::Purpose;
use crate::domain::model::{AccountView, MethodRow};
use crate::tui::TextField;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{
    Go, Page, Screen, code_form, code_outcome, common, send_label, signing_in, typed_code,
};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack, with_field};

const CHOOSE_KEYS: &[Binding<Action>] = &[
    k::SELECT,
    k::NEXT,
    k::PREV,
    k::BACK,
    k::ASK_QUIT,
    k::HELP,
    k::QUIT,
];

const CODE_KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
enum Stage {
    Choose,
    Code {
        method: usize,
        masked: Clean<String>,
    },
    /// The recovery code is the second step: no verified method is left, or the holder chose
    /// it where it counts.
    RecoveryCode,
}

#[derive(Debug)]
pub struct SecondStep {
    view: Clean<AccountView>,
    methods: Vec<Clean<MethodRow>>,
    stage: Stage,
    form: Form,
    /// The method a code is being sent to.
    sending: Option<usize>,
    /// The recovery code counts as the second step (SPEC §4): offered after the methods.
    code_counts: bool,
}

impl SecondStep {
    /// The second step for `view`; `code_counts` (from the service) says whether the
    /// recovery code counts as one.
    pub fn new(view: Clean<AccountView>, code_counts: bool) -> SecondStep {
        let methods = view.clean_verified();
        let mut step = SecondStep {
            view,
            methods,
            stage: Stage::Choose,
            form: Form::menu(&[] as &[&str]),
            sending: None,
            code_counts,
        };
        if step.methods.is_empty() && step.view.app.is_none() {
            step.enter_code();
        } else {
            step.back_to_choices();
        }
        step
    }

    fn enter_code(&mut self) {
        let none: &[&str] = &[];
        self.form = Form::new(vec![TextField::recovery_code(s::FIELD_RECOVERY_CODE)], none);
        self.stage = Stage::RecoveryCode;
    }

    fn send(&mut self, ctx: &mut Ctx, i: usize) {
        self.sending = Some(i);
        ctx.request(Job::SendCode {
            account_id: self.view.account.id,
            method_id: self.methods[i].id,
            purpose: Purpose::SignIn,
        });
    }

    fn back_to_choices(&mut self) {
        let mut labels: Vec<String> = self.methods.iter().map(send_label).collect();
        if self.view.app.is_some() {
            labels.push(s::USE_APP.into());
        }
        if self.code_counts {
            labels.push(s::USE_RECOVERY_CODE_INSTEAD.into());
        }
        self.form = Form::menu(&labels);
        self.stage = Stage::Choose;
    }
}

impl Page for SecondStep {
    fn purpose(&self) -> &'static str {
        s::ABOUT_SECOND_STEP
    }
    fn title(&self) -> &str {
        s::TITLE_SECOND_STEP
    }
    fn keys(&self) -> &'static [Binding<Action>] {
        match self.stage {
            Stage::Choose => CHOOSE_KEYS,
            Stage::Code { .. } | Stage::RecoveryCode => CODE_KEYS,
        }
    }
    form_of!();

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        let event = self.form.handle(ev, self.keys());
        let has_app = self.view.app.is_some();
        match (&self.stage, event) {
            // The app's code on its own screen; Esc comes back to these choices.
            (Stage::Choose, FormEvent::Choose(i)) if i == self.methods.len() && has_app => {
                let view = self.view.clone();
                let back = Screen::SecondStep(SecondStep::new(view.clone(), self.code_counts));
                Some(super::app_code::AppCode::screen(
                    view,
                    Purpose::SignIn,
                    back,
                ))
            }
            (Stage::Choose, FormEvent::Choose(i)) if i >= self.methods.len() => {
                self.enter_code();
                ctx.note = None;
                None
            }
            (Stage::Choose, FormEvent::Choose(i)) => {
                self.send(ctx, i);
                None
            }
            (Stage::RecoveryCode, FormEvent::Submit) => {
                let code = super::typed_recovery_code(ctx, &mut self.form)?;
                ctx.request(Job::SecondStepRecoveryCode {
                    account_id: self.view.account.id,
                    code,
                });
                None
            }
            (Stage::RecoveryCode, FormEvent::Action(Action::Back))
                if !self.methods.is_empty() || has_app =>
            {
                self.back_to_choices();
                ctx.note = None;
                None
            }
            (Stage::Choose | Stage::RecoveryCode, FormEvent::Action(Action::Back)) => {
                // Drops the half-finished sign-in in the service too.
                ctx.fire(Job::SignOut);
                Some(Screen::SignIn(super::sign_in::SignIn::new(
                    &self.view.account.username,
                )))
            }
            (Stage::Code { method, .. }, FormEvent::Submit) => {
                let method = *method;
                if let Some(code) = typed_code(ctx, &mut self.form) {
                    ctx.request(Job::CheckCode {
                        account_id: self.view.account.id,
                        method_id: self.methods[method].id,
                        purpose: Purpose::SignIn,
                        code,
                    });
                }
                None
            }
            (Stage::Code { method, .. }, FormEvent::Choose(0)) => {
                let method = *method;
                self.send(ctx, method);
                None
            }
            (Stage::Code { .. }, FormEvent::Choose(_) | FormEvent::Action(Action::Back)) => {
                self.back_to_choices();
                ctx.note = None;
                None
            }
            (_, FormEvent::Action(a)) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::CodeSent => {
                let method = self.sending.take().unwrap_or(0);
                let masked = self.methods.get(method)?.masked();
                if matches!(self.stage, Stage::Code { .. }) {
                    ctx.info(s::new_code_sent(&masked));
                }
                self.form = code_form(&[s::SEND_AGAIN, s::USE_DIFFERENT_METHOD]);
                self.stage = Stage::Code { method, masked };
                None
            }
            Outcome::Code(r, _) => code_outcome(ctx, r).then(|| super::after_sign_in(ctx)),
            Outcome::RecoveryCode(r, _) => {
                let new_code = super::recovery_outcome(ctx, r)?;
                Some(Screen::CodeShown(
                    super::code_shown::CodeShown::after_generate(new_code),
                ))
            }
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let who = signing_in(&self.view);
        let rest = match &self.stage {
            Stage::Choose => vec![
                Part::para(s::SECOND_STEP_CHOOSE),
                Part::Gap,
                Part::Menu(&self.form.menu, self.form.menu_focused()),
                Part::Gap,
                Part::Status,
            ],
            Stage::RecoveryCode => vec![
                Part::para(if self.methods.is_empty() {
                    s::SECOND_STEP_RECOVERY_CODE
                } else {
                    s::SECOND_STEP_RECOVERY_CODE_CHOSEN
                }),
                Part::Gap,
                Part::Field(self.form.field(0), self.form.field_focus() == Some(0)),
                Part::Status,
            ],
            Stage::Code { masked, .. } => with_field(
                vec![
                    Part::para(s::code_sent(masked)),
                    Part::para(s::CODE_RULE),
                    Part::Gap,
                ],
                &self.form,
            ),
        };
        stack(frame, area, ctx, headed(who, rest));
    }
}
