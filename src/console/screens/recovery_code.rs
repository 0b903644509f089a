//! The **Recovery code** section: its status, and **Generate a new code** behind the seed
//! page's caution ("As soon as you create a new recovery code, any previous codes will no
//! longer work"), and **Check a saved code** (the recovery drill, `check_code.rs`).

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::secret::Secret;
use crate::tui::keys::Binding;

use super::{Go, Page, Screen, ask, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::{Ctx, DialogKind};
use crate::console::strings as s;
use crate::console::view::{Part, labelled, stack_choices};

const KEYS: &[Binding<Action>] = &[k::SELECT, k::BACK, k::ASK_QUIT, k::HELP, k::QUIT];

#[derive(Debug)]
pub struct RecoveryCode {
    form: Form,
}

impl RecoveryCode {
    pub fn new() -> RecoveryCode {
        RecoveryCode {
            form: Form::menu(&[s::GENERATE_NEW_CODE, s::CHECK_SAVED_CODE]),
        }
    }
}

crate::tui::default_is_new!(RecoveryCode);

impl Page for RecoveryCode {
    form_page!(s::TITLE_RECOVERY_CODE, s::ABOUT_RECOVERY_CODE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(1) => {
                // The sign-in must be recent before the code is asked for.
                ctx.request(Job::BeginCodeCheck);
                None
            }
            FormEvent::Choose(_) => ask(ctx, DialogKind::Generate),
            FormEvent::Action(Action::Back) => {
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_dialog(&mut self, ctx: &mut Ctx, kind: DialogKind) -> Go {
        generate_if_confirmed(ctx, kind)
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::CodeGenerated(code) => Some(code_generated(code)),
            Outcome::ReadyToCheck => Some(super::check_code::CheckCode::screen(ctx)),
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let recovery = ctx.view().map(|v| v.recovery.clone()).unwrap_or_default();
        let status = match recovery.active_since {
            Some(t) => s::generated_on(&ctx.day(t)),
            None => s::NONE.to_string(),
        };
        let mut status_lines = vec![labelled(ctx, s::MANAGE_RECOVERY, status)];
        if let Some(t) = recovery.last_used {
            status_lines.push(labelled(ctx, "Last used to recover", ctx.when(t)));
        }
        if let Some(t) = recovery.last_checked {
            status_lines.push(labelled(ctx, s::LAST_CHECKED, ctx.when(t)));
        }
        stack_choices(
            frame,
            area,
            ctx,
            vec![
                Part::para(s::RECOVERY_CODE_INTRO),
                Part::Gap,
                Part::Text(status_lines),
                Part::Gap,
                Part::para(s::RECOVERY_CODE_NO_RETRIEVE),
            ],
            &self.form,
        );
    }
}

/// "Generate a new code?" answered yes: the code is made on the worker.
pub fn generate_if_confirmed(ctx: &mut Ctx, kind: DialogKind) -> Go {
    if kind == DialogKind::Generate {
        ctx.request(Job::GenerateRecoveryCode);
    }
    None
}

/// The new code, shown once.
pub fn code_generated(code: Secret) -> Screen {
    Screen::CodeShown(super::code_shown::CodeShown::after_generate(code))
}
