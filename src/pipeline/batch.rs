//! Reports for many plans in one run: one evaluation over every plan, then each
//! plan's report rendered on a bounded thread pool into `OUT/<plan code>/`.
//! Every worker reads its plan's snapshot through its own connection and each report depends only
//! on its own plan (editions are numbered per plan), so the bytes do not depend
//! on the order of rendering.
//!
//! A worker's snapshot is later than the batch's: a department may have
//! imported in between. Each worker therefore compares the data hash of its
//! plan in its own snapshot with the hash of what the batch evaluated, and
//! evaluates the plan again when they differ, so a report's lights and its
//! edition (hash, change annex) always describe the same data.

use super::{evaluate_snapshot, publish_and_record};
use crate::error::{Error, Result};
use crate::evaluate::{PlanEvaluation, Thresholds};
use crate::report::{build_context, Format, Published, Renderers, ReportRequest};
use crate::store::snapshot::plan_report_snapshot;
use crate::store::Store;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Renders and writes the report of every evaluated plan with `jobs` threads,
/// recording each report's edition once its files are written; `evaluated`
/// holds the data hash of what each evaluation was computed from (see
/// `store::editions::data_hashes`); `progress` is told how many reports are done
/// after each one.
#[allow(clippy::too_many_arguments)] // one call site per caller; a struct would only rename these
pub fn publish_all(
    db: &Path,
    thresholds: &Thresholds,
    evaluations: &[PlanEvaluation],
    evaluated: &HashMap<i64, String>,
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
                    let plan = &evaluation.plan;
                    let evaluated_hash = evaluated.get(&plan.id).map(String::as_str);
                    let snapshot = plan_report_snapshot(
                        worker,
                        plan,
                        request.kind,
                        evaluation.year,
                        evaluated_hash,
                    )?;
                    // The snapshot holds data to evaluate only when its data
                    // differs from what the batch evaluated.
                    let published = match snapshot.input {
                        None => build_context(&snapshot, thresholds, evaluation, request),
                        Some(_) => {
                            let fresh = evaluate_snapshot(&snapshot, thresholds)?;
                            build_context(&snapshot, thresholds, &fresh, request)
                        }
                    }
                    .and_then(|prepared| {
                        publish_and_record(
                            worker,
                            prepared,
                            formats,
                            renderers,
                            &out_dir.join(&plan.code),
                        )
                    })
                    .map(|run| {
                        let mut published = run.published;
                        published.warnings.extend(run.unrecorded);
                        published
                    });
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                    published
                },
            )
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate;
    use crate::model::ReportKind;
    use crate::report::templates::Templates;
    use crate::report::FontChoice;
    use crate::store::editions::{data_hash, data_hashes};
    use crate::store::snapshot::evaluation_input;
    use crate::store::synth::synthesize;

    const YEAR: i32 = 2024;

    fn synthetic_store(dir: &Path) -> Store {
        let mut store = Store::create_or_open(&dir.join("t.db")).unwrap();
        synthesize(&mut store, 2, 7, |_| {}).unwrap();
        store
    }

    fn publish_html(
        store: &Store,
        evaluations: &[PlanEvaluation],
        evaluated: &HashMap<i64, String>,
        out: &Path,
    ) {
        let request = ReportRequest {
            kind: ReportKind::Annual,
            year: Some(YEAR),
            plan: None,
            commentary_dir: None,
            source_date_epoch: Some("1767225600"),
        };
        let renderers = Renderers::new(
            Templates::new(None).unwrap(),
            &[Format::Html],
            &FontChoice::Bundled,
            false,
        )
        .unwrap();
        publish_all(
            store.path(),
            &Thresholds::default(),
            evaluations,
            evaluated,
            &request,
            &[Format::Html],
            &renderers,
            out,
            1,
            &|_| {},
        )
        .unwrap();
    }

    fn html_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|plan| plan.unwrap().path())
            .map(|plan| {
                let file = plan.join(format!("annual-{YEAR}.html"));
                (file.display().to_string(), std::fs::read(&file).unwrap())
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(name, bytes)| (name.replace(&dir.display().to_string(), ""), bytes))
            .collect()
    }

    #[test]
    fn the_batch_hashes_what_it_evaluated_as_the_database_does() {
        let dir = tempfile::tempdir().unwrap();
        let store = synthetic_store(dir.path());
        let input = evaluation_input(&store, None).unwrap();
        let hashes = data_hashes(&input);
        assert_eq!(hashes.len(), 2);
        for plan in &input.plans {
            let hash = &hashes[&plan.id];
            assert_eq!(hash, &data_hash(&store, plan).unwrap(), "{}", plan.code);
            // A worker given that hash does not read the data again.
            let read = |evaluated| {
                plan_report_snapshot(&store, plan, ReportKind::Annual, YEAR, evaluated).unwrap()
            };
            assert!(read(Some(hash.as_str())).input.is_none(), "{}", plan.code);
            assert!(read(Some("other")).input.is_some(), "{}", plan.code);
        }
    }

    #[test]
    fn a_batch_evaluated_before_an_import_publishes_the_imported_data() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = synthetic_store(dir.path());
        let thresholds = Thresholds::default();
        let input = evaluation_input(&store, None).unwrap();
        let stale = evaluate::evaluate(&input, YEAR, &thresholds).unwrap();
        let stale_hashes = data_hashes(&input);
        // A department imports between the batch's evaluation and its workers.
        store
            .write("test", |tx| {
                Ok(tx
                    .execute(
                        "UPDATE observation SET value = value * 0.5 WHERE year = ?1",
                        [YEAR],
                    )
                    .unwrap())
            })
            .unwrap();
        let raced = dir.path().join("raced");
        publish_html(&store, &stale, &stale_hashes, &raced);
        let input = evaluation_input(&store, None).unwrap();
        let fresh = evaluate::evaluate(&input, YEAR, &thresholds).unwrap();
        let fresh_dir = dir.path().join("fresh");
        publish_html(&store, &fresh, &data_hashes(&input), &fresh_dir);
        assert_eq!(html_files(&raced), html_files(&fresh_dir));
        // Without the check the stale lights would have been published.
        let ignored = dir.path().join("ignored");
        let pretend_fresh: HashMap<i64, String> = input
            .plans
            .iter()
            .map(|p| (p.id, data_hash(&store, p).unwrap()))
            .collect();
        publish_html(&store, &stale, &pretend_fresh, &ignored);
        assert_ne!(html_files(&ignored), html_files(&fresh_dir));
    }
}
