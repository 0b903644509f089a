//! A QR code drawn in the terminal with Unicode half blocks: two modules per cell, so a
//! version-5 code (37 modules) with a one-module quiet zone takes 39 columns and 20 rows and
//! fits an 80×24 terminal beside its text. With colours it is drawn black on white whatever
//! the terminal's own colours (a phone reads dark-on-light); without (`NO_COLOR`) the blocks
//! are the terminal's foreground.

use qrcode::{Color as Module, EcLevel, QrCode};
use ratatui::style::{Color, Style};
use ratatui::text::Line;

use super::Theme;

/// Light modules around the code: phone cameras find a code with one, on a white field.
const QUIET: usize = 1;

/// A QR code laid out as terminal rows of half blocks: encoded once, drawn every frame. Its
/// `Debug` gives the size only: the rows encode what the code holds (a key, say).
#[derive(Clone)]
pub struct QrRows {
    rows: Vec<String>,
    /// Columns one row takes.
    pub width: u16,
}

impl std::fmt::Debug for QrRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QrRows({}×{})", self.width, self.height())
    }
}

impl QrRows {
    /// Rows it takes.
    pub fn height(&self) -> u16 {
        u16::try_from(self.rows.len()).unwrap_or(u16::MAX)
    }

    /// The rows to draw: black on white with colours, the terminal's own without.
    pub fn lines(&self, theme: &Theme) -> Vec<Line<'_>> {
        let style = if theme.colored {
            Style::default().fg(Color::Black).bg(Color::White)
        } else {
            Style::default()
        };
        self.rows
            .iter()
            .map(|r| Line::styled(r.as_str(), style))
            .collect()
    }
}

/// `data` as a QR code (error correction L: the smallest code for an `otpauth://` URI), or
/// `None` if it does not fit in one.
pub fn qr_rows(data: &[u8]) -> Option<QrRows> {
    let code = QrCode::with_error_correction_level(data, EcLevel::L).ok()?;
    let n = code.width();
    let modules = code.to_colors();
    let size = n + 2 * QUIET;
    // Dark at (x, y) of the padded field.
    let dark = |x: usize, y: usize| -> bool {
        x >= QUIET
            && y >= QUIET
            && x < n + QUIET
            && y < n + QUIET
            && modules[(y - QUIET) * n + (x - QUIET)] == Module::Dark
    };
    let mut rows = vec![];
    for y in (0..size).step_by(2) {
        let row: String = (0..size)
            .map(|x| {
                let top = dark(x, y);
                let bottom = y + 1 < size && dark(x, y + 1);
                match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                }
            })
            .collect();
        rows.push(row);
    }
    Some(QrRows {
        rows,
        width: u16::try_from(size).unwrap_or(u16::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the drawn rows back into modules and compares them with the encoder's: every
    /// module is drawn, in its place, and the quiet zone is light.
    #[test]
    fn the_drawing_holds_every_module_in_place() {
        let data = b"otpauth://totp/recovery-desk:pat?secret=MZXW6YTBOI&issuer=recovery-desk";
        let q = qr_rows(data).unwrap();
        let code = QrCode::with_error_correction_level(&data[..], EcLevel::L).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let size = n + 2 * QUIET;
        assert_eq!(usize::from(q.width), size);
        let lines = q.lines(&Theme::plain());
        assert_eq!(lines.len(), size.div_ceil(2));
        let cells: Vec<Vec<char>> = lines
            .iter()
            .map(|l| l.spans.iter().flat_map(|s| s.content.chars()).collect())
            .collect();
        for y in 0..size {
            for x in 0..size {
                let c = cells[y / 2][x];
                let drawn = if y % 2 == 0 {
                    matches!(c, '█' | '▀')
                } else {
                    matches!(c, '█' | '▄')
                };
                let inside = x >= QUIET && y >= QUIET && x < n + QUIET && y < n + QUIET;
                let want = inside && colors[(y - QUIET) * n + (x - QUIET)] == Module::Dark;
                assert_eq!(drawn, want, "module ({x}, {y})");
            }
        }
    }

    /// The URI of a username up to 17 characters is a version-5 code: 39 columns, 20 rows,
    /// which fits an 80×24 page beside its text. The longest usernames still get a code, one
    /// version up, shown where the terminal is taller.
    #[test]
    fn a_real_uri_fits_beside_its_text_at_80_by_24() {
        let uri = |name: &str| {
            crate::domain::totp::otpauth_uri(
                "recovery-desk",
                name,
                &crate::domain::totp::base32(&[7u8; crate::domain::totp::SECRET_BYTES]),
            )
        };
        let q = qr_rows(uri("seventeen-letters").as_bytes()).unwrap();
        assert_eq!((q.width, q.height()), (39, 20));
        let long = "a-32-character-username-is-long!";
        let q = qr_rows(uri(long).as_bytes()).unwrap();
        assert_eq!((q.width, q.height()), (43, 22));
    }
}
