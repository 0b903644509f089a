//! The sign-in helper (SPEC §1.8, §6): the agent picks the customer's problem and answers the
//! helper's yes/no questions (does the customer still know the password, can they get codes,
//! do they have the recovery code), the worker runs `domain::sign_in_helper::desk_next` on the
//! account's current state and the answers after each, and this screen shows the next question
//! or the headline, the numbered self-service steps to read to the customer and the findings.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::account::{layout, scroll_note};
use super::{
    Action, Ctx, Note, SCROLL_KEYS, back, choice_keys, hanging, render_rows, render_status,
    rows_of, scrolling_choice_keys, table,
};
use crate::desk::strings as s;
use crate::domain::model::AccountView;
use crate::domain::sign_in_helper::{Answers, DeskNext, Diagnosis, Question, Route, Symptom};
use crate::tui::form::FormEvent;
use crate::tui::keys::Binding;
use crate::tui::layout::Viewport;
use crate::tui::paint;
use crate::tui::sanitize::{Clean, sanitize};
use crate::tui::{Menu, Theme};

/// The symptoms, in the order the question lists them.
pub const SYMPTOMS: [Symptom; 3] = [
    Symptom::ForgotPassword,
    Symptom::LostMethods,
    Symptom::NotSure,
];

/// The words for a symptom.
pub fn symptom_label(symptom: Symptom) -> &'static str {
    match symptom {
        Symptom::ForgotPassword => s::HELPER_SYMPTOMS[0],
        Symptom::LostMethods => s::HELPER_SYMPTOMS[1],
        Symptom::NotSure => s::HELPER_SYMPTOMS[2],
    }
}

/// Keys while the question is asked.
pub const ASK_KEYS: &[Binding<Action>] = &table::<4>(&[
    &choice_keys(s::K_SELECT, s::H_SELECT),
    &[back(s::K_BACK_TO_ACCOUNT, s::H_BACK)],
]);

/// Keys while the result is shown.
pub const RESULT_KEYS: &[Binding<Action>] = &table::<8>(&[
    &scrolling_choice_keys(s::K_SELECT, s::H_SELECT),
    &SCROLL_KEYS,
    &[back(s::K_BACK_TO_QUESTION, s::H_BACK)],
]);

/// What the helper screen is showing.
#[derive(Debug)]
pub enum Phase {
    /// What is the customer's problem?
    Ask,
    /// A yes/no question, after the answers so far.
    Question {
        answers: Answers,
        question: Question,
    },
    Result {
        answers: Answers,
        diagnosis: Diagnosis,
        scroll: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    None,
    /// Run the helper on these answers.
    Diagnose(Answers),
    BackToAccount,
    FindAnother,
    /// Put these words (the numbered steps, sanitised) on the clipboard.
    Copy(String),
}

/// The helper screen, for one account.
#[derive(Debug)]
pub struct HelperScreen {
    pub view: Box<Clean<AccountView>>,
    pub phase: Phase,
    pub menu: Menu,
    pub notice: Option<Note>,
    /// The result's rows and the rows that fitted, as last drawn (scrolling stops there).
    pub viewport: Viewport,
    /// The answer just taken back (Esc), selected when its question comes again.
    taken_back: Option<(Question, bool)>,
}

impl HelperScreen {
    pub fn new(view: Box<Clean<AccountView>>) -> Self {
        HelperScreen {
            view,
            phase: Phase::Ask,
            menu: Menu::new(s::HELPER_SYMPTOMS),
            notice: None,
            viewport: Viewport::default(),
            taken_back: None,
        }
    }

    /// The helper's next question or its answer arrived (with the account as it was read
    /// for it).
    pub fn show(&mut self, view: Box<Clean<AccountView>>, answers: Answers, next: DeskNext) {
        self.view = view;
        self.notice = None;
        match next {
            DeskNext::Ask(question) => {
                self.menu = Menu::new(s::HELPER_ANSWERS);
                if let Some((q, yes)) = self.taken_back.take()
                    && q == question
                {
                    self.menu.select(if yes { 0 } else { 1 });
                }
                self.phase = Phase::Question { answers, question };
            }
            DeskNext::Give(diagnosis) => {
                self.taken_back = None;
                self.phase = Phase::Result {
                    answers,
                    diagnosis,
                    scroll: 0,
                };
                self.menu = Menu::new(s::HELPER_RESULT_CHOICES);
            }
        }
    }

