//! The assessment rules, as small pure functions over one indicator's target and
//! its valid observations; docs/method.md explains each rule.
//!
//! `assess` is the way in: it finds the latest value (chaining year-on-year
//! changes where a relative change is reported that way), then hands the target
//! to the rule of its kind. Each rule fills in the figures of an [`Assessment`]
//! and returns [`Evidence`]; `verdict::decide_status` is the single place that
//! turns evidence into a green/yellow/red/grey light.
//!
//! The files follow the families of targets, so that a new kind lands beside
//! its relatives and a new family gets a file of its own:
//!
//! - `level`: a level to reach (`at_least`), a cap (`at_most`), a level to hold (`maintain`);
//! - `flow`: amounts per year (`per_year`) and over the period (`cumulative`);
//! - `growth`: average annual growth (`avg_growth`) and change in percent (`relative_change`);
//! - `qualitative`: targets without a figure, grey with their trend.
//!
//! What the families share sits apart: `path` holds the arithmetic of the plan
//! period (time elapsed, the planned path, growth, chaining, projection, bounds),
//! `wording` the sentence pieces, `verdict` the thresholds, the evidence and the
//! growth-rate-ratio classes, the light itself is `model::Status`, since the
//! report and the store use it too. This file keeps the types a rule reads and writes, the
//! dispatch by kind, and the two helpers that fill an assessment for several
//! families (`start_point`, `set_projection`). Each file tests its kinds at their
//! boundaries.

mod flow;
mod growth;
mod level;
mod path;
mod qualitative;
#[cfg(test)]
mod test_support;
mod verdict;
mod wording;

pub use crate::model::Status;
pub use path::{cagr, chain_yoy, planned_value, time_elapsed};
pub use verdict::{decide_status, CagrClass, Evidence, Thresholds};

use crate::model::{Better, PathShape, TargetKind};
use crate::text::percent;
use path::meets;
use serde::Serialize;
use verdict::cagr_class;

/// What one indicator promises: the catalog fields the rules need.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    pub kind: TargetKind,
    pub better: Better,
    pub path: PathShape,
    pub unit: String,
    /// The plan's base year (2020), the zero of "time elapsed".
    pub base_year: i32,
    pub baseline: Option<(i32, f64)>,
    pub target_year: i32,
    pub target_value: Option<f64>,
}

/// Everything the rules conclude about one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub latest_year: Option<i32>,
    /// The latest level; for changes reported year on year, the chained change since the base year in %.
    pub latest_value: Option<f64>,
    /// True when `latest_value` is a chained change in percent rather than a level.
    pub latest_is_change: bool,
    pub time_elapsed: Option<f64>,
    pub expected_value: Option<f64>,
    /// Share of the way from baseline to target (1.0 = done).
    pub progress: Option<f64>,
    /// Achieved progress as a share of the progress expected by now (完成序时进度).
    pub pace_ratio: Option<f64>,
    pub complete: bool,
    /// Average annual growth achieved since the start, in percent.
    pub growth_achieved: Option<f64>,
    /// Average annual growth still needed from the latest year to reach the target, in percent.
    pub required_growth: Option<f64>,
    /// For per-year and cumulative targets: the amount still needed per remaining year.
    pub required_per_year: Option<f64>,
    /// Margin to a cap (positive = below the cap).
    pub cap_margin: Option<f64>,
    pub projection: Option<f64>,
    pub projection_meets_target: Option<bool>,
    pub cagr_ratio: Option<f64>,
    pub cagr_class: Option<CagrClass>,
    pub status: Status,
    /// One sentence in Chinese built from the inputs.
    pub explanation: String,
    /// Caveats that qualify the verdict (missing baseline, older data ...).
    pub caveats: Vec<String>,
}

/// Observations of one indicator up to the report year, already validated.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Levels, by ascending year.
    pub levels: &'a [(i32, f64)],
    /// Year-on-year changes in percent, by ascending year.
    pub yoy: &'a [(i32, f64)],
}

