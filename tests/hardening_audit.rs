//! Who is recorded, and whether a change made outside planeval shows: the
//! account recorded is the one the process runs as, whatever `$USER` says;
//! rows changed or removed with plain SQL (observations, kept versions, the
//! batch records, targets, verdicts) are named by `planeval check`; an
//! untouched file passes it; a file from before the chain gets one at its
//! first write.

mod common;

use common::{command, import_data as data, ok, stderr, stdout};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A name that is not the account the tests run as.
const CLAIMED: &str = "someone-else";

/// The account the tests run as, which must not be the name they claim.
fn account() -> String {
    let name = common::account();
    assert_ne!(name, CLAIMED);
    name
}

/// Runs planeval on `db` claiming to be [`CLAIMED`] in every way a shell can.
fn run(db: &Path, args: &[&str]) -> Output {
    command()
        .arg("--db")
        .arg(db)
        .args(args)
        .env("USER", CLAIMED)
        .env("LOGNAME", CLAIMED)
        .output()
        .expect("planeval runs")
}

/// A database with the built-in catalog, the science bureau's 2023 figures as
/// final, then a revision of them: observations, a kept version, two import
/// batches, a verdict and a commentary.
fn database() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    ok(run(&db, &["init"]));
    let first = data("sci-2023.csv");
    ok(run(
        &db,
        &[
            "import",
            first.to_str().unwrap(),
            "--department",
            "sci",
            "--status",
            "final",
        ],
    ));
    let revised = data("sci-2023-revised.csv");
    ok(run(
        &db,
        &[
            "import",
            revised.to_str().unwrap(),
            "--department",
            "sci",
            "--revise",
            "--reason",
            "年报修订",
        ],
    ));
    ok(run(
        &db,
        &[
            "verdict",
            "rd_intensity",
            "--year",
            "2023",
            "--status",
            "yellow",
            "--reason",
            "口径调整",
        ],
    ));
    ok(run(
        &db,
        &[
            "commentary",
            "set",
            "--report",
            "annual",
            "--year",
            "2023",
            "--text",
            "总体平稳",
        ],
    ));
    (dir, db)
}

fn sql(db: &Path, statements: &str) {
    Connection::open(db)
        .unwrap()
        .execute_batch(statements)
        .unwrap();
}

fn text(db: &Path, query: &str) -> String {
    Connection::open(db)
        .unwrap()
        .query_row(query, [], |r| r.get(0))
        .unwrap()
}

