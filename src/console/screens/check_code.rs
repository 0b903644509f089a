//! **Check a saved code** (the recovery drill, SPEC §10): the signed-in holder types the
//! recovery code they saved and learns whether it is the current one — "This code works.
//! Keep it safe." or "This isn't your current recovery code." with what to do. The code is not
//! spent and nothing is granted; a wrong code costs a try on the recovery code's own lockout,
//! as in recovery. The screen shows nothing the holder did not type.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::lockout::Guarded;
use crate::domain::recovery_code;
use crate::service::{Attempt, DrillCheck};
use crate::tui::TextField;
use crate::tui::keys::Binding;

use super::{Go, Page, Screen, common, take_secret};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::{Ctx, DialogKind};
use crate::console::strings as s;
use crate::console::view::stack_field;

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
pub struct CheckCode {
    form: Form,
}

impl CheckCode {
    /// The screen, saying up front when code entry is locked.
    pub fn screen(ctx: &mut Ctx) -> Screen {
        if let Some(view) = ctx.view().cloned() {
            super::say_if_locked(ctx, &view, Guarded::RecoveryCode, s::recovery_locked);
        }
        Screen::CheckCode(CheckCode {
            form: Form::new(
                vec![TextField::recovery_code(s::FIELD_RECOVERY_CODE)],
                &[s::GENERATE_NEW_CODE],
            ),
        })
    }

    fn submit(&mut self, ctx: &mut Ctx) {
        if self.form.field(0).is_empty() {
            ctx.error(s::ENTER_RECOVERY_CODE);
            return;
        }
        // A typo in the shape of the code is said at once, costs no try, and the field is
        // cleared (SPEC §5).
        if let Err(e) = recovery_code::normalise(self.form.field(0).value()) {
            self.form.field_mut(0).clear();
            ctx.error(e.to_string());
            return;
        }
        let code = take_secret(&mut self.form, 0);
        ctx.request(Job::CheckSavedCode { code });
    }

    /// Words the drill's answer under the screen.
    fn say(ctx: &mut Ctx, a: Attempt<DrillCheck>) {
        match a {
            Attempt::Accepted(DrillCheck::Works) => ctx.success(s::CHECK_CODE_WORKS),
            Attempt::Accepted(DrillCheck::Format(e)) => ctx.error(e.to_string()),
            Attempt::Accepted(DrillCheck::NoCode) => ctx.error(s::NO_CODE_TO_CHECK),
            Attempt::Wrong { tries_left } => ctx.error(s::check_code_not_current(tries_left)),
            Attempt::LockedNow { until } => {
                let u = ctx.until(until);
                ctx.error(s::check_code_not_current_locked(&u));
            }
            // Refused without checking: nothing is said about the code.
            Attempt::Locked { until } => {
                let u = ctx.until(until);
                ctx.error(s::recovery_locked(&u));
            }
            Attempt::Blocked => ctx.error(s::RECOVERY_BLOCKED),
        }
    }
}

impl Page for CheckCode {
    form_page!(s::TITLE_CHECK_CODE, s::ABOUT_CHECK_CODE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                self.submit(ctx);
                None
            }
            FormEvent::Choose(_) => super::ask(ctx, DialogKind::Generate),
            FormEvent::Action(Action::Back) => Some(Screen::RecoveryCode(
                super::recovery_code::RecoveryCode::new(),
            )),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_dialog(&mut self, ctx: &mut Ctx, kind: DialogKind) -> Go {
        super::recovery_code::generate_if_confirmed(ctx, kind)
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::SavedCodeChecked(a) => {
                // The job kept for a retry after re-authentication holds the typed code:
                // answered, it goes.
                ctx.retry = None;
                Self::say(ctx, a);
                None
            }
            Outcome::CodeGenerated(code) => Some(super::recovery_code::code_generated(code)),
            _ => None,
        }
    }

    fn on_failed(&mut self, ctx: &mut Ctx) -> Go {
        ctx.retry = None;
        None
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let head = super::have_code::code_prompt(
            ctx,
            super::signed_in(ctx),
            s::TITLE_CHECK_CODE,
            s::CHECK_CODE_INTRO,
        );
        stack_field(frame, area, ctx, head, &self.form);
    }
}
