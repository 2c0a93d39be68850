//! Pagination: turns the block flow into pages of drawing items.
//!
//! Two passes make the table of contents right: its page count is computed
//! first from the heading texts alone (page numbers sit in a fixed-width slot,
//! so they cannot change the wrapping), the flow is laid out with that many
//! pages reserved, and the reserved pages are filled in once every heading's
//! page is known. Running headers and footers come last, when the total page
//! count is known. Page numbers are physical (the cover is page 1), so they
//! agree with the viewer's page count.

use super::draw::{mm, Item, Page, PAGE_H, PAGE_W};
use super::fonts::{FontSet, Style};
use super::linebreak::{balanced_lines, break_lines, is_gap, Line};
use super::{plot, table, Block, Document, ParagraphStyle, Rgb};

/// Texts the renderer prints on its own (for the missing-glyph check).
pub(crate) const FIXED_TEXT: &str = "目录续表：第页共0123456789";

/// Body text colour.
pub(crate) const INK: Rgb = Rgb(0x1a, 0x1a, 0x1a);
/// Secondary text (running header, footer, notes).
pub(crate) const GREY: Rgb = Rgb(0x60, 0x60, 0x60);
/// Thin rules.
pub(crate) const RULE: Rgb = Rgb(0xb0, 0xb0, 0xb0);
/// Light shading (table header, notices).
pub(crate) const SHADE: Rgb = Rgb(0xf0, 0xf0, 0xf0);
/// The one accent colour: chapter headings, cover title and rules.
pub(crate) const ACCENT: Rgb = Rgb(0x9e, 0x1b, 0x1b);

/// Left edge of the text area.
pub(crate) const LEFT: f32 = mm(25.0);
/// Right edge of the text area.
pub(crate) const RIGHT: f32 = PAGE_W - mm(25.0);
/// Width of the text area.
pub(crate) const WIDTH: f32 = RIGHT - LEFT;
/// Top of the text area.
pub(crate) const TOP: f32 = mm(25.0);
/// Bottom of the text area.
pub(crate) const BOTTOM: f32 = PAGE_H - mm(20.0);
/// Height of the text area.
pub(crate) const BODY_HEIGHT: f32 = BOTTOM - TOP;

/// Body text size in points.
const BODY_SIZE: f32 = 10.5;
/// Body line height (1.6).
const BODY_LEADING: f32 = 16.8;
/// Ascent used to place the baseline in a line box (Noto Sans CJK: 0.88 em).
const ASCENT: f32 = 0.88;

/// The result of layout.
pub(crate) struct Laid {
    /// All pages, cover first.
    pub pages: Vec<Page>,
    /// Headings of level 1 and 2, for the outline.
    pub headings: Vec<HeadingMark>,
}

/// Where a heading landed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeadingMark {
    /// 1 or 2.
    pub level: u8,
    /// The heading text.
    pub text: String,
    /// Page index (0-based).
    pub page: usize,
    /// Top of the heading on its page, points from the top edge.
    pub y: f32,
}

/// Lays out `doc`.
pub(crate) fn layout(doc: &Document, fonts: &FontSet) -> Laid {
    // Pass 1: how many pages the table of contents needs.
    let placeholders: Vec<HeadingMark> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } if heading_level(*level) <= 2 => Some(HeadingMark {
                level: heading_level(*level),
                text: text.clone(),
                page: 0,
                y: 0.0,
            }),
            _ => None,
        })
        .collect();
    let toc_len = toc_pages(fonts, &placeholders).len();

    // Pass 2: the flow, with the contents pages reserved.
    let mut flow = Flow::new(fonts);
    let mut toc_at = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Cover {
                title,
                subtitle,
                lines,
                notice,
            } => flow.cover(title, subtitle, lines, notice.as_deref()),
            Block::TableOfContents => {
                toc_at.push(flow.own_page(true));
                for _ in 1..toc_len {
                    flow.pages.push(Page::body());
                }
                flow.closed = true;
            }
            Block::Heading { level, text } => flow.heading(heading_level(*level), text),
            Block::Paragraph { text, style } => flow.paragraph(text, *style),
            Block::Table(t) => flow.table(t),
            Block::Chart(c) => flow.chart(c),
            Block::PageBreak => {
                if !flow.fresh {
                    flow.closed = true;
                }
            }
        }
    }
    let Flow {
        mut pages,
        headings,
        ..
    } = flow;
    if pages.is_empty() {
        // An empty document still makes a valid PDF: one blank page.
        pages.push(Page::body());
    }

    // Pass 3: the contents pages, now that every heading has its page.
    if !toc_at.is_empty() {
        let toc = toc_pages(fonts, &headings);
        for first in toc_at {
            for (i, page) in toc.iter().enumerate() {
                if let Some(slot) = pages.get_mut(first + i) {
                    slot.items.clone_from(&page.items);
                }
            }
        }
    }

    add_chrome(&mut pages, &headings, &doc.meta.running_header, fonts);
    Laid { pages, headings }
}