/// Assesses one indicator as of `report_year`.
pub fn assess(
    spec: &TargetSpec,
    series: Series<'_>,
    report_year: i32,
    thresholds: &Thresholds,
) -> Assessment {
    let mut caveats = Vec::new();
    let chained;
    let (levels, latest_is_change) = if spec.kind == TargetKind::RelativeChange
        && series.levels.is_empty()
        && !series.yoy.is_empty()
    {
        chained = path::chain_yoy(
            spec.baseline.map_or(spec.base_year, |b| b.0),
            series.yoy,
            &mut caveats,
        );
        (chained.as_slice(), true)
    } else {
        (series.levels, false)
    };
    let Some(&(latest_year, latest)) = levels.last() else {
        return no_data(spec, report_year);
    };
    if latest_year < report_year {
        caveats.push(format!(
            "最新数据为{latest_year}年，时间进度按{}计",
            percent(time_elapsed(spec, latest_year))
        ));
    }
    let f = time_elapsed(spec, latest_year);
    let mut a = Assessment {
        latest_year: Some(latest_year),
        latest_value: Some(latest),
        latest_is_change,
        time_elapsed: Some(f),
        caveats,
        ..Assessment::grey(String::new())
    };
    let evidence = match (spec.kind, spec.target_value) {
        (TargetKind::Qualitative, _) | (_, None) => qualitative::qualitative(spec, levels, &mut a),
        (TargetKind::AtLeast, Some(target)) => level::at_least(spec, levels, target, &mut a),
        (TargetKind::AtMost, Some(cap)) => level::at_most(spec, levels, cap, &mut a),
        (TargetKind::Maintain, Some(level)) => level::maintain(spec, levels, level, &mut a),
        (TargetKind::PerYear, Some(amount)) => flow::per_year(spec, levels, amount, &mut a),
        (TargetKind::Cumulative, Some(total)) => flow::cumulative(spec, levels, total, &mut a),
        (TargetKind::AvgGrowth, Some(rate)) => growth::avg_growth(spec, levels, rate, &mut a),
        (TargetKind::RelativeChange, Some(change)) if latest_is_change => {
            growth::relative_change_chained(spec, levels, change, &mut a)
        }
        (TargetKind::RelativeChange, Some(change)) => {
            growth::relative_change_levels(spec, change, &mut a)
        }
    };
    a.status = decide_status(evidence, thresholds);
    if let Some(ratio) = a.cagr_ratio {
        a.cagr_class = Some(cagr_class(ratio, thresholds));
    }
    a
}

fn no_data(spec: &TargetSpec, report_year: i32) -> Assessment {
    Assessment::grey(format!(
        "截至{report_year}年尚无{}以来的有效数据，无法评价",
        spec.base_year + 1
    ))
}

impl Assessment {
    /// An assessment with nothing measured yet: grey, with only its explanation.
    fn grey(explanation: String) -> Assessment {
        Assessment {
            latest_year: None,
            latest_value: None,
            latest_is_change: false,
            time_elapsed: None,
            expected_value: None,
            progress: None,
            pace_ratio: None,
            complete: false,
            growth_achieved: None,
            required_growth: None,
            required_per_year: None,
            cap_margin: None,
            projection: None,
            projection_meets_target: None,
            cagr_ratio: None,
            cagr_class: None,
            status: Status::Grey,
            explanation,
            caveats: Vec::new(),
        }
    }
}

/// The starting point of growth computations: the baseline, or else the first
/// observation (said in a caveat), never an invented zero.
fn start_point(spec: &TargetSpec, levels: &[(i32, f64)], a: &mut Assessment) -> Option<(i32, f64)> {
    if let Some(baseline) = spec.baseline {
        return Some(baseline);
    }
    let first = levels
        .first()
        .copied()
        .filter(|(year, _)| Some(*year) != a.latest_year);
    match first {
        Some((year, _)) => a
            .caveats
            .push(format!("规划未给出基期值，增速以{year}年观测值为起点计算")),
        None => a
            .caveats
            .push("规划未给出基期值，且观测不足两年，无法计算增速".to_string()),
    }
    first
}

/// Records a projection and whether it meets `target` in the better direction.
fn set_projection(spec: &TargetSpec, a: &mut Assessment, projection: Option<f64>, target: f64) {
    a.projection = projection;
    a.projection_meets_target = projection.map(|p| meets(spec.better, p, target));
}

#[cfg(test)]
mod tests {
    use super::test_support::{run, spec};
    use super::*;

    #[test]
    fn no_data_is_grey() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(1.0),
            Some(2.0),
        );
        let a = run(&s, &[], 2023);
        assert_eq!(a.status, Status::Grey);
        assert!(a.latest_year.is_none());
        assert_eq!(a.explanation, "截至2023年尚无2021以来的有效数据，无法评价");
    }

    #[test]
    fn the_growth_rate_ratio_class_follows_the_ratio() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Compound,
            Some(1000.0),
            Some(1500.0),
        );
        let a = run(&s, &[(2023, 1200.0)], 2023);
        let ratio = a.cagr_ratio.expect("a ratio");
        assert_eq!(
            a.cagr_class,
            Some(cagr_class(ratio, &Thresholds::default()))
        );
        // Without a growth ratio there is no class.
        let flat = spec(
            TargetKind::Maintain,
            Better::Higher,
            PathShape::Linear,
            Some(1.0),
            Some(1.0),
        );
        assert_eq!(run(&flat, &[(2023, 1.0)], 2023).cagr_class, None);
    }
}
