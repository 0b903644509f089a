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

/// The choices, in order: the password, a code to each verified method, the app, the helper.
#[derive(Debug, Clone)]
enum Way {
    Password,
    Code(Clean<MethodRow>),
    App,
    Helper,
}

#[derive(Debug)]
pub struct OtherWays {
    view: Clean<AccountView>,
    ways: Vec<Way>,
    /// The method a code was just asked for.
    sending: Option<Clean<MethodRow>>,
    form: Form,
}

impl OtherWays {
    pub fn new(view: Clean<AccountView>) -> OtherWays {
        let mut ways = vec![Way::Password];
        ways.extend(view.clean_verified().into_iter().map(Way::Code));
        if view.app.is_some() {
            ways.push(Way::App);
        }
        ways.push(Way::Helper);
        let labels: Vec<String> = ways
            .iter()
            .map(|w| match w {
                Way::Password => s::USE_MY_PASSWORD.to_string(),
                Way::Code(m) => s::send_sign_in_code(&m.masked()),
                Way::App => s::USE_APP.to_string(),
                Way::Helper => s::CANT_SIGN_IN.to_string(),
            })
            .collect();
        OtherWays {
            view,
            ways,
            sending: None,
            form: Form::menu(&labels),
        }
    }
}

impl Page for OtherWays {
    form_page!(s::TITLE_OTHER_WAYS, s::ABOUT_OTHER_WAYS, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        let way = match self.form.handle(ev, KEYS) {
            FormEvent::Choose(i) => self.ways.get(i)?.clone(),
            FormEvent::Action(Action::Back) => Way::Password,
            FormEvent::Action(a) => return common(ctx, a),
            _ => return None,
        };
        match way {
            Way::Password => Some(super::password::Password::screen(ctx, self.view.clone())),
            Way::Code(method) => {
                ctx.request(Job::SendCode {
                    account_id: self.view.account.id,
                    method_id: method.id,
                    purpose: Purpose::CodeSignIn,
                });
                self.sending = Some(method);
                None
            }
            Way::App => Some(super::app_code::AppCode::screen(
                self.view.clone(),
                Purpose::CodeSignIn,
                Screen::OtherWays(OtherWays::new(self.view.clone())),
            )),
            Way::Helper => Some(Screen::Helper(super::helper::Helper::for_username(
                self.view.username(),
            ))),
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
