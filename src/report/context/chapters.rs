//! The chapters (chapter.html, indicator_table.html, commentary.html): one part
//! per plan chapter with its sections, its commentary and its table of
//! indicators, every figure formatted.

use super::charts::{
    chart_block, key_indicators, progress_chart, trend_chart, ChartBlock, TRENDS_PER_CHAPTER,
};
use super::wording::{
    chinese_numeral, counts_sentence, need_sentence, projection_text, target_text,
};
use super::{ContextInputs, StatusView, DEMO_NOTICE};
use crate::evaluate::IndicatorResult;
use crate::model::{Chapter, Nature, ReportKind, TargetKind};
use crate::report::chart::Chart;
use crate::report::commentary::CommentarySet;
use crate::text::{number, percent, value};
use serde::Serialize;
use std::collections::HashMap;

/// Commentary as written (Markdown), or the neutral placeholder.
#[derive(Debug, Clone, Serialize)]
pub struct Commentary {
    /// The Markdown as written, or the placeholder sentence.
    pub markdown: String,
    /// True when nothing was written and the placeholder is shown.
    pub is_placeholder: bool,
    /// Where it came from: a file name (`chapter-03.md`), "数据库", or empty for the placeholder.
    pub source: String,
}

/// A table of indicators with its column headings.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorTable {
    /// True for the chapter tables, whose rows carry the indicator's anchor
    /// (each indicator has one home; other tables link to it).
    pub anchored: bool,
    /// Column headings, in the order the built-in template prints the row fields.
    pub columns: Vec<String>,
    /// One row per indicator, in plan order.
    pub rows: Vec<IndicatorRow>,
}

/// One indicator, every figure formatted.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    /// Catalog code.
    pub code: String,
    /// Element id of the indicator's row in its chapter ("ind-gdp").
    pub anchor: String,
    /// Indicator name.
    pub name: String,
    /// Unit, or "—".
    pub unit: String,
    /// "约束性" or "预期性".
    pub nature: String,
    /// True for 约束性 indicators.
    pub is_binding: bool,
    /// The plan chapter ("第二章").
    pub chapter: String,
    /// The section within the chapter ("第三节 发展目标"), or empty.
    pub section: String,
    /// Responsible department (short name).
    pub department: String,
    /// Baseline value, or "—".
    pub baseline: String,
    /// Baseline year ("2020年"), or empty.
    pub baseline_year: String,
    /// The target as the plan states it ("1500", "≤3.8", "累计20", "年均增长6%").
    pub target: String,
    /// Target year ("2025年").
    pub target_year: String,
    /// Latest value ("1275.5"; "无数据" when there is none).
    pub latest: String,
    /// Year of the latest value ("2023年"), or empty.
    pub latest_year: String,
    /// True when the latest value is older than the report year.
    pub latest_is_older: bool,
    /// Progress towards the target ("78%"), or "—".
    pub progress: String,
    /// Share of the plan period elapsed at the latest value's year ("60%"), or "—".
    pub time_elapsed: String,
    /// Achieved progress as a share of the progress expected (完成序时进度), or "—".
    pub pace: String,
    /// The computed light.
    pub status: StatusView,
    /// The office's own verdict, if recorded for this year.
    pub office_verdict: Option<VerdictView>,
    /// The evaluation's sentence explaining the light.
    pub explanation: String,
    /// Qualifications of the verdict.
    pub caveats: Vec<String>,
    /// Values excluded from the evaluation, each as one sentence.
    pub data_problems: Vec<String>,
    /// Average annual growth achieved ("6.2%"), or empty.
    pub growth_achieved: String,
    /// Average annual growth still needed ("9.1%"), or empty.
    pub required_growth: String,
    /// What the indicator still needs, as one sentence, or empty.
    pub need: String,
    /// Value projected for the target year, or "—".
    pub projection: String,
    /// "预计完成", "难以完成" or "无法预测".
    pub projection_verdict: String,
    /// CSS class of the projection verdict.
    pub projection_css: String,
    /// True when any value shown is demo data.
    pub illustrative: bool,
}

/// The office's verdict, shown beside the computed light.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictView {
    /// The office's light.
    pub status: StatusView,
    /// Why.
    pub reason: String,
}

/// A section of a plan chapter.
#[derive(Debug, Clone, Serialize)]
pub struct SectionItem {
    /// "第一节".
    pub number_label: String,
    /// Section title.
    pub title: String,
}

