//! `update(&mut State, Msg) -> Vec<Cmd>`: every change of state happens here, without I/O.
//! Keys that mean the same everywhere (Ctrl-C, F1, dialogs, the help overlay) are handled
//! first; the rest goes to the current screen.

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::jobs::{Done, JobError, Reply};
use crate::service::ServiceError;
use crate::tui::help::closes_help;
use crate::tui::keys::{Key, digit_of, is_actionable, resolve};
use crate::tui::widgets::fits;

use super::keys::{Action, DIALOG_KEYS};
use super::screens::{Go, Screen, reauth::Reauth};
use super::state::{Cmd, Ctx, DialogKind, Msg, Session, State};
use super::strings as s;
use super::view::dialog_text;

/// Applies one message to the state and returns what the loop must do.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let State { screen, ctx } = state;
    ctx.note_fresh = false;
    match msg {
        Msg::Tick(()) => {
            ctx.tick = ctx.tick.wrapping_add(1);
            if ctx.idle_expired() {
                idle_reset(screen, ctx);
            }
        }
        Msg::Resize(w, h) => ctx.too_small = !fits(Rect::new(0, 0, w, h)),
        Msg::Key(ev) => on_key(screen, ctx, &ev),
        Msg::Paste(text) => {
            if ctx.idle_expired() {
                idle_reset(screen, ctx);
            } else {
                ctx.last_activity = ctx.now();
                if !ctx.too_small && ctx.dialog.is_none() && !ctx.help && !ctx.requests.is_pending()
                {
                    screen.page_mut().on_paste(ctx, &text);
                }
            }
        }
        Msg::Reply(reply) => on_reply(screen, ctx, *reply),
    }
    std::mem::take(&mut ctx.out)
}

/// Shows `next`, if any. A note written while handling this message stays; an older one goes.
fn go(screen: &mut Screen, ctx: &mut Ctx, next: Go) {
    if let Some(next) = next {
        *screen = next;
        if !ctx.note_fresh {
            ctx.note = None;
        }
    }
}

fn on_key(screen: &mut Screen, ctx: &mut Ctx, ev: &KeyEvent) {
    if !is_actionable(ev) {
        return;
    }
    if Key::Ctrl('c').matches(ev) {
        ctx.out.push(Cmd::Quit);
        return;
    }
    if ctx.idle_expired() {
        // The key comes after the idle limit (the machine slept, or ticks were late): the
        // session ends first, and the key is not acted on.
        idle_reset(screen, ctx);
        return;
    }
    ctx.last_activity = ctx.now();
    if ctx.too_small {
        return;
    }
    if ctx.help {
        if closes_help(ev) {
            ctx.help = false;
        }
        return;
    }
    if Key::F(1).matches(ev) {
        ctx.help = true;
        return;
    }
    if ctx.dialog.is_some() {
        dialog_key(screen, ctx, ev);
        return;
    }
    if ctx.requests.is_pending() {
        // Keys wait for nothing: a second Enter must not act on the next screen.
        return;
    }
    let next = screen.page_mut().on_key(ctx, ev);
    go(screen, ctx, next);
}

fn dialog_key(screen: &mut Screen, ctx: &mut Ctx, ev: &KeyEvent) {
    let Some(d) = ctx.dialog.as_mut() else {
        return;
    };
    let n = dialog_text(&d.kind).2.len();
    let chosen = if let Some(digit) = digit_of(ev, false) {
        let i = usize::from(digit) - 1;
        (i < n).then_some(i)
    } else {
        match resolve(DIALOG_KEYS, ev) {
            Some(Action::Enter) => Some(d.selected),
            Some(Action::Next) => {
                d.selected = (d.selected + 1) % n;
                None
            }
            Some(Action::Prev) => {
                d.selected = (d.selected + n - 1) % n;
                None
            }
            Some(Action::Back) => {
                ctx.dialog = None;
                None
            }
            Some(Action::Help) => {
                ctx.help = true;
                None
            }
            _ => None,
        }
    };
    let Some(choice) = chosen else {
        return;
    };
    let Some(d) = ctx.dialog.take() else {
        return;
    };
    if choice != 0 {
        return;
    }
    match d.kind {
        DialogKind::Quit => ctx.out.push(Cmd::Quit),
        DialogKind::SignOut => sign_out(screen, ctx, s::SIGNED_OUT),
        kind => {
            let next = screen.page_mut().on_dialog(ctx, kind);
            go(screen, ctx, next);
        }
    }
}

