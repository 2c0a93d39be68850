//! The planned path from a baseline to a target, year by year: what the plan
//! expects an indicator to read in any year of the period. The evaluation's
//! "expected by now" and the reports' trend charts and time elapsed use the
//! same functions, so a chart never draws another path than the one assessed.

use super::rules::{planned_value, time_elapsed, TargetSpec};
use crate::model::TargetKind;

/// The planned path of a level indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlannedPath {
    /// From the baseline to a target level, along the indicator's path shape
    /// (the same function the evaluation uses for "expected by now").
    Towards { baseline: (i32, f64), level: f64 },
    /// A constant growth factor per year from the baseline (年均增长 targets).
    Growth { baseline: (i32, f64), factor: f64 },
    /// A level that holds every year (caps and levels to maintain).
    Flat(f64),
    /// No baseline, so no path.
    Unknown,
}

impl PlannedPath {
    /// The path of a target, or `None` when the target is no level to follow
    /// (an amount per year, a total over the period, a qualitative target, or
    /// no target value).
    pub fn of(spec: &TargetSpec) -> Option<PlannedPath> {
        let target = spec.target_value?;
        Some(match (spec.kind, spec.baseline) {
            (TargetKind::AtMost | TargetKind::Maintain, _) => PlannedPath::Flat(target),
            (TargetKind::AtLeast, Some(baseline)) => PlannedPath::Towards {
                baseline,
                level: target,
            },
            (TargetKind::RelativeChange, Some(baseline)) => PlannedPath::Towards {
                baseline,
                level: baseline.1 * (1.0 + target / 100.0),
            },
            (TargetKind::AvgGrowth, Some(baseline)) => PlannedPath::Growth {
                baseline,
                factor: 1.0 + target / 100.0,
            },
            (TargetKind::AtLeast | TargetKind::RelativeChange | TargetKind::AvgGrowth, None) => {
                PlannedPath::Unknown
            }
            (TargetKind::PerYear | TargetKind::Cumulative | TargetKind::Qualitative, _) => {
                return None
            }
        })
    }

    /// The planned value in `year` (none before the baseline year).
    pub fn value(self, spec: &TargetSpec, year: i32) -> Option<f64> {
        match self {
            PlannedPath::Towards { baseline, level } => (year >= baseline.0)
                .then(|| planned_value(spec.path, baseline.1, level, time_elapsed(spec, year))),
            PlannedPath::Growth { baseline, factor } => {
                (year >= baseline.0).then(|| baseline.1 * factor.powi(year - baseline.0))
            }
            PlannedPath::Flat(level) => Some(level),
            PlannedPath::Unknown => None,
        }
    }

    /// The level the path reaches in the target year; without a baseline only
    /// an "at least" target is a level that can be marked.
    pub fn target_level(self, spec: &TargetSpec) -> Option<f64> {
        match self {
            PlannedPath::Unknown => spec
                .target_value
                .filter(|_| spec.kind == TargetKind::AtLeast),
            _ => self.value(spec, spec.target_year),
        }
    }
}

/// The share of the plan period elapsed by `year`, from the base year to the
/// period's end, between 0 and 1 (the clock the evaluation's "time elapsed"
/// runs on).
pub fn period_elapsed(base_year: i32, period_end: i32, year: i32) -> f64 {
    let span = f64::from((period_end - base_year).max(1));
    (f64::from(year - base_year) / span).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Better, PathShape};

    fn spec(kind: TargetKind, path: PathShape, target: f64) -> TargetSpec {
        TargetSpec {
            kind,
            better: Better::Higher,
            path,
            unit: "亿元".into(),
            base_year: 2020,
            baseline: Some((2020, 100.0)),
            target_year: 2025,
            target_value: Some(target),
        }
    }

    #[test]
    fn a_linear_path_moves_an_equal_step_each_year() {
        let spec = spec(TargetKind::AtLeast, PathShape::Linear, 150.0);
        let path = PlannedPath::of(&spec).unwrap();
        assert_eq!(path.value(&spec, 2019), None);
        assert_eq!(path.value(&spec, 2020), Some(100.0));
        assert_eq!(path.value(&spec, 2022), Some(120.0));
        assert_eq!(path.target_level(&spec), Some(150.0));
    }

    #[test]
    fn a_compound_path_grows_by_the_same_factor_each_year() {
        let spec = spec(TargetKind::AtLeast, PathShape::Compound, 200.0);
        let path = PlannedPath::of(&spec).unwrap();
        let ratio = |year| path.value(&spec, year + 1).unwrap() / path.value(&spec, year).unwrap();
        assert!((ratio(2021) - ratio(2023)).abs() < 1e-12);
        assert!((path.target_level(&spec).unwrap() - 200.0).abs() < 1e-9);
    }

    #[test]
    fn average_growth_and_relative_change_targets_become_levels() {
        let growth = spec(TargetKind::AvgGrowth, PathShape::Compound, 10.0);
        let path = PlannedPath::of(&growth).unwrap();
        assert!((path.value(&growth, 2022).unwrap() - 121.0).abs() < 1e-9);
        let cut = spec(TargetKind::RelativeChange, PathShape::Linear, -20.0);
        assert_eq!(
            PlannedPath::of(&cut).unwrap().target_level(&cut),
            Some(80.0)
        );
    }

    #[test]
    fn caps_are_flat_and_totals_have_no_path() {
        let cap = spec(TargetKind::AtMost, PathShape::Linear, 5.0);
        assert_eq!(PlannedPath::of(&cap), Some(PlannedPath::Flat(5.0)));
        assert_eq!(PlannedPath::of(&cap).unwrap().value(&cap, 2010), Some(5.0));
        let total = spec(TargetKind::Cumulative, PathShape::Linear, 5.0);
        assert_eq!(PlannedPath::of(&total), None);
    }

    #[test]
    fn without_a_baseline_only_an_at_least_target_is_marked() {
        let mut at_least = spec(TargetKind::AtLeast, PathShape::Linear, 150.0);
        at_least.baseline = None;
        let path = PlannedPath::of(&at_least).unwrap();
        assert_eq!(path, PlannedPath::Unknown);
        assert_eq!(path.value(&at_least, 2023), None);
        assert_eq!(path.target_level(&at_least), Some(150.0));
        let mut growth = spec(TargetKind::AvgGrowth, PathShape::Linear, 5.0);
        growth.baseline = None;
        assert_eq!(
            PlannedPath::of(&growth).unwrap().target_level(&growth),
            None
        );
    }

    #[test]
    fn the_period_clock_runs_from_the_base_year_to_the_end() {
        assert_eq!(period_elapsed(2020, 2025, 2023), 0.6);
        assert_eq!(period_elapsed(2020, 2025, 2030), 1.0);
        assert_eq!(period_elapsed(2020, 2020, 2019), 0.0);
    }
}
