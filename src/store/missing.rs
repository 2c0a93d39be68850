//! Values still owed: for a year, the indicators with no recorded value, with
//! the department responsible for each, so the office knows whom to remind.

use rusqlite::Connection;

/// One indicator without a value for the year asked about.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MissingValue {
    pub department: String,
    pub department_short_name: String,
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// The indicators of a plan (of one department, if given) with no value for
/// `year`, by department and catalog order.
pub fn missing_values(
    conn: &Connection,
    plan_id: i64,
    year: i32,
    department: Option<&str>,
) -> rusqlite::Result<Vec<MissingValue>> {
    let mut stmt = conn.prepare_cached(include_str!("../../sql/missing_values.sql"))?;
    let rows = stmt.query_map(rusqlite::params![plan_id, year, department], |r| {
        Ok(MissingValue {
            department: r.get(0)?,
            department_short_name: r.get(1)?,
            code: r.get(2)?,
            name: r.get(3)?,
            unit: r.get(4)?,
        })
    })?;
    rows.collect()
}
