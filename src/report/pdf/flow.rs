//! The block flow: a cursor running down the pages, placing headings,
//! paragraphs, notices, tables and charts, and moving to a new page when the
//! next piece does not fit (without widows, orphans or a caption alone at the
//! foot of a page).

use super::contents::HeadingMark;
use super::cover;
use super::document::{ParagraphStyle, Table};
use super::draw::{Item, Page};
use super::fonts::FontSet;
use super::linebreak::{balanced_lines, break_lines, is_gap, Line};
use super::theme::{
    baseline, Style, ACCENT, BODY_HEIGHT, BODY_LEADING, BODY_SIZE, BOTTOM, GREY, INK, LEFT, PAGE_W,
    RIGHT, RULE, SHADE, TOP, WIDTH,
};
use super::{plot, table};
use crate::report::chart::{Chart, Rgb};

/// The flow state: pages so far and the cursor on the last one.
pub(crate) struct Flow<'a> {
    fonts: &'a FontSet,
    /// The pages laid out so far.
    pub pages: Vec<Page>,
    /// Cursor: top of the free space on the last page.
    y: f32,
    /// Nothing has been placed on the last page yet.
    pub fresh: bool,
    /// The last page takes no more content (cover, contents, page break).
    pub closed: bool,
    /// Where each heading of level 1 and 2 landed, in document order.
    pub headings: Vec<HeadingMark>,
}

