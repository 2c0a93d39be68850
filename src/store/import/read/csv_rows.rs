//! CSV text split into records, each numbered by the line it starts on, with
//! a quote never closed ending the file with an error at its row.

use super::*;

/// Splits CSV text into rows as they are read; rows may have different lengths
/// (Excel drops trailing empty cells), and the row number is the line the
/// record starts on. A quote that is never closed would make the rest of the
/// file one cell of the last record, the rows in it silently lost: that ends
/// the file with an error instead.
pub(super) fn csv_records(text: &str) -> impl Iterator<Item = RecordResult> + '_ {
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
pub(super) fn ends_inside_quotes(text: &[u8]) -> bool {
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

pub(super) fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
