//! Page furniture: the running header and the page footer, added once the
//! total page count is known.

use super::contents::HeadingMark;
use super::draw::Page;
use super::fonts::FontSet;
use super::theme::{mm, Style, GREY, LEFT, PAGE_H, PAGE_W, RIGHT, RULE, WIDTH};

/// Running header (with the current chapter on the right) and the
/// `第 N 页 共 M 页` footer on every page except the cover.
pub(crate) fn add_chrome(
    pages: &mut [Page],
    headings: &[HeadingMark],
    running: &str,
    fonts: &FontSet,
) {
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
