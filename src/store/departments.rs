//! The departments that report values: looking one up by the code given on the
//! command line, and telling which one is the statistics office of a plan.

use super::catalog::Department;
use super::db::Store;
use super::plans::PlanRecord;
use crate::error::{Error, Result};
use rusqlite::Connection;

/// Every department, by code.
pub fn all_departments(conn: &Connection) -> rusqlite::Result<Vec<Department>> {
    let mut stmt =
        conn.prepare_cached("SELECT code, name, short_name FROM department ORDER BY code")?;
    let rows = stmt.query_map([], |r| {
        Ok(Department {
            code: r.get(0)?,
            name: r.get(1)?,
            short_name: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// The department with this code, or a usage error that lists the known codes.
pub fn find_department(store: &Store, code: &str) -> Result<Department> {
    let departments = all_departments(store.conn())
        .map_err(|e| Error::db(store.path(), "reading departments", e))?;
    departments
        .iter()
        .find(|d| d.code == code)
        .cloned()
        .ok_or_else(|| {
            let codes: Vec<String> = departments
                .iter()
                .map(|d| format!("{} ({})", d.code, d.short_name))
                .collect();
            Error::Usage(format!(
                "no department `{code}` in {}; departments: {}",
                store.path().display(),
                codes.join(", ")
            ))
        })
}

/// The department that is the plan's statistics office (its name is the
/// plan's `office`), if the catalog lists it as a department.
pub fn office_department(store: &Store, plan: &PlanRecord) -> Result<Option<Department>> {
    let departments = all_departments(store.conn())
        .map_err(|e| Error::db(store.path(), "reading departments", e))?;
    Ok(departments.into_iter().find(|d| d.name == plan.office))
}
