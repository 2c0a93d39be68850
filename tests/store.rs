//! The plan store, driven through the real binary: init, demo, plan, check,
//! schema versions, and the catalog loader's error paths.

mod common;

use common::*;
use rusqlite::Connection;
use std::path::Path;

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// The indicators of the built-in catalog, one per row of its indicators.csv.
fn catalog_indicators() -> i64 {
    csv_rows("seeds/tiexi-14th/indicators.csv") as i64
}

/// Chapters and sections of the built-in catalog: structure.csv has one row per
/// chapter (no section number) and one per section.
fn catalog_chapters_and_sections() -> (i64, i64) {
    let mut reader = csv::Reader::from_path(root().join("seeds/tiexi-14th/structure.csv")).unwrap();
    let (mut chapters, mut sections) = (0, 0);
    for record in reader.records() {
        if record.unwrap()[1].is_empty() {
            chapters += 1;
        } else {
            sections += 1;
        }
    }
    (chapters, sections)
}

#[test]
fn demo_builds_the_whole_plan_with_illustrative_data() {
    let (_dir, db) = demo_dir();
    let indicators = count(&db, "SELECT count(*) FROM indicator");
    assert_eq!(indicators, catalog_indicators());
    assert_eq!(indicators, 106);
    let (chapters, sections) = catalog_chapters_and_sections();
    assert_eq!((chapters, sections), (13, 52));
    assert_eq!(count(&db, "SELECT count(*) FROM chapter"), chapters);
    assert_eq!(count(&db, "SELECT count(*) FROM section"), sections);
    // seeds/tiexi-14th/demo.toml: 4% of the indicators never report
    // (`missing`), 55% report the last year (`last_year_reported`), every
    // other indicator reports each of 2021-2024.
    let reporting = count(&db, "SELECT count(DISTINCT indicator_id) FROM observation");
    assert_eq!(reporting, indicators - (indicators as f64 * 0.04) as i64);
    let last_year = count(
        &db,
        "SELECT count(DISTINCT indicator_id) FROM observation WHERE year = 2025",
    );
    assert_eq!(last_year, (indicators as f64 * 0.55) as i64);
    let observations = count(&db, "SELECT count(*) FROM observation");
    assert_eq!(observations, 4 * reporting + last_year);
    assert_eq!(observations, 466);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM observation WHERE illustrative = 1"
        ),
        observations,
        "every demo row is flagged illustrative"
    );
    // The revision in the recipe leaves a trail.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM v_observation_history WHERE action = 'update'"
        ),
        1
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM v_indicator_latest"),
        indicators
    );
}

/// What a run of `planeval demo` leaves: every file it writes, by name.
fn demo_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every row `sql` selects, rendered as text.
fn rows(db: &Path, sql: &str) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        (0..columns)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .map(|cells| cells.join("|"))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Two runs of the binary on two fresh databases: the same values and the same
/// report bytes. (The database files differ: they record when they were made.)
#[test]
fn demo_is_reproducible() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for dir in [&first, &second] {
        ok(planeval(&["-q", "demo", "--out", s(dir.path())]));
    }
    let reports = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        demo_files(dir)
            .into_iter()
            .filter(|(name, _)| name != "demo.db")
            .collect()
    };
    let names: Vec<String> = reports(first.path()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "annual-2025.html",
            "annual-2025.pdf",
            "midterm-2023.html",
            "midterm-2023.pdf"
        ]
    );
    assert!(
        reports(first.path()) == reports(second.path()),
        "the reports differ"
    );
    let (a, b) = (first.path().join("demo.db"), second.path().join("demo.db"));
    for sql in [
        "SELECT * FROM observation ORDER BY rowid",
        "SELECT * FROM v_observation ORDER BY code, year",
    ] {
        let first = rows(&a, sql);
        assert_eq!(first.len(), 466, "{sql}");
        assert_eq!(first, rows(&b, sql), "{sql}");
    }
}

#[test]
fn every_quote_occurs_in_the_plan_text() {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let seeds = root().join("seeds/tiexi-14th");
    let text = squash(&std::fs::read_to_string(seeds.join("plan-text.txt")).unwrap());
    let mut reader = csv::Reader::from_path(seeds.join("indicators.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, source, baseline) = (
        column("code"),
        column("source_quote"),
        column("baseline_quote"),
    );
    let mut checked = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert!(
            !record[source].trim().is_empty(),
            "{} has no quote",
            &record[code]
        );
        for quote in [&record[source], &record[baseline]] {
            if !quote.is_empty() {
                assert!(
                    text.contains(&squash(quote)),
                    "{}: quote not in plan text: {quote}",
                    &record[code]
                );
                checked += 1;
            }
        }
    }
    // Every indicator has a source quote; some have a baseline quote too.
    assert_eq!(checked, 116);
    assert!(checked as i64 > catalog_indicators());
}

