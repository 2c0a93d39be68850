//! Chart model shared by the report renderers (PDF here, SVG elsewhere).
//!
//! The types only describe *what* to plot; each renderer decides how. Values are
//! kept as the caller computed them (a progress of 1.37 stays 1.37) so that every
//! renderer can print the real figure even where it clamps the drawing.
//! Axes and the printed figures come from [`scale`], the same for every renderer.

pub mod scale;

use serde::Serialize;

/// An sRGB colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// One chart of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Chart {
    /// Progress of several indicators against the time elapsed.
    Progress(ProgressChart),
    /// Yearly values of one indicator against its planned path.
    Trend(TrendChart),
}

/// Actual progress vs time elapsed, one horizontal bar per indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressChart {
    /// Title printed above the chart.
    pub title: String,
    /// One bar per indicator, drawn top to bottom in this order.
    pub bars: Vec<ProgressBar>,
}

/// One indicator of a [`ProgressChart`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressBar {
    /// Indicator name, printed left of the bar.
    pub label: String,
    /// Share of the way from baseline to target (1.0 = target reached). May be
    /// below 0 or above 1; the bar is clamped to [`scale::PROGRESS_LIMITS`]
    /// but the real percentage is printed.
    pub progress: f64,
    /// Share of the plan period elapsed (0..1), drawn as a tick on the bar.
    pub elapsed: f64,
    /// Bar colour (usually the status colour).
    pub color: Rgb,
    /// Status in words (e.g. "正常"), printed next to the percentage so the
    /// chart stays readable in black-and-white print.
    pub status_text: String,
}

/// Yearly values of one indicator with its planned path and target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendChart {
    /// Title printed above the chart.
    pub title: String,
    /// Unit of the values (e.g. "亿元"), printed at the value axis.
    pub unit: String,
    /// The years of the x axis, ascending.
    pub years: Vec<i32>,
    /// Actual value per year (same length as `years`; `None` = no data).
    pub actual: Vec<Option<f64>>,
    /// Planned path per year (same length as `years`; `None` = not planned).
    pub planned: Vec<Option<f64>>,
    /// Target year and value, drawn as a marker.
    pub target: Option<(i32, f64)>,
}
