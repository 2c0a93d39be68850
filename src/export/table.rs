//! The one layout of the evaluation table, shared by its CSV and its XLSX
//! (docs/export.md lists the columns): one row per indicator with its target,
//! latest value, progress, light and explanation, under Chinese headers.
//! Numbers stay numbers (shares are given in percent, 78.4 for 78.4%), so the
//! sheet can be sorted and summed; demo values are marked on every row.

use crate::evaluate::{IndicatorResult, Method};

/// One cell of the export.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    Text(String),
    /// A number, or an empty cell when there is none.
    Number(Option<f64>),
}

/// One column: its Chinese header, its width in characters, and how a row
/// fills it (the light by the method asked for).
pub(super) struct ExportColumn {
    pub(super) header: &'static str,
    pub(super) width: f64,
    cell: fn(&IndicatorResult, Method) -> ExportCell,
}

fn text(value: impl Into<String>) -> ExportCell {
    ExportCell::Text(value.into())
}

fn number(value: Option<f64>) -> ExportCell {
    ExportCell::Number(value)
}

/// A computed number, rounded to two decimals: the evaluation's arithmetic
/// carries binary noise (66.91999999999997) that only confuses a spreadsheet.
fn computed(value: Option<f64>) -> ExportCell {
    ExportCell::Number(value.map(|v| (v * 100.0).round() / 100.0))
}

fn in_percent(share: Option<f64>) -> ExportCell {
    computed(share.map(|s| s * 100.0))
}

/// The columns, in order.
pub(super) const COLUMNS: &[ExportColumn] = &[
    ExportColumn {
        header: "指标代码",
        width: 30.0,
        cell: |r, _| text(&r.code),
    },
    ExportColumn {
        header: "指标名称",
        width: 36.0,
        cell: |r, _| text(&r.name),
    },
    ExportColumn {
        header: "计量单位",
        width: 10.0,
        cell: |r, _| text(&r.unit),
    },
    ExportColumn {
        header: "章",
        width: 5.0,
        cell: |r, _| number(Some(f64::from(r.chapter))),
    },
    ExportColumn {
        header: "属性",
        width: 8.0,
        cell: |r, _| text(r.nature.as_str()),
    },
    ExportColumn {
        header: "目标类型",
        width: 12.0,
        cell: |r, _| text(r.kind.label_zh()),
    },
    ExportColumn {
        header: "责任部门",
        width: 12.0,
        cell: |r, _| text(&r.department),
    },
    ExportColumn {
        header: "基期年份",
        width: 9.0,
        cell: |r, _| number(r.baseline_year.map(f64::from)),
    },
    ExportColumn {
        header: "基期值",
        width: 10.0,
        cell: |r, _| number(r.baseline_value),
    },
    ExportColumn {
        header: "目标年份",
        width: 9.0,
        cell: |r, _| number(Some(f64::from(r.target_year))),
    },
    ExportColumn {
        header: "目标值",
        width: 10.0,
        cell: |r, _| number(r.target_value),
    },
    ExportColumn {
        header: "最新年份",
        width: 9.0,
        cell: |r, _| number(r.assessment.latest_year.map(f64::from)),
    },
    ExportColumn {
        header: "最新值",
        width: 10.0,
        cell: |r, _| computed(r.assessment.latest_value),
    },
    ExportColumn {
        header: "最新值口径",
        width: 14.0,
        cell: |r, _| match (r.assessment.latest_value, r.assessment.latest_is_change) {
            (None, _) => text(""),
            (Some(_), true) => text("较基期累计变化(%)"),
            (Some(_), false) => text("水平值"),
        },
    },
    ExportColumn {
        header: "序时预期值",
        width: 11.0,
        cell: |r, _| computed(r.assessment.expected_value),
    },
    ExportColumn {
        header: "目标进度(%)",
        width: 11.0,
        cell: |r, _| in_percent(r.assessment.progress),
    },
    ExportColumn {
        header: "完成序时进度(%)",
        width: 14.0,
        cell: |r, _| in_percent(r.assessment.pace_ratio),
    },
    ExportColumn {
        header: "所需年均增速(%)",
        width: 14.0,
        cell: |r, _| computed(r.assessment.required_growth),
    },
    ExportColumn {
        header: "期末预测值",
        width: 11.0,
        cell: |r, _| computed(r.assessment.projection),
    },
    ExportColumn {
        header: "状态",
        width: 7.0,
        cell: |r, method| text(r.status_by(method).label_zh()),
    },
    ExportColumn {
        header: "统计局判定",
        width: 10.0,
        cell: |r, _| {
            text(
                r.office_verdict
                    .as_ref()
                    .map_or("", |v| v.status.label_zh()),
            )
        },
    },
    ExportColumn {
        header: "判定理由",
        width: 24.0,
        cell: |r, _| text(r.office_verdict.as_ref().map_or("", |v| v.reason.as_str())),
    },
    ExportColumn {
        header: "说明",
        width: 60.0,
        cell: |r, _| text(&r.assessment.explanation),
    },
    ExportColumn {
        header: "数据问题",
        width: 30.0,
        cell: |r, _| {
            let problems: Vec<String> = r
                .data_problems
                .iter()
                .map(|p| match p.year {
                    Some(year) => format!("{year}年：{}", p.problem),
                    None => p.problem.clone(),
                })
                .collect();
            text(problems.join("；"))
        },
    },
    ExportColumn {
        header: "演示数据",
        width: 9.0,
        cell: |r, _| {
            text(if r.illustrative {
                "是（非官方）"
            } else {
                ""
            })
        },
    },
    // Last, so the indicator's code opens the row; it tells the plans of an
    // `evaluate --all-plans` apart.
    ExportColumn {
        header: "规划代码",
        width: 14.0,
        cell: |r, _| text(&r.plan),
    },
];

/// The header row.
pub fn headers() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.header).collect()
}

/// The cells of one indicator's row, its light given by `method`.
pub fn row(result: &IndicatorResult, method: Method) -> Vec<ExportCell> {
    COLUMNS.iter().map(|c| (c.cell)(result, method)).collect()
}
