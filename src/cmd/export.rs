//! `planeval export --year Y --out FILE`: the evaluation table as CSV or XLSX.

use super::{read_store, Output};
use crate::atomic::write_atomically;
use crate::cli::{ExportArgs, TableFormat};
use crate::error::{exit, Error, Result};
use crate::evaluate::{evaluate, Config};
use crate::export::{to_csv, to_xlsx};
use crate::store::parquet::export_parquet;
use crate::store::plans::find_plan;
use std::path::Path;

pub fn run(db: &Path, config: Option<&Path>, args: &ExportArgs, out: Output) -> Result<u8> {
    if let Some(dir) = &args.parquet {
        return parquet(db, dir, out);
    }
    let (Some(year), Some(out_file)) = (args.year, args.out.as_deref()) else {
        return Err(Error::Usage(
            "export needs --year and --out (or --parquet DIR)".into(),
        ));
    };
    let format = args
        .format
        .or_else(|| TableFormat::from_path(out_file))
        .ok_or_else(|| {
            Error::Usage(format!(
                "--out {}: give --format csv|xlsx or name the file .csv or .xlsx",
                out_file.display()
            ))
        })?;
    let config = Config::load(config)?;
    let store = read_store(db, out)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    plan.check_year(year, crate::model::YearSpan::Period)?;
    let input = crate::store::snapshot::evaluation_input(&store, Some(&plan))?;
    let evaluation = evaluate(&input, year, &config.thresholds)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Evaluate(format!("plan {} was not evaluated", plan.code)))?;
    let bytes = match format {
        TableFormat::Csv => to_csv(&evaluation).map_err(|e| Error::io(out_file, e))?,
        TableFormat::Xlsx => {
            to_xlsx(&evaluation).map_err(|e| Error::io(out_file, std::io::Error::other(e)))?
        }
    };
    write_atomically(out_file, &bytes)?;
    out.info(format!(
        "{}: evaluation of {} for {}, {} indicator(s)",
        out_file.display(),
        plan.code,
        year,
        evaluation.indicators.len()
    ));
    Ok(exit::OK)
}

/// `export --parquet DIR`: every plan's catalog and observations, partitioned by plan.
fn parquet(db: &Path, dir: &Path, out: Output) -> Result<u8> {
    let store = read_store(db, out)?;
    let started = std::time::Instant::now();
    let summary = export_parquet(&store, dir)?;
    out.info(format!(
        "{}: {} plans, {} indicators, {} observations in {} Parquet files ({:.2} s)",
        dir.display(),
        summary.plans,
        summary.indicators,
        summary.observations,
        summary.files,
        started.elapsed().as_secs_f64()
    ));
    Ok(exit::OK)
}
