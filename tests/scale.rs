//! Many plans in one run, through the real binary: a synthetic database, batch
//! evaluation equal to single-plan evaluation, parallel rendering equal to
//! sequential rendering, and the Parquet export.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn synthetic(dir: &Path, plans: &str) -> std::path::PathBuf {
    let db = dir.join("synth.db");
    ok(planeval(&[
        "-q",
        "synth",
        "--plans",
        plans,
        "--out",
        db.to_str().unwrap(),
    ]));
    db
}

fn records(json: &str, plan: &str) -> Vec<Value> {
    let document: Value = serde_json::from_str(json).unwrap();
    document["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["indicators"].as_array().unwrap().clone())
        .filter(|r| r["plan"] == plan)
        .collect()
}

#[test]
fn synthetic_plans_are_marked_and_batches_equal_single_plans() {
    let dir = tempfile::tempdir().unwrap();
    let db = synthetic(dir.path(), "5");
    let batch = ok(planeval_db(
        &db,
        &[
            "evaluate",
            "--year",
            "2024",
            "--all-plans",
            "--format",
            "json",
        ],
    ));
    for plan in ["synth-0001", "synth-0003", "synth-0005"] {
        let single = ok(planeval_db(
            &db,
            &[
                "evaluate", "--year", "2024", "--plan", plan, "--format", "json",
            ],
        ));
        let alone = records(&single, plan);
        assert_eq!(alone.len(), 106);
        assert_eq!(alone, records(&batch, plan), "{plan}");
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let unmarked: i64 = conn
        .query_row(
            "SELECT count(*) FROM observation WHERE illustrative = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unmarked, 0, "every synthetic value is flagged");
    let titles: i64 = conn
        .query_row(
            "SELECT count(*) FROM plan WHERE title LIKE '%合成数据%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(titles, 5);
}

#[test]
fn parallel_rendering_gives_the_same_bytes_as_sequential() {
    let dir = tempfile::tempdir().unwrap();
    let db = synthetic(dir.path(), "4");
    let run = |jobs: &str, out: &str| {
        let out = dir.path().join(out);
        ok(planeval_db(
            &db,
            &[
                "report",
                "annual",
                "--year",
                "2024",
                "--all-plans",
                "--jobs",
                jobs,
                "--format",
                "html,pdf",
                "--out",
                out.to_str().unwrap(),
            ],
        ));
        out
    };
    let sequential = run("1", "one");
    let parallel = run("2", "two");
    // Every file of either run, so a file only one of them wrote fails too.
    let plans = ["synth-0001", "synth-0002", "synth-0003", "synth-0004"];
    let expected: Vec<String> = plans
        .iter()
        .flat_map(|plan| {
            ["annual-2024.html", "annual-2024.pdf"].map(|file| format!("{plan}/{file}"))
        })
        .collect();
    assert_eq!(files_below(&sequential), expected);
    assert_eq!(files_below(&parallel), expected);
    for path in &expected {
        assert!(
            std::fs::read(sequential.join(path)).unwrap()
                == std::fs::read(parallel.join(path)).unwrap(),
            "{path} differs"
        );
    }
}

/// The files in the plan folders below `out`, as `plan/file`, sorted.
fn files_below(out: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for plan in std::fs::read_dir(out).unwrap() {
        let plan = plan.unwrap();
        for file in std::fs::read_dir(plan.path()).unwrap() {
            files.push(format!(
                "{}/{}",
                plan.file_name().to_string_lossy(),
                file.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    files.sort();
    files
}

#[test]
fn parquet_export_is_partitioned_by_plan() {
    let dir = tempfile::tempdir().unwrap();
    let db = synthetic(dir.path(), "3");
    let out = dir.path().join("parquet");
    ok(planeval_db(
        &db,
        &["export", "--parquet", out.to_str().unwrap()],
    ));
    assert!(out.join("plans.parquet").exists());
    for plan in 1..=3 {
        for table in ["indicators", "observations"] {
            let file = out
                .join(table)
                .join(format!("plan=synth-{plan:04}"))
                .join("part-0.parquet");
            let bytes = std::fs::read(&file).unwrap();
            assert_eq!(&bytes[..4], b"PAR1", "{}", file.display());
        }
    }
}
