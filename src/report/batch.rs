//! Reports for many plans in one run: one evaluation over every plan, then each
//! plan's report rendered on a bounded thread pool into `OUT/<plan code>/`.
//! Every worker reads through its own connection and each report depends only
//! on its own plan (editions are numbered per plan), so the bytes do not depend
//! on the order of rendering.
//!
//! A worker's snapshot is later than the batch's: a department may have
//! imported in between. Each worker therefore compares the data hash of its
//! plan in its own snapshot with the hash of what the batch evaluated, and
//! evaluates the plan again when they differ, so a report's lights and its
//! edition (hash, change annex) always describe the same data.

use super::{build_context, evaluate_plan, publish, Format, Published, Renderers, ReportRequest};
use crate::error::{Error, Result};
use crate::evaluate::{EvaluationInput, PlanEvaluation, Thresholds};
use crate::store::editions::PlanDataHasher;
use crate::store::Store;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The data hash of every plan as `input` holds it (the same hash
/// `editions::data_hash` computes from the database), by plan id.
pub fn evaluated_data_hashes(input: &EvaluationInput) -> HashMap<i64, String> {
    let codes: HashMap<i64, (i64, &str)> = input
        .indicators
        .iter()
        .map(|i| (i.id, (i.plan_id, i.definition.code.as_str())))
        .collect();
    // Every plan gets an entry: one without observations has a hash too.
    let mut by_plan: HashMap<i64, Vec<(&str, i32, usize)>> =
        input.plans.iter().map(|p| (p.id, Vec::new())).collect();
    for (index, o) in input.observations.iter().enumerate() {
        if let Some(&(plan, code)) = codes.get(&o.indicator_id) {
            if let Some(values) = by_plan.get_mut(&plan) {
                values.push((code, o.year, index));
            }
        }
    }
    by_plan
        .into_par_iter()
        .filter_map(|(plan, mut values)| {
            let mut hasher = PlanDataHasher::new(input.catalog_hashes.get(&plan)?);
            values.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            for (code, year, index) in values {
                let o = &input.observations[index];
                hasher.add(
                    code,
                    year,
                    o.value,
                    o.value_kind.as_str(),
                    o.status.as_str(),
                );
            }
            Some((plan, hasher.finish()))
        })
        .collect()
}

/// Renders and writes the report of every evaluated plan with `jobs` threads,
/// recording each report's edition once its files are written; `evaluated`
/// holds the data hash of what each evaluation was computed from (see
/// [`evaluated_data_hashes`]); `progress` is told how many reports are done
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
                    let prepared = worker.read_snapshot(|| {
                        let prepared = build_context(worker, thresholds, evaluation, request)?;
                        let plan = &evaluation.plan;
                        if evaluated.get(&plan.id) == Some(&prepared.edition.data_hash) {
                            return Ok(prepared);
                        }
                        let fresh = evaluate_plan(worker, plan, evaluation.year, thresholds)?;
                        build_context(worker, thresholds, &fresh, request)
                    })?;
                    let published = publish(
                        &prepared.context,
                        formats,
                        renderers,
                        &out_dir.join(&evaluation.plan.code),
                    )
                    .and_then(|mut published| {
                        let unrecorded = prepared.edition.record_unless_read_only(worker)?;
                        published.warnings.extend(unrecorded);
                        Ok(published)
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
    use crate::report::templates::Templates;
    use crate::report::FontChoice;
    use crate::store::editions::data_hash;
    use crate::store::reports::ReportKind;
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
        let input = evaluate::load_input(&store, None).unwrap();
        let hashes = evaluated_data_hashes(&input);
        assert_eq!(hashes.len(), 2);
        for plan in &input.plans {
            assert_eq!(
                hashes[&plan.id],
                data_hash(&store, plan).unwrap(),
                "{}",
                plan.code
            );
        }
    }

    #[test]
    fn a_batch_evaluated_before_an_import_publishes_the_imported_data() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = synthetic_store(dir.path());
        let thresholds = Thresholds::default();
        let input = evaluate::load_input(&store, None).unwrap();
        let stale = evaluate::evaluate(&input, YEAR, &thresholds).unwrap();
        let stale_hashes = evaluated_data_hashes(&input);
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
        let input = evaluate::load_input(&store, None).unwrap();
        let fresh = evaluate::evaluate(&input, YEAR, &thresholds).unwrap();
        let fresh_dir = dir.path().join("fresh");
        publish_html(&store, &fresh, &evaluated_data_hashes(&input), &fresh_dir);
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
