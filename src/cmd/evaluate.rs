//! `planeval evaluate`: the verdict per indicator as a terminal table, CSV for
//! Excel (the layout of `planeval export`, docs/export.md), or JSON with both
//! methods side by side.

use super::text_table::{render, Align};
use super::{print, read_store};
use crate::error::{exit, Error, Result};
use crate::evaluate::{self, Config, Method, PlanEvaluation, Status};
use crate::export::evaluation_csv;
use crate::store::plans::{find_plan, PlanRecord};
use crate::text::{percent, value};
use clap::{Args, ValueEnum};
use std::path::Path;

/// Arguments of `planeval evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The year to evaluate (data up to this year is used).
    #[arg(long, required_unless_present = "as_of_midterm")]
    pub year: Option<i32>,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long, conflicts_with = "all_plans")]
    pub plan: Option<String>,

    /// Evaluate every plan in the database in one run.
    #[arg(long)]
    pub all_plans: bool,

    /// Evaluate as of the plan's mid-term year (2023) and list lagging indicators.
    #[arg(long)]
    pub as_of_midterm: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = EvaluateFormat::Table)]
    pub format: EvaluateFormat,

    /// Which method decides the status shown in table and CSV output (JSON shows both).
    #[arg(long, value_enum, default_value_t = Method::default())]
    pub method: Method,
}

/// Output formats of `planeval evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvaluateFormat {
    /// Aligned text for a terminal.
    Table,
    /// CSV in UTF-8 with a byte-order mark, for Excel.
    Csv,
    /// One JSON document with a record per indicator.
    Json,
}

/// Runs `planeval evaluate`; the value is the exit code.
pub fn run(db: &Path, config: Option<&Path>, args: &EvaluateArgs) -> Result<u8> {
    let config = Config::load(config)?;
    let store = read_store(db)?;
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
    tracing::debug!(
        "loaded {} indicators and {} observations in {:.3} s, evaluated in {:.3} s",
        input.indicators.len(),
        input.observations.len(),
        loaded.as_secs_f64(),
        (started.elapsed() - loaded).as_secs_f64()
    );
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

fn json(evaluations: &[PlanEvaluation], method: Method) -> Result<String> {
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
    let bytes = evaluation_csv(evaluations, method).map_err(|e| Error::Evaluate(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
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
                r.status_by(method).label_zh().to_string(),
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
