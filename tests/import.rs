//! The data-entry workflow driven through the real binary: `form` → fill in →
//! `import` (CSV in UTF-8 and GB18030, XLSX from a spreadsheet program),
//! every kind of broken file, revisions and their history, ownership,
//! `missing` and `export`. The files are in tests/data/import/ (see its README).

mod common;

use common::{account, command, demo_into, import_data as data};
use rusqlite::{Connection, OpenFlags};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The name every test run claims in `$USER`; planeval records the account it
/// runs as and keeps this beside it, so the history shows both.
const USER: &str = "wang.li";

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A temporary database built by `planeval init` or `planeval demo`.
struct Db {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    path: PathBuf,
}

impl Db {
    fn init() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.db");
        let db = Db {
            dir: dir.path().to_path_buf(),
            _dir: dir,
            path,
        };
        db.run(&["init"]).ok();
        db
    }

    fn demo() -> Db {
        let dir = tempfile::tempdir().unwrap();
        Db {
            dir: dir.path().to_path_buf(),
            path: demo_into(dir.path()),
            _dir: dir,
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = command()
            .arg("--db")
            .arg(&self.path)
            .args(args)
            .env("USER", USER)
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn import(&self, files: &[PathBuf], args: &[&str]) -> Run {
        let mut all: Vec<&str> = vec!["import"];
        all.extend(files.iter().map(|f| f.to_str().unwrap()));
        all.extend(args);
        self.run(&all)
    }

    /// The database file's bytes. Every planeval process closes its connection
    /// on exit, which checkpoints the WAL into the main file, so the main file
    /// alone is the whole database between runs.
    fn bytes(&self) -> Vec<u8> {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let wal_len = std::fs::metadata(PathBuf::from(wal)).map_or(0, |m| m.len());
        assert_eq!(wal_len, 0, "a write-ahead log was left behind");
        std::fs::read(&self.path).unwrap()
    }

    fn conn(&self) -> Connection {
        Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
    }

    /// (value, status, value_kind) of an indicator and year.
    fn value(&self, code: &str, year: i32) -> Option<(f64, String, String)> {
        self.conn()
            .query_row(
                "SELECT o.value, o.status, o.value_kind FROM observation o
                 JOIN indicator i ON i.id = o.indicator_id WHERE i.code = ?1 AND o.year = ?2",
                rusqlite::params![code, year],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok()
    }

    fn text(&self, sql: &str) -> String {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

#[test]
fn a_clean_csv_is_imported_and_importing_it_again_changes_nothing() {
    let db = Db::init();
    let run = db
        .import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    assert!(run.stderr.contains("5 new"), "{}", run.stderr);
    assert!(run.stderr.contains("1 left empty"), "{}", run.stderr);
    let preliminary = |v: f64| Some((v, "preliminary".to_string(), "level".to_string()));
    assert_eq!(db.value("rd_intensity", 2023), preliminary(3.35));
    assert_eq!(
        db.value("incubated_enterprises", 2023),
        preliminary(1120.0),
        "1,120"
    );
    assert_eq!(
        db.value("high_tech_enterprises", 2023),
        preliminary(612.0),
        "full width"
    );
    assert_eq!(
        db.value("annual_sci_policy_support", 2023),
        preliminary(4200.0),
        "unit"
    );
    assert_eq!(db.value("new_rd_institutions", 2023), None, "left empty");
    assert_eq!(
        db.text(
            "SELECT source || '|' || note || '|' || recorded_by || '|' || department
             FROM v_observation WHERE code = 'incubated_enterprises'"
        ),
        format!("科技局台账|含新认定|{}|sci", account())
    );

    let before = db.bytes();
    let again = db
        .import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    assert!(again.stderr.contains("nothing changed"), "{}", again.stderr);
    assert!(again.stderr.contains("5 unchanged"), "{}", again.stderr);
    assert_eq!(
        db.bytes(),
        before,
        "re-importing the same values wrote something"
    );
}

#[test]
fn a_dry_run_shows_new_changed_and_unchanged_values_and_writes_nothing() {
    let db = Db::init();
    db.import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    let before = db.bytes();
    let run = db
        .import(
            &[data("sci-2023-revised.csv"), data("sci-2024-jump.csv")],
            &["--department", "sci", "--dry-run"],
        )
        .ok();
    let line = |code: &str, year: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(code) && l.contains(year))
            .unwrap_or_else(|| panic!("no line for {code} {year}:\n{}", run.stdout))
            .to_string()
    };
    let changed = line("rd_intensity", "2023");
    assert!(changed.contains("3.35") && changed.contains("3.41") && changed.contains("changed"));
    assert!(line("mass_innovation_carriers", "2023").contains("unchanged"));
    assert!(line("mass_innovation_carriers", "2024").contains("new"));
    assert!(run.stderr.contains("dry run") && run.stderr.contains("nothing written"));
    assert_eq!(db.bytes(), before);
}

#[test]
fn a_gb18030_csv_from_chinese_excel_is_decoded() {
    let db = Db::init();
    let run = db
        .import(
            &[data("hrss-2023-gb18030.csv")],
            &["--department", "hrss", "-v"],
        )
        .ok();
    assert!(run.stderr.contains("GB18030"), "{}", run.stderr);
    // The names in the file match the catalog only if the Chinese was decoded right.
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(db.value("new_urban_jobs", 2023).map(|v| v.0), Some(1.12));
    assert_eq!(
        db.value("industrial_worker_training", 2023).map(|v| v.0),
        Some(2650.0)
    );
    assert!(
        run.stdout.contains("hrss-2023-gb18030.csv:2"),
        "rows count from the header: {}",
        run.stdout
    );
}

#[test]
fn an_xlsx_saved_by_a_spreadsheet_program_is_imported() {
    let db = Db::init();
    db.import(
        &[data("sci-2024-spreadsheet.xlsx")],
        &["--department", "sci"],
    )
    .ok();
    // LibreOffice stored "3.42%" as 0.0342 in a percent-formatted cell.
    assert_eq!(db.value("rd_intensity", 2024).map(|v| v.0), Some(3.42));
    assert_eq!(
        db.value("annual_sci_policy_support", 2024).map(|v| v.0),
        Some(4650.5)
    );
    assert_eq!(
        db.value("high_tech_enterprises", 2024).map(|v| v.0),
        Some(655.0)
    );
}

/// Every broken file, the row its first problem is on, and words of the message.
const BROKEN: &[(&str, u32, &str)] = &[
    (
        "unknown-code.csv",
        3,
        "unknown indicator code `rd_intensty`",
    ),
    (
        "other-department.csv",
        3,
        "belongs to department `hrss`, not `sci`",
    ),
    (
        "year-outside-plan.csv",
        3,
        "2026 is outside plan tiexi-14th",
    ),
    ("not-a-number.csv", 3, "`约30` is not a number"),
    (
        "wrong-unit-in-value.csv",
        3,
        "unit `亿元` does not match the indicator's unit `万元`",
    ),
    ("negative-count.csv", 3, "-12 is negative"),
    ("share-over-100.csv", 2, "335% is a share above 100%"),
    ("duplicate-rows.csv", 4, "this row repeats"),
    (
        "wrong-header.csv",
        1,
        "column A is `代码`, not a known column",
    ),
    (
        "missing-value-column.csv",
        1,
        "missing column(s) 本年数值 (value)",
    ),
    ("empty.csv", 1, "the file is empty"),
    ("header-only.csv", 1, "a header but no data rows"),
    (
        "yoy-not-allowed.csv",
        2,
        "accepted only for relative-change indicators",
    ),
    ("wrong-unit-column.csv", 3, "is measured in `万元`"),
    ("bad-year.csv", 2, "`二〇二三` is not a year"),
    ("missing-year.csv", 2, "年份 (year): is empty"),
    ("missing-code.csv", 2, "指标代码 (code): is empty"),
    ("scientific-notation.csv", 2, "scientific notation"),
    (
        "misplaced-comma.csv",
        2,
        "commas may only separate thousands",
    ),
    (
        "value-in-unnamed-column.csv",
        2,
        "column J has a value but no header",
    ),
    ("semicolons.csv", 1, "`;` or tabs"),
    ("undecodable.csv", 1, "neither UTF-8 nor GB18030"),
    ("not-really.xlsx", 1, "cannot be read as an XLSX workbook"),
    ("truncated.xlsx", 1, "cannot be read as an XLSX workbook"),
    ("percent-wrong-unit.xlsx", 3, "formatted as a percentage"),
    ("text-value.xlsx", 3, "`约1180` is not a number"),
];

#[test]
fn each_broken_file_is_refused_with_file_and_row_and_the_database_is_untouched() {
    let db = Db::init();
    // Start from a database with values in it, so "untouched" means something.
    db.import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    let before = db.bytes();
    for (name, row, words) in BROKEN {
        let path = data(&format!("broken/{name}"));
        let run = db.import(&[path], &["--department", "sci"]);
        assert_ne!(run.code, 0, "{name} was accepted:\n{}", run.stderr);
        let located = format!("{name}:{row}: ");
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(&located) && l.contains(words));
        assert!(
            line.is_some(),
            "{name}: expected a line with `{located}` and `{words}`:\n{}",
            run.stderr
        );
        assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
        assert_eq!(db.bytes(), before, "{name} changed the database");
    }
}

#[test]
fn all_problems_of_all_files_come_in_one_list() {
    let db = Db::init();
    let before = db.bytes();
    let mut files = vec![data("sci-2023.csv")];
    files.extend(
        BROKEN
            .iter()
            .map(|(name, _, _)| data(&format!("broken/{name}"))),
    );
    let run = db.import(&files, &["--department", "sci"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for (name, row, _) in BROKEN {
        assert!(
            run.stderr.contains(&format!("{name}:{row}: ")),
            "{name} missing from the list:\n{}",
            run.stderr
        );
    }
    // The clean file was valid, but nothing is written when any file is not.
    assert_eq!(db.bytes(), before);
}

#[test]
fn a_final_value_is_revised_only_with_a_reason_and_the_history_shows_both() {
    let db = Db::init();
    db.import(
        &[data("sci-2023.csv")],
        &["--department", "sci", "--status", "final"],
    )
    .ok();
    let before = db.bytes();
    let revised = [data("sci-2023-revised.csv")];

    let silent = db.import(&revised, &["--department", "sci"]);
    assert_eq!(silent.code, 1);
    assert!(
        silent
            .stderr
            .contains("sci-2023-revised.csv:2: rd_intensity:")
            && silent.stderr.contains("--revise --reason"),
        "{}",
        silent.stderr
    );
    let no_reason = db.import(&revised, &["--department", "sci", "--revise"]);
    assert_eq!(no_reason.code, 2, "{}", no_reason.stderr);
    assert!(
        no_reason.stderr.contains("--reason"),
        "{}",
        no_reason.stderr
    );
    let empty_reason = db.import(
        &revised,
        &["--department", "sci", "--revise", "--reason", " "],
    );
    assert_eq!(empty_reason.code, 2, "{}", empty_reason.stderr);
    assert_eq!(db.bytes(), before, "a refused revision wrote something");

    let reason = "依据R&D统计年报修订";
    db.import(
        &revised,
        &["--department", "sci", "--revise", "--reason", reason],
    )
    .ok();
    assert_eq!(
        db.value("rd_intensity", 2023),
        Some((3.41, "revised".to_string(), "level".to_string()))
    );
    assert_eq!(
        db.value("mass_innovation_carriers", 2023).map(|v| v.1),
        Some("final".into())
    );

    let history = db.run(&["history", "rd_intensity"]).ok().stdout;
    let update = history
        .lines()
        .find(|l| l.contains("update"))
        .unwrap_or_else(|| panic!("no update in the history:\n{history}"));
    for expected in [
        "2023",
        "3.35 → 3.41",
        "final → revised",
        &format!("{} (claims {USER})", account()),
        "sci",
        reason,
    ] {
        assert!(
            update.contains(expected),
            "`{expected}` missing from: {update}"
        );
    }
    assert!(history
        .lines()
        .any(|l| l.contains("insert") && l.contains("— → 3.35")));
}

#[test]
fn a_preliminary_value_is_confirmed_as_final_by_importing_it_with_final_status() {
    let db = Db::init();
    db.import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    let run = db
        .import(
            &[data("sci-2023.csv")],
            &["--department", "sci", "--status", "final"],
        )
        .ok();
    assert!(run.stderr.contains("5 finalized"), "{}", run.stderr);
    assert_eq!(
        db.value("rd_intensity", 2023).map(|v| v.1),
        Some("final".into())
    );
    let history = db.run(&["history", "rd_intensity"]).ok().stdout;
    assert!(history.contains("preliminary → final"), "{history}");
    // Preliminary values may change without --revise; they stay preliminary.
    let db = Db::init();
    db.import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    db.import(&[data("sci-2023-revised.csv")], &["--department", "sci"])
        .ok();
    assert_eq!(
        db.value("rd_intensity", 2023).map(|v| (v.0, v.1)),
        Some((3.41, "preliminary".into()))
    );
}

#[test]
fn an_implausible_jump_is_a_warning_not_an_error() {
    let db = Db::init();
    db.import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    let run = db
        .import(&[data("sci-2024-jump.csv")], &["--department", "sci"])
        .ok();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("sci-2024-jump.csv:2: mass_innovation_carriers: warning:"));
    assert!(
        warnings[0].contains("+100% against 2023 (26 → 52)"),
        "{}",
        warnings[0]
    );
    assert_eq!(
        db.value("mass_innovation_carriers", 2024).map(|v| v.0),
        Some(52.0)
    );
}

#[test]
fn only_the_office_imports_for_other_departments_and_that_is_recorded() {
    let db = Db::init();
    let file = [data("broken/other-department.csv")];
    let not_office = db.import(&file, &["--department", "sci", "--as-office"]);
    assert_eq!(not_office.code, 2, "{}", not_office.stderr);
    assert!(
        not_office.stderr.contains("--department stats"),
        "{}",
        not_office.stderr
    );

    let run = db
        .import(&file, &["--department", "stats", "--as-office"])
        .ok();
    assert!(run.stderr.contains("as the office"), "{}", run.stderr);
    assert_eq!(db.value("new_urban_jobs", 2023).map(|v| v.0), Some(1.1));
    let detail: serde_json::Value = serde_json::from_str(
        &db.text("SELECT detail FROM audit_log WHERE action = 'import' ORDER BY id DESC LIMIT 1"),
    )
    .unwrap();
    assert_eq!(detail["as_office"], true);
    assert_eq!(detail["department"], "stats");
    assert_eq!(detail["new"], 2);
    assert!(detail["files"][0]["name"]
        .as_str()
        .unwrap()
        .ends_with("other-department.csv"));
    let batch = detail["batch"].as_str().unwrap().to_string();
    assert_eq!(
        db.text("SELECT import_batch FROM v_observation_history WHERE code = 'new_urban_jobs'"),
        batch
    );
    assert_eq!(
        db.text("SELECT department FROM v_observation_history WHERE code = 'new_urban_jobs'"),
        "stats"
    );
}

/// Values to fill into a form, by indicator code (one left empty on purpose).
fn fill(code: &str) -> Option<&'static str> {
    match code {
        "rd_intensity" => Some("3.46"),
        "incubated_enterprises" => Some("1,190"),
        "high_tech_enterprises" => Some("701"),
        "annual_sci_policy_support" => Some("4800"),
        "new_rd_institutions" => None,
        _ => Some("12"),
    }
}

fn check_filled(db: &Db, year: i32) {
    assert_eq!(db.value("rd_intensity", year).map(|v| v.0), Some(3.46));
    assert_eq!(
        db.value("incubated_enterprises", year).map(|v| v.0),
        Some(1190.0)
    );
    assert_eq!(
        db.value("high_tech_enterprises", year).map(|v| v.0),
        Some(701.0)
    );
    assert_eq!(
        db.value("provincial_innovation_carriers", year)
            .map(|v| v.0),
        Some(12.0)
    );
    assert_eq!(db.value("new_rd_institutions", year), None);
}

/// Fills the value column of a CSV form written by `planeval form`, as a
/// department would in Excel; returns the form's rows as (code, last year's value).
fn fill_csv_form(
    path: &Path,
    fill: impl Fn(&str) -> Option<&'static str>,
) -> Vec<(String, String)> {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "Excel needs the BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (code, value, previous) = (column("指标代码"), column("本年数值"), column("上年数值"));
    let mut writer = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    writer.write_record(&header).unwrap();
    let mut rows = Vec::new();
    for record in reader.records() {
        let mut record: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        rows.push((record[code].clone(), record[previous].clone()));
        record[value] = fill(&record[code]).unwrap_or_default().to_string();
        writer.write_record(&record).unwrap();
    }
    std::fs::write(path, writer.into_inner().unwrap()).unwrap();
    rows
}

fn write_form(db: &Db, department: &str, year: i32, name: &str) -> PathBuf {
    let form = db.dir.join(name);
    let year = year.to_string();
    db.run(&[
        "form",
        "--department",
        department,
        "--year",
        &year,
        "--out",
        form.to_str().unwrap(),
    ])
    .ok();
    form
}

#[test]
fn the_csv_form_imports_back_once_filled() {
    let db = Db::init();
    db.import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    let form = write_form(&db, "sci", 2024, "sci-2024.csv");
    let rows = fill_csv_form(&form, fill);
    assert_eq!(rows.len(), 11, "sci is responsible for 11 indicators");
    assert!(
        rows.contains(&("rd_intensity".into(), "3.35".into())),
        "last year's value: {rows:?}"
    );
    let run = db.import(&[form], &["--department", "sci"]).ok();
    assert!(
        run.stderr.contains("10 new") && run.stderr.contains("1 left empty"),
        "{}",
        run.stderr
    );
    check_filled(&db, 2024);
}

#[test]
fn the_xlsx_form_imports_back_once_filled_and_locks_what_is_not_to_be_typed() {
    let db = Db::init();
    let form = write_form(&db, "sci", 2024, "sci-2024.xlsx");
    check_form_layout(&form);
    let codes = form_codes(&form);
    assert_eq!(codes.len(), 11);
    let filled: Vec<(u32, &str)> = codes
        .iter()
        .enumerate()
        .filter_map(|(i, code)| fill(code).map(|v| (i as u32 + 2, v)))
        .collect();
    fill_xlsx_cells(&form, 'G', &filled);

    let run = db.import(&[form], &["--department", "sci"]).ok();
    assert!(
        run.stderr.contains("10 new") && run.stderr.contains("1 left empty"),
        "{}",
        run.stderr
    );
    check_filled(&db, 2024);
}

/// The indicator codes of a form workbook's first sheet, in row order.
fn form_codes(path: &Path) -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range("填报表").unwrap();
    range.rows().skip(1).map(|row| row[0].to_string()).collect()
}

