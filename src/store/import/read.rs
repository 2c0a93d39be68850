//! Reading import files into rows of cells, before anything is checked against
//! the catalog: CSV in UTF-8 (with or without a byte-order mark) or GB18030, the
//! encoding Chinese Excel and WPS write by default; and XLSX workbooks (first
//! sheet). Every problem found is collected with its file and row; nothing here
//! stops at the first one.

use super::columns::Column;
use super::number::round_spreadsheet;
use super::{Problem, ProblemList, Severity};
use crate::store::catalog::hex;
use calamine::{Data, Reader, Xlsx};
use compact_str::CompactString;
use sha2::{Digest, Sha256};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::io::Cursor;
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
    /// Something that is neither text nor a number (a date, TRUE, #DIV/0!), described.
    Other(String),
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
        "csv" if bytes.starts_with(b"PK\x03\x04") => {
            "this is a spreadsheet workbook (XLSX), not CSV text; name it .xlsx".to_string()
        }
        "csv" => match decode_text(&bytes) {
            Ok((text, encoding)) => {
                file.format = encoding.name();
                rows_from_records(&name, csv_records(&text), &mut file);
                return file;
            }
            Err(message) => message,
        },
        "xlsx" | "xlsm" => {
            file.format = "XLSX";
            match xlsx_table(bytes) {
                Ok(table) => {
                    rows_from_records(&name, table.into_iter().map(Ok), &mut file);
                    return file;
                }
                Err(message) => message,
            }
        }
        "xls" | "et" | "ods" => {
            format!(
                "`.{extension}` workbooks are not read; save the sheet as .xlsx or as CSV (UTF-8)"
            )
        }
        _ => "unknown file type: import reads .csv and .xlsx files".to_string(),
    };
    file.problems.push(0, file_problem(&name, unreadable));
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

/// The text encodings import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GB18030 (a superset of GBK/GB2312), which Chinese Excel writes for "CSV".
    Gb18030,
}

impl TextEncoding {
    /// The encoding's usual name.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
        }
    }
}

/// Decodes CSV bytes: a UTF-8 byte-order mark means UTF-8; otherwise valid
/// UTF-8 is taken as UTF-8 (GB18030 text is almost never valid UTF-8, so the
/// guess is safe); anything else must decode as GB18030 without errors.
pub fn decode_text(bytes: &[u8]) -> Result<(Cow<'_, str>, TextEncoding), String> {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return std::str::from_utf8(rest)
            .map(|text| (Cow::Borrowed(text), TextEncoding::Utf8))
            .map_err(|e| {
                format!(
                    "the file starts with a UTF-8 byte-order mark but is not valid UTF-8 (byte {})",
                    e.valid_up_to() + 3
                )
            });
    }
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(
            "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" instead"
                .to_string(),
        );
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), TextEncoding::Utf8));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| (text, TextEncoding::Gb18030))
        .ok_or_else(|| {
            "the file is neither UTF-8 nor GB18030 text; save it as \"CSV UTF-8\"".to_string()
        })
}

/// A row of cells with its spreadsheet row number, before header handling, or
/// why the file cannot be read.
type Record = Result<(u32, Cells<Cell>), String>;

