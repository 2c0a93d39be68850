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
use crate::text::escape_controls;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, BinaryHeap};
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
    /// be grepped, sorted and sent back to the department as it is. What came
    /// from a file (cells quoted in the message, the code, the file name) is
    /// shown with its control characters escaped, so a cell cannot drive the
    /// terminal or break the line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: ",
            escape_controls(&self.file),
            self.row,
            escape_controls(self.code.as_deref().unwrap_or("-"))
        )?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if let Some(field) = self.field {
            write!(f, "{}: ", field.describe())?;
        }
        f.write_str(&escape_controls(&self.message))
    }
}

/// How many problems an import keeps to list. Beyond them problems are only
/// counted: a file of a million bad rows is fixed from its first problems, and
/// must not cost a million messages' worth of memory.
pub const LISTED_PROBLEMS: usize = 100;

/// Problems as they are found: the first [`LISTED_PROBLEMS`] in file, row and
/// severity order (and, among equals, the order they were found in), and the
/// count of all of them.
#[derive(Debug, Clone, Default)]
pub struct ProblemList {
    /// The problems kept, the one that sorts last on top, to be dropped first.
    kept: BinaryHeap<Ranked>,
    errors: usize,
    warnings: usize,
    /// The files (by index) with at least one error.
    files_with_errors: BTreeSet<usize>,
    /// How many problems were pushed: the tie-break that keeps finding order.
    pushed: u64,
}

/// A problem with the position it sorts at: file index, row, severity, and
/// when it was found.
#[derive(Debug, Clone)]
struct Ranked {
    key: (usize, u32, Severity, u64),
    problem: Problem,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl ProblemList {
    /// Counts `problem`, found in the `file`-th file of the import, and keeps
    /// it if it is among the first [`LISTED_PROBLEMS`].
    pub fn push(&mut self, file: usize, problem: Problem) {
        match problem.severity {
            Severity::Error => {
                self.errors += 1;
                self.files_with_errors.insert(file);
            }
            Severity::Warning => self.warnings += 1,
        }
        let key = (file, problem.row, problem.severity, self.pushed);
        self.pushed += 1;
        if self.kept.len() == LISTED_PROBLEMS {
            match self.kept.peek() {
                Some(last) if last.key > key => {
                    self.kept.pop();
                }
                _ => return,
            }
        }
        self.kept.push(Ranked { key, problem });
    }

    /// Adds the problems of one file, found while reading it, as the `file`-th
    /// file of the import: those it kept, and the count of those it did not.
    /// Those it did not keep sort after the ones it kept, so they could not be
    /// among the first here either.
    pub fn absorb(&mut self, file: usize, read: &ProblemList) {
        let (mut errors, mut warnings) = (read.errors, read.warnings);
        for problem in read.sorted() {
            match problem.severity {
                Severity::Error => errors -= 1,
                Severity::Warning => warnings -= 1,
            }
            self.push(file, problem.clone());
        }
        self.errors += errors;
        self.warnings += warnings;
        if errors > 0 {
            self.files_with_errors.insert(file);
        }
    }

    /// How many errors were found, listed or not.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// How many problems were found, listed or not.
    pub fn len(&self) -> usize {
        self.errors + self.warnings
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many files have errors.
    pub fn files_with_errors(&self) -> usize {
        self.files_with_errors.len()
    }

    /// The problems kept, in order.
    pub fn sorted(&self) -> Vec<&Problem> {
        let mut kept: Vec<&Ranked> = self.kept.iter().collect();
        kept.sort_unstable();
        kept.into_iter().map(|ranked| &ranked.problem).collect()
    }

    /// The problems kept, in order, and how many were not kept.
    pub fn into_listed(self) -> (Vec<Problem>, usize) {
        let unlisted = self.len() - self.kept.len();
        let listed = self
            .kept
            .into_sorted_vec()
            .into_iter()
            .map(|ranked| ranked.problem)
            .collect();
        (listed, unlisted)
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

    fn problem(row: u32, severity: Severity) -> Problem {
        Problem {
            severity,
            file: "f.csv".into(),
            row,
            code: None,
            field: None,
            message: format!("at {row}"),
        }
    }

    #[test]
    fn a_problem_list_keeps_the_first_problems_in_order_and_counts_all() {
        let mut list = ProblemList::default();
        // Found out of order: a file's read problems, then its rows' problems.
        for row in (2..=LISTED_PROBLEMS as u32 + 60).rev() {
            list.push(1, problem(row, Severity::Error));
        }
        list.push(1, problem(3, Severity::Warning));
        list.push(0, problem(900, Severity::Warning));
        assert_eq!(
            (list.errors(), list.len()),
            (LISTED_PROBLEMS + 59, LISTED_PROBLEMS + 61)
        );
        assert_eq!(list.files_with_errors(), 1);
        let (listed, unlisted) = list.into_listed();
        assert_eq!((listed.len(), unlisted), (LISTED_PROBLEMS, 61));
        let order: Vec<(u32, Severity)> = listed[..4].iter().map(|p| (p.row, p.severity)).collect();
        assert_eq!(
            order,
            [
                (900, Severity::Warning),
                (2, Severity::Error),
                (3, Severity::Error),
                (3, Severity::Warning)
            ]
        );
    }

    #[test]
    fn a_files_problems_that_were_not_kept_are_still_counted() {
        let mut read = ProblemList::default();
        for row in 2..LISTED_PROBLEMS as u32 + 12 {
            read.push(0, problem(row, Severity::Error));
        }
        let mut all = ProblemList::default();
        all.push(0, problem(5, Severity::Warning));
        all.absorb(1, &read);
        assert_eq!(
            (all.errors(), all.files_with_errors()),
            (LISTED_PROBLEMS + 10, 1)
        );
        let (listed, unlisted) = all.into_listed();
        assert_eq!((listed[0].severity, listed[1].row), (Severity::Warning, 2));
        assert_eq!(unlisted, 11);
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