#[test]
fn init_is_idempotent_and_says_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let first = planeval_db(&db, &["init"]);
    assert!(
        stderr(&first).contains("loaded plan tiexi-14th"),
        "{}",
        stderr(&first)
    );
    let second = planeval_db(&db, &["init"]);
    assert!(second.status.success());
    assert!(stderr(&second).contains("unchanged"), "{}", stderr(&second));
    assert_eq!(count(&db, "SELECT count(*) FROM plan"), 1);
}

#[test]
fn several_plans_live_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(planeval_db(&db, &["init"]));
    let mini = mini_catalog();
    ok(planeval_db(
        &db,
        &["init", "--plan", mini.to_str().unwrap()],
    ));
    assert_eq!(count(&db, "SELECT count(*) FROM plan"), 2);
    let ambiguous = planeval_db(&db, &["plan"]);
    assert_eq!(ambiguous.status.code(), Some(2));
    assert!(stderr(&ambiguous).contains("--plan"));
    let shown = ok(planeval_db(&db, &["plan", "--plan", "mini"]));
    assert!(shown.contains("第2章 生态环境"), "{shown}");
}

#[test]
fn an_edited_catalog_updates_in_place_and_keeps_observations() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("cat");
    copy_tree(&mini_catalog(), &catalog);
    let db = dir.path().join("p.db");
    ok(planeval_db(
        &db,
        &["init", "--plan", catalog.to_str().unwrap()],
    ));
    let indicators = catalog.join("indicators.csv");
    let text = std::fs::read_to_string(&indicators).unwrap();
    std::fs::write(
        &indicators,
        text.replace("gdp,地区生产总值", "gdp,地区生产总值（GDP）"),
    )
    .unwrap();
    let out = planeval_db(&db, &["init", "--plan", catalog.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("updated plan mini"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM indicator WHERE name = '地区生产总值（GDP）'"
        ),
        1
    );
}

