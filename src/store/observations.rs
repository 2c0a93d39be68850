//! Observed values: writing them (every replaced value is kept in
//! `observation_version` by the schema's triggers) and reading them back for the
//! evaluation.

use super::decode;
use crate::model::{ObservationStatus, ValueKind};
use rusqlite::{Connection, Statement, ToSql, Transaction};

/// One value to record for an indicator and year. The text is borrowed: an
/// import writes a million rows that share their batch, user and time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation<'a> {
    pub indicator_id: i64,
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
    pub status: ObservationStatus,
    pub source: Option<&'a str>,
    pub department: &'a str,
    pub recorded_by: &'a str,
    pub recorded_at: &'a str,
    /// Demo or synthetic data: never to be presented as official.
    pub illustrative: bool,
    pub change_reason: Option<&'a str>,
    pub import_batch: Option<&'a str>,
    /// What the department wrote beside the value (the form's 备注 column).
    pub note: Option<&'a str>,
}

/// How many observations one statement writes: enough that SQLite's per-statement
/// journal work no longer shows, while the parameters stay far below its limit
/// of 32,766.
const ROWS_PER_STATEMENT: usize = 256;

/// The parameters of one row in upsert_observation.sql.
const PARAMETERS_PER_ROW: usize = 13;

/// Inserts new observations, or replaces the current ones for the same
/// indicator and year; the schema's trigger keeps every replaced version. Each
/// indicator and year may appear once. Returns how many rows were written.
pub fn write_observations<'a>(
    tx: &Transaction<'_>,
    observations: impl IntoIterator<Item = NewObservation<'a>>,
) -> rusqlite::Result<usize> {
    let mut observations = observations.into_iter();
    let full_sql = upsert_sql(ROWS_PER_STATEMENT);
    let mut chunk = Vec::with_capacity(ROWS_PER_STATEMENT);
    let mut written = 0;
    loop {
        chunk.clear();
        chunk.extend(observations.by_ref().take(ROWS_PER_STATEMENT));
        if chunk.is_empty() {
            return Ok(written);
        }
        // Only a last, short chunk needs a statement of its own size.
        let mut upsert = if chunk.len() == ROWS_PER_STATEMENT {
            tx.prepare_cached(&full_sql)?
        } else {
            tx.prepare_cached(&upsert_sql(chunk.len()))?
        };
        for (row, o) in chunk.iter().enumerate() {
            bind_observation(&mut upsert, row * PARAMETERS_PER_ROW, o)?;
        }
        upsert.raw_execute()?;
        written += chunk.len();
    }
}

fn upsert_sql(rows: usize) -> String {
    let group = format!("({})", vec!["?"; PARAMETERS_PER_ROW].join(", "));
    include_str!("../../sql/upsert_observation.sql")
        .replace("{rows}", &vec![group; rows].join(",\n       "))
}

/// Binds one observation to the row's parameters after `offset`, in the column
/// order of upsert_observation.sql.
fn bind_observation(
    stmt: &mut Statement<'_>,
    offset: usize,
    o: &NewObservation<'_>,
) -> rusqlite::Result<()> {
    let values: [&dyn ToSql; PARAMETERS_PER_ROW] = [
        &o.indicator_id,
        &o.year,
        &o.value,
        &o.value_kind.as_str(),
        &o.status.as_str(),
        &o.source,
        &o.department,
        &o.recorded_by,
        &o.recorded_at,
        &o.illustrative,
        &o.change_reason,
        &o.import_batch,
        &o.note,
    ];
    for (index, value) in values.into_iter().enumerate() {
        stmt.raw_bind_parameter(offset + index + 1, value)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::catalog::{builtin_tiexi, parse};
    use crate::store::plans::{find_plan, load_catalog, plan_indicators};
    use crate::store::Store;

    fn observation(indicator_id: i64, year: i32, value: f64) -> NewObservation<'static> {
        NewObservation {
            indicator_id,
            year,
            value,
            value_kind: ValueKind::Level,
            status: ObservationStatus::Preliminary,
            source: Some("test"),
            department: "stats",
            recorded_by: "tester",
            recorded_at: "2026-01-01T00:00:00Z",
            illustrative: false,
            change_reason: None,
            import_batch: None,
            note: None,
        }
    }

    #[test]
    fn many_rows_are_written_across_statements_and_replacements_keep_history() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create_or_open(&dir.path().join("t.db")).unwrap();
        load_catalog(&mut store, &parse(&builtin_tiexi()).unwrap()).unwrap();
        let plan = find_plan(&store, None).unwrap();
        let ids: Vec<i64> = plan_indicators(store.conn(), Some(plan.id))
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        // 106 indicators × 5 years = 530 rows: two full statements and a short one.
        let keys: Vec<(i64, i32)> = ids
            .iter()
            .flat_map(|&id| (2021..=2025).map(move |year| (id, year)))
            .collect();
        assert!(keys.len() > 2 * ROWS_PER_STATEMENT);
        let write = |store: &mut Store, keys: &[(i64, i32)], value: f64| {
            let rows = keys.iter().map(|&(id, year)| observation(id, year, value));
            store
                .write("test", |tx| {
                    Ok(write_observations(tx, rows.clone()).unwrap())
                })
                .unwrap()
        };
        assert_eq!(write(&mut store, &keys, 1.0), keys.len());
        assert_eq!(write(&mut store, &keys[..300], 2.0), 300);
        let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM observation"), keys.len() as i64);
        assert_eq!(
            count("SELECT count(*) FROM observation WHERE value = 2.0"),
            300
        );
        assert_eq!(
            count("SELECT count(*) FROM observation_version WHERE ended_by = 'update' AND value = 1.0"),
            300
        );
        assert_eq!(
            count("SELECT count(*) FROM v_observation_event WHERE action = 'insert'"),
            keys.len() as i64
        );
    }
}
