//! Importing departments' figures: the fill-in form they receive, the files they
//! send back, and the checks between the two and the database.
//!
//! The pipeline is `read` (files into rows of cells, any encoding or format
//! problem noted) → `plan` (every row checked against the catalog and the
//! current values, every problem collected, the change of each row decided) →
//! `apply` (all changes in one transaction, or none). docs/import.md describes
//! the workflow and every rule.

pub mod columns;
pub mod form;
pub mod number;
pub mod plan;
pub mod read;
pub mod rules;

use self::columns::Column;
use self::plan::{
    plan_import, plan_import_streaming, Action, ImportCatalog, ImportPlan, ImportRequest,
    PlannedValue,
};
use self::read::SourceFile;
use super::audit::{self, Link};
use super::db::{now_utc, Decision, Store};
use super::observations::{write_observations, NewObservation, Recording};
use super::plans::PlanRecord;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt;

/// How serious a problem is: any error rejects the whole import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about an import file, at a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    /// The file as the user named it.
    pub file: String,
    /// The row as a spreadsheet shows it; problems with the whole file are at row 1.
    pub row: u32,
    /// The indicator code of the row, when it has one.
    pub code: Option<String>,
    /// The column the problem is in, when it is in one.
    pub field: Option<Column>,
    pub message: String,
}

impl fmt::Display for Problem {
    /// `FILE:ROW: code: [warning: ][column: ]problem`, one line, so the list can
    /// be grepped, sorted and sent back to the department as it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: ",
            self.file,
            self.row,
            self.code.as_deref().unwrap_or("-")
        )?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if let Some(field) = self.field {
            write!(f, "{}: ", field.describe())?;
        }
        f.write_str(&self.message)
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// Every row's decision and every problem.
    pub plan: ImportPlan,
    /// The batch id written with the changed rows, when anything was written.
    pub batch: Option<String>,
}

/// Reads what the rows of an import for `plan` are checked against, in one read
/// transaction on `store`'s connection.
pub fn read_catalog(store: &Store, plan: &PlanRecord) -> Result<ImportCatalog> {
    store.read_snapshot(|| {
        ImportCatalog::read(store.conn(), plan.id)
            .map_err(|e| Error::db(store.path(), "reading the catalog to check against", e))
    })
}

/// Checks `files` against `catalog` and, when they hold no error and this is
/// not a dry run, writes every change in one transaction.
///
/// The catalog may have been read before the write lock was taken (while the
/// files were being read). Under the lock it is read again if any other
/// connection has committed since; then the files are checked on another thread
/// while this one writes the rows already found valid. An error anywhere rolls
/// everything back. So what is validated is exactly what the database holds
/// when the values are written (a value another process finalised meanwhile is
/// never overwritten unnoticed), and the check costs no time of its own.
/// `catalog` must have been read on `store`'s connection: SQLite's data version
/// means nothing on another.
pub fn import_files(
    store: &mut Store,
    plan: &PlanRecord,
    files: &[SourceFile],
    mut catalog: ImportCatalog,
    request: &ImportRequest,
    dry_run: bool,
) -> Result<ImportOutcome> {
    if dry_run {
        return Ok(ImportOutcome {
            plan: plan_import(&catalog, plan, files, request),
            batch: None,
        });
    }
    let path = store.path().to_path_buf();
    let recorded_at = now_utc();
    let (checked, batch) = store.write_or_roll_back("importing values", |tx| {
        if !catalog
            .is_current(tx)
            .map_err(|e| Error::db(&path, "checking the import", e))?
        {
            catalog = ImportCatalog::read(tx, plan.id)
                .map_err(|e| Error::db(&path, "reading the catalog again", e))?;
        }
        let write_error = |e| Error::db(&path, "writing imported values", e);
        let head = audit::head(tx).map_err(write_error)?;
        let batch = batch_id(
            files,
            request,
            &recorded_at,
            head.as_ref().map(|h| h.hash.as_str()),
        );
        let recording = Recording {
            recorded_by: &request.user,
            recorded_at: &recorded_at,
            illustrative: false,
            change_reason: request.reason.as_deref(),
            import_batch: Some(&batch),
        };
        let (checked, written, link) =
            check_and_write(tx, &catalog, plan, files, request, &recording, &batch)
                .map_err(write_error)?;
        if checked.errors() > 0 {
            return Ok(Decision::RollBack((checked, None)));
        }
        if written == 0 {
            return Ok(Decision::Commit((checked, None)));
        }
        audit_import(tx, link, plan, files, request, &checked, &batch).map_err(write_error)?;
        Ok(Decision::Commit((checked, Some(batch))))
    })?;
    Ok(ImportOutcome {
        plan: checked,
        batch,
    })
}

