//! **Add authenticator app**: a QR code for the phone's camera, the key as text for typing
//! into the app instead, and the `otpauth://` URI; then a current code from the app confirms
//! it. Where the terminal is too small for the code, the key and URI are shown alone, saying
//! so. The key is shown only here, only now.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::console::jobs::{Job, Outcome};
use crate::domain::totp;
use crate::service::NewApp;
use crate::tui::keys::Binding;
use crate::tui::qr::{QrRows, qr_rows};

use super::{Go, Page, Screen, app_code_outcome, code_form, common, typed_code};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::Ctx;
use crate::console::strings as s;
use crate::console::view::{Part, stack, stack_field};

const KEYS: &[Binding<Action>] = k::FIELD_KEYS;

/// Columns the text beside the QR code needs at least.
const TEXT_MIN: u16 = 33;

#[derive(Debug)]
pub struct AddApp {
    new: Box<NewApp>,
    /// The link as a QR code, encoded once (`None` if it fits in no code).
    qr: Option<QrRows>,
    form: Form,
}

impl AddApp {
    pub fn new(new: Box<NewApp>) -> AddApp {
        let qr = qr_rows(new.uri.expose().as_bytes());
        AddApp {
            new,
            qr,
            form: code_form(&[] as &[&str]),
        }
    }
}

/// Manage's **Add authenticator app**: a recent sign-in, then the new key (on the worker).
pub fn begin(ctx: &mut Ctx) -> Go {
    ctx.request(Job::BeginAddApp);
    None
}

/// What [`begin`] came to: the screen showing the key.
pub fn started(outcome: Outcome) -> Go {
    match outcome {
        Outcome::AppStarted(new) => Some(Screen::AddApp(AddApp::new(new))),
        _ => None,
    }
}

impl Page for AddApp {
    form_page!(s::TITLE_ADD_APP, s::ABOUT_ADD_APP, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                if let Some(code) = typed_code(ctx, &mut self.form) {
                    ctx.request(Job::ConfirmApp { code });
                }
                None
            }
            FormEvent::Action(Action::Back) => {
                ctx.info(s::APP_NOT_ADDED);
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_reply(&mut self, ctx: &mut Ctx, outcome: Outcome) -> Go {
        let Outcome::AppConfirmed(r) = outcome else {
            return None;
        };
        if !app_code_outcome(ctx, r) {
            return None;
        }
        ctx.success(s::APP_ADDED);
        Some(Screen::Manage(super::manage::Manage::new(ctx)))
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        // Four groups of four a row: two rows, each short enough for the column beside the
        // QR code, and easy to copy by hand.
        let grouped = totp::grouped(self.new.secret.expose());
        let groups: Vec<&str> = grouped.split(' ').collect();
        let key: Vec<Line<'_>> = groups
            .chunks(4)
            .map(|row| Line::styled(row.join(" "), ctx.theme.accent))
            .collect();
        let uri = self.new.uri.expose();
        let text = |with_qr: bool| {
            let mut parts = vec![
                Part::para(if with_qr {
                    s::ADD_APP_SCAN
                } else {
                    s::ADD_APP_NO_ROOM
                }),
                Part::Gap,
                Part::Text(vec![Line::styled(s::ADD_APP_KEY, ctx.theme.hint)]),
                Part::Rows(key.clone()),
                Part::Gap,
                Part::Text(vec![Line::styled(s::ADD_APP_URI, ctx.theme.hint)]),
                Part::Text(vec![Line::raw(uri.to_string())]),
                Part::Gap,
                Part::para(s::ADD_APP_CONFIRM),
            ];
            parts.push(Part::Gap);
            parts
        };
        match &self.qr {
            Some(q) if q.width + 2 + TEXT_MIN <= area.width && q.height() <= area.height => {
                let left = Rect::new(area.x, area.y, q.width, q.height());
                stack(frame, left, ctx, vec![Part::Rows(q.lines(&ctx.theme))]);
                let right_x = area.x + q.width + 2;
                let right = Rect::new(
                    right_x,
                    area.y,
                    area.right().saturating_sub(right_x),
                    area.height,
                );
                stack_field(frame, right, ctx, text(true), &self.form);
            }
            _ => stack_field(frame, area, ctx, text(false), &self.form),
        }
    }
}
