//! Remove a method: choose which, confirm, and the service removes it (it refuses the last
//! verified method while two-step verification is on, and says so).

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::model::{AccountView, MethodRow};
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::{Ctx, DialogKind};
use crate::console::strings as s;
use crate::console::view::{Part, stack_choices};

const KEYS: &[Binding<Action>] = k::MENU_KEYS;

#[derive(Debug)]
pub struct RemoveMethod {
    methods: Vec<Clean<MethodRow>>,
    form: Form,
    removing: Option<Clean<String>>,
}

fn label(m: &Clean<MethodRow>) -> String {
    let state = if m.verified {
        s::VERIFIED
    } else {
        s::NOT_VERIFIED
    };
    format!("{}  {} ({state})", s::method_kind(m.kind), m.address)
}

impl RemoveMethod {
    pub fn new(view: &Clean<AccountView>) -> RemoveMethod {
        let methods = view.clean_methods();
        let labels: Vec<String> = methods.iter().map(label).collect();
        RemoveMethod {
            methods,
            form: Form::menu(&labels),
            removing: None,
        }
    }
}

impl Page for RemoveMethod {
    form_page!(s::TITLE_REMOVE, s::ABOUT_REMOVE, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Choose(i) => {
                let m = self.methods.get(i)?;
                ctx.ask(DialogKind::RemoveMethod {
                    method_id: m.id,
                    address: m.address(),
                });
                None
            }
            FormEvent::Action(Action::Back) => {
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_dialog(&mut self, ctx: &mut Ctx, kind: DialogKind) -> Go {
        if let DialogKind::RemoveMethod { method_id, address } = kind {
            self.removing = Some(address);
            ctx.request(Job::RemoveMethod { method_id });
        }
        None
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::Changed => {
                let address = self.removing.take();
                ctx.success(s::method_removed(
                    address.as_deref().map_or("", String::as_str),
                ));
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        stack_choices(
            frame,
            area,
            ctx,
            vec![Part::para(s::REMOVE_INTRO)],
            &self.form,
        );
    }
}
