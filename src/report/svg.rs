//! Inline SVG for the HTML report, drawn from the chart model in [`super::chart`].
//!
//! The SVG is written here (not in a template) because it is geometry, not
//! layout: positions are computed from the values. Every piece of text that goes
//! into it passes through [`escape`], so the string can be marked safe for the
//! templates. No scripts, no external fonts or images: the file opens offline.
//! Status is never shown by colour alone: each bar carries its status in words.
//! Axes and the printed figures come from [`super::chart::scale`], the same as
//! in the PDF charts.

use super::chart::scale::{
    progress_axis, progress_label, share_label, target_label, value_axis, value_label,
};
use super::chart::{Chart, ProgressChart, Rgb, TrendChart};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

/// Font stack of chart text: the page's sans-serif Chinese fonts when present.
const FONT: &str = "'Noto Sans SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";
/// Ink for axes and labels.
const INK: &str = "#222";
/// Grid lines.
const GRID: &str = "#d9d9d9";
/// Planned path and secondary marks.
const MUTED: &str = "#666";
/// The actual-value line of trend charts.
const ACTUAL: &str = "#1f4e79";

/// Renders a chart as a standalone `<svg>` element. `id` must be unique in the
/// document: it names the title and description for screen readers.
pub fn render(chart: &Chart, id: &str) -> String {
    match chart {
        Chart::Progress(chart) => progress(chart, id),
        Chart::Trend(chart) => trend(chart, id),
    }
}

/// Escapes text for SVG/XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn rgb(color: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}

/// Formats a coordinate with one decimal, which is finer than any screen or printer needs.
fn px(value: f64) -> String {
    crate::text::number(value, 1)
}

fn open_svg(out: &mut String, id: &str, width: f64, height: f64, title: &str, description: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"{font}\"><title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        w = px(width),
        h = px(height),
        id = escape(id),
        font = escape(FONT),
        title = escape(title),
        desc = escape(description),
    );
}

fn text(out: &mut String, x: f64, y: f64, size: f64, anchor: &str, extra: &str, content: &str) {
    // Callers may set their own fill in `extra`; ink is the default.
    let fill = if extra.contains("fill=") {
        String::new()
    } else {
        format!(" fill=\"{INK}\"")
    };
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\"{fill}{extra}>{}</text>",
        px(x),
        px(y),
        px(size),
        escape(content)
    );
}

fn line(out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, extra: &str) {
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\"{extra}/>",
        px(x1),
        px(y1),
        px(x2),
        px(y2)
    );
}

/// Splits a label into at most two lines of `columns` display columns (a Chinese
/// character is two), ending the second with "…" when the label is longer.
fn wrap_label(label: &str, columns: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for c in label.chars() {
        let current = lines.last().map_or(0, |l| l.width());
        let needed = c.to_string().width();
        if current + needed > columns {
            if lines.len() == 2 {
                if let Some(last) = lines.last_mut() {
                    last.pop();
                    last.push('…');
                }
                break;
            }
            lines.push(String::new());
        }
        if let Some(last) = lines.last_mut() {
            last.push(c);
        }
    }
    lines
}

fn progress(chart: &ProgressChart, id: &str) -> String {
    const WIDTH: f64 = 680.0;
    const LABEL_RIGHT: f64 = 226.0;
    const PLOT_LEFT: f64 = 236.0;
    const PLOT_RIGHT: f64 = 560.0;
    const TOP: f64 = 52.0;
    let axis = progress_axis(&chart.bars);
    // The axis ends where the drawing is clamped; the printed figure keeps the real value.
    let x = |share: f64| PLOT_LEFT + axis.fraction(share) * (PLOT_RIGHT - PLOT_LEFT);
    let labels: Vec<Vec<String>> = chart
        .bars
        .iter()
        .map(|b| wrap_label(&b.label, 36))
        .collect();
    let heights: Vec<f64> = labels
        .iter()
        .map(|l| if l.len() > 1 { 34.0 } else { 24.0 })
        .collect();
    let plot_bottom = TOP + heights.iter().sum::<f64>();
    let height = plot_bottom + 30.0;
    let description = chart
        .bars
        .iter()
        .map(|b| {
            format!(
                "{}：进度{}，时间进度{}，{}",
                b.label,
                share_label(b.progress),
                share_label(b.elapsed),
                b.status_text
            )
        })
        .collect::<Vec<_>>()
        .join("；");
    let mut out = String::with_capacity(2048 + chart.bars.len() * 700);
    open_svg(&mut out, id, WIDTH, height, &chart.title, &description);
    text(
        &mut out,
        0.0,
        16.0,
        14.0,
        "start",
        " font-weight=\"bold\"",
        &chart.title,
    );
    // Legend: a bar swatch for progress, a dark tick for time elapsed.
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"26\" width=\"14\" height=\"10\" fill=\"{MUTED}\"/>",
        px(PLOT_LEFT)
    );
    text(
        &mut out,
        PLOT_LEFT + 18.0,
        35.0,
        11.0,
        "start",
        "",
        "实际进度（完成目标的比例）",
    );
    line(
        &mut out,
        (PLOT_LEFT + 196.0, 24.0),
        (PLOT_LEFT + 196.0, 38.0),
        INK,
        " stroke-width=\"2.5\"",
    );
    text(
        &mut out,
        PLOT_LEFT + 202.0,
        35.0,
        11.0,
        "start",
        "",
        "时间进度",
    );
    for tick in &axis.ticks {
        let stroke = if tick.value == 0.0 || tick.value == 1.0 {
            MUTED
        } else {
            GRID
        };
        let extra = if tick.value == 1.0 {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        line(
            &mut out,
            (x(tick.value), TOP - 4.0),
            (x(tick.value), plot_bottom),
            stroke,
            extra,
        );
        text(
            &mut out,
            x(tick.value),
            plot_bottom + 16.0,
            10.0,
            "middle",
            "",
            &tick.label,
        );
    }
    let mut y = TOP;
    for ((bar, label), row_height) in chart.bars.iter().zip(&labels).zip(&heights) {
        let middle = y + row_height / 2.0;
        let first_baseline = middle + 4.0 - 6.5 * (label.len() as f64 - 1.0);
        for (index, part) in label.iter().enumerate() {
            text(
                &mut out,
                LABEL_RIGHT,
                first_baseline + 13.0 * index as f64,
                12.0,
                "end",
                "",
                part,
            );
        }
        let (from, to) = (x(0.0), x(bar.progress));
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{}\"/>",
            px(from.min(to)),
            px(middle - 6.0),
            px((to - from).abs()),
            rgb(bar.color)
        );
        line(
            &mut out,
            (x(bar.elapsed), middle - 9.0),
            (x(bar.elapsed), middle + 9.0),
            INK,
            " stroke-width=\"2.5\"",
        );
        text(
            &mut out,
            PLOT_RIGHT + 8.0,
            middle + 4.0,
            12.0,
            "start",
            "",
            &progress_label(bar),
        );
        y += row_height;
    }
    out.push_str("</svg>");
    out
}

