//! Hostile import files, through the real binary: each must be refused with
//! its file, row (or cell) and cause and leave the database as it was, or be
//! read the way a department user would expect, within memory that follows
//! the cells the file holds. The workbooks are written here part by part, as
//! a spreadsheet program (or a careless script) would store them.

mod common;

use common::{planeval_db, stderr};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A database with the Tiexi plan and no values, in a temporary directory.
struct Db {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn init() -> Db {
        let (dir, path) = common::init_dir();
        Db { dir, path }
    }

    /// A file in the database's directory.
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn import(&self, file: &Path) -> Output {
        planeval_db(
            &self.path,
            &["import", file.to_str().unwrap(), "--department", "sci"],
        )
    }

    /// The database file's bytes; every run checkpoints its WAL on exit.
    fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }

    fn value(&self, code: &str, year: i32) -> Option<f64> {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        conn.query_row(
            "SELECT o.value FROM observation o JOIN indicator i ON i.id = o.indicator_id
             WHERE i.code = ?1 AND o.year = ?2",
            rusqlite::params![code, year],
            |r| r.get(0),
        )
        .ok()
    }

    /// Imports `file`, which must be refused with a line naming `located`
    /// (`file:row: `) and containing `words`, leaving the database unchanged.
    fn refused(&self, file: &Path, row: u32, words: &str) -> String {
        let before = self.bytes();
        let run = self.import(file);
        let text = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "accepted:\n{text}");
        let located = format!("{}:{row}: ", file.display());
        assert!(
            text.lines()
                .any(|l| l.starts_with(&located) && l.contains(words)),
            "expected a line starting `{located}` with `{words}`:\n{text}"
        );
        assert!(text.contains("nothing was written"), "{text}");
        assert_eq!(self.bytes(), before, "the database changed");
        text
    }
}

#[test]
fn a_quote_never_closed_is_an_error_at_its_row_not_the_end_of_the_file() {
    let db = Db::init();
    let csv = db.file(
        "unclosed.csv",
        "code,year,value,note\n\
         rd_intensity,2023,3.4,\"含新认定\n\
         incubated_enterprises,2023,1120,\n\
         high_tech_enterprises,2023,612,\n"
            .as_bytes(),
    );
    db.refused(&csv, 2, "never closed");
}

#[test]
fn a_file_mixing_utf8_and_gb18030_is_refused_at_the_first_row_that_differs() {
    let db = Db::init();
    let mut bytes = "code,year,value,source\nrd_intensity,2023,3.4,统计年报\n"
        .as_bytes()
        .to_vec();
    let (gb, _, _) = encoding_rs::GB18030.encode("incubated_enterprises,2023,1120,统计年报\n");
    bytes.extend_from_slice(&gb);
    let csv = db.file("mixed.csv", &bytes);
    db.refused(&csv, 3, "row 2 is UTF-8");
}

#[test]
fn a_gb18030_file_with_a_utf8_row_is_refused_too() {
    let db = Db::init();
    let mut bytes = encoding_rs::GB18030
        .encode("指标代码,年份,本年数值,数据来源\nrd_intensity,2023,3.4,统计年报\n")
        .0
        .into_owned();
    bytes.extend_from_slice("incubated_enterprises,2023,1120,部门台账\n".as_bytes());
    let csv = db.file("mixed-gb.csv", &bytes);
    db.refused(&csv, 3, "row 1 is not UTF-8");
}

/// A cell of a hand-written sheet.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    /// A formula and its saved result, if it has one.
    Formula(&'a str, Option<f64>),
}

