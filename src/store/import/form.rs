//! The fill-in form (填报表) a department receives: one row per indicator it is
//! responsible for, with code, name, unit, year and last year's value filled
//! in, so nobody types a code by hand. The same columns are read back by
//! `planeval import` (see `columns`).
//!
//! XLSX: the filled-in cells are grey and locked (the sheet is protected
//! without a password, against slips, not people), the cells to fill are
//! yellow with Excel's own number checks, and a second sheet explains the form
//! in Chinese. CSV: UTF-8 with a byte-order mark, which Excel opens correctly.

use super::columns::{value_kind_label, Column};
use crate::model::{unit_is_percent, TargetKind, ValueKind};
use crate::store::catalog::Department;
use crate::store::observations::plan_observations;
use crate::store::plans::{plan_indicators, PlanRecord};
use rusqlite::Connection;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;

/// The name of the form's sheet in the XLSX form; import reads the sheet of
/// this name when a workbook has one.
pub const FORM_SHEET: &str = "填报表";

/// One indicator's row of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormRow {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub kind: TargetKind,
    /// Pre-filled: the kind of the latest earlier value, else year-on-year
    /// change for relative-change indicators (as they are usually reported) and
    /// the level for everything else.
    pub value_kind: ValueKind,
    /// The value recorded for the year before, if any.
    pub previous_value: Option<f64>,
}

/// A department's form for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub plan: PlanRecord,
    pub department: Department,
    pub year: i32,
    pub rows: Vec<FormRow>,
}

/// Builds the form: the department's indicators in catalog order.
pub fn build_form(
    conn: &Connection,
    plan: &PlanRecord,
    department: &Department,
    year: i32,
) -> rusqlite::Result<Form> {
    let indicators = plan_indicators(conn, Some(plan.id))?;
    // Observations come sorted by indicator and year, so the last one before
    // `year` wins.
    let mut earlier: HashMap<i64, (i32, f64, ValueKind)> = HashMap::new();
    for o in plan_observations(conn, Some(plan.id))? {
        if o.year < year {
            earlier.insert(o.indicator_id, (o.year, o.value, o.value_kind));
        }
    }
    let rows = indicators
        .iter()
        .filter(|i| i.definition.department == department.code)
        .map(|i| {
            let d = &i.definition;
            let latest = earlier.get(&i.id);
            let default_kind = if d.kind == TargetKind::RelativeChange {
                ValueKind::YoyChange
            } else {
                ValueKind::Level
            };
            FormRow {
                code: d.code.clone(),
                name: d.name.clone(),
                unit: d.unit.clone(),
                kind: d.kind,
                value_kind: latest.map_or(default_kind, |l| l.2),
                previous_value: latest.filter(|l| l.0 == year - 1).map(|l| l.1),
            }
        })
        .collect();
    Ok(Form {
        plan: plan.clone(),
        department: department.clone(),
        year,
        rows,
    })
}

/// A number as text that reads back to exactly the same value.
fn plain_number(value: f64) -> String {
    value.to_string()
}

