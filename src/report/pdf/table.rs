//! Table measurement and drawing (pagination lives in `layout`).
//!
//! Style: a three-rule table as in Chinese official statistics — a strong rule
//! above the header and below the last row, a medium rule under the header,
//! hairlines between rows, no vertical rules; the header is bold on light grey.

use super::document::{Align, Table};
use super::draw::{Item, Page};
use super::fonts::FontSet;
use super::linebreak::break_lines;
use super::theme::{Style, INK, RULE, SHADE};
use crate::report::chart::Rgb;

/// Cell text size.
const SIZE: f32 = 9.0;
/// Cell line height.
const LEADING: f32 = 13.0;
/// Padding above and below cell text.
const PAD_V: f32 = 4.0;
/// Padding left and right of cell text.
const PAD_H: f32 = 5.0;
/// Radius of a status mark.
const MARK_R: f32 = 2.7;
/// Room taken by a status mark before the text.
const MARK_W: f32 = 2.0 * MARK_R + 3.0;
/// Caption size and line height.
const CAPTION_SIZE: f32 = 10.0;
const CAPTION_LEADING: f32 = 16.0;

/// One row, measured: wrapped lines per cell and the row height.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    cells: Vec<CellBox>,
    /// Total height including padding.
    pub height: f32,
}

#[derive(Debug, Clone)]
struct CellBox {
    /// Wrapped lines with their widths.
    lines: Vec<(String, f32)>,
    mark: Option<Rgb>,
}

/// A table with its column geometry and measured rows.
pub(crate) struct Grid<'a> {
    fonts: &'a FontSet,
    x: f32,
    width: f32,
    col_x: Vec<f32>,
    col_w: Vec<f32>,
    aligns: Vec<Align>,
    /// The header row.
    pub header: Row,
    /// The body rows.
    pub rows: Vec<Row>,
}

