//! The summary (summary.html): the headline figures, the lights counted for the
//! plan and by chapter, department and nature.

use super::chapters::{indicator_columns, ChapterPart, IndicatorTable, RowBuilder};
use super::wording::{counts_sentence, plan_time_elapsed, target_with_unit};
use super::{ContextInputs, StatusView};
use crate::evaluate::{Status, StatusCounts};
use crate::model::{Nature, ReportKind};
use crate::text::percent;
use serde::Serialize;

/// The count of one light.
#[derive(Debug, Clone, Serialize)]
pub struct StatusCount {
    /// The light.
    pub status: StatusView,
    /// Number of indicators.
    pub count: usize,
    /// Share of all indicators ("12%").
    pub share: String,
}

/// Counts of one group (a chapter, a nature) by light.
#[derive(Debug, Clone, Serialize)]
pub struct GroupCounts {
    /// Element id to link to, or empty.
    pub anchor: String,
    /// The group's label ("第三章 强化科技创新", "约束性").
    pub label: String,
    /// Green lights.
    pub green: usize,
    /// Yellow lights.
    pub yellow: usize,
    /// Red lights.
    pub red: usize,
    /// Grey lights.
    pub grey: usize,
    /// All indicators of the group.
    pub total: usize,
}

impl GroupCounts {
    pub(super) fn of(anchor: String, label: String, counts: &StatusCounts) -> GroupCounts {
        GroupCounts {
            anchor,
            label,
            green: counts.green,
            yellow: counts.yellow,
            red: counts.red,
            grey: counts.grey,
            total: counts.total,
        }
    }
}

/// A headline figure of the summary.
#[derive(Debug, Clone, Serialize)]
pub struct HeadlineFigure {
    /// Indicator name.
    pub name: String,
    /// Latest value with unit ("1275.5亿元").
    pub value: String,
    /// Year of the value ("2023年").
    pub year: String,
    /// Target with unit and year ("2025年目标：1500亿元").
    pub target: String,
    /// The light.
    pub status: StatusView,
    /// Link to the indicator's row.
    pub anchor: String,
}

/// 总体进展.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Part heading.
    pub heading: String,
    /// Anchor of the part.
    pub anchor: String,
    /// Opening paragraphs.
    pub paragraphs: Vec<String>,
    /// Counts by light, in the order green, yellow, red, grey (from the evaluation's roll-up).
    pub counts: Vec<StatusCount>,
    /// Number of indicators.
    pub total: usize,
    /// Counts by chapter, in plan order (chapters with indicators only).
    pub by_chapter: Vec<GroupCounts>,
    /// Counts by nature (约束性, 预期性).
    pub by_nature: Vec<GroupCounts>,
    /// Headline figures: the plan's first six quantified indicators that have data.
    pub headline: Vec<HeadlineFigure>,
    /// The binding (约束性) indicators.
    pub binding: IndicatorTable,
}

pub(super) fn summary(
    inputs: &ContextInputs<'_>,
    rows: &RowBuilder<'_>,
    chapters: &[ChapterPart],
) -> Summary {
    let evaluation = inputs.evaluation;
    let plan = &evaluation.plan;
    let overall = &evaluation.rollups.overall;
    let year = evaluation.year;
    let share = |n: usize| {
        if overall.total == 0 {
            "—".to_string()
        } else {
            percent(n as f64 / overall.total as f64)
        }
    };
    let mut paragraphs = vec![
        format!(
            "{}依据《{}》确定的{}项监测指标，对截至{year}年的规划实施情况进行{}。规划期为{}，以{}年为基期，{year}年时间进度为{}。",
            plan.office,
            plan.title,
            overall.total,
            if inputs.kind == ReportKind::Midterm { "中期评估" } else { "监测" },
            format_args!("{}—{}年", plan.period_start, plan.period_end),
            plan.base_year,
            plan_time_elapsed(evaluation)
        ),
        format!("{}项指标中，{}（灰灯指无有效数据或不按规则评价）。", overall.total, counts_sentence(overall)),
    ];
    for (nature, counts) in &evaluation.rollups.by_nature {
        if *nature == Nature::Binding {
            paragraphs.push(format!(
                "{}项约束性指标中，{}，详见下表。",
                counts.total,
                counts_sentence(counts)
            ));
        }
    }
    let by_chapter = evaluation
        .rollups
        .by_chapter
        .iter()
        .filter_map(|(number, counts)| {
            let chapter = chapters.iter().find(|c| c.number == *number)?;
            Some(GroupCounts::of(
                chapter.anchor.clone(),
                format!("{}　{}", chapter.number_label, chapter.title),
                counts,
            ))
        })
        .collect();
    let by_nature = evaluation
        .rollups
        .by_nature
        .iter()
        .map(|(nature, counts)| GroupCounts::of(String::new(), nature.as_str().to_string(), counts))
        .collect();
    let headline = evaluation
        .indicators
        .iter()
        .filter(|i| i.assessment.latest_value.is_some() && i.target_value.is_some())
        .take(6)
        .map(|i| {
            let row = rows.row(i);
            HeadlineFigure {
                name: i.name.clone(),
                value: match i.assessment.latest_is_change {
                    true => row.latest.clone(),
                    false => format!("{}{}", row.latest, i.unit),
                },
                year: row.latest_year.clone(),
                target: format!("{}目标：{}", row.target_year, target_with_unit(i)),
                status: row.status.clone(),
                anchor: row.anchor.clone(),
            }
        })
        .collect();
    Summary {
        heading: "一、总体进展".to_string(),
        anchor: "summary".to_string(),
        paragraphs,
        counts: Status::ALL
            .iter()
            .map(|s| StatusCount {
                status: StatusView::of(*s),
                count: overall.get(*s),
                share: share(overall.get(*s)),
            })
            .collect(),
        total: overall.total,
        by_chapter,
        by_nature,
        headline,
        binding: IndicatorTable {
            anchored: false,
            columns: indicator_columns(
                inputs.kind == ReportKind::Midterm,
                inputs.evaluation.plan.period_end,
            ),
            rows: evaluation
                .indicators
                .iter()
                .filter(|i| i.nature == Nature::Binding)
                .map(|i| rows.row(i))
                .collect(),
        },
    }
}
