//! Axis ranges, ticks and the printed figures of the report charts, shared by
//! the HTML (SVG) and the PDF renderer so that one chart prints the same
//! figures in both. Format-neutral: values in, numbers and texts out; each
//! renderer turns [`Axis::fraction`] into its own coordinates.
//!
//! The convention, chosen for readers of statistical reports:
//! - **Figures on the chart are the figures of the tables.** A progress prints
//!   as a whole percentage ("137%") and a value in the report's precision (two
//!   decimals below 100, one above: "3.46", "1455.6"), through the same
//!   functions the tables and the text use, so a reader can find the bar's
//!   figure in the table beside it. A decimal more on the chart ("137.0%")
//!   would claim a precision the table does not show, and make the two differ.
//! - **Progress axes count quarters of the way to the target**: ticks every
//!   25%, from 0% (or −25% when a bar is negative) to 100% or the first quarter
//!   above the longest bar, at most 150%. Beyond that the bar is cut and its
//!   real figure printed.
//! - **Value axes are "pretty"**, as R's `pretty()` and statistical yearbooks
//!   draw them: about five intervals of 1, 2 or 5 times a power of ten, the
//!   first and last tick enclosing the data, and every tick label with the same
//!   number of decimals ("3.0  3.2  3.4"), so the labels line up and read as
//!   one scale.

use super::ProgressBar;
use crate::text::{percent, value};

/// The range a progress bar is drawn in (a share, 1.0 = target reached); the
/// printed figure keeps the real value.
pub const PROGRESS_LIMITS: (f64, f64) = (-0.25, 1.5);
/// Distance between progress ticks: a quarter of the way to the target.
const PROGRESS_STEP: f64 = 0.25;
/// About how many intervals a value axis is divided into.
const VALUE_INTERVALS: f64 = 5.0;
/// Slack when rounding to whole steps, so that 2.9999999 steps count as 3.
const STEP_SLACK: f64 = 1e-9;

/// One axis of a chart: its range and labelled ticks, lowest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Value at the start of the axis (the first tick).
    pub low: f64,
    /// Value at the end of the axis (the last tick); always above `low`.
    pub high: f64,
    /// Ticks from `low` to `high`, each with its printed label.
    pub ticks: Vec<Tick>,
}

/// A tick on an [`Axis`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Where the tick is.
    pub value: f64,
    /// What is printed at it.
    pub label: String,
}

impl Axis {
    /// Where `value` lies on the axis: 0.0 at `low`, 1.0 at `high`; values
    /// outside the axis are drawn at its ends.
    pub fn fraction(&self, value: f64) -> f64 {
        (value.clamp(self.low, self.high) - self.low) / (self.high - self.low)
    }
}

/// The progress axis of a bar chart: from 0% (−25% when a bar is negative) to
/// 100% or the first quarter above the longest bar or time tick, at most 150%.
pub fn progress_axis(bars: &[ProgressBar]) -> Axis {
    let low = if bars.iter().any(|b| b.progress < 0.0) {
        PROGRESS_LIMITS.0
    } else {
        0.0
    };
    let longest = bars
        .iter()
        .map(|b| drawn_progress(b.progress).max(drawn_progress(b.elapsed)))
        .fold(1.0, f64::max);
    let high =
        ((longest / PROGRESS_STEP - STEP_SLACK).ceil() * PROGRESS_STEP).min(PROGRESS_LIMITS.1);
    let first = (low / PROGRESS_STEP).round();
    let count = ((high - low) / PROGRESS_STEP).round() as usize;
    let ticks = (0..=count)
        .map(|k| {
            let value = (first + k as f64) * PROGRESS_STEP;
            Tick {
                value,
                label: share_label(value),
            }
        })
        .collect();
    Axis { low, high, ticks }
}

/// The length a progress bar is drawn with: clamped to [`PROGRESS_LIMITS`];
/// a missing (non-finite) value is drawn as zero, its text says "—".
pub fn drawn_progress(share: f64) -> f64 {
    if share.is_finite() {
        share.clamp(PROGRESS_LIMITS.0, PROGRESS_LIMITS.1)
    } else {
        0.0
    }
}