/// Header bold and frozen, code cells locked, value cells open to typing,
/// and a Chinese instruction sheet.
fn check_form_layout(path: &Path) {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    assert_eq!(book.sheet_names(), ["填报表", "填表说明"]);
    let styles = book.worksheet_style("填报表").unwrap();
    let style = |row: u32, col: u32| styles.get((row, col)).cloned().unwrap_or_default();
    assert!(style(0, 0).font.is_some_and(|f| f.is_bold()), "bold header");
    let locked = |row, col| style(row, col).protection.is_none_or(|p| p.locked);
    assert!(locked(1, 0), "the code cell is locked");
    assert!(locked(1, 2), "the unit cell is locked");
    assert!(!locked(1, 6), "the value cell is open");
    let notes = book.worksheet_range("填表说明").unwrap();
    assert!(notes
        .rows()
        .any(|r| r[0].to_string().contains("黄色单元格")));
    let sheet = read_zip_entry(path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "frozen header");
    assert!(sheet.contains("<sheetProtection"), "protected sheet");
}

fn read_zip_entry(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Types numbers into empty cells of the first sheet, the way a spreadsheet
/// program saves them: `<c r="G2" s="3"/>` becomes `<c r="G2" s="3"><v>3.46</v></c>`.
/// A value with a comma is stored as text, as typed.
fn fill_xlsx_cells(path: &Path, column: char, cells: &[(u32, &str)]) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::from_utf8(content).unwrap();
            for (row, value) in cells {
                let start = format!("<c r=\"{column}{row}\" ");
                let at = xml
                    .find(&start)
                    .unwrap_or_else(|| panic!("no cell {start}"));
                let end = at + xml[at..].find("/>").unwrap();
                let attributes = xml[at + 3..end].to_string();
                let filled = if value.contains(',') {
                    format!("<c {attributes} t=\"inlineStr\"><is><t>{value}</t></is></c>")
                } else {
                    format!("<c {attributes}><v>{value}</v></c>")
                };
                xml.replace_range(at..end + 2, &filled);
            }
            content = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn missing_lists_what_each_department_owes_and_exits_4() {
    let db = Db::init();
    db.import(&[data("sci-2023.csv")], &["--department", "sci"])
        .ok();
    let sci = db.run(&["missing", "--year", "2023", "--department", "sci"]);
    assert_eq!(sci.code, 4, "{}", sci.stderr);
    assert!(sci.stdout.contains("new_rd_institutions"), "{}", sci.stdout);
    assert!(!sci.stdout.contains("rd_intensity "), "{}", sci.stdout);
    assert!(sci.stderr.contains("6 value(s) for 2023"), "{}", sci.stderr);
    let all = db.run(&["missing", "--year", "2023"]);
    assert_eq!(all.code, 4);
    assert!(
        all.stdout.contains("hrss") && all.stderr.contains("101 value(s)"),
        "{}",
        all.stderr
    );

    // sci sends the rest of its values; then sci owes nothing for 2023.
    let form = write_form(&db, "sci", 2023, "sci-2023-rest.csv");
    fill_csv_form(&form, |code| {
        Some(if code == "rd_intensity" { "3.35" } else { "5" })
    });
    db.import(&[form], &["--department", "sci"]).ok();
    let done = db.run(&["missing", "--year", "2023", "--department", "sci"]);
    assert_eq!(done.code, 0, "{}{}", done.stdout, done.stderr);
}

#[test]
fn the_evaluation_exports_to_csv_and_xlsx() {
    let db = Db::demo();
    let csv_path = db.dir.join("evaluation.csv");
    let xlsx_path = db.dir.join("evaluation.xlsx");
    db.run(&[
        "export",
        "--year",
        "2024",
        "--format",
        "csv",
        "--out",
        csv_path.to_str().unwrap(),
    ])
    .ok();
    db.run(&[
        "export",
        "--year",
        "2024",
        "--out",
        xlsx_path.to_str().unwrap(),
    ])
    .ok();
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(text.starts_with("\u{feff}指标代码,指标名称,计量单位,章,属性"));
    assert_eq!(text.lines().count(), 107, "header and 106 indicators");
    let gdp = text.lines().find(|l| l.starts_with("gdp,")).unwrap();
    assert!(
        gdp.contains("地区生产总值") && gdp.contains("是（非官方）"),
        "{gdp}"
    );

    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), 107);
    assert_eq!(range.get((0, 0)).unwrap().to_string(), "指标代码");
    let leftovers = std::fs::read_dir(&db.dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0, "temporary files were left behind");
}

#[test]
fn history_of_an_unknown_code_is_a_usage_error() {
    let db = Db::init();
    let run = db.run(&["history", "no_such_indicator"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
