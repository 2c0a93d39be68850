//! Flow targets: amounts that happen each year rather than a level that is
//! reached. `per_year` (每年…以上) checks every year of the period against the
//! amount; `cumulative` (累计…) sums the period's years against the five-year
//! total. The base year's value is never part of the period.

use super::path::{breach_years, time_elapsed};
use super::wording::year_list;
use super::{Assessment, Evidence, TargetSpec};
use crate::text::{percent, with_unit};

/// Observations after the base year: the years that count towards a plan-period amount.
fn period_values<'a>(
    spec: &TargetSpec,
    levels: &'a [(i32, f64)],
) -> impl Iterator<Item = &'a (i32, f64)> + 'a {
    let base = spec.base_year;
    levels.iter().filter(move |(y, _)| *y > base)
}

/// An amount to reach every year: complete while every year reached it, else
/// judged on the yearly mean against the amount.
pub(super) fn per_year(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    amount: f64,
    a: &mut Assessment,
) -> Evidence {
    let latest_year = a.latest_year.unwrap_or(spec.base_year);
    let values: Vec<(i32, f64)> = period_values(spec, levels).copied().collect();
    if values.is_empty() {
        a.explanation = format!("{}年以来尚无数据", spec.base_year + 1);
        return Evidence::NoData;
    }
    let mean = values.iter().map(|(_, v)| v).sum::<f64>() / values.len() as f64;
    let short = breach_years(&values, |v| v >= amount);
    let ratio = mean / amount;
    a.pace_ratio = Some(ratio);
    a.progress = Some(ratio * time_elapsed(spec, latest_year));
    a.expected_value = Some(amount);
    a.projection = Some(mean);
    a.projection_meets_target = Some(mean >= amount);
    if !short.is_empty() {
        a.required_per_year = Some(amount);
    }
    let first_year = values[0].0;
    let short_note = if short.is_empty() {
        "，各年均达到".to_string()
    } else {
        format!("，{}未达到", year_list(&short))
    };
    a.explanation = format!(
        "{first_year}-{latest_year}年年均{}，目标每年{}，完成{}{short_note}",
        with_unit(mean, &spec.unit),
        with_unit(amount, &spec.unit),
        percent(ratio)
    );
    if short.is_empty() {
        Evidence::Complete
    } else {
        Evidence::Pace(ratio)
    }
}

/// A total over the period: the sum so far against the total times the time
/// elapsed, with the amount still needed per remaining year.
pub(super) fn cumulative(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    total: f64,
    a: &mut Assessment,
) -> Evidence {
    let latest_year = a.latest_year.unwrap_or(spec.base_year);
    let values: Vec<(i32, f64)> = period_values(spec, levels).copied().collect();
    if values.is_empty() {
        a.explanation = format!("{}年以来尚无数据", spec.base_year + 1);
        return Evidence::NoData;
    }
    let sum: f64 = values.iter().map(|(_, v)| v).sum();
    let reported_years = values.len() as i32;
    let elapsed_years = latest_year - spec.base_year;
    if reported_years < elapsed_years {
        a.caveats.push(format!(
            "{}-{latest_year}年中有{}年缺数，累计值可能偏低",
            spec.base_year + 1,
            elapsed_years - reported_years
        ));
    }
    let f = time_elapsed(spec, latest_year);
    let expected = total * f;
    let ratio = if expected > 0.0 { sum / expected } else { 0.0 };
    let remaining_years = spec.target_year - latest_year;
    a.latest_value = Some(sum);
    a.expected_value = Some(expected);
    a.progress = Some(sum / total);
    a.pace_ratio = Some(ratio);
    let projection =
        sum + sum / f64::from(elapsed_years.max(1)) * f64::from(remaining_years.max(0));
    a.projection = Some(projection);
    a.projection_meets_target = Some(projection >= total);
    if remaining_years > 0 && sum < total {
        a.required_per_year = Some((total - sum) / f64::from(remaining_years));
    }
    a.explanation = format!(
        "{}-{latest_year}年累计{}，按序时进度应累计{}，完成序时进度的{}（五年目标{}）",
        spec.base_year + 1,
        with_unit(sum, &spec.unit),
        with_unit(expected, &spec.unit),
        percent(ratio),
        with_unit(total, &spec.unit)
    );
    if sum >= total {
        a.complete = true;
        Evidence::Complete
    } else {
        Evidence::Pace(ratio)
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::test_support::{close, run, spec};
    use crate::evaluate::rules::Status;
    use crate::model::{Better, PathShape, TargetKind};

    #[test]
    fn per_year_amount_checks_each_year() {
        let s = spec(
            TargetKind::PerYear,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(10.0),
        );
        let all = run(&s, &[(2021, 10.0), (2022, 12.0)], 2022);
        assert_eq!(all.status, Status::Green);
        assert!(
            all.explanation.contains("各年均达到"),
            "{}",
            all.explanation
        );
        assert_eq!(all.required_per_year, None);
        // Mean 9 of 10 = 90%: yellow, and 2022 is named as short.
        let short = run(&s, &[(2021, 10.0), (2022, 8.0)], 2022);
        close(short.pace_ratio, 0.9);
        assert_eq!(short.status, Status::Yellow);
        assert!(short.explanation.contains("2022年未达到"));
        close(short.required_per_year, 10.0);
    }

    #[test]
    fn per_year_short_once_is_not_complete_even_with_a_high_mean() {
        let s = spec(
            TargetKind::PerYear,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(10.0),
        );
        // Mean 11 of 10 with one short year: not complete, and the mean's pace decides the light.
        let a = run(&s, &[(2021, 9.0), (2022, 13.0)], 2022);
        close(a.pace_ratio, 1.1);
        assert!(!a.complete);
        assert_eq!(a.status, Status::Green);
        assert!(a.explanation.contains("2021年未达到"), "{}", a.explanation);
    }

    #[test]
    fn flows_with_only_the_base_year_have_no_data() {
        for kind in [TargetKind::PerYear, TargetKind::Cumulative] {
            let s = spec(kind, Better::Higher, PathShape::Linear, None, Some(10.0));
            let a = run(&s, &[(2020, 10.0)], 2022);
            assert_eq!(a.status, Status::Grey, "{kind:?}");
            assert_eq!(a.explanation, "2021年以来尚无数据");
        }
    }

    #[test]
    fn cumulative_amount_against_target_times_time_elapsed() {
        // 5.5 over five years; by 2023 expected 3.3; achieved 1.1 * 3 = 3.3 -> exactly on time.
        let s = spec(
            TargetKind::Cumulative,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(5.5),
        );
        let a = run(&s, &[(2021, 1.1), (2022, 1.1), (2023, 1.1)], 2023);
        close(a.expected_value, 3.3);
        close(a.pace_ratio, 1.0);
        assert_eq!(a.status, Status::Green);
        close(a.required_per_year, 1.1);
        // The base year's value does not count towards the period total.
        let with_base = run(
            &s,
            &[(2020, 9.0), (2021, 1.1), (2022, 1.1), (2023, 1.1)],
            2023,
        );
        close(with_base.latest_value, 3.3);
    }

    #[test]
    fn cumulative_reaching_the_total_is_complete_and_gaps_are_said() {
        let s = spec(
            TargetKind::Cumulative,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(5.0),
        );
        let done = run(&s, &[(2021, 3.0), (2023, 2.0)], 2023);
        assert!(done.complete);
        assert_eq!(done.status, Status::Green);
        assert_eq!(done.required_per_year, None);
        assert!(
            done.caveats.iter().any(|c| c.contains("有1年缺数")),
            "{:?}",
            done.caveats
        );
    }
}