/// `<row>` XML for a 1-based row and its cells by column letter.
fn row(number: u32, cells: &[(&str, Cell)]) -> String {
    let mut xml = format!("<row r=\"{number}\">");
    for (column, cell) in cells {
        let at = format!("{column}{number}");
        xml.push_str(&match cell {
            Cell::Text(text) => {
                format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
            }
            Cell::Number(value) => format!("<c r=\"{at}\"><v>{value}</v></c>"),
            Cell::Formula(formula, None) => format!("<c r=\"{at}\"><f>{formula}</f></c>"),
            Cell::Formula(formula, Some(value)) => {
                format!("<c r=\"{at}\"><f>{formula}</f><v>{value}</v></c>")
            }
        });
    }
    xml.push_str("</row>");
    xml
}

/// The header of a minimal import sheet, as row 1.
fn header() -> String {
    row(
        1,
        &[
            ("A", Cell::Text("code")),
            ("B", Cell::Text("year")),
            ("C", Cell::Text("value")),
        ],
    )
}

/// A data row of a minimal sheet: code, year and a value cell.
fn data(number: u32, code: &str, year: f64, value: Cell) -> String {
    row(
        number,
        &[
            ("A", Cell::Text(code)),
            ("B", Cell::Number(year)),
            ("C", value),
        ],
    )
}

/// A worksheet part: its dimension, rows, and what follows the sheet data.
fn sheet_xml(dimension: &str, rows: &[String], after: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <dimension ref=\"{dimension}\"/><sheetData>{}</sheetData>{after}</worksheet>",
        rows.concat()
    )
}

/// An XLSX package of `sheets` (name, `state` attribute or "", worksheet XML).
fn workbook(sheets: &[(&str, &str, String)]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut types = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    );
    let (mut entries, mut links) = (String::new(), String::new());
    for (index, (name, state, _)) in sheets.iter().enumerate() {
        let n = index + 1;
        types.push_str(&format!(
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        ));
        let state = if state.is_empty() {
            String::new()
        } else {
            format!(" state=\"{state}\"")
        };
        entries.push_str(&format!(
            "<sheet name=\"{name}\" sheetId=\"{n}\"{state} r:id=\"rId{n}\"/>"
        ));
        links.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"{DOC}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        ));
    }
    types.push_str("</Types>");
    let mut parts = vec![
        ("[Content_Types].xml".to_string(), types),
        (
            "_rels/.rels".to_string(),
            format!(
                "<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" \
                 Type=\"{DOC}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(
                "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC}\"><sheets>{entries}</sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!("<Relationships xmlns=\"{RELS}\">{links}</Relationships>"),
        ),
    ];
    for (index, (_, _, xml)) in sheets.iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", index + 1), xml.clone()));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A workbook of one visible sheet, `Sheet1`, holding `rows` after the header.
fn one_sheet(rows: &[String], after: &str) -> Vec<u8> {
    let mut all = vec![header()];
    all.extend_from_slice(rows);
    workbook(&[("Sheet1", "", sheet_xml("A1:C9", &all, after))])
}

#[test]
fn the_visible_sheet_is_read_not_a_hidden_first_one() {
    let db = Db::init();
    let hidden = sheet_xml(
        "A1:C2",
        &[header(), data(2, "rd_intensity", 2023.0, Cell::Number(9.9))],
        "",
    );
    let visible = sheet_xml(
        "A1:C2",
        &[header(), data(2, "rd_intensity", 2023.0, Cell::Number(3.4))],
        "",
    );
    let xlsx = db.file(
        "hidden-first.xlsx",
        &workbook(&[("旧表", "hidden", hidden), ("Sheet2", "", visible)]),
    );
    let run = db.import(&xlsx);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(db.value("rd_intensity", 2023), Some(3.4));
}

#[test]
fn a_formula_without_a_saved_result_is_an_error_naming_the_cell() {
    let db = Db::init();
    let xlsx = db.file(
        "unsaved-formula.xlsx",
        &one_sheet(
            &[
                data(2, "rd_intensity", 2023.0, Cell::Number(3.3)),
                data(3, "rd_intensity", 2024.0, Cell::Formula("C2+0.1", None)),
            ],
            "",
        ),
    );
    db.refused(
        &xlsx,
        3,
        "Sheet1!C3: formula =C2+0.1 has no saved result; open and save the file",
    );
}