/// A "pretty" value axis enclosing the finite `values`. A single value (or
/// several equal ones) gets a range of ±10% around it (±1 around zero); no
/// finite value at all gives the axis 0 to 1.
pub fn value_axis(values: impl IntoIterator<Item = f64>) -> Axis {
    let (min, max) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |range: Option<(f64, f64)>, v| match range {
            Some((min, max)) => Some((min.min(v), max.max(v))),
            None => Some((v, v)),
        })
        .unwrap_or((0.0, 1.0));
    let (min, max) = if max - min <= STEP_SLACK * max.abs().max(min.abs()) {
        let pad = if min.abs() > 0.0 {
            min.abs() * 0.1
        } else {
            1.0
        };
        (min - pad, max + pad)
    } else {
        (min, max)
    };
    let step = Step::nice((max - min) / VALUE_INTERVALS);
    let first = (min / step.size() + STEP_SLACK).floor();
    let last = (max / step.size() - STEP_SLACK).ceil();
    let ticks: Vec<Tick> = (0..=(last - first) as usize)
        .map(|k| {
            let value = step.times(first + k as f64);
            Tick {
                value,
                label: step.label(value),
            }
        })
        .collect();
    Axis {
        low: step.times(first),
        high: step.times(last),
        ticks,
    }
}

/// A tick step: `multiple` (1, 2 or 5) times ten to the power `exponent`.
struct Step {
    multiple: f64,
    exponent: i32,
}

impl Step {
    /// The smallest step of 1, 2 or 5 times a power of ten that is at least `raw`.
    fn nice(raw: f64) -> Step {
        let exponent = raw.log10().floor() as i32;
        let multiple = [1.0, 2.0, 5.0].into_iter().find(|m| {
            Step {
                multiple: *m,
                exponent,
            }
            .size()
                >= raw * (1.0 - STEP_SLACK)
        });
        match multiple {
            Some(multiple) => Step { multiple, exponent },
            None => Step {
                multiple: 1.0,
                exponent: exponent + 1,
            },
        }
    }

    fn size(&self) -> f64 {
        self.times(1.0)
    }

    /// `n` steps, as the double nearest to the decimal number: dividing by a
    /// power of ten (rather than multiplying by 0.2) makes 17 steps of 0.2
    /// exactly 3.4, not 3.4000000000000004.
    fn times(&self, n: f64) -> f64 {
        let whole = n * self.multiple;
        if self.exponent >= 0 {
            whole * 10f64.powi(self.exponent)
        } else {
            whole / 10f64.powi(-self.exponent)
        }
    }

    /// A tick label with the decimals the step needs (none for 5, one for 0.2,
    /// two for 0.05), the same for every tick; zero prints "0", never "-0".
    fn label(&self, value: f64) -> String {
        let decimals = (-self.exponent).max(0) as usize;
        let value = if value == 0.0 { 0.0 } else { value };
        format!("{value:.decimals$}")
    }
}

/// A share as the report prints it: a whole percentage ("137%"); "—" when
/// there is no value.
pub fn share_label(share: f64) -> String {
    if share.is_finite() {
        percent(share)
    } else {
        "—".to_string()
    }
}

/// A value as the report prints it: two decimals below 100, one above,
/// trailing zeros dropped ("3.46", "1455.6", "1500"); "—" when missing.
pub fn value_label(v: f64) -> String {
    value(v)
}

/// The text beside a progress bar: its figure and its status in words
/// ("91%　黄灯"), so the chart reads without colour.
pub fn progress_label(bar: &ProgressBar) -> String {
    format!("{}　{}", share_label(bar.progress), bar.status_text)
}