#[test]
fn check_passes_on_the_demo_and_fails_on_a_broken_foreign_key() {
    let (_dir, db) = demo_dir();
    ok(planeval_db(&db, &["check"]));
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; UPDATE indicator SET department_code = 'nobody' WHERE code = 'gdp';",
    )
    .unwrap();
    drop(conn);
    let out = planeval_db(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("indicator row"), "{}", stdout(&out));
    assert!(stdout(&out).contains("department"), "{}", stdout(&out));
    // The edit made outside planeval is the second error, from the audit chain.
    assert!(
        stdout(&out).contains("indicator tiexi-14th/gdp: department_code no longer matches"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("check found 2 error"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_finds_a_quote_edited_by_hand() {
    let (_dir, db) = demo_dir();
    Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE indicator SET source_quote = '到2025年GDP翻番' WHERE code = 'gdp'",
            [],
        )
        .unwrap();
    let out = planeval_db(&db, &["check"]);
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("tiexi-14th/gdp: source_quote does not occur"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_database_from_a_newer_planeval_is_refused() {
    let (_dir, db) = demo_dir();
    Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let out = planeval_db(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("schema version 99"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = planeval_db(&dir.path().join("nope.db"), &["plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("planeval init"), "{}", stderr(&out));
    assert!(!dir.path().join("nope.db").exists());
}

/// One broken catalog: which file to change, how, and what the error must name.
struct Breakage {
    file: &'static str,
    edit: fn(String) -> String,
    expect: &'static [&'static str],
}

fn replace_line(text: String, prefix: &str, new: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with(prefix) {
                new.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn broken_catalogs_name_the_file_line_and_field_and_write_nothing() {
    let cases = [
        Breakage {
            file: "indicators.csv",
            edit: |t| {
                t.replace(
                    "at_least,higher,2020,200",
                    "at_least,higher,2020,two hundred",
                )
            },
            expect: &[
                "indicators.csv, line 2, field `baseline_value`",
                "not a number",
            ],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| t.replace(",at_most,", ",at_most_ish,"),
            expect: &["line 3, field `kind`", "at_least | at_most"],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| {
                replace_line(t, "energy_intensity", "energy_intensity,单位地区生产总值能耗,吨标准煤/万元,2,1,约束性,office,avg_growth,higher,,,,2025,,compound,drc,office,单位地区生产总值能耗降低 13.5% 。,")
            },
            expect: &["line 4, field `target_value`", "avg_growth", "growth rate"],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| {
                t.replace(
                    "城镇登记失业率控制在 4% 以内。",
                    "城镇登记失业率控制在 5% 以内。",
                )
            },
            expect: &[
                "line 3, field `source_quote`",
                "does not occur in the plan text",
            ],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| t.replace(",drc,office,", ",transport,office,"),
            expect: &["line 4, field `department`", "transport"],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| {
                t.replace(
                    "约束性,office,relative_change,lower",
                    "约束性,office,relative_change,higher",
                )
            },
            expect: &["line 4, field `better`", "-13.5"],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| t.replace("gdp,地区生产总值,亿元,1,1", "gdp,地区生产总值,亿元,1,7"),
            expect: &["line 2, field `section`", "no section 7"],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| t.replace("unemployment,", "gdp,"),
            expect: &["line 3, field `code`", "appears twice"],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| t.replace("source_quote,note", "quote,note"),
            expect: &["indicators.csv, line 1", "missing column `source_quote`"],
        },
        Breakage {
            file: "indicators.csv",
            edit: |t| t.replace(",2025,4,linear", ",2030,4,linear"),
            expect: &["line 3, field `target_year`", "outside the plan period"],
        },
        Breakage {
            file: "structure.csv",
            edit: |t| t.replace("2,1,节能降耗", "3,1,节能降耗"),
            expect: &["structure.csv, line 5, field `chapter`"],
        },
        Breakage {
            file: "plan.toml",
            edit: |t| t.replace("base_year = 2020", "base_year = \"2020\""),
            expect: &["plan.toml", "base_year"],
        },
        Breakage {
            file: "plan.toml",
            edit: |t| t.replace("midterm_year = 2023", "midterm_year = 2027"),
            expect: &["plan.toml, field `midterm_year`", "outside the period"],
        },
    ];
    for (index, case) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("cat");
        copy_tree(&mini_catalog(), &catalog);
        let path = catalog.join(case.file);
        let text = std::fs::read_to_string(&path).unwrap();
        let broken = (case.edit)(text.clone());
        assert_ne!(broken, text, "case {index} changed nothing");
        std::fs::write(&path, broken).unwrap();
        let db = dir.path().join("p.db");
        let out = planeval_db(&db, &["init", "--plan", catalog.to_str().unwrap()]);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "case {index}: {message}");
        for expected in case.expect {
            assert!(
                message.contains(expected),
                "case {index}: `{expected}` not in: {message}"
            );
        }
        assert_eq!(message.lines().count(), 1, "one-line message: {message}");
        assert!(!db.exists(), "case {index}: nothing is written");
    }
}

#[test]
fn an_unreadable_catalog_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("cat");
    copy_tree(&mini_catalog(), &catalog);
    std::fs::remove_file(catalog.join("departments.csv")).unwrap();
    let out = planeval_db(
        &dir.path().join("p.db"),
        &["init", "--plan", catalog.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("departments.csv"), "{}", stderr(&out));
    std::fs::write(
        catalog.join("departments.csv"),
        b"code,name,short_name\nstats,\xff\xfe,x\n",
    )
    .unwrap();
    let out = planeval_db(
        &dir.path().join("p.db"),
        &["init", "--plan", catalog.to_str().unwrap()],
    );
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));
}

#[test]
fn a_failed_reload_leaves_the_database_unchanged() {
    let (_dir, db) = demo_dir();
    ok(planeval_db(&db, &["check"]));
    let before = std::fs::read(&db).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("cat");
    copy_tree(&root().join("seeds/tiexi-14th"), &catalog);
    // Dropping an indicator that has observations is refused inside the transaction.
    let indicators = catalog.join("indicators.csv");
    let text = std::fs::read_to_string(&indicators).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("gdp,")).collect();
    std::fs::write(&indicators, kept.join("\n") + "\n").unwrap();
    let out = planeval_db(&db, &["init", "--plan", catalog.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("`gdp`"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn check_finds_impossible_values_written_by_hand() {
    let (_dir, db) = demo_dir();
    Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE observation SET value = 130 WHERE year = 2022
             AND indicator_id = (SELECT id FROM indicator WHERE code = 'rd_intensity')",
            [],
        )
        .unwrap();
    let out = planeval_db(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("tiexi-14th/rd_intensity 2022: value 130 is impossible for unit `%`"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_restore_leaves_its_backup_untouched() {
    let (dir, db) = demo_dir();
    let backup = dir.path().join("backup.db");
    ok(planeval_db(&db, &["backup", backup.to_str().unwrap()]));
    // As a backup taken on a network share is: a rollback journal, which opening
    // it as planeval's database would switch to WAL.
    let conn = Connection::open(&backup).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let before = std::fs::read(&backup).unwrap();
    let restored = dir.path().join("restored.db");
    ok(planeval_db(
        &restored,
        &["restore", backup.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read(&backup).unwrap(),
        before,
        "the backup changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("restore") && name != "restored.db")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(
        count(&restored, "SELECT count(*) FROM observation"),
        count(&db, "SELECT count(*) FROM observation")
    );
    let missing = planeval_db(&restored, &["restore", "no-such.db", "--force"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("no such backup file"),
        "{}",
        stderr(&missing)
    );
}
