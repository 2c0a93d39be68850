//! An XLSX workbook read cell by cell as its XML stores them: the form's sheet
//! or the first visible one, percent formats applied, merged cells refused.

use super::csv_rows::is_blank;
use super::*;
use crate::store::import::form::FORM_SHEET;
use crate::store::import::number::round_spreadsheet;
use crate::store::import::Problem;
use calamine::{DataRef, Dimensions, Reader, SheetType, SheetVisible, Xlsx, XlsxCellReader};
use rustc_hash::FxHashSet;
use std::io::Cursor;

pub(super) fn corrupt(e: &dyn std::fmt::Display) -> String {
    format!("cannot be read as an XLSX workbook (is it truncated or damaged? save it again): {e}")
}

/// Reads the rows of a workbook's sheet into `file`, or says why it cannot.
pub(super) fn read_workbook(
    name: &str,
    bytes: Vec<u8>,
    file: &mut SourceFile,
) -> Result<(), String> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    let sheet = sheet_to_read(book.sheets_metadata())?;
    let percent = percent_cells(&mut book, &sheet).map_err(|e| corrupt(&e))?;
    let merged = book
        .merge_cells_by_sheet_name(&sheet)
        .map_err(|e| corrupt(&e))?;
    let mut reader = book
        .worksheet_cells_reader(&sheet)
        .map_err(|e| corrupt(&e))?;
    let header = rows_from_records(name, xlsx_records(&sheet, &mut reader, &percent), file);
    if let Some(header) = header {
        for range in merged.iter().filter(|r| r.start != r.end) {
            // Merges above the header (a title) hide no values.
            if range.end.0 + 1 >= header {
                let message = merge_message(&sheet, range);
                file.problems.push(
                    0,
                    Problem {
                        row: range.start.0 + 1,
                        ..file_problem(name, message)
                    },
                );
            }
        }
    }
    Ok(())
}

/// The sheet import reads: the form's own sheet when the workbook has one,
/// else the first visible worksheet. Hidden sheets are never read (a user
/// sees only the visible ones), and a hidden form sheet is refused rather
/// than replaced by whatever sheet is visible.
pub(super) fn sheet_to_read(sheets: &[calamine::Sheet]) -> Result<String, String> {
    let visible = |s: &&calamine::Sheet| s.visible == SheetVisible::Visible;
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    if let Some(form) = worksheets().find(|s| s.name == FORM_SHEET) {
        return if visible(&form) {
            Ok(form.name.clone())
        } else {
            Err(format!(
                "the form's sheet {FORM_SHEET} is hidden; unhide it (or delete it) and save again"
            ))
        };
    }
    worksheets()
        .find(visible)
        .map(|s| s.name.clone())
        .ok_or_else(|| "the workbook has no visible worksheet".to_string())
}

/// The cells of a sheet formatted as a percentage, by zero-based position.
/// Read only when the workbook has a percentage format at all.
pub(super) fn percent_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    sheet: &str,
) -> Result<FxHashSet<(u32, u32)>, calamine::XlsxError> {
    let mut reader = book.worksheet_cells_reader(sheet)?;
    let percent_styles: Vec<bool> = reader
        .styles()
        .iter()
        .map(|style| {
            style
                .number_format
                .as_ref()
                .is_some_and(|format| is_percent_format(&format.format_code))
        })
        .collect();
    let mut cells = FxHashSet::default();
    if percent_styles.contains(&true) {
        while let Some((row, column, style)) = reader.next_style_id()? {
            if percent_styles[style] {
                cells.insert((row, column));
            }
        }
    }
    Ok(cells)
}

