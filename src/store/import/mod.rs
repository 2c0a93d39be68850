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
use self::plan::{plan_import, Action, ImportCatalog, ImportPlan, ImportRequest, PlannedValue};
use self::read::SourceFile;
use super::db::{now_utc, Store};
use super::observations::{write_observations, NewObservation, Recording};
use super::plans::{audit, PlanRecord};
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

/// Checks `files` against `catalog` and, when they hold no error and this is
/// not a dry run, writes every change in one transaction.
///
/// The catalog may have been read before the write lock was taken (while the
/// files were being read). Inside the write transaction the check stands only
/// if no other process has committed since; otherwise the catalog is read again
/// under the lock and the files checked again. Either way, what is validated is
/// exactly what the database holds when the values are written, so a value
/// another process finalised in between is never overwritten unnoticed.
pub fn import_files(
    store: &mut Store,
    plan: &PlanRecord,
    files: &[SourceFile],
    mut catalog: ImportCatalog,
    request: &ImportRequest,
    dry_run: bool,
) -> Result<ImportOutcome> {
    let path = store.path().to_path_buf();
    let mut checked = plan_import(&catalog, plan, files, request);
    if dry_run {
        return Ok(ImportOutcome {
            plan: checked,
            batch: None,
        });
    }
    let batch = batch_id(files, request, &now_utc());
    store.write("importing values", |tx| {
        let db_error = |e| Error::db(&path, "checking the import against the database", e);
        if !catalog.is_current(tx).map_err(db_error)? {
            catalog = ImportCatalog::read(tx, plan.id).map_err(db_error)?;
            checked = plan_import(&catalog, plan, files, request);
        }
        // A rejected import commits nothing: nothing is written before this.
        if checked.errors() == 0 && checked.changes().next().is_some() {
            apply(tx, plan, files, request, &checked, &batch)
                .map_err(|e| Error::db(&path, "writing imported values", e))?;
        }
        Ok(())
    })?;
    let written = checked.errors() == 0 && checked.changes().next().is_some();
    Ok(ImportOutcome {
        plan: checked,
        batch: written.then_some(batch),
    })
}

/// `20250314T101502Z-1a2b3c4d`: when, and a digest of the files and the request,
/// so two batches are told apart in the history and the audit log.
pub fn batch_id(files: &[SourceFile], request: &ImportRequest, now: &str) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.name.as_bytes());
        hasher.update(file.digest.as_bytes());
    }
    hasher.update(request.department.as_bytes());
    let digest = super::catalog::hex(&hasher.finalize());
    let compact: String = now.chars().filter(|c| *c != '-' && *c != ':').collect();
    format!("{compact}-{}", &digest[..8])
}

fn apply(
    tx: &rusqlite::Transaction<'_>,
    plan: &PlanRecord,
    files: &[SourceFile],
    request: &ImportRequest,
    checked: &ImportPlan,
    batch: &str,
) -> rusqlite::Result<()> {
    let recorded_at = now_utc();
    // In key order, so SQLite appends to its indexes instead of seeking all over
    // them; the history keeps the same order.
    let mut changes: Vec<&PlannedValue> = checked.changes().collect();
    changes.sort_unstable_by_key(|v| (v.indicator_id, v.year));
    let recording = Recording {
        recorded_by: &request.user,
        recorded_at: &recorded_at,
        illustrative: false,
        change_reason: request.reason.as_deref(),
        import_batch: Some(batch),
    };
    write_observations(
        tx,
        &recording,
        changes.into_iter().map(|value| NewObservation {
            indicator_id: value.indicator_id,
            year: value.year,
            value: value.value,
            value_kind: value.value_kind,
            status: value.status,
            source: value.source.as_deref(),
            department: &request.department,
            note: value.note.as_deref(),
        }),
    )?;
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
    audit(tx, "import", &plan.code, &detail.to_string())
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
        let catalog = ImportCatalog::read(store.conn(), plan.id).unwrap();
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
        let stale = store
            .read_snapshot(|| Ok(ImportCatalog::read(store.conn(), plan.id).unwrap()))
            .unwrap();
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
