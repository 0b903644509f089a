//! **Do you have an account recovery code?**: the code, typed any way (case, spaces and dashes
//! don't matter). A malformed code is refused with the reason and costs no try; a wrong one
//! costs a try; five in a row lock code entry. A right code is spent and a fresh one is shown.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::console::jobs::{Job, Outcome};
use crate::domain::lockout::Guarded;
use crate::domain::model::AccountView;
use crate::domain::sign_in_helper::{Answers, Question, Symptom};
use crate::tui::TextField;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, account_line, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack_field};

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
pub struct HaveCode {
    view: Clean<AccountView>,
    form: Form,
}

impl HaveCode {
    /// The screen for `view`, saying up front when code entry is locked.
    pub fn screen(ctx: &mut Ctx, view: Clean<AccountView>) -> Screen {
        super::say_if_locked(ctx, &view, Guarded::RecoveryCode, s::recovery_locked);
        Screen::HaveCode(HaveCode {
            view,
            form: Form::new(
                vec![TextField::recovery_code(s::FIELD_RECOVERY_CODE)],
                &[s::NO_RECOVERY_CODE],
            ),
        })
    }

    fn submit(&mut self, ctx: &mut Ctx) -> Go {
        let code = super::typed_recovery_code(ctx, &mut self.form)?;
        ctx.request(Job::CheckRecoveryCode {
            account_id: self.view.account.id,
            code,
        });
        None
    }
}

impl Page for HaveCode {
    form_page!(s::TITLE_HAVE_CODE, s::ABOUT_HAVE_CODE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => self.submit(ctx),
            // They came through Forgot password? and I don't have any of these, and have no
            // code: the helper goes on from those answers.
            FormEvent::Choose(_) => {
                let mut said = Answers::new(Symptom::ForgotPassword);
                said.answer(Question::CanGetCodes, false);
                said.answer(Question::HasRecoveryCode, false);
                Some(Screen::Helper(super::helper::Helper::with_answers(
                    self.view.username(),
                    said,
                )))
            }
            FormEvent::Action(Action::Back) => Some(Screen::Options(super::options::Options::new(
                self.view.clone(),
            ))),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        let Outcome::RecoveryCode(r, proofs) = outcome else {
            return None;
        };
        let new_code = super::recovery_outcome(ctx, r)?;
        Some(Screen::CodeShown(
            super::code_shown::CodeShown::after_recovery(new_code, self.view.clone(), proofs),
        ))
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let head = code_prompt(
            ctx,
            account_line(&self.view),
            s::HAVE_CODE_PROMPT,
            s::HAVE_CODE_INTRO,
        );
        stack_field(frame, area, ctx, head, &self.form);
    }
}

/// The head of a screen that asks for a recovery code: who, the question, what to do, and the
/// tip that case, spaces and dashes do not matter.
pub fn code_prompt<'a>(ctx: &Ctx, who: String, prompt: &'a str, intro: &'a str) -> Vec<Part<'a>> {
    headed(
        who,
        vec![
            Part::Text(vec![Line::styled(prompt, ctx.theme.title)]),
            Part::para(intro),
            Part::Text(vec![Line::styled(s::HAVE_CODE_TIP, ctx.theme.hint)]),
            Part::Gap,
        ],
    )
}
