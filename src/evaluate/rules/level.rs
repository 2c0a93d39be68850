//! Level targets: a value to reach (`at_least`, 达到), a cap to stay under
//! (`at_most`, 控制在…以内) and a level to hold in every year (`maintain`, 保持).
//! Each is judged on the latest level; caps and maintained levels also name the
//! earlier years that failed.

use super::path::{breach_years, cagr, meets, planned_value, project, ratio_of, years_between};
use super::wording::{pace_sentence, year_list};
use super::{set_projection, start_point, Assessment, Evidence, TargetSpec};
use crate::model::{Better, PathShape};
use crate::text::{value as fmt_value, with_unit};

/// A level to reach by the target year: progress along the planned path from the
/// baseline, or without a baseline the trend's projection against the target.
pub(super) fn at_least(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    target: f64,
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let f = a.time_elapsed.unwrap_or_default();
    let start = start_point(spec, levels, a);
    if let Some(start) = start {
        a.growth_achieved = cagr(start.1, latest, years_between(start.0, latest_year));
        set_projection(spec, a, project(spec, start, (latest_year, latest)), target);
        let required = cagr(start.1, target, years_between(start.0, spec.target_year));
        a.cagr_ratio = ratio_of(a.growth_achieved, required);
    }
    if latest_year < spec.target_year && latest < target {
        a.required_growth = cagr(latest, target, years_between(latest_year, spec.target_year));
    }
    if latest >= target {
        a.complete = true;
        a.progress = spec.baseline.map(|(_, b)| {
            if target == b {
                1.0
            } else {
                (latest - b) / (target - b)
            }
        });
        a.explanation = format!(
            "{latest_year}年实际值{}，已达到{}年目标{}",
            with_unit(latest, &spec.unit),
            spec.target_year,
            with_unit(target, &spec.unit)
        );
        return Evidence::Complete;
    }
    match spec.baseline {
        Some((_, baseline)) if baseline < target => {
            let expected = planned_value(spec.path, baseline, target, f);
            let progress = (latest - baseline) / (target - baseline);
            let expected_progress = (expected - baseline) / (target - baseline);
            let ratio = if expected_progress > 0.0 {
                progress / expected_progress
            } else {
                progress
            };
            a.expected_value = Some(expected);
            a.progress = Some(progress);
            a.pace_ratio = Some(ratio);
            a.explanation = pace_sentence(spec, a, latest_year, latest, expected, ratio);
            Evidence::Pace(ratio)
        }
        Some((_, baseline)) => {
            a.explanation = format!(
                "基期值{}已不低于目标{}，但{latest_year}年实际值{}低于目标",
                with_unit(baseline, &spec.unit),
                with_unit(target, &spec.unit),
                with_unit(latest, &spec.unit)
            );
            Evidence::Broken
        }
        None => without_baseline(spec, target, a, latest_year, latest),
    }
}

/// An at-least target whose plan gives no baseline: the trend's projection
/// decides, or with too little data nothing does.
fn without_baseline(
    spec: &TargetSpec,
    target: f64,
    a: &mut Assessment,
    latest_year: i32,
    latest: f64,
) -> Evidence {
    match (a.projection, a.projection_meets_target) {
        (Some(projection), Some(meets_target)) => {
            a.explanation = format!(
                "规划未给出基期值，按趋势外推{}年可达{}，{}目标{}",
                spec.target_year,
                with_unit(projection, &spec.unit),
                if meets_target {
                    "可以达到"
                } else {
                    "低于"
                },
                with_unit(target, &spec.unit)
            );
            let ratio = if target > 0.0 {
                projection / target
            } else {
                0.0
            };
            if meets_target {
                Evidence::Pace(1.0)
            } else {
                Evidence::Pace(ratio)
            }
        }
        _ => {
            a.explanation = format!(
                "规划未给出基期值，{latest_year}年实际值{}，目标{}；观测不足，暂不评价",
                with_unit(latest, &spec.unit),
                with_unit(target, &spec.unit)
            );
            Evidence::NotAssessable
        }
    }
}

