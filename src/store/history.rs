//! The trail of an indicator's values: every insert, change and deletion with
//! who, when and why. The schema keeps the current value in `observation` and
//! every replaced one in `observation_version`; the view `v_observation_event`
//! turns the two into events.

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
    /// The operating-system account recorded with the change.
    pub changed_by: Option<String>,
    /// The name the user gave, when it differed from the account.
    pub claimed_by: Option<String>,
    /// The department recorded with the change.
    pub department: Option<String>,
    pub reason: Option<String>,
    pub import_batch: Option<String>,
}

/// The history of one indicator, oldest first.
pub fn indicator_history(
    conn: &Connection,
    indicator_id: i64,
) -> rusqlite::Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare_cached(include_str!("../../sql/select_history.sql"))?;
    let rows = stmt.query_map([indicator_id], |r| {
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
            claimed_by: r.get(11)?,
        })
    })?;
    rows.collect()
}