    /// Back to the first question (the problem), with `symptom` selected.
    fn ask(&mut self, symptom: Option<Symptom>) {
        let chosen = symptom.and_then(|sym| SYMPTOMS.iter().position(|x| *x == sym));
        self.phase = Phase::Ask;
        self.menu = Menu::new(s::HELPER_SYMPTOMS);
        self.menu.select(chosen.unwrap_or(0));
        self.notice = None;
    }

    /// Back one question: the last answer is taken back and the helper asked again.
    fn back(&mut self) -> Outcome {
        let answers = match &self.phase {
            Phase::Ask => return Outcome::BackToAccount,
            Phase::Question { answers, .. } | Phase::Result { answers, .. } => answers.clone(),
        };
        let mut earlier = answers.clone();
        if earlier.undo() {
            self.taken_back = answers.given().last().copied();
            Outcome::Diagnose(earlier)
        } else {
            self.ask(Some(answers.symptom));
            Outcome::None
        }
    }

    /// The key table of the current phase.
    pub fn keys(&self) -> &'static [Binding<Action>] {
        match self.phase {
            Phase::Ask | Phase::Question { .. } => ASK_KEYS,
            Phase::Result { .. } => RESULT_KEYS,
        }
    }

    pub fn on_key(&mut self, ev: &KeyEvent) -> Outcome {
        let keys = self.keys();
        match super::on_menu(&mut self.menu, keys, ev) {
            FormEvent::Choose(i) => self.choose(i),
            FormEvent::Action(Action::Scroll(how)) => {
                if let Phase::Result { scroll, .. } = &mut self.phase {
                    let (total, height) = (self.viewport.total(), self.viewport.height());
                    *scroll = super::scrolled(*scroll, how, total, height);
                }
                Outcome::None
            }
            FormEvent::Action(Action::Back) => self.back(),
            // Reload is not in the helper's tables.
            _ => Outcome::None,
        }
    }

    fn choose(&mut self, index: usize) -> Outcome {
        match &self.phase {
            Phase::Ask => SYMPTOMS
                .get(index)
                .map_or(Outcome::None, |sym| Outcome::Diagnose(Answers::new(*sym))),
            Phase::Question { answers, question } => {
                let mut answers = answers.clone();
                answers.answer(*question, index == 0);
                Outcome::Diagnose(answers)
            }
            Phase::Result {
                answers, diagnosis, ..
            } => match index {
                0 => {
                    let symptom = answers.symptom;
                    self.ask(Some(symptom));
                    Outcome::None
                }
                1 => Outcome::BackToAccount,
                2 => Outcome::FindAnother,
                3 => {
                    self.notice = Some(Note::info(s::STEPS_COPIED));
                    Outcome::Copy(steps_text(diagnosis))
                }
                _ => Outcome::None,
            },
        }
    }

    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let theme = ctx.theme;
        let w = usize::from(area.width);
        let a = &self.view.account;
        let heading = Line::styled(s::helper_for(&a.username, a.id), theme.title);
        match &self.phase {
            Phase::Ask => {
                let parts = rows_of(area, &[1, 1, 1, 1, self.menu.height(), 1, area.height]);
                paint::line(
                    frame.buffer_mut(),
                    parts[0].x,
                    parts[0].y,
                    &heading,
                    parts[0].width,
                );
                let question = hanging("", s::HELPER_QUESTION, w, theme.normal, theme.normal);
                render_rows(&question, 0, parts[2], frame.buffer_mut());
                self.menu.render(parts[4], frame.buffer_mut(), theme, true);
                render_status(
                    ctx,
                    s::DIAGNOSING,
                    self.notice.as_ref(),
                    None,
                    parts[6],
                    frame.buffer_mut(),
                );
            }
            Phase::Question { answers, question } => {
                let mut rows = heading_rows(&self.view, answers, theme, w);
                rows.extend(hanging(
                    "",
                    &s::helper_question(*question, &self.view),
                    w,
                    theme.normal,
                    theme.normal,
                ));
                let top = rows.len().min(usize::from(area.height)) as u16;
                let parts = rows_of(area, &[top, 1, self.menu.height(), 1, area.height]);
                render_rows(&rows, 0, parts[0], frame.buffer_mut());
                self.menu.render(parts[2], frame.buffer_mut(), theme, true);
                render_status(
                    ctx,
                    s::DIAGNOSING,
                    self.notice.as_ref(),
                    None,
                    parts[4],
                    frame.buffer_mut(),
                );
            }
            Phase::Result {
                answers,
                diagnosis,
                scroll,
            } => {
                let l = layout(area, self.menu.height());
                let rows = result_rows(&self.view, answers, diagnosis, theme, l.content.width);
                self.viewport.drawn(rows.len(), l.content.height);
                let offset = super::clamp_scroll(*scroll, rows.len(), l.content.height);
                render_rows(&rows, offset, l.content, frame.buffer_mut());
                let position = scroll_note(offset, rows.len(), l.content.height);
                render_status(
                    ctx,
                    s::DIAGNOSING,
                    self.notice.as_ref(),
                    position.as_deref(),
                    l.status,
                    frame.buffer_mut(),
                );
                self.menu.render(l.menu, frame.buffer_mut(), theme, true);
            }
        }
    }
}