fn trend(chart: &TrendChart, id: &str) -> String {
    const WIDTH: f64 = 330.0;
    const HEIGHT: f64 = 220.0;
    const LEFT: f64 = 52.0;
    const RIGHT: f64 = 316.0;
    const TOP: f64 = 44.0;
    const BOTTOM: f64 = 168.0;
    let axis = value_axis(
        chart
            .actual
            .iter()
            .chain(&chart.planned)
            .flatten()
            .copied()
            .chain(chart.target.map(|(_, v)| v)),
    );
    // The ticks enclose every value, so the plot spans from the first to the last tick.
    let y = |v: f64| BOTTOM - axis.fraction(v) * (BOTTOM - TOP);
    let first_year = chart.years.first().copied().unwrap_or_default();
    let last_year = chart.years.last().copied().unwrap_or(first_year);
    let x = |year: i32| {
        let span = f64::from((last_year - first_year).max(1));
        LEFT + 8.0 + f64::from(year - first_year) / span * (RIGHT - LEFT - 16.0)
    };
    let described: Vec<String> = chart
        .years
        .iter()
        .zip(&chart.actual)
        .filter_map(|(year, v)| v.map(|v| format!("{year}年{}", value_label(v))))
        .collect();
    let mut description = format!("单位：{}。实际值：{}", chart.unit, described.join("，"));
    if let Some((year, target)) = chart.target {
        let _ = write!(description, "。{year}年目标：{}", value_label(target));
    }
    let mut out = String::with_capacity(4096);
    open_svg(&mut out, id, WIDTH, HEIGHT, &chart.title, &description);
    for (index, part) in wrap_label(&chart.title, 52).iter().enumerate() {
        text(
            &mut out,
            0.0,
            14.0 + 15.0 * index as f64,
            13.0,
            "start",
            " font-weight=\"bold\"",
            part,
        );
    }
    text(
        &mut out,
        LEFT - 6.0,
        TOP - 8.0,
        10.0,
        "end",
        "",
        &chart.unit,
    );
    for tick in &axis.ticks {
        line(
            &mut out,
            (LEFT, y(tick.value)),
            (RIGHT, y(tick.value)),
            GRID,
            "",
        );
        text(
            &mut out,
            LEFT - 6.0,
            y(tick.value) + 3.5,
            10.0,
            "end",
            "",
            &tick.label,
        );
    }
    line(&mut out, (LEFT, BOTTOM), (RIGHT, BOTTOM), MUTED, "");
    for year in &chart.years {
        text(
            &mut out,
            x(*year),
            BOTTOM + 15.0,
            10.0,
            "middle",
            "",
            &year.to_string(),
        );
    }
    polyline_segments(
        &mut out,
        &chart.years,
        &chart.planned,
        &x,
        &y,
        MUTED,
        " stroke-dasharray=\"5 3\"",
    );
    polyline_segments(
        &mut out,
        &chart.years,
        &chart.actual,
        &x,
        &y,
        ACTUAL,
        " stroke-width=\"2\"",
    );
    for (year, v) in chart.years.iter().zip(&chart.actual) {
        if let Some(v) = v {
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{ACTUAL}\"/>",
                px(x(*year)),
                px(y(*v))
            );
        }
    }
    let last_actual = chart
        .years
        .iter()
        .zip(&chart.actual)
        .rev()
        .find_map(|(year, v)| v.map(|v| (*year, v)));
    if let Some((year, v)) = last_actual {
        // The label goes on the side away from the target, so the two never overlap.
        let below = chart.target.is_some_and(|(_, target)| target > v);
        let label_y = if below { y(v) + 15.0 } else { y(v) - 7.0 };
        text(
            &mut out,
            x(year),
            label_y,
            10.0,
            "middle",
            &format!(" fill=\"{ACTUAL}\""),
            &value_label(v),
        );
    }
    if let Some((year, target)) = chart.target {
        let (cx, cy) = (x(year), y(target));
        let _ = write!(
            out,
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"{INK}\"/>",
            px(cx),
            px(cy - 5.0),
            px(cx + 5.0),
            px(cy),
            px(cx),
            px(cy + 5.0),
            px(cx - 5.0),
            px(cy)
        );
        let above = last_actual.is_none_or(|(_, v)| v <= target);
        let label_y = if above { cy - 8.0 } else { cy + 15.0 };
        text(
            &mut out,
            cx - 6.0,
            label_y,
            10.0,
            "end",
            "",
            &target_label(target),
        );
    }
    // Legend in words as well as line styles, for black-and-white print; only
    // for what is drawn (no planned path without a baseline).
    let legend_y = HEIGHT - 14.0;
    let mut legend_x = LEFT;
    line(
        &mut out,
        (legend_x, legend_y - 4.0),
        (legend_x + 22.0, legend_y - 4.0),
        ACTUAL,
        " stroke-width=\"2\"",
    );
    text(
        &mut out,
        legend_x + 26.0,
        legend_y,
        10.0,
        "start",
        "",
        "实际值",
    );
    legend_x += 80.0;
    if chart.planned.iter().any(Option::is_some) {
        line(
            &mut out,
            (legend_x, legend_y - 4.0),
            (legend_x + 22.0, legend_y - 4.0),
            MUTED,
            " stroke-dasharray=\"5 3\"",
        );
        text(
            &mut out,
            legend_x + 26.0,
            legend_y,
            10.0,
            "start",
            "",
            "规划路径",
        );
        legend_x += 90.0;
    }
    if chart.target.is_some() {
        let _ = write!(
            out,
            "<path d=\"M{} {}l4 4l-4 4l-4 -4Z\" fill=\"{INK}\"/>",
            px(legend_x + 4.0),
            px(legend_y - 8.0)
        );
        text(
            &mut out,
            legend_x + 12.0,
            legend_y,
            10.0,
            "start",
            "",
            "规划目标",
        );
    }
    out.push_str("</svg>");
    out
}

