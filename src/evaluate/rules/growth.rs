//! Growth targets: an average annual growth rate (`avg_growth`, 年均增长…%) and
//! a change over the period in percent (`relative_change`, 累计下降…%), the
//! latter from levels against the baseline or from year-on-year changes chained
//! (`path::chain_yoy`). A zero change (零增长) is a cap on the change.

use super::path::{cagr, expected_change, meets, project, ratio_of, years_between};
use super::wording::time_note;
use super::{set_projection, start_point, Assessment, Evidence, TargetSpec};
use crate::text::{number, percent};

/// An average annual growth rate: the achieved rate since the start against the target rate.
pub(super) fn avg_growth(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    rate: f64,
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let Some(start) = start_point(spec, levels, a) else {
        a.explanation = format!(
            "目标年均增长{}%，但缺少起点数据，无法计算增速",
            number(rate, 2)
        );
        return Evidence::NotAssessable;
    };
    let years = years_between(start.0, latest_year);
    let Some(achieved) = cagr(start.1, latest, years) else {
        a.explanation = "起点或最新值不为正数，无法计算年均增速".to_string();
        return Evidence::NotAssessable;
    };
    let target_level =
        start.1 * (1.0 + rate / 100.0).powf(years_between(start.0, spec.target_year));
    a.growth_achieved = Some(achieved);
    a.expected_value = Some(start.1 * (1.0 + rate / 100.0).powf(years));
    a.progress = Some((latest - start.1) / (target_level - start.1));
    a.cagr_ratio = ratio_of(Some(achieved), Some(rate));
    set_projection(
        spec,
        a,
        project(spec, start, (latest_year, latest)),
        target_level,
    );
    if latest_year < spec.target_year {
        a.required_growth = cagr(
            latest,
            target_level,
            years_between(latest_year, spec.target_year),
        );
    }
    let ratio = if rate.abs() > 1e-9 {
        achieved / rate
    } else if achieved >= 0.0 {
        1.0
    } else {
        0.0
    };
    a.pace_ratio = Some(ratio);
    a.explanation = format!(
        "{}-{latest_year}年年均增长{}%，目标年均增长{}%，为目标增速的{}",
        start.0,
        number(achieved, 2),
        number(rate, 2),
        percent(ratio)
    );
    Evidence::Pace(ratio)
}

/// A change in percent over the period, from levels against the baseline.
pub(super) fn relative_change_levels(
    spec: &TargetSpec,
    change: f64,
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let Some((start_year, start)) = spec.baseline else {
        a.explanation = format!(
            "目标为五年累计变化{}%，但规划未给出基期值，且数据未按同比报送，无法计算累计变化",
            number(change, 2)
        );
        return Evidence::NotAssessable;
    };
    if start <= 0.0 {
        a.explanation = "基期值不为正数，无法计算相对变化".to_string();
        return Evidence::NotAssessable;
    }
    let achieved = (latest / start - 1.0) * 100.0;
    a.growth_achieved = cagr(start, latest, years_between(start_year, latest_year));
    a.expected_value = Some(
        start * (1.0 + expected_change(spec, change, a.time_elapsed.unwrap_or_default()) / 100.0),
    );
    let target_level = start * (1.0 + change / 100.0);
    set_projection(
        spec,
        a,
        project(spec, (start_year, start), (latest_year, latest)),
        target_level,
    );
    if latest_year < spec.target_year {
        a.required_growth = cagr(
            latest,
            target_level,
            years_between(latest_year, spec.target_year),
        );
    }
    a.cagr_ratio = ratio_of(
        a.growth_achieved,
        cagr(
            start,
            target_level,
            years_between(start_year, spec.target_year),
        ),
    );
    change_verdict(spec, achieved, change, a, latest_year)
}

/// A change in percent over the period, from year-on-year changes already
/// chained into `levels` (the change since the start, in percent).
pub(super) fn relative_change_chained(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    change: f64,
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, achieved) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let start_year = spec.baseline.map_or(spec.base_year, |b| b.0);
    let years = years_between(start_year, latest_year);
    let yearly = cagr(100.0, 100.0 + achieved, years);
    a.growth_achieved = yearly;
    let target_factor = 1.0 + change / 100.0;
    if latest_year < spec.target_year {
        a.required_growth = cagr(
            1.0 + achieved / 100.0,
            target_factor,
            years_between(latest_year, spec.target_year),
        );
    }
    let projection = yearly.map(|g| {
        ((1.0 + g / 100.0).powf(years_between(start_year, spec.target_year)) - 1.0) * 100.0
    });
    a.projection = projection;
    a.projection_meets_target = projection.map(|p| meets(spec.better, p, change));
    a.cagr_ratio = ratio_of(
        yearly,
        cagr(
            1.0,
            target_factor,
            years_between(start_year, spec.target_year),
        ),
    );
    a.caveats
        .push(format!("按各年同比变化连乘计算（{}个年度）", levels.len()));
    change_verdict(spec, achieved, change, a, latest_year)
}

