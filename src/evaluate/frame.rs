//! The table work of the evaluation, in polars lazy queries: flag impossible or
//! out-of-period values, keep what is valid up to the report year, and group each
//! indicator's values into a series. The same queries run for one plan or for
//! every plan in the file; the rules and the roll-ups then run per plan.

use super::result::{DataProblem, IndicatorResult, PlanEvaluation};
use super::rollup::RollUps;
use super::rules::{assess, Series, TargetSpec, Thresholds};
use crate::error::{Error, Result};
use crate::model::{
    unit_is_percent, EvaluationInput, PlanRecord, StoredIndicator, TargetKind, ValueKind,
};
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::HashMap;

fn polars_error(error: PolarsError) -> Error {
    Error::Evaluate(error.to_string())
}

/// Evaluates every plan of `input` as of `year`.
pub fn evaluate(
    input: &EvaluationInput,
    year: i32,
    thresholds: &Thresholds,
) -> Result<Vec<PlanEvaluation>> {
    let checked = checked_observations(input).map_err(polars_error)?;
    let problems = collect_problems(&checked, input).map_err(polars_error)?;
    let series = valid_series(&checked, year).map_err(polars_error)?;
    // Freed before the results are built so the two (about 200 and 350 MB for
    // 3,000 plans) are never held together.
    drop(checked);
    let mut by_plan: HashMap<i64, Vec<&StoredIndicator>> = HashMap::new();
    for indicator in &input.indicators {
        by_plan
            .entry(indicator.plan_id)
            .or_default()
            .push(indicator);
    }
    // The rules are independent per plan; with thousands of plans they are the
    // largest part of the evaluation, so they run on every core.
    Ok(input
        .plans
        .par_iter()
        .map(|plan| {
            let indicators: Vec<IndicatorResult> = by_plan
                .get(&plan.id)
                .map(|list| {
                    list.iter()
                        .map(|stored| {
                            indicator_result(
                                plan, stored, &series, &problems, input, year, thresholds,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let plan_problems = indicators
                .iter()
                .flat_map(|i| i.data_problems.iter().cloned())
                .collect();
            PlanEvaluation {
                plan: plan.clone(),
                year,
                rollups: RollUps::of(
                    &indicators
                        .iter()
                        .map(IndicatorResult::counted)
                        .collect::<Vec<_>>(),
                ),
                indicators,
                problems: plan_problems,
            }
        })
        .collect())
}

/// Observations joined with what their indicator allows, sorted by indicator and
/// year, with a `problem` column (null when the value is valid). Materialised once:
/// both the problem list and the series read it.
fn checked_observations(input: &EvaluationInput) -> PolarsResult<DataFrame> {
    let obs = &input.observations;
    let observations = df!(
        "indicator_id" => obs.iter().map(|o| o.indicator_id).collect::<Vec<_>>(),
        "year" => obs.iter().map(|o| o.year).collect::<Vec<_>>(),
        "value" => obs.iter().map(|o| o.value).collect::<Vec<_>>(),
        "yoy" => obs.iter().map(|o| o.value_kind == ValueKind::YoyChange).collect::<Vec<_>>(),
        "illustrative" => obs.iter().map(|o| o.illustrative).collect::<Vec<_>>(),
    )?;
    let plan_years: HashMap<i64, (i32, i32)> = input
        .plans
        .iter()
        .map(|p| (p.id, (p.base_year, p.period_end)))
        .collect();
    let defs = &input.indicators;
    let years = |i: &StoredIndicator| {
        plan_years
            .get(&i.plan_id)
            .copied()
            .unwrap_or((i32::MIN, i32::MAX))
    };
    let indicators = df!(
        "indicator_id" => defs.iter().map(|i| i.id).collect::<Vec<_>>(),
        "base_year" => defs.iter().map(|i| years(i).0).collect::<Vec<_>>(),
        "period_end" => defs.iter().map(|i| years(i).1).collect::<Vec<_>>(),
        "percent" => defs.iter().map(|i| unit_is_percent(&i.definition.unit)).collect::<Vec<_>>(),
        "signed" => defs.iter().map(|i| i.definition.kind == TargetKind::Qualitative).collect::<Vec<_>>(),
    )?;
    // Sorted by indicator and year, a duplicate is a row equal to a neighbour.
    let same_as = |offset: i64| {
        col("indicator_id")
            .eq(col("indicator_id").shift(lit(offset)))
            .and(col("year").eq(col("year").shift(lit(offset))))
            .fill_null(lit(false))
    };
    let level = col("yoy").not();
    let problem = when(
        col("year")
            .lt(col("base_year"))
            .or(col("year").gt(col("period_end"))),
    )
    .then(lit("年份超出规划期（基期至规划末年）"))
    .when(same_as(1).or(same_as(-1)))
    .then(lit("同一指标同一年份有多个数值"))
    .when(
        level
            .clone()
            .and(col("signed").not())
            .and(col("value").lt(lit(0.0))),
    )
    .then(lit("数值为负，与计量单位不符"))
    .when(level.and(col("percent")).and(col("value").gt(lit(100.0))))
    .then(lit("比例超过100%"))
    .otherwise(lit(NULL).cast(DataType::String))
    .alias("problem");
    observations
        .lazy()
        .join(
            indicators.lazy(),
            [col("indicator_id")],
            [col("indicator_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .sort(["indicator_id", "year"], SortMultipleOptions::default())
        .with_column(problem)
        .select([
            col("indicator_id"),
            col("year"),
            col("value"),
            col("yoy"),
            col("illustrative"),
            col("problem"),
        ])
        .collect()
}

/// Data problems by indicator id, in year order.
fn collect_problems(
    checked: &DataFrame,
    input: &EvaluationInput,
) -> PolarsResult<HashMap<i64, Vec<DataProblem>>> {
    let frame = checked
        .clone()
        .lazy()
        .filter(col("problem").is_not_null())
        .collect()?;
    let codes: HashMap<i64, &str> = input
        .indicators
        .iter()
        .map(|i| (i.id, i.definition.code.as_str()))
        .collect();
    let ids = frame.column("indicator_id")?.i64()?;
    let years = frame.column("year")?.i32()?;
    let values = frame.column("value")?.f64()?;
    let texts = frame.column("problem")?.str()?;
    let mut problems: HashMap<i64, Vec<DataProblem>> = HashMap::new();
    for row in 0..frame.height() {
        let Some(id) = ids.get(row) else { continue };
        problems.entry(id).or_default().push(DataProblem {
            code: codes.get(&id).copied().unwrap_or_default().to_string(),
            year: years.get(row),
            value: values.get(row),
            problem: texts.get(row).unwrap_or_default().to_string(),
        });
    }
    Ok(problems)
}

/// One indicator's valid values up to the report year.
#[derive(Debug, Default)]
struct IndicatorSeries {
    levels: Vec<(i32, f64)>,
    yoy: Vec<(i32, f64)>,
    illustrative: bool,
}

/// The valid values up to `year`, per indicator. The frame is sorted by indicator
/// and year, so each indicator's values are one contiguous run.
fn valid_series(checked: &DataFrame, year: i32) -> PolarsResult<HashMap<i64, IndicatorSeries>> {
    let valid = checked
        .clone()
        .lazy()
        .filter(col("problem").is_null().and(col("year").lt_eq(lit(year))))
        .collect()?;
    let ids = valid.column("indicator_id")?.i64()?;
    let years = valid.column("year")?.i32()?;
    let values = valid.column("value")?.f64()?;
    let yoys = valid.column("yoy")?.bool()?;
    let illustrative = valid.column("illustrative")?.bool()?;
    let mut series: HashMap<i64, IndicatorSeries> = HashMap::new();
    let rows = ids
        .iter()
        .zip(years.iter())
        .zip(values.iter())
        .zip(yoys.iter())
        .zip(illustrative.iter());
    for ((((id, year), value), yoy), illustrative) in rows {
        let (Some(id), Some(year), Some(value)) = (id, year, value) else {
            continue;
        };
        let entry = series.entry(id).or_default();
        entry.illustrative |= illustrative.unwrap_or(false);
        if yoy == Some(true) {
            entry.yoy.push((year, value));
        } else {
            entry.levels.push((year, value));
        }
    }
    Ok(series)
}

fn target_spec(plan: &PlanRecord, stored: &StoredIndicator) -> TargetSpec {
    let d = &stored.definition;
    TargetSpec {
        kind: d.kind,
        better: d.better,
        path: d.path,
        unit: d.unit.clone(),
        base_year: plan.base_year,
        baseline: d.baseline.as_ref().map(|b| (b.year, b.value)),
        target_year: d.target_year,
        target_value: d.target_value,
    }
}

fn indicator_result(
    plan: &PlanRecord,
    stored: &StoredIndicator,
    all_series: &HashMap<i64, IndicatorSeries>,
    problems: &HashMap<i64, Vec<DataProblem>>,
    input: &EvaluationInput,
    year: i32,
    thresholds: &Thresholds,
) -> IndicatorResult {
    let d = &stored.definition;
    let spec = target_spec(plan, stored);
    let empty = IndicatorSeries::default();
    let series = all_series.get(&stored.id).unwrap_or(&empty);
    let mut data_problems = problems.get(&stored.id).cloned().unwrap_or_default();
    let mixed = !series.levels.is_empty() && !series.yoy.is_empty();
    if mixed {
        data_problems.push(DataProblem {
            code: d.code.clone(),
            year: None,
            value: None,
            problem: "同时报送了水平值和同比变化，只使用水平值".into(),
        });
    }
    let target_equals_baseline = d.kind == TargetKind::AtLeast
        && matches!((&d.baseline, d.target_value), (Some(b), Some(t)) if b.value == t);
    let assessment = if target_equals_baseline {
        data_problems.push(DataProblem {
            code: d.code.clone(),
            year: None,
            value: d.target_value,
            problem: "目标值等于基期值，无法计算进度，未作评价".into(),
        });
        assess(
            &TargetSpec {
                kind: TargetKind::Qualitative,
                ..spec.clone()
            },
            Series {
                levels: &series.levels,
                yoy: &[],
            },
            year,
            thresholds,
        )
    } else {
        let yoy: &[(i32, f64)] = if mixed { &[] } else { &series.yoy };
        assess(
            &spec,
            Series {
                levels: &series.levels,
                yoy,
            },
            year,
            thresholds,
        )
    };
    let chained_series = if assessment.latest_is_change {
        let mut caveats = Vec::new();
        super::rules::chain_yoy(
            spec.baseline.map_or(spec.base_year, |b| b.0),
            &series.yoy,
            &mut caveats,
        )
    } else {
        series.levels.clone()
    };
    IndicatorResult {
        plan: plan.code.clone(),
        code: d.code.clone(),
        name: d.name.clone(),
        unit: d.unit.clone(),
        chapter: d.chapter,
        section: d.section,
        nature: d.nature,
        kind: d.kind,
        better: d.better,
        path: d.path,
        department: d.department.clone(),
        baseline_year: d.baseline.as_ref().map(|b| b.year),
        baseline_value: d.baseline.as_ref().map(|b| b.value),
        target_year: d.target_year,
        target_value: d.target_value,
        cagr_status: assessment.cagr_class.map(|c| c.status()),
        assessment,
        office_verdict: input.verdicts.get(&(stored.id, year)).cloned(),
        series: chained_series,
        illustrative: series.illustrative,
        data_problems,
    }
}