/// A cap: decided on the latest year; earlier years above the cap are named.
pub(super) fn at_most(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    cap: f64,
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    a.cap_margin = Some(cap - latest);
    let earlier: Vec<i32> = breach_years(&levels[..levels.len().saturating_sub(1)], |v| v <= cap);
    if let Some(start) = levels.first().copied().filter(|(y, _)| *y < latest_year) {
        // A cap's trend is projected as a straight line whatever the catalog's path.
        let linear = TargetSpec {
            path: PathShape::Linear,
            ..spec.clone()
        };
        set_projection(spec, a, project(&linear, start, (latest_year, latest)), cap);
    }
    let earlier_note = if earlier.is_empty() {
        String::new()
    } else {
        format!("；{}曾超过上限", year_list(&earlier))
    };
    if latest <= cap {
        a.complete = latest_year >= spec.target_year;
        a.explanation = format!(
            "{latest_year}年为{}，控制在上限{}以内（余量{}）{earlier_note}",
            with_unit(latest, &spec.unit),
            with_unit(cap, &spec.unit),
            fmt_value(cap - latest)
        );
        Evidence::Held {
            earlier_breaches: 0,
        }
    } else {
        a.explanation = format!(
            "{latest_year}年为{}，超过上限{}（超出{}）{earlier_note}",
            with_unit(latest, &spec.unit),
            with_unit(cap, &spec.unit),
            fmt_value(latest - cap)
        );
        Evidence::Broken
    }
}