/// How many changes the checking thread hands to the writing one at a time: few
/// enough messages not to matter, a multiple of the rows one statement writes.
const CHANGES_PER_HANDOVER: usize = 8192;

/// Checks `files` on another thread and writes the changes it finds valid on
/// this one, in runs, as they come. Returns the check, how many rows were
/// written and the link of `batch` for the audit chain, which the checking
/// thread fills and prepares while this one writes; when the check has errors,
/// the caller must roll back.
fn check_and_write(
    tx: &rusqlite::Transaction<'_>,
    catalog: &ImportCatalog,
    plan: &PlanRecord,
    files: &[SourceFile],
    request: &ImportRequest,
    recording: &Recording<'_>,
    batch: &str,
) -> rusqlite::Result<(ImportPlan, usize, Link)> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<PlannedValue>>(4);
    std::thread::scope(|scope| {
        let checker = scope.spawn(move || {
            let mut run = Vec::with_capacity(CHANGES_PER_HANDOVER);
            let mut link = Link::for_batch(batch);
            link.reserve(files.iter().map(|f| f.rows.len()).sum());
            // A send fails only when the writer has failed and stopped listening;
            // the check then runs to its end, and its result goes unused.
            let checked = plan_import_streaming(catalog, plan, files, request, |value| {
                if value.action != Action::Unchanged {
                    link.record_observation(recording, &new_observation(value, request));
                    run.push(value.clone());
                }
                if run.len() == CHANGES_PER_HANDOVER {
                    let _ = sender.send(std::mem::take(&mut run));
                }
            });
            if checked.errors() == 0 {
                if !run.is_empty() {
                    let _ = sender.send(run);
                }
                link.prepare();
            }
            (checked, link)
        });
        let mut written = Ok(0);
        for mut changes in &receiver {
            // In key order, so SQLite appends to its indexes instead of seeking.
            changes.sort_unstable_by_key(|v| (v.indicator_id, v.year));
            let rows = changes.iter().map(|v| new_observation(v, request));
            written =
                written.and_then(|total| Ok(total + write_observations(tx, recording, rows)?));
            if written.is_err() {
                break;
            }
        }
        // Dropped before waiting for the checker, which may be blocked on a send.
        drop(receiver);
        let (checked, link) = checker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.map(|written| (checked, written, link))
    })
}

/// The row a checked value becomes.
fn new_observation<'a>(v: &'a PlannedValue, request: &'a ImportRequest) -> NewObservation<'a> {
    NewObservation {
        indicator_id: v.indicator_id,
        year: v.year,
        value: v.value,
        value_kind: v.value_kind,
        status: v.status,
        source: v.source.as_deref(),
        department: &request.department,
        note: v.note.as_deref(),
    }
}

/// `20250314T101502Z-1a2b3c4d`: when, and a digest of the files, the department
/// and the audit chain's head (`previous`, the newest link's hash), so two
/// batches are told apart in the history and the audit log even when the same
/// files are imported twice within a second.
pub fn batch_id(
    files: &[SourceFile],
    request: &ImportRequest,
    now: &str,
    previous: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.name.as_bytes());
        hasher.update(file.digest.as_bytes());
    }
    hasher.update(request.department.as_bytes());
    hasher.update(previous.unwrap_or_default().as_bytes());
    let digest = super::catalog::hex(&hasher.finalize());
    let compact: String = now.chars().filter(|c| *c != '-' && *c != ':').collect();
    format!("{compact}-{}", &digest[..8])
}

/// The audit-log entry of an import, with its link: the batch, who, how, the
/// files and the counts.
fn audit_import(
    tx: &rusqlite::Transaction<'_>,
    link: Link,
    plan: &PlanRecord,
    files: &[SourceFile],
    request: &ImportRequest,
    checked: &ImportPlan,
    batch: &str,
) -> rusqlite::Result<()> {
    let detail = serde_json::json!({
        "batch": batch,
        "department": request.department,
        "as_office": request.as_office,
        "status": request.status.as_str(),
        "revise": request.revise,
        "reason": request.reason,
        "files": files.iter().map(|f| serde_json::json!({"name": f.name, "sha256": f.digest})).collect::<Vec<_>>(),
        "new": checked.count(Action::New),
        "changed": checked.count(Action::Change),
        "revised": checked.count(Action::Revise),
        "finalized": checked.count(Action::Finalize),
        "unchanged": checked.count(Action::Unchanged),
        "left_empty": checked.left_empty,
    });
    audit::append(tx, link, "import", &plan.code, &detail.to_string())
}

