//! Reading import files into rows of cells, before anything is checked against
//! the catalog: CSV in UTF-8 (with or without a byte-order mark) or GB18030, the
//! encoding Chinese Excel and WPS write by default; and XLSX workbooks (the
//! form's sheet, or the first visible one). Every problem found is collected
//! with its file and row; nothing here stops at the first one, except what
//! makes a file unreadable as a whole: an encoding that changes part-way, a
//! quote never closed, a damaged workbook.
//!
//! A workbook is read cell by cell as its XML stores them, so memory follows
//! the cells a file holds, not the range it declares (`A1:XFD1048576` is 17
//! billion cells).
//!
//! Here: the rows and cells every reader produces and the checks of a header;
//! [`encoding`] tells UTF-8 from GB18030, [`csv_rows`] splits CSV text into
//! records, and [`workbook`] reads an XLSX sheet.

mod csv_rows;
mod encoding;
mod workbook;

pub use encoding::{decode_text, TextEncoding};

use csv_rows::csv_records;
use workbook::read_workbook;

use super::columns::Column;
use super::{Problem, ProblemList, Severity};
use crate::store::catalog::hex;
use compact_str::CompactString;
use sha2::{Digest, Sha256};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::path::Path;

/// The row number used for problems with a file as a whole (where the header belongs).
pub const FILE_ROW: u32 = 1;

/// A cell as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, trimmed; numbers in CSV files arrive as text too. Codes, years and
    /// values fit inline, so a million rows are not three million allocations.
    Text(CompactString),
    /// A spreadsheet number.
    Number(f64),
    /// A spreadsheet number shown as a percentage: the value as shown (0.035 → 3.5).
    Percent(f64),
    /// Something that is neither text nor a number (a date, TRUE, #DIV/0!),
    /// described. A box rather than a String, so a cell is 24 bytes, not 32:
    /// a file's rows are held until they are checked.
    Other(Box<str>),
}

/// One data row: the cells of the recognised columns that are not empty, in
/// file order. A short list rather than a map: a row has at most nine cells,
/// and a million-row file holds a million of them.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// The row number a spreadsheet shows (the header is row 1 in the form).
    pub row: u32,
    pub cells: Cells<(Column, Cell)>,
}

/// The cells of one row, inline up to the four of a minimal file (code, year,
/// value and one more); the form's nine spill to the heap.
pub type Cells<T> = SmallVec<[T; 4]>;

impl RawRow {
    /// The cell of a column, if it is not empty.
    pub fn cell(&self, column: Column) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, cell)| cell)
    }

    /// The cell of a column as text, whatever its type: a spreadsheet may store
    /// a note such as `2023` as a number, and it must not be lost.
    pub fn text(&self, column: Column) -> Option<Cow<'_, str>> {
        self.cell(column).map(Cell::as_text)
    }
}

impl Cell {
    /// The cell as a person would read it.
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(text) => Cow::Borrowed(text),
            Cell::Other(text) => Cow::Borrowed(text),
            Cell::Number(value) => Cow::Owned(value.to_string()),
            Cell::Percent(value) => Cow::Owned(format!("{value}%")),
        }
    }
}

/// What a file held: its data rows and the problems found while reading it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it, used in every message.
    pub name: String,
    /// SHA-256 of the file's bytes, recorded with the import batch.
    pub digest: String,
    /// Which encoding a CSV file was read in ("UTF-8", "GB18030"), or "XLSX".
    pub format: &'static str,
    pub rows: Vec<RawRow>,
    /// The first problems found while reading, and the count of all.
    pub problems: ProblemList,
}

/// Why a file cannot be read at all, and the row where that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The row as a spreadsheet numbers it (the line, in a CSV file).
    pub row: u32,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Unreadable {
    fn of_file(message: String) -> Unreadable {
        Unreadable {
            row: FILE_ROW,
            message,
        }
    }
}

