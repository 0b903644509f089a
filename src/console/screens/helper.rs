//! **Can't sign in?** — the sign-in helper, before sign-in: the username, "What's happening?",
//! a yes/no question or two, then the self-service path, numbered. Anyone can type any
//! username here, so what it shows depends only on the answers (`holder_next`), never on the
//! account: no two-step state, recovery-code status, lock or pending date (SPEC §4). It checks
//! only that the username exists, as the sign-in screen does.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::console::jobs::Outcome;
use crate::domain::identifier;
use crate::domain::sign_in_helper::{Answers, HolderPath, Next, Question, Symptom, holder_next};
use crate::tui::TextField;
use crate::tui::keys::{Binding, Key, bind};
use crate::tui::layout::Viewport;
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, hanging, headed, heading, stack};

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

const PATH_KEYS: &[Binding<Action>] = &[
    k::SELECT,
    bind(&[Key::Down, Key::PageDown], "Scroll", Action::ScrollDown).hinted("Scroll"),
    bind(&[Key::Up, Key::PageUp], "Scroll up", Action::ScrollUp).hinted("Scroll up"),
    bind(&[Key::Tab], "Next choice", Action::Next).hinted("Next choice"),
    bind(&[Key::BackTab], "Previous choice", Action::Prev),
    k::BACK,
    k::ASK_QUIT,
    k::HELP,
    k::QUIT,
];

/// Where the helper is. Past the username it holds the account's name (clean, as the lookup
/// gave it) and the answers: nothing else read from the account.
#[derive(Debug)]
enum Stage {
    Username,
    Symptom {
        username: Clean<String>,
    },
    Question {
        username: Clean<String>,
        answers: Answers,
        question: Question,
    },
    Path {
        username: Clean<String>,
        answers: Answers,
        path: HolderPath,
        scroll: u16,
    },
}

#[derive(Debug)]
pub struct Helper {
    stage: Stage,
    form: Form,
    /// The path's rows and the rows that fitted, as last drawn (scrolling stops there).
    viewport: Viewport,
}

fn symptom_form() -> Form {
    Form::menu(&[s::SYMPTOM_FORGOT, s::SYMPTOM_LOST_METHODS, s::SYMPTOM_OTHER])
}

/// The path laid out in rows of `width` columns (numbers hang).
fn path_lines(
    ctx: &Ctx,
    username: &Clean<String>,
    path: HolderPath,
    width: u16,
) -> Vec<Line<'static>> {
    let mut lines = hanging(
        Span::raw(""),
        s::helper_headline(path),
        width,
        ctx.theme.accent,
    );
    lines.push(Line::raw(""));
    lines.push(heading(ctx, s::HELPER_STEPS));
    for (i, step) in path.steps().iter().enumerate() {
        lines.extend(hanging(
            Span::styled(format!("{}. ", i + 1), ctx.theme.accent),
            &s::helper_step(*step, username),
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
            viewport: Viewport::default(),
        }
    }

    /// Starting from "What's happening?" for a username already looked up.
    pub fn for_username(username: Clean<String>) -> Helper {
        Helper {
            stage: Stage::Symptom { username },
            form: symptom_form(),
            viewport: Viewport::default(),
        }
    }

    /// Going on from what the person has already said (on the recovery screens, say).
    pub fn with_answers(username: Clean<String>, answers: Answers) -> Helper {
        let mut h = Helper::for_username(username.clone());
        h.advance(username, answers);
        h
    }

    /// Asks the next question, or gives the path.
    fn advance(&mut self, username: Clean<String>, answers: Answers) {
        match holder_next(&answers) {
            Next::Ask(question) => {
                self.stage = Stage::Question {
                    username,
                    answers,
                    question,
                };
                self.form = Form::menu(&[s::YES, s::NO]);
            }
            Next::Give(path) => {
                self.stage = Stage::Path {
                    username,
                    answers,
                    path,
                    scroll: 0,
                };
                self.form = Form::menu(&[s::SIGN_IN_NOW, s::CHECK_ANOTHER]);
            }
        }
    }

    /// Takes back the last answer: the question before, or "What's happening?".
    fn back(&mut self, username: Clean<String>, mut answers: Answers) {
        if answers.undo() {
            self.advance(username, answers);
        } else {
            *self = Helper::for_username(username);
        }
    }

    fn username(&self) -> String {
        match &self.stage {
            Stage::Username => self.form.field(0).value().to_string(),
            Stage::Symptom { username }
            | Stage::Question { username, .. }
            | Stage::Path { username, .. } => username.to_string(),
        }
    }
}

