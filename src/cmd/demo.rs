//! `planeval demo --out DIR`: build DIR/demo.db from the built-in catalog and
//! illustrative observations, then publish the annual report for the last demo
//! year and the mid-term evaluation into DIR in every available format, each
//! recorded as its first edition. The
//! database is built under a temporary name and renamed, so a repeated or
//! overlapping run never leaves half a file.

use super::report::SOURCE_DATE_EPOCH;
use crate::error::{exit, Error, Result};
use crate::evaluate::Thresholds;
use crate::model::ReportKind;
use crate::pipeline;
use crate::report::templates::Templates;
use crate::report::{FontChoice, Renderers, ReportRequest, AVAILABLE_FORMATS};
use crate::store::catalog;
use crate::store::db::build_new_database;
use crate::store::demo::{builtin_recipe, write_demo, DEMO_SOURCE};
use crate::store::plans::{find_plan, load_catalog};
use crate::store::Store;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `planeval demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for demo.db and the reports.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
}

/// File name of the demo database inside the output directory.
pub const DEMO_DB: &str = "demo.db";

/// Runs `planeval demo`; the value is the exit code.
pub fn run(args: &DemoArgs) -> Result<u8> {
    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let db = args.out.join(DEMO_DB);
    build_new_database(&db, fill_demo_db)?;
    tracing::info!(
        "{}: demo database (all observations illustrative)",
        db.display()
    );
    write_reports(&db, &args.out)?;
    Ok(exit::OK)
}

/// Publishes the demo's annual report (last demo year) and mid-term evaluation,
/// with the default thresholds and the built-in templates, and records them.
fn write_reports(db: &Path, dir: &Path) -> Result<()> {
    let mut store = Store::open(db)?;
    let last_year = builtin_recipe()?.last_year;
    let source_date_epoch = std::env::var(SOURCE_DATE_EPOCH).ok();
    let renderers = Renderers::new(
        Templates::new(None)?,
        AVAILABLE_FORMATS,
        &FontChoice::Bundled,
        false,
    )?;
    for (kind, year) in [
        (ReportKind::Annual, Some(last_year)),
        (ReportKind::Midterm, None),
    ] {
        let request = ReportRequest {
            kind,
            year,
            plan: None,
            commentary_dir: None,
            source_date_epoch: source_date_epoch.as_deref(),
        };
        let run = pipeline::run_report(
            &mut store,
            &Thresholds::default(),
            &request,
            AVAILABLE_FORMATS,
            &renderers,
            dir,
        )?;
        let context = &run.prepared.context;
        // The demo database was made by this run, so it can always be written.
        for warning in run.published.warnings.iter().chain(&run.unrecorded) {
            tracing::warn!("{}", warning);
        }
        for path in &run.published.paths {
            tracing::info!("{}: {} (demo data)", path.display(), context.report.title);
        }
    }
    Ok(())
}

fn fill_demo_db(store: &mut Store) -> Result<()> {
    let catalog = catalog::parse(&catalog::builtin_tiexi())?;
    let recipe = builtin_recipe()?;
    load_catalog(store, &catalog)?;
    let plan = find_plan(store, Some(&catalog.plan.code))?;
    let written = write_demo(store, &plan, &recipe, DEMO_SOURCE)?;
    tracing::debug!("{written} illustrative observations for {}", plan.code);
    Ok(())
}
