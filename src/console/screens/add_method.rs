//! Add email / Add phone: the address, then the verification code sent there (read it from
//! the outbox), then back to Manage with the method verified.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::console::jobs::{Job, Outcome};
use crate::domain::identifier;
use crate::domain::model::MethodKind;
use crate::domain::model::Purpose;
use crate::tui::TextField;
use crate::tui::keys::Binding;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, code_form, code_outcome, common, typed_code};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, stack, with_field};

const ADDRESS_KEYS: &[Binding<Action>] = &[k::CONTINUE, k::BACK, k::HELP, k::QUIT];

const CODE_KEYS: &[Binding<Action>] = k::FIELD_KEYS;

#[derive(Debug)]
enum Stage {
    Address,
    Code { method_id: i64 },
}

#[derive(Debug)]
pub struct AddMethod {
    kind: MethodKind,
    stage: Stage,
    form: Form,
    /// The normalised address being added, as it is shown: sanitised once when taken from
    /// the field (a paste could carry invisible or bidi characters).
    address: Clean<String>,
}

impl AddMethod {
    pub fn new(kind: MethodKind) -> AddMethod {
        let (label, cap) = match kind {
            MethodKind::Email => (s::FIELD_EMAIL, 254),
            MethodKind::Phone => (s::FIELD_PHONE, 32),
        };
        let none: &[&str] = &[];
        AddMethod {
            kind,
            stage: Stage::Address,
            form: Form::new(vec![TextField::new(label, cap)], none),
            address: Clean::new(String::new()),
        }
    }
}

impl Page for AddMethod {
    fn purpose(&self) -> &'static str {
        match self.kind {
            MethodKind::Email => s::ABOUT_ADD_EMAIL,
            MethodKind::Phone => s::ABOUT_ADD_PHONE,
        }
    }
    fn title(&self) -> &str {
        match self.kind {
            MethodKind::Email => s::TITLE_ADD_EMAIL,
            MethodKind::Phone => s::TITLE_ADD_PHONE,
        }
    }
    fn keys(&self) -> &'static [Binding<Action>] {
        match self.stage {
            Stage::Address => ADDRESS_KEYS,
            Stage::Code { .. } => CODE_KEYS,
        }
    }
    form_of!();

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        let event = self.form.handle(ev, self.keys());
        match (&self.stage, event) {
            (Stage::Address, FormEvent::Submit) => {
                let typed = self.form.field(0).value();
                let checked = match self.kind {
                    MethodKind::Email => identifier::email(typed),
                    MethodKind::Phone => identifier::phone(typed),
                };
                match checked {
                    Ok(address) => {
                        self.address = Clean::new(address.clone());
                        ctx.request(Job::AddMethod {
                            kind: self.kind,
                            address,
                        });
                    }
                    Err(e) => ctx.error(e.to_string()),
                }
                None
            }
            (Stage::Code { method_id }, FormEvent::Submit) => {
                let method_id = *method_id;
                let account_id = ctx.account_id()?;
                if let Some(code) = typed_code(ctx, &mut self.form) {
                    ctx.request(Job::CheckCode {
                        account_id,
                        method_id,
                        purpose: Purpose::VerifyMethod,
                        code,
                    });
                }
                None
            }
            (Stage::Code { method_id }, FormEvent::Choose(_)) => {
                let method_id = *method_id;
                let account_id = ctx.account_id()?;
                ctx.request(Job::SendCode {
                    account_id,
                    method_id,
                    purpose: Purpose::VerifyMethod,
                });
                None
            }
            (Stage::Address, FormEvent::Action(Action::Back)) => {
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            (Stage::Code { .. }, FormEvent::Action(Action::Back)) => {
                ctx.info(s::method_not_verified(&self.address));
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            (_, FormEvent::Action(a)) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::MethodAdded(method_id) => {
                self.form = code_form(&[s::SEND_AGAIN]);
                self.stage = Stage::Code { method_id };
                None
            }
            Outcome::CodeSent => {
                ctx.info(s::new_code_sent(&self.address));
                None
            }
            Outcome::Code(r, _) => {
                if code_outcome(ctx, r) {
                    ctx.success(s::method_verified(&self.address));
                    Some(Screen::Manage(super::manage::Manage::new(ctx)))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let parts = match self.stage {
            Stage::Address => vec![
                Part::para(match self.kind {
                    MethodKind::Email => "We'll send a code to this address to check it's yours.",
                    MethodKind::Phone => {
                        "We'll text a code to this number to check it's yours. Include the country code, like +1 555 010 0101."
                    }
                }),
                Part::Gap,
                Part::Field(self.form.field(0), true),
                Part::Status,
            ],
            Stage::Code { .. } => with_field(
                vec![
                    Part::para(s::method_added(&self.address)),
                    Part::para(s::CODE_RULE),
                    Part::Gap,
                ],
                &self.form,
            ),
        };
        stack(frame, area, ctx, parts);
    }
}
