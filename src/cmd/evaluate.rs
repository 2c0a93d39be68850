//! `planeval evaluate`: the verdict per indicator as a terminal table, CSV for
//! Excel, or JSON with both methods side by side.

use super::text_table::{render, Align};
use super::{print, read_store, Output};
use crate::cli::{EvaluateArgs, EvaluateFormat, Method};
use crate::error::{exit, Error, Result};
use crate::evaluate::{self, Config, IndicatorResult, PlanEvaluation, Status};
use crate::store::plans::{find_plan, PlanRecord};
use crate::text::{percent, value};
use std::path::Path;

pub fn run(db: &Path, config: Option<&Path>, args: &EvaluateArgs, out: Output) -> Result<u8> {
    let config = Config::load(config)?;
    let store = read_store(db, out)?;
    let plan = if args.all_plans {
        None
    } else {
        Some(find_plan(&store, args.plan.as_deref())?)
    };
    let year = evaluation_year(plan.as_ref(), args)?;
    let started = std::time::Instant::now();
    let input = crate::store::snapshot::evaluation_input(&store, plan.as_ref())?;
    let loaded = started.elapsed();
    let evaluations = evaluate::evaluate(&input, year, &config.thresholds)?;
    out.detail(format!(
        "loaded {} indicators and {} observations in {:.3} s, evaluated in {:.3} s",
        input.indicators.len(),
        input.observations.len(),
        loaded.as_secs_f64(),
        (started.elapsed() - loaded).as_secs_f64()
    ));
    let text = match args.format {
        EvaluateFormat::Json => json(&evaluations, args.method)?,
        EvaluateFormat::Csv => csv(&evaluations, args.method)?,
        EvaluateFormat::Table => evaluations
            .iter()
            .map(|e| table(e, args.method, args.as_of_midterm))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    print(&text)?;
    Ok(exit::OK)
}

fn evaluation_year(plan: Option<&PlanRecord>, args: &EvaluateArgs) -> Result<i32> {
    match (args.year, plan) {
        (Some(year), Some(plan)) => plan.check_year(year, crate::model::YearSpan::Period),
        (Some(year), None) => Ok(year),
        (None, Some(plan)) => Ok(plan.midterm_year),
        (None, None) => Err(Error::Usage(
            "--as-of-midterm with --all-plans needs --year (plans may differ)".into(),
        )),
    }
}

/// The status the chosen method gives.
fn method_status(result: &IndicatorResult, method: Method) -> Status {
    match method {
        Method::PlanPath => result.status(),
        Method::CagrRatio => result.cagr_status.unwrap_or(Status::Grey),
    }
}

fn json(evaluations: &[PlanEvaluation], method: Method) -> Result<String> {
    let method = match method {
        Method::PlanPath => "plan-path",
        Method::CagrRatio => "cagr-ratio",
    };
    let document = serde_json::json!({
        "method": method,
        "evaluations": evaluations,
    });
    serde_json::to_string_pretty(&document)
        .map(|s| s + "\n")
        .map_err(|e| Error::Evaluate(e.to_string()))
}

fn option(v: Option<f64>) -> String {
    v.map(value).unwrap_or_default()
}

fn option_percent(v: Option<f64>) -> String {
    v.map(percent).unwrap_or_default()
}

fn csv(evaluations: &[PlanEvaluation], method: Method) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "plan",
        "code",
        "name",
        "unit",
        "chapter",
        "nature",
        "kind",
        "department",
        "baseline_year",
        "baseline",
        "target_year",
        "target",
        "latest_year",
        "latest",
        "expected",
        "time_elapsed",
        "progress",
        "pace_ratio",
        "growth_achieved",
        "required_growth",
        "projection",
        "projection_meets_target",
        "status",
        "status_zh",
        "office_verdict",
        "explanation",
        "caveats",
        "data_problems",
        "illustrative",
    ];
    let write_error = |e: csv::Error| Error::Evaluate(e.to_string());
    writer.write_record(header).map_err(write_error)?;
    for evaluation in evaluations {
        for r in &evaluation.indicators {
            let a = &r.assessment;
            let status = method_status(r, method);
            writer
                .write_record([
                    r.plan.clone(),
                    r.code.clone(),
                    r.name.clone(),
                    r.unit.clone(),
                    r.chapter.to_string(),
                    r.nature.to_string(),
                    r.kind.to_string(),
                    r.department.clone(),
                    r.baseline_year.map(|y| y.to_string()).unwrap_or_default(),
                    option(r.baseline_value),
                    r.target_year.to_string(),
                    option(r.target_value),
                    a.latest_year.map(|y| y.to_string()).unwrap_or_default(),
                    option(a.latest_value),
                    option(a.expected_value),
                    option_percent(a.time_elapsed),
                    option_percent(a.progress),
                    option_percent(a.pace_ratio),
                    option(a.growth_achieved),
                    option(a.required_growth),
                    option(a.projection),
                    a.projection_meets_target
                        .map(|m| if m { "预计完成" } else { "难以完成" }.to_string())
                        .unwrap_or_default(),
                    status.as_str().to_string(),
                    status.label_zh().to_string(),
                    r.office_verdict
                        .as_ref()
                        .map(|v| format!("{}: {}", v.status.label_zh(), v.reason))
                        .unwrap_or_default(),
                    a.explanation.clone(),
                    a.caveats.join("；"),
                    r.data_problems
                        .iter()
                        .map(|p| {
                            format!(
                                "{}{}",
                                p.year.map(|y| format!("{y}年")).unwrap_or_default(),
                                p.problem
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("；"),
                    if r.illustrative { "1" } else { "0" }.to_string(),
                ])
                .map_err(write_error)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Evaluate(e.to_string()))?;
    // Excel needs the byte-order mark to read UTF-8 CSV as UTF-8.
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

fn table(evaluation: &PlanEvaluation, method: Method, midterm: bool) -> String {
    let rows: Vec<Vec<String>> = evaluation
        .indicators
        .iter()
        .map(|r| {
            let a = &r.assessment;
            vec![
                r.code.clone(),
                r.name.clone(),
                a.latest_year
                    .zip(a.latest_value)
                    .map(|(y, v)| {
                        format!(
                            "{}{} ({y})",
                            value(v),
                            if a.latest_is_change { "%" } else { "" }
                        )
                    })
                    .unwrap_or_else(|| "无数据".into()),
                r.target_value.map(value).unwrap_or_else(|| "—".into()),
                option_percent(a.pace_ratio),
                option(a.required_growth),
                method_status(r, method).label_zh().to_string(),
                r.office_verdict
                    .as_ref()
                    .map(|v| v.status.label_zh().to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let counts = &evaluation.rollups.overall;
    let mut out = format!(
        "{} — {}年评估{}（数据截至{}年）\n\n",
        evaluation.plan.short_title,
        evaluation.year,
        if midterm { "（中期）" } else { "" },
        evaluation.year
    );
    out.push_str(&render(
        &[
            ("code", Align::Left),
            ("指标", Align::Left),
            ("最新值(年)", Align::Right),
            ("目标", Align::Right),
            ("完成序时", Align::Right),
            ("需年均增速%", Align::Right),
            ("状态", Align::Left),
            ("统计局意见", Align::Left),
        ],
        &rows,
    ));
    out.push_str(&format!(
        "\n绿灯 {}  黄灯 {}  红灯 {}  灰灯 {}  合计 {}\n",
        counts.green, counts.yellow, counts.red, counts.grey, counts.total
    ));
    for (nature, counts) in &evaluation.rollups.by_nature {
        out.push_str(&format!(
            "{nature}：绿 {} 黄 {} 红 {} 灰 {}\n",
            counts.green, counts.yellow, counts.red, counts.grey
        ));
    }
    if midterm {
        out.push_str("\n滞后指标（黄灯、红灯）及仍需年均增速：\n");
        for r in evaluation
            .indicators
            .iter()
            .filter(|r| matches!(r.status(), Status::Red | Status::Yellow))
        {
            out.push_str(&format!(
                "  {} {} {}：{}{}\n",
                r.status().label_zh(),
                r.code,
                r.name,
                r.assessment.explanation,
                r.assessment
                    .required_growth
                    .map(|g| format!("；仍需年均增长{}%", value(g)))
                    .unwrap_or_default()
            ));
        }
    }
    if !evaluation.problems.is_empty() {
        out.push_str("\n数据问题（已排除出评价）：\n");
        for p in &evaluation.problems {
            out.push_str(&format!(
                "  {} {}{}\n",
                p.code,
                p.year.map(|y| format!("{y}年 ")).unwrap_or_default(),
                p.problem
            ));
        }
    }
    out
}
