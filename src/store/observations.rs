//! Observed values: writing them (every change lands in `observation_history`
//! through the schema's triggers) and reading them back for the evaluation.

use super::decode;
use crate::model::{ObservationStatus, ValueKind};
use rusqlite::{named_params, Connection, Transaction};

/// One value to record for an indicator and year.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub indicator_id: i64,
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
    pub status: ObservationStatus,
    pub source: Option<String>,
    pub department: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Demo or synthetic data: never to be presented as official.
    pub illustrative: bool,
    pub change_reason: Option<String>,
    pub import_batch: Option<String>,
    /// What the department wrote beside the value (the form's 备注 column).
    pub note: Option<String>,
}

/// Inserts a new observation, or replaces the current one for the same indicator
/// and year; the history trigger keeps the replaced value.
pub fn write_observation(tx: &Transaction<'_>, o: &NewObservation) -> rusqlite::Result<()> {
    tx.prepare_cached(include_str!("../../sql/upsert_observation.sql"))?
        .execute(named_params! {
            ":indicator_id": o.indicator_id, ":year": o.year, ":value": o.value,
            ":value_kind": o.value_kind.as_str(), ":status": o.status.as_str(),
            ":source": o.source, ":department_code": o.department,
            ":recorded_by": o.recorded_by, ":recorded_at": o.recorded_at,
            ":illustrative": o.illustrative, ":change_reason": o.change_reason,
            ":import_batch": o.import_batch, ":note": o.note,
        })
        .map(drop)
}

/// An observation as stored, flattened for the evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObservation {
    pub indicator_id: i64,
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
    pub status: ObservationStatus,
    pub illustrative: bool,
}

/// Observations of one plan (or of all plans when `plan_id` is None), in storage
/// order: the evaluation sorts them itself, so SQLite can read the table straight.
pub fn plan_observations(
    conn: &Connection,
    plan_id: Option<i64>,
) -> rusqlite::Result<Vec<StoredObservation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT indicator_id, year, value, value_kind, status, illustrative FROM observation
         WHERE ?1 IS NULL OR indicator_id IN (SELECT id FROM indicator WHERE plan_id = ?1)",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok(StoredObservation {
            indicator_id: r.get(0)?,
            year: r.get(1)?,
            value: r.get(2)?,
            value_kind: decode(r, 3, ValueKind::parse)?,
            status: decode(r, 4, ObservationStatus::parse)?,
            illustrative: r.get(5)?,
        })
    })?;
    rows.collect()
}
