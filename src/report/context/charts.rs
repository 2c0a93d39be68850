//! The charts (chart.html): progress bars per chapter and trend charts of key
//! indicators, as chart models; the renderers draw them (SVG for HTML, the
//! PDF layout for PDF).

use super::status_color;
use crate::evaluate::path::PlannedPath;
use crate::evaluate::rules::TargetSpec;
use crate::evaluate::{IndicatorResult, PlanEvaluation};
use crate::model::Nature;
use crate::report::chart::{Chart, ProgressBar, ProgressChart, TrendChart};
use serde::Serialize;

/// A chart: its model, which each renderer draws (SVG in HTML, the PDF layout).
#[derive(Debug, Clone, Serialize)]
pub struct ChartBlock {
    /// Unique element id in the document.
    pub id: String,
    /// The chart's title.
    pub title: String,
    /// What the chart shows, printed under it.
    pub caption: String,
    /// The chart model.
    pub chart: Chart,
}

pub(super) fn chart_block(id: String, chart: Chart, caption: String) -> ChartBlock {
    let title = match &chart {
        Chart::Progress(c) => c.title.clone(),
        Chart::Trend(c) => c.title.clone(),
    };
    ChartBlock {
        id,
        title,
        caption,
        chart,
    }
}

pub(super) fn progress_chart(
    anchor: &str,
    number_label: &str,
    indicators: &[&IndicatorResult],
) -> Option<ChartBlock> {
    let bars: Vec<ProgressBar> = indicators
        .iter()
        .filter_map(|i| {
            let a = &i.assessment;
            Some(ProgressBar {
                label: i.name.clone(),
                progress: a.progress?,
                elapsed: a.time_elapsed?,
                color: status_color(i.status()),
                status_text: i.status().label_zh().to_string(),
            })
        })
        .collect();
    if bars.is_empty() {
        return None;
    }
    let left_out = indicators.len() - bars.len();
    let mut caption = "条形为实际进度（由基期值到目标值已完成的比例），竖线为该指标数据年份的时间进度；条形右侧注明进度和状态。".to_string();
    if left_out > 0 {
        caption.push_str(&format!(
            "另有{left_out}项指标没有进度口径（上限类、保持类、定性或无数据），未列入图中。"
        ));
    }
    Some(chart_block(
        format!("{anchor}-progress"),
        Chart::Progress(ProgressChart {
            title: format!("{number_label}指标进度与时间进度"),
            bars,
        }),
        caption,
    ))
}

/// How many trend charts a chapter shows at most.
pub(super) const TRENDS_PER_CHAPTER: usize = 2;

/// Candidates for trend charts: binding indicators first, then plan order.
pub(super) fn key_indicators<'a>(indicators: &[&'a IndicatorResult]) -> Vec<&'a IndicatorResult> {
    let mut ordered: Vec<&IndicatorResult> = indicators.to_vec();
    // A stable sort keeps plan order within binding and expected indicators.
    ordered.sort_by_key(|i| i.nature != Nature::Binding);
    ordered
}

/// The trend of a level indicator: actual values, the planned path from the
/// baseline to the target (computed with the evaluation's own path functions),
/// and the target. `None` for indicators without a level path to draw.
pub(super) fn trend_chart(evaluation: &PlanEvaluation, i: &IndicatorResult) -> Option<TrendChart> {
    if i.assessment.latest_is_change {
        return None;
    }
    let baseline = i.baseline_year.zip(i.baseline_value);
    let base_year = evaluation.plan.base_year;
    let spec = TargetSpec {
        kind: i.kind,
        better: i.better,
        path: i.path,
        unit: i.unit.clone(),
        base_year,
        baseline,
        target_year: i.target_year,
        target_value: i.target_value,
    };
    let path = PlannedPath::of(&spec)?;
    let target_level = path.target_level(&spec);
    let mut points: Vec<(i32, f64)> = i.series.clone();
    if let Some((year, b)) = baseline {
        if !points.iter().any(|(y, _)| *y == year) {
            points.push((year, b));
        }
    }
    if points.len() < 2 {
        return None;
    }
    let first = points
        .iter()
        .map(|(y, _)| *y)
        .min()
        .unwrap_or(base_year)
        .min(base_year);
    let years: Vec<i32> = (first..=i.target_year).collect();
    Some(TrendChart {
        title: i.name.clone(),
        unit: i.unit.clone(),
        actual: years
            .iter()
            .map(|year| points.iter().find(|(y, _)| y == year).map(|(_, v)| *v))
            .collect(),
        planned: years.iter().map(|year| path.value(&spec, *year)).collect(),
        target: target_level.map(|level| (i.target_year, level)),
        years,
    })
}
