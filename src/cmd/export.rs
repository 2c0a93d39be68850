//! `planeval export --year Y --out FILE`: the evaluation table as CSV or XLSX
//! (the layout of docs/export.md), or `--parquet DIR`: the data as Parquet.

use super::read_store;
use crate::atomic::write_atomically;
use crate::error::{exit, Error, Result};
use crate::evaluate::{evaluate, Config, Method};
use crate::export::parquet::export_parquet;
use crate::export::{evaluation_csv, evaluation_xlsx, TableFormat};
use crate::store::plans::find_plan;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `planeval export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The report year of the evaluation.
    #[arg(long, required_unless_present = "parquet", conflicts_with = "parquet")]
    pub year: Option<i32>,

    /// Output format; by default taken from the extension of --out.
    #[arg(long, value_enum, conflicts_with = "parquet")]
    pub format: Option<TableFormat>,

    /// The file to write.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "parquet",
        conflicts_with = "parquet"
    )]
    pub out: Option<PathBuf>,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long, conflicts_with = "parquet")]
    pub plan: Option<String>,

    /// Instead: write the catalog and observations of every plan as Parquet,
    /// partitioned by plan (DIR/observations/plan=CODE/…), for distributed engines.
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
}

/// Runs `planeval export`; the value is the exit code.
pub fn run(db: &Path, config: Option<&Path>, args: &ExportArgs) -> Result<u8> {
    if let Some(dir) = &args.parquet {
        return parquet(db, dir);
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
    let store = read_store(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    plan.check_year(year, crate::model::YearSpan::Period)?;
    let input = crate::store::snapshot::evaluation_input(&store, Some(&plan))?;
    let evaluation = evaluate(&input, year, &config.thresholds)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Evaluate(format!("plan {} was not evaluated", plan.code)))?;
    let bytes = match format {
        TableFormat::Csv => evaluation_csv(std::slice::from_ref(&evaluation), Method::PlanPath)
            .map_err(|e| Error::io(out_file, e))?,
        TableFormat::Xlsx => evaluation_xlsx(&evaluation, Method::PlanPath)
            .map_err(|e| Error::io(out_file, std::io::Error::other(e)))?,
    };
    write_atomically(out_file, &bytes)?;
    tracing::info!(
        "{}: evaluation of {} for {}, {} indicator(s)",
        out_file.display(),
        plan.code,
        year,
        evaluation.indicators.len()
    );
    Ok(exit::OK)
}

/// `export --parquet DIR`: every plan's catalog and observations, partitioned by plan.
fn parquet(db: &Path, dir: &Path) -> Result<u8> {
    let store = read_store(db)?;
    let started = std::time::Instant::now();
    let summary = export_parquet(&store, dir)?;
    tracing::info!(
        "{}: {} plans, {} indicators, {} observations in {} Parquet files ({:.2} s)",
        dir.display(),
        summary.plans,
        summary.indicators,
        summary.observations,
        summary.files,
        started.elapsed().as_secs_f64()
    );
    Ok(exit::OK)
}