/// The rows of a sheet, built from its cells as they are read: only rows with
/// cells exist. Spreadsheet programs write rows and cells in order; a file
/// that does not is refused rather than read in an order nobody saw.
pub(super) fn xlsx_records<'a, 'book, RS: std::io::Read + std::io::Seek>(
    sheet: &'a str,
    reader: &'a mut XlsxCellReader<'book, RS>,
    percent: &'a FxHashSet<(u32, u32)>,
) -> impl Iterator<Item = RecordResult> + use<'a, 'book, RS> {
    let mut pending: Option<Record> = None;
    let mut last: Option<(u32, u32)> = None;
    let mut ended = false;
    std::iter::from_fn(move || {
        while !ended {
            let cell = match reader.next_cell_with_formula() {
                Ok(Some(cell)) => cell,
                Ok(None) => {
                    ended = true;
                    break;
                }
                Err(e) => {
                    ended = true;
                    return Some(Err(Unreadable::of_file(corrupt(&e))));
                }
            };
            let (row, column) = cell.pos;
            if last.is_some_and(|last| last >= cell.pos) {
                ended = true;
                return Some(Err(Unreadable {
                    row: row + 1,
                    message: format!(
                        "{sheet}!{}: the cells are not stored in row order, as spreadsheet \
                         programs store them; open and save the file in a spreadsheet program",
                        cell_name(row, column)
                    ),
                }));
            }
            last = Some(cell.pos);
            let finished = pending.take_if(|record| record.row != row + 1);
            let record = pending.get_or_insert_with(|| Record {
                row: row + 1,
                cells: Cells::new(),
                doubtful: Vec::new(),
            });
            if let Some(formula) = cell.formula {
                let zero = matches!(cell.value, DataRef::Float(v) if v == 0.0)
                    || matches!(cell.value, DataRef::Int(0));
                if zero || cell.value == DataRef::Empty {
                    record.doubtful.push(DoubtfulFormula {
                        column,
                        cell: format!("{sheet}!{}", cell_name(row, column)),
                        formula,
                        zero,
                    });
                }
            }
            if let Some(value) = xlsx_cell(&cell.value, percent.contains(&cell.pos)) {
                record.cells.push((column, value));
            }
            if finished.is_some() {
                return finished.map(Ok);
            }
        }
        pending.take().map(Ok)
    })
}

/// A workbook cell as import reads it; `None` when it is empty.
pub(super) fn xlsx_cell(data: &DataRef<'_>, percent: bool) -> Option<Cell> {
    let number = |value: f64| {
        Some(if percent {
            Cell::Percent(round_spreadsheet(value * 100.0))
        } else {
            Cell::Number(round_spreadsheet(value))
        })
    };
    let text = |text: &str| {
        let text = text.trim_matches(is_blank);
        (!text.is_empty()).then(|| Cell::Text(text.into()))
    };
    let other = |what: &str| Some(Cell::Other(what.into()));
    match data {
        DataRef::Empty => None,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Float(value) => number(*value),
        DataRef::Int(value) => number(*value as f64),
        DataRef::Bool(value) => other(if *value { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) => other("a date"),
        DataRef::DurationIso(_) => other("a duration"),
        DataRef::Error(error) => Some(Cell::Other(format!("the spreadsheet error {error}").into())),
    }
}

/// `G7` for a zero-based position.
pub(super) fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_letter(column as usize), row + 1)
}

pub(super) fn merge_message(sheet: &str, range: &Dimensions) -> String {
    let first = cell_name(range.start.0, range.start.1);
    format!(
        "{sheet}!{first}:{}: merged cells; only {first} holds a value and the other cells \
         would be read as empty; unmerge the cells and fill in each one",
        cell_name(range.end.0, range.end.1)
    )
}

/// True when a number format shows the value as a percentage: a `%` outside
/// quoted text and backslash escapes (`0.0%`, not `0.0"%"`).
pub(super) fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats_are_recognised() {
        assert!(is_percent_format("0.00%"));
        assert!(is_percent_format("0%;[Red]-0%"));
        assert!(!is_percent_format("0.0\"%\""));
        assert!(!is_percent_format("0.0\\%"));
        assert!(!is_percent_format("General"));
    }

    #[test]
    fn the_form_sheet_or_else_the_first_visible_worksheet_is_read() {
        let sheet = |name: &str, visible| calamine::Sheet {
            name: name.to_string(),
            typ: SheetType::WorkSheet,
            visible,
        };
        let (shown, hidden) = (SheetVisible::Visible, SheetVisible::Hidden);
        let read = |sheets: &[calamine::Sheet]| sheet_to_read(sheets);
        assert_eq!(
            read(&[sheet("旧", hidden), sheet("新", shown)]),
            Ok("新".into())
        );
        assert_eq!(
            read(&[sheet("说明", shown), sheet(FORM_SHEET, shown)]),
            Ok(FORM_SHEET.into())
        );
        assert!(read(&[sheet(FORM_SHEET, hidden), sheet("新", shown)])
            .unwrap_err()
            .contains("hidden"));
        assert!(read(&[sheet("旧", SheetVisible::VeryHidden)]).is_err());
    }
}