/// Draws a series as polylines, breaking the line where a year has no value.
fn polyline_segments(
    out: &mut String,
    years: &[i32],
    values: &[Option<f64>],
    x: &impl Fn(i32) -> f64,
    y: &impl Fn(f64) -> f64,
    stroke: &str,
    extra: &str,
) {
    let mut segment: Vec<String> = Vec::new();
    let flush = |segment: &mut Vec<String>, out: &mut String| {
        if segment.len() > 1 {
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\"{extra}/>",
                segment.join(" ")
            );
        }
        segment.clear();
    };
    for (year, v) in years.iter().zip(values) {
        match v {
            Some(v) => segment.push(format!("{},{}", px(x(*year)), px(y(*v)))),
            None => flush(&mut segment, out),
        }
    }
    flush(&mut segment, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::ProgressBar;

    #[test]
    fn text_in_charts_is_escaped() {
        let chart = Chart::Progress(ProgressChart {
            title: "A & <B>".into(),
            bars: vec![ProgressBar {
                label: "<script>alert('x')</script>".into(),
                progress: 1.37,
                elapsed: 0.6,
                color: Rgb(0, 128, 0),
                status_text: "绿灯".into(),
            }],
        });
        let svg = render(&chart, "c1");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("A &amp; &lt;B&gt;"), "{svg}");
        // The drawing is clamped, the printed figure is not.
        assert!(svg.contains("137%"), "{svg}");
    }

    #[test]
    fn trend_lines_break_at_missing_years() {
        let chart = Chart::Trend(TrendChart {
            title: "地区生产总值".into(),
            unit: "亿元".into(),
            years: vec![2020, 2021, 2022, 2023],
            actual: vec![Some(1000.0), Some(1060.0), None, Some(1200.0)],
            planned: vec![Some(1000.0), Some(1084.0), Some(1176.0), Some(1275.0)],
            target: Some((2025, 1500.0)),
        });
        let svg = render(&chart, "c2");
        // Planned path is one line; the actual values split into a line and a lone point.
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
        assert!(svg.contains("目标1500"), "{svg}");
    }

    #[test]
    fn long_labels_wrap_into_two_lines() {
        let lines = wrap_label(&"指".repeat(40), 36);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert_eq!(wrap_label("GDP", 36), vec!["GDP".to_string()]);
    }
}