/// Reads one import file; unreadable files come back with problems and no rows.
pub fn read_file(path: &Path) -> SourceFile {
    let name = path.display().to_string();
    let mut file = SourceFile {
        name: name.clone(),
        digest: String::new(),
        format: "",
        rows: Vec::new(),
        problems: ProblemList::default(),
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            file.problems
                .push(0, file_problem(&name, format!("cannot read the file: {e}")));
            return file;
        }
    };
    file.digest = hex(&Sha256::digest(&bytes));
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let unreadable = match extension.as_str() {
        "csv" if bytes.starts_with(b"PK\x03\x04") => Unreadable::of_file(
            "this is a spreadsheet workbook (XLSX), not CSV text; name it .xlsx".to_string(),
        ),
        "csv" => match decode_text(&bytes) {
            Ok((text, encoding)) => {
                file.format = encoding.name();
                rows_from_records(&name, csv_records(&text), &mut file);
                return file;
            }
            Err(unreadable) => unreadable,
        },
        "xlsx" | "xlsm" => {
            file.format = "XLSX";
            match read_workbook(&name, bytes, &mut file) {
                Ok(()) => return file,
                Err(message) => Unreadable::of_file(message),
            }
        }
        "xls" | "et" | "ods" => Unreadable::of_file(format!(
            "`.{extension}` workbooks are not read; save the sheet as .xlsx or as CSV (UTF-8)"
        )),
        _ => Unreadable::of_file("unknown file type: import reads .csv and .xlsx files".into()),
    };
    file.problems.push(
        0,
        Problem {
            row: unreadable.row,
            ..file_problem(&name, unreadable.message)
        },
    );
    file
}

fn file_problem(file: &str, message: String) -> Problem {
    Problem {
        severity: Severity::Error,
        file: file.to_string(),
        row: FILE_ROW,
        code: None,
        field: None,
        message,
    }
}

/// A formula whose saved result cannot be taken for the value it computes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DoubtfulFormula {
    /// The zero-based column of the cell.
    pub(super) column: u32,
    /// `填报表!G7`.
    pub(super) cell: String,
    pub(super) formula: String,
    /// The saved result is 0, rather than missing.
    pub(super) zero: bool,
}

impl DoubtfulFormula {
    pub(super) fn message(&self) -> String {
        let DoubtfulFormula { cell, formula, .. } = self;
        if self.zero {
            format!(
                "{cell}: formula ={formula} has the saved result 0, which is also what \
                 programs that write formulas without calculating them save; type the \
                 value instead of the formula (0 if it is 0)"
            )
        } else {
            format!(
                "{cell}: formula ={formula} has no saved result; open and save the file in \
                 a spreadsheet program"
            )
        }
    }
}

/// One row of a file before header handling: its spreadsheet row number and
/// its non-empty cells by zero-based column, in column order; in a workbook
/// also the formulas of the row whose results cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Record {
    pub(super) row: u32,
    pub(super) cells: Cells<(u32, Cell)>,
    pub(super) doubtful: Vec<DoubtfulFormula>,
}

/// A record, or why the file cannot be read from there on.
pub(super) type RecordResult = Result<Record, Unreadable>;

/// Spreadsheet column letters for a zero-based index: 0 → A, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The column a header names at a zero-based column index.
fn column_at(columns: &[(u32, Column)], index: u32) -> Option<Column> {
    columns
        .iter()
        .find(|(at, _)| *at == index)
        .map(|(_, column)| *column)
}

