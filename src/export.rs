//! The evaluation as a table for people who work in Excel: one row per
//! indicator with its target, latest value, progress, light and explanation.
//! Numbers stay numbers (shares are given in percent, 78.4 for 78.4%), so the
//! sheet can be sorted and summed; demo values are marked on every row.

use crate::evaluate::{IndicatorResult, PlanEvaluation};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One cell of the export.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    Text(String),
    /// A number, or an empty cell when there is none.
    Number(Option<f64>),
}

/// One column: its Chinese header, its width in characters, and how a row fills it.
struct ExportColumn {
    header: &'static str,
    width: f64,
    cell: fn(&IndicatorResult) -> ExportCell,
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

const COLUMNS: &[ExportColumn] = &[
    ExportColumn {
        header: "指标代码",
        width: 30.0,
        cell: |r| text(&r.code),
    },
    ExportColumn {
        header: "指标名称",
        width: 36.0,
        cell: |r| text(&r.name),
    },
    ExportColumn {
        header: "计量单位",
        width: 10.0,
        cell: |r| text(&r.unit),
    },
    ExportColumn {
        header: "章",
        width: 5.0,
        cell: |r| number(Some(f64::from(r.chapter))),
    },
    ExportColumn {
        header: "属性",
        width: 8.0,
        cell: |r| text(r.nature.as_str()),
    },
    ExportColumn {
        header: "目标类型",
        width: 12.0,
        cell: |r| text(r.kind.label_zh()),
    },
    ExportColumn {
        header: "责任部门",
        width: 12.0,
        cell: |r| text(&r.department),
    },
    ExportColumn {
        header: "基期年份",
        width: 9.0,
        cell: |r| number(r.baseline_year.map(f64::from)),
    },
    ExportColumn {
        header: "基期值",
        width: 10.0,
        cell: |r| number(r.baseline_value),
    },
    ExportColumn {
        header: "目标年份",
        width: 9.0,
        cell: |r| number(Some(f64::from(r.target_year))),
    },
    ExportColumn {
        header: "目标值",
        width: 10.0,
        cell: |r| number(r.target_value),
    },
    ExportColumn {
        header: "最新年份",
        width: 9.0,
        cell: |r| number(r.assessment.latest_year.map(f64::from)),
    },
    ExportColumn {
        header: "最新值",
        width: 10.0,
        cell: |r| computed(r.assessment.latest_value),
    },
    ExportColumn {
        header: "最新值口径",
        width: 14.0,
        cell: |r| match (r.assessment.latest_value, r.assessment.latest_is_change) {
            (None, _) => text(""),
            (Some(_), true) => text("较基期累计变化(%)"),
            (Some(_), false) => text("水平值"),
        },
    },
    ExportColumn {
        header: "序时预期值",
        width: 11.0,
        cell: |r| computed(r.assessment.expected_value),
    },
    ExportColumn {
        header: "目标进度(%)",
        width: 11.0,
        cell: |r| in_percent(r.assessment.progress),
    },
    ExportColumn {
        header: "完成序时进度(%)",
        width: 14.0,
        cell: |r| in_percent(r.assessment.pace_ratio),
    },
    ExportColumn {
        header: "所需年均增速(%)",
        width: 14.0,
        cell: |r| computed(r.assessment.required_growth),
    },
    ExportColumn {
        header: "期末预测值",
        width: 11.0,
        cell: |r| computed(r.assessment.projection),
    },
    ExportColumn {
        header: "状态",
        width: 7.0,
        cell: |r| text(r.status().label_zh()),
    },
    ExportColumn {
        header: "统计局判定",
        width: 10.0,
        cell: |r| {
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
        cell: |r| text(r.office_verdict.as_ref().map_or("", |v| v.reason.as_str())),
    },
    ExportColumn {
        header: "说明",
        width: 60.0,
        cell: |r| text(&r.assessment.explanation),
    },
    ExportColumn {
        header: "数据问题",
        width: 30.0,
        cell: |r| {
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
        cell: |r| {
            text(if r.illustrative {
                "是（非官方）"
            } else {
                ""
            })
        },
    },
];

/// The header row.
pub fn headers() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.header).collect()
}

/// The cells of one indicator's row.
pub fn row(result: &IndicatorResult) -> Vec<ExportCell> {
    COLUMNS.iter().map(|c| (c.cell)(result)).collect()
}

/// The table as CSV, UTF-8 with a byte-order mark so Excel reads the Chinese.
pub fn to_csv(evaluation: &PlanEvaluation) -> std::io::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    writer.write_record(headers())?;
    for result in &evaluation.indicators {
        let cells: Vec<String> = row(result)
            .into_iter()
            .map(|cell| match cell {
                ExportCell::Text(text) => text,
                ExportCell::Number(value) => value.map(|v| v.to_string()).unwrap_or_default(),
            })
            .collect();
        writer.write_record(&cells)?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

/// The table as an XLSX workbook: a bold frozen header, sized columns and a
/// filter on every column.
pub fn to_xlsx(evaluation: &PlanEvaluation) -> Result<Vec<u8>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let decimal = Format::new().set_num_format("0.00");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(format!("{}年评估", evaluation.year))?;
    for (index, column) in COLUMNS.iter().enumerate() {
        let col = index as u16;
        sheet.set_column_width(col, column.width)?;
        sheet.write_string_with_format(0, col, column.header, &header)?;
    }
    for (offset, result) in evaluation.indicators.iter().enumerate() {
        let r = offset as u32 + 1;
        for (index, cell) in row(result).into_iter().enumerate() {
            let col = index as u16;
            match cell {
                ExportCell::Text(text) => {
                    sheet.write_string(r, col, text)?;
                }
                ExportCell::Number(Some(value)) if value.fract() == 0.0 => {
                    sheet.write_number(r, col, value)?;
                }
                ExportCell::Number(Some(value)) => {
                    sheet.write_number_with_format(r, col, value, &decimal)?;
                }
                ExportCell::Number(None) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.autofilter(
        0,
        0,
        evaluation.indicators.len() as u32,
        COLUMNS.len() as u16 - 1,
    )?;
    workbook.save_to_buffer()
}