/// The one place a worker reply is handled: a crash stops the console, a stale reply is
/// dropped, "sign in again" opens the password screen and retries the job, "not signed in"
/// ends the session, any other error is said under the screen; only what a job came to goes
/// to the screen. A new job cannot forget any of these.
fn on_reply(screen: &mut Screen, ctx: &mut Ctx, reply: Reply) {
    if matches!(reply.result, Err(JobError::Crashed(_))) {
        ctx.out.push(Cmd::Fail(s::WORKER_STOPPED));
        return;
    }
    if !ctx.requests.answered(reply.id) {
        // Stale: the screen stopped waiting for it (idle sign-out, a fire-and-forget job).
        return;
    }
    let next = match reply.result {
        Ok(Done { outcome, view }) => {
            if let Some(view) = view {
                ctx.session = Some(Session { view });
                // Someone is signed in: the database has an account now.
                ctx.empty_database = false;
            }
            screen.page_mut().on_reply(ctx, outcome)
        }
        Err(JobError::Service(ServiceError::ReauthRequired)) => {
            if let Some(job) = ctx.retry.take() {
                let back = std::mem::replace(screen, Screen::start());
                *screen = Screen::Reauth(Reauth::new(job, back));
                ctx.note = None;
            }
            return;
        }
        Err(JobError::Service(ServiceError::NotSignedIn)) if ctx.session.is_some() => {
            sign_out(screen, ctx, s::SIGNED_OUT);
            return;
        }
        Err(e) => {
            ctx.error(e.to_string());
            screen.page_mut().on_failed(ctx)
        }
    };
    go(screen, ctx, next);
}

/// Ends the session and shows the first screen with `note`.
pub fn sign_out(screen: &mut Screen, ctx: &mut Ctx, note: &str) {
    *screen = super::screens::signed_out(ctx, note);
}

