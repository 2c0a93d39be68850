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

use super::columns::Column;
use super::form::FORM_SHEET;
use super::number::round_spreadsheet;
use super::{Problem, ProblemList, Severity};
use crate::store::catalog::hex;
use calamine::{DataRef, Dimensions, Reader, SheetType, SheetVisible, Xlsx, XlsxCellReader};
use compact_str::CompactString;
use rustc_hash::FxHashSet;
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

/// Decodes CSV bytes, which must be in one encoding throughout: a UTF-8
/// byte-order mark means UTF-8; otherwise valid UTF-8 is taken as UTF-8
/// (GB18030 text is almost never valid UTF-8, so the guess is safe); anything
/// else must decode as GB18030 without errors and hold no UTF-8 text. A file
/// pasted together from a UTF-8 and a GB18030 file decodes as GB18030 without
/// an error, its UTF-8 part as nonsense (统计年报 → 缁熻骞存姤): it is refused
/// at the first row that disagrees with the rows before it, not guessed at.
pub fn decode_text(bytes: &[u8]) -> Result<(Cow<'_, str>, TextEncoding), Unreadable> {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return std::str::from_utf8(rest)
            .map(|text| (Cow::Borrowed(text), TextEncoding::Utf8))
            .map_err(|e| {
                let at = e.valid_up_to() + 3;
                at_byte(
                    bytes,
                    at,
                    format!(
                        "byte {at} is not UTF-8, but the file starts with a UTF-8 byte-order \
                         mark; it mixes encodings: save it again as \"CSV UTF-8\""
                    ),
                )
            });
    }
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(Unreadable::of_file(
            "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" instead"
                .to_string(),
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), TextEncoding::Utf8));
    }
    if let Some(mixed) = mixed_encodings(bytes) {
        return Err(mixed);
    }
    if let Some(text) =
        encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Ok((text, TextEncoding::Gb18030));
    }
    let at = first_undecodable_gb18030(bytes);
    Err(at_byte(
        bytes,
        at,
        format!("byte {at} is neither UTF-8 nor GB18030 text; save the file as \"CSV UTF-8\""),
    ))
}

/// An unreadable file, found at a byte: the row is the line the byte is on.
fn at_byte(bytes: &[u8], at: usize, message: String) -> Unreadable {
    let row = bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    Unreadable {
        row: u32::try_from(row).unwrap_or(u32::MAX),
        message,
    }
}

/// What a line's non-ASCII bytes say about the file's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// Not UTF-8 (from the byte given on).
    NotUtf8,
    /// UTF-8 with a character of three bytes or more (all Chinese characters):
    /// GB18030 text of that shape is valid UTF-8 almost never.
    Utf8,
}

/// Where the lines of a file that is not valid UTF-8 disagree about its
/// encoding: a line that is UTF-8 text after one that is not, or the reverse.
/// Lines of ASCII, and UTF-8 lines of two-byte characters only (which GB18030
/// text can form by chance), say nothing.
fn mixed_encodings(bytes: &[u8]) -> Option<Unreadable> {
    let mut first: Option<(Evidence, usize)> = None;
    let mut offset = 0;
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let row = index + 1;
        if let Some((evidence, at)) = line_evidence(line) {
            match first {
                None => first = Some((evidence, row)),
                Some((seen, seen_row)) if seen != evidence => {
                    let at = offset + at;
                    let message = match evidence {
                        Evidence::NotUtf8 => format!(
                            "byte {at} is not UTF-8, but row {seen_row} is UTF-8 text: the file \
                             mixes encodings (rows pasted from files saved differently?); \
                             save the whole file again as \"CSV UTF-8\""
                        ),
                        Evidence::Utf8 => format!(
                            "byte {at} starts UTF-8 text, but row {seen_row} is not UTF-8 \
                             (GB18030?): the file mixes encodings (rows pasted from files \
                             saved differently?); save the whole file again as \"CSV UTF-8\""
                        ),
                    };
                    return Some(Unreadable {
                        row: u32::try_from(row).unwrap_or(u32::MAX),
                        message,
                    });
                }
                Some(_) => {}
            }
        }
        offset += line.len() + 1;
    }
    None
}

