//! The evaluation table as an Excel workbook, in the layout of its CSV.

use super::table::{row, ExportCell, COLUMNS};
use crate::evaluate::{Method, PlanEvaluation};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// The table as an XLSX workbook: a bold frozen header, sized columns and a
/// filter on every column; the light is the one `method` gives.
pub fn evaluation_xlsx(evaluation: &PlanEvaluation, method: Method) -> Result<Vec<u8>, XlsxError> {
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
        for (index, cell) in row(result, method).into_iter().enumerate() {
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
