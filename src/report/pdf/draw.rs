//! Page display lists and their translation into printpdf operations.
//!
//! Layout produces pages of simple items in points with the origin at the
//! top-left corner (y grows downwards, as one reads); only this module knows
//! that PDF puts the origin at the bottom-left. Keeping layout free of printpdf
//! types also lets the tests inspect what lands on which page.

use printpdf::{
    Actions, BorderArray, Color, ColorArray, Destination, FontId, HighlightingMode, Line,
    LineCapStyle, LineDashPattern, LinePoint, LinkAnnotation, Op, PaintMode, PdfFontHandle, Point,
    Polygon, PolygonRing, Pt, Rect, TextItem, TextRenderingMode, WindingOrder,
};

use super::linebreak::is_gap;
use super::theme::{Style, PAGE_H};
use crate::report::chart::Rgb;

/// One drawing primitive; coordinates in points from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A single line of text; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        color: Rgb,
        text: String,
        /// Extra space at each break opportunity (justification, letter-spaced
        /// titles), in points; numbers and Latin words are not spread.
        spacing: f32,
    },
    /// An open polyline.
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        color: Rgb,
        /// Dash and gap lengths; `None` = solid.
        dash: Option<(f32, f32)>,
        /// Round caps (for dotted leaders).
        round: bool,
    },
    /// An axis-aligned rectangle; `(x, y)` is the top-left corner.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    /// A circle.
    Circle {
        cx: f32,
        cy: f32,
        r: f32,
        fill: Rgb,
        stroke: Option<(Rgb, f32)>,
    },
    /// A filled closed polygon.
    Polygon { points: Vec<(f32, f32)>, fill: Rgb },
    /// An invisible link area jumping to `top` (points from the top edge) on
    /// page index `page` (0-based).
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        page: usize,
        top: f32,
    },
}

/// One page of the laid-out document.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    /// Drawing items, painted in order.
    pub items: Vec<Item>,
    /// Whether the page gets the running header and footer (not the cover).
    pub chrome: bool,
}

impl Page {
    /// A page that gets the running header and footer.
    pub(crate) fn body() -> Page {
        Page {
            items: Vec::new(),
            chrome: true,
        }
    }

    /// Adds a line of text with its baseline at `y`.
    pub(crate) fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        color: Rgb,
        text: impl Into<String>,
    ) {
        let text = text.into();
        if !text.is_empty() {
            self.items.push(Item::Text {
                x,
                y,
                size,
                style,
                color,
                text,
                spacing: 0.0,
            });
        }
    }

    /// Adds a solid straight line.
    pub(crate) fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, color: Rgb) {
        self.items.push(Item::Line {
            points: vec![from, to],
            width,
            color,
            dash: None,
            round: false,
        });
    }

    /// Adds a filled rectangle without outline.
    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb) {
        self.items.push(Item::Rect {
            x,
            y,
            w,
            h,
            fill: Some(fill),
            stroke: None,
        });
    }

    /// The texts on this page, in drawing order (for tests).
    #[cfg(test)]
    pub(crate) fn texts(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The font resources of the PDF.
pub(crate) struct FontIds {
    pub regular: FontId,
    pub bold: FontId,
    /// Bold is drawn with the regular font plus an outline stroke.
    pub synthetic_bold: bool,
}

/// Graphics state already set in the content stream, to avoid repeating it.
#[derive(Default)]
struct State {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    width: Option<f32>,
    dash: Option<Option<(f32, f32)>>,
    round: Option<bool>,
    fake_bold: bool,
}

impl State {
    fn fill(&mut self, c: Rgb, ops: &mut Vec<Op>) {
        if self.fill != Some(c) {
            ops.push(Op::SetFillColor { col: color(c) });
            self.fill = Some(c);
        }
    }

    fn stroke(&mut self, c: Rgb, width: f32, ops: &mut Vec<Op>) {
        if self.stroke != Some(c) {
            ops.push(Op::SetOutlineColor { col: color(c) });
            self.stroke = Some(c);
        }
        if self.width != Some(width) {
            ops.push(Op::SetOutlineThickness { pt: Pt(width) });
            self.width = Some(width);
        }
    }

    fn dash(&mut self, dash: Option<(f32, f32)>, round: bool, ops: &mut Vec<Op>) {
        if self.dash != Some(dash) {
            let pattern = match dash {
                Some((on, off)) => LineDashPattern::new(0.0, &[on, off]),
                None => LineDashPattern::solid(),
            };
            ops.push(Op::SetLineDashPattern { dash: pattern });
            self.dash = Some(dash);
        }
        if self.round != Some(round) {
            let cap = if round {
                LineCapStyle::Round
            } else {
                LineCapStyle::Butt
            };
            ops.push(Op::SetLineCapStyle { cap });
            self.round = Some(round);
        }
    }
}

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.0) / 255.0,
        g: f32::from(c.1) / 255.0,
        b: f32::from(c.2) / 255.0,
        icc_profile: None,
    })
}

/// A point in PDF coordinates.
fn pt(x: f32, y: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(PAGE_H - y),
    }
}

fn corner(p: (f32, f32)) -> LinePoint {
    LinePoint {
        p: pt(p.0, p.1),
        bezier: false,
    }
}

