//! `planeval export --year Y --out FILE`: the evaluation table as CSV or XLSX.

use super::Output;
use crate::atomic::write_atomically;
use crate::cli::{ExportArgs, TableFormat};
use crate::error::{exit, Error, Result};
use crate::evaluate::{evaluate, load_input, Config};
use crate::export::{to_csv, to_xlsx};
use crate::store::plans::find_plan;
use crate::store::Store;
use std::path::Path;

pub fn run(db: &Path, args: &ExportArgs, out: Output) -> Result<u8> {
    let format = args
        .format
        .or_else(|| TableFormat::from_path(&args.out))
        .ok_or_else(|| {
            Error::Usage(format!(
                "--out {}: give --format csv|xlsx or name the file .csv or .xlsx",
                args.out.display()
            ))
        })?;
    let config = Config::load(None)?;
    let store = Store::open(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    if !(plan.period_start..=plan.period_end).contains(&args.year) {
        return Err(Error::Usage(format!(
            "--year {} is outside plan {} ({}–{})",
            args.year, plan.code, plan.period_start, plan.period_end
        )));
    }
    let input = load_input(&store, Some(&plan))?;
    let evaluation = evaluate(&input, args.year, &config.thresholds)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Evaluate(format!("plan {} was not evaluated", plan.code)))?;
    let bytes = match format {
        TableFormat::Csv => to_csv(&evaluation).map_err(|e| Error::io(&args.out, e))?,
        TableFormat::Xlsx => {
            to_xlsx(&evaluation).map_err(|e| Error::io(&args.out, std::io::Error::other(e)))?
        }
    };
    write_atomically(&args.out, &bytes)?;
    out.info(format!(
        "{}: evaluation of {} for {}, {} indicator(s)",
        args.out.display(),
        plan.code,
        args.year,
        evaluation.indicators.len()
    ));
    Ok(exit::OK)
}