/// Splits CSV text into rows as they are read; rows may have different lengths
/// (Excel drops trailing empty cells), and the row number is the line the
/// record starts on.
fn csv_records(text: &str) -> impl Iterator<Item = Record> + '_ {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // One record, refilled for every row.
    let mut record = csv::StringRecord::new();
    // The line a record starts on, counted from its byte offset: the reader's own
    // line count lags by one after a CRLF (Excel's line ending), whose `\n` it
    // counts only when the next record begins.
    let (mut counted_to, mut line) = (0, 1);
    std::iter::from_fn(move || {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => return Some(Err(format!("cannot be read as CSV: {e}"))),
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let through = (start + 1).min(text.len());
        line += text.as_bytes()[counted_to.min(through)..through]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = counted_to.max(through);
        let cells = record
            .iter()
            .map(|cell| Cell::Text(cell.trim_matches(is_blank).into()))
            .collect();
        Some(Ok((line as u32, cells)))
    })
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn xlsx_table(bytes: Vec<u8>) -> Result<Vec<(u32, Cells<Cell>)>, String> {
    let corrupt = |e: &dyn std::fmt::Display| {
        format!(
            "cannot be read as an XLSX workbook (is it truncated or damaged? save it again): {e}"
        )
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err("the workbook has no sheet".to_string());
    };
    let range = book.worksheet_range(&sheet).map_err(|e| corrupt(&e))?;
    let styles = book.worksheet_style(&sheet).map_err(|e| corrupt(&e))?;
    let Some((first_row, first_column)) = range.start() else {
        return Ok(Vec::new());
    };
    let mut table = Vec::with_capacity(range.height());
    for (offset, cells) in range.rows().enumerate() {
        let row = first_row + offset as u32;
        // Columns left of the used range are empty; keep positions absolute.
        let mut line: Cells<Cell> =
            std::iter::repeat_n(Cell::Text(CompactString::default()), first_column as usize)
                .collect();
        for (column, data) in cells.iter().enumerate() {
            let position = (row, first_column + column as u32);
            let percent = styles
                .get(position)
                .and_then(|style| style.number_format.as_ref())
                .is_some_and(|format| is_percent_format(&format.format_code));
            line.push(xlsx_cell(data, percent));
        }
        table.push((row + 1, line));
    }
    Ok(table)
}

