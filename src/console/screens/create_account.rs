//! Create account: username, password and its confirmation, checked against the password
//! rule as you submit; the new account is signed in.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::console::jobs::{Job, Outcome};
use crate::domain::identifier;
use crate::tui::TextField;
use crate::tui::keys::Binding;

use super::{Go, Page, Screen, common, password_field};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, stack};

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
pub struct CreateAccount {
    form: Form,
}

impl CreateAccount {
    pub fn new() -> CreateAccount {
        let none: &[&str] = &[];
        CreateAccount {
            form: Form::new(
                vec![
                    TextField::new(s::FIELD_USERNAME, identifier::USERNAME_MAX),
                    password_field(s::FIELD_PASSWORD),
                    password_field(s::FIELD_CONFIRM_PASSWORD),
                ],
                none,
            ),
        }
    }

    fn submit(&mut self, ctx: &mut Ctx) -> Go {
        let username = match identifier::username(self.form.field(0).value()) {
            Ok(u) => u,
            Err(e) => {
                ctx.error(e.to_string());
                self.form.focus_field(0);
                return None;
            }
        };
        let (pass, confirm) = super::new_password(ctx, &mut self.form, 1, &username)?;
        ctx.request(Job::CreateAccount {
            username,
            password: pass,
            confirm,
        });
        None
    }
}

crate::tui::default_is_new!(CreateAccount);

impl Page for CreateAccount {
    form_page!(s::TITLE_CREATE, s::ABOUT_CREATE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => self.submit(ctx),
            FormEvent::Action(Action::Back) => {
                Some(Screen::SignIn(super::sign_in::SignIn::new("")))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_failed(&mut self, _ctx: &mut Ctx) -> Go {
        self.form.focus_field(0);
        None
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::Created(_) => {
                ctx.success(s::WELCOME);
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let f = |i: usize| Part::Field(self.form.field(i), self.form.field_focus() == Some(i));
        stack(
            frame,
            area,
            ctx,
            vec![
                Part::para(s::CREATE_INTRO),
                Part::Gap,
                f(0),
                f(1),
                f(2),
                Part::Text(vec![Line::styled(s::PASSWORD_RULE, ctx.theme.hint)]),
                Part::Gap,
                Part::Status,
            ],
        );
    }
}
