//! The arithmetic of a plan period, shared by every target family: how much of
//! the period has elapsed, where the planned path stands, growth rates, chained
//! year-on-year changes, projections and bounds. Pure numbers in, numbers out:
//! no wording and no verdicts here.

use super::TargetSpec;
use crate::model::{Better, PathShape};

/// Share of the plan period elapsed at `year`: (year − base) / (target year − base).
pub fn time_elapsed(spec: &TargetSpec, year: i32) -> f64 {
    let span = f64::from((spec.target_year - spec.base_year).max(1));
    (f64::from(year - spec.base_year) / span).clamp(0.0, 1.0)
}

/// The value expected at time share `f` on the planned path from `start` to `target`.
pub fn planned_value(path: PathShape, start: f64, target: f64, f: f64) -> f64 {
    match path {
        PathShape::Compound if start > 0.0 && target > 0.0 => start * (target / start).powf(f),
        _ => start + (target - start) * f,
    }
}

/// The change in percent expected by time share `f` for a target `change` in
/// percent: compound for a compound path, else linear.
pub(super) fn expected_change(spec: &TargetSpec, change: f64, f: f64) -> f64 {
    match spec.path {
        PathShape::Compound => ((1.0 + change / 100.0).powf(f) - 1.0) * 100.0,
        PathShape::Linear => change * f,
    }
}

/// Compound annual growth in percent from `from` to `to` over `years`.
pub fn cagr(from: f64, to: f64, years: f64) -> Option<f64> {
    (from > 0.0 && to > 0.0 && years > 0.0).then(|| ((to / from).powf(1.0 / years) - 1.0) * 100.0)
}

/// The ratio of achieved to required growth, when the required growth is not zero.
pub(super) fn ratio_of(achieved: Option<f64>, required: Option<f64>) -> Option<f64> {
    match (achieved, required) {
        (Some(achieved), Some(required)) if required.abs() > 1e-9 => Some(achieved / required),
        _ => None,
    }
}

/// Chains year-on-year changes into the change since `start_year`, in percent.
/// A missing year breaks the chain: only the unbroken run is used, with a caveat.
pub fn chain_yoy(
    start_year: i32,
    yoy: &[(i32, f64)],
    caveats: &mut Vec<String>,
) -> Vec<(i32, f64)> {
    let mut chained = Vec::new();
    let mut factor = 1.0;
    let mut expected_year = start_year + 1;
    for &(year, change) in yoy {
        if year <= start_year {
            continue;
        }
        if year != expected_year {
            caveats.push(format!(
                "缺少{expected_year}年同比数据，累计变化只连乘到{}年",
                expected_year - 1
            ));
            break;
        }
        factor *= 1.0 + change / 100.0;
        chained.push((year, (factor - 1.0) * 100.0));
        expected_year += 1;
    }
    chained
}

/// Years from `from` to `to`, as the exponent of growth computations.
pub(super) fn years_between(from: i32, to: i32) -> f64 {
    f64::from(to - from)
}

/// Whether `value` reaches `target` in the direction that is better.
pub(super) fn meets(better: Better, value: f64, target: f64) -> bool {
    match better {
        Better::Higher => value >= target,
        Better::Lower => value <= target,
    }
}

/// Projects the latest value to the target year from the trend since `start`:
/// compound on a compound path when both values are positive, else a straight line.
pub(super) fn project(spec: &TargetSpec, start: (i32, f64), latest: (i32, f64)) -> Option<f64> {
    let span = years_between(start.0, latest.0);
    if span <= 0.0 {
        return None;
    }
    let remaining = years_between(latest.0, spec.target_year);
    match spec.path {
        PathShape::Compound if start.1 > 0.0 && latest.1 > 0.0 => {
            Some(latest.1 * (latest.1 / start.1).powf(remaining / span))
        }
        _ => Some(latest.1 + (latest.1 - start.1) / span * remaining),
    }
}

/// The years of `levels` whose value fails `holds`.
pub(super) fn breach_years(levels: &[(i32, f64)], holds: impl Fn(f64) -> bool) -> Vec<i32> {
    levels
        .iter()
        .filter(|(_, v)| !holds(*v))
        .map(|(y, _)| *y)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::test_support::{close, spec};
    use crate::model::TargetKind;

    fn linear_spec() -> TargetSpec {
        spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(1.0),
            Some(2.0),
        )
    }

    #[test]
    fn time_elapsed_is_clamped_to_the_period() {
        let s = linear_spec();
        assert_eq!(time_elapsed(&s, 2020), 0.0);
        close(Some(time_elapsed(&s, 2023)), 0.6);
        assert_eq!(time_elapsed(&s, 2025), 1.0);
        assert_eq!(time_elapsed(&s, 2019), 0.0);
        assert_eq!(time_elapsed(&s, 2027), 1.0);
        // A period of no length counts as one year, never a division by zero.
        let same_year = TargetSpec {
            target_year: 2020,
            ..s
        };
        assert_eq!(time_elapsed(&same_year, 2021), 1.0);
    }

    #[test]
    fn compound_path_needs_positive_ends_or_falls_back_to_linear() {
        close(
            Some(planned_value(PathShape::Compound, 100.0, 400.0, 0.5)),
            200.0,
        );
        close(
            Some(planned_value(PathShape::Linear, 100.0, 400.0, 0.5)),
            250.0,
        );
        close(
            Some(planned_value(PathShape::Compound, 0.0, 400.0, 0.5)),
            200.0,
        );
    }

    #[test]
    fn growth_needs_positive_values_and_time() {
        close(cagr(100.0, 121.0, 2.0), 10.0);
        assert_eq!(cagr(0.0, 121.0, 2.0), None);
        assert_eq!(cagr(100.0, -1.0, 2.0), None);
        assert_eq!(cagr(100.0, 121.0, 0.0), None);
        assert_eq!(ratio_of(Some(3.0), Some(0.0)), None);
        close(ratio_of(Some(3.0), Some(6.0)), 0.5);
    }

    #[test]
    fn a_gap_stops_the_chain_at_the_last_unbroken_year() {
        let mut caveats = Vec::new();
        let chained = chain_yoy(2020, &[(2021, -3.0), (2023, -3.0)], &mut caveats);
        assert_eq!(chained.len(), 1);
        assert!(caveats[0].contains("缺少2022年"));
        // Changes at or before the start year are not part of the chain.
        let mut none = Vec::new();
        let from_start = chain_yoy(2020, &[(2020, 5.0), (2021, 10.0)], &mut none);
        assert_eq!(from_start.len(), 1);
        close(Some(from_start[0].1), 10.0);
        assert!(none.is_empty());
    }

    #[test]
    fn projection_continues_the_trend_of_the_path() {
        let linear = linear_spec();
        close(project(&linear, (2021, 10.0), (2023, 14.0)), 18.0);
        assert_eq!(project(&linear, (2023, 10.0), (2023, 14.0)), None);
        let compound = TargetSpec {
            path: PathShape::Compound,
            ..linear
        };
        close(project(&compound, (2021, 100.0), (2023, 121.0)), 146.41);
    }

    #[test]
    fn bounds_belong_to_the_better_side() {
        assert!(meets(Better::Higher, 5.0, 5.0));
        assert!(meets(Better::Lower, 5.0, 5.0));
        assert!(!meets(Better::Higher, 4.9, 5.0));
        assert!(!meets(Better::Lower, 5.1, 5.0));
        assert_eq!(
            breach_years(&[(2021, 1.0), (2022, 3.0), (2023, 2.0)], |v| v <= 2.0),
            vec![2022]
        );
    }
}
