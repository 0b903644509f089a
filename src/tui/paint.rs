//! Drawing that touches only the cells it writes, for the pieces on every frame.
//!
//! ratatui's `Block` and `Paragraph` first restyle every cell of their area (a no-op with the
//! default style ours have, but 4,800 cells for a page at 120×40), and `Paragraph` sends each
//! row through a line composer that collects its graphemes before drawing them. On the
//! busiest screens that was most of a frame (issue 13). The functions here draw exactly the
//! cells those widgets draw, styles included — the tests below hold them to ratatui's output —
//! and hand the cases they do not cover (alignment, rows that need wrapping) to ratatui.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// `Paragraph::new(lines).render(area, buf)`: one line a row from the top, each cut at the
/// right edge.
pub fn rows(buf: &mut Buffer, area: Rect, lines: &[Line<'_>]) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if !lines.iter().all(left_aligned) {
        Paragraph::new(lines.to_vec()).render(area, buf);
        return;
    }
    for (y, line) in (area.y..area.bottom()).zip(lines) {
        truncated(buf, area.x, y, area.width, line);
    }
}

/// `Paragraph::new(lines).wrap(Wrap { trim }).render(area, buf)`: word-wrapped lines from the
/// top. Lines that fit their row are drawn here; anything that wraps goes to ratatui.
pub fn wrapped(buf: &mut Buffer, area: Rect, lines: &[Line<'_>], trim: bool) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if !lines.iter().all(|l| one_row(l, area.width, trim)) {
        Paragraph::new(lines.to_vec())
            .wrap(Wrap { trim })
            .render(area, buf);
        return;
    }
    for (y, line) in (area.y..area.bottom()).zip(lines) {
        truncated(buf, area.x, y, area.width, line);
    }
}

/// `buf.set_line(x, y, line, max_width)`: the line's spans from (`x`, `y`), each cut where the
/// row or `max_width` ends, a wide grapheme blanking the cells it covers. Returns where it
/// stopped, as `set_line` does.
pub fn line(buf: &mut Buffer, x: u16, y: u16, line: &Line<'_>, max_width: u16) -> (u16, u16) {
    let mut remaining = max_width;
    let mut x = x;
    for span in &line.spans {
        if remaining == 0 {
            break;
        }
        let style = line.style.patch(span.style);
        let text = span.content.as_ref();
        let start = x;
        let room = buf.area.right().saturating_sub(x).min(remaining);
        if plain_ascii(text) {
            let take = text.len().min(usize::from(room));
            if take > 0 {
                let at = buf.index_of(x, y);
                for (i, cell) in buf.content[at..at + take].iter_mut().enumerate() {
                    cell.set_symbol(&text[i..=i]).set_style(style);
                }
                x += take as u16;
            }
        } else {
            // Buffer::set_stringn: graphemes without control characters and with a width,
            // until the first that does not fit.
            let mut room = room;
            for g in span.styled_graphemes(Style::default()) {
                let w = g.symbol.cell_width();
                if w == 0 {
                    continue;
                }
                let Some(left) = room.checked_sub(w) else {
                    break;
                };
                room = left;
                buf[(x, y)].set_symbol(g.symbol).set_style(style);
                let next = x + w;
                x += 1;
                while x < next {
                    buf[(x, y)].reset();
                    x += 1;
                }
            }
        }
        remaining = remaining.saturating_sub(x.saturating_sub(start));
    }
    (x, y)
}

