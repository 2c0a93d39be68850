//! The evaluation through the real binary: JSON, CSV and table output on the
//! demo database, office verdicts, data problems, and batch = single plan.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

fn records(json: &str) -> Vec<Value> {
    let document: Value = serde_json::from_str(json).expect("valid JSON");
    document["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .flat_map(|e| e["indicators"].as_array().expect("indicators").clone())
        .collect()
}

#[test]
fn json_has_one_complete_record_per_indicator() {
    let (_dir, db) = demo_dir();
    let json = ok(planeval_db(
        &db,
        &["evaluate", "--year", "2023", "--format", "json"],
    ));
    let records = records(&json);
    assert_eq!(records.len(), csv_rows("seeds/tiexi-14th/indicators.csv"));
    // Every record has the same fields, exactly these: one more, one fewer or
    // one renamed is a change of the published format.
    let fields = [
        "baseline_value",
        "baseline_year",
        "better",
        "cagr_class",
        "cagr_ratio",
        "cagr_status",
        "cap_margin",
        "caveats",
        "chapter",
        "code",
        "complete",
        "data_problems",
        "department",
        "expected_value",
        "explanation",
        "growth_achieved",
        "illustrative",
        "kind",
        "latest_is_change",
        "latest_value",
        "latest_year",
        "name",
        "nature",
        "office_verdict",
        "pace_ratio",
        "path",
        "plan",
        "progress",
        "projection",
        "projection_meets_target",
        "required_growth",
        "required_per_year",
        "section",
        "series",
        "status",
        "target_value",
        "target_year",
        "time_elapsed",
        "unit",
    ];
    for record in &records {
        let keys: Vec<&str> = record
            .as_object()
            .expect("a record is an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, fields, "{}", record["code"]);
    }
    // A reporting indicator with a growth target has a value in each of these.
    let gdp = records.iter().find(|r| r["code"] == "gdp").unwrap();
    for field in [
        "baseline_value",
        "target_value",
        "latest_year",
        "latest_value",
        "expected_value",
        "progress",
        "required_growth",
        "projection",
        "status",
        "cagr_status",
        "explanation",
    ] {
        assert!(!gdp[field].is_null(), "gdp has no {field}");
    }
    assert_eq!(gdp["latest_year"], 2023);
    assert_eq!(gdp["status"], "red");
    assert_eq!(gdp["data_problems"], serde_json::json!([]));
    assert_eq!(gdp["time_elapsed"], 0.6);
    assert!(gdp["explanation"]
        .as_str()
        .unwrap()
        .contains("按序时进度应达"));
    assert!(records.iter().any(|r| r["status"] == "grey"));
    assert!(records.iter().any(|r| r["status"] == "green"));
    assert!(records
        .iter()
        .all(|r| r["illustrative"] == true || r["latest_year"].is_null()));
}

#[test]
fn csv_opens_in_excel_and_table_aligns_chinese_text() {
    let (_dir, db) = demo_dir();
    let csv_text = ok(planeval_db(
        &db,
        &["evaluate", "--year", "2023", "--format", "csv"],
    ));
    assert!(
        csv_text.starts_with('\u{feff}'),
        "UTF-8 byte-order mark for Excel"
    );
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    // The layout of `planeval export` (docs/export.md).
    assert_eq!(&reader.headers().unwrap()[0], "指标代码");
    assert_eq!(
        reader.records().count(),
        csv_rows("seeds/tiexi-14th/indicators.csv")
    );

    let table = ok(planeval_db(&db, &["evaluate", "--year", "2023"]));
    let lines: Vec<&str> = table.lines().collect();
    let rule = lines.iter().position(|l| l.starts_with("----")).unwrap();
    let gdp = lines.iter().find(|l| l.starts_with("gdp ")).unwrap();
    let rd = lines
        .iter()
        .find(|l| l.starts_with("rd_intensity "))
        .unwrap();
    // The status column starts at the same display column in every row.
    let status_at = |line: &str| line.find("灯").map(|byte| line[..byte].width());
    assert_eq!(status_at(gdp), status_at(rd));
    assert!(lines[rule - 1].contains("指标"));
}

#[test]
fn midterm_lists_lagging_indicators_with_growth_needed() {
    let (_dir, db) = demo_dir();
    let table = ok(planeval_db(&db, &["evaluate", "--as-of-midterm"]));
    assert!(table.contains("2023年评估（中期）"), "{table}");
    assert!(table.contains("滞后指标"));
    assert!(table.contains("仍需年均增长"));
}

#[test]
fn office_verdict_is_shown_beside_the_computed_status() {
    let (_dir, db) = demo_dir();
    let before = records(&ok(planeval_db(
        &db,
        &["evaluate", "--year", "2023", "--format", "json"],
    )));
    ok(planeval_db(
        &db,
        &[
            "verdict",
            "gdp",
            "--year",
            "2023",
            "--status",
            "yellow",
            "--reason",
            "四季度回升明显",
        ],
    ));
    let after = records(&ok(planeval_db(
        &db,
        &["evaluate", "--year", "2023", "--format", "json"],
    )));
    let find = |records: &[Value]| records.iter().find(|r| r["code"] == "gdp").unwrap().clone();
    assert_eq!(
        find(&before)["status"],
        find(&after)["status"],
        "computed status unchanged"
    );
    assert_eq!(find(&after)["office_verdict"]["status"], "yellow");
    assert_eq!(find(&after)["office_verdict"]["reason"], "四季度回升明显");
    let refused = planeval_db(
        &db,
        &[
            "verdict", "gdp", "--year", "2023", "--status", "red", "--reason", " ",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn impossible_values_are_reported_and_excluded_never_a_crash() {
    let (_dir, db) = demo_dir();
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(
        "UPDATE observation SET value = -5 WHERE year = 2022 AND indicator_id = (SELECT id FROM indicator WHERE code = 'gdp');
         UPDATE observation SET value = 130 WHERE year = 2022 AND indicator_id = (SELECT id FROM indicator WHERE code = 'rd_intensity');
         INSERT INTO observation (indicator_id, year, value, status, department_code, recorded_by, recorded_at, illustrative)
             SELECT id, 2019, 900, 'final', department_code, 'test', '2020-01-01T00:00:00Z', 1 FROM indicator WHERE code = 'gdp';",
    )
    .unwrap();
    drop(conn);
    let records = records(&ok(planeval_db(
        &db,
        &["evaluate", "--year", "2023", "--format", "json"],
    )));
    let problems = |code: &str| -> Vec<(i64, String)> {
        records.iter().find(|r| r["code"] == code).unwrap()["data_problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["year"].as_i64().unwrap(),
                    p["problem"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let gdp = problems("gdp");
    assert!(
        gdp.iter()
            .any(|(y, p)| *y == 2022 && p.contains("数值为负")),
        "{gdp:?}"
    );
    assert!(
        gdp.iter()
            .any(|(y, p)| *y == 2019 && p.contains("年份超出规划期")),
        "{gdp:?}"
    );
    let rd = problems("rd_intensity");
    assert!(
        rd.iter()
            .any(|(y, p)| *y == 2022 && p.contains("比例超过100%")),
        "{rd:?}"
    );
    let gdp_record = records.iter().find(|r| r["code"] == "gdp").unwrap();
    let series_years: Vec<i64> = gdp_record["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_i64().unwrap())
        .collect();
    assert!(
        !series_years.contains(&2022) && !series_years.contains(&2019),
        "{series_years:?}"
    );
}

#[test]
fn a_year_outside_the_plan_is_a_usage_error() {
    let (_dir, db) = demo_dir();
    let out = planeval_db(&db, &["evaluate", "--year", "2030"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("outside the plan period 2021-2025"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn batch_results_equal_single_plan_results() {
    let (_dir, db) = demo_dir();
    let mini = mini_catalog();
    ok(planeval_db(
        &db,
        &["init", "--plan", mini.to_str().unwrap()],
    ));
    let single = records(&ok(planeval_db(
        &db,
        &[
            "evaluate",
            "--year",
            "2024",
            "--plan",
            "tiexi-14th",
            "--format",
            "json",
        ],
    )));
    let batch = records(&ok(planeval_db(
        &db,
        &[
            "evaluate",
            "--year",
            "2024",
            "--all-plans",
            "--format",
            "json",
        ],
    )));
    let from_batch: Vec<Value> = batch
        .into_iter()
        .filter(|r| r["plan"] == "tiexi-14th")
        .collect();
    assert_eq!(single, from_batch);
}
