//! The look of the PDF report in one place: page geometry, colours, type
//! sizes, the two type styles and the texts the renderer prints by itself.
//!
//! A leaf module: it imports nothing from its siblings, so every other part of
//! the writer (fonts, drawing, tables, charts, layout) can depend on it
//! without closing a circle.

use crate::report::chart::Rgb;

/// A4 width in points.
pub(crate) const PAGE_W: f32 = 595.276;
/// A4 height in points.
pub(crate) const PAGE_H: f32 = 841.89;

/// Millimetres to points.
pub(crate) const fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

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
pub(crate) const BODY_SIZE: f32 = 10.5;
/// Body line height (1.6).
pub(crate) const BODY_LEADING: f32 = 16.8;
/// Ascent used to place the baseline in a line box (Noto Sans CJK: 0.88 em).
pub(crate) const ASCENT: f32 = 0.88;

/// Baseline of a line of text of `size` in a line box of height `leading` at `top`.
pub(crate) fn baseline(top: f32, leading: f32, size: f32) -> f32 {
    top + (leading - size) / 2.0 + size * ASCENT
}

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
/// Colour of actual values in trend charts.
pub(crate) const NAVY: Rgb = Rgb(0x1f, 0x4e, 0x79);
/// Colour of the planned path in trend charts.
pub(crate) const PLAN: Rgb = Rgb(0x80, 0x80, 0x80);
/// Paper white, for cuts and outlines drawn over colour.
pub(crate) const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);

/// Which face of the font set a piece of text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Style {
    Regular,
    Bold,
}

/// Texts the renderer prints on its own, beside the document's (for the
/// missing-glyph check): the contents title, continued-table captions and page
/// footers, then the chart legends, axis units and figures.
pub(crate) const FIXED_TEXT: &str =
    "目录续表：第页共0123456789实际进度时间目标（）单位：值规划路径无数据%.-…—";