/// `Block::bordered().border_style(style)` with `title` on the top border and `bottom` on the
/// bottom one (each at the left, or centred if the line says so), rendered into `area`: the
/// plain border and the titles, without restyling the cells inside.
pub fn bordered(
    buf: &mut Buffer,
    area: Rect,
    style: Style,
    title: Option<&Line<'_>>,
    bottom: Option<&Line<'_>>,
) {
    if [title, bottom]
        .iter()
        .flatten()
        .any(|l| l.alignment == Some(Alignment::Right))
    {
        let mut block = ratatui::widgets::Block::bordered().border_style(style);
        if let Some(t) = title {
            block = block.title_top(t.clone());
        }
        if let Some(b) = bottom {
            block = block.title_bottom(b.clone());
        }
        block.render(area, buf);
        return;
    }
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let set = border::PLAIN;
    let (left, top) = (area.left(), area.top());
    let right = area.right().saturating_sub(1);
    let last = area.bottom().saturating_sub(1);
    // The order of Block::render_sides and render_corners: in a one-cell-wide or -high area
    // the later symbol wins.
    let sides = [
        (left..=left, top..=last, set.vertical_left),
        (left..=right, top..=top, set.horizontal_top),
        (right..=right, top..=last, set.vertical_right),
        (left..=right, last..=last, set.horizontal_bottom),
    ];
    for (xs, ys, symbol) in sides {
        for x in xs {
            for y in ys.clone() {
                buf[(x, y)].set_symbol(symbol).set_style(style);
            }
        }
    }
    for (x, y, symbol) in [
        (right, last, set.bottom_right),
        (right, top, set.top_right),
        (left, last, set.bottom_left),
        (left, top, set.top_left),
    ] {
        buf[(x, y)].set_symbol(symbol).set_style(style);
    }
    // Titles go between the corners, the top one first.
    for (line, y) in [(title, top), (bottom, last)] {
        let Some(line) = line else { continue };
        let row = Rect::new(left.saturating_add(1), y, area.width.saturating_sub(2), 1);
        if line.alignment == Some(Alignment::Center) {
            centered_title(buf, row, line);
        } else if !row.is_empty() {
            let width = line_width_u16(line);
            line.render(
                Rect {
                    width: width.min(row.width),
                    ..row
                },
                buf,
            );
        }
    }
}

/// Block::render_center_titles, for one title.
fn centered_title(buf: &mut Buffer, row: Rect, line: &Line<'_>) {
    let width = line_width_u16(line);
    if width <= row.width {
        let x = row.left().saturating_add((row.width - width) / 2);
        line.render(Rect { x, width, ..row }, buf);
    } else if !row.is_empty() {
        // Too wide: both sides are cut.
        let offset = (width - row.width) / 2;
        let width = row.width.min(width).saturating_sub(offset);
        let cell = Rect { width, ..row };
        if offset > 0 {
            line.clone().right_aligned().render(cell, buf);
        } else {
            line.clone().left_aligned().render(cell, buf);
        }
    }
}

fn line_width_u16(line: &Line<'_>) -> u16 {
    u16::try_from(line.width()).unwrap_or(u16::MAX)
}

fn left_aligned(line: &Line<'_>) -> bool {
    matches!(line.alignment, None | Some(Alignment::Left))
}

/// Printable ASCII: every byte is a grapheme one cell wide.
pub fn plain_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Whether ratatui's word wrapper leaves `line` as it is, one row of `width` columns: it is
/// narrower than the row (or exactly as wide and plain ASCII, so no zero-width grapheme can
/// follow a full row), left-aligned, and with `trim` it does not start with white space.
fn one_row(line: &Line<'_>, width: u16, trim: bool) -> bool {
    if !left_aligned(line) {
        return false;
    }
    if trim
        && line
            .spans
            .iter()
            .flat_map(|s| s.content.chars())
            .find(|c| !c.is_control())
            .is_some_and(|c| c.is_whitespace() || c == '\u{200b}')
    {
        return false;
    }
    let mut cells: usize = 0;
    let mut ascii = true;
    for span in &line.spans {
        if plain_ascii(&span.content) {
            cells += span.content.len();
        } else {
            ascii = false;
            cells += span
                .styled_graphemes(Style::default())
                .map(|g| usize::from(g.symbol.cell_width()))
                .sum::<usize>();
        }
    }
    let width = usize::from(width);
    cells < width || (cells == width && ascii)
}