/// The text beside the target marker of a trend chart ("目标1500").
pub fn target_label(target: f64) -> String {
    format!("目标{}", value_label(target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Rgb;

    fn bar(progress: f64, elapsed: f64) -> ProgressBar {
        ProgressBar {
            label: "指标".into(),
            progress,
            elapsed,
            color: Rgb(0, 0, 0),
            status_text: "正常".into(),
        }
    }

    fn labels(axis: &Axis) -> Vec<&str> {
        axis.ticks.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn value_axis_has_round_steps_enclosing_the_data() {
        let axis = value_axis([1000.0, 1455.6, 1500.0]);
        assert_eq!((axis.low, axis.high), (1000.0, 1500.0));
        assert_eq!(
            labels(&axis),
            ["1000", "1100", "1200", "1300", "1400", "1500"]
        );
        let axis = value_axis([1234.0, 1567.0]);
        assert_eq!(labels(&axis), ["1200", "1300", "1400", "1500", "1600"]);
    }

    #[test]
    fn value_axis_labels_share_their_decimals_and_do_not_drift() {
        let axis = value_axis([3.1, 3.65]);
        assert_eq!(labels(&axis), ["3.0", "3.2", "3.4", "3.6", "3.8"]);
        assert_eq!(axis.ticks[2].value, 3.4);
        let axis = value_axis([0.012, 0.034]);
        assert_eq!(
            labels(&axis),
            ["0.010", "0.015", "0.020", "0.025", "0.030", "0.035"]
        );
    }

    #[test]
    fn a_single_value_or_a_flat_series_still_gets_a_range() {
        for values in [vec![5.0], vec![5.0, 5.0, 5.0]] {
            let axis = value_axis(values);
            assert!(axis.low < 5.0 && axis.high > 5.0, "{axis:?}");
            assert_eq!(
                labels(&axis),
                ["4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"]
            );
        }
        let zero = value_axis([0.0]);
        assert_eq!(labels(&zero), ["-1.0", "-0.5", "0.0", "0.5", "1.0"]);
        // No finite value at all: a unit axis, not a NaN one.
        let empty = value_axis([f64::NAN, f64::INFINITY]);
        assert_eq!((empty.low, empty.high), (0.0, 1.0));
        assert_eq!(value_axis([]).ticks.len(), 6);
    }

    #[test]
    fn negative_values_get_ticks_through_zero_without_minus_zero() {
        let axis = value_axis([-3.2, 1.5]);
        assert_eq!(labels(&axis), ["-4", "-3", "-2", "-1", "0", "1", "2"]);
        let axis = value_axis([-0.3, -0.1]);
        assert_eq!(labels(&axis), ["-0.30", "-0.25", "-0.20", "-0.15", "-0.10"]);
        let axis = value_axis([-0.04, 0.05]);
        assert!(labels(&axis).contains(&"0.00"), "{axis:?}");
    }

    #[test]
    fn large_values_keep_whole_labels() {
        let axis = value_axis([1_234_567.0, 1_987_654.0]);
        assert_eq!(
            labels(&axis),
            ["1200000", "1400000", "1600000", "1800000", "2000000"]
        );
        let axis = value_axis([3.0e12, 9.0e12]);
        assert_eq!(axis.ticks.first().map(|t| t.value), Some(2.0e12));
        assert_eq!(axis.ticks.last().map(|t| t.value), Some(1.0e13));
        assert!(axis.ticks.iter().all(|t| !t.label.contains('.')));
    }

    #[test]
    fn fraction_places_values_and_clamps_outside_ones() {
        let axis = value_axis([0.0, 100.0]);
        assert_eq!(axis.fraction(50.0), 0.5);
        assert_eq!(axis.fraction(-10.0), 0.0);
        assert_eq!(axis.fraction(1e9), 1.0);
    }

    #[test]
    fn progress_axis_runs_in_quarters_to_the_longest_bar() {
        let axis = progress_axis(&[bar(0.91, 1.0), bar(0.33, 1.0)]);
        assert_eq!(labels(&axis), ["0%", "25%", "50%", "75%", "100%"]);
        let axis = progress_axis(&[bar(1.1, 0.6)]);
        assert_eq!(axis.high, 1.25);
        // Beyond 150% the axis stops; the bar is cut there.
        let axis = progress_axis(&[bar(3.0, 0.6)]);
        assert_eq!(labels(&axis).last(), Some(&"150%"));
        assert_eq!(drawn_progress(3.0), 1.5);
        // A negative bar opens a quarter below zero, and no further.
        let axis = progress_axis(&[bar(-0.9, 0.6), bar(0.5, 0.6)]);
        assert_eq!(labels(&axis), ["-25%", "0%", "25%", "50%", "75%", "100%"]);
        assert_eq!(drawn_progress(-0.9), -0.25);
        assert_eq!(axis.fraction(drawn_progress(-0.9)), 0.0);
        // No bars, or bars without data: the plain 0–100% axis.
        assert_eq!(progress_axis(&[]).ticks.len(), 5);
        assert_eq!(progress_axis(&[bar(f64::NAN, f64::NAN)]).high, 1.0);
        assert_eq!(drawn_progress(f64::NAN), 0.0);
    }

    #[test]
    fn figures_are_those_of_the_tables() {
        assert_eq!(share_label(1.372), "137%");
        assert_eq!(share_label(0.784), "78%");
        assert_eq!(share_label(-0.004), "0%");
        assert_eq!(share_label(f64::NAN), "—");
        assert_eq!(progress_label(&bar(0.911, 1.0)), "91%　正常");
        assert_eq!(value_label(1455.62), "1455.6");
        assert_eq!(value_label(3.456), "3.46");
        assert_eq!(target_label(1500.0), "目标1500");
    }
}
