//! The cover page: title block with a double rule, subtitle, issuer lines
//! and an optional boxed notice.

use super::draw::{Item, Page};
use super::fonts::FontSet;
use super::linebreak::{balanced_lines, break_lines, Line};
use super::theme::{baseline, mm, Style, ACCENT, INK, LEFT, PAGE_W, RIGHT, SHADE};
use crate::report::chart::Rgb;

/// Draws the cover onto `page`, which must be empty.
pub(crate) fn draw(
    page: &mut Page,
    fonts: &FontSet,
    title: &str,
    subtitle: &str,
    lines: &[String],
    notice: Option<&str>,
) {
    let center = |page: &mut Page, text: &str, y: f32, size: f32, style: Style, color: Rgb| {
        let w = fonts.width(text, size, style);
        page.text((PAGE_W - w) / 2.0, y, size, style, color, text);
    };

    // Title block, a third of the way down.
    let mut y = mm(78.0);
    let (size, leading) = (26.0, 38.0);
    for line in balanced_lines(title, mm(150.0), |c| fonts.advance(c, size, Style::Bold)) {
        center(
            page,
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
    for line in break_lines(subtitle, mm(150.0), 0.0, |c| {
        fonts.advance(c, size, Style::Regular)
    }) {
        center(
            page,
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
        .flat_map(|l| {
            break_lines(l, mm(150.0), 0.0, |c| {
                fonts.advance(c, size, Style::Regular)
            })
        })
        .collect();
    let mut y = (mm(222.0) - leading * wrapped.len() as f32).max(y + mm(20.0));
    for line in &wrapped {
        center(
            page,
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
        let text = break_lines(notice, w - 2.0 * pad, 0.0, |c| {
            fonts.advance(c, size, Style::Regular)
        });
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
}