/// The verdict on an achieved change against the target change, however the
/// achieved change was measured.
fn change_verdict(
    spec: &TargetSpec,
    achieved: f64,
    change: f64,
    a: &mut Assessment,
    latest_year: i32,
) -> Evidence {
    let start_year = spec.baseline.map_or(spec.base_year, |b| b.0);
    if change == 0.0 {
        // 零增长: the target caps the change at zero, so it holds or it does not.
        let held = meets(spec.better, achieved, 0.0);
        a.explanation = format!(
            "目标为零增长，{start_year}-{latest_year}年累计变化{}%，{}",
            number(achieved, 2),
            if held {
                "控制在目标以内"
            } else {
                "超出目标"
            }
        );
        return if held {
            Evidence::Held {
                earlier_breaches: 0,
            }
        } else {
            Evidence::Broken
        };
    }
    let expected = expected_change(spec, change, a.time_elapsed.unwrap_or_default());
    let ratio = if expected.abs() > 1e-9 {
        achieved / expected
    } else {
        0.0
    };
    a.progress = Some(achieved / change);
    a.pace_ratio = Some(ratio);
    a.explanation = format!(
        "{start_year}-{latest_year}年累计变化{}%，按序时进度应变化{}%，完成序时进度的{}（五年目标{}%）",
        number(achieved, 2),
        number(expected, 2),
        percent(ratio),
        number(change, 2)
    ) + &time_note(a);
    if meets(spec.better, achieved, change) {
        a.complete = true;
        Evidence::Complete
    } else {
        Evidence::Pace(ratio)
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::test_support::{close, run, run_yoy, spec};
    use crate::evaluate::rules::Status;
    use crate::model::{Better, PathShape, TargetKind};

    #[test]
    fn average_growth_compares_rates() {
        // Target 6% a year; 100 -> 112.36 over 2 years is exactly 6%.
        let s = spec(
            TargetKind::AvgGrowth,
            Better::Higher,
            PathShape::Compound,
            Some(100.0),
            Some(6.0),
        );
        let a = run(&s, &[(2022, 112.36)], 2022);
        close(a.growth_achieved, 6.0);
        close(a.pace_ratio, 1.0);
        assert_eq!(a.status, Status::Green);
        // 4.8% of 6% = 80%: yellow exactly at the boundary.
        let slower = run(&s, &[(2022, 100.0 * 1.048f64.powi(2))], 2022);
        close(slower.pace_ratio, 0.8);
        assert_eq!(slower.status, Status::Yellow);
    }

    #[test]
    fn average_growth_without_a_start_is_not_assessed() {
        let s = spec(
            TargetKind::AvgGrowth,
            Better::Higher,
            PathShape::Compound,
            None,
            Some(6.0),
        );
        let a = run(&s, &[(2022, 112.36)], 2022);
        assert_eq!(a.status, Status::Grey);
        assert!(a.explanation.contains("缺少起点数据"), "{}", a.explanation);
        // A zero rate is met by any growth that is not negative.
        let zero = spec(
            TargetKind::AvgGrowth,
            Better::Higher,
            PathShape::Compound,
            Some(100.0),
            Some(0.0),
        );
        close(run(&zero, &[(2022, 100.0)], 2022).pace_ratio, 1.0);
        close(run(&zero, &[(2022, 99.0)], 2022).pace_ratio, 0.0);
    }

    #[test]
    fn decreasing_relative_change_on_the_compound_path() {
        // Energy intensity down 13.5% over five years. By 2023 the compound path
        // expects 1 - 0.865^0.6 = 8.323% down.
        let s = spec(
            TargetKind::RelativeChange,
            Better::Lower,
            PathShape::Compound,
            Some(0.5),
            Some(-13.5),
        );
        let expected_change = (0.865f64.powf(0.6) - 1.0) * 100.0;
        let a = run(&s, &[(2023, 0.5 * (1.0 + expected_change / 100.0))], 2023);
        close(a.pace_ratio, 1.0);
        assert_eq!(a.status, Status::Green);
        let lagging = run(&s, &[(2023, 0.48)], 2023);
        // -4% achieved of -8.323% expected = 48%.
        close(lagging.pace_ratio, -4.0 / expected_change);
        assert_eq!(lagging.status, Status::Red);
        // A change beyond the target reached early is complete.
        let done = run(&s, &[(2023, 0.43)], 2023);
        assert!(done.complete);
        assert_eq!(done.status, Status::Green);
    }

    #[test]
    fn relative_change_needs_a_baseline_or_changes_reported_year_on_year() {
        let s = spec(
            TargetKind::RelativeChange,
            Better::Lower,
            PathShape::Compound,
            None,
            Some(-13.5),
        );
        let a = run(&s, &[(2023, 0.48)], 2023);
        assert_eq!(a.status, Status::Grey);
        assert!(a.explanation.contains("未给出基期值"), "{}", a.explanation);
    }

    #[test]
    fn year_on_year_changes_are_chained() {
        let s = spec(
            TargetKind::RelativeChange,
            Better::Lower,
            PathShape::Compound,
            None,
            Some(-13.5),
        );
        let a = run_yoy(&s, &[(2021, -3.0), (2022, -3.0), (2023, -3.0)], 2023);
        assert!(a.latest_is_change);
        close(a.latest_value, (0.97f64.powi(3) - 1.0) * 100.0);
        assert_eq!(a.status, Status::Green);
        assert!(
            a.caveats.iter().any(|c| c.contains("3个年度")),
            "{:?}",
            a.caveats
        );
    }

    #[test]
    fn zero_growth_target_is_a_cap_on_change() {
        let s = spec(
            TargetKind::RelativeChange,
            Better::Lower,
            PathShape::Linear,
            None,
            Some(0.0),
        );
        let held = run_yoy(&s, &[(2021, -1.0), (2022, 0.5)], 2022);
        assert_eq!(held.status, Status::Green);
        let broken = run_yoy(&s, &[(2021, 1.0)], 2021);
        assert_eq!(broken.status, Status::Red);
    }
}
