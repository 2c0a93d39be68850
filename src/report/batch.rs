//! Reports for many plans in one run: one evaluation over every plan, then each
//! plan's report rendered on a bounded thread pool into `OUT/<plan code>/`.
//! Every worker reads through its own connection and each report depends only
//! on its own plan (editions are numbered per plan), so the bytes do not depend
//! on the order of rendering.

use super::{build_context, publish, Format, Published, Renderers, ReportRequest};
use crate::error::{Error, Result};
use crate::evaluate::{PlanEvaluation, Thresholds};
use crate::store::Store;
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Renders and writes the report of every evaluated plan with `jobs` threads,
/// recording each report's edition once its files are written; `progress` is
/// told how many reports are done after each one.
#[allow(clippy::too_many_arguments)] // one call site per caller; a struct would only rename these
pub fn publish_all(
    db: &Path,
    thresholds: &Thresholds,
    evaluations: &[PlanEvaluation],
    request: &ReportRequest<'_>,
    formats: &[Format],
    renderers: &Renderers,
    out_dir: &Path,
    jobs: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Published>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {jobs} rendering threads: {e}")))?;
    let done = AtomicUsize::new(0);
    pool.install(|| {
        evaluations
            .par_iter()
            .map_init(
                || Store::open(db),
                |worker, evaluation| {
                    let worker = worker.as_mut().map_err(|e| {
                        Error::Usage(format!("cannot open a worker connection: {e}"))
                    })?;
                    let prepared = worker
                        .read_snapshot(|| build_context(worker, thresholds, evaluation, request))?;
                    let published = publish(
                        &prepared.context,
                        formats,
                        renderers,
                        &out_dir.join(&evaluation.plan.code),
                    )
                    .and_then(|published| {
                        prepared.edition.record(worker)?;
                        Ok(published)
                    });
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                    published
                },
            )
            .collect()
    })
}
