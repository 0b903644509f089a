//! Sign in: the username, with **Create account** and **Can't sign in?** as numbered choices.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::Outcome;
use crate::domain::identifier;
use crate::tui::TextField;
use crate::tui::keys::Binding;

use super::{Go, Page, Screen, ask, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::{Ctx, DialogKind};
use crate::console::strings as s;
use crate::console::view::{Part, stack_field};

const KEYS: &[Binding<Action>] = &[
    k::CONTINUE,
    k::NEXT,
    k::PREV,
    k::ESC_QUIT,
    k::ASK_QUIT,
    k::HELP,
    k::QUIT,
];

/// The first screen.
#[derive(Debug)]
pub struct SignIn {
    form: Form,
}

impl SignIn {
    pub fn new(username: &str) -> SignIn {
        let mut field = TextField::new(s::FIELD_USERNAME, identifier::USERNAME_MAX);
        field.set_value(username);
        SignIn {
            form: Form::new(
                vec![field],
                &[s::CREATE_ACCOUNT, s::CANT_SIGN_IN, s::FORGOT_USERNAME],
            ),
        }
    }

    pub fn username(&self) -> &str {
        self.form.field(0).value()
    }

    pub fn is_empty(&self) -> bool {
        self.form.field(0).is_empty()
    }
}

impl Page for SignIn {
    form_page!(s::TITLE_SIGN_IN, s::ABOUT_SIGN_IN, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => super::look_up(ctx, self.username()),
            FormEvent::Choose(0) => Some(Screen::CreateAccount(
                super::create_account::CreateAccount::new(),
            )),
            FormEvent::Choose(1) => {
                Some(Screen::Helper(super::helper::Helper::new(self.username())))
            }
            FormEvent::Choose(_) => Some(Screen::ForgotUsername(
                super::forgot_username::ForgotUsername::new(),
            )),
            FormEvent::Action(Action::Back) => ask(ctx, DialogKind::Quit),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::Found(view) => Some(super::password::Password::screen(ctx, view)),
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let mut head = vec![Part::para(s::SIGN_IN_INTRO), Part::Gap];
        if ctx.empty_database {
            // First run: no username can be found yet, so say why and what to do instead.
            head.insert(
                0,
                Part::Text(vec![ratatui::text::Line::styled(
                    s::EMPTY_DATABASE,
                    ctx.theme.warning,
                )]),
            );
            head.insert(1, Part::Gap);
        }
        stack_field(frame, area, ctx, head, &self.form);
    }
}
