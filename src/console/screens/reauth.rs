//! Enter your password again: a privileged change (generate a code, add or remove a method,
//! two-step verification) more than 10 minutes after signing in. On success the change is
//! retried at once and the screen it came from is shown again.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::service::Attempt;
use crate::tui::keys::Binding;

use super::{Go, Page, Screen, common, password_field};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack};

const KEYS: &[Binding<Action>] = &[k::CONTINUE, k::BACK, k::REVEAL, k::HELP, k::QUIT];

pub struct Reauth {
    retry: Option<Job>,
    back: Box<Screen>,
    form: Form,
}

impl std::fmt::Debug for Reauth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reauth")
            .field("back", &self.back.name())
            .finish_non_exhaustive()
    }
}

impl Reauth {
    pub fn new(retry: Job, back: Screen) -> Reauth {
        let none: &[&str] = &[];
        Reauth {
            retry: Some(retry),
            back: Box::new(back),
            form: Form::new(vec![password_field(s::FIELD_PASSWORD)], none),
        }
    }

    fn back(&mut self) -> Screen {
        std::mem::replace(&mut *self.back, Screen::start())
    }
}

impl Page for Reauth {
    form_page!(s::TITLE_REAUTH, s::ABOUT_REAUTH, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                let password = super::typed_password(ctx, &mut self.form)?;
                ctx.request(Job::Reauthenticate { password });
                None
            }
            FormEvent::Action(Action::Back) => Some(self.back()),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        let Outcome::Reauthenticated(r) = outcome else {
            return None;
        };
        match r {
            Attempt::Accepted(()) => {
                let job = self.retry.take()?;
                ctx.request(job);
                Some(self.back())
            }
            Attempt::Wrong { tries_left } => {
                ctx.error(s::password_wrong(tries_left));
                None
            }
            Attempt::LockedNow { until } | Attempt::Locked { until } => {
                let u = ctx.until(until);
                ctx.error(s::reauth_locked(&u));
                None
            }
            Attempt::Blocked => {
                ctx.error(s::PASSWORD_BLOCKED);
                None
            }
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let parts = headed(
            super::signed_in(ctx),
            vec![
                Part::para(s::REAUTH_INTRO),
                Part::Gap,
                Part::Field(self.form.field(0), true),
                Part::Status,
            ],
        );
        stack(frame, area, ctx, parts);
    }
}
