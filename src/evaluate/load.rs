//! Reading what the evaluation needs from the store: plans, indicators,
//! observations and the office's verdicts, for one plan or for all of them.

use super::frame::EvaluationInput;
use super::result::OfficeVerdict;
use super::rules::Status;
use crate::error::{Error, Result};
use crate::store::editions::catalog_hashes;
use crate::store::observations::plan_observations;
use crate::store::plans::{all_plans, plan_indicators, PlanRecord};
use crate::store::Store;
use rusqlite::{Connection, OpenFlags};

/// Loads the inputs of `plan`, or of every plan when `plan` is None.
///
/// One plan is read on the caller's connection, inside its read transaction if
/// it has one, so everything a report shows comes from one snapshot. For every
/// plan, the catalog side is read in one read transaction of its own and the
/// observations on a second connection at the same time.
pub fn load_input(store: &Store, plan: Option<&PlanRecord>) -> Result<EvaluationInput> {
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
        verdicts: office_verdicts(store, plan_id).map_err(read)?,
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
    rusqlite::Result<Vec<crate::store::plans::StoredIndicator>>,
    rusqlite::Result<Vec<crate::store::observations::StoredObservation>>,
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

fn office_verdicts(
    store: &Store,
    plan_id: Option<i64>,
) -> rusqlite::Result<std::collections::HashMap<(i64, i32), OfficeVerdict>> {
    let mut stmt = store.conn().prepare(
        "SELECT v.indicator_id, v.year, v.status, v.reason, v.recorded_by, v.recorded_at
         FROM office_verdict v JOIN indicator i ON i.id = v.indicator_id
         WHERE ?1 IS NULL OR i.plan_id = ?1",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok((
            (r.get(0)?, r.get(1)?),
            OfficeVerdict {
                status: crate::store::decode(r, 2, Status::parse)?,
                reason: r.get(3)?,
                recorded_by: r.get(4)?,
                recorded_at: r.get(5)?,
            },
        ))
    })?;
    rows.collect()
}