/// Runs `check`, expects it to fail, and returns its findings.
fn failed_check(db: &Path) -> String {
    let out = run(db, &["check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// Asserts that some finding line holds every one of `parts`.
fn finds(findings: &str, parts: &[&str]) {
    assert!(
        findings
            .lines()
            .any(|line| parts.iter().all(|part| line.contains(part))),
        "no finding with {parts:?} in:\n{findings}"
    );
}

const RD_2023: &str = "indicator_id = (SELECT id FROM indicator WHERE code = 'rd_intensity') \
                       AND year = 2023";

#[test]
fn the_account_is_recorded_not_the_name_in_user() {
    let (_dir, db) = database();
    let account = account();
    let recorded = |query: &str| text(&db, query);
    assert_eq!(
        recorded(&format!(
            "SELECT recorded_by FROM observation WHERE {RD_2023}"
        )),
        account
    );
    assert_eq!(
        recorded(&format!(
            "SELECT recorded_by FROM observation_version WHERE {RD_2023}"
        )),
        account
    );
    assert_eq!(recorded("SELECT recorded_by FROM office_verdict"), account);
    assert_eq!(recorded("SELECT updated_by FROM commentary"), account);
    // Every audited write, editions included, names the account and keeps the claim beside it.
    assert_eq!(
        recorded(&format!(
            "SELECT count(*) || '' FROM audit_log WHERE actor <> '{account}' OR claimed_by IS NOT '{CLAIMED}'"
        )),
        "0"
    );
    let history = stdout(&run(&db, &["history", "rd_intensity"]));
    let update = history.lines().find(|l| l.contains("update")).unwrap();
    assert!(
        update.contains(&format!("{account} (claims {CLAIMED})")),
        "{history}"
    );
    // A name given on purpose is a claim too, and no claim is stored when it is the account.
    let honest = command()
        .arg("--db")
        .arg(&db)
        .args([
            "verdict", "gdp", "--year", "2023", "--status", "green", "--reason", "达标",
        ])
        .env("USER", &account)
        .env("PLANEVAL_USER", &account)
        .output()
        .unwrap();
    ok(honest);
    assert_eq!(
        recorded("SELECT ifnull(claimed_by, '-') FROM audit_log ORDER BY id DESC LIMIT 1"),
        "-"
    );
}

#[test]
fn an_untouched_file_passes_check_and_prints_the_head() {
    let (_dir, db) = database();
    let out = ok(run(&db, &["check"]));
    let head = out
        .lines()
        .find(|l| l.starts_with("audit chain head: link "))
        .unwrap_or_else(|| panic!("no head in:\n{out}"));
    let hash = head.rsplit(' ').next().unwrap();
    assert_eq!(
        hash,
        text(
            &db,
            "SELECT hash FROM audit_chain ORDER BY audit_id DESC LIMIT 1"
        )
    );
    // The demo (catalog, demo data with revisions, two editions) passes too.
    let (_demo_dir, demo) = common::demo_dir();
    ok(run(&demo, &["check"]));
}

#[test]
fn a_value_changed_with_sql_is_named() {
    let (_dir, db) = database();
    let batch = text(
        &db,
        &format!("SELECT import_batch FROM observation WHERE {RD_2023}"),
    );
    sql(
        &db,
        &format!("UPDATE observation SET value = 9.9 WHERE {RD_2023}"),
    );
    let findings = failed_check(&db);
    // The row as it is now: a version its batch never wrote.
    finds(
        &findings,
        &[
            "observation tiexi-14th/rd_intensity 2023",
            &batch,
            "written outside planeval",
            "value",
        ],
    );
    // The version the trigger kept: replaced after the last planeval write.
    finds(
        &findings,
        &[
            "observation_version tiexi-14th/rd_intensity 2023",
            &batch,
            "replaced at",
            "outside planeval",
        ],
    );
}

#[test]
fn a_value_changed_without_the_triggers_is_named() {
    let (_dir, db) = database();
    sql(
        &db,
        &format!(
            "DROP TRIGGER observation_after_update;
             UPDATE observation SET status = 'preliminary', value = 1 WHERE {RD_2023}"
        ),
    );
    finds(
        &failed_check(&db),
        &[
            "observation tiexi-14th/rd_intensity 2023",
            "value, status no longer match",
        ],
    );
}

#[test]
fn a_kept_version_changed_or_deleted_with_sql_is_named() {
    let (_dir, db) = database();
    let batch = text(
        &db,
        &format!("SELECT import_batch FROM observation_version WHERE {RD_2023}"),
    );
    sql(
        &db,
        &format!("UPDATE observation_version SET recorded_by = 'nobody' WHERE {RD_2023}"),
    );
    finds(
        &failed_check(&db),
        &[
            "observation_version tiexi-14th/rd_intensity 2023",
            &batch,
            "recorded_by no longer matches",
        ],
    );
    sql(
        &db,
        &format!("DELETE FROM observation_version WHERE {RD_2023}"),
    );
    finds(
        &failed_check(&db),
        &[
            "observation tiexi-14th/rd_intensity 2023",
            &batch,
            "deleted outside planeval",
        ],
    );
}

#[test]
fn a_value_deleted_or_inserted_with_sql_is_named() {
    let (_dir, db) = database();
    sql(&db, &format!("DELETE FROM observation WHERE {RD_2023}"));
    finds(
        &failed_check(&db),
        &[
            "observation_version tiexi-14th/rd_intensity 2023",
            "deleted outside planeval",
        ],
    );
    let (_dir, db) = database();
    sql(
        &db,
        "INSERT INTO observation (indicator_id, year, value, status, department_code,
             recorded_by, recorded_at, import_batch)
         SELECT id, 2024, 3.6, 'final', 'sci', 'x', '2025-01-01T00:00:00Z', 'made-up'
         FROM indicator WHERE code = 'rd_intensity'",
    );
    finds(
        &failed_check(&db),
        &[
            "observation tiexi-14th/rd_intensity 2024 batch made-up",
            "no planeval write recorded this batch",
        ],
    );
}

#[test]
fn the_batch_records_changed_with_sql_are_named() {
    let (_dir, db) = database();
    let import = text(
        &db,
        "SELECT id || '' FROM audit_log WHERE action = 'import' ORDER BY id LIMIT 1",
    );
    sql(
        &db,
        &format!("UPDATE audit_log SET actor = 'nobody' WHERE id = {import}"),
    );
    finds(
        &failed_check(&db),
        &[&format!("audit_log id {import}"), "actor no longer matches"],
    );

    let (_dir, db) = database();
    sql(
        &db,
        "UPDATE audit_chain SET entries = entries + 1
         WHERE audit_id = (SELECT min(audit_id) FROM audit_chain WHERE batch IS NOT NULL)",
    );
    finds(
        &failed_check(&db),
        &["audit_chain link", "its hash no longer matches"],
    );

    // A whole batch removed, its link, audit row and values with it.
    let (_dir, db) = database();
    sql(
        &db,
        "DELETE FROM audit_chain
         WHERE audit_id = (SELECT min(audit_id) FROM audit_chain WHERE batch IS NOT NULL);",
    );
    let findings = failed_check(&db);
    finds(&findings, &["audit_chain link", "does not follow link"]);
    finds(
        &findings,
        &["audit_log id", "no planeval write recorded this row"],
    );
}

#[test]
fn a_target_changed_with_sql_is_named() {
    let (_dir, db) = database();
    sql(
        &db,
        "UPDATE indicator SET target_value = target_value * 2 WHERE code = 'rd_intensity'",
    );
    finds(
        &failed_check(&db),
        &[
            "indicator tiexi-14th/rd_intensity",
            "target_value no longer matches",
            "catalog_load",
        ],
    );
}

#[test]
fn a_verdict_changed_or_removed_with_sql_is_named() {
    let (_dir, db) = database();
    sql(&db, "UPDATE office_verdict SET status = 'green'");
    finds(
        &failed_check(&db),
        &[
            "office_verdict tiexi-14th/rd_intensity 2023",
            "status no longer matches",
            "verdict",
        ],
    );
    sql(&db, "DELETE FROM office_verdict");
    finds(
        &failed_check(&db),
        &[
            "office_verdict tiexi-14th/rd_intensity 2023",
            "deleted outside planeval",
        ],
    );
}

/// Turns a schema-5 file back into what schema 4 wrote: no chain, no claims.
fn as_schema_4(db: &Path) {
    sql(
        db,
        "DROP VIEW v_audit_chain;
         DROP TABLE audit_chain;
         ALTER TABLE audit_log DROP COLUMN claimed_by;
         PRAGMA user_version = 4;",
    );
}

#[test]
fn a_file_from_before_the_chain_gets_one_at_its_first_write() {
    let (_dir, db) = database();
    as_schema_4(&db);
    // Opening migrates (after a backup); no write has started the chain yet.
    let out = ok(run(&db, &["check"]));
    assert!(out.contains("warning: audit_chain: no link yet"), "{out}");
    ok(run(
        &db,
        &[
            "verdict", "gdp", "--year", "2023", "--status", "green", "--reason", "达标",
        ],
    ));
    assert_eq!(
        text(
            &db,
            "SELECT subject FROM audit_log WHERE action = 'audit_chain_start'"
        ),
        "state when the chain started, not verified before"
    );
    ok(run(&db, &["check"]));
    // From then on, what the first link covers is protected like the rest.
    sql(
        &db,
        &format!("UPDATE observation_version SET value = 0 WHERE {RD_2023}"),
    );
    finds(
        &failed_check(&db),
        &[
            "observation_version tiexi-14th/rd_intensity 2023",
            "value no longer matches",
            "audit_chain_start",
        ],
    );
}
