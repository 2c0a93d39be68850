//! Vector drawing of the report charts (progress bars and yearly trends).
//!
//! Charts are drawn into a box of the text width; their height is fixed
//! (trend) or grows with the number of bars (progress), so that layout can
//! move a chart that does not fit to the next page. Everything is drawn with
//! lines, rectangles, circles and text — no raster images — and every colour
//! is doubled by a text or a line style, so the charts survive grey print.
//! Axes and the printed figures come from [`crate::report::chart::scale`], the
//! same as in the HTML charts.

use super::draw::{Item, Page};
use super::fonts::FontSet;
use super::linebreak::break_lines;
use super::theme::{mm, Style, ACCENT, BODY_HEIGHT, GREY, INK, NAVY, PLAN, RULE, SHADE, WHITE};
use crate::report::chart::scale::{
    drawn_progress, progress_axis, progress_label, target_label, value_axis, value_label,
};
use crate::report::chart::{Chart, ProgressChart, Rgb, TrendChart};
/// Text sizes.
const TITLE_SIZE: f32 = 10.5;
const LABEL_SIZE: f32 = 9.0;
const AXIS_SIZE: f32 = 8.0;

/// Height of `chart` in points.
pub(crate) fn height(chart: &Chart) -> f32 {
    match chart {
        Chart::Trend(_) => mm(80.0),
        Chart::Progress(p) => (64.0 + 24.0 * p.bars.len() as f32).clamp(mm(70.0), BODY_HEIGHT),
    }
}

/// Draws `chart` into the box at (`x`, `y`) of size `w` x `h`.
pub(crate) fn draw(
    page: &mut Page,
    fonts: &FontSet,
    chart: &Chart,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
) {
    let title = match chart {
        Chart::Progress(p) => &p.title,
        Chart::Trend(t) => &t.title,
    };
    let tw = fonts.width(title, TITLE_SIZE, Style::Bold);
    page.text(
        x + (w - tw) / 2.0,
        y + 13.0,
        TITLE_SIZE,
        Style::Bold,
        INK,
        title.as_str(),
    );
    let mut pen = Pen { page, fonts };
    match chart {
        Chart::Progress(p) => progress(&mut pen, p, x, y, w, h),
        Chart::Trend(t) => trend(&mut pen, t, x, y, w, h),
    }
}

/// Drawing helpers around a page.
struct Pen<'p, 'f> {
    page: &'p mut Page,
    fonts: &'f FontSet,
}

impl Pen<'_, '_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        self.fonts.width(text, size, Style::Regular)
    }

    fn text(&mut self, x: f32, base: f32, size: f32, color: Rgb, text: &str) {
        self.page.text(x, base, size, Style::Regular, color, text);
    }

    fn text_right(&mut self, right: f32, base: f32, size: f32, color: Rgb, text: &str) {
        let w = self.width(text, size);
        self.text(right - w, base, size, color, text);
    }

    fn text_center(&mut self, center: f32, base: f32, size: f32, color: Rgb, text: &str) {
        let w = self.width(text, size);
        self.text(center - w / 2.0, base, size, color, text);
    }

    fn line(&mut self, points: Vec<(f32, f32)>, width: f32, color: Rgb, dash: Option<(f32, f32)>) {
        self.page.items.push(Item::Line {
            points,
            width,
            color,
            dash,
            round: false,
        });
    }

    fn diamond(&mut self, cx: f32, cy: f32, r: f32, fill: Rgb) {
        self.page.items.push(Item::Polygon {
            points: vec![(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)],
            fill,
        });
    }

    /// A legend: (swatch drawer, text) pairs centred on one line.
    fn legend(&mut self, center: f32, base: f32, entries: &[(Swatch, &str)]) {
        const SW: f32 = 16.0;
        const GAP: f32 = 18.0;
        let total: f32 = entries
            .iter()
            .map(|(_, t)| SW + 4.0 + self.width(t, AXIS_SIZE))
            .sum::<f32>()
            + GAP * (entries.len().saturating_sub(1)) as f32;
        let mut x = center - total / 2.0;
        let mid = base - AXIS_SIZE * 0.35;
        for (swatch, text) in entries {
            match swatch {
                Swatch::Bar => self.page.fill_rect(x, mid - 3.5, SW, 7.0, GREY),
                Swatch::Tick => self.line(
                    vec![(x + SW / 2.0, mid - 6.0), (x + SW / 2.0, mid + 6.0)],
                    1.4,
                    INK,
                    None,
                ),
                Swatch::Dashed(c) => {
                    self.line(vec![(x, mid), (x + SW, mid)], 1.2, *c, Some((3.0, 2.0)))
                }
                Swatch::LineDot => {
                    self.line(vec![(x, mid), (x + SW, mid)], 1.6, NAVY, None);
                    self.page.items.push(Item::Circle {
                        cx: x + SW / 2.0,
                        cy: mid,
                        r: 2.3,
                        fill: NAVY,
                        stroke: None,
                    });
                }
                Swatch::Diamond => self.diamond(x + SW / 2.0, mid, 4.0, ACCENT),
            }
            x += SW + 4.0;
            self.text(x, base, AXIS_SIZE, INK, text);
            x += self.width(text, AXIS_SIZE) + GAP;
        }
    }
}

