//! The styles every screen draws with, in colour or — when `NO_COLOR` is set — without.

use std::ffi::OsStr;

use ratatui::style::{Color, Modifier, Style};

/// The styles shared by both consoles.
///
/// Build it once at start-up with [`Theme::from_env`]; tests use [`Theme::plain`] or
/// [`Theme::color`] so they do not depend on the environment. The plain theme uses only text
/// modifiers (bold, reversed, underlined, dim), so every state stays visible without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Whether this theme uses colours (false when `NO_COLOR` asked for none).
    pub colored: bool,
    /// Ordinary text.
    pub normal: Style,
    /// Screen and popup titles.
    pub title: Style,
    /// Accent for things to notice, such as a recovery code shown once.
    pub accent: Style,
    /// The selected item of a menu or list.
    pub selected: Style,
    /// Key hints and other secondary text.
    pub hint: Style,
    /// Error messages.
    pub error: Style,
    /// Warnings (for example "any previous codes will no longer work").
    pub warning: Style,
    /// Success messages.
    pub success: Style,
    /// The support policy line shown on every desk screen.
    pub policy: Style,
    /// The bullets of a masked secret.
    pub masked: Style,
    /// Borders of unfocused boxes.
    pub border: Style,
    /// Border of the focused box.
    pub border_focused: Style,
}

impl Theme {
    /// A theme without colours: only bold, reversed, underlined and dim.
    pub const fn plain() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            colored: false,
            normal: Style::new(),
            title: bold,
            accent: bold,
            selected: Style::new().add_modifier(Modifier::BOLD.union(Modifier::REVERSED)),
            hint: Style::new().add_modifier(Modifier::DIM),
            error: bold,
            warning: bold,
            success: bold,
            policy: Style::new().add_modifier(Modifier::UNDERLINED),
            masked: Style::new(),
            border: Style::new(),
            border_focused: bold,
        }
    }

    /// The coloured theme (16 standard colours, so it follows the terminal's palette).
    pub const fn color() -> Self {
        let bold = Modifier::BOLD;
        Self {
            colored: true,
            normal: Style::new(),
            title: Style::new().fg(Color::Cyan).add_modifier(bold),
            accent: Style::new().fg(Color::LightCyan).add_modifier(bold),
            selected: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(bold),
            hint: Style::new().fg(Color::DarkGray),
            error: Style::new().fg(Color::Red).add_modifier(bold),
            warning: Style::new().fg(Color::Yellow).add_modifier(bold),
            success: Style::new().fg(Color::Green).add_modifier(bold),
            policy: Style::new().fg(Color::Magenta),
            masked: Style::new().fg(Color::Gray),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan).add_modifier(bold),
        }
    }

    /// The theme the environment asks for: [`Theme::plain`] when `NO_COLOR` is set to a
    /// non-empty value (<https://no-color.org>), otherwise [`Theme::color`].
    pub fn from_env() -> Self {
        Self::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given value of `NO_COLOR` (`None` when it is unset).
    pub fn for_no_color(no_color: Option<&OsStr>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            Self::plain()
        } else {
            Self::color()
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::color()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses_color(style: Style) -> bool {
        style.fg.is_some() || style.bg.is_some() || style.underline_color.is_some()
    }

    fn all_styles(t: &Theme) -> [Style; 12] {
        [
            t.normal,
            t.title,
            t.accent,
            t.selected,
            t.hint,
            t.error,
            t.warning,
            t.success,
            t.policy,
            t.masked,
            t.border,
            t.border_focused,
        ]
    }

    #[test]
    fn plain_theme_has_no_colors() {
        let t = Theme::plain();
        assert!(!t.colored);
        assert!(all_styles(&t).iter().all(|s| !uses_color(*s)));
        // The selection must still be visible without colour.
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn color_theme_has_colors() {
        let t = Theme::color();
        assert!(t.colored);
        assert!(uses_color(t.error));
        assert!(uses_color(t.selected));
    }

    #[test]
    fn no_color_set_and_non_empty_means_plain() {
        assert_eq!(Theme::for_no_color(Some(OsStr::new("1"))), Theme::plain());
        assert_eq!(Theme::for_no_color(Some(OsStr::new("yes"))), Theme::plain());
    }

    #[test]
    fn no_color_unset_or_empty_means_color() {
        assert_eq!(Theme::for_no_color(None), Theme::color());
        assert_eq!(Theme::for_no_color(Some(OsStr::new(""))), Theme::color());
    }
}
