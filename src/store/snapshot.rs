//! The one read of the pipeline: everything an evaluation and a report need,
//! read in one read transaction, so the lights, the values, the commentary and
//! the edition of a report all describe the same moment of the database.

use super::editions::{latest_edition, latest_edition_from_other_data, PlanDataHasher};
use super::observations::plan_observations;
use super::one_plan_or_all;
use super::plans::{all_plans, find_plan, plan_indicators, plan_structure};
use super::{decode, reports, Store};
use crate::error::{Error, Result};
use crate::model::edition::{EditionHistory, SnapshotEntry};
use crate::model::{
    DataSource, EvaluationInput, ObservationStatus, OfficeVerdict, PlanRecord, ReportKind,
    ReportSnapshot, Status, StoredIndicator, StoredObservation,
};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;

/// The report of `plan` (the only plan when `None`) for `year` (the mid-term
/// year of a mid-term report when `None`), read in one read transaction.
pub fn report_snapshot(
    store: &Store,
    plan: Option<&str>,
    kind: ReportKind,
    year: Option<i32>,
) -> Result<ReportSnapshot> {
    store.read_snapshot(|| {
        let plan = find_plan(store, plan)?;
        let year = plan.report_year(kind, year)?;
        read_report(store, plan, kind, year, None)
    })
}

/// The report of one known plan for a year already checked, read in one read
/// transaction (a batch worker's read). The plan's evaluation input is read
/// only when its data hash differs from `evaluated`, the hash of the data the
/// caller already evaluated.
pub fn plan_report_snapshot(
    store: &Store,
    plan: &PlanRecord,
    kind: ReportKind,
    year: i32,
    evaluated: Option<&str>,
) -> Result<ReportSnapshot> {
    store.read_snapshot(|| read_report(store, plan.clone(), kind, year, evaluated))
}

fn read_report(
    store: &Store,
    plan: PlanRecord,
    kind: ReportKind,
    year: i32,
    evaluated: Option<&str>,
) -> Result<ReportSnapshot> {
    let read = |context: &'static str| move |e| Error::db(store.path(), context, e);
    let PlanObservations {
        data_hash,
        values,
        sources,
        latest_observation,
    } = plan_observations_pass(store.conn(), &plan, year)
        .map_err(read("reading the plan's data"))?;
    let input = match evaluated {
        Some(hash) if hash == data_hash => None,
        _ => Some(read_input(store, Some(&plan))?),
    };
    let structure = plan_structure(store.conn(), plan.id).map_err(read("reading plan chapters"))?;
    let commentary = reports::commentaries(store.conn(), plan.id, kind, year)
        .map_err(read("reading commentary"))?;
    let latest_office = reports::latest_office_change(store.conn(), plan.id, kind, year)
        .map_err(read("reading the latest change"))?;
    // Timestamps are ISO 8601 texts, so the later is the greater, as SQL's max.
    let latest_change = latest_observation.max(latest_office);
    let editions = EditionHistory {
        values,
        latest: latest_edition(store, &plan, kind, year)?,
        previous: latest_edition_from_other_data(store, &plan, kind, year, &data_hash)?,
        data_hash,
    };
    Ok(ReportSnapshot {
        plan,
        kind,
        year,
        input,
        structure,
        commentary,
        sources,
        latest_change,
        editions,
    })
}

/// What a report takes from its plan's observations.
struct PlanObservations {
    /// The data hash (see `editions::data_hash`).
    data_hash: String,
    /// Every current value, by indicator code and year, for the edition's snapshot.
    values: Vec<SnapshotEntry>,
    /// The departments, with what they supplied up to the report year.
    sources: Vec<DataSource>,
    /// When the latest observation up to the report year was recorded.
    latest_observation: Option<String>,
}

