//! **Use a different verification option**: every verified method, then **I don't have any
//! of these** (on to **Do you have an account recovery code?**).

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::Outcome;
use crate::domain::model::{AccountView, MethodRow};
use crate::tui::sanitize::Clean;

use super::verify_identity::{KEYS, code_sent, send_recovery_code};
use super::{Go, Page, Screen, account_line, common, send_label};
use crate::console::keys::{Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack_choices};
use crate::domain::model::Purpose;

/// The choices, in order: a code to each verified method, the app, none of these.
#[derive(Debug, Clone)]
enum Way {
    Code(Clean<MethodRow>),
    App,
    NoneOfThese,
}

#[derive(Debug)]
pub struct Options {
    view: Clean<AccountView>,
    ways: Vec<Way>,
    form: Form,
    sending: Option<Clean<MethodRow>>,
}

impl Options {
    pub fn new(view: Clean<AccountView>) -> Options {
        let mut ways: Vec<Way> = view.clean_verified().into_iter().map(Way::Code).collect();
        if view.app.is_some() {
            ways.push(Way::App);
        }
        ways.push(Way::NoneOfThese);
        let choices: Vec<String> = ways
            .iter()
            .map(|w| match w {
                Way::Code(m) => send_label(m),
                Way::App => s::USE_APP.to_string(),
                Way::NoneOfThese => s::DONT_HAVE_ANY.to_string(),
            })
            .collect();
        Options {
            view,
            ways,
            form: Form::menu(&choices),
            sending: None,
        }
    }
}

impl Page for Options {
    form_page!(s::TITLE_OPTIONS, s::ABOUT_OPTIONS, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(i) => match self.ways.get(i)?.clone() {
                Way::Code(m) => {
                    send_recovery_code(ctx, &self.view, &m);
                    self.sending = Some(m);
                    None
                }
                Way::App => Some(super::app_code::AppCode::screen(
                    self.view.clone(),
                    Purpose::Recovery,
                    Screen::Options(Options::new(self.view.clone())),
                )),
                Way::NoneOfThese => {
                    Some(super::have_code::HaveCode::screen(ctx, self.view.clone()))
                }
            },
            FormEvent::Action(Action::Back) => Some(
                super::verify_identity::VerifyIdentity::screen(self.view.clone()),
            ),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, _ctx: &mut Ctx, outcome: Outcome) -> Go {
        code_sent(&self.view, self.sending.take(), outcome)
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let head = headed(account_line(&self.view), vec![Part::para(s::OPTIONS_INTRO)]);
        stack_choices(frame, area, ctx, head, &self.form);
    }
}