impl Page for Helper {
    fn purpose(&self) -> &'static str {
        s::ABOUT_HELPER
    }
    fn title(&self) -> &str {
        s::TITLE_HELPER
    }
    fn keys(&self) -> &'static [Binding<Action>] {
        match self.stage {
            Stage::Username => USERNAME_KEYS,
            Stage::Symptom { .. } | Stage::Question { .. } => SYMPTOM_KEYS,
            Stage::Path { .. } => PATH_KEYS,
        }
    }
    form_of!();

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        let event = self.form.handle(ev, self.keys());
        match (&mut self.stage, event) {
            (Stage::Username, FormEvent::Submit) => super::look_up(ctx, self.form.field(0).value()),
            (Stage::Username, FormEvent::Action(Action::Back)) => Some(Screen::SignIn(
                super::sign_in::SignIn::new(self.form.field(0).value()),
            )),
            (Stage::Symptom { username }, FormEvent::Choose(i)) => {
                let symptom = match i {
                    0 => Symptom::ForgotPassword,
                    1 => Symptom::LostMethods,
                    _ => Symptom::NotSure,
                };
                let username = username.clone();
                self.advance(username, Answers::new(symptom));
                None
            }
            (Stage::Symptom { username }, FormEvent::Action(Action::Back)) => {
                *self = Helper::new(username);
                None
            }
            (
                Stage::Question {
                    username,
                    answers,
                    question,
                },
                FormEvent::Choose(i),
            ) => {
                let mut answers = answers.clone();
                answers.answer(*question, i == 0);
                let username = username.clone();
                self.advance(username, answers);
                None
            }
            (
                Stage::Question {
                    username, answers, ..
                }
                | Stage::Path {
                    username, answers, ..
                },
                FormEvent::Action(Action::Back),
            ) => {
                let (username, answers) = (username.clone(), answers.clone());
                self.back(username, answers);
                None
            }
            (Stage::Path { .. }, FormEvent::Choose(0)) => Some(Screen::SignIn(
                super::sign_in::SignIn::new(&self.username()),
            )),
            (Stage::Path { .. }, FormEvent::Choose(_)) => Some(Screen::Helper(Helper::new(""))),
            (
                Stage::Path { scroll, .. },
                FormEvent::Action(a @ (Action::ScrollDown | Action::ScrollUp)),
            ) => {
                let max = u16::try_from(self.viewport.max_scroll()).unwrap_or(u16::MAX);
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

    fn on_reply(&mut self, _ctx: &mut Ctx, outcome: Outcome) -> Go {
        match outcome {
            // Only the name is kept: the account's state is not the helper's to show.
            Outcome::Found(view) => {
                *self = Helper::for_username(view.username());
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
            Stage::Symptom { username } | Stage::Question { username, .. } => {
                let title = match &self.stage {
                    Stage::Question { question, .. } => heading(ctx, s::helper_question(*question)),
                    _ => heading(ctx, s::HELPER_WHATS_HAPPENING),
                };
                stack(
                    frame,
                    area,
                    ctx,
                    headed(
                        s::account_line(username),
                        vec![
                            Part::Text(vec![title]),
                            Part::Gap,
                            Part::Menu(&self.form.menu, self.form.menu_focused()),
                            Part::Gap,
                            Part::Status,
                        ],
                    ),
                )
            }
            Stage::Path {
                username,
                path,
                scroll,
                ..
            } => {
                stack(
                    frame,
                    area,
                    ctx,
                    vec![Part::para(s::account_line(username))],
                );
                // Account line and a gap on top; gap, choices and status at the bottom.
                let bottom_h = 1 + self.form.menu.height() + 1;
                let top = area.y + 2;
                let h = area.bottom().saturating_sub(top).saturating_sub(bottom_h);
                let body = Rect::new(area.x, top, area.width, h);
                let lines = path_lines(ctx, username, *path, area.width);
                let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
                self.viewport.drawn(lines.len(), h);
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