/// What a line says about the encoding, and the byte in it that says so.
fn line_evidence(line: &[u8]) -> Option<(Evidence, usize)> {
    let start = line.iter().position(|b| !b.is_ascii())?;
    match std::str::from_utf8(&line[start..]) {
        Err(e) => Some((Evidence::NotUtf8, start + e.valid_up_to())),
        Ok(_) => line[start..]
            .iter()
            .any(|&b| b >= 0xe0)
            .then_some((Evidence::Utf8, start)),
    }
}

/// The offset of the first byte GB18030 cannot decode, in bytes that have one.
fn first_undecodable_gb18030(bytes: &[u8]) -> usize {
    use encoding_rs::DecoderResult;
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut scratch = String::with_capacity(64 * 1024);
    let mut read = 0;
    loop {
        scratch.clear();
        let (result, consumed) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut scratch, true);
        read += consumed;
        match result {
            DecoderResult::OutputFull => {}
            DecoderResult::InputEmpty => return bytes.len(),
            DecoderResult::Malformed(bad, after) => {
                return read - usize::from(bad) - usize::from(after)
            }
        }
    }
}

/// A formula whose saved result cannot be taken for the value it computes.
#[derive(Debug, Clone, PartialEq)]
struct DoubtfulFormula {
    /// The zero-based column of the cell.
    column: u32,
    /// `填报表!G7`.
    cell: String,
    formula: String,
    /// The saved result is 0, rather than missing.
    zero: bool,
}