/// Reads the plan's observations once, in indicator code and year order (the
/// data hash's order), for the hash, the edition's values, the data sources and
/// the latest change: four reads of the same rows cost a fifth of a batch.
fn plan_observations_pass(
    conn: &Connection,
    plan: &PlanRecord,
    year: i32,
) -> rusqlite::Result<PlanObservations> {
    let catalog_hash: String = conn
        .prepare_cached("SELECT catalog_hash FROM plan WHERE id = ?1")?
        .query_row([plan.id], |r| r.get(0))?;
    let mut hasher = PlanDataHasher::new(&catalog_hash);
    let mut sources = reports::departments(conn, plan.id)?;
    let mut values = Vec::new();
    let mut latest_observation: Option<String> = None;
    let mut stmt = conn.prepare_cached(
        "SELECT i.code, o.year, o.value, o.value_kind, o.status,
                i.department_code, o.source, o.recorded_at
         FROM observation o
         JOIN indicator i ON i.id = o.indicator_id
         WHERE i.plan_id = ?1 ORDER BY i.code, o.year",
    )?;
    let mut rows = stmt.query([plan.id])?;
    while let Some(row) = rows.next()? {
        let code = row.get_ref(0)?.as_str()?;
        let observed: i32 = row.get(1)?;
        let value: f64 = row.get(2)?;
        let status = row.get_ref(4)?.as_str()?;
        hasher.add(code, observed, value, row.get_ref(3)?.as_str()?, status);
        values.push(SnapshotEntry {
            code: code.to_owned(),
            year: observed,
            value,
            status: ObservationStatus::parse(status).unwrap_or(ObservationStatus::Preliminary),
        });
        if observed > year {
            continue;
        }
        let recorded_at = row.get_ref(7)?.as_str()?;
        if latest_observation.as_deref() < Some(recorded_at) {
            latest_observation = Some(recorded_at.to_owned());
        }
        let department = row.get_ref(5)?.as_str()?;
        if let Ok(at) = sources.binary_search_by(|s| s.code.as_str().cmp(department)) {
            add_supplied(&mut sources[at], row.get_ref(6)?.as_str_or_null()?);
        }
    }
    for source in &mut sources {
        source.sources.sort();
    }
    Ok(PlanObservations {
        data_hash: hasher.finish(),
        values,
        sources,
        latest_observation,
    })
}

/// Counts one observation a department supplied and keeps its source text
/// once, if it has one.
fn add_supplied(department: &mut DataSource, source: Option<&str>) {
    department.observations += 1;
    if let Some(source) = source.filter(|s| !s.trim().is_empty()) {
        if !department.sources.iter().any(|s| s == source) {
            department.sources.push(source.to_owned());
        }
    }
}

/// What the evaluation of `plan` needs, or of every plan when `plan` is None.
///
/// One plan is read on the caller's connection, inside its read transaction if
/// it has one. For every plan, the catalog side is read in one read transaction
/// of its own and the observations on a second connection at the same time.
pub fn evaluation_input(store: &Store, plan: Option<&PlanRecord>) -> Result<EvaluationInput> {
    match plan {
        Some(_) => read_input(store, plan),
        None => store.read_snapshot(|| read_input(store, None)),
    }
}

fn read_input(store: &Store, plan: Option<&PlanRecord>) -> Result<EvaluationInput> {
    let read = |e| Error::db(store.path(), "reading data for the evaluation", e);
    let plans = match plan {
        Some(plan) => vec![plan.clone()],
        None => all_plans(store)?,
    };
    let plan_id = plan.map(|p| p.id);
    let (indicators, observations) = match plan {
        Some(_) => (
            plan_indicators(store.conn(), plan_id),
            plan_observations(store.conn(), plan_id),
        ),
        None => read_in_parallel(store, plan_id),
    };
    Ok(EvaluationInput {
        indicators: indicators.map_err(read)?,
        observations: observations.map_err(read)?,
        verdicts: office_verdicts(store.conn(), plan_id).map_err(read)?,
        catalog_hashes: catalog_hashes(store.conn(), plan_id).map_err(read)?,
        plans,
    })
}

/// For every plan at once, observations are read on a second connection in
/// parallel with the catalog: for thousands of plans, turning rows into values
/// is most of the load time.
fn read_in_parallel(
    store: &Store,
    plan_id: Option<i64>,
) -> (
    rusqlite::Result<Vec<StoredIndicator>>,
    rusqlite::Result<Vec<StoredObservation>>,
) {
    let path = store.path();
    std::thread::scope(|scope| {
        let observations = scope.spawn(move || {
            let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            plan_observations(&conn, plan_id)
        });
        let indicators = plan_indicators(store.conn(), plan_id);
        let observations = observations
            .join()
            .unwrap_or_else(|_| Err(rusqlite::Error::InvalidQuery));
        (indicators, observations)
    })
}

/// The office's verdicts by (indicator id, year), of one plan or of all.
fn office_verdicts(
    conn: &Connection,
    plan_id: Option<i64>,
) -> rusqlite::Result<HashMap<(i64, i32), OfficeVerdict>> {
    let mut stmt = conn.prepare_cached(&one_plan_or_all(
        include_str!("../../sql/select_office_verdicts.sql"),
        "i.plan_id = ?1",
        plan_id,
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(plan_id), |r| {
        Ok((
            (r.get(0)?, r.get(1)?),
            OfficeVerdict {
                status: decode(r, 2, Status::parse)?,
                reason: r.get(3)?,
                recorded_by: r.get(4)?,
                recorded_at: r.get(5)?,
            },
        ))
    })?;
    rows.collect()
}

/// The catalog hash of every plan (or of one), by plan id.
fn catalog_hashes(
    conn: &Connection,
    plan_id: Option<i64>,
) -> rusqlite::Result<HashMap<i64, String>> {
    let mut stmt = conn.prepare_cached(&one_plan_or_all(
        "SELECT id, catalog_hash FROM plan",
        "id = ?1",
        plan_id,
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(plan_id), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}
