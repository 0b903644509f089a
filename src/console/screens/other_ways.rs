//! Other ways to sign in: **Use my password** (the seed page's way back to **Forgot
//! password?**) and the sign-in helper.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::domain::model::AccountView;
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
    form: Form,
}

impl OtherWays {
    pub fn new(view: Clean<AccountView>) -> OtherWays {
        OtherWays {
            view,
            form: Form::menu(&[s::USE_MY_PASSWORD, s::CANT_SIGN_IN]),
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
            FormEvent::Choose(_) => Some(Screen::Helper(super::helper::Helper::for_username(
                self.view.username(),
            ))),
            FormEvent::Action(a) => common(ctx, a),
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