/// Heading levels outside 1..=3 are clamped.
fn heading_level(level: u8) -> u8 {
    level.clamp(1, 3)
}

/// Running header (with the current chapter on the right) and the
/// `第 N 页 共 M 页` footer on every page except the cover.
fn add_chrome(pages: &mut [Page], headings: &[HeadingMark], running: &str, fonts: &FontSet) {
    let total = pages.len();
    let size = 8.5;
    let header_base = mm(16.5);
    for (i, page) in pages.iter_mut().enumerate() {
        if !page.chrome {
            continue;
        }
        page.text(
            LEFT,
            header_base,
            size,
            Style::Regular,
            GREY,
            one_line(running),
        );
        let chapter = headings.iter().rev().find(|h| h.level == 1 && h.page <= i);
        if let Some(ch) = chapter {
            let w = fonts.width(&ch.text, size, Style::Regular);
            let room = WIDTH - fonts.width(running, size, Style::Regular) - 24.0;
            if w <= room {
                page.text(
                    RIGHT - w,
                    header_base,
                    size,
                    Style::Regular,
                    GREY,
                    one_line(&ch.text),
                );
            }
        }
        page.line((LEFT, mm(18.5)), (RIGHT, mm(18.5)), 0.4, RULE);

        let footer = format!("第 {} 页 共 {} 页", i + 1, total);
        let w = fonts.width(&footer, 9.0, Style::Regular);
        page.text(
            (PAGE_W - w) / 2.0,
            PAGE_H - mm(11.0),
            9.0,
            Style::Regular,
            GREY,
            footer,
        );
    }
}

/// `text` on one line: line breaks and tabs become spaces, other control
/// characters (which would print as missing-glyph boxes) are dropped.
fn one_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Lays out the table of contents, each entry a link to its heading.
/// The page count depends on the texts only, never on the page numbers.
fn toc_pages(fonts: &FontSet, entries: &[HeadingMark]) -> Vec<Page> {
    const NUM_SLOT: f32 = 28.0;
    const MIN_LEADER: f32 = 24.0;
    let mut pages = Vec::new();
    let title_size = 18.0;
    let title = "目录";
    // Letter-spaced like a chapter title: "目　录".
    let spacing = title_size;
    let w = fonts.width(title, title_size, Style::Bold) + spacing;
    let mut page = Page::body();
    page.items.push(Item::Text {
        x: (PAGE_W - w) / 2.0,
        y: TOP + 8.0 + title_size * ASCENT,
        size: title_size,
        style: Style::Bold,
        color: ACCENT,
        text: title.to_string(),
        spacing,
    });
    let mut y = TOP + 8.0 + title_size * 1.4 + 18.0;
    for (i, entry) in entries.iter().enumerate() {
        let level = entry.level;
        let (size, style, indent, before, leading) = if level == 1 {
            (11.0, Style::Bold, 0.0, 7.0, 19.0)
        } else {
            (10.5, Style::Regular, 2.0 * BODY_SIZE, 0.0, 18.0)
        };
        let avail = WIDTH - indent - NUM_SLOT - MIN_LEADER;
        let lines = break_lines(&entry.text, avail, 0.0, |c| fonts.advance(c, size, style));
        let h = before + leading * lines.len().max(1) as f32;
        // A chapter entry stays with its first section.
        let next = match entries.get(i + 1) {
            Some(n) if n.level == 2 && level == 1 => 18.0,
            _ => 0.0,
        };
        if y + h + next > BOTTOM {
            pages.push(std::mem::replace(&mut page, Page::body()));
            y = TOP;
        }
        y += before;
        page.items.push(Item::Link {
            x: LEFT,
            y,
            w: WIDTH,
            h: h - before,
            page: entry.page,
            top: entry.y,
        });
        let mut end_x = LEFT + indent;
        for line in &lines {
            let base = baseline(y, leading, size);
            page.text(LEFT + indent, base, size, style, INK, &*line.text);
            end_x = LEFT + indent + fonts.width(&line.text, size, style);
            y += leading;
        }
        let base = y - leading + (leading - size) / 2.0 + size * ASCENT;
        let num = (entry.page + 1).to_string();
        let num_w = fonts.width(&num, size, style);
        page.text(RIGHT - num_w, base, size, style, INK, num);
        // Dotted leader from the text to the number, on the baseline.
        let (from, to) = (end_x + 6.0, RIGHT - num_w - 6.0);
        if to > from {
            page.items.push(Item::Line {
                points: vec![(from, base - 1.0), (to, base - 1.0)],
                width: 0.9,
                color: GREY,
                dash: Some((0.0, 3.0)),
                round: true,
            });
        }
    }
    pages.push(page);
    pages
}