#[test]
fn a_formula_whose_saved_result_is_0_is_not_taken_for_0() {
    let db = Db::init();
    let xlsx = db.file(
        "zero-formula.xlsx",
        &one_sheet(
            &[data(
                2,
                "incubated_enterprises",
                2023.0,
                Cell::Formula("SUM(D2:D9)", Some(0.0)),
            )],
            "",
        ),
    );
    db.refused(
        &xlsx,
        2,
        "Sheet1!C2: formula =SUM(D2:D9) has the saved result 0",
    );
}

#[test]
fn a_formula_with_its_saved_result_imports_the_result() {
    let db = Db::init();
    let xlsx = db.file(
        "formula.xlsx",
        &one_sheet(
            &[data(
                2,
                "rd_intensity",
                2023.0,
                Cell::Formula("1.7*2", Some(3.4)),
            )],
            "",
        ),
    );
    let run = db.import(&xlsx);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(db.value("rd_intensity", 2023), Some(3.4));
}

#[test]
fn merged_value_cells_are_an_error_naming_the_range() {
    let db = Db::init();
    let xlsx = db.file(
        "merged.xlsx",
        &one_sheet(
            &[
                data(2, "rd_intensity", 2023.0, Cell::Number(3.4)),
                row(
                    3,
                    &[
                        ("A", Cell::Text("rd_intensity")),
                        ("B", Cell::Number(2024.0)),
                    ],
                ),
            ],
            "<mergeCells count=\"1\"><mergeCell ref=\"C2:C3\"/></mergeCells>",
        ),
    );
    db.refused(&xlsx, 2, "Sheet1!C2:C3: merged cells");
}

/// What an import run measured from outside: exit code (`None` when killed
/// by a signal, as by an allocation failure), standard error, peak resident
/// memory in MB and wall time.
struct Measured {
    code: Option<i32>,
    stderr: String,
    peak_mb: f64,
    seconds: f64,
}