#[cfg(test)]
mod tests {
    use super::read::read_file;
    use super::*;
    use crate::model::ObservationStatus;
    use crate::store::catalog::{builtin_tiexi, parse};
    use crate::store::plans::{find_plan, load_catalog};

    fn request(status: ObservationStatus) -> ImportRequest {
        ImportRequest {
            department: "stats".into(),
            as_office: true,
            status,
            revise: false,
            reason: None,
            user: "tester".into(),
        }
    }

    fn import(store: &mut Store, file: &SourceFile, status: ObservationStatus) -> ImportOutcome {
        let plan = find_plan(store, None).unwrap();
        let catalog = read_catalog(store, &plan).unwrap();
        import_files(
            store,
            &plan,
            std::slice::from_ref(file),
            catalog,
            &request(status),
            false,
        )
        .unwrap()
    }

    #[test]
    fn an_error_after_rows_were_written_rolls_all_of_them_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create_or_open(&dir.path().join("t.db")).unwrap();
        let catalog = crate::store::synth::synthesize_wide(&mut store, 2_000).unwrap();
        let mut csv = String::from("code,year,value\n");
        for indicator in &catalog.indicators {
            for year in 2021..=2025 {
                csv.push_str(&format!("{},{year},1\n", indicator.code));
            }
        }
        // Found only after more than one run of changes has been written.
        csv.push_str("no_such_code,2023,1\n");
        assert!(catalog.indicators.len() * 5 > CHANGES_PER_HANDOVER);
        let path = dir.path().join("big.csv");
        std::fs::write(&path, csv).unwrap();

        let outcome = import(
            &mut store,
            &read_file(&path),
            ObservationStatus::Preliminary,
        );
        assert_eq!(outcome.plan.errors(), 1, "{:?}", outcome.plan.problems);
        assert_eq!(outcome.batch, None);
        let count = |store: &Store, sql: &str| -> i64 {
            store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
        };
        assert_eq!(count(&store, "SELECT count(*) FROM observation"), 0);
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM audit_log WHERE action = 'import'"
            ),
            0
        );

        // The same file without the bad row writes every value, in runs.
        let good: String = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|line| !line.starts_with("no_such_code"))
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(&path, good).unwrap();
        let outcome = import(
            &mut store,
            &read_file(&path),
            ObservationStatus::Preliminary,
        );
        assert!(outcome.batch.is_some(), "{:?}", outcome.plan.problems);
        assert_eq!(count(&store, "SELECT count(*) FROM observation"), 10_000);
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM audit_log WHERE action = 'import'"
            ),
            1
        );
    }

    #[test]
    fn a_value_finalised_after_the_check_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let mut store = Store::create_or_open(&db).unwrap();
        load_catalog(&mut store, &parse(&builtin_tiexi()).unwrap()).unwrap();
        let plan = find_plan(&store, None).unwrap();
        let csv = |name: &str, value: &str| {
            let path = dir.path().join(name);
            std::fs::write(
                &path,
                format!("code,year,value\nrd_intensity,2023,{value}\n"),
            )
            .unwrap();
            read_file(&path)
        };
        // This import's check runs against the database before the other one commits…
        let stale = read_catalog(&store, &plan).unwrap();
        assert!(stale.is_current(store.conn()).unwrap());
        // …which records a final value meanwhile.
        let mut other = Store::open(&db).unwrap();
        let first = import(
            &mut other,
            &csv("final.csv", "3.3"),
            ObservationStatus::Final,
        );
        assert!(first.batch.is_some());
        assert!(!stale.is_current(store.conn()).unwrap());

        let late = csv("late.csv", "3.5");
        let outcome = import_files(
            &mut store,
            &plan,
            std::slice::from_ref(&late),
            stale,
            &request(ObservationStatus::Preliminary),
            false,
        )
        .unwrap();
        // Checked again under the lock: changing a final value needs --revise.
        assert_eq!(outcome.plan.errors(), 1, "{:?}", outcome.plan.problems);
        assert_eq!(outcome.batch, None);
        let value: f64 = store
            .conn()
            .query_row("SELECT value FROM observation", [], |r| r.get(0))
            .unwrap();
        assert_eq!(value, 3.3);
    }
}
