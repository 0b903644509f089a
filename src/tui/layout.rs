//! Layout both consoles share: splitting an area into rows ([`rows_of`]), and the viewport a
//! scrolling view remembers from its last draw ([`Viewport`]), so `update` scrolls by what was
//! really on screen instead of assuming a terminal size or drawing to count rows.

use std::cell::Cell;

use ratatui::layout::Rect;

/// Splits `area` into rows from the top: each height in turn (clamped to what is left).
pub fn rows_of(area: Rect, heights: &[u16]) -> Vec<Rect> {
    let mut y = area.y;
    let bottom = area.bottom();
    heights
        .iter()
        .map(|h| {
            let h = (*h).min(bottom.saturating_sub(y));
            let r = Rect::new(area.x, y, area.width, h);
            y += h;
            r
        })
        .collect()
}

/// What a scrolling view showed when last drawn: how many rows its content had and how many
/// fitted. Set while drawing (a `Cell`, so views keep drawing from `&self`, as gitui does),
/// read when a key scrolls. Before the first draw nothing scrolls.
#[derive(Debug, Default, Clone)]
pub struct Viewport(Cell<(usize, u16)>);

impl Viewport {
    /// Remembers a draw of `total` rows into `height` visible rows.
    pub fn drawn(&self, total: usize, height: u16) {
        self.0.set((total, height));
    }

    /// Rows of content at the last draw.
    pub fn total(&self) -> usize {
        self.0.get().0
    }

    /// Visible rows at the last draw.
    pub fn height(&self) -> u16 {
        self.0.get().1
    }

    /// The largest useful scroll offset at the last draw.
    pub fn max_scroll(&self) -> usize {
        self.total().saturating_sub(usize::from(self.height()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_clamped_to_the_area() {
        let r = rows_of(Rect::new(0, 2, 10, 5), &[2, 1, 9, 3]);
        assert_eq!(r[0], Rect::new(0, 2, 10, 2));
        assert_eq!(r[1], Rect::new(0, 4, 10, 1));
        assert_eq!(r[2], Rect::new(0, 5, 10, 2));
        assert_eq!(r[3], Rect::new(0, 7, 10, 0));
    }

    #[test]
    fn a_viewport_remembers_the_last_draw() {
        let v = Viewport::default();
        assert_eq!(v.max_scroll(), 0);
        v.drawn(30, 10);
        assert_eq!((v.total(), v.height(), v.max_scroll()), (30, 10, 20));
    }
}
