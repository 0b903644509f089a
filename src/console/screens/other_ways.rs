//! Other ways to sign in: **Use my password** (the seed page's way back to **Forgot
//! password?**), **Send a code to …** for each verified email and phone (signing in with a code
//! instead of the password: with two-step verification on, the password is then the second
//! step), and the sign-in helper.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::{AccountView, MethodRow, Purpose};
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, common, signing_in};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, headed, stack};

const KEYS: &[Binding<Action>] = k::MENU_KEYS;

#[derive(Debug)]
pub struct OtherWays {
    view: Clean<AccountView>,
    /// The verified methods a sign-in code can go to, in menu order after Use my password.
    methods: Vec<Clean<MethodRow>>,
    /// The method a code was just asked for.
    sending: Option<Clean<MethodRow>>,
    form: Form,
}

impl OtherWays {
    pub fn new(view: Clean<AccountView>) -> OtherWays {
        let methods = view.clean_verified();
        let mut labels = vec![s::USE_MY_PASSWORD.to_string()];
        labels.extend(methods.iter().map(|m| s::send_sign_in_code(&m.masked())));
        if view.app.is_some() {
            labels.push(s::USE_APP.to_string());
        }
        labels.push(s::CANT_SIGN_IN.to_string());
        OtherWays {
            view,
            methods,
            sending: None,
            form: Form::menu(&labels),
        }
    }
}

impl Page for OtherWays {
    form_page!(s::TITLE_OTHER_WAYS, s::ABOUT_OTHER_WAYS, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(0) | FormEvent::Action(Action::Back) => {
                Some(super::password::Password::screen(ctx, self.view.clone()))
            }
            FormEvent::Choose(i) if i == self.methods.len() + 1 && self.view.app.is_some() => {
                let back = Screen::OtherWays(OtherWays::new(self.view.clone()));
                Some(super::app_code::AppCode::screen(
                    self.view.clone(),
                    Purpose::CodeSignIn,
                    back,
                ))
            }
            FormEvent::Choose(i) if i <= self.methods.len() => {
                let method = self.methods[i - 1].clone();
                ctx.request(Job::SendCode {
                    account_id: self.view.account.id,
                    method_id: method.id,
                    purpose: Purpose::CodeSignIn,
                });
                self.sending = Some(method);
                None
            }
            FormEvent::Choose(_) => Some(Screen::Helper(super::helper::Helper::for_username(
                self.view.username(),
            ))),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, _ctx: &mut Ctx, outcome: Outcome) -> Go {
        match (outcome, self.sending.take()) {
            (Outcome::CodeSent, Some(method)) => Some(Screen::MethodCode(
                super::method_code::MethodCode::for_sign_in(self.view.clone(), method),
            )),
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let methods: Vec<String> = self
            .view
            .clean_verified()
            .iter()
            .map(|m| m.masked().to_string())
            .collect();
        let note = if methods.is_empty() && self.view.recovery.active_since.is_none() {
            s::OTHER_WAYS_NOTHING.to_string()
        } else if methods.is_empty() {
            s::OTHER_WAYS_NO_METHOD.to_string()
        } else {
            s::other_ways_methods(&methods.join(" or "))
        };
        let head = headed(
            signing_in(&self.view),
            vec![
                Part::para(s::OTHER_WAYS_INTRO),
                Part::Gap,
                Part::Menu(&self.form.menu, self.form.menu_focused()),
                Part::Gap,
                Part::Text(vec![ratatui::text::Line::styled(note, ctx.theme.hint)]),
                Part::Gap,
                Part::Status,
            ],
        );
        stack(frame, area, ctx, head);
    }
}