/// One part of the report per plan chapter.
#[derive(Debug, Clone, Serialize)]
pub struct ChapterPart {
    /// Chapter number in the plan.
    pub number: u32,
    /// "第三章".
    pub number_label: String,
    /// Chapter title.
    pub title: String,
    /// Element id ("chapter-03").
    pub anchor: String,
    /// The chapter's sections, in plan order.
    pub sections: Vec<SectionItem>,
    /// True when the chapter has quantified indicators.
    pub has_indicators: bool,
    /// "本章无量化指标。" when it has none, else empty.
    pub empty_note: String,
    /// One sentence counting the chapter's lights, or empty.
    pub counts_text: String,
    /// The chapter's indicators.
    pub table: IndicatorTable,
    /// Progress against time elapsed, per indicator with a progress figure.
    pub progress_chart: Option<ChartBlock>,
    /// Trend lines of the chapter's key indicators.
    pub trend_charts: Vec<ChartBlock>,
    /// The demo-data notice for this chapter, when it shows demo data.
    pub data_notice: Option<String>,
    /// The office's commentary on the chapter.
    pub commentary: Commentary,
}

/// The placeholder shown where the office has not written anything yet.
pub(super) const PLACEHOLDER_CHAPTER: &str = "本章评述待统计局补充。";
pub(super) const PLACEHOLDER_FOREWORD: &str = "前言待统计局补充。";

pub(super) fn commentary(set: &CommentarySet, chapter: Option<u32>) -> Commentary {
    match set.get(chapter) {
        Some(entry) => Commentary {
            markdown: entry.markdown.clone(),
            is_placeholder: false,
            source: entry.source.clone(),
        },
        None => {
            let text = if chapter.is_some() {
                PLACEHOLDER_CHAPTER
            } else {
                PLACEHOLDER_FOREWORD
            };
            Commentary {
                markdown: text.to_string(),
                is_placeholder: true,
                source: String::new(),
            }
        }
    }
}

/// Formats indicator rows; holds the lookups every row needs.
pub(super) struct RowBuilder<'a> {
    inputs: &'a ContextInputs<'a>,
    departments: HashMap<&'a str, &'a str>,
    sections: HashMap<(u32, u32), String>,
}

impl<'a> RowBuilder<'a> {
    pub(super) fn new(inputs: &'a ContextInputs<'a>) -> Self {
        RowBuilder {
            inputs,
            departments: inputs
                .sources
                .iter()
                .map(|s| (s.code.as_str(), s.short_name.as_str()))
                .collect(),
            sections: inputs
                .structure
                .iter()
                .flat_map(|c| {
                    c.sections.iter().map(|s| {
                        (
                            (c.number, s.number),
                            format!("第{}节 {}", chinese_numeral(s.number), s.title),
                        )
                    })
                })
                .collect(),
        }
    }

    pub(super) fn row(&self, r: &IndicatorResult) -> IndicatorRow {
        let a = &r.assessment;
        let year = self.inputs.evaluation.year;
        let latest = match a.latest_value {
            None => "无数据".to_string(),
            Some(v) if a.latest_is_change => format!("累计变化{}%", number(v, 2)),
            Some(v) if r.kind == TargetKind::Cumulative => format!("累计{}", value(v)),
            Some(v) if r.kind == TargetKind::PerYear => format!("{}（当年）", value(v)),
            Some(v) => value(v),
        };
        let (projection, projection_verdict, projection_css) =
            match (a.projection, a.projection_meets_target) {
                (Some(p), Some(true)) => (projection_text(r, p), "预计完成", "outlook-met"),
                (Some(p), Some(false)) => (projection_text(r, p), "难以完成", "outlook-missed"),
                _ => ("—".to_string(), "无法预测", "outlook-unknown"),
            };
        IndicatorRow {
            code: r.code.clone(),
            anchor: indicator_anchor(&r.code),
            name: r.name.clone(),
            unit: if r.unit.trim().is_empty() {
                "—".to_string()
            } else {
                r.unit.clone()
            },
            nature: r.nature.as_str().to_string(),
            is_binding: r.nature == Nature::Binding,
            chapter: format!("第{}章", chinese_numeral(r.chapter)),
            section: r
                .section
                .and_then(|s| self.sections.get(&(r.chapter, s)).cloned())
                .unwrap_or_default(),
            department: self
                .departments
                .get(r.department.as_str())
                .map_or_else(|| r.department.clone(), |name| name.to_string()),
            baseline: r.baseline_value.map_or_else(|| "—".to_string(), value),
            baseline_year: r
                .baseline_year
                .map(|y| format!("{y}年"))
                .unwrap_or_default(),
            target: target_text(r),
            target_year: format!("{}年", r.target_year),
            latest,
            latest_year: a.latest_year.map(|y| format!("{y}年")).unwrap_or_default(),
            latest_is_older: a.latest_year.is_some_and(|y| y < year),
            progress: a.progress.map_or_else(|| "—".to_string(), percent),
            time_elapsed: a.time_elapsed.map_or_else(|| "—".to_string(), percent),
            pace: a.pace_ratio.map_or_else(|| "—".to_string(), percent),
            status: StatusView::of(r.status()),
            office_verdict: r.office_verdict.as_ref().map(|v| VerdictView {
                status: StatusView::of(v.status),
                reason: v.reason.clone(),
            }),
            explanation: a.explanation.clone(),
            caveats: a.caveats.clone(),
            data_problems: r
                .data_problems
                .iter()
                .map(|p| {
                    format!(
                        "{}{}",
                        p.year.map(|y| format!("{y}年：")).unwrap_or_default(),
                        p.problem
                    )
                })
                .collect(),
            growth_achieved: a
                .growth_achieved
                .map(|g| format!("{}%", number(g, 2)))
                .unwrap_or_default(),
            required_growth: a
                .required_growth
                .map(|g| format!("{}%", number(g, 2)))
                .unwrap_or_default(),
            need: need_sentence(r),
            projection,
            projection_verdict: projection_verdict.to_string(),
            projection_css: projection_css.to_string(),
            illustrative: r.illustrative,
        }
    }
}

