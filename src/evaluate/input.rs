//! Loading what the evaluation reads for one plan from the store: the plan,
//! its indicators, its observations and the office's own verdicts.

use super::frame::EvaluationInput;
use super::result::OfficeVerdict;
use super::rules::Status;
use crate::error::{Error, Result};
use crate::store::observations::plan_observations;
use crate::store::plans::{plan_indicators, PlanRecord};
use crate::store::Store;
use rusqlite::Connection;
use std::collections::HashMap;

/// The evaluation input of one plan.
pub fn load_input(store: &Store, plan: &PlanRecord) -> Result<EvaluationInput> {
    let conn = store.conn();
    let read = |context: &'static str| move |e| Error::db(store.path(), context, e);
    Ok(EvaluationInput {
        plans: vec![plan.clone()],
        indicators: plan_indicators(conn, Some(plan.id)).map_err(read("reading indicators"))?,
        observations: plan_observations(conn, Some(plan.id))
            .map_err(read("reading observations"))?,
        verdicts: office_verdicts(conn, plan.id).map_err(read("reading office verdicts"))?,
    })
}

/// The office's verdicts of a plan by (indicator id, year).
fn office_verdicts(
    conn: &Connection,
    plan_id: i64,
) -> rusqlite::Result<HashMap<(i64, i32), OfficeVerdict>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.indicator_id, v.year, v.status, v.reason, v.recorded_by, v.recorded_at
         FROM office_verdict v JOIN indicator i ON i.id = v.indicator_id
         WHERE i.plan_id = ?1",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        let status: String = r.get(2)?;
        let status = Status::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("unexpected verdict status `{status}`").into(),
            )
        })?;
        Ok((
            (r.get(0)?, r.get(1)?),
            OfficeVerdict {
                status,
                reason: r.get(3)?,
                recorded_by: r.get(4)?,
                recorded_at: r.get(5)?,
            },
        ))
    })?;
    rows.collect()
}