impl<'a> Flow<'a> {
    /// An empty flow; the first block opens the first page.
    pub(crate) fn new(fonts: &'a FontSet) -> Flow<'a> {
        Flow {
            fonts,
            pages: Vec::new(),
            y: TOP,
            fresh: true,
            closed: true,
            headings: Vec::new(),
        }
    }

    /// Opens a new body page and puts the cursor at its top.
    fn new_page(&mut self) {
        self.pages.push(Page::body());
        self.y = TOP;
        self.fresh = true;
        self.closed = false;
    }

    /// Starts a page of its own (cover, contents), reusing an untouched page;
    /// returns its index. The caller closes it.
    pub(crate) fn own_page(&mut self, chrome: bool) -> usize {
        if self.closed || !self.fresh || self.pages.is_empty() {
            self.new_page();
        }
        let last = self.pages.len() - 1;
        self.pages[last].chrome = chrome;
        last
    }

    /// Makes room for `h` points: a new page unless it fits or the page is empty.
    fn ensure(&mut self, h: f32) {
        if self.closed || self.pages.is_empty() || (!self.fresh && self.y + h > BOTTOM) {
            self.new_page();
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn space(&mut self, h: f32) {
        if !self.fresh && !self.closed {
            self.y += h;
        }
    }

    fn advance(&self, size: f32, style: Style) -> impl Fn(char) -> f32 + 'a {
        let fonts = self.fonts;
        move |c| fonts.advance(c, size, style)
    }

    /// The cover, on a page of its own.
    pub(crate) fn cover(
        &mut self,
        title: &str,
        subtitle: &str,
        lines: &[String],
        notice: Option<&str>,
    ) {
        let idx = self.own_page(false);
        cover::draw(
            &mut self.pages[idx],
            self.fonts,
            title,
            subtitle,
            lines,
            notice,
        );
        self.closed = true;
    }

    /// A heading of level 1 (a chapter: new page, centred, in the accent
    /// colour), 2 or 3, kept with at least two lines of what follows.
    pub(crate) fn heading(&mut self, level: u8, text: &str) {
        let (size, leading, before, after, color) = match level {
            1 => (18.0, 27.0, 0.0, 16.0, ACCENT),
            2 => (14.0, 21.0, 14.0, 6.0, INK),
            _ => (11.5, 17.0, 9.0, 3.0, INK),
        };
        let lines = if level == 1 {
            balanced_lines(text, WIDTH, self.advance(size, Style::Bold))
        } else {
            break_lines(text, WIDTH, 0.0, self.advance(size, Style::Bold))
        };
        let h = leading * lines.len() as f32;
        if level == 1 && !self.fresh {
            self.closed = true;
        }
        // Keep the heading with at least two lines of what follows.
        self.ensure(before + h + after + 2.0 * BODY_LEADING);
        self.space(before);
        if level == 1 {
            self.y += 10.0;
        }
        let top = self.y;
        let page_idx = self.pages.len() - 1;
        if level <= 2 {
            self.headings.push(HeadingMark {
                level,
                text: text.to_string(),
                page: page_idx,
                y: top,
            });
        }
        let fonts = self.fonts;
        let page = &mut self.pages[page_idx];
        let mut y = top;
        for line in &lines {
            let w = fonts.width(&line.text, size, Style::Bold);
            let x = if level == 1 { (PAGE_W - w) / 2.0 } else { LEFT };
            page.text(
                x,
                baseline(y, leading, size),
                size,
                Style::Bold,
                color,
                &*line.text,
            );
            y += leading;
        }
        if level == 1 {
            // A short accent bar under the chapter title.
            y += 4.0;
            page.line(
                (PAGE_W / 2.0 - 18.0, y),
                (PAGE_W / 2.0 + 18.0, y),
                1.5,
                ACCENT,
            );
        }
        self.y = y + after;
        self.fresh = false;
    }

    /// A paragraph: justified body text, small grey notes or a boxed notice.
    pub(crate) fn paragraph(&mut self, text: &str, style: ParagraphStyle) {
        match style {
            ParagraphStyle::Body => {
                self.space(3.0);
                let lines = break_lines(
                    text,
                    WIDTH,
                    2.0 * BODY_SIZE,
                    self.advance(BODY_SIZE, Style::Regular),
                );
                self.lines(&lines, BODY_SIZE, BODY_LEADING, INK, 2.0 * BODY_SIZE, true);
            }
            ParagraphStyle::Small => {
                self.space(3.0);
                let lines = break_lines(text, WIDTH, 0.0, self.advance(9.0, Style::Regular));
                self.lines(&lines, 9.0, 14.0, GREY, 0.0, false);
            }
            ParagraphStyle::Notice => self.notice(text),
        }
    }

    /// Places wrapped lines, splitting across pages without leaving a single
    /// line of a paragraph alone at the foot or head of a page.
    fn lines(
        &mut self,
        lines: &[Line],
        size: f32,
        leading: f32,
        color: Rgb,
        indent: f32,
        justify: bool,
    ) {
        let mut i = 0;
        while i < lines.len() {
            self.ensure(leading);
            let left = lines.len() - i;
            let fit = (((BOTTOM - self.y) / leading + 1e-3).floor().max(0.0)) as usize;
            let mut take = fit.min(left);
            if take < left {
                if left - take == 1 {
                    take -= 1; // no widow: carry a second line over
                }
                if take == 1 {
                    take = 0; // no orphan: start the paragraph on the next page
                }
            }
            if take == 0 {
                if self.fresh {
                    // Already at the top of a page: waiting would not help.
                    take = fit.clamp(1, left);
                } else {
                    self.new_page();
                    continue;
                }
            }
            let fonts = self.fonts;
            let y0 = self.y;
            let last_idx = self.pages.len() - 1;
            let page = &mut self.pages[last_idx];
            for (k, line) in lines[i..i + take].iter().enumerate() {
                let x = LEFT + if line.first { indent } else { 0.0 };
                let avail = RIGHT - x;
                let mut spacing = 0.0;
                if justify && !line.last {
                    let chars: Vec<char> = line.text.chars().collect();
                    let gaps = chars.windows(2).filter(|w| is_gap(w[0], w[1])).count();
                    let extra = avail - fonts.width(&line.text, size, Style::Regular);
                    if gaps > 0 && extra > 0.01 {
                        // At most 0.09 em per gap: text extractors (pdftotext) read a
                        // gap of 0.1 em as a word space, which would litter copied
                        // Chinese text with spaces. A line with too few gaps (one cut
                        // short by a long number) stays slightly short instead.
                        spacing = (extra / gaps as f32).min(0.09 * size);
                    }
                }
                if !line.text.is_empty() {
                    page.items.push(Item::Text {
                        x,
                        y: baseline(y0 + leading * k as f32, leading, size),
                        size,
                        style: Style::Regular,
                        color,
                        text: line.text.clone(),
                        spacing,
                    });
                }
            }
            self.y = y0 + leading * take as f32;
            self.fresh = false;
            i += take;
            if i < lines.len() {
                self.new_page();
            }
        }
    }

    /// A shaded, framed box; split across pages if it is longer than a page.
    fn notice(&mut self, text: &str) {
        let (size, leading, pad) = (10.0, 16.0, 8.0);
        let lines = break_lines(
            text,
            WIDTH - 2.0 * pad - 3.0,
            0.0,
            self.advance(size, Style::Regular),
        );
        self.space(6.0);
        let mut i = 0;
        while i < lines.len() {
            self.ensure(2.0 * pad + leading * (lines.len() - i).min(2) as f32);
            let fit = (((BOTTOM - self.y - 2.0 * pad) / leading).floor().max(1.0)) as usize;
            let take = fit.min(lines.len() - i);
            let h = leading * take as f32 + 2.0 * pad;
            let top = self.y;
            let last_idx = self.pages.len() - 1;
            let page = &mut self.pages[last_idx];
            page.items.push(Item::Rect {
                x: LEFT,
                y: top,
                w: WIDTH,
                h,
                fill: Some(SHADE),
                stroke: Some((RULE, 0.5)),
            });
            // Accent bar on the left edge marks the box as a notice.
            page.fill_rect(LEFT, top, 3.0, h, ACCENT);
            for (k, line) in lines[i..i + take].iter().enumerate() {
                let base = baseline(top + pad + leading * k as f32, leading, size);
                page.text(
                    LEFT + pad + 3.0,
                    base,
                    size,
                    Style::Regular,
                    INK,
                    &*line.text,
                );
            }
            self.y = top + h;
            self.fresh = false;
            i += take;
            if i < lines.len() {
                self.new_page();
            }
        }
        self.space(6.0);
    }

    /// A chart, moved whole to the next page if it does not fit.
    pub(crate) fn chart(&mut self, chart: &Chart) {
        let h = plot::height(chart);
        self.space(8.0);
        self.ensure(h);
        let top = self.y;
        let fonts = self.fonts;
        let last_idx = self.pages.len() - 1;
        plot::draw(&mut self.pages[last_idx], fonts, chart, LEFT, top, WIDTH, h);
        self.y = top + h;
        self.fresh = false;
        self.space(10.0);
    }

    /// A table, continued on the next pages with its caption and header repeated.
    pub(crate) fn table(&mut self, t: &Table) {
        if t.columns.is_empty() {
            return;
        }
        let grid = table::Grid::measure(t, self.fonts, LEFT, WIDTH);
        let continued = format!("续表：{}", t.caption);
        let cont_h = grid.caption_height(&continued);
        let head_h = grid.header.height;
        let first_h = grid.rows.first().map_or(0.0, |r| r.height);

        self.space(8.0);
        // Caption and header never stand alone at the foot of a page.
        self.ensure(grid.caption_height(&t.caption) + head_h + first_h);
        let mut idx = self.pages.len() - 1;
        self.y = grid.draw_caption(&mut self.pages[idx], self.y, &t.caption);
        self.y = grid.draw_header(&mut self.pages[idx], self.y);
        self.fresh = false;
        let mut rows_here = 0;

        let mut pending: Vec<table::Row> = grid.rows.iter().rev().cloned().collect();
        while let Some(row) = pending.pop() {
            if self.y + row.height > BOTTOM + 1e-3 {
                // A row that fits on a page moves whole; a taller one is split by lines.
                let (now, rest) = if row.height <= BODY_HEIGHT - cont_h - head_h {
                    (None, Some(row))
                } else {
                    grid.split_row(&row, BOTTOM - self.y, rows_here == 0)
                };
                if let Some(part) = now {
                    self.y = grid.draw_row(&mut self.pages[idx], self.y, &part);
                }
                grid.draw_bottom_rule(&mut self.pages[idx], self.y);
                if let Some(rest) = rest {
                    pending.push(rest);
                }
                if pending.is_empty() {
                    self.space(12.0);
                    return;
                }
                self.new_page();
                idx = self.pages.len() - 1;
                self.y = grid.draw_caption(&mut self.pages[idx], self.y, &continued);
                self.y = grid.draw_header(&mut self.pages[idx], self.y);
                self.fresh = false;
                rows_here = 0;
                continue;
            }
            self.y = grid.draw_row(&mut self.pages[idx], self.y, &row);
            rows_here += 1;
        }
        grid.draw_bottom_rule(&mut self.pages[idx], self.y);
        self.space(12.0);
    }
}
