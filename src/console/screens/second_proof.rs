//! Verify your identity again: two-step verification is on and one proof is in. A second,
//! different proof (another method, or the recovery code) applies the new password at once;
//! without one it waits 30 days.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::Outcome;
use crate::domain::model::{AccountView, MethodRow};
use crate::service::Proof;
use crate::tui::sanitize::Clean;

use super::verify_identity::{KEYS, code_sent, send_recovery_code};
use super::{Go, Page, Screen, account_line, common, send_label};
use crate::console::keys::{Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack_choices};

#[derive(Debug, Clone)]
enum Way {
    Method(Clean<MethodRow>),
    RecoveryCode,
    App,
    Continue,
}

#[derive(Debug)]
pub struct SecondProof {
    view: Clean<AccountView>,
    proofs: Vec<Proof>,
    ways: Vec<Way>,
    form: Form,
    sending: Option<Clean<MethodRow>>,
}

impl SecondProof {
    pub fn new(view: Clean<AccountView>, proofs: Vec<Proof>) -> SecondProof {
        let mut ways: Vec<Way> = view
            .clean_verified()
            .into_iter()
            .filter(|m| !proofs.contains(&Proof::MethodCode(m.id)))
            .map(Way::Method)
            .collect();
        if view.app.is_some() && !proofs.contains(&Proof::App) {
            ways.push(Way::App);
        }
        if view.recovery.active_since.is_some() && !proofs.contains(&Proof::RecoveryCode) {
            ways.push(Way::RecoveryCode);
        }
        ways.push(Way::Continue);
        let labels: Vec<String> = ways
            .iter()
            .map(|w| match w {
                Way::Method(m) => send_label(m),
                Way::RecoveryCode => s::USE_MY_RECOVERY_CODE.to_string(),
                Way::App => s::USE_APP.to_string(),
                Way::Continue => s::NO_SECOND_PROOF.to_string(),
            })
            .collect();
        SecondProof {
            view,
            proofs,
            ways,
            form: Form::menu(&labels),
            sending: None,
        }
    }
}

impl Page for SecondProof {
    form_page!(s::TITLE_SECOND_PROOF, s::ABOUT_SECOND_PROOF, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(i) => match self.ways.get(i)?.clone() {
                Way::Method(m) => {
                    send_recovery_code(ctx, &self.view, &m);
                    self.sending = Some(m);
                    None
                }
                Way::RecoveryCode => {
                    Some(super::have_code::HaveCode::screen(ctx, self.view.clone()))
                }
                Way::App => {
                    let back = Screen::SecondProof(SecondProof::new(
                        self.view.clone(),
                        self.proofs.clone(),
                    ));
                    Some(super::app_code::AppCode::screen(
                        self.view.clone(),
                        crate::domain::model::Purpose::Recovery,
                        back,
                    ))
                }
                Way::Continue => Some(Screen::NewPassword(super::new_password::NewPassword::new(
                    self.view.clone(),
                    self.proofs.clone(),
                ))),
            },
            FormEvent::Action(Action::Back) => Some(Screen::Options(super::options::Options::new(
                self.view.clone(),
            ))),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, _ctx: &mut Ctx, outcome: Outcome) -> Go {
        code_sent(&self.view, self.sending.take(), outcome)
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let head = headed(
            account_line(&self.view),
            vec![Part::para(s::SECOND_PROOF_INTRO)],
        );
        stack_choices(frame, area, ctx, head, &self.form);
    }
}
