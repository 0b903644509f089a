//! A new recovery code, shown once in five dashed groups with the seed page's advice, then
//! confirmed by typing its last group back. Once confirmed (or left) the code is wiped from
//! memory and can never be shown again.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::console::jobs::Outcome;
use crate::domain::model::AccountView;
use crate::domain::recovery_code;
use crate::secret::Secret;
use crate::service::Proof;
use crate::tui::TextField;
use crate::tui::keys::{Binding, bind};
use crate::tui::sanitize::Clean;

use super::{Go, Page, Screen, ask, common};
use crate::console::keys::{self as k, Action, Form, FormEvent};
use crate::console::state::{Ctx, DialogKind};
use crate::console::strings as s;
use crate::console::view::{Part, stack};

const KEYS: &[Binding<Action>] = &[
    k::CONTINUE,
    bind(&[crate::tui::keys::Key::Esc], "Leave", Action::Back).hinted("Leave"),
    k::HELP,
    k::QUIT,
];

/// Where the holder goes once the code is saved.
#[derive(Debug)]
enum Then {
    /// Back to Manage how I sign in (the code was generated there).
    Manage,
    /// On to set a new password (the code was shown during recovery).
    NewPassword {
        view: Box<Clean<AccountView>>,
        proofs: Vec<Proof>,
    },
}

#[derive(Debug)]
pub struct CodeShown {
    /// The canonical code; `None` once confirmed (dropping a `Secret` wipes it).
    code: Option<Secret>,
    form: Form,
    then: Option<Then>,
}

/// Typed group → canonical symbols (upper case, no spaces or dashes, look-alikes mapped).
fn canonical_group(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '–'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            u => u,
        })
        .collect()
}

impl CodeShown {
    fn new(code: Secret, then: Then) -> CodeShown {
        let none: &[&str] = &[];
        CodeShown {
            code: Some(code),
            form: Form::new(vec![TextField::new(s::FIELD_LAST_GROUP, 16)], none),
            then: Some(then),
        }
    }

    pub fn after_generate(code: Secret) -> CodeShown {
        CodeShown::new(code, Then::Manage)
    }

    pub fn after_recovery(code: Secret, view: Clean<AccountView>, proofs: Vec<Proof>) -> CodeShown {
        CodeShown::new(
            code,
            Then::NewPassword {
                view: Box::new(view),
                proofs,
            },
        )
    }

    /// Whether the code is still held (for tests: it must be gone once confirmed).
    pub fn holds_code(&self) -> bool {
        self.code.is_some()
    }

    fn finish(&mut self, ctx: &mut Ctx, confirmed: bool) -> Go {
        self.code = None;
        self.form.clear();
        match self.then.take()? {
            Then::Manage => {
                if confirmed {
                    let day = ctx
                        .view()
                        .and_then(|v| v.recovery.active_since)
                        .unwrap_or_else(|| ctx.now());
                    let day = ctx.day(day);
                    ctx.success(s::code_saved(&day));
                } else {
                    ctx.info(s::CODE_LEFT_UNCONFIRMED);
                }
                Some(Screen::Manage(super::manage::Manage::new(ctx)))
            }
            Then::NewPassword { view, proofs } => Some(Screen::NewPassword(
                super::new_password::NewPassword::new(*view, proofs),
            )),
        }
    }
}

impl Page for CodeShown {
    form_page!(s::TITLE_CODE_SHOWN, s::ABOUT_CODE_SHOWN, KEYS);

    fn on_key(&mut self, ctx: &mut Ctx, ev: &KeyEvent) -> Go {
        match self.form.handle(ev, KEYS) {
            FormEvent::Submit => {
                let code = self.code.as_ref()?;
                let want = recovery_code::last_group(code);
                let typed = zeroize::Zeroizing::new(canonical_group(self.form.field(0).value()));
                if typed.as_str() == want.expose() {
                    self.finish(ctx, true)
                } else {
                    ctx.error(s::LAST_GROUP_MISMATCH);
                    self.form.field_mut(0).clear();
                    None
                }
            }
            FormEvent::Action(Action::Back) => ask(ctx, DialogKind::LeaveCode),
            FormEvent::Action(a) => common(ctx, a),
            _ => None,
        }
    }

    fn on_dialog(&mut self, ctx: &mut Ctx, kind: DialogKind) -> Go {
        if kind == DialogKind::LeaveCode {
            return self.finish(ctx, false);
        }
        None
    }

    fn on_reply(&mut self, _ctx: &mut Ctx, _outcome: Outcome) -> Go {
        None
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame<'_>, area: Rect) {
        let shown = self.code.as_ref().map(recovery_code::format);
        let mut parts = vec![];
        if matches!(self.then, Some(Then::NewPassword { .. })) {
            parts.push(Part::Text(vec![Line::styled(
                s::CODE_USED_UP,
                ctx.theme.success,
            )]));
        }
        parts.push(Part::Gap);
        if let Some(code) = &shown {
            parts.push(Part::Code(code.expose()));
        }
        parts.extend([
            Part::Gap,
            Part::Text(vec![Line::styled(s::CODE_ADVICE, ctx.theme.warning)]),
            Part::para(s::CODE_ONCE),
            Part::Gap,
            Part::para(s::CODE_CONFIRM_ASK),
            Part::Field(self.form.field(0), true),
            Part::Status,
        ]);
        stack(frame, area, ctx, parts);
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_group;

    #[test]
    fn typed_group_is_normalised_like_a_code() {
        assert_eq!(canonical_group(" yz0i2 "), "YZ012");
        assert_eq!(canonical_group("yz-o12"), "YZ012");
        assert_eq!(canonical_group("YZ 0L2"), "YZ012");
    }
}
