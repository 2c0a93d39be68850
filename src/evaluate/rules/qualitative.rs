//! Qualitative targets (and any target without a figure): not judged by rule,
//! always grey, but the explanation still says how the indicator moved.

use super::path::{cagr, years_between};
use super::{Assessment, Evidence, TargetSpec};
use crate::text::with_unit;

/// Describes the movement from the baseline (or the first observation) to the latest value.
pub(super) fn qualitative(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let start = spec
        .baseline
        .or_else(|| levels.first().copied())
        .filter(|(y, _)| *y < latest_year);
    a.explanation = match start {
        Some((year, value)) => {
            a.growth_achieved = cagr(value, latest, years_between(year, latest_year));
            format!(
                "无量化目标，不按规则评价；{year}-{latest_year}年由{}变为{}",
                with_unit(value, &spec.unit),
                with_unit(latest, &spec.unit)
            )
        }
        None => format!(
            "无量化目标，不按规则评价；{latest_year}年为{}",
            with_unit(latest, &spec.unit)
        ),
    };
    Evidence::NotAssessable
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::test_support::{close, run, spec};
    use crate::evaluate::rules::Status;
    use crate::model::{Better, PathShape, TargetKind};

    #[test]
    fn qualitative_targets_are_grey_with_their_trend() {
        let s = spec(
            TargetKind::Qualitative,
            Better::Higher,
            PathShape::Compound,
            None,
            None,
        );
        let a = run(&s, &[(2021, 100.0), (2023, 110.25)], 2023);
        assert_eq!(a.status, Status::Grey);
        close(a.growth_achieved, 5.0);
        assert!(a.explanation.contains("不按规则评价"));
        // One year only: the level, without a trend.
        let single = run(&s, &[(2023, 120.0)], 2023);
        assert_eq!(
            single.explanation,
            "无量化目标，不按规则评价；2023年为120亿元"
        );
        assert_eq!(single.growth_achieved, None);
    }

    #[test]
    fn a_quantified_kind_without_a_target_figure_is_qualitative() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(100.0),
            None,
        );
        let a = run(&s, &[(2023, 120.0)], 2023);
        assert_eq!(a.status, Status::Grey);
        assert_eq!(
            a.explanation,
            "无量化目标，不按规则评价；2020-2023年由100亿元变为120亿元"
        );
    }
}
