//! The one way through the library: read the store's snapshot of a report,
//! evaluate it, build the format-neutral context, render and write the files,
//! and only then record the report's edition.
//!
//! `planeval report`, `planeval demo` and the batch over every plan ([`batch`])
//! all go through [`publish_and_record`], so an edition is recorded in one
//! place, once its files are written; the report layer itself reads and
//! writes no database.

pub mod batch;

use crate::error::{Error, Result};
use crate::evaluate::{self, PlanEvaluation, Thresholds};
use crate::model::ReportSnapshot;
use crate::report::{self, Format, Prepared, Published, Renderers, ReportRequest};
use crate::store::{editions, snapshot, Store};
use std::path::Path;

/// One report, published: what it printed, the files written, and the warning
/// when its edition could not be recorded on a read-only database.
pub struct ReportRun {
    /// The context and edition the files were rendered from.
    pub prepared: Prepared,
    /// The files written and the renderers' warnings.
    pub published: Published,
    /// Why the edition was not recorded, when the database may only be read.
    pub unrecorded: Option<String>,
}

/// Reads, evaluates, builds, renders, writes and records the report `request`
/// asks for, into `out_dir`.
pub fn run_report(
    store: &mut Store,
    thresholds: &Thresholds,
    request: &ReportRequest<'_>,
    formats: &[Format],
    renderers: &Renderers,
    out_dir: &Path,
) -> Result<ReportRun> {
    let prepared = prepare(store, thresholds, request)?;
    publish_and_record(store, prepared, formats, renderers, out_dir)
}

/// Reads the store's snapshot of the report, evaluates the plan for the report
/// year and builds the context; writes nothing.
pub fn prepare(
    store: &Store,
    thresholds: &Thresholds,
    request: &ReportRequest<'_>,
) -> Result<Prepared> {
    let snapshot = snapshot::report_snapshot(store, request.plan, request.kind, request.year)?;
    let evaluation = evaluate_snapshot(&snapshot, thresholds)?;
    report::build_context(&snapshot, thresholds, &evaluation, request)
}

/// Evaluates the plan of a report snapshot for its year.
pub fn evaluate_snapshot(
    snapshot: &ReportSnapshot,
    thresholds: &Thresholds,
) -> Result<PlanEvaluation> {
    let input = snapshot.input.as_ref().ok_or_else(|| {
        Error::Evaluate(format!(
            "the snapshot of plan {} holds no data to evaluate",
            snapshot.plan.code
        ))
    })?;
    evaluate::evaluate(input, snapshot.year, thresholds)?
        .into_iter()
        .find(|e| e.plan.id == snapshot.plan.id)
        .ok_or_else(|| Error::Evaluate(format!("no evaluation for plan {}", snapshot.plan.code)))
}

/// Writes the prepared report's files, then records its edition if it is new;
/// on a database this user may only read, the files stay and the returned
/// run says why the edition went unrecorded.
pub fn publish_and_record(
    store: &mut Store,
    prepared: Prepared,
    formats: &[Format],
    renderers: &Renderers,
    out_dir: &Path,
) -> Result<ReportRun> {
    let published = report::publish(&prepared.context, formats, renderers, out_dir)?;
    let unrecorded = match prepared.edition.to_record() {
        Some(edition) => editions::record_unless_read_only(store, &edition)?,
        None => None,
    };
    Ok(ReportRun {
        prepared,
        published,
        unrecorded,
    })
}
