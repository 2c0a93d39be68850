//! `planeval plan`: show a plan's chapters, sections and indicators.

use super::text_table::{render, Align};
use super::{print, read_store};
use crate::error::{exit, Error, Result};
use crate::store::catalog::Chapter;
use crate::store::plans::{
    find_plan, plan_indicators, plan_structure, PlanRecord, StoredIndicator,
};
use clap::{Args, ValueEnum};
use std::path::Path;

/// Arguments of `planeval plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
}

/// Output formats of `planeval plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Aligned text for a terminal.
    Table,
    /// One JSON document.
    Json,
}

/// Runs `planeval plan`; the value is the exit code.
pub fn run(db: &Path, args: &PlanArgs) -> Result<u8> {
    let store = read_store(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    let read = |e| Error::db(db, "reading the catalog", e);
    let chapters = plan_structure(store.conn(), plan.id).map_err(read)?;
    let indicators = plan_indicators(store.conn(), Some(plan.id)).map_err(read)?;
    match args.format {
        PlanFormat::Json => {
            let document = serde_json::json!({
                "plan": plan,
                "chapters": chapters.iter().map(|c| serde_json::json!({
                    "number": c.number,
                    "title": c.title,
                    "sections": c.sections.iter().map(|s| serde_json::json!({"number": s.number, "title": s.title})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "indicators": indicators.iter().map(|i| {
                    let d = &i.definition;
                    serde_json::json!({
                        "code": d.code, "name": d.name, "unit": d.unit, "chapter": d.chapter,
                        "section": d.section, "nature": d.nature, "kind": d.kind, "better": d.better,
                        "baseline_year": d.baseline.as_ref().map(|b| b.year),
                        "baseline_value": d.baseline.as_ref().map(|b| b.value),
                        "target_year": d.target_year, "target_value": d.target_value,
                        "path": d.path, "department": d.department, "department_by": d.department_by,
                        "source_quote": d.source_quote,
                    })
                }).collect::<Vec<_>>(),
            });
            let json =
                serde_json::to_string_pretty(&document).map_err(|e| Error::Usage(e.to_string()))?;
            print(&format!("{json}\n"))?;
        }
        PlanFormat::Table => print(&table(&plan, &chapters, &indicators))?,
    }
    Ok(exit::OK)
}

/// The plan as text: its chapters and sections, each chapter's indicators as a table.
fn table(plan: &PlanRecord, chapters: &[Chapter], indicators: &[StoredIndicator]) -> String {
    let mut text = format!(
        "{} ({}), {}-{}, base year {}, mid-term {}\n",
        plan.title,
        plan.code,
        plan.period_start,
        plan.period_end,
        plan.base_year,
        plan.midterm_year
    );
    for chapter in chapters {
        text.push_str(&format!("\n第{}章 {}\n", chapter.number, chapter.title));
        for section in &chapter.sections {
            text.push_str(&format!("  第{}节 {}\n", section.number, section.title));
        }
        let rows: Vec<Vec<String>> = indicators
            .iter()
            .map(|i| &i.definition)
            .filter(|d| d.chapter == chapter.number)
            .map(|d| {
                vec![
                    d.code.clone(),
                    d.name.clone(),
                    d.unit.clone(),
                    d.nature.to_string(),
                    d.kind.to_string(),
                    d.baseline
                        .as_ref()
                        .map(|b| format!("{} ({})", b.value, b.year))
                        .unwrap_or_else(|| "—".into()),
                    d.target_value
                        .map(|v| format!("{v} ({})", d.target_year))
                        .unwrap_or_else(|| "—".into()),
                    d.department.clone(),
                ]
            })
            .collect();
        if !rows.is_empty() {
            text.push('\n');
            text.push_str(&render(
                &[
                    ("code", Align::Left),
                    ("指标", Align::Left),
                    ("单位", Align::Left),
                    ("属性", Align::Left),
                    ("kind", Align::Left),
                    ("基期值", Align::Right),
                    ("目标值", Align::Right),
                    ("部门", Align::Left),
                ],
                &rows,
            ));
        }
    }
    text.push_str(&format!(
        "\n{} chapters, {} sections, {} indicators\n",
        chapters.len(),
        chapters.iter().map(|c| c.sections.len()).sum::<usize>(),
        indicators.len()
    ));
    text
}