/// The steps as the agent reads them, numbered, one per line, for the clipboard. Each line is
/// sanitised again: only text reaches the terminal, inside the OSC 52 sequence.
pub fn steps_text(d: &Diagnosis) -> String {
    d.steps
        .iter()
        .enumerate()
        .map(|(i, step)| sanitize(&format!("{}. {}", i + 1, s::helper_step(step))))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whose account, the problem and the answers so far, then a blank row: the top of a
/// question and of the result.
fn heading_rows(
    view: &Clean<AccountView>,
    answers: &Answers,
    theme: &Theme,
    w: usize,
) -> Vec<Line<'static>> {
    let a = &view.account;
    let mut rows = hanging(
        "",
        &s::helper_result_heading(&a.username, a.id, symptom_label(answers.symptom)),
        w,
        theme.hint,
        theme.hint,
    );
    if !answers.given().is_empty() {
        rows.extend(hanging(
            "",
            &s::helper_answers(answers.given()),
            w,
            theme.hint,
            theme.hint,
        ));
    }
    rows.push(Line::raw(""));
    rows
}

/// The result as rows wrapped to `width`: heading, headline, findings, numbered steps. The
/// diagnosis quotes the username, so everything is sanitised.
pub fn result_rows(
    view: &Clean<AccountView>,
    answers: &Answers,
    d: &Diagnosis,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let w = usize::from(width);
    let mut rows = heading_rows(view, answers, theme, w);
    // The diagnosis was made from the sanitised view (`DeskWorker::load`), so the words below
    // hold no raw text from the database.
    let headline_style = match d.route {
        Route::CannotRecover(_) => theme.warning,
        _ if d.wait.is_some() => theme.warning,
        _ => theme.success,
    };
    rows.extend(hanging(
        "",
        &s::helper_headline(d),
        w,
        headline_style,
        headline_style,
    ));
    rows.push(Line::raw(""));
    // The steps come first: they are what the agent reads out.
    rows.push(Line::from(Span::styled(s::STEPS, theme.title)));
    let numbers = d.steps.len().to_string().len();
    for (i, step) in d.steps.iter().enumerate() {
        let n = format!("{:>numbers$}. ", i + 1);
        let step = s::helper_step(step);
        rows.extend(hanging(&n, &step, w, theme.accent, theme.normal));
    }
    rows.push(Line::raw(""));
    rows.push(Line::from(Span::styled(s::FINDINGS, theme.title)));
    for f in &d.findings {
        let f = s::helper_finding(f);
        rows.extend(hanging("• ", &f, w, theme.hint, theme.normal));
    }
    rows
}
