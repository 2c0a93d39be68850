//! `planeval missing --year Y`: the values departments still owe for a year.
//! Exit code 4 when anything is missing, so a cron job can send reminders.

use super::print;
use super::text_table::{render, Align};
use crate::error::{exit, Error, Result};
use crate::store::departments::find_department;
use crate::store::missing::missing_values;
use crate::store::plans::find_plan;
use crate::store::Store;
use clap::Args;
use std::collections::BTreeMap;
use std::path::Path;

/// Arguments of `planeval missing`.
#[derive(Debug, Args)]
pub struct MissingArgs {
    /// The year whose values are checked.
    #[arg(long)]
    pub year: i32,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,

    /// Only this department's indicators.
    #[arg(long)]
    pub department: Option<String>,
}

/// Runs `planeval missing`; the value is the exit code.
pub fn run(db: &Path, args: &MissingArgs) -> Result<u8> {
    let store = Store::open_read_only(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    if let Some(code) = &args.department {
        find_department(&store, code)?;
    }
    plan.check_year(args.year, crate::model::YearSpan::WithBaseYear)?;
    let missing = missing_values(store.conn(), plan.id, args.year, args.department.as_deref())
        .map_err(|e| Error::db(db, "reading missing values", e))?;
    if missing.is_empty() {
        tracing::info!("{}: every value for {} is in", plan.code, args.year);
        return Ok(exit::OK);
    }
    let rows: Vec<Vec<String>> = missing
        .iter()
        .map(|m| {
            vec![
                m.department.clone(),
                m.department_short_name.clone(),
                m.code.clone(),
                m.name.clone(),
                m.unit.clone(),
            ]
        })
        .collect();
    // A list that did not arrive must not pass for one sent: the write error
    // (exit 1) wins over "values missing" (exit 4).
    print(&render(
        &[
            ("department", Align::Left),
            ("部门", Align::Left),
            ("code", Align::Left),
            ("指标", Align::Left),
            ("单位", Align::Left),
        ],
        &rows,
    ))?;
    let mut by_department: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &missing {
        *by_department.entry(m.department.as_str()).or_default() += 1;
    }
    let owed: Vec<String> = by_department
        .iter()
        .map(|(department, n)| format!("{department} {n}"))
        .collect();
    Err(Error::DataMissing(format!(
        "{} value(s) for {} still missing from {} department(s): {}",
        missing.len(),
        args.year,
        by_department.len(),
        owed.join(", ")
    )))
}