impl DoubtfulFormula {
    fn message(&self) -> String {
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
struct Record {
    row: u32,
    cells: Cells<(u32, Cell)>,
    doubtful: Vec<DoubtfulFormula>,
}

/// A record, or why the file cannot be read from there on.
type RecordResult = Result<Record, Unreadable>;

/// Splits CSV text into rows as they are read; rows may have different lengths
/// (Excel drops trailing empty cells), and the row number is the line the
/// record starts on. A quote that is never closed would make the rest of the
/// file one cell of the last record, the rows in it silently lost: that ends
/// the file with an error instead.
fn csv_records(text: &str) -> impl Iterator<Item = RecordResult> + '_ {
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
    let (mut last_start, mut last_line, mut ended) = (0, 1, false);
    std::iter::from_fn(move || {
        if ended {
            return None;
        }
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => {
                ended = true;
                return ends_inside_quotes(&text.as_bytes()[last_start..]).then(|| {
                    Err(Unreadable {
                        row: last_line as u32,
                        message: "a quote (\") opens a cell in this row and is never closed, \
                                  so every line after it would be read into that cell; close \
                                  the quote (a quote inside a cell is written twice: \"\")"
                            .to_string(),
                    })
                });
            }
            Err(e) => {
                ended = true;
                return Some(Err(Unreadable::of_file(format!(
                    "cannot be read as CSV: {e}"
                ))));
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let through = (start + 1).min(text.len());
        line += text.as_bytes()[counted_to.min(through)..through]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = counted_to.max(through);
        (last_start, last_line) = (start, line);
        let cells = record
            .iter()
            .enumerate()
            .filter_map(|(column, cell)| {
                let text = cell.trim_matches(is_blank);
                (!text.is_empty()).then(|| (column as u32, Cell::Text(text.into())))
            })
            .collect();
        Some(Ok(Record {
            row: line as u32,
            cells,
            doubtful: Vec::new(),
        }))
    })
}

/// True when CSV text (the last record of a file, to its end) ends inside a
/// quoted cell, read as the csv crate reads it: a quote opens a quoted cell
/// only as a cell's first character, `""` inside one is a quote, and after
/// the closing quote the cell goes on unquoted.
fn ends_inside_quotes(text: &[u8]) -> bool {
    let (mut quoted, mut at_cell_start) = (false, true);
    let mut bytes = text.iter().peekable();
    while let Some(&b) = bytes.next() {
        if quoted {
            if b == b'"' && bytes.next_if_eq(&&b'"').is_none() {
                quoted = false;
            }
        } else if at_cell_start && b == b'"' {
            (quoted, at_cell_start) = (true, false);
        } else {
            at_cell_start = matches!(b, b',' | b'\n' | b'\r');
        }
    }
    quoted
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn corrupt(e: &dyn std::fmt::Display) -> String {
    format!("cannot be read as an XLSX workbook (is it truncated or damaged? save it again): {e}")
}

/// Reads the rows of a workbook's sheet into `file`, or says why it cannot.
fn read_workbook(name: &str, bytes: Vec<u8>, file: &mut SourceFile) -> Result<(), String> {
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
fn sheet_to_read(sheets: &[calamine::Sheet]) -> Result<String, String> {
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
fn percent_cells<RS: std::io::Read + std::io::Seek>(
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
fn xlsx_records<'a, 'book, RS: std::io::Read + std::io::Seek>(
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
fn xlsx_cell(data: &DataRef<'_>, percent: bool) -> Option<Cell> {
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
fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_letter(column as usize), row + 1)
}

fn merge_message(sheet: &str, range: &Dimensions) -> String {
    let first = cell_name(range.start.0, range.start.1);
    format!(
        "{sheet}!{first}:{}: merged cells; only {first} holds a value and the other cells \
         would be read as empty; unmerge the cells and fill in each one",
        cell_name(range.end.0, range.end.1)
    )
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
            let rows: Vec<u32> = csv_records(text).map(|r| r.unwrap().row).collect();
            assert_eq!(rows, [1, 2, 3, 5], "{text:?}");
        }
    }

    #[test]
    fn a_quote_never_closed_ends_the_file_with_an_error_at_its_row() {
        let records: Vec<RecordResult> = csv_records("h\nr2,\"x\nr3\nr4\n").collect();
        assert_eq!(records.len(), 3, "{records:?}");
        let error = records[2].as_ref().unwrap_err();
        assert_eq!(error.row, 2);
        assert!(error.message.contains("never closed"), "{error:?}");
    }

    #[test]
    fn closed_quotes_are_recognised_as_the_csv_reader_reads_them() {
        assert!(!ends_inside_quotes(b"a,\"b\"\"c\",d\n"));
        assert!(
            !ends_inside_quotes(b"a,b\"c,d\n"),
            "a quote inside a cell is text"
        );
        assert!(
            !ends_inside_quotes(b"\"a\"b\"c\n"),
            "after the closing quote, text"
        );
        assert!(ends_inside_quotes(b"a,\"b\"\"c,d\n"));
        assert!(ends_inside_quotes(b"a\r\n\"b"));
    }

    #[test]
    fn a_file_mixing_utf8_and_gb18030_is_refused_at_the_first_disagreeing_row() {
        let (gb, _, _) = encoding_rs::GB18030.encode("研发经费,统计年报");
        let mut bytes = "code,source\nrd,统计年报\nrd2,".as_bytes().to_vec();
        let offset = bytes.len();
        bytes.extend_from_slice(&gb);
        let error = decode_text(&bytes).unwrap_err();
        assert_eq!(error.row, 3, "{error:?}");
        assert!(
            error.message.contains(&format!("byte {offset} ")),
            "{error:?}"
        );
        assert!(error.message.contains("row 2 is UTF-8"), "{error:?}");

        let mut bytes = b"code,source\nrd,".to_vec();
        bytes.extend_from_slice(&gb);
        bytes.extend_from_slice("\nrd2,统计年报\n".as_bytes());
        let error = decode_text(&bytes).unwrap_err();
        assert_eq!(error.row, 3, "{error:?}");
        assert!(error.message.contains("row 2 is not UTF-8"), "{error:?}");
    }

    #[test]
    fn a_bom_file_with_other_bytes_names_the_row_of_the_first() {
        let error = decode_text(b"\xef\xbb\xbfcode\nrd\n\xff").unwrap_err();
        assert_eq!(error.row, 3);
        assert!(error.message.contains("byte 11 "), "{error:?}");
    }

    #[test]
    fn an_undecodable_byte_is_named() {
        let error = decode_text(b"code\nrd,\xff\n").unwrap_err();
        assert_eq!((error.row, error.message.contains("byte 8 ")), (2, true));
        // Past the first buffer the search decodes into.
        let mut bytes = encoding_rs::GB18030
            .encode(&"研发\n".repeat(50_000))
            .0
            .into_owned();
        let at = bytes.len();
        bytes.extend_from_slice(b"\xff");
        let error = decode_text(&bytes).unwrap_err();
        assert_eq!(error.row, 50_001);
        assert!(error.message.contains(&format!("byte {at} ")), "{error:?}");
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
