//! **Can't sign in?** — the sign-in helper: the username, "What's happening?", then the
//! diagnosis from `domain::sign_in_helper` with the exact self-service path, numbered.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::identifier;
use crate::domain::sign_in_helper::{Diagnosis, Symptom, diagnose_in};
use crate::store::read::AccountView;
use crate::tui::TextField;
use crate::tui::keys::{Binding, Key};
use crate::tui::sanitize;
use crate::worker::{Job, Outcome};

use super::{Go, Page, Screen, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, hanging, heading, stack};

const USERNAME_KEYS: &[Binding<Action>] = &[k::CONTINUE, k::BACK, k::HELP, k::QUIT];

const SYMPTOM_KEYS: &[Binding<Action>] = &[
    k::SELECT,
    k::NEXT,
    k::PREV,
    k::BACK,
    k::ASK_QUIT,
    k::HELP,
    k::QUIT,
];

const DIAGNOSIS_KEYS: &[Binding<Action>] = &[
    k::SELECT,
    Binding {
        keys: &[Key::Down, Key::PageDown],
        label: "Scroll",
        action: Action::ScrollDown,
    },
    Binding {
        keys: &[Key::Up, Key::PageUp],
        label: "Scroll up",
        action: Action::ScrollUp,
    },
    Binding {
        keys: &[Key::Tab],
        label: "Next choice",
        action: Action::Next,
    },
    Binding {
        keys: &[Key::BackTab],
        label: "Previous choice",
        action: Action::Prev,
    },
    k::BACK,
    k::ASK_QUIT,
    k::HELP,
    k::QUIT,
];

/// Rows of the diagnosis visible at 80×24 (the scroll limit is worked out for that size).
const VISIBLE_AT_MIN: u16 = 15;
/// Width of the text at 80 columns.
const WIDTH_AT_MIN: u16 = 76;

#[derive(Debug)]
enum Stage {
    Username,
    Symptom {
        view: AccountView,
    },
    Diagnosis {
        view: AccountView,
        diagnosis: Diagnosis,
        scroll: u16,
    },
}

#[derive(Debug)]
pub struct Helper {
    stage: Stage,
    form: Form,
}

fn symptom_form() -> Form {
    Form::menu(&[s::SYMPTOM_FORGOT, s::SYMPTOM_LOST_METHODS, s::SYMPTOM_OTHER])
}