/// One line at (`x`, `y`), cut at `width` columns, as `Paragraph`'s line truncator draws it:
/// graphemes left to right (control characters dropped), one wider than the whole row
/// skipped, stopping at the first that no longer fits; zero-width ones take no cell.
fn truncated(buf: &mut Buffer, x: u16, y: u16, width: u16, line: &Line<'_>) {
    let base = Style::default().patch(line.style);
    let mut used: u16 = 0;
    let mut at = buf.index_of(x, y);
    for span in &line.spans {
        let style = base.patch(span.style);
        let text = span.content.as_ref();
        if plain_ascii(text) {
            let take = text.len().min(usize::from(width - used));
            for i in 0..take {
                buf.content[at].set_symbol(&text[i..=i]).set_style(style);
                at += 1;
            }
            used += take as u16;
            if take < text.len() {
                return;
            }
            continue;
        }
        for g in span.styled_graphemes(base) {
            let w = g.symbol.cell_width();
            if w > width {
                continue;
            }
            if used + w > width {
                return;
            }
            used += w;
            if w == 0 {
                continue;
            }
            buf.content[at].set_symbol(g.symbol).set_style(g.style);
            at += usize::from(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier, Stylize};
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Padding};

    /// A buffer that is not blank, so that what a renderer leaves alone shows.
    fn scribbled(area: Rect) -> Buffer {
        let mut buf = Buffer::empty(area);
        for (i, cell) in buf.content.iter_mut().enumerate() {
            cell.set_symbol(["x", "é", " "][i % 3])
                .set_style(Style::new().fg(Color::Red).add_modifier(Modifier::ITALIC));
        }
        buf
    }

    fn corpus() -> Vec<Vec<Line<'static>>> {
        let styled = Line::from(vec![
            Span::styled("  Email  ", Style::new().fg(Color::Gray)),
            Span::raw("j•••@example.com"),
            Span::raw("  "),
            Span::styled("verified", Style::new().green().bold()),
        ])
        .style(
            Style::new()
                .bg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
        );
        let lines: Vec<Line<'static>> = vec![
            Line::raw(""),
            Line::raw("plain ascii text"),
            Line::raw("exactly10!"),
            Line::raw("  leading and trailing  "),
            Line::raw("Recovery code — Generated on 2026-11-25"),
            Line::raw("漢字 wide 漢字 characters"),
            Line::raw("zero\u{200b}width\u{200b}"),
            // Full at two columns, then a zero-width space and a word joiner: the word wrapper
            // gives the joiner a row of its own.
            Line::raw("ab\u{200b}\u{2060}"),
            Line::raw("e\u{301}combining a\u{308}"),
            Line::raw("tab\there and bell\u{7}"),
            Line::raw("👩‍👩‍👧 family ✔️ check"),
            Line::raw("ﾊﾟﾝ halfwidth"),
            Line::raw("   "),
            Line::raw("\u{200b}starts with zero width"),
            Line::styled("› 1  Add email", Style::new().yellow()),
            styled,
            Line::raw("centred").centered(),
            Line::raw("right").right_aligned(),
            Line::raw("left").left_aligned(),
        ];
        let mut out: Vec<Vec<Line<'static>>> = lines.iter().cloned().map(|l| vec![l]).collect();
        out.push(lines.clone());
        out.push(lines[1..6].to_vec());
        out.push(lines[13..15].to_vec());
        out.push(vec![Line::raw("ab\u{200b}\u{2060}"), Line::raw("cd")]);
        out
    }

    fn areas() -> Vec<(Rect, Rect)> {
        let mut v = vec![];
        for w in [0, 1, 2, 3, 5, 9, 10, 11, 16, 24, 40] {
            for h in [0, 1, 2, 3, 7, 30] {
                v.push((Rect::new(0, 0, 44, 32), Rect::new(2, 1, w, h)));
            }
        }
        // Partly outside the buffer.
        v.push((Rect::new(0, 0, 20, 5), Rect::new(12, 3, 30, 9)));
        v.push((Rect::new(3, 2, 20, 5), Rect::new(0, 0, 30, 9)));
        v
    }

    #[test]
    fn rows_draw_what_a_paragraph_draws() {
        for lines in corpus() {
            for (whole, area) in areas() {
                let mut theirs = scribbled(whole);
                Paragraph::new(lines.clone()).render(area, &mut theirs);
                let mut ours = scribbled(whole);
                rows(&mut ours, area, &lines);
                assert_eq!(ours, theirs, "{lines:?} in {area:?}");
            }
        }
    }

    #[test]
    fn a_line_draws_what_set_line_draws() {
        let mut lines: Vec<Line<'static>> = corpus().into_iter().flatten().collect();
        // A wide grapheme that does not fit ends its span, not the line.
        lines.push(Line::from(vec![Span::raw("ab漢"), Span::raw("cd").blue()]));
        lines.push(Line::from(vec![Span::raw("漢字漢字"), Span::raw("xyz")]));
        let whole = Rect::new(0, 0, 24, 3);
        for line in &lines {
            for x in [0, 1, 5, 20, 22, 23, 24, 30] {
                for max in [0, 1, 2, 3, 4, 7, 30, u16::MAX] {
                    let mut theirs = scribbled(whole);
                    let mut ours = scribbled(whole);
                    let a = theirs.set_line(x, 1, line, max);
                    let b = super::line(&mut ours, x, 1, line, max);
                    assert_eq!((b, &ours), (a, &theirs), "{line:?} at {x}, {max} wide");
                }
            }
        }
    }

    #[test]
    fn wrapped_rows_draw_what_a_wrapping_paragraph_draws() {
        for trim in [false, true] {
            for lines in corpus() {
                for (whole, area) in areas() {
                    let mut theirs = scribbled(whole);
                    Paragraph::new(lines.clone())
                        .wrap(Wrap { trim })
                        .render(area, &mut theirs);
                    let mut ours = scribbled(whole);
                    wrapped(&mut ours, area, &lines, trim);
                    assert_eq!(ours, theirs, "trim {trim}: {lines:?} in {area:?}");
                }
            }
        }
    }

    #[test]
    fn a_bordered_box_draws_what_a_block_draws() {
        let border = Style::new().fg(Color::Cyan).add_modifier(Modifier::DIM);
        let titles = [
            None,
            Some(Line::styled(
                " recovery-desk — Manage how I sign in ",
                Style::new().bold(),
            )),
            Some(Line::raw("漢字 title")),
            Some(Line::from(vec![Span::raw(" a "), Span::raw("b ").red()])),
        ];
        let bottoms = [
            None,
            Some(Line::styled(" Esc or ? closes help ", Style::new().dim()).centered()),
            Some(Line::raw("ab").centered()),
            Some(Line::raw("odd title!").centered()),
            Some(Line::styled(
                " 64 characters at most ",
                Style::new().yellow(),
            )),
            Some(Line::raw("right").right_aligned()),
        ];
        for (whole, area) in areas() {
            for title in &titles {
                for bottom in &bottoms {
                    let mut block = Block::bordered()
                        .border_style(border)
                        .padding(Padding::horizontal(1));
                    if let Some(t) = title {
                        block = block.title(t.clone());
                    }
                    if let Some(b) = bottom {
                        block = block.title_bottom(b.clone());
                    }
                    let mut theirs = scribbled(whole);
                    block.render(area, &mut theirs);
                    let mut ours = scribbled(whole);
                    bordered(&mut ours, area, border, title.as_ref(), bottom.as_ref());
                    assert_eq!(ours, theirs, "{title:?} / {bottom:?} in {area:?}");
                }
            }
        }
    }
}