impl<'a> Grid<'a> {
    /// Measures `table` for the text area `x .. x + width`.
    pub(crate) fn measure(table: &Table, fonts: &'a FontSet, x: f32, width: f32) -> Grid<'a> {
        // Non-positive or non-finite weights count as 1: no column vanishes or explodes.
        let weights: Vec<f32> = table
            .columns
            .iter()
            .map(|c| {
                if c.width.is_finite() && c.width > 0.0 {
                    c.width
                } else {
                    1.0
                }
            })
            .collect();
        let total: f32 = weights.iter().sum();
        let col_w: Vec<f32> = weights.iter().map(|w| width * w / total).collect();
        let col_x: Vec<f32> = col_w
            .iter()
            .scan(x, |acc, w| {
                let left = *acc;
                *acc += w;
                Some(left)
            })
            .collect();
        let measure_cell = |text: &str, mark: Option<Rgb>, w: f32, style: Style| {
            let room = w - 2.0 * PAD_H - if mark.is_some() { MARK_W } else { 0.0 };
            let lines = break_lines(text, room, 0.0, |c| fonts.advance(c, SIZE, style))
                .into_iter()
                .map(|l| {
                    let lw = fonts.width(&l.text, SIZE, style);
                    (l.text, lw)
                })
                .collect();
            CellBox { lines, mark }
        };
        let header = Row::new(
            table
                .columns
                .iter()
                .zip(&col_w)
                .map(|(c, w)| measure_cell(&c.title, None, *w, Style::Bold))
                .collect(),
        );
        let rows = table
            .rows
            .iter()
            .map(|r| {
                Row::new(
                    col_w
                        .iter()
                        .enumerate()
                        .map(|(i, w)| match r.get(i) {
                            Some(cell) => measure_cell(&cell.text, cell.mark, *w, Style::Regular),
                            None => CellBox {
                                lines: Vec::new(),
                                mark: None,
                            },
                        })
                        .collect(),
                )
            })
            .collect();
        Grid {
            fonts,
            x,
            width,
            col_x,
            col_w,
            aligns: table.columns.iter().map(|c| c.align).collect(),
            header,
            rows,
        }
    }

    fn caption_lines(&self, text: &str) -> Vec<String> {
        break_lines(text, self.width, 0.0, |c| {
            self.fonts.advance(c, CAPTION_SIZE, Style::Bold)
        })
        .into_iter()
        .map(|l| l.text)
        .collect()
    }

    /// Height of a caption block (with the gap below it).
    pub(crate) fn caption_height(&self, text: &str) -> f32 {
        CAPTION_LEADING * self.caption_lines(text).len() as f32 + 4.0
    }

    /// Draws a centred caption at `y`; returns the y below it.
    pub(crate) fn draw_caption(&self, page: &mut Page, y: f32, text: &str) -> f32 {
        let mut y = y;
        for line in self.caption_lines(text) {
            let w = self.fonts.width(&line, CAPTION_SIZE, Style::Bold);
            let base = y + (CAPTION_LEADING - CAPTION_SIZE) / 2.0 + CAPTION_SIZE * 0.88;
            page.text(
                self.x + (self.width - w) / 2.0,
                base,
                CAPTION_SIZE,
                Style::Bold,
                INK,
                line,
            );
            y += CAPTION_LEADING;
        }
        y + 4.0
    }

    /// Draws the header row at `y`; returns the y below it.
    pub(crate) fn draw_header(&self, page: &mut Page, y: f32) -> f32 {
        let h = self.header.height;
        page.fill_rect(self.x, y, self.width, h, SHADE);
        page.line((self.x, y), (self.x + self.width, y), 1.0, INK);
        self.draw_cells(page, y, &self.header, Style::Bold, true);
        page.line((self.x, y + h), (self.x + self.width, y + h), 0.6, INK);
        y + h
    }

    /// Draws a body row at `y` with a hairline below; returns the y below it.
    pub(crate) fn draw_row(&self, page: &mut Page, y: f32, row: &Row) -> f32 {
        self.draw_cells(page, y, row, Style::Regular, false);
        let bottom = y + row.height;
        page.line((self.x, bottom), (self.x + self.width, bottom), 0.3, RULE);
        bottom
    }

    /// The strong rule closing the table (or its part on a page).
    pub(crate) fn draw_bottom_rule(&self, page: &mut Page, y: f32) {
        page.line((self.x, y), (self.x + self.width, y), 1.0, INK);
    }

    fn draw_cells(&self, page: &mut Page, y: f32, row: &Row, style: Style, header: bool) {
        for (i, cell) in row.cells.iter().enumerate() {
            let (cx, cw) = (self.col_x[i], self.col_w[i]);
            let align = if header {
                Align::Center
            } else {
                self.aligns[i]
            };
            let mark_w = if cell.mark.is_some() { MARK_W } else { 0.0 };
            // Cells are centred vertically in the row.
            let content = LEADING * cell.lines.len() as f32;
            let top = y + PAD_V + (row.height - 2.0 * PAD_V - content) / 2.0;
            let widest = cell.lines.iter().map(|l| l.1).fold(0.0, f32::max);
            for (k, (text, w)) in cell.lines.iter().enumerate() {
                let base = top + LEADING * k as f32 + (LEADING - SIZE) / 2.0 + SIZE * 0.88;
                let x = match align {
                    Align::Left => cx + PAD_H + mark_w,
                    Align::Right => cx + cw - PAD_H - w,
                    Align::Center => cx + (cw - w + mark_w) / 2.0,
                };
                if k == 0 {
                    if let Some(color) = cell.mark {
                        // The mark sits before the widest line so that it lines up
                        // with right- or centre-aligned text too.
                        let mx = match align {
                            Align::Left => cx + PAD_H,
                            Align::Right => cx + cw - PAD_H - widest - mark_w,
                            Align::Center => cx + (cw - widest - mark_w) / 2.0,
                        };
                        page.items.push(Item::Circle {
                            cx: mx + MARK_R,
                            cy: base - SIZE * 0.36,
                            r: MARK_R,
                            fill: color,
                            stroke: Some((Rgb(0x40, 0x40, 0x40), 0.35)),
                        });
                    }
                }
                page.text(x, base, SIZE, style, INK, text.as_str());
            }
        }
    }

    /// Splits a row taller than a page: the lines that fit in `room` and the
    /// rest. With `force`, at least one line goes first (the row starts a page,
    /// so waiting would not help).
    pub(crate) fn split_row(
        &self,
        row: &Row,
        room: f32,
        force: bool,
    ) -> (Option<Row>, Option<Row>) {
        let mut k = ((room - 2.0 * PAD_V) / LEADING).floor().max(0.0) as usize;
        if k == 0 {
            if !force {
                return (None, Some(row.clone()));
            }
            k = 1;
        }
        let (mut head, mut tail) = (Vec::new(), Vec::new());
        for cell in &row.cells {
            let cut = k.min(cell.lines.len());
            head.push(CellBox {
                lines: cell.lines[..cut].to_vec(),
                mark: cell.mark,
            });
            tail.push(CellBox {
                lines: cell.lines[cut..].to_vec(),
                mark: None,
            });
        }
        let rest = tail
            .iter()
            .any(|c| !c.lines.is_empty())
            .then(|| Row::new(tail));
        (Some(Row::new(head)), rest)
    }
}

impl Row {
    fn new(cells: Vec<CellBox>) -> Row {
        let lines = cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1);
        Row {
            cells,
            height: LEADING * lines as f32 + 2.0 * PAD_V,
        }
    }
}