/// The diagnosis laid out in rows of `width` columns (bullets and numbers hang).
fn diagnosis_lines(ctx: &Ctx, d: &Diagnosis, width: u16) -> Vec<Line<'static>> {
    let mut lines = hanging(
        Span::raw(""),
        s::helper_headline(d.case),
        width,
        ctx.theme.accent,
    );
    lines.push(Line::raw(""));
    lines.push(heading(ctx, s::HELPER_FINDINGS));
    for f in &d.findings {
        lines.extend(hanging(
            Span::raw("• "),
            &sanitize(&s::for_holder(f)),
            width,
            ctx.theme.normal,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(heading(ctx, s::HELPER_STEPS));
    for (i, step) in d.steps.iter().enumerate() {
        lines.extend(hanging(
            Span::styled(format!("{}. ", i + 1), ctx.theme.accent),
            &sanitize(&s::for_holder(step)),
            width,
            ctx.theme.normal,
        ));
    }
    lines
}

impl Helper {
    /// Starting from the username (prefilled with what was typed on Sign in).
    pub fn new(username: &str) -> Helper {
        let mut field = TextField::new(s::FIELD_USERNAME, identifier::USERNAME_MAX);
        field.set_value(username);
        let none: &[&str] = &[];
        Helper {
            stage: Stage::Username,
            form: Form::new(vec![field], none),
        }
    }

    /// Starting from "What's happening?" for an account already looked up.
    pub fn for_account(view: AccountView) -> Helper {
        Helper {
            stage: Stage::Symptom { view },
            form: symptom_form(),
        }
    }

    /// Straight to the diagnosis for `symptom`.
    pub fn diagnosis(ctx: &Ctx, view: AccountView, symptom: Symptom) -> Helper {
        let mut h = Helper::for_account(view);
        h.diagnose(ctx, symptom);
        h
    }

    fn diagnose(&mut self, ctx: &Ctx, symptom: Symptom) {
        let Stage::Symptom { view } = std::mem::replace(&mut self.stage, Stage::Username) else {
            return;
        };
        let diagnosis = diagnose_in(&view, ctx.now(), symptom, ctx.tz);
        self.stage = Stage::Diagnosis {
            view,
            diagnosis,
            scroll: 0,
        };
        self.form = Form::menu(&[s::SIGN_IN_NOW, s::CHECK_ANOTHER]);
    }

    fn username(&self) -> String {
        match &self.stage {
            Stage::Username => self.form.field(0).value().to_string(),
            Stage::Symptom { view } | Stage::Diagnosis { view, .. } => {
                view.account.username.clone()
            }
        }
    }
}

impl Page for Helper {
    fn title(&self) -> &str {
        s::TITLE_HELPER
    }
    fn keys(&self) -> &'static [Binding<Action>] {
        match self.stage {
            Stage::Username => USERNAME_KEYS,
            Stage::Symptom { .. } => SYMPTOM_KEYS,
            Stage::Diagnosis { .. } => DIAGNOSIS_KEYS,
        }
    }
    fn form(&self) -> Option<&Form> {
        Some(&self.form)
    }
    fn form_mut(&mut self) -> Option<&mut Form> {
        Some(&mut self.form)
    }

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        let event = self.form.handle(ev, self.keys());
        match (&mut self.stage, event) {
            (Stage::Username, FormEvent::Submit) => {
                let typed = self.form.field(0).value().trim().to_string();
                if typed.is_empty() {
                    ctx.error(s::ENTER_USERNAME);
                    return None;
                }
                match identifier::username(&typed) {
                    Ok(username) => {
                        ctx.request(Job::Find { username }, s::BUSY_LOOKUP);
                    }
                    Err(e) => ctx.error(e.to_string()),
                }
                None
            }
            (Stage::Username, FormEvent::Action(Action::Back)) => Some(Screen::SignIn(
                super::sign_in::SignIn::new(self.form.field(0).value()),
            )),
            (Stage::Symptom { .. }, FormEvent::Choose(i)) => {
                let symptom = match i {
                    0 => Symptom::ForgotPassword,
                    1 => Symptom::LostMethods,
                    _ => Symptom::NotSure,
                };
                self.diagnose(ctx, symptom);
                None
            }
            (Stage::Symptom { view }, FormEvent::Action(Action::Back)) => {
                let name = view.account.username.clone();
                *self = Helper::new(&name);
                None
            }
            (Stage::Diagnosis { .. }, FormEvent::Choose(0)) => Some(Screen::SignIn(
                super::sign_in::SignIn::new(&self.username()),
            )),
            (
                Stage::Diagnosis { view, .. },
                FormEvent::Choose(_) | FormEvent::Action(Action::Back),
            ) => {
                let view = view.clone();
                *self = Helper::for_account(view);
                None
            }
            (
                Stage::Diagnosis {
                    diagnosis, scroll, ..
                },
                FormEvent::Action(a @ (Action::ScrollDown | Action::ScrollUp)),
            ) => {
                let total = u16::try_from(diagnosis_lines(ctx, diagnosis, WIDTH_AT_MIN).len())
                    .unwrap_or(u16::MAX);
                let max = total.saturating_sub(VISIBLE_AT_MIN);
                *scroll = if a == Action::ScrollDown {
                    (*scroll + 3).min(max)
                } else {
                    scroll.saturating_sub(3)
                };
                None
            }
            (_, FormEvent::Action(a)) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            Outcome::Found(Ok(view)) => {
                *self = Helper::for_account(view);
                None
            }
            Outcome::Found(Err(e)) => {
                ctx.error(e.to_string());
                None
            }
            _ => None,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        match &self.stage {
            Stage::Username => stack(
                frame,
                area,
                ctx,
                vec![
                    Part::para(s::HELPER_INTRO),
                    Part::Gap,
                    Part::Field(self.form.field(0), true),
                    Part::Status,
                ],
            ),
            Stage::Symptom { view } => stack(
                frame,
                area,
                ctx,
                vec![
                    Part::para(s::account_line(&sanitize(&view.account.username))),
                    Part::Gap,
                    Part::Text(vec![heading(ctx, s::HELPER_WHATS_HAPPENING)]),
                    Part::Gap,
                    Part::Menu(&self.form.menu, self.form.menu_focused()),
                    Part::Gap,
                    Part::Status,
                ],
            ),
            Stage::Diagnosis {
                view,
                diagnosis,
                scroll,
            } => {
                stack(
                    frame,
                    area,
                    ctx,
                    vec![Part::para(s::account_line(&sanitize(
                        &view.account.username,
                    )))],
                );
                // Account line and a gap on top; gap, choices and status at the bottom.
                let bottom_h = 1 + self.form.menu.height() + 1;
                let top = area.y + 2;
                let h = area.bottom().saturating_sub(top).saturating_sub(bottom_h);
                let body = Rect::new(area.x, top, area.width, h);
                let lines = diagnosis_lines(ctx, diagnosis, area.width);
                let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
                let scroll = (*scroll).min(total.saturating_sub(h));
                frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
                let below = Rect::new(area.x, top + h, area.width, 1);
                if scroll + h < total {
                    frame.render_widget(
                        Paragraph::new(Line::styled("↓ more (PgDn)", ctx.theme.hint))
                            .right_aligned(),
                        below,
                    );
                }
                let rest = Rect::new(
                    area.x,
                    top + h + 1,
                    area.width,
                    area.bottom().saturating_sub(top + h + 1),
                );
                stack(
                    frame,
                    rest,
                    ctx,
                    vec![
                        Part::Menu(&self.form.menu, self.form.menu_focused()),
                        Part::Status,
                    ],
                );
            }
        }
    }
}
