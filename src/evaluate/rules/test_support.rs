//! Shared fixtures of the rules' unit tests: a target on the 2020-2025 plan
//! period in 亿元, and `assess` run with the default thresholds.

use super::{assess, Assessment, Series, TargetSpec, Thresholds};
use crate::model::{Better, PathShape, TargetKind};

/// A 2020-2025 target with its baseline (if any) in 2020.
pub(super) fn spec(
    kind: TargetKind,
    better: Better,
    path: PathShape,
    baseline: Option<f64>,
    target: Option<f64>,
) -> TargetSpec {
    TargetSpec {
        kind,
        better,
        path,
        unit: "亿元".into(),
        base_year: 2020,
        baseline: baseline.map(|b| (2020, b)),
        target_year: 2025,
        target_value: target,
    }
}

/// Assesses levels as of `year` with the default thresholds.
pub(super) fn run(spec: &TargetSpec, levels: &[(i32, f64)], year: i32) -> Assessment {
    assess(
        spec,
        Series { levels, yoy: &[] },
        year,
        &Thresholds::default(),
    )
}

/// Assesses year-on-year changes (no levels) as of `year` with the default thresholds.
pub(super) fn run_yoy(spec: &TargetSpec, yoy: &[(i32, f64)], year: i32) -> Assessment {
    assess(
        spec,
        Series { levels: &[], yoy },
        year,
        &Thresholds::default(),
    )
}

/// Asserts that a value is present and within 1e-6 of `expected`.
pub(super) fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a value");
    assert!((actual - expected).abs() < 1e-6, "{actual} != {expected}");
}