/// Legend symbols.
enum Swatch {
    Bar,
    Tick,
    Dashed(Rgb),
    LineDot,
    Diamond,
}

/// Shortens `text` with "…" until it fits `width`.
fn ellipsize(pen: &Pen<'_, '_>, text: &str, size: f32, width: f32) -> String {
    if pen.width(text, size) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>() + "…";
        if pen.width(&s, size) <= width {
            return s;
        }
    }
    "…".to_string()
}

fn progress(pen: &mut Pen<'_, '_>, chart: &ProgressChart, x: f32, y: f32, w: f32, h: f32) {
    let bars = &chart.bars;
    let label_w = bars
        .iter()
        .map(|b| pen.width(&b.label, LABEL_SIZE))
        .fold(0.0, f32::max)
        .min(w * 0.26)
        + 8.0;
    let values: Vec<String> = bars.iter().map(progress_label).collect();
    let value_w = values
        .iter()
        .map(|v| pen.width(v, LABEL_SIZE))
        .fold(0.0, f32::max)
        .min(w * 0.24)
        + 10.0;
    let (x0, x1) = (x + label_w, x + w - value_w);
    let (top, bottom) = (y + 26.0, y + h - 36.0);

    let axis = progress_axis(bars);
    let sx = |v: f64| x0 + axis.fraction(v) as f32 * (x1 - x0);

    // Grid: a line at every tick, the 0% axis solid, the 100% (target) line dashed.
    for tick in &axis.ticks {
        let gx = sx(tick.value);
        let (width, color, dash) = if tick.value == 0.0 {
            (0.7, INK, None)
        } else if tick.value == 1.0 {
            (0.7, ACCENT, Some((3.0, 2.0)))
        } else {
            (0.3, RULE, None)
        };
        pen.line(vec![(gx, top - 4.0), (gx, bottom)], width, color, dash);
        pen.text_center(gx, bottom + 11.0, AXIS_SIZE, GREY, &tick.label);
    }

    let pitch = (bottom - top) / bars.len().max(1) as f32;
    let thick = (pitch * 0.5).min(11.0);
    for (i, (bar, value)) in bars.iter().zip(&values).enumerate() {
        let cy = top + pitch * (i as f32 + 0.5);
        // Light track up to 100% shows the way still to go.
        pen.page
            .fill_rect(sx(0.0), cy - thick / 2.0, sx(1.0) - sx(0.0), thick, SHADE);
        let (a, b) = (sx(0.0), sx(drawn_progress(bar.progress)));
        if (b - a).abs() > 0.01 {
            pen.page
                .fill_rect(a.min(b), cy - thick / 2.0, (b - a).abs(), thick, bar.color);
        }
        if bar.progress.is_finite() && drawn_progress(bar.progress) != bar.progress {
            // A white slanted cut near the end says "the bar goes on".
            let end = b - 7.0 * (b - a).signum();
            let (t, bt) = (cy - thick / 2.0 - 0.5, cy + thick / 2.0 + 0.5);
            pen.page.items.push(Item::Polygon {
                points: vec![
                    (end - 1.0, bt),
                    (end + 1.5, bt),
                    (end + 4.0, t),
                    (end + 1.5, t),
                ],
                fill: WHITE,
            });
        }
        if bar.elapsed.is_finite() {
            let ex = sx(bar.elapsed.clamp(0.0, 1.0));
            let (t, b) = (cy - thick / 2.0 - 3.5, cy + thick / 2.0 + 3.5);
            pen.line(vec![(ex, t), (ex, b)], 1.4, INK, None);
        }

        // Label: up to two lines, right-aligned against the plot.
        let avail = label_w - 8.0;
        let mut lines: Vec<String> = break_lines(&bar.label, avail, 0.0, |c| {
            pen.fonts.advance(c, LABEL_SIZE, Style::Regular)
        })
        .into_iter()
        .map(|l| l.text)
        .collect();
        if lines.len() > 2 {
            let rest: String = lines[1..].concat();
            lines.truncate(1);
            lines.push(ellipsize(pen, &rest, LABEL_SIZE, avail));
        }
        let lead = LABEL_SIZE * 1.25;
        let first_base = cy + LABEL_SIZE * 0.35 - lead * (lines.len() as f32 - 1.0) / 2.0;
        for (k, line) in lines.iter().enumerate() {
            pen.text_right(
                x0 - 6.0,
                first_base + lead * k as f32,
                LABEL_SIZE,
                INK,
                line,
            );
        }
        let shown = ellipsize(pen, value, LABEL_SIZE, value_w - 10.0);
        pen.text(x1 + 8.0, cy + LABEL_SIZE * 0.35, LABEL_SIZE, INK, &shown);
    }

    pen.legend(
        x + w / 2.0,
        y + h - 6.0,
        &[
            (Swatch::Bar, "实际进度"),
            (Swatch::Tick, "时间进度"),
            (Swatch::Dashed(ACCENT), "目标（100%）"),
        ],
    );
}