fn xlsx_cell(data: &Data, percent: bool) -> Cell {
    let number = |value: f64| {
        if percent {
            Cell::Percent(round_spreadsheet(value * 100.0))
        } else {
            Cell::Number(round_spreadsheet(value))
        }
    };
    match data {
        Data::Empty => Cell::Text(CompactString::default()),
        Data::String(text) => Cell::Text(text.trim_matches(is_blank).into()),
        Data::Float(value) => number(*value),
        Data::Int(value) => number(*value as f64),
        Data::Bool(value) => Cell::Other(if *value { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(_) | Data::DateTimeIso(_) => Cell::Other("a date".to_string()),
        Data::DurationIso(_) => Cell::Other("a duration".to_string()),
        Data::Error(error) => Cell::Other(format!("the spreadsheet error {error}")),
    }
}

/// True when a number format shows the value as a percentage: a `%` outside
/// quoted text and backslash escapes (`0.0%`, not `0.0"%"`).
fn is_percent_format(code: &str) -> bool {
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

fn is_empty(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(text) if text.is_empty())
}

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

/// Finds the header (the first row with any content), maps its cells to
/// columns, and turns the rows below it into `RawRow`s, one at a time. A file
/// that turns out to be unreadable part-way keeps no rows and only that problem.
fn rows_from_records(name: &str, records: impl Iterator<Item = Record>, file: &mut SourceFile) {
    let mut columns: Option<Vec<Option<Column>>> = None;
    let mut header_row = FILE_ROW;
    for record in records {
        let (row, cells) = match record {
            Ok(record) => record,
            Err(message) => {
                file.rows = Vec::new();
                file.problems = ProblemList::default();
                file.problems.push(0, file_problem(name, message));
                return;
            }
        };
        if cells.iter().all(is_empty) {
            continue;
        }
        let Some(columns) = &columns else {
            header_row = row;
            match header_columns(&cells) {
                Ok(found) => columns = Some(found),
                Err(messages) => {
                    for message in messages {
                        let problem = Problem {
                            row,
                            ..file_problem(name, message)
                        };
                        file.problems.push(0, problem);
                    }
                    return;
                }
            }
            continue;
        };
        let mut raw = RawRow {
            row,
            cells: Cells::new(),
        };
        for (index, cell) in cells.into_iter().enumerate() {
            if is_empty(&cell) {
                continue;
            }
            match columns.get(index).copied().flatten() {
                Some(column) => raw.cells.push((column, cell)),
                None => file.problems.push(
                    0,
                    Problem {
                        row,
                        message: format!(
                        "column {} has a value but no header; values belong in the named columns",
                        column_letter(index)
                    ),
                        ..file_problem(name, String::new())
                    },
                ),
            }
        }
        file.rows.push(raw);
    }
    let message = match columns {
        None => "the file is empty: expected a header row and data rows",
        Some(_) if file.rows.is_empty() => "the file has a header but no data rows",
        Some(_) => return,
    };
    file.problems.push(
        0,
        Problem {
            row: header_row,
            ..file_problem(name, message.to_string())
        },
    );
}

/// The column of each header cell (`None` for empty header cells), or every problem.
fn header_columns(header: &[Cell]) -> Result<Vec<Option<Column>>, Vec<String>> {
    let mut problems = Vec::new();
    let mut columns: Vec<Option<Column>> = Vec::with_capacity(header.len());
    for (index, cell) in header.iter().enumerate() {
        let text = cell.as_text();
        if text.is_empty() {
            columns.push(None);
            continue;
        }
        match Column::from_header(&text) {
            Some(column) if columns.contains(&Some(column)) => {
                problems.push(format!(
                    "header: column {} repeats {}",
                    column_letter(index),
                    column.describe()
                ));
                columns.push(None);
            }
            Some(column) => columns.push(Some(column)),
            None => {
                let hint = if text.contains([';', '\t']) {
                    "; the file seems to use `;` or tabs between cells, save it as comma-separated CSV"
                } else {
                    ""
                };
                problems.push(format!(
                    "header: column {} is `{text}`, not a known column{hint}",
                    column_letter(index)
                ));
                columns.push(None);
            }
        }
    }
    let missing: Vec<String> = Column::ALL
        .into_iter()
        .filter(|c| c.required() && !columns.contains(&Some(*c)))
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
    fn a_bom_means_utf8() {
        let (text, encoding) = decode_text("\u{feff}指标代码".as_bytes()).unwrap();
        assert_eq!(encoding, TextEncoding::Utf8);
        assert_eq!(text, "指标代码");
    }

    #[test]
    fn valid_utf8_without_bom_is_utf8() {
        let (text, encoding) = decode_text("年份,2024".as_bytes()).unwrap();
        assert_eq!((text.as_ref(), encoding), ("年份,2024", TextEncoding::Utf8));
    }

    #[test]
    fn other_bytes_are_read_as_gb18030() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("指标代码,本年数值\n研发,3.4");
        let (text, encoding) = decode_text(&bytes).unwrap();
        assert_eq!(encoding, TextEncoding::Gb18030);
        assert_eq!(text, "指标代码,本年数值\n研发,3.4");
    }

    #[test]
    fn undecodable_and_utf16_files_are_refused() {
        assert!(decode_text(b"\xff\xfe\x41\x00").is_err());
        assert!(decode_text(b"code\x80\xff").is_err());
        assert!(decode_text(b"\xef\xbb\xbfcode\xff").is_err());
    }

    #[test]
    fn percent_formats_are_recognised() {
        assert!(is_percent_format("0.00%"));
        assert!(is_percent_format("0%;[Red]-0%"));
        assert!(!is_percent_format("0.0\"%\""));
        assert!(!is_percent_format("0.0\\%"));
        assert!(!is_percent_format("General"));
    }

    #[test]
    fn csv_rows_are_numbered_by_their_first_line() {
        for text in ["h\nr2\n\"x\ny\"\nr5\n", "h\r\nr2\r\n\"x\r\ny\"\r\nr5\r\n"] {
            let rows: Vec<u32> = csv_records(text).map(|r| r.unwrap().0).collect();
            assert_eq!(rows, [1, 2, 3, 5], "{text:?}");
        }
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn headers_report_every_problem() {
        let header: Vec<Cell> = ["指标代码", "数值", "指标代码"]
            .iter()
            .map(|t| Cell::Text((*t).into()))
            .collect();
        let problems = header_columns(&header).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("`数值`"));
        assert!(problems[1].contains("repeats"));
        assert!(problems[2].contains("年份 (year)") && problems[2].contains("本年数值 (value)"));
    }
}
