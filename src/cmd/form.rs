//! `planeval form --department D --year Y --out FILE`: write the fill-in form
//! a department returns to the office, as XLSX or CSV (by the file's extension).

use crate::atomic::write_atomically;
use crate::error::{exit, Error, Result};
use crate::export::TableFormat;
use crate::store::departments::find_department;
use crate::store::import::form::{build_form, form_csv, form_xlsx};
use crate::store::plans::find_plan;
use crate::store::Store;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `planeval form`.
#[derive(Debug, Args)]
pub struct FormArgs {
    /// Department code (see `planeval plan`), e.g. `sci`.
    #[arg(long)]
    pub department: String,

    /// The year the form asks values for.
    #[arg(long)]
    pub year: i32,

    /// The form to write; .xlsx or .csv decides the format.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Runs `planeval form`; the value is the exit code.
pub fn run(db: &Path, args: &FormArgs) -> Result<u8> {
    let format = TableFormat::from_path(&args.out).ok_or_else(|| {
        Error::Usage(format!(
            "--out {}: the form is written as .xlsx or .csv; name the file accordingly",
            args.out.display()
        ))
    })?;
    let store = Store::open_read_only(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    let department = find_department(&store, &args.department)?;
    plan.check_year(args.year, crate::model::YearSpan::WithBaseYear)?;
    let form = build_form(store.conn(), &plan, &department, args.year)
        .map_err(|e| Error::db(db, "reading the department's indicators", e))?;
    if form.rows.is_empty() {
        return Err(Error::Usage(format!(
            "department `{}` ({}) is responsible for no indicator of plan {}",
            department.code, department.short_name, plan.code
        )));
    }
    let bytes = match format {
        TableFormat::Csv => form_csv(&form).map_err(|e| Error::io(&args.out, e))?,
        TableFormat::Xlsx => {
            form_xlsx(&form).map_err(|e| Error::io(&args.out, std::io::Error::other(e)))?
        }
    };
    write_atomically(&args.out, &bytes)?;
    tracing::info!(
        "{}: {} form for {} ({}), {} indicator(s), year {}",
        args.out.display(),
        plan.code,
        department.code,
        department.short_name,
        form.rows.len(),
        args.year
    );
    Ok(exit::OK)
}