/// Imports `file` and measures the child's own peak memory (wait4 reports it).
fn import_measured(db: &Db, file: &Path) -> Measured {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let started = std::time::Instant::now();
    // Reaped by wait4 below, which alone reports the child's own peak memory.
    #[allow(clippy::zombie_processes)]
    let mut child = common::command()
        .arg("--db")
        .arg(&db.path)
        .args(["import", file.to_str().unwrap(), "--department", "sci"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: the pid is this test's own child, not yet reaped; status and
    // usage point to writable memory of the right types.
    let reaped = unsafe {
        libc::wait4(
            child.id() as libc::pid_t,
            &mut status,
            0,
            usage.as_mut_ptr(),
        )
    };
    assert!(reaped > 0, "wait4 failed");
    // SAFETY: wait4 succeeded, so it filled the structure.
    let usage = unsafe { usage.assume_init() };
    Measured {
        code: std::process::ExitStatus::from_raw(status).code(),
        stderr,
        peak_mb: usage.ru_maxrss as f64 / 1024.0,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// More than a tiny import needs, far less than any range-sized allocation.
const SMALL_FILE_MB: f64 = 64.0;

#[test]
fn a_value_in_the_last_cell_of_the_sheet_costs_no_memory() {
    let db = Db::init();
    let rows = [
        header(),
        data(2, "rd_intensity", 2023.0, Cell::Number(3.4)),
        row(1_048_576, &[("XFD", Cell::Number(1.0))]),
    ];
    let xlsx = db.file(
        "last-cell.xlsx",
        &workbook(&[("Sheet1", "", sheet_xml("A1:XFD1048576", &rows, ""))]),
    );
    let before = db.bytes();
    let run = import_measured(&db, &xlsx);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let located = format!("{}:1048576: ", xlsx.display());
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with(&located) && l.contains("column XFD has a value but no header")),
        "{}",
        run.stderr
    );
    assert!(run.peak_mb < SMALL_FILE_MB, "{} MB", run.peak_mb);
    assert!(run.seconds < 10.0, "{} s", run.seconds);
    assert_eq!(db.bytes(), before);
}

#[test]
fn a_row_a_million_rows_down_costs_no_memory() {
    let db = Db::init();
    let rows = [
        header(),
        data(2, "rd_intensity", 2023.0, Cell::Number(3.4)),
        data(1_000_000, "rd_intensity", 2024.0, Cell::Number(3.5)),
    ];
    let xlsx = db.file(
        "row-a-million.xlsx",
        &workbook(&[("Sheet1", "", sheet_xml("A1:C1000000", &rows, ""))]),
    );
    let run = import_measured(&db, &xlsx);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.peak_mb < SMALL_FILE_MB, "{} MB", run.peak_mb);
    assert!(run.seconds < 10.0, "{} s", run.seconds);
    assert_eq!(db.value("rd_intensity", 2024), Some(3.5));
}

#[test]
fn a_file_of_duplicates_lists_the_first_problems_and_counts_the_rest() {
    let db = Db::init();
    let mut csv = String::from("code,year,value\n");
    for _ in 0..5_000 {
        csv.push_str("rd_intensity,2023,3.4\n");
    }
    let file = db.file("duplicates.csv", csv.as_bytes());
    let text = db.refused(&file, 3, "this row repeats");
    let listed = text
        .lines()
        .filter(|l| l.contains("this row repeats"))
        .count();
    assert_eq!(listed, 100, "{text}");
    assert!(text.contains("… 4899 more problem(s) not listed"), "{text}");
    assert!(text.contains("4999 error(s) in 1 file(s)"), "{text}");
}

#[test]
fn control_characters_of_cells_are_shown_escaped() {
    let db = Db::init();
    let csv = db.file(
        "escapes.csv",
        "code,year,value\n\
         \x1b[31mrd_intensity,2023,3.4\n\
         incubated_enterprises,2023,\x1b]0;pwned\x07\n\
         high_tech_enterprises,2023x\u{202e},612\n"
            .as_bytes(),
    );
    let text = db.refused(&csv, 2, "unknown indicator code `\\u{1b}[31mrd_intensity`");
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(!text.contains('\u{202e}'), "{text:?}");
    assert!(
        text.contains("`\\u{1b}]0;pwned\\u{7}` is not a number"),
        "{text}"
    );
    assert!(text.contains("`2023x\\u{202e}` is not a year"), "{text}");
}

/// What was stored comes back escaped too: `history` shows a reason with a
/// terminal escape as text, and so does an error naming a hostile file name.
#[test]
fn stored_text_and_file_names_are_shown_escaped() {
    let db = Db::init();
    let csv = db.file(
        "values.csv",
        "code,year,value\nrd_intensity,2023,3.4\n".as_bytes(),
    );
    common::ok(db.import(&csv));
    let revised = db.file(
        "revised.csv",
        "code,year,value\nrd_intensity,2023,3.5\n".as_bytes(),
    );
    let reason = "\x1b[2J统计年报";
    common::ok(planeval_db(
        &db.path,
        &[
            "import",
            revised.to_str().unwrap(),
            "--department",
            "sci",
            "--revise",
            "--reason",
            reason,
        ],
    ));
    let history = common::ok(planeval_db(&db.path, &["history", "rd_intensity"]));
    assert!(!history.contains('\x1b'), "{history:?}");
    assert!(history.contains("\\u{1b}[2J统计年报"), "{history}");

    let hostile = db.dir.path().join("\x1b[31mred.csv");
    let missing = db.import(&hostile);
    assert_eq!(missing.status.code(), Some(1));
    let message = stderr(&missing);
    assert!(!message.contains('\x1b'), "{message:?}");
    assert!(message.contains("\\u{1b}[31mred.csv"), "{message}");
}