/// Baseline of a line of text of `size` in a line box of height `leading` at `top`.
fn baseline(top: f32, leading: f32, size: f32) -> f32 {
    top + (leading - size) / 2.0 + size * ASCENT
}

/// The flow state: pages so far and the cursor on the last one.
struct Flow<'a> {
    fonts: &'a FontSet,
    pages: Vec<Page>,
    /// Cursor: top of the free space on the last page.
    y: f32,
    /// Nothing has been placed on the last page yet.
    fresh: bool,
    /// The last page takes no more content (cover, contents, page break).
    closed: bool,
    headings: Vec<HeadingMark>,
}

impl<'a> Flow<'a> {
    fn new(fonts: &'a FontSet) -> Flow<'a> {
        Flow {
            fonts,
            pages: Vec::new(),
            y: TOP,
            fresh: true,
            closed: true,
            headings: Vec::new(),
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Page::body());
        self.y = TOP;
        self.fresh = true;
        self.closed = false;
    }

    /// Starts a page of its own (cover, contents), reusing an untouched page;
    /// returns its index. The caller closes it.
    fn own_page(&mut self, chrome: bool) -> usize {
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

    fn cover(&mut self, title: &str, subtitle: &str, lines: &[String], notice: Option<&str>) {
        let idx = self.own_page(false);
        let fonts = self.fonts;
        let mut page = std::mem::take(&mut self.pages[idx]);
        let center = |page: &mut Page, text: &str, y: f32, size: f32, style: Style, color: Rgb| {
            let w = fonts.width(text, size, style);
            page.text((PAGE_W - w) / 2.0, y, size, style, color, text);
        };

        // Title block, a third of the way down.
        let mut y = mm(78.0);
        let (size, leading) = (26.0, 38.0);
        for line in balanced_lines(title, mm(150.0), self.advance(size, Style::Bold)) {
            center(
                &mut page,
                &line.text,
                baseline(y, leading, size),
                size,
                Style::Bold,
                ACCENT,
            );
            y += leading;
        }
        // Double rule under the title, as on official documents.
        y += 10.0;
        page.line((LEFT, y), (RIGHT, y), 2.0, ACCENT);
        page.line((LEFT, y + 3.5), (RIGHT, y + 3.5), 0.6, ACCENT);
        y += 22.0;
        let (size, leading) = (15.0, 24.0);
        for line in break_lines(subtitle, mm(150.0), 0.0, self.advance(size, Style::Regular)) {
            center(
                &mut page,
                &line.text,
                baseline(y, leading, size),
                size,
                Style::Regular,
                INK,
            );
            y += leading;
        }

        // Issuer and date lines, ending at about three quarters of the page.
        let (size, leading) = (13.0, 24.0);
        let wrapped: Vec<Line> = lines
            .iter()
            .flat_map(|l| break_lines(l, mm(150.0), 0.0, self.advance(size, Style::Regular)))
            .collect();
        let mut y = (mm(222.0) - leading * wrapped.len() as f32).max(y + mm(20.0));
        for line in &wrapped {
            center(
                &mut page,
                &line.text,
                baseline(y, leading, size),
                size,
                Style::Regular,
                INK,
            );
            y += leading;
        }

        if let Some(notice) = notice {
            let (size, leading, pad) = (9.5, 15.0, 9.0);
            let w = mm(150.0);
            let text = break_lines(
                notice,
                w - 2.0 * pad,
                0.0,
                self.advance(size, Style::Regular),
            );
            let h = leading * text.len() as f32 + 2.0 * pad;
            let top = (mm(270.0) - h).max(y + mm(10.0));
            let x = (PAGE_W - w) / 2.0;
            page.items.push(Item::Rect {
                x,
                y: top,
                w,
                h,
                fill: Some(SHADE),
                stroke: Some((ACCENT, 0.6)),
            });
            for (i, line) in text.iter().enumerate() {
                let base = baseline(top + pad + leading * i as f32, leading, size);
                page.text(x + pad, base, size, Style::Regular, INK, &*line.text);
            }
        }
        self.pages[idx] = page;
        self.closed = true;
    }

    fn heading(&mut self, level: u8, text: &str) {
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

    fn paragraph(&mut self, text: &str, style: ParagraphStyle) {
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

    fn chart(&mut self, chart: &crate::report::chart::Chart) {
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

    fn table(&mut self, t: &super::Table) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::pdf::{Align, Cell, Column, Meta, Table};

    pub(crate) fn meta() -> Meta {
        Meta {
            title: "测试报告".into(),
            subject: "测试".into(),
            author: "测试单位".into(),
            language: "zh-CN".into(),
            running_header: "某区“十四五”规划实施情况监测报告".into(),
            date: (2025, 3, 31),
        }
    }

    fn long_table(rows: usize) -> Table {
        Table {
            caption: "主要指标完成情况".into(),
            columns: vec![
                Column {
                    title: "序号".into(),
                    width: 0.6,
                    align: Align::Center,
                },
                Column {
                    title: "指标".into(),
                    width: 3.0,
                    align: Align::Left,
                },
                Column {
                    title: "2025年目标".into(),
                    width: 1.2,
                    align: Align::Right,
                },
                Column {
                    title: "状态".into(),
                    width: 1.0,
                    align: Align::Left,
                },
            ],
            rows: (1..=rows)
                .map(|i| {
                    vec![
                        Cell {
                            text: i.to_string(),
                            mark: None,
                        },
                        Cell {
                            text: format!("第{i}项指标名称"),
                            mark: None,
                        },
                        Cell {
                            text: format!("{}.5", i * 10),
                            mark: None,
                        },
                        Cell {
                            text: "绿 正常".into(),
                            mark: Some(Rgb(0x2e, 0x7d, 0x32)),
                        },
                    ]
                })
                .collect(),
        }
    }

    #[test]
    fn long_table_repeats_header_and_caption() {
        let fonts = FontSet::embedded_default().unwrap();
        let doc = Document {
            meta: meta(),
            blocks: vec![Block::Table(long_table(120))],
        };
        let laid = layout(&doc, &fonts);
        assert!(laid.pages.len() >= 3, "{} pages", laid.pages.len());
        for (i, page) in laid.pages.iter().enumerate() {
            let texts = page.texts();
            let caption = if i == 0 {
                "主要指标完成情况"
            } else {
                "续表：主要指标完成情况"
            };
            assert!(texts.contains(&caption), "page {i}: {texts:?}");
            assert_eq!(
                texts.iter().filter(|t| **t == "2025年目标").count(),
                1,
                "header once on page {i}"
            );
            // Nothing is drawn below the text area (only the footer).
            for item in &page.items {
                if let Item::Text { y, text, .. } = item {
                    assert!(*y <= BOTTOM || text.starts_with('第'), "{text} at {y}");
                }
            }
        }
        // Every row is drawn exactly once, in order.
        let names: Vec<String> = laid
            .pages
            .iter()
            .flat_map(|p| p.texts())
            .filter(|t| t.ends_with("项指标名称"))
            .map(str::to_string)
            .collect();
        let expected: Vec<String> = (1..=120).map(|i| format!("第{i}项指标名称")).collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn tall_row_is_split_rather_than_lost() {
        let fonts = FontSet::embedded_default().unwrap();
        let mut t = long_table(2);
        t.rows[1][1].text = "很长的说明文字。".repeat(400);
        let doc = Document {
            meta: meta(),
            blocks: vec![Block::Table(t)],
        };
        let laid = layout(&doc, &fonts);
        assert!(laid.pages.len() >= 3);
        let chars: usize = laid
            .pages
            .iter()
            .flat_map(|p| p.texts())
            .filter(|t| t.chars().all(|c| "很长的说明文字。".contains(c)))
            .map(|t| t.chars().count())
            .sum();
        assert_eq!(chars, "很长的说明文字。".chars().count() * 400);
    }

    #[test]
    fn paragraphs_leave_no_single_line_at_a_page_break() {
        let fonts = FontSet::embedded_default().unwrap();
        let per_line = (WIDTH / BODY_SIZE).floor() as usize;
        let lengths = [1, 2, 3, 4, 5, 7, 2, 3];
        // Paragraph k is one character repeated, so its lines are recognisable.
        let para_char = |k: usize| char::from_u32(0x4E00 + k as u32).unwrap();
        let blocks: Vec<Block> = (0..60)
            .map(|k| Block::Paragraph {
                text: para_char(k)
                    .to_string()
                    .repeat(per_line * lengths[k % lengths.len()] - 3),
                style: ParagraphStyle::Body,
            })
            .collect();
        let laid = layout(
            &Document {
                meta: meta(),
                blocks,
            },
            &fonts,
        );
        assert!(laid.pages.len() >= 4);
        let mut splits = 0;
        for k in 0..60 {
            let c = para_char(k);
            let parts: Vec<usize> = laid
                .pages
                .iter()
                .map(|p| p.texts().iter().filter(|t| t.starts_with(c)).count())
                .filter(|&n| n > 0)
                .collect();
            assert_eq!(parts.iter().sum::<usize>(), lengths[k % lengths.len()]);
            if parts.len() > 1 {
                assert!(parts.iter().all(|&n| n >= 2), "paragraph {k}: {parts:?}");
                splits += 1;
            }
        }
        assert!(
            splits > 0,
            "no paragraph was split: the test proves nothing"
        );
    }

    #[test]
    fn toc_lists_headings_with_their_pages() {
        let fonts = FontSet::embedded_default().unwrap();
        let mut blocks = vec![
            Block::Cover {
                title: "标题".into(),
                subtitle: "副标题".into(),
                lines: vec!["某区发展和改革委员会".into()],
                notice: None,
            },
            Block::TableOfContents,
        ];
        for ch in 1..=30 {
            blocks.push(Block::Heading {
                level: 1,
                text: format!("第{ch}章"),
            });
            blocks.push(Block::Heading {
                level: 2,
                text: format!("第{ch}章第一节"),
            });
            blocks.push(Block::Paragraph {
                text: "正文。".repeat(50),
                style: ParagraphStyle::Body,
            });
        }
        let doc = Document {
            meta: meta(),
            blocks,
        };
        let laid = layout(&doc, &fonts);
        // 60 entries need more than one contents page; chapter 1 follows them.
        assert!(!laid.pages[0].chrome);
        let toc_end = laid.headings[0].page;
        assert!(toc_end >= 3, "contents end at {toc_end}");
        assert!(laid.pages[1].texts().contains(&"目录"));
        let toc: Vec<&str> = laid.pages[1..toc_end]
            .iter()
            .flat_map(|p| p.texts())
            .collect();
        for h in &laid.headings {
            let i = toc.iter().position(|t| *t == h.text).unwrap();
            assert_eq!(toc[i + 1], (h.page + 1).to_string(), "{}", h.text);
        }
        // Footers count physical pages; the cover has none.
        let total = laid.pages.len();
        assert!(!laid.pages[0].texts().iter().any(|t| t.starts_with("第 ")));
        for (i, p) in laid.pages.iter().enumerate().skip(1) {
            let footer = format!("第 {} 页 共 {} 页", i + 1, total);
            assert!(p.texts().contains(&footer.as_str()), "page {i}");
        }
    }
}