fn idle_reset(screen: &mut Screen, ctx: &mut Ctx) {
    ctx.last_activity = ctx.now();
    let signed_in = ctx.session.is_some();
    if !signed_in && screen.is_start() && ctx.dialog.is_none() {
        return;
    }
    ctx.help = false;
    let note = if signed_in {
        s::IDLE_SIGNED_OUT
    } else {
        s::IDLE_RESET
    };
    sign_out(screen, ctx, note);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::console::jobs::Request;
    use crate::tui::Theme;
    use chrono::{DateTime, FixedOffset, TimeZone, Utc};
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    use std::sync::{Arc, Mutex};

    struct Fixed(Mutex<DateTime<Utc>>);
    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    fn state() -> (State, Arc<Fixed>) {
        let clock = Arc::new(Fixed(Mutex::new(
            Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap(),
        )));
        let s = State::new(
            Theme::plain(),
            FixedOffset::east_opt(0).unwrap(),
            clock.clone(),
        );
        (s, clock)
    }

    fn key(c: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn alt(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
    }

    fn typed(st: &mut State, text: &str) {
        for c in text.chars() {
            update(st, key(KeyCode::Char(c)));
        }
    }

    fn sent(cmds: &[Cmd]) -> Vec<&Request> {
        cmds.iter()
            .filter_map(|c| match c {
                Cmd::Request(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn alt_digit_chooses_while_typing_and_bare_digit_types() {
        let (mut st, _) = state();
        typed(&mut st, "jane2");
        assert_eq!(st.screen.name(), "SignIn");
        update(&mut st, alt('1'));
        assert_eq!(st.screen.name(), "CreateAccount");
    }

    #[test]
    fn a_stale_reply_is_dropped_and_the_latest_one_is_used() {
        let (mut st, _) = state();
        typed(&mut st, "nobody");
        let cmds = update(&mut st, key(KeyCode::Enter));
        let id = sent(&cmds)[0].id;
        assert_eq!(st.outstanding(), Some(id));
        // A reply with another id (an older request) changes nothing.
        update(
            &mut st,
            Msg::Reply(Box::new(Reply {
                id: id + 7,
                result: Err(ServiceError::NoSuchAccount.into()),
            })),
        );
        assert!(st.is_busy());
        assert!(st.ctx.note.is_none());
        update(
            &mut st,
            Msg::Reply(Box::new(Reply {
                id,
                result: Err(ServiceError::NoSuchAccount.into()),
            })),
        );
        assert!(!st.is_busy());
        assert_eq!(
            st.ctx.note.as_ref().map(|n| n.text.as_str()),
            Some("We couldn't find an account with that username.")
        );
    }

    #[test]
    fn keys_are_ignored_while_waiting_but_ctrl_c_quits() {
        let (mut st, _) = state();
        typed(&mut st, "jane");
        update(&mut st, key(KeyCode::Enter));
        assert!(st.is_busy());
        assert!(sent(&update(&mut st, key(KeyCode::Enter))).is_empty());
        let cmds = update(
            &mut st,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(matches!(cmds.as_slice(), [Cmd::Quit]));
    }

    #[test]
    fn idle_ten_minutes_resets_a_started_flow_and_drops_its_reply() {
        let (mut st, clock) = state();
        typed(&mut st, "jane");
        let id = sent(&update(&mut st, key(KeyCode::Enter)))[0].id;
        *clock.0.lock().unwrap() += chrono::Duration::minutes(10);
        update(&mut st, Msg::Tick(()));
        assert!(st.screen.is_start());
        assert!(!st.is_busy());
        assert_eq!(
            st.ctx.note.as_ref().map(|n| n.text.as_str()),
            Some(s::IDLE_RESET)
        );
        // The late reply is stale.
        update(
            &mut st,
            Msg::Reply(Box::new(Reply {
                id,
                result: Err(ServiceError::NoSuchAccount.into()),
            })),
        );
        assert_eq!(
            st.ctx.note.as_ref().map(|n| n.text.as_str()),
            Some(s::IDLE_RESET)
        );
    }

    #[test]
    fn esc_on_the_first_screen_asks_to_quit_and_q_types_in_a_field() {
        let (mut st, _) = state();
        typed(&mut st, "q");
        assert!(st.ctx.dialog.is_none());
        update(&mut st, key(KeyCode::Esc));
        assert_eq!(
            st.ctx.dialog.as_ref().map(|d| d.kind.clone()),
            Some(DialogKind::Quit)
        );
        // 2 = No.
        assert!(update(&mut st, key(KeyCode::Char('2'))).is_empty());
        assert!(st.ctx.dialog.is_none());
        update(&mut st, key(KeyCode::Esc));
        let cmds = update(&mut st, key(KeyCode::Enter));
        assert!(matches!(cmds.as_slice(), [Cmd::Quit]));
    }

    #[test]
    fn help_opens_with_f1_in_a_field_and_closes_with_esc() {
        let (mut st, _) = state();
        typed(&mut st, "?");
        assert!(!st.ctx.help, "? is text in a field");
        update(&mut st, key(KeyCode::F(1)));
        assert!(st.ctx.help);
        update(&mut st, key(KeyCode::Esc));
        assert!(!st.ctx.help);
        assert_eq!(st.screen.name(), "SignIn");
    }

    #[test]
    fn too_small_ignores_keys_until_resized() {
        let (mut st, _) = state();
        update(&mut st, Msg::Resize(60, 20));
        typed(&mut st, "abc");
        update(&mut st, Msg::Resize(80, 24));
        typed(&mut st, "d");
        match &st.screen {
            Screen::SignIn(s) => assert_eq!(s.username(), "d"),
            _ => panic!("wrong screen"),
        }
    }
}
