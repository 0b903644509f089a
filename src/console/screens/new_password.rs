//! Set a new password after recovery: the new password and its confirmation (at least 8
//! characters, not the username). With two-step verification on and one proof, the change
//! will wait 30 days; the screen says so before you submit.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::AccountView;
use crate::domain::pending_change;
use crate::service::Proof;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, account_line, common, password_field};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::{Ctx, DialogKind};
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack};

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
pub struct NewPassword {
    view: Clean<AccountView>,
    proofs: Vec<Proof>,
    form: Form,
}

impl NewPassword {
    pub fn new(view: Clean<AccountView>, proofs: Vec<Proof>) -> NewPassword {
        let none: &[&str] = &[];
        NewPassword {
            view,
            proofs,
            form: Form::new(
                vec![
                    password_field(s::FIELD_NEW_PASSWORD),
                    password_field(s::FIELD_CONFIRM_PASSWORD),
                ],
                none,
            ),
        }
    }

    /// Whether the recovery code was used up to get here.
    fn code_spent(&self) -> bool {
        self.proofs.contains(&Proof::RecoveryCode)
    }

    fn submit(&mut self, ctx: &mut Ctx) -> Go {
        let username = &self.view.account.username;
        let (pass, confirm) = super::new_password(ctx, &mut self.form, 0, username)?;
        ctx.request(Job::ResetPassword {
            account_id: self.view.account.id,
            password: pass,
            confirm,
        });
        None
    }
}

impl Page for NewPassword {
    form_page!(s::TITLE_NEW_PASSWORD, s::ABOUT_NEW_PASSWORD, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => self.submit(ctx),
            // Leaving throws the verified identity away (and a spent recovery code with it):
            // asked first, with Stay highlighted.
            FormEvent::Action(Action::Back) => {
                ctx.ask_stay(DialogKind::LeaveReset {
                    code_spent: self.code_spent(),
                });
                None
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_dialog(&mut self, ctx: &mut Ctx, kind: DialogKind) -> Go {
        let DialogKind::LeaveReset { code_spent } = kind else {
            return None;
        };
        ctx.info(if code_spent {
            s::NOT_CHANGED_CODE_SPENT
        } else {
            s::NOT_CHANGED
        });
        Some(Screen::SignIn(super::sign_in::SignIn::new(
            &self.view.account.username,
        )))
    }

    fn on_reply(&mut self, _ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::Reset(done) => Some(Screen::ResetDone(super::reset_done::ResetDone::new(
                self.view.clone(),
                done,
            ))),
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let f = |i: usize| Part::Field(self.form.field(i), self.form.field_focus() == Some(i));
        let mut parts = headed(
            account_line(&self.view),
            vec![Part::para(s::NEW_PASSWORD_INTRO)],
        );
        if pending_change::must_wait(self.view.account.two_step, self.proofs.len()) {
            parts.push(Part::Text(vec![Line::styled(
                s::new_password_pending_note(),
                ctx.theme.warning,
            )]));
        }
        parts.extend([
            Part::Gap,
            f(0),
            f(1),
            Part::Text(vec![Line::styled(s::PASSWORD_RULE, ctx.theme.hint)]),
            Part::Gap,
            Part::Status,
        ]);
        stack(frame, area, ctx, parts);
    }
}