/// Finds the header (the first row with any content), maps its cells to
/// columns, and turns the rows below it into `RawRow`s, one at a time; returns
/// the header's row, if there is one. A file that turns out to be unreadable
/// part-way keeps no rows and only that problem.
fn rows_from_records(
    name: &str,
    records: impl Iterator<Item = RecordResult>,
    file: &mut SourceFile,
) -> Option<u32> {
    let mut columns: Option<Vec<(u32, Column)>> = None;
    let mut header_row = FILE_ROW;
    for record in records {
        let Record {
            row,
            cells,
            doubtful,
        } = match record {
            Ok(record) => record,
            Err(unreadable) => {
                file.rows = Vec::new();
                file.problems = ProblemList::default();
                file.problems.push(
                    0,
                    Problem {
                        row: unreadable.row,
                        ..file_problem(name, unreadable.message)
                    },
                );
                return None;
            }
        };
        for formula in doubtful {
            // Above and in the header every cell counts; below it, the cells
            // of the columns import reads.
            let column = columns
                .as_deref()
                .map(|columns| column_at(columns, formula.column));
            let counts = match column {
                None => true,
                Some(named) => named.is_some_and(|c| c != Column::PreviousValue),
            };
            if counts {
                file.problems.push(
                    0,
                    Problem {
                        row,
                        field: column.flatten(),
                        ..file_problem(name, formula.message())
                    },
                );
            }
        }
        if cells.is_empty() {
            continue;
        }
        let Some(columns) = &columns else {
            header_row = row;
            match header_columns(&cells) {
                Ok(found) => columns = Some(found),
                Err(messages) => {
                    for message in messages {
                        file.problems.push(
                            0,
                            Problem {
                                row,
                                ..file_problem(name, message)
                            },
                        );
                    }
                    return Some(header_row);
                }
            }
            continue;
        };
        let mut raw = RawRow {
            row,
            cells: Cells::new(),
        };
        for (index, cell) in cells {
            match column_at(columns, index) {
                Some(column) => raw.cells.push((column, cell)),
                None => file.problems.push(
                    0,
                    Problem {
                        row,
                        ..file_problem(
                            name,
                            format!(
                                "column {} has a value but no header; values belong in the \
                                 named columns",
                                column_letter(index as usize)
                            ),
                        )
                    },
                ),
            }
        }
        file.rows.push(raw);
    }
    let message = match columns {
        None => "the file is empty: expected a header row and data rows",
        Some(_) if file.rows.is_empty() => "the file has a header but no data rows",
        Some(_) => return Some(header_row),
    };
    file.problems.push(
        0,
        Problem {
            row: header_row,
            ..file_problem(name, message.to_string())
        },
    );
    columns.map(|_| header_row)
}

/// The column of each named header cell, by zero-based column index, or every problem.
fn header_columns(header: &[(u32, Cell)]) -> Result<Vec<(u32, Column)>, Vec<String>> {
    let mut problems = Vec::new();
    let mut columns: Vec<(u32, Column)> = Vec::with_capacity(header.len());
    for (index, cell) in header {
        let text = cell.as_text();
        let letter = column_letter(*index as usize);
        match Column::from_header(&text) {
            Some(column) if columns.iter().any(|(_, c)| *c == column) => {
                problems.push(format!(
                    "header: column {letter} repeats {}",
                    column.describe()
                ));
            }
            Some(column) => columns.push((*index, column)),
            None => {
                let hint = if text.contains([';', '\t']) {
                    "; the file seems to use `;` or tabs between cells, save it as comma-separated CSV"
                } else {
                    ""
                };
                problems.push(format!(
                    "header: column {letter} is `{text}`, not a known column{hint}"
                ));
            }
        }
    }
    let missing: Vec<String> = Column::ALL
        .into_iter()
        .filter(|c| c.required() && !columns.iter().any(|(_, found)| found == c))
        .map(Column::describe)
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "header: missing column(s) {}; the header row must name the columns, e.g. {}",
            missing.join(", "),
            Column::ALL.map(Column::label).join(",")
        ));
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn headers_report_every_problem() {
        let header: Vec<(u32, Cell)> = ["指标代码", "数值", "指标代码"]
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u32, Cell::Text((*t).into())))
            .collect();
        let problems = header_columns(&header).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("`数值`"));
        assert!(problems[1].contains("repeats"));
        assert!(problems[2].contains("年份 (year)") && problems[2].contains("本年数值 (value)"));
    }
}
