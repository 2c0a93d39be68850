//! `planeval report annual|midterm`: build the report context from the store,
//! render each requested format, write the files atomically, then record the
//! report's edition (unless this data was published as an edition before). With
//! `--all-plans`, one evaluation covers every plan and the reports are rendered
//! in parallel. A run lock keeps overlapping cron runs apart.

use super::progress::Progress;
use super::{open_store, Output};
use crate::cli::{ReportArgs, ReportFormat, ReportName};
use crate::error::{exit, Error, Result};
use crate::evaluate::{self, Config};
use crate::lock::RunLock;
use crate::model::{ReportKind, YearSpan};
use crate::pipeline::{self, batch::publish_all};
use crate::report::templates::Templates;
use crate::report::{FontChoice, Format, Published, Renderers, ReportRequest};
use crate::store::editions::data_hashes;
use crate::store::plans::all_plans;
use crate::store::snapshot::evaluation_input;
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The environment variable that fixes the printed date (reproducible builds).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

pub fn run(db: &Path, config: Option<&Path>, args: &ReportArgs, out: Output) -> Result<u8> {
    let formats = formats(&args.format);
    let font = match &args.font {
        Some(path) => FontChoice::File {
            path: path.clone(),
            face: args.font_index,
        },
        None => FontChoice::Bundled,
    };
    let renderers = Renderers::new(
        Templates::new(args.templates.as_deref())?,
        &formats,
        &font,
        args.strict,
    )?;
    let config = Config::load(config)?;
    let lock_path = args.lock.clone().unwrap_or_else(|| default_lock(db));
    let lock = RunLock::acquire(&lock_path, Duration::from_secs(args.wait))?;
    if !lock.waited.is_zero() {
        out.detail(format!(
            "waited {:.1} s for {}",
            lock.waited.as_secs_f64(),
            lock.path().display()
        ));
    }
    let mut store = open_store(db, out)?;
    let source_date_epoch = std::env::var(SOURCE_DATE_EPOCH).ok();
    let request = ReportRequest {
        kind: report_kind(args.kind),
        year: args.year,
        plan: args.plan.as_deref(),
        commentary_dir: args.commentary.as_deref(),
        source_date_epoch: source_date_epoch.as_deref(),
    };
    if args.all_plans {
        return all_plan_reports(&store, &config, &request, &formats, &renderers, args, out);
    }
    let run = pipeline::run_report(
        &mut store,
        &config.thresholds,
        &request,
        &formats,
        &renderers,
        &args.out,
    )?;
    let (prepared, unrecorded) = (&run.prepared, run.unrecorded);
    let context = &prepared.context;
    announce(&run.published, &context.report.title, out);
    out.detail(format!(
        "{}, data {}{}",
        context.edition.label,
        context.edition.data_hash_short,
        if unrecorded.is_some() {
            " (not recorded)"
        } else if prepared.edition.is_new {
            " (recorded)"
        } else {
            " (published before from the same data)"
        }
    ));
    if let Some(warning) = unrecorded {
        out.warn(warning);
    }
    if context.data_notice.is_some() {
        out.warn("the report shows demo data (labelled 演示数据，非官方统计数据 in the file)");
    }
    Ok(exit::OK)
}

fn announce(published: &Published, title: &str, out: Output) {
    for warning in &published.warnings {
        out.warn(warning);
    }
    for path in &published.paths {
        out.info(format!("{}: {title}", path.display()));
    }
}

/// `DB.report.lock`, next to the database.
fn default_lock(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".report.lock");
    PathBuf::from(name)
}

/// Evaluates every plan in one batch, then renders each plan's report into
/// `OUT/<plan code>/` on a bounded pool; every worker reads through its own
/// connection, so rendering order never changes a byte of any file.
fn all_plan_reports(
    store: &Store,
    config: &Config,
    request: &ReportRequest<'_>,
    formats: &[Format],
    renderers: &Renderers,
    args: &ReportArgs,
    out: Output,
) -> Result<u8> {
    let year = args.year.ok_or_else(|| {
        Error::Usage(
            "--all-plans needs --year (plans may have different mid-term years)".to_string(),
        )
    })?;
    for plan in all_plans(store)? {
        plan.check_year(year, YearSpan::Period)?;
    }
    let input = evaluation_input(store, None)?;
    let evaluations = evaluate::evaluate(&input, year, &config.thresholds)?;
    let evaluated = data_hashes(&input);
    drop(input);
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let progress = Mutex::new(Progress::new("reports", evaluations.len(), out));
    let results = publish_all(
        store.path(),
        &config.thresholds,
        &evaluations,
        &evaluated,
        request,
        formats,
        renderers,
        &args.out,
        jobs,
        &|done| {
            if let Ok(mut progress) = progress.lock() {
                progress.set(done);
            }
        },
    );
    if let Ok(progress) = progress.into_inner() {
        progress.finish();
    }
    let mut files = 0;
    for published in results? {
        for warning in &published.warnings {
            out.warn(warning);
        }
        files += published.paths.len();
    }
    out.info(format!(
        "{} reports of {} plans written under {} ({} files)",
        evaluations.len(),
        evaluations.len(),
        args.out.display(),
        files
    ));
    Ok(exit::OK)
}

/// The library's report kind for a command-line name.
pub fn report_kind(name: ReportName) -> ReportKind {
    match name {
        ReportName::Annual => ReportKind::Annual,
        ReportName::Midterm => ReportKind::Midterm,
    }
}

/// The requested formats in the order given, each once.
fn formats(requested: &[ReportFormat]) -> Vec<Format> {
    let mut formats = Vec::with_capacity(requested.len());
    for format in requested {
        let format = match format {
            ReportFormat::Html => Format::Html,
            ReportFormat::Pdf => Format::Pdf,
        };
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    formats
}