/// Translates a page into printpdf operations.
pub(crate) fn page_ops(page: &Page, fonts: &FontIds) -> Vec<Op> {
    let mut ops = Vec::with_capacity(page.items.len() * 6);
    let mut st = State::default();
    for item in &page.items {
        match item {
            Item::Text {
                x,
                y,
                size,
                style,
                color,
                text,
                spacing,
            } => {
                st.fill(*color, &mut ops);
                let fake_bold = fonts.synthetic_bold && *style == Style::Bold;
                if fake_bold {
                    // A stroke of ~3.5% of the size thickens the strokes like a bold cut.
                    st.stroke(*color, size * 0.035, &mut ops);
                }
                ops.push(Op::StartTextSection);
                let font = match style {
                    Style::Bold if !fonts.synthetic_bold => fonts.bold.clone(),
                    _ => fonts.regular.clone(),
                };
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(font),
                    size: Pt(*size),
                });
                // Tr belongs to the graphics state and outlives ET: reset it.
                if st.fake_bold != fake_bold {
                    let mode = if fake_bold {
                        TextRenderingMode::FillStroke
                    } else {
                        TextRenderingMode::Fill
                    };
                    ops.push(Op::SetTextRenderingMode { mode });
                    st.fake_bold = fake_bold;
                }
                ops.push(Op::SetTextCursor { pos: pt(*x, *y) });
                ops.push(Op::ShowText {
                    items: text_items(text, *spacing, *size),
                });
                ops.push(Op::EndTextSection);
            }
            Item::Line {
                points,
                width,
                color,
                dash,
                round,
            } => {
                st.stroke(*color, *width, &mut ops);
                st.dash(*dash, *round, &mut ops);
                ops.push(Op::DrawLine {
                    line: Line {
                        points: points.iter().copied().map(corner).collect(),
                        is_closed: false,
                    },
                });
            }
            Item::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                if let Some(f) = fill {
                    st.fill(*f, &mut ops);
                }
                if let Some((c, width)) = stroke {
                    st.stroke(*c, *width, &mut ops);
                    st.dash(None, false, &mut ops);
                }
                let Some(mode) = paint_mode(fill.is_some(), stroke.is_some()) else {
                    continue;
                };
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(PAGE_H - y - h),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(mode),
                        winding_order: None,
                    },
                });
            }
            Item::Circle {
                cx,
                cy,
                r,
                fill,
                stroke,
            } => {
                st.fill(*fill, &mut ops);
                if let Some((c, width)) = stroke {
                    st.stroke(*c, *width, &mut ops);
                    st.dash(None, false, &mut ops);
                }
                let mode = if stroke.is_some() {
                    PaintMode::FillStroke
                } else {
                    PaintMode::Fill
                };
                ops.push(Op::DrawPolygon {
                    polygon: polygon(circle_points(*cx, *cy, *r), mode),
                });
            }
            Item::Polygon { points, fill } => {
                st.fill(*fill, &mut ops);
                let ring = points.iter().copied().map(corner).collect();
                ops.push(Op::DrawPolygon {
                    polygon: polygon(ring, PaintMode::Fill),
                });
            }
            Item::Link {
                x,
                y,
                w,
                h,
                page,
                top,
            } => {
                let target = Destination::Xyz {
                    page: page + 1, // printpdf counts pages from 1
                    left: None,
                    top: Some(PAGE_H - top + 12.0),
                    zoom: None,
                };
                ops.push(Op::LinkAnnotation {
                    link: LinkAnnotation::new(
                        Rect {
                            x: Pt(*x),
                            y: Pt(PAGE_H - y - h),
                            width: Pt(*w),
                            height: Pt(*h),
                            mode: None,
                            winding_order: None,
                        },
                        Actions::go_to(target),
                        Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                        Some(ColorArray::Transparent),
                        Some(HighlightingMode::Invert),
                    ),
                });
            }
        }
    }
    ops
}

/// The text as TJ items: with `spacing`, a negative kern (which moves right)
/// at every break opportunity, so only the gaps between characters of CJK text
/// and between words widen.
fn text_items(text: &str, spacing: f32, size: f32) -> Vec<TextItem> {
    if spacing <= 0.0 {
        return vec![TextItem::Text(text.to_string())];
    }
    let kern = -spacing * 1000.0 / size;
    let mut items = Vec::new();
    let mut chunk = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        chunk.push(c);
        if chars.peek().is_some_and(|&next| is_gap(c, next)) {
            items.push(TextItem::Text(std::mem::take(&mut chunk)));
            items.push(TextItem::Offset(kern));
        }
    }
    items.push(TextItem::Text(chunk));
    items
}

fn paint_mode(fill: bool, stroke: bool) -> Option<PaintMode> {
    match (fill, stroke) {
        (true, true) => Some(PaintMode::FillStroke),
        (true, false) => Some(PaintMode::Fill),
        (false, true) => Some(PaintMode::Stroke),
        (false, false) => None,
    }
}

fn polygon(points: Vec<LinePoint>, mode: PaintMode) -> Polygon {
    Polygon {
        rings: vec![PolygonRing { points }],
        mode,
        winding_order: WindingOrder::NonZero,
    }
}

/// A circle as four cubic Bézier arcs (control distance 0.5523 r).
fn circle_points(cx: f32, cy: f32, r: f32) -> Vec<LinePoint> {
    let k = 0.552_284_8 * r;
    let p = |x: f32, y: f32, bezier: bool| LinePoint {
        p: pt(cx + x, cy + y),
        bezier,
    };
    vec![
        p(r, 0.0, false),
        p(r, k, true),
        p(k, r, true),
        p(0.0, r, false),
        p(-k, r, true),
        p(-r, k, true),
        p(-r, 0.0, false),
        p(-r, -k, true),
        p(-k, -r, true),
        p(0.0, -r, false),
        p(k, -r, true),
        p(r, -k, true),
        p(r, 0.0, false),
    ]
}
