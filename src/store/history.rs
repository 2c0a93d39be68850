//! The trail of an indicator's values, as the schema's triggers wrote it into
//! `observation_history`: every insert and change with who, when and why.

use rusqlite::Connection;

/// One change of one value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryEntry {
    pub changed_at: String,
    /// insert, update or delete.
    pub action: String,
    pub year: i32,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub old_status: Option<String>,
    pub new_status: Option<String>,
    /// The OS user recorded with the change.
    pub changed_by: Option<String>,
    /// The department recorded with the change.
    pub department: Option<String>,
    pub reason: Option<String>,
    pub import_batch: Option<String>,
}

/// The history of the indicator `code` of a plan, oldest first.
pub fn indicator_history(
    conn: &Connection,
    plan_id: i64,
    code: &str,
) -> rusqlite::Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare_cached(include_str!("../../sql/select_history.sql"))?;
    let rows = stmt.query_map(rusqlite::params![plan_id, code], |r| {
        Ok(HistoryEntry {
            changed_at: r.get(0)?,
            action: r.get(1)?,
            year: r.get(2)?,
            old_value: r.get(3)?,
            new_value: r.get(4)?,
            old_status: r.get(5)?,
            new_status: r.get(6)?,
            changed_by: r.get(7)?,
            department: r.get(8)?,
            reason: r.get(9)?,
            import_batch: r.get(10)?,
        })
    })?;
    rows.collect()
}
