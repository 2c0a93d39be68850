//! Observed values: writing them (every replaced value is kept in
//! `observation_version` by the schema's triggers), what of a written value the
//! audit chain hashes, and reading values back for the evaluation.

use super::decode;
use crate::model::{ObservationStatus, ValueKind};

pub use crate::model::StoredObservation;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Statement, ToSql, Transaction};

/// One value to record for an indicator and year. The text is borrowed: an
/// import writes a million of them.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation<'a> {
    pub indicator_id: i64,
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
    pub status: ObservationStatus,
    pub source: Option<&'a str>,
    pub department: &'a str,
    /// What the department wrote beside the value (the form's 备注 column).
    pub note: Option<&'a str>,
}

/// Who recorded a set of values, when and why: the same for every row of one
/// write, so each statement binds it once instead of once per row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recording<'a> {
    pub recorded_by: &'a str,
    pub recorded_at: &'a str,
    /// Demo or synthetic data: never to be presented as official.
    pub illustrative: bool,
    pub change_reason: Option<&'a str>,
    pub import_batch: Option<&'a str>,
}

/// How many observations one statement writes: enough that SQLite's per-statement
/// journal work no longer shows, while the parameters stay far below its limit
/// of 32,766.
const ROWS_PER_STATEMENT: usize = 256;

/// The parameters shared by every row of a statement: `?1` to `?5`.
const RECORDING_PARAMETERS: usize = 5;

/// The parameters of each row, after the shared ones.
const PARAMETERS_PER_ROW: usize = 8;

/// Inserts new observations, or replaces the current ones for the same
/// indicator and year, all recorded as `recording` says; the schema's trigger
/// keeps every replaced version. Each indicator and year may appear once.
/// Returns how many rows were written.
pub fn write_observations<'a>(
    tx: &Transaction<'_>,
    recording: &Recording<'_>,
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
        bind_recording(&mut upsert, recording)?;
        for (row, o) in chunk.iter().enumerate() {
            bind_observation(&mut upsert, row_offset(row), o)?;
        }
        upsert.raw_execute()?;
        written += chunk.len();
    }
}

/// How many parameters come before those of the row at `row` in a statement.
fn row_offset(row: usize) -> usize {
    RECORDING_PARAMETERS + row * PARAMETERS_PER_ROW
}

/// The statement for `rows` rows: each row's group takes its own parameters
/// but the last, then the shared `?1`-`?5`, then its last (the note), in the
/// column order of upsert_observation.sql.
fn upsert_sql(rows: usize) -> String {
    let note = PARAMETERS_PER_ROW - 1;
    let groups: Vec<String> = (0..rows)
        .map(|row| {
            let own = |index: usize| format!("?{}", row_offset(row) + index + 1);
            let mut group: Vec<String> = (0..note).map(own).collect();
            group.extend((1..=RECORDING_PARAMETERS).map(|shared| format!("?{shared}")));
            group.push(own(note));
            format!("({})", group.join(", "))
        })
        .collect();
    include_str!("../../sql/upsert_observation.sql").replace("{rows}", &groups.join(",\n       "))
}

/// The columns of an observation version the audit chain hashes, in hashing
/// order. `observation` and `observation_version` name them alike, so a value
/// hashes the same while it is current and after a later write replaced it.
pub const VERSION_COLUMNS: [&str; 13] = [
    "indicator_id",
    "year",
    "value",
    "value_kind",
    "status",
    "source",
    "note",
    "department_code",
    "recorded_by",
    "recorded_at",
    "illustrative",
    "change_reason",
    "import_batch",
];

/// What [`write_observations`] stores for `o` under `recording`, in the order
/// of [`VERSION_COLUMNS`] and with the types SQLite gives back: an import hashes
/// its rows from these while writing them, instead of reading them back.
pub fn version_values<'a>(
    recording: &Recording<'a>,
    o: &NewObservation<'a>,
) -> [ValueRef<'a>; VERSION_COLUMNS.len()] {
    let text = |t: &'a str| ValueRef::Text(t.as_bytes());
    let optional = |t: Option<&'a str>| t.map_or(ValueRef::Null, text);
    [
        ValueRef::Integer(o.indicator_id),
        ValueRef::Integer(i64::from(o.year)),
        ValueRef::Real(o.value),
        text(o.value_kind.as_str()),
        text(o.status.as_str()),
        optional(o.source),
        optional(o.note),
        text(o.department),
        text(recording.recorded_by),
        text(recording.recorded_at),
        ValueRef::Integer(i64::from(recording.illustrative)),
        optional(recording.change_reason),
        optional(recording.import_batch),
    ]
}

fn bind_recording(stmt: &mut Statement<'_>, recording: &Recording<'_>) -> rusqlite::Result<()> {
    let values: [&dyn ToSql; RECORDING_PARAMETERS] = [
        &recording.recorded_by,
        &recording.recorded_at,
        &recording.illustrative,
        &recording.change_reason,
        &recording.import_batch,
    ];
    bind_from(stmt, 0, values)
}

/// Binds one observation to the row's parameters after `offset`.
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
        &o.note,
    ];
    bind_from(stmt, offset, values)
}

fn bind_from<const N: usize>(
    stmt: &mut Statement<'_>,
    offset: usize,
    values: [&dyn ToSql; N],
) -> rusqlite::Result<()> {
    for (index, value) in values.into_iter().enumerate() {
        stmt.raw_bind_parameter(offset + index + 1, value)?;
    }
    Ok(())
}

/// Observations of one plan (or of all plans when `plan_id` is None), in storage
/// order: the evaluation sorts them itself, so SQLite can read the table straight.
pub fn plan_observations(
    conn: &Connection,
    plan_id: Option<i64>,
) -> rusqlite::Result<Vec<StoredObservation>> {
    let mut stmt = conn.prepare_cached(&super::one_plan_or_all(
        "SELECT indicator_id, year, value, value_kind, status, illustrative FROM observation",
        "indicator_id IN (SELECT id FROM indicator WHERE plan_id = ?1)",
        plan_id,
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(plan_id), |r| {
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
            note: None,
        }
    }

    const RECORDING: Recording<'static> = Recording {
        recorded_by: "tester",
        recorded_at: "2026-01-01T00:00:00Z",
        illustrative: false,
        change_reason: Some("test"),
        import_batch: Some("b1"),
    };

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
                    Ok(write_observations(tx, &RECORDING, rows.clone()).unwrap())
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
        // Every row carries the shared recording and its own values.
        assert_eq!(
            count(
                "SELECT count(*) FROM observation WHERE recorded_by = 'tester'
                 AND recorded_at = '2026-01-01T00:00:00Z' AND illustrative = 0
                 AND change_reason = 'test' AND import_batch = 'b1'
                 AND department_code = 'stats' AND source = 'test' AND note IS NULL
                 AND status = 'preliminary' AND value_kind = 'level'
                 AND year BETWEEN 2021 AND 2025"
            ),
            keys.len() as i64
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