/// The form as CSV: UTF-8 with a byte-order mark, header of Chinese labels.
pub fn form_csv(form: &Form) -> std::io::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    let header = Column::ALL.map(Column::label);
    let mut records = vec![header.map(str::to_string).to_vec()];
    for row in &form.rows {
        records.push(
            Column::ALL
                .map(|column| match column {
                    Column::Code => row.code.clone(),
                    Column::Name => row.name.clone(),
                    Column::Unit => row.unit.clone(),
                    Column::ValueKind => value_kind_label(row.value_kind).to_string(),
                    Column::Year => form.year.to_string(),
                    Column::PreviousValue => {
                        row.previous_value.map(plain_number).unwrap_or_default()
                    }
                    Column::Value | Column::Source | Column::Note => String::new(),
                })
                .to_vec(),
        );
    }
    for record in records {
        writer.write_record(&record)?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

/// Widths of the form's columns, in characters.
fn column_width(column: Column) -> f64 {
    match column {
        Column::Code => 32.0,
        Column::Name => 40.0,
        Column::Unit => 12.0,
        Column::ValueKind => 11.0,
        Column::Year => 8.0,
        Column::PreviousValue => 12.0,
        Column::Value => 14.0,
        Column::Source => 24.0,
        Column::Note => 30.0,
    }
}

/// The form as an XLSX workbook.
pub fn form_xlsx(form: &Form) -> Result<Vec<u8>, XlsxError> {
    let grey = Color::RGB(0xF2F2F2);
    let yellow = Color::RGB(0xFFF2CC);
    let border = FormatBorder::Thin;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(border)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let fixed = Format::new().set_background_color(grey).set_border(border);
    let input = Format::new()
        .set_background_color(yellow)
        .set_border(border)
        .set_unlocked();
    // "General" on purpose: a cell pre-formatted as percent would turn 3.5 into 350%.
    let input_number = input.clone().set_num_format("General");

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(FORM_SHEET)?;
    for (index, column) in Column::ALL.into_iter().enumerate() {
        let col = index as u16;
        sheet.set_column_width(col, column_width(column))?;
        sheet.write_string_with_format(0, col, column.label(), &header)?;
    }
    sheet.set_row_height(0, 30)?;
    for (offset, row) in form.rows.iter().enumerate() {
        let r = offset as u32 + 1;
        for (index, column) in Column::ALL.into_iter().enumerate() {
            let col = index as u16;
            match column {
                Column::Code => {
                    sheet.write_string_with_format(r, col, &row.code, &fixed)?;
                }
                Column::Name => {
                    sheet.write_string_with_format(r, col, &row.name, &fixed)?;
                }
                Column::Unit => {
                    sheet.write_string_with_format(r, col, &row.unit, &fixed)?;
                }
                Column::ValueKind => value_kind_cell(sheet, r, col, row, &fixed, &input)?,
                Column::Year => {
                    sheet.write_number_with_format(r, col, f64::from(form.year), &fixed)?;
                }
                Column::PreviousValue => {
                    match row.previous_value {
                        Some(value) => sheet.write_number_with_format(r, col, value, &fixed)?,
                        None => sheet.write_blank(r, col, &fixed)?,
                    };
                }
                Column::Value => {
                    sheet.write_blank(r, col, &input_number)?;
                    sheet.add_data_validation(
                        r,
                        col,
                        r,
                        col,
                        &value_validation(row, form.year)?,
                    )?;
                }
                Column::Source | Column::Note => {
                    sheet.write_blank(r, col, &input)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    // Forms are often printed for sign-off: one page wide, landscape.
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    let mut protection = ProtectionOptions::new();
    protection.format_columns = true;
    protection.format_rows = true;
    sheet.protect_with_options(&protection);

    let notes = workbook.add_worksheet();
    notes.set_name("填表说明")?;
    notes.set_column_width(0, 100)?;
    notes.set_landscape();
    notes.set_print_fit_to_pages(1, 0);
    let wrap = Format::new().set_text_wrap();
    for (index, line) in instructions(form).iter().enumerate() {
        notes.write_string_with_format(index as u32, 0, line, &wrap)?;
    }
    workbook.save_to_buffer()
}

/// The kind cell is fixed except for relative-change indicators, where the
/// department may report either the level or the year-on-year change.
fn value_kind_cell(
    sheet: &mut Worksheet,
    r: u32,
    col: u16,
    row: &FormRow,
    fixed: &Format,
    input: &Format,
) -> Result<(), XlsxError> {
    let label = value_kind_label(row.value_kind);
    if row.kind != TargetKind::RelativeChange {
        sheet.write_string_with_format(r, col, label, fixed)?;
        return Ok(());
    }
    sheet.write_string_with_format(r, col, label, input)?;
    let choices: Vec<&str> = ValueKind::ALL
        .iter()
        .map(|k| value_kind_label(*k))
        .collect();
    let validation = DataValidation::new()
        .allow_list_strings(&choices)?
        .set_input_message("水平值：当年数值；同比变化：较上年增减的百分比")?;
    sheet.add_data_validation(r, col, r, col, &validation)?;
    Ok(())
}

/// Excel's own check on the value cell, mirroring the import's impossible-value
/// rule, so a slip is caught while typing.
fn value_validation(row: &FormRow, year: i32) -> Result<DataValidation, XlsxError> {
    let (min, max) = match (row.kind, unit_is_percent(&row.unit)) {
        (TargetKind::RelativeChange, _) => (-100.0, 1e15),
        (TargetKind::Qualitative, _) => (-1e15, 1e15),
        (_, true) => (0.0, 100.0),
        (_, false) => (0.0, 1e15),
    };
    DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(min, max))
        .set_input_message(format!(
            "{}年数值，单位：{}；只填数字，暂无数据请留空",
            year, row.unit
        ))?
        .set_error_message(format!(
            "请填写数字（单位：{}），不要带单位或文字；百分比指标填 3.5 表示 3.5%",
            row.unit
        ))
}

/// The instruction sheet, one line per row.
fn instructions(form: &Form) -> Vec<String> {
    let year = form.year;
    vec![
        format!("{}：{}年数据填报表", form.plan.short_title, year),
        format!(
            "填报单位：{}（代码 {}）；本表由 planeval 生成，共 {} 项指标。",
            form.department.name,
            form.department.code,
            form.rows.len()
        ),
        String::new(),
        "1. 灰色单元格（指标代码、指标名称、计量单位、年份、上年数值）已预先填好，请勿修改，也不要增删行列或改动表头。".into(),
        format!("2. 请在黄色单元格填写：{year}年数值（本年数值）、数据来源、备注。"),
        "3. 本年数值只填数字，可带千分位逗号（如 1,234.5）；单位以“计量单位”列为准，不要换算。".into(),
        "4. 百分比指标直接填百分数，例如 3.5 表示 3.5%。".into(),
        "5. 暂时没有数据的指标请留空，不要填“—”“无”；数值确为零时填 0。".into(),
        "6. 数值口径：“水平值”为当年数值；“同比变化”为较上年增减的百分比（仅限相对变化类指标，如农药使用量，下降填负数）。".into(),
        format!("7. “上年数值”为{}年已入库的数值，仅供对照；与上年相比变化超过 ±50% 的数值，导入时会提示核实。", year - 1),
        "8. 已确认为正式数（final）的数值如需更改，须由统计局注明修订理由后办理，系统会保留修改记录。".into(),
        "9. 填好后请保存为 .xlsx（或“CSV UTF-8”）报送统计局。".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form {
            plan: PlanRecord {
                id: 1,
                file: crate::model::PlanFile {
                    code: "p".into(),
                    title: "规划".into(),
                    short_title: "规划".into(),
                    region: "区".into(),
                    period_start: 2021,
                    period_end: 2025,
                    base_year: 2020,
                    midterm_year: 2023,
                    adopted: None,
                    issuer: "政府".into(),
                    office: "统计局".into(),
                    source_document: "plan.txt".into(),
                },
            },
            department: Department {
                code: "sci".into(),
                name: "科学技术局".into(),
                short_name: "科技局".into(),
            },
            year: 2024,
            rows: vec![FormRow {
                code: "rd_intensity".into(),
                name: "研发经费投入强度".into(),
                unit: "%".into(),
                kind: TargetKind::AtLeast,
                value_kind: ValueKind::Level,
                previous_value: Some(3.3),
            }],
        }
    }

    #[test]
    fn the_csv_form_has_a_bom_and_the_chinese_header() {
        let bytes = form_csv(&form()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "\u{feff}指标代码,指标名称,计量单位,数值口径,年份,上年数值,本年数值,数据来源,备注"
            )
        );
        assert_eq!(
            lines.next(),
            Some("rd_intensity,研发经费投入强度,%,水平值,2024,3.3,,,")
        );
    }

    #[test]
    fn the_xlsx_form_is_a_workbook() {
        let bytes = form_xlsx(&form()).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
