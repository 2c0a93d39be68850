//! The table of contents: where each heading landed, and the contents pages
//! listing them with their page numbers, each entry a link to its heading.

use super::draw::{Item, Page};
use super::fonts::FontSet;
use super::linebreak::break_lines;
use super::theme::{
    baseline, Style, ACCENT, ASCENT, BODY_SIZE, BOTTOM, GREY, INK, LEFT, PAGE_W, RIGHT, TOP, WIDTH,
};

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

/// Lays out the table of contents, each entry a link to its heading.
/// The page count depends on the texts only, never on the page numbers.
pub(crate) fn toc_pages(fonts: &FontSet, entries: &[HeadingMark]) -> Vec<Page> {
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