fn trend(pen: &mut Pen<'_, '_>, chart: &TrendChart, x: f32, y: f32, w: f32, h: f32) {
    let unit = format!("单位：{}", chart.unit);
    let values: Vec<f64> = chart
        .actual
        .iter()
        .chain(&chart.planned)
        .flatten()
        .copied()
        .chain(chart.target.map(|t| t.1))
        .filter(|v| v.is_finite())
        .collect();
    let mut years: Vec<i32> = chart.years.clone();
    years.extend(chart.target.map(|t| t.0));
    let (Some(&y_first), Some(&y_last)) = (years.iter().min(), years.iter().max()) else {
        pen.text_center(x + w / 2.0, y + h / 2.0, LABEL_SIZE, GREY, "无数据");
        return;
    };
    if values.is_empty() {
        pen.text_center(x + w / 2.0, y + h / 2.0, LABEL_SIZE, GREY, "无数据");
        return;
    }
    let axis = value_axis(values);
    let ylw = axis
        .ticks
        .iter()
        .map(|t| pen.width(&t.label, AXIS_SIZE))
        .fold(pen.width(&unit, AXIS_SIZE) / 2.0, f32::max)
        + 8.0;
    let (x0, x1) = (x + ylw, x + w - 8.0);
    let (top, bottom) = (y + 38.0, y + h - 40.0);
    let sy = |v: f64| bottom - axis.fraction(v) as f32 * (bottom - top);
    let slots = (y_last - y_first + 1) as f32;
    let sx = |year: i32| x0 + ((year - y_first) as f32 + 0.5) / slots * (x1 - x0);

    pen.text(x, y + 30.0, AXIS_SIZE, GREY, &unit);
    for tick in &axis.ticks {
        let gy = sy(tick.value);
        pen.line(vec![(x0, gy), (x1, gy)], 0.3, RULE, None);
        pen.text_right(
            x0 - 5.0,
            gy + AXIS_SIZE * 0.35,
            AXIS_SIZE,
            GREY,
            &tick.label,
        );
    }
    pen.line(vec![(x0, bottom), (x1, bottom)], 0.7, INK, None);
    let every = if slots > 12.0 { 2 } else { 1 };
    for year in (y_first..=y_last).step_by(every) {
        let gx = sx(year);
        pen.line(vec![(gx, bottom), (gx, bottom + 3.0)], 0.7, INK, None);
        pen.text_center(gx, bottom + 13.0, AXIS_SIZE, INK, &year.to_string());
    }

    // Planned path (dashed) and actual values (solid with dots), broken at gaps.
    let series = |data: &[Option<f64>]| -> Vec<Vec<(f32, f32)>> {
        let mut runs = vec![Vec::new()];
        for (year, v) in chart.years.iter().zip(data) {
            match v.filter(|v| v.is_finite()) {
                Some(v) => {
                    if let Some(run) = runs.last_mut() {
                        run.push((sx(*year), sy(v)));
                    }
                }
                None => runs.push(Vec::new()),
            }
        }
        runs.retain(|r| !r.is_empty());
        runs
    };
    for run in series(&chart.planned) {
        if run.len() > 1 {
            pen.line(run, 1.2, PLAN, Some((4.0, 2.5)));
        }
    }
    let actual = series(&chart.actual);
    for run in &actual {
        if run.len() > 1 {
            pen.line(run.clone(), 1.6, NAVY, None);
        }
        for &(px, py) in run {
            pen.page.items.push(Item::Circle {
                cx: px,
                cy: py,
                r: 2.4,
                fill: NAVY,
                stroke: Some((WHITE, 0.6)),
            });
        }
    }
    // The target: a diamond with its value beside it (left of it at the edge).
    // Its label box (x range, baseline) is kept to steer the next label clear.
    let mut target_box = None;
    if let Some((ty, tv)) = chart.target.filter(|t| t.1.is_finite()) {
        let (tx, tyy) = (sx(ty), sy(tv));
        pen.diamond(tx, tyy, 4.5, ACCENT);
        let label = target_label(tv);
        let lw = pen.width(&label, AXIS_SIZE);
        let lx = if tx + 7.0 + lw <= x1 {
            tx + 7.0
        } else {
            tx - 7.0 - lw
        };
        let base = tyy + AXIS_SIZE * 0.35;
        pen.text(lx, base, AXIS_SIZE, ACCENT, &label);
        target_box = Some((lx.min(tx - 5.0), (lx + lw).max(tx + 5.0), base));
    }
    // The latest actual value, above its dot (below it if the target's label
    // is in the way).
    let latest = chart
        .years
        .iter()
        .zip(&chart.actual)
        .rev()
        .find_map(|(yr, v)| v.filter(|v| v.is_finite()).map(|v| (*yr, v)));
    if let Some((yr, v)) = latest {
        let label = value_label(v);
        let (cx, half) = (sx(yr), pen.width(&label, AXIS_SIZE) / 2.0);
        let above = sy(v) - 6.0;
        let clash = target_box.is_some_and(|(l, r, base)| {
            cx + half > l && cx - half < r && (above - base).abs() < AXIS_SIZE + 2.0
        });
        let base = if clash {
            sy(v) + 6.0 + AXIS_SIZE
        } else {
            above
        };
        pen.text_center(cx, base, AXIS_SIZE, NAVY, &label);
    }

    pen.legend(
        x + w / 2.0,
        y + h - 6.0,
        &[
            (Swatch::LineDot, "实际值"),
            (Swatch::Dashed(PLAN), "规划路径"),
            (Swatch::Diamond, "规划目标"),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_drawing_is_clamped_but_text_is_real() {
        let fonts = FontSet::embedded_default().unwrap();
        let chart = Chart::Progress(ProgressChart {
            title: "进度".into(),
            bars: vec![
                crate::report::chart::ProgressBar {
                    label: "超额".into(),
                    progress: 3.0,
                    elapsed: 0.6,
                    color: Rgb(0, 128, 0),
                    status_text: "正常".into(),
                },
                crate::report::chart::ProgressBar {
                    label: "倒退".into(),
                    progress: -0.9,
                    elapsed: 0.6,
                    color: Rgb(200, 0, 0),
                    status_text: "滞后".into(),
                },
            ],
        });
        let mut page = Page::body();
        let (x, w) = (70.0, 450.0);
        draw(&mut page, &fonts, &chart, x, 100.0, w, height(&chart));
        let texts = page.texts();
        assert!(texts.contains(&"300%　正常"), "{texts:?}");
        assert!(texts.contains(&"-90%　滞后"), "{texts:?}");
        // Every drawn item stays inside the chart's horizontal extent.
        for item in &page.items {
            if let Item::Rect { x: rx, w: rw, .. } = item {
                assert!(*rx >= x - 0.01 && rx + rw <= x + w + 0.01, "{item:?}");
            }
        }
    }

    /// The texts of an SVG chart's `<text>` elements.
    fn svg_texts(chart: &Chart) -> Vec<String> {
        let svg = crate::report::svg::render(chart, "c");
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.to_string()))
            .collect()
    }

    #[test]
    fn both_renderers_print_the_same_figures() {
        let fonts = FontSet::embedded_default().unwrap();
        let trend = Chart::Trend(TrendChart {
            title: "研发经费投入强度".into(),
            unit: "%".into(),
            years: vec![2020, 2021, 2022, 2023],
            actual: vec![Some(3.2), Some(3.28), None, Some(3.246)],
            planned: vec![Some(3.2), Some(3.26), Some(3.32), Some(3.38)],
            target: Some((2023, 3.5)),
        });
        let progress = Chart::Progress(ProgressChart {
            title: "进度".into(),
            bars: vec![crate::report::chart::ProgressBar {
                label: "地区生产总值".into(),
                progress: 1.372,
                elapsed: 0.8,
                color: Rgb(0, 128, 0),
                status_text: "正常".into(),
            }],
        });
        for chart in [trend, progress] {
            let mut page = Page::body();
            draw(
                &mut page,
                &fonts,
                &chart,
                70.0,
                100.0,
                450.0,
                height(&chart),
            );
            let in_svg = svg_texts(&chart);
            // Every figure, leaving out the PDF's legend entry "目标（100%）".
            let figures: Vec<&str> = page
                .texts()
                .into_iter()
                .filter(|t| t.contains(|c: char| c.is_ascii_digit()) && !t.contains('（'))
                .collect();
            assert!(figures.len() >= 4, "{figures:?}");
            for figure in figures {
                assert!(
                    in_svg.iter().any(|t| t == figure),
                    "{figure} not in {in_svg:?}"
                );
            }
        }
    }
}
