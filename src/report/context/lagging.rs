//! The lagging indicators (lagging.html) and the mid-term review
//! (midterm_review.html).

use super::chapters::{indicator_columns, IndicatorRow, IndicatorTable, RowBuilder};
use super::wording::plan_time_elapsed;
use super::ContextInputs;
use crate::evaluate::Status;
use crate::model::Nature;
use serde::Serialize;

/// 滞后指标.
#[derive(Debug, Clone, Serialize)]
pub struct Lagging {
    /// Part heading.
    pub heading: String,
    /// Anchor of the part.
    pub anchor: String,
    /// Opening paragraph.
    pub paragraphs: Vec<String>,
    /// Said when no indicator lags, else empty.
    pub empty_note: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Red lights first, then yellow; plan order within each.
    pub rows: Vec<IndicatorRow>,
}

/// 中期评估: progress at the mid-term and the outlook for the target year.
#[derive(Debug, Clone, Serialize)]
pub struct MidtermReview {
    /// Part heading.
    pub heading: String,
    /// Anchor of the part.
    pub anchor: String,
    /// Time elapsed at the mid-term ("60%").
    pub time_elapsed: String,
    /// Opening paragraphs (including the note on older data).
    pub paragraphs: Vec<String>,
    /// Indicators whose latest value is older than the mid-term year.
    pub older_data: Vec<IndicatorRow>,
    /// Sub-heading of the projection table.
    pub projection_heading: String,
    /// One sentence counting 预计完成 / 难以完成.
    pub projection_summary: String,
    /// Column headings of the projection table.
    pub projection_columns: Vec<String>,
    /// Indicators with a projection, in plan order.
    pub projections: Vec<IndicatorRow>,
    /// Sub-heading of the binding-indicator table.
    pub binding_heading: String,
    /// The binding indicators with their projection.
    pub binding: IndicatorTable,
}

pub(super) fn lagging(inputs: &ContextInputs<'_>, rows: &RowBuilder<'_>) -> Lagging {
    let indicators = &inputs.evaluation.indicators;
    let of = |status: Status| indicators.iter().filter(move |i| i.status() == status);
    let lagging: Vec<IndicatorRow> = of(Status::Red)
        .chain(of(Status::Yellow))
        .map(|i| rows.row(i))
        .collect();
    let red = of(Status::Red).count();
    let yellow = of(Status::Yellow).count();
    let year = inputs.evaluation.year;
    Lagging {
        heading: "三、滞后指标及实现目标所需增速".to_string(),
        anchor: "lagging".to_string(),
        paragraphs: if lagging.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "截至{year}年，共有{}项指标亮灯滞后（红灯{red}项、黄灯{yellow}项）。下表按红灯、黄灯和规划顺序列出，并注明已实现的年均增速和实现规划目标仍需的年均增速或每年完成量。",
                lagging.len()
            )]
        },
        empty_note: if lagging.is_empty() {
            format!("截至{year}年，没有亮黄灯或红灯的指标。")
        } else {
            String::new()
        },
        columns: [
            "指标",
            "所属章",
            "责任单位",
            "状态",
            "最新值（年份）",
            "完成序时进度",
            "仍需",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect(),
        rows: lagging,
    }
}

pub(super) fn midterm_review(inputs: &ContextInputs<'_>, rows: &RowBuilder<'_>) -> MidtermReview {
    let evaluation = inputs.evaluation;
    let plan = &evaluation.plan;
    let year = evaluation.year;
    let elapsed = plan_time_elapsed(evaluation);
    let older_data: Vec<IndicatorRow> = evaluation
        .indicators
        .iter()
        .filter(|i| i.assessment.latest_year.is_some_and(|y| y < year))
        .map(|i| rows.row(i))
        .collect();
    let mut paragraphs = vec![format!(
        "中期评估以{year}年为评估时点。{}—{year}年规划期已过{elapsed}（时间进度），各指标的实际进度与时间进度比较：达到或快于序时进度的为绿灯，略慢的为黄灯，明显滞后的为红灯。",
        plan.period_start
    )];
    paragraphs.push(if older_data.is_empty() {
        format!("所有有数据的指标均已报送{year}年数据。")
    } else {
        format!(
            "有{}项指标的最新数据早于{year}年，其进度按最新数据年份的时间进度比较（而非{elapsed}），列表如下。",
            older_data.len()
        )
    });
    let projections: Vec<IndicatorRow> = evaluation
        .indicators
        .iter()
        .filter(|i| i.assessment.projection_meets_target.is_some())
        .map(|i| rows.row(i))
        .collect();
    let met = evaluation
        .indicators
        .iter()
        .filter(|i| i.assessment.projection_meets_target == Some(true))
        .count();
    let missed = projections.len() - met;
    MidtermReview {
        heading: format!("四、中期评估：{}年预计完成情况", plan.period_end),
        anchor: "midterm".to_string(),
        time_elapsed: elapsed,
        paragraphs,
        older_data,
        projection_heading: format!("（一）按现有趋势预计{}年完成情况", plan.period_end),
        projection_summary: format!(
            "按{}年以来的趋势外推至{}年：预计完成{met}项，难以完成{missed}项；另有{}项无法预测（无数据、定性指标或观测不足）。",
            plan.base_year,
            plan.period_end,
            evaluation.indicators.len() - projections.len()
        ),
        projection_columns: ["指标", "单位", "最新值（年份）", "目标值", "预计值", "预计", "仍需"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        projections,
        binding_heading: "（二）约束性指标".to_string(),
        binding: IndicatorTable {
            anchored: false,
            columns: indicator_columns(true, plan.period_end),
            rows: evaluation
                .indicators
                .iter()
                .filter(|i| i.nature == Nature::Binding)
                .map(|i| rows.row(i))
                .collect(),
        },
    }
}