/// A level to hold in every year: green when every year held, yellow when only
/// earlier years failed, red when the latest year fails.
pub(super) fn maintain(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    level: f64,
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let holds = |v: f64| meets(spec.better, v, level);
    let breaches = breach_years(levels, holds);
    let first_year = levels.first().map_or(latest_year, |(y, _)| *y);
    let bound = match spec.better {
        Better::Higher => "不低于",
        Better::Lower => "不高于",
    };
    if breaches.is_empty() {
        a.explanation = format!(
            "{first_year}-{latest_year}年各年均保持在{bound}{}的水平",
            with_unit(level, &spec.unit)
        );
        return Evidence::Held {
            earlier_breaches: 0,
        };
    }
    a.explanation = format!(
        "目标为保持{bound}{}，{}未能保持，{latest_year}年为{}",
        with_unit(level, &spec.unit),
        year_list(&breaches),
        with_unit(latest, &spec.unit)
    );
    if holds(latest) {
        Evidence::Held {
            earlier_breaches: breaches.len(),
        }
    } else {
        Evidence::Broken
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::test_support::{close, run, spec};
    use crate::evaluate::rules::Status;
    use crate::model::{Better, PathShape, TargetKind};

    #[test]
    fn at_least_on_a_compound_path() {
        // GDP 1000 -> 1500 over 2020-2025; 2023 is 60% of the period.
        // Expected: 1000 * 1.5^0.6 = 1275.4245; progress (1200-1000)/(1275.4245-1000) = 0.72616.
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Compound,
            Some(1000.0),
            Some(1500.0),
        );
        let a = run(&s, &[(2021, 1080.0), (2022, 1150.0), (2023, 1200.0)], 2023);
        close(a.time_elapsed, 0.6);
        close(a.expected_value, 1000.0 * 1.5f64.powf(0.6));
        close(a.progress, 0.4);
        close(a.pace_ratio, 200.0 / (1000.0 * 1.5f64.powf(0.6) - 1000.0));
        assert_eq!(a.status, Status::Red);
        // Growth still needed: (1500/1200)^(1/2) - 1 = 11.803%.
        close(a.required_growth, (1.25f64.sqrt() - 1.0) * 100.0);
        // Achieved: (1200/1000)^(1/3) - 1.
        close(a.growth_achieved, (1.2f64.powf(1.0 / 3.0) - 1.0) * 100.0);
        // Projection continues the achieved growth: 1200 * 1.2^(2/3).
        close(a.projection, 1200.0 * 1.2f64.powf(2.0 / 3.0));
        assert_eq!(a.projection_meets_target, Some(false));
        assert!(
            a.explanation.contains("按序时进度应达1275.4亿元"),
            "{}",
            a.explanation
        );
        // The growth-rate ratio: 1000 -> 1200 in 3 years against 1000 -> 1500 in 5.
        let expected = (1.2f64.powf(1.0 / 3.0) - 1.0) / (1.5f64.powf(0.2) - 1.0);
        close(a.cagr_ratio, expected);
    }

    #[test]
    fn at_least_on_a_linear_path_exactly_on_time_is_green() {
        // 3.2% -> 3.5%; 2023 expected 3.2 + 0.3 * 0.6 = 3.38.
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(3.2),
            Some(3.5),
        );
        let a = run(&s, &[(2023, 3.38)], 2023);
        close(a.expected_value, 3.38);
        assert!((a.pace_ratio.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(a.status, Status::Green);
    }

    #[test]
    fn at_least_already_reached_is_complete() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(80.0),
            Some(90.0),
        );
        let a = run(&s, &[(2022, 91.0)], 2023);
        assert!(a.complete);
        assert_eq!(a.status, Status::Green);
        // 2023 asked, 2022 is the latest: time elapsed is taken at 2022 and said so.
        close(a.time_elapsed, 0.4);
        assert!(
            a.caveats.iter().any(|c| c.contains("最新数据为2022年")),
            "{:?}",
            a.caveats
        );
        // Exactly at the target counts as reached.
        let exactly = run(&s, &[(2023, 90.0)], 2023);
        assert!(exactly.complete);
        close(exactly.progress, 1.0);
        assert_eq!(exactly.required_growth, None);
    }

    #[test]
    fn at_least_with_a_baseline_already_above_the_target_is_red_below_it() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(95.0),
            Some(90.0),
        );
        let a = run(&s, &[(2023, 89.0)], 2023);
        assert_eq!(a.status, Status::Red);
        assert!(a.explanation.contains("已不低于目标"), "{}", a.explanation);
    }

    #[test]
    fn midterm_with_older_data_compares_with_forty_percent() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(0.0),
            Some(100.0),
        );
        let a = run(&s, &[(2021, 20.0), (2022, 36.0)], 2023);
        close(a.time_elapsed, 0.4);
        close(a.pace_ratio, 0.9);
        assert_eq!(a.status, Status::Yellow);
    }

    #[test]
    fn missing_baseline_is_said_and_never_zero() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(100.0),
        );
        let a = run(&s, &[(2021, 70.0), (2022, 80.0), (2023, 90.0)], 2023);
        // Projection from the first observation: 90 + 10/yr * 2 = 110 >= 100.
        close(a.projection, 110.0);
        assert_eq!(a.status, Status::Green);
        assert!(a.pace_ratio.is_none());
        assert!(a.caveats.iter().any(|c| c.contains("未给出基期值")));
        let single = run(&s, &[(2023, 90.0)], 2023);
        assert_eq!(single.status, Status::Grey);
        // A projection short of the target is judged by its share of the target.
        let short = run(&s, &[(2021, 70.0), (2023, 74.0)], 2023);
        close(short.projection, 78.0);
        assert_eq!(short.status, Status::Red);
    }

    #[test]
    fn cap_decides_on_the_latest_year_and_reports_earlier_breaches() {
        let mut s = spec(
            TargetKind::AtMost,
            Better::Lower,
            PathShape::Linear,
            Some(3.6),
            Some(3.8),
        );
        s.unit = "%".into();
        let a = run(&s, &[(2021, 3.9), (2022, 3.7), (2023, 3.5)], 2023);
        assert_eq!(a.status, Status::Green);
        close(a.cap_margin, 0.3);
        assert!(
            a.explanation.contains("2021年曾超过上限"),
            "{}",
            a.explanation
        );
        let over = run(&s, &[(2023, 3.81)], 2023);
        assert_eq!(over.status, Status::Red);
        // Exactly at the cap is within it; the cap is met for good only in the target year.
        let at_cap = run(&s, &[(2023, 3.8)], 2023);
        assert_eq!(at_cap.status, Status::Green);
        close(at_cap.cap_margin, 0.0);
        assert!(!at_cap.complete);
        assert!(run(&s, &[(2025, 3.8)], 2025).complete);
    }

    #[test]
    fn maintain_must_hold_in_every_year() {
        let s = spec(
            TargetKind::Maintain,
            Better::Lower,
            PathShape::Linear,
            Some(0.0),
            Some(0.0),
        );
        assert_eq!(
            run(&s, &[(2021, 0.0), (2022, 0.0)], 2022).status,
            Status::Green
        );
        assert_eq!(
            run(&s, &[(2021, 1.0), (2022, 0.0)], 2022).status,
            Status::Yellow
        );
        assert_eq!(
            run(&s, &[(2021, 0.0), (2022, 2.0)], 2022).status,
            Status::Red
        );
    }

    #[test]
    fn maintain_a_floor_holds_exactly_at_the_level() {
        let s = spec(
            TargetKind::Maintain,
            Better::Higher,
            PathShape::Linear,
            Some(95.0),
            Some(95.0),
        );
        let held = run(&s, &[(2021, 95.0), (2022, 96.0)], 2022);
        assert_eq!(held.status, Status::Green);
        assert!(
            held.explanation.contains("不低于95"),
            "{}",
            held.explanation
        );
        assert_eq!(run(&s, &[(2022, 94.9)], 2022).status, Status::Red);
    }
}