/// Element id of an indicator's row in its chapter; codes are [a-z0-9_] but are
/// sanitised anyway so a hand-made catalog cannot break the attribute.
pub(super) fn indicator_anchor(code: &str) -> String {
    let safe: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("ind-{safe}")
}

/// Column headings of an indicator table; the mid-term adds the outlook to `end_year`.
pub(super) fn indicator_columns(is_midterm: bool, end_year: i32) -> Vec<String> {
    let mut columns: Vec<String> = ["指标", "单位", "基期值", "目标值", "最新值", "进度", "状态"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    if is_midterm {
        columns.push(format!("{end_year}年预计"));
    }
    columns.push("统计局意见".to_string());
    columns
}

pub(super) fn chapter_part(
    inputs: &ContextInputs<'_>,
    chapter: &Chapter,
    rows: &RowBuilder<'_>,
) -> ChapterPart {
    let evaluation = inputs.evaluation;
    let indicators: Vec<&IndicatorResult> = evaluation
        .indicators
        .iter()
        .filter(|i| i.chapter == chapter.number)
        .collect();
    let number_label = format!("第{}章", chinese_numeral(chapter.number));
    let anchor = format!("chapter-{:02}", chapter.number);
    let counts = evaluation
        .rollups
        .by_chapter
        .iter()
        .find(|(n, _)| *n == chapter.number)
        .map(|(_, c)| *c)
        .unwrap_or_default();
    let counts_text = if counts.total == 0 {
        String::new()
    } else {
        format!(
            "本章共有{}项指标：{}。",
            counts.total,
            counts_sentence(&counts)
        )
    };
    let progress_chart = progress_chart(&anchor, &number_label, &indicators);
    let trend_charts = key_indicators(&indicators)
        .into_iter()
        .filter_map(|i| {
            let trend = trend_chart(evaluation, i)?;
            let id = format!("{anchor}-trend-{}", indicator_anchor(&i.code));
            Some(chart_block(
                id,
                Chart::Trend(trend),
                "实线为实际值，虚线为由基期值到目标值的规划路径，菱形为规划目标。".to_string(),
            ))
        })
        .take(TRENDS_PER_CHAPTER)
        .collect();
    ChapterPart {
        number: chapter.number,
        number_label,
        title: chapter.title.clone(),
        anchor,
        sections: chapter
            .sections
            .iter()
            .map(|s| SectionItem {
                number_label: format!("第{}节", chinese_numeral(s.number)),
                title: s.title.clone(),
            })
            .collect(),
        has_indicators: !indicators.is_empty(),
        empty_note: if indicators.is_empty() {
            "本章无量化指标。".to_string()
        } else {
            String::new()
        },
        counts_text,
        table: IndicatorTable {
            anchored: true,
            columns: indicator_columns(
                inputs.kind == ReportKind::Midterm,
                inputs.evaluation.plan.period_end,
            ),
            rows: indicators.iter().map(|i| rows.row(i)).collect(),
        },
        progress_chart,
        trend_charts,
        data_notice: indicators
            .iter()
            .any(|i| i.illustrative)
            .then(|| format!("本章数值为{DEMO_NOTICE}。")),
        commentary: commentary(inputs.commentary, Some(chapter.number)),
    }
}
